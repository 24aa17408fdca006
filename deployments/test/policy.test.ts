import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ENVIRONMENTS, PROJECT } from "../config";
import { policyPackVersion } from "../policy";
import { evaluate, STACK, type Evaluation } from "./program";
import { DEPLOYMENTS_DIR, readConfig } from "./stack-config";

const POLICY = path.resolve(DEPLOYMENTS_DIR, "..", "policy");
const read = (file: string) => fs.readFileSync(path.join(POLICY, file), "utf8");

describe("deployments: policy pack required on the four platform stacks", () => {
  let result: Evaluation;
  const org = readConfig(STACK).config[`${PROJECT}:organization`].value;
  const version = (JSON.parse(read("package.json")) as { version: string }).version;
  const one = (type: string) => {
    const found = result.resources.filter((r) => r.type === type);
    assert.equal(found.length, 1, `one ${type}`);
    return found[0].inputs;
  };

  before(function () {
    this.timeout(60000);
    result = evaluate();
    assert.equal(result.error, undefined, result.error);
  });

  it("publishes policy/ under the pack's own name at policy/package.json's version", () => {
    const pack = one("pulumiservice:index:PolicyPack");
    assert.equal(pack.sourcePath, POLICY);
    assert.ok(fs.existsSync(path.join(pack.sourcePath, "PulumiPolicy.yaml")), "sourcePath is the pack");
    const declared = /new PolicyPack\("([^"]+)"/.exec(read("index.ts"))?.[1];
    assert.equal(pack.name, declared, "the name policy/index.ts declares");
    assert.equal(pack.name, (parse(read("PulumiPolicy.yaml")) as { name: string }).name);
    assert.equal(pack.versionTag, version);
    assert.equal(pack.organization, org);
    assert.equal(result.outputs.policyPackVersion.value, version);
  });

  it("reads the version on every run, so bumping policy/package.json publishes a new version", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-version-"));
    try {
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ version: "9.8.7" }));
      assert.equal(policyPackVersion(dir), "9.8.7");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("requires the pack preventively on exactly alpha, beta, uat and prod of project platform", () => {
    const group = one("pulumiservice:index:PolicyGroup");
    assert.equal(group.organizationName, org);
    assert.equal(group.entityType, "stacks");
    assert.equal(group.mode, "preventative", "violations must block the operation, not only be reported");
    const stacks = [...group.stacks].sort((a, b) => a.name.localeCompare(b.name));
    const expected = [...ENVIRONMENTS].sort().map((name) => ({ name, routingProject: "platform" }));
    assert.deepEqual(stacks, expected);
    assert.equal(result.outputs.policyGroup.value, group.name);
  });

  it("references the published pack at that version, leaving its per-stack level alone", () => {
    const pack = one("pulumiservice:index:PolicyPack");
    const group = one("pulumiservice:index:PolicyGroup");
    // No config: an `all` entry would override policy/enforcement.ts (mandatory in prod, advisory elsewhere).
    assert.deepEqual(group.policyPacks, [{ name: pack.name, versionTag: version }]);
  });
});
