// Loads TypeScript exactly as the Pulumi CLI's nodejs host does for `pulumi preview`/`up` (@pulumi/pulumi
// cmd/run/run.js, CommonJS branch): the tsconfig named by Pulumi.yaml's runtime option `tsconfig` (the host passes
// it as PULUMI_NODEJS_TSCONFIG_PATH), transpile-only when PULUMI_NODEJS_TRANSPILE_ONLY says so or, unset, when
// that tsconfig's compilerOptions.noCheck is true; ts-node registered with the same options. `npm run bench`
// evaluates the stacks with this loader instead of the plan's cached transpiler.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { parse } = require("yaml");
const tsutils = require("@pulumi/pulumi/tsutils");

const root = path.resolve(__dirname, "..", "..");
const runtime = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")).runtime;
const tsConfigPath = path.join(
  root,
  process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? runtime.options?.tsconfig ?? "tsconfig.json",
);

const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
const env = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
const transpileOnly = env ? env === "true" : compilerOptions.noCheck;
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly,
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
