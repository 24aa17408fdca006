// Loads TypeScript exactly as the Pulumi CLI's nodejs host would for this Pulumi.yaml, for `npm run bench` and the
// loader test. The host passes the `typescript` runtime option (default true) as PULUMI_NODEJS_TYPESCRIPT, and only
// then does @pulumi/pulumi cmd/run/run.js register ts-node (CommonJS branch replayed below: the tsconfig named by the
// `tsconfig` option, transpile-only when PULUMI_NODEJS_TRANSPILE_ONLY or that tsconfig's noCheck says so). Otherwise
// it requires Pulumi.yaml `main` as it is; the worker requires that entry too (scripts/lib/evaluate-worker.ts).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { parse } = require("yaml");

// What the host's entry (@pulumi/pulumi cmd/run/index.js) loads before run.js: OpenTelemetry's setup and
// source-map-support, whose stack formatting the program's loader then replaces.
require("@pulumi/pulumi/cmd/run/instrumentation");
require(
  require.resolve("source-map-support/register", { paths: [require.resolve("@pulumi/pulumi/cmd/run")] }),
);

require("./register"); // the evaluation worker's own TypeScript

const root = path.resolve(__dirname, "..", "..");
const runtime = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).runtime;
const options = (typeof runtime === "object" && runtime.options) || {};

if (options.typescript ?? true) {
  const tsutils = require("@pulumi/pulumi/tsutils");
  const tsConfigPath = path.join(
    root,
    process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? options.tsconfig ?? "tsconfig.json",
  );
  const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
  const env = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  require(tsnodeRequire).register({
    compiler: typescriptRequire,
    transpileOnly: env ? env === "true" : compilerOptions.noCheck,
    project: tsConfigPath,
    skipProject: !fs.existsSync(tsConfigPath),
    compilerOptions: {
      target: "ES2020",
      module: "nodenext",
      moduleResolution: "nodenext",
      sourceMap: "true",
      ...compilerOptions,
    },
  });
}
