import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const run = (script: string, ...args: string[]) =>
  spawnSync(
    process.execPath,
    ["-r", path.join(ROOT, "scripts/lib/register.js"), path.join(ROOT, script), ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );

/** The same exit-code contract for every tool: 0 ok, 1 changes or findings, 2 usage or refusal, 3 evaluation error. */
describe("promote and bench on the command line", function () {
  this.timeout(60000);

  for (const script of ["scripts/promote.ts", "scripts/bench.ts"]) {
    it(`${script} --help prints usage and the exit codes`, () => {
      const r = run(script, "--help");
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^usage: npm run \w+[\s\S]*exit codes: 0 [^\n]*1 [^\n]*2 usage error[^\n]*3 /);
    });

    it(`${script} refuses an unknown argument with usage and exit code 2`, () => {
      const r = run(script, "--bogus");
      assert.equal(r.status, 2);
      assert.match(r.stderr, /--bogus[\s\S]*usage: /);
    });
  }

  it("promote refuses a run where npm kept --tag for itself (no --)", () => {
    const r = spawnSync(
      process.execPath,
      ["-r", "./scripts/lib/register.js", "scripts/promote.ts", "alpha"],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, npm_config_tag: "9b1e2d3" },
      },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /npm took --tag 9b1e2d3 as its own option/);
  });

  it("without Go, the tool builds fail with a clear message, not a stack trace", () => {
    // PATH without any directory that holds go: the script's other tools (dirname, sha256sum) stay reachable.
    const dirs = (process.env.PATH ?? "")
      .split(path.delimiter)
      .filter((d) => !fs.existsSync(path.join(d, "go")));
    const noGo = { ...process.env, PATH: dirs.join(path.delimiter) };
    const script = spawnSync("/bin/bash", [path.join(ROOT, "scripts/install-chart-tools.sh")], {
      encoding: "utf8",
      env: noGo,
    });
    assert.equal(script.status, 1);
    assert.equal(script.stderr.trim(), "install-chart-tools: Go 1.26+ is required on PATH");
  });

  it("with a Go older than 1.26, the tool builds name the version they found", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "old-go-"));
    try {
      fs.writeFileSync(path.join(dir, "go"), '#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo go1.24.3\n', {
        mode: 0o755,
      });
      const script = spawnSync("/bin/bash", [path.join(ROOT, "scripts/install-chart-tools.sh")], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` },
      });
      assert.equal(script.status, 1);
      assert.equal(script.stderr.trim(), "install-chart-tools: Go 1.26+ is required on PATH, found go1.24.3");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bench documents BENCH_RUNS and refuses too few runs", () => {
    assert.match(run("scripts/bench.ts", "--help").stdout, /BENCH_RUNS/);
    const r = spawnSync(process.execPath, ["-r", "./scripts/lib/register.js", "scripts/bench.ts"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, BENCH_RUNS: "1" },
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /BENCH_RUNS must be an integer ≥ 3/);
  });
});
