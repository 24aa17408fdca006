// What `pulumi preview`/`up` run (Pulumi.yaml `main`): index.ts, loaded by scripts/lib/register.js. Pulumi.yaml sets
// `typescript: false`, so the CLI's nodejs host does not register ts-node (@pulumi/pulumi cmd/run/run.js) and simply
// requires this file; the offline plan and the tests enter the program here too (scripts/lib/evaluate-worker.ts).
"use strict";
require("./scripts/lib/register");
module.exports = require("./index.ts");
