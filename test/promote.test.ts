import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ENVIRONMENTS } from "../config/schema";
import { stagingPath } from "../scripts/lib/atomic";
import { CHANGED, effectiveTag, FAILED, promote, REFUSED, UNCHANGED } from "../scripts/lib/promote";
import { copyProject } from "./harness";

const FILES = ["Pulumi.yaml", ...ENVIRONMENTS.map((s) => `Pulumi.${s}.yaml`)];

/** A temporary copy of the real stack files. */
function copy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promote-"));
  for (const f of FILES) fs.copyFileSync(f, path.join(dir, f));
  return dir;
}
const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), "utf8");
const snapshot = (dir: string) => FILES.map((f) => read(dir, f));

describe("npm run promote", () => {
  let dir: string;
  beforeEach(() => (dir = copy()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("starts a release by pinning alpha, editing only that line and keeping comments", () => {
    const before = read(dir, "Pulumi.alpha.yaml");
    const r = promote(["--tag", "9b1e2d3", "alpha"], dir);
    assert.equal(r.code, CHANGED);
    assert.match(r.messages.join("\n"), /Pulumi\.alpha\.yaml: platform:imageTag \S+ → 9b1e2d3/);
    const after = read(dir, "Pulumi.alpha.yaml");
    assert.equal(parse(after).config["platform:imageTag"], "9b1e2d3");
    const added = after.split("\n").filter((l) => !before.split("\n").includes(l));
    assert.deepEqual(added, ['  platform:imageTag: "9b1e2d3"']);
    assert.deepEqual(
      before.split("\n").filter((l) => !after.split("\n").includes(l)),
      [],
      "no line removed",
    );
  });

  it("copies the source stack's effective tag to the next stack, replacing only the tag line", () => {
    promote(["--tag", "9b1e2d3", "alpha"], dir);
    const r = promote(["alpha", "beta"], dir);
    assert.equal(r.code, CHANGED);
    assert.equal(effectiveTag(dir, "beta"), "9b1e2d3");
    fs.writeFileSync(
      path.join(dir, "Pulumi.beta.yaml"),
      read(dir, "Pulumi.beta.yaml").replace('"9b1e2d3"', '"9b1e2d3" # in flight'),
    );
    promote(["--tag", "1.4.0", "alpha"], dir);
    const before = read(dir, "Pulumi.beta.yaml");
    promote(["alpha", "beta"], dir);
    const after = read(dir, "Pulumi.beta.yaml");
    assert.equal(after, before.replace('"9b1e2d3" # in flight', '"1.4.0" # in flight'));
  });

  it("says through its exit code when nothing changed", () => {
    promote(["--tag", "9b1e2d3", "alpha"], dir);
    const before = snapshot(dir);
    const r = promote(["--tag", "9b1e2d3", "alpha"], dir);
    assert.equal(r.code, UNCHANGED);
    assert.deepEqual(snapshot(dir), before);
  });

  it("refuses to skip an environment unless forced, and warns when forced", () => {
    promote(["--tag", "9b1e2d3", "alpha"], dir);
    const before = snapshot(dir);
    const r = promote(["alpha", "prod"], dir);
    assert.equal(r.code, REFUSED);
    assert.match(r.messages[0], /alpha → prod skips beta, uat/);
    assert.deepEqual(snapshot(dir), before, "a refused promotion changes nothing");
    const forced = promote(["alpha", "prod", "--force"], dir);
    assert.equal(forced.code, CHANGED);
    assert.match(forced.messages[0], /^warning: --force/);
    assert.equal(effectiveTag(dir, "prod"), "9b1e2d3");
  });

  it("refuses backwards promotion and new tags past alpha", () => {
    assert.equal(promote(["beta", "alpha"], dir).code, REFUSED);
    assert.match(promote(["--tag", "9b1e2d3", "uat"], dir).messages[0], /enters at alpha/);
  });

  for (const bad of ["latest", "", "abc", "9B1E2D3", "1.2", "v1.2.3+build", "not a tag"]) {
    it(`refuses the malformed tag ${JSON.stringify(bad)}`, () => {
      const before = snapshot(dir);
      const r = promote(["--tag", bad, "alpha"], dir);
      assert.equal(r.code, REFUSED);
      assert.deepEqual(snapshot(dir), before);
    });
  }

  it("refuses unknown stacks and options", () => {
    assert.match(promote(["alpha", "staging"], dir).messages[0], /unknown stack "staging"/);
    assert.match(promote(["alpha", "beta", "--yes"], dir).messages[0], /unknown option --yes/);
  });

  it("removes a pin that equals the shared default, and settles a finished promotion", () => {
    for (const [from, to] of [
      ["alpha", "beta"],
      ["beta", "uat"],
      ["uat", "prod"],
    ]) {
      if (from === "alpha") promote(["--tag", "2.0.0", "alpha"], dir);
      assert.equal(promote([from, to], dir).code, CHANGED);
    }
    assert.ok(ENVIRONMENTS.every((s) => effectiveTag(dir, s) === "2.0.0"));
    const r = promote(["--settle"], dir);
    assert.equal(r.code, CHANGED, r.messages.join("\n"));
    assert.equal(parse(read(dir, "Pulumi.yaml")).config.imageTag.default, "2.0.0");
    for (const s of ENVIRONMENTS) {
      assert.equal(parse(read(dir, `Pulumi.${s}.yaml`)).config["platform:imageTag"], undefined);
      assert.equal(effectiveTag(dir, s), "2.0.0");
    }
    assert.equal(promote(["--settle"], dir).code, UNCHANGED);
  });

  it("refuses to settle while stacks disagree", () => {
    promote(["--tag", "9b1e2d3", "alpha"], dir);
    assert.equal(promote(["--settle"], dir).code, REFUSED);
  });

  it("refuses a stack promoted to itself, saying so", () => {
    const r = promote(["alpha", "alpha"], dir);
    assert.equal(r.code, REFUSED);
    assert.match(r.messages[0], /alpha → alpha: a stack cannot be promoted to itself/);
  });

  it("refuses tags longer than the OCI limit of 128 characters", () => {
    const long = `1.0.0-${"a".repeat(123)}`;
    const r = promote(["--tag", long, "alpha"], dir);
    assert.equal(r.code, REFUSED);
    assert.match(r.messages[0], /129 characters; image tags are at most 128/);
  });

  it("names a missing or broken stack file and changes nothing", () => {
    fs.rmSync(path.join(dir, "Pulumi.beta.yaml"));
    const missing = promote(["alpha", "beta"], dir);
    assert.equal(missing.code, FAILED);
    assert.match(missing.messages[0], /^error: Pulumi\.beta\.yaml not found in /);
    fs.writeFileSync(path.join(dir, "Pulumi.beta.yaml"), "config:\n  platform:imageTag: [\n");
    const broken = promote(["alpha", "beta"], dir);
    assert.equal(broken.code, FAILED);
    assert.match(broken.messages[0], /^error: Pulumi\.beta\.yaml: not valid YAML: [^\n]*[^:]$/);
  });

  it("keeps CRLF line endings and the byte-order mark", () => {
    const file = path.join(dir, "Pulumi.beta.yaml");
    const crlf = `\uFEFF${read(dir, "Pulumi.beta.yaml").replace(/\n/g, "\r\n")}`;
    fs.writeFileSync(file, crlf);
    promote(["--tag", "9b1e2d3", "alpha"], dir);
    assert.equal(promote(["alpha", "beta"], dir).code, CHANGED);
    const after = fs.readFileSync(file, "utf8");
    assert.ok(after.startsWith("\uFEFF"), "byte-order mark kept");
    assert.doesNotMatch(after.replace(/\r\n/g, ""), /\n/, "every line ends in CRLF");
    assert.equal(after, crlf.replace("config:\r\n", 'config:\r\n  platform:imageTag: "9b1e2d3"\r\n'));
  });

  it("says when it removes a pin because the tag is the shared default", () => {
    promote(["--tag", "9b1e2d3", "alpha"], dir);
    const def = String(parse(read(dir, "Pulumi.yaml")).config.imageTag.default);
    const r = promote(["--tag", def, "alpha"], dir);
    assert.equal(r.code, CHANGED);
    assert.match(r.messages[0], new RegExp(`9b1e2d3 → ${def}; pin removed: ${def} is the shared default`));
  });

  it("leaves every file as it was when one of them cannot be written (--settle is all or nothing)", () => {
    for (const [from, to] of [
      ["alpha", "beta"],
      ["beta", "uat"],
      ["uat", "prod"],
    ]) {
      if (from === "alpha") promote(["--tag", "2.0.0", "alpha"], dir);
      promote([from, to], dir);
    }
    const before = snapshot(dir);
    // Unwritable even for root: a directory where the stack file's next version would be staged.
    fs.mkdirSync(stagingPath(path.join(dir, "Pulumi.uat.yaml")));
    const r = promote(["--settle"], dir);
    assert.equal(r.code, FAILED);
    assert.match(r.messages[0], /^error: Pulumi\.uat\.yaml: could not write .*; no file was changed$/);
    assert.deepEqual(snapshot(dir), before);
    assert.deepEqual(
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".promote-tmp") && fs.statSync(path.join(dir, f)).isFile()),
      [],
      "no staged file left behind",
    );
  });
});

