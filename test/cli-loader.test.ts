/**
 * `pulumi preview`/`up` load the program through entry.js and scripts/lib/register.js, not through the ts-node the
 * CLI's nodejs host registers by default (@pulumi/pulumi cmd/run/run.js), which cost 2.7× the SDK import on every run.
 * CI type-checks with tsconfig.json instead (npm run typecheck).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { transformSync } from "@swc/core";
import { create } from "ts-node";
import { parse } from "yaml";
import { evaluateStack } from "../scripts/lib/evaluate";
import { stackOf } from "./harness";

const ROOT = path.resolve(__dirname, "..");
const REGISTER = path.join(ROOT, "scripts/lib/register.js");
const CLI_LOADER = path.join(ROOT, "scripts/lib/cli-loader.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SWC_OPTIONS = require("../scripts/lib/swc-options") as object;

/** The program's own files: what `pulumi up` transpiles (tests and tooling are loaded the same way, but not by it). */
function programFiles(): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === "test" ? [] : walk(rel);
      return e.name.endsWith(".ts") ? [rel] : [];
    });
  return ["index.ts", ...walk("config"), ...walk("components"), ...walk("policy")];
}

describe("the CLI's TypeScript loader", () => {
  const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));

  it("is the program's own: the host registers no ts-node and requires Pulumi.yaml main", () => {
    assert.equal(project.runtime.options.typescript, false);
    // run.js fails when a named tsconfig is missing, whatever `typescript` says.
    assert.equal(project.runtime.options.tsconfig, undefined);
    // A file at the root keeps the host's working directory at the root (pulumi getPwdMain), where chart paths resolve.
    assert.equal(project.main, "entry.js");
    const entry = fs.readFileSync(path.join(ROOT, project.main), "utf8");
    assert.match(
      entry,
      /require\("\.\/scripts\/lib\/register"\);\nmodule\.exports = require\("\.\/index\.ts"\);/,
    );
    assert.equal(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).main, project.main);
  });

  it("is type-checked for per-file transpiling (isolatedModules), as swc compiles each file alone", () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
    assert.equal(tsconfig.compilerOptions.isolatedModules, true);
  });

  it("emits, file by file, what ts-node's swc mode derives from tsconfig.json", function () {
    this.timeout(60000);
    const tsNode = create({ swc: true, transpileOnly: true, project: path.join(ROOT, "tsconfig.json") });
    const files = programFiles();
    assert.ok(files.length > 50, `${files.length} program files`);
    for (const file of files) {
      const filename = path.join(ROOT, file);
      const source = fs.readFileSync(filename, "utf8");
      const expected = tsNode.compile(source, filename).replace(/\n\/\/# sourceMappingURL=.*$/, "");
      assert.equal(transformSync(source, { ...SWC_OPTIONS, filename }).code, expected, file);
    }
  });

  it("gives Pulumi each resource's TypeScript line, as it reads it (Resource.callsites)", () => {
    // Inside the project, so the fixture resolves @pulumi/pulumi as the program does.
    const cache = path.join(ROOT, "node_modules", ".cache");
    fs.mkdirSync(cache, { recursive: true });
    const dir = fs.mkdtempSync(path.join(cache, "loader-"));
    const file = path.join(dir, "where.ts");
    // Type-only lines and a multi-line literal move the emitted call away from its source line.
    const source = [
      'import * as pulumi from "@pulumi/pulumi";',
      "interface Shape {",
      "  a: number;",
      "}",
      "type Name = string;",
      "const shape: Shape = {",
      "  a: 1,",
      "};",
      "const name: Name = String(shape.a);",
      "const sites = (pulumi.Resource as unknown as { callsites(): { file?: string; line?: number }[] }).callsites();",
      "console.log(JSON.stringify({ name, site: sites.find((s) => s.file === __filename) }));",
    ].join("\n");
    fs.writeFileSync(file, source);
    try {
      const emitted = transformSync(source, { ...SWC_OPTIONS, filename: file }).code.split("\n");
      assert.notEqual(
        emitted.findIndex((l) => l.includes(".callsites()")) + 1,
        10,
        "the test needs lines to move",
      );
      // Loaded as the CLI loads the program: its host's source-map-support first, then the program's loader.
      const run = spawnSync(process.execPath, ["-r", CLI_LOADER, file], { cwd: ROOT, encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      const column = source.split("\n")[9].lastIndexOf(".callsites()") + 2; // V8 reports a call at its name
      assert.deepEqual(JSON.parse(run.stdout).site, { file, line: 10, column });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes every other stack as Node does: its own errors' codes, async and constructor frames", () => {
    const script = `
      const capture = async () => {
        const stacks = [];
        try { Buffer.alloc(-1); } catch (e) { stacks.push(e.stack); }
        const a = async () => { await null; throw new RangeError("late"); };
        try { await a(); } catch (e) { stacks.push(e.stack); }
        class Named extends TypeError { constructor() { super("m"); this.name = "Named"; } }
        stacks.push(new Named().stack);
        return stacks.map((s) => s.split("\\n").slice(0, 2).join("\\n"));
      };
      capture().then(async (native) => {
        require(${JSON.stringify(REGISTER)});
        console.log(JSON.stringify({ native, ours: await capture() }));
      });`;
    const run = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const { native, ours } = JSON.parse(run.stdout);
    assert.match(native[0], /^RangeError \[ERR_OUT_OF_RANGE\]: /);
    assert.deepEqual(ours, native);
  });

  it("evaluates prod to exactly what the plan shows", async function () {
    this.timeout(120000);
    const viaCli = await evaluateStack("prod", { register: CLI_LOADER });
    assert.equal(viaCli.error, undefined, viaCli.error);
    const plan = await stackOf("prod");
    assert.deepEqual(viaCli.resources, plan.resources);
    assert.deepEqual(viaCli.outputs, plan.outputs);
  });
});
