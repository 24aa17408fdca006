import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { plan, scratchRepo } from "./plan-cli";

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
});
