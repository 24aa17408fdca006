import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { diffEvaluations, renderDiff } from "../scripts/lib/diff";
import type { Evaluation } from "../scripts/lib/types";
import { git, plan, scratchRepo } from "./plan-cli";

describe("npm run plan --diff <git-ref>", function () {
  this.timeout(120000);
  let dir: string;
  before(() => (dir = scratchRepo()));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("says the base did not evaluate, with its own exit code, and leaves no temporary directory", () => {
    const file = path.join(dir, "Pulumi.alpha.yaml");
    const good = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, good.replace(/^config:/m, "confg:"));
    git(dir, "commit", "-qam", "broken alpha");
    fs.writeFileSync(file, good);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-tmpdir-"));
    try {
      const r = plan(dir, "alpha", "--diff", "HEAD", { TMPDIR: tmp });
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stdout, /^### Stack `alpha`: no plan diff\n\n\*\*✖ base `HEAD` did not evaluate\*\*/);
      assert.match(r.stdout, /Pulumi\.alpha\.yaml: confg: unknown top-level key/);
      assert.doesNotMatch(r.stdout, /Resources added/);
      // And the working tree failing (exit 3) cleans up too.
      fs.writeFileSync(file, good.replace(/^config:/m, "confg:"));
      assert.equal(plan(dir, "alpha", "--diff", "HEAD~1", { TMPDIR: tmp }).status, 3);
      assert.deepEqual(fs.readdirSync(tmp), [], "temporary directories left behind");
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
      git(dir, "reset", "-q", "--hard", "HEAD~1");
    }
  });

  it("plans the deployments program: a pushToDeploy change reads as old → new", () => {
    const file = path.join(dir, "deployments/Pulumi.cloud.yaml");
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, "utf8")
        .replace(
          "pulumi-deployments-uat\n      pushToDeploy: true",
          "pulumi-deployments-uat\n      pushToDeploy: false",
        ),
    );
    const r = plan(dir, "deployments", "--diff", "HEAD");
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stdout,
      /^### Deployments program[^\n]*\n\n\*\*Resources changed\*\*\n\n- `pulumiservice:index:DeploymentSettings` platform-uat\n {2}- `vcs\.deployCommits`: `true` → `false`\n$/,
    );
    git(dir, "checkout", "-q", "--", ".");
    const same = plan(dir, "deployments", "--diff", "HEAD");
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, /No changes\./);
  });

  it("shows a policy-only change as violations added, and exits 1", () => {
    const file = path.join(dir, "policy/policies.ts");
    fs.appendFileSync(
      file,
      `policies.push({ name: "no-kms", description: "test rule", enforcementLevel: "mandatory",
         validateResource: (a, report) => { if (a.type === "aws:kms/key:Key") report("no KMS keys"); } });\n`,
    );
    const r = plan(dir, "alpha", "--diff", "HEAD");
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stdout,
      /\*\*Policy violations added\*\*\n\n- ✖ mandatory no-kms \(cluster-secrets\): no KMS keys/,
    );
    assert.doesNotMatch(r.stdout, /No changes/);
  });

  afterEach(() => git(dir, "checkout", "-q", "--", "."));

  it("shows a sizing change as old → new on the config and the node group", () => {
    const file = path.join(dir, "Pulumi.alpha.yaml");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("maxSize: 3", "maxSize: 6"));
    const r = plan(dir, "alpha", "--diff", "HEAD");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /- `cluster\.nodeGroups\.system\.maxSize`: `3` → `6`/);
    assert.match(
      r.stdout,
      /- `eks:index:ManagedNodeGroup` cluster-system\n  - `scalingConfig\.maxSize`: `3` → `6`/,
    );
    assert.doesNotMatch(r.stdout, /Resources (added|removed)/);
  });

  it("shows a promotion as the tag change, and nothing for another environment", () => {
    const file = path.join(dir, "Pulumi.beta.yaml");
    fs.writeFileSync(
      file,
      fs.readFileSync(file, "utf8").replace("config:\n", 'config:\n  platform:imageTag: "9b1e2d3"\n'),
    );
    const beta = plan(dir, "beta", "--diff", "HEAD");
    assert.equal(beta.status, 1, beta.stderr);
    assert.match(beta.stdout, /- `imageTag`: `\w+` → `9b1e2d3`/);
    const uat = plan(dir, "uat", "--diff", "HEAD");
    assert.match(uat.stdout, /No changes\./);
    assert.equal(uat.status, 0);
  });

  it("compares against an older commit", () => {
    const file = path.join(dir, "Pulumi.uat.yaml");
    fs.writeFileSync(
      file,
      fs.readFileSync(file, "utf8").replace("logRetentionDays: 60", "logRetentionDays: 90"),
    );
    git(dir, "commit", "-qam", "uat retention");
    const r = plan(dir, "uat", "--diff", "HEAD~1");
    assert.match(r.stdout, /`retentionInDays`: `60` → `90`/);
    git(dir, "reset", "-q", "--hard", "HEAD~1");
  });

  it("fails clearly on an unknown ref", () => {
    const r = plan(dir, "alpha", "--diff", "no-such-ref");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown git ref "no-such-ref"/);
  });
});

describe("plan diff rendering", () => {
  const evaluation = (secret: string, replicas: number): Evaluation => ({
    stack: "alpha",
    config: {},
    effective: { service: { replicas } },
    resources: [
      {
        urn: "urn:x::s",
        type: "kubernetes:core/v1:Secret",
        name: "s",
        custom: true,
        remote: false,
        protect: false,
        retainOnDelete: false,
        providers: {},
        dependsOn: [],
        inputs: { stringData: { password: { "[secret]": secret } } },
      },
    ],
    outputs: { token: { value: secret, secret: true } },
  });

  it("says a secret changed without revealing either value", () => {
    const text = renderDiff(
      "alpha",
      "main",
      diffEvaluations(evaluation("old-pass", 2), evaluation("new-pass", 3)),
    );
    assert.match(text, /`stringData\.password`: \[secret\] changed/);
    assert.match(text, /`token`: \[secret\] changed/);
    assert.match(text, /`service\.replicas`: `2` → `3`/);
    assert.doesNotMatch(text, /old-pass|new-pass/);
  });

  it("reports no changes for identical evaluations", () => {
    assert.match(
      renderDiff("alpha", "main", diffEvaluations(evaluation("p", 2), evaluation("p", 2))),
      /No changes\./,
    );
  });
});
