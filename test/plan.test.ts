import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
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

function plan(dir: string, ...rest: (string | Record<string, string>)[]) {
  const env = rest.find((a) => typeof a === "object") as Record<string, string> | undefined;
  const args = rest.filter((a): a is string => typeof a === "string");
  return spawnSync(
    process.execPath,
    ["-r", path.join(dir, "scripts/lib/register.js"), path.join(dir, "scripts/plan.ts"), ...args],
    {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, ...env },
    },
  );
}

describe("npm run plan", function () {
  this.timeout(120000);
  let dir: string;
  before(() => (dir = scratchRepo()));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prints the configuration, policy results, resources, outputs and cost, honestly and within 120 columns", () => {
    const r = plan(dir, "prod");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /## Effective configuration[\s\S]*natGateways: onePerAz/);
    assert.match(r.stdout, /## Policy \(CrossGuard pack in policy\/\)\n\nNo violations/);
    assert.match(r.stdout, /## Resources this program registers \(\d+, \d+ protected\)/);
    assert.doesNotMatch(r.stdout, /every resource/i);
    // protect would spread to every child of the remote component: only its control plane child is protected.
    assert.match(r.stdout, /\n {2}cluster {2}eks:index:Cluster {2}\[remote\]\n {6}version=/);
    assert.match(
      r.stdout,
      /\n {4}cluster-eksCluster {2}aws:eks\/cluster:Cluster {2}\[protected, synthesized\]/,
    );
    assert.match(r.stdout, /not shown, created by the component: the EKS control plane/);
    assert.match(r.stdout, /kubeconfig: \[secret\]/);
    // Mock-only values: prod's OIDC provider lives in prod's account, which no offline run knows.
    assert.match(
      r.stdout,
      /oidcProviderArn: "arn:aws:iam::<account>:oidc-provider\/[^"]*\/id\/<id at deploy>"/,
    );
    assert.match(r.stdout, /serviceImageDigest: "<image digest at deploy>"/);
    assert.match(r.stdout, /vpcId: "<resolved at deploy>"/);
    assert.match(r.stdout, /publicSubnetCidrs: \["<subnet CIDR at deploy>"/);
    assert.match(r.stdout, /addonVersion=<latest for the cluster version at deploy>/);
    assert.doesNotMatch(r.stdout, /arn:aws:mock|eksbuild\.1|sha256:|198\.18\./);
    assert.match(
      r.stdout,
      /Not estimated:\n {2}- EKS control-plane logs \(api, audit, authenticator\)[^\n]*\n {2}- VPC flow logs/,
    );
    assert.doesNotMatch(r.stdout, /\b1 (nodes|keys|ALBs)\b|\(s\)/, "grammar");
    const long = r.stdout.split("\n").filter((l) => l.length > 120);
    assert.deepEqual(long, [], "lines over 120 columns");
  });

  describe("arguments", () => {
    for (const [args, message] of [
      [["alpha", "beta"], /one stack per run; got alpha beta/],
      [["alpha", "HEAD~20"], /one stack per run; got alpha HEAD~20/],
      // `npm run plan alpha --diff HEAD~20`: npm keeps `--diff HEAD~20` (as npm_config_diff) and hands over `alpha`.
      [["alpha", { npm_config_diff: "HEAD~20" }], /npm took --diff HEAD~20 as its own option/],
      [["alpha", "--diff"], /--diff needs a git ref/],
      [["alpha", "--verbose"], /unknown option --verbose/],
      [[], /missing stack/],
    ] as [(string | Record<string, string>)[], RegExp][]) {
      it(`refuses ${JSON.stringify(args)} with usage and exit code 2`, () => {
        const r = plan(dir, ...args);
        assert.equal(r.status, 2, r.stdout);
        assert.match(r.stderr, message);
        assert.match(
          r.stderr,
          /usage: npm run plan -- <alpha\|beta\|uat\|prod\|deployments>[\s\S]*exit codes:/,
        );
      });
    }

    it("prints usage and the exit codes for --help", () => {
      const r = plan(dir, "--help");
      assert.equal(r.status, 0);
      assert.match(
        r.stdout,
        /^usage: npm run plan[\s\S]*exit codes: 0 [\s\S]*4 \(--diff\) the base did not evaluate/,
      );
    });
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
      assert.equal(r.status, 3);
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
