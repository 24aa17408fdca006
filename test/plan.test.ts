import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { diffEvaluations, renderDiff } from "../scripts/lib/diff";
import type { Evaluation } from "../scripts/lib/types";
import { copyProject } from "./harness";

const git = (dir: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd: dir,
    encoding: "utf8",
  });

/** A throwaway git repository holding this working tree's project files. */
function scratchRepo(): string {
  const dir = copyProject("plan-test-");
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "base");
  return dir;
}

function plan(dir: string, ...args: string[]) {
  return spawnSync(
    process.execPath,
    ["-r", path.join(dir, "scripts/lib/register.js"), path.join(dir, "scripts/plan.ts"), ...args],
    {
      cwd: dir,
      encoding: "utf8",
    },
  );
}

describe("npm run plan", function () {
  this.timeout(120000);
  let dir: string;
  before(() => (dir = scratchRepo()));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints the effective configuration, every resource with its protection, and the outputs", () => {
    const r = plan(dir, "prod");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /## Effective configuration[\s\S]*natGateways: onePerAz/);
    assert.match(r.stdout, /TYPE\s+NAME\s+PARENT\s+PROTECTED\s+KEY SETTINGS/);
    assert.match(r.stdout, /eks:index:Cluster\s+cluster\s+cluster\s+no\s+version=/);
    // Only the control plane inside the eks component is protected; its children are marked as synthesized.
    assert.match(r.stdout, /aws:eks\/cluster:Cluster \(synthesized\)\s+cluster-eksCluster\s+cluster\s+yes/);
    assert.match(r.stdout, /aws:eks\/accessEntry:AccessEntry \(synthesized\)\s+cluster-\S+\s+cluster\s+no/);
    assert.match(r.stdout, /kubeconfig: \[secret\]/);
  });

  it("exits non-zero with every config error and no stack trace", () => {
    const file = path.join(dir, "Pulumi.beta.yaml");
    const original = fs.readFileSync(file, "utf8");
    try {
      fs.writeFileSync(
        file,
        original
          .replace("cidr: 10.20.0.0/16", "cidr: 10.20.0.0/99")
          .replace("capacityType: SPOT", "capacityType: SPOTT"),
      );
      const r = plan(dir, "beta");
      assert.equal(r.status, 1);
      assert.match(r.stderr, /Pulumi\.beta\.yaml: platform:network\.cidr: found "10\.20\.0\.0\/99"/);
      assert.match(
        r.stderr,
        /Pulumi\.beta\.yaml: platform:cluster\.nodeGroups\.system\.capacityType: found "SPOTT"; allowed: ON_DEMAND \| SPOT/,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it("refuses an unknown stack", () => {
    const r = plan(dir, "staging");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown stack "staging"/);
  });

  describe("--diff <git-ref>", () => {
    afterEach(() => git(dir, "checkout", "-q", "--", "."));

    it("shows a sizing change as old → new on the config and the node group", () => {
      const file = path.join(dir, "Pulumi.alpha.yaml");
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("maxSize: 3", "maxSize: 6"));
      const r = plan(dir, "alpha", "--diff", "HEAD");
      assert.equal(r.status, 0, r.stderr);
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
      assert.equal(beta.status, 0, beta.stderr);
      assert.match(beta.stdout, /- `imageTag`: `\w+` → `9b1e2d3`/);
      const uat = plan(dir, "uat", "--diff", "HEAD");
      assert.match(uat.stdout, /No changes\./);
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
      assert.equal(r.status, 1);
      assert.match(r.stderr, /unknown git ref "no-such-ref"/);
    });
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
