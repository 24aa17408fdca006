/**
 * `pulumi preview`/`up` load index.ts transpile-only: the CLI's nodejs host (@pulumi/pulumi cmd/run/run.js) turns
 * type checking off only through PULUMI_NODEJS_TRANSPILE_ONLY or `noCheck` in the tsconfig Pulumi.yaml names, and
 * nobody sets the variable in Deployments. CI type-checks with tsconfig.json instead (npm run typecheck).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { evaluateStack } from "../scripts/lib/evaluate";
import { stackOf } from "./harness";

const ROOT = path.resolve(__dirname, "..");
// The host's own reader: compilerOptions of that one file, without following `extends`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tsutils = require("@pulumi/pulumi/tsutils") as {
  loadTypeScriptCompilerOptions: (p: string) => Record<string, unknown>;
};

describe("the CLI's TypeScript loader", () => {
  const runtime = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).runtime;
  const tsconfig = path.join(ROOT, runtime.options?.tsconfig ?? "tsconfig.json");

  it("loads the program transpile-only (noCheck in the tsconfig Pulumi.yaml names)", () => {
    assert.equal(runtime.options.typescript, true);
    assert.equal(tsutils.loadTypeScriptCompilerOptions(tsconfig).noCheck, true, tsconfig);
  });

  it("with the compiler settings CI type-checks (it extends tsconfig.json, which keeps checking)", () => {
    const text = fs.readFileSync(tsconfig, "utf8");
    assert.match(text, /"extends":\s*"\.\/tsconfig\.json"/);
    assert.notEqual(tsutils.loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.json")).noCheck, true);
  });

  it("transpiles with swc, which ts-node reads from that tsconfig (its TypeScript transpiler took 30% longer)", () => {
    const tsNode = JSON.parse(fs.readFileSync(tsconfig, "utf8").replace(/^\s*\/\/.*$/gm, ""))["ts-node"];
    assert.equal(tsNode?.swc, true);
    assert.doesNotThrow(() => require.resolve("@swc/core"), "@swc/core must be installed");
  });

  it("evaluates prod to exactly what the plan shows", async function () {
    this.timeout(120000);
    const viaCli = await evaluateStack("prod", { register: path.join(ROOT, "scripts/lib/cli-loader.js") });
    assert.equal(viaCli.error, undefined, viaCli.error);
    const plan = await stackOf("prod");
    assert.deepEqual(viaCli.resources, plan.resources);
    assert.deepEqual(viaCli.outputs, plan.outputs);
  });
});