describe("npm run promote, run concurrently", function () {
  this.timeout(120000);
  let dir: string;
  before(() => (dir = copyProject("promote-concurrent-")));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("loses no update: each of 8 concurrent runs sees the previous one's tag, and readers never see a torn file", async () => {
    const tags = Array.from({ length: 8 }, (_, i) => `aaaaaa${i}`);
    const file = path.join(dir, "Pulumi.alpha.yaml");
    let reads = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const doc = parse(fs.readFileSync(file, "utf8"));
        assert.ok(doc.config, "a reader saw a half-written Pulumi.alpha.yaml");
        reads++;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const runs = await Promise.all(
      tags.map(
        (tag) =>
          new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn(
              process.execPath,
              [
                "-r",
                path.join(dir, "scripts/lib/register.js"),
                path.join(dir, "scripts/promote.ts"),
                "--tag",
                tag,
                "alpha",
              ],
              { cwd: dir },
            );
            let out = "";
            child.stdout.on("data", (d) => (out += d));
            child.stderr.on("data", (d) => (out += d));
            child.on("close", (code) => resolve({ code, out }));
          }),
      ),
    );
    reading = false;
    await reader;
    assert.ok(reads > 0);
    for (const r of runs) assert.equal(r.code, CHANGED, r.out);
    const steps = runs.map((r) => /imageTag (\S+) → (\S+)/.exec(r.out)!.slice(1));
    const olds = steps.map(([old]) => old);
    assert.equal(new Set(olds).size, tags.length, `two runs read the same tag: ${olds.join(", ")}`);
    const last = tags.filter((t) => !olds.includes(t));
    assert.equal(last.length, 1);
    assert.equal(effectiveTag(dir, "alpha"), last[0]);
    assert.ok(!fs.existsSync(path.join(dir, ".promote.lock")), "the lock is released");
  });
});
