import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { enforcementFor } from "../enforcement";
import { policies } from "../policies";

const DIR = path.join(__dirname, "..");

describe("policy: pack", () => {
  it("is mandatory in prod and advisory in every other stack", () => {
    assert.equal(enforcementFor("prod"), "mandatory");
    for (const s of ["alpha", "beta", "uat", "stack"]) assert.equal(enforcementFor(s), "advisory");
  });

  it("has uniquely named policies that all take the pack's enforcement level", () => {
    const names = policies.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    assert.ok(!names.includes("all"), `"all" is reserved`);
    for (const p of policies) {
      assert.equal(p.enforcementLevel, undefined, p.name);
      assert.match(p.name, /^[a-z0-9-]+$/);
      assert.ok(p.description.length > 0, p.name);
    }
  });

  it("is loadable by the CLI: PulumiPolicy.yaml runtime and a package.json version", () => {
    assert.match(fs.readFileSync(path.join(DIR, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(DIR, "package.json"), "utf8"));
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.equal(pkg.main, "bin/index.js");
  });
});
