import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ENVIRONMENTS } from "../config/schema";
import { CHANGED, effectiveTag, promote, REFUSED, UNCHANGED } from "../scripts/lib/promote";

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
});
