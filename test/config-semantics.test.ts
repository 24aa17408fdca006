import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { resolveSettings } from "../config";
import { evaluateStack } from "../scripts/lib/evaluate";
import { problems, raw } from "./config-raw";
import { copyProject } from "./harness";

/** Asserts exactly one problem, for `key` in `file`, and returns its text after the key. */
function only(ps: string[], file: string, key: string): string {
  assert.equal(ps.length, 1, ps.join("\n"));
  const head = `${file}: ${key}: `;
  assert.ok(ps[0].startsWith(head), `${ps[0]}\ndoes not start with ${head}`);
  return ps[0].slice(head.length);
}

const group = (g: Record<string, unknown>, name = "system") => ({ nodeGroups: { [name]: g } });
const ARM_GROUP = {
  instanceTypes: ["m7g.large", "c7g.large"],
  capacityType: "ON_DEMAND",
  amiType: "AL2023_ARM_64_STANDARD",
  minSize: 3,
  desiredSize: 3,
  maxSize: 6,
  diskSizeGiB: 50,
  labels: { workload: "arm" },
};

describe("config semantics: values AWS or Kubernetes would reject fail before any resource", () => {
  describe("provider namespaces (ProviderArgs of @pulumi/aws; the engine's pulumi: keys)", () => {
    const cases: [string, unknown, RegExp][] = [
      ["aws:regoin", "eu-west-1", /^unknown AWS provider setting .*allowed: aws:region$/],
      [
        "aws:profile",
        "dev",
        /^not allowed in a stack file: credentials come from the environment.*Deployments/,
      ],
      ["aws:accessKey", "AKIA0000", /^not allowed in a stack file: credentials come from the environment/],
      ["aws:allowedAccountIds", ["111122223333"], /^not allowed in a stack file: set platform:accountId/],
      ["aws:skipCredentialsValidation", true, /^not allowed in a stack file: not read/],
      ["pulumi:bogus", "x", /^unknown Pulumi setting; allowed: pulumi:disable-default-providers/],
    ];
    for (const [key, value, message] of cases) {
      it(`${key}`, () => {
        assert.match(only(problems("beta", { [key]: value }), "Pulumi.beta.yaml", key), message);
      });
    }

    it("accepts aws:region and the engine's own pulumi: settings", () => {
      const r = raw("uat", { "pulumi:disable-default-providers": ["aws"], "aws:region": "eu-west-1" });
      assert.equal(resolveSettings("uat", r).region, "eu-west-1");
    });
  });

  describe("stack-to-account pinning", () => {
    it("requires platform:accountId in every stack file", () => {
      const r = raw("uat");
      delete r["platform:accountId"];
      assert.throws(
        () => resolveSettings("uat", r),
        (e: { problems: string[] }) =>
          e.problems.some((p) =>
            /^Pulumi\.uat\.yaml: platform:accountId: found nothing; required in every stack file/.test(p),
          ),
      );
    });

    it("an account ID that is not 12 digits", () => {
      const text = only(
        problems("prod", { "platform:accountId": "44445555666" }),
        "Pulumi.prod.yaml",
        "platform:accountId",
      );
      assert.match(text, /allowed: a 12-digit AWS account ID$/);
    });

    it("the registry owner's account must be the owner stack's own", () => {
      const text = only(
        problems("alpha", { "platform:registry": { accountId: "444455556666" } }),
        "Pulumi.alpha.yaml",
        "platform:registry.accountId",
      );
      assert.match(text, /allowed: the owner stack's own account, platform:accountId \(111122223333\)$/);
    });
  });

  describe("network (ipaddr.js; RFC 1918; EKS service ranges)", () => {
    const vpc: [string, RegExp][] = [
      ["10.0.0.1/16", /allowed: a network address without host bits, such as 10\.0\.0\.0\/16$/],
      [
        "8.8.0.0/16",
        /allowed: a private range inside 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16 \(RFC 1918\)$/,
      ],
      ["0.0.0.0/16", /\(RFC 1918\)$/],
      ["127.0.0.0/16", /\(RFC 1918\)$/],
      ["224.0.0.0/16", /\(RFC 1918\)$/],
      ["172.20.0.0/16", /the Kubernetes service ranges EKS picks from \(172\.20\.0\.0\/16 overlaps\)$/],
      ["10.100.0.0/17", /\(10\.100\.0\.0\/16 overlaps\)$/],
    ];
    for (const [cidr, message] of vpc) {
      it(`VPC range ${cidr}`, () => {
        const ps = problems("alpha", { "platform:network": { cidr } });
        assert.match(only(ps, "Pulumi.alpha.yaml", "platform:network.cidr"), message);
      });
    }

    it("publicAccessCidrs with host bits or duplicates", () => {
      const ps = problems("uat", {
        "platform:cluster": { publicAccessCidrs: ["203.0.113.0/24", "198.51.100.7/24", "203.0.113.0/24"] },
      });
      assert.deepEqual(ps.sort(), [
        'Pulumi.uat.yaml: platform:cluster.publicAccessCidrs.1: found "198.51.100.7/24"; allowed: a network address without host bits, such as 198.51.100.0/24',
        'Pulumi.uat.yaml: platform:cluster.publicAccessCidrs.2: found "203.0.113.0/24"; allowed: each CIDR once (a duplicate)',
      ]);
    });

    it("accepts a private-only endpoint with no CIDRs, with a warning for the plan", () => {
      const r = raw("uat", { "platform:cluster": { endpointPublicAccess: false, publicAccessCidrs: [] } });
      const s = resolveSettings("uat", r);
      assert.ok(
        s.warnings.some((w) => w.startsWith("Pulumi.uat.yaml: platform:cluster.endpointPublicAccess: false")),
        s.warnings.join("\n"),
      );
    });
  });

  it("warns that a preview host does nothing unless the strategy is blueGreen", () => {
    const r = raw("prod", { "platform:service": { rollout: { previewHost: "preview.api.example.com" } } });
    assert.deepEqual(
      resolveSettings("prod", r).warnings.filter((w) => w.includes("previewHost")),
      [
        "Pulumi.prod.yaml: platform:service.rollout.previewHost: preview.api.example.com is not used: only strategy blueGreen routes a preview host",
      ],
    );
  });

  describe("compute (aws.ec2.InstanceType of @pulumi/aws 7.48.0; Graviton naming; EKS quotas)", () => {
    it("an instance type that does not exist", () => {
      const ps = problems("beta", {
        "platform:cluster": group({ instanceTypes: ["m6a.large", "m6i.huge", "m5.large"] }),
      });
      assert.match(
        only(ps, "Pulumi.beta.yaml", "platform:cluster.nodeGroups.system.instanceTypes.1"),
        /^found "m6i\.huge"; allowed: an EC2 instance type that exists, such as m6i\.large \(aws\.ec2\.InstanceType/,
      );
    });

    it("an ARM AMI with x86 instance types", () => {
      const ps = problems("uat", { "platform:cluster": group({ amiType: "AL2023_ARM_64_STANDARD" }) });
      assert.match(
        only(ps, "Pulumi.uat.yaml", "platform:cluster.nodeGroups.system.instanceTypes"),
        /allowed: arm64 instance types for amiType AL2023_ARM_64_STANDARD \(m6i\.large is not\)$/,
      );
    });

    it("an x86 AMI with Graviton instance types", () => {
      const ps = problems("uat", { "platform:cluster": group({ instanceTypes: ["m7g.large"] }) });
      assert.match(
        only(ps, "Pulumi.uat.yaml", "platform:cluster.nodeGroups.system.instanceTypes"),
        /allowed: x86_64 instance types for amiType AL2023_x86_64_STANDARD \(m7g\.large is not\)$/,
      );
    });

    it("node and replica counts beyond their bounds", () => {
      const ps = problems("uat", {
        "platform:cluster": group({ maxSize: 100000 }),
        "platform:service": { replicas: 100000, autoscaling: { maxReplicas: 100000 } },
      });
      assert.deepEqual(ps.sort(), [
        "Pulumi.uat.yaml: platform:cluster.nodeGroups.system.maxSize: found 100000; allowed: 1 to 450 (EKS: nodes per managed node group)",
        "Pulumi.uat.yaml: platform:service.autoscaling.maxReplicas: found 100000; allowed: 1 to 100",
        "Pulumi.uat.yaml: platform:service.replicas: found 100000; allowed: 1 to 100",
      ]);
    });

    it("accepts a second node group on ARM, warning that images must be multi-arch", () => {
      const r = raw("prod");
      const cluster = JSON.parse(r["platform:cluster"]);
      cluster.nodeGroups.arm = ARM_GROUP;
      r["platform:cluster"] = JSON.stringify(cluster);
      const s = resolveSettings("prod", r);
      assert.deepEqual(Object.keys(s.cluster.nodeGroups), ["system", "arm"]);
      assert.ok(
        s.warnings.some((w) => /platform:cluster\.nodeGroups: .*multi-arch/.test(w)),
        s.warnings.join("\n"),
      );
    });
  });

  it("a second node group on ARM evaluates, with a multi-arch warning handed to the plan", async function () {
    this.timeout(120000);
    const dir = copyProject("config-warn-");
    try {
      const file = path.join(dir, "Pulumi.prod.yaml");
      const doc = parse(fs.readFileSync(file, "utf8"));
      doc.config["platform:cluster"].nodeGroups.arm = ARM_GROUP;
      fs.writeFileSync(file, stringify(doc));
      const e = await evaluateStack("prod", { dir });
      assert.equal(e.error, undefined, e.error);
      assert.ok(e.resources.some((r) => r.type === "eks:index:ManagedNodeGroup" && r.name.includes("arm")));
      assert.ok(
        e.warnings?.some((w) => /^Pulumi\.prod\.yaml: platform:cluster\.nodeGroups: .*multi-arch/.test(w)),
        JSON.stringify(e.warnings),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the plan prints warnings under their own heading and still succeeds (a private-only endpoint)", async function () {
    this.timeout(120000);
    const dir = copyProject("config-warn-");
    try {
      const file = path.join(dir, "Pulumi.uat.yaml");
      const doc = parse(fs.readFileSync(file, "utf8"));
      Object.assign(doc.config["platform:cluster"], { endpointPublicAccess: false, publicAccessCidrs: [] });
      fs.writeFileSync(file, stringify(doc));
      const plan = spawnSync(
        process.execPath,
        ["-r", path.join(dir, "scripts/lib/register.js"), path.join(dir, "scripts/plan.ts"), "uat"],
        { cwd: dir, encoding: "utf8" },
      );
      assert.equal(plan.status, 0, plan.stderr);
      assert.match(
        plan.stdout,
        /## Warnings \(legal but unusual; they do not block\)\n\n- Pulumi\.uat\.yaml: platform:cluster\.endpointPublicAccess: false: the API is private/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("Kubernetes syntax (apimachinery validation, resource.Quantity)", () => {
    for (const [value, what] of [
      ["general purpose", "a space"],
      ["team/a", "a slash"],
      ["-edge", "a leading dash"],
    ]) {
      it(`a label value with ${what}`, () => {
        const ps = problems("beta", { "platform:cluster": group({ labels: { workload: value } }) });
        assert.match(
          only(ps, "Pulumi.beta.yaml", "platform:cluster.nodeGroups.system.labels.workload"),
          /allowed: a Kubernetes label value: .*\(no spaces or '\/'\)$/,
        );
      });
    }

    it("a label key under the reserved kubernetes.io/ prefix", () => {
      const ps = problems("beta", {
        "platform:cluster": group({ labels: { "node-role.kubernetes.io/edge": "x" } }),
      });
      assert.match(
        only(
          ps,
          "Pulumi.beta.yaml",
          "platform:cluster.nodeGroups.system.labels.node-role.kubernetes.io/edge",
        ),
        /reserved for Kubernetes\)$/,
      );
    });

    it("zero CPU or memory requests", () => {
      const ps = problems("alpha", {
        "platform:prometheus": { resources: { cpu: "0m" } },
        "platform:grafana": { resources: { memory: "0Mi" } },
      });
      assert.deepEqual(ps.sort(), [
        'Pulumi.alpha.yaml: platform:grafana.resources.memory: found "0Mi"; allowed: more than 0 (Kubernetes refuses a negative memory quantity; a zero one reserves nothing)',
        'Pulumi.alpha.yaml: platform:prometheus.resources.cpu: found "0m"; allowed: more than 0 (Kubernetes refuses a negative CPU quantity; a zero one reserves nothing)',
      ]);
    });

    it("a quantity outside Kubernetes' grammar", () => {
      const ps = problems("alpha", { "platform:postgres": { resources: { cpu: "1.5.0" } } });
      assert.match(
        only(ps, "Pulumi.alpha.yaml", "platform:postgres.resources.cpu"),
        /allowed: a CPU quantity/,
      );
    });

    it("a memory limit below its request", () => {
      const ps = problems("uat", {
        "platform:service": { resources: { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } } },
      });
      assert.match(
        only(ps, "Pulumi.uat.yaml", "platform:service.resources.limits.memory"),
        /allowed: at least the memory request \(1Gi\); Kubernetes rejects a limit below its request$/,
      );
    });

    it("zero Prometheus retention", () => {
      const ps = problems("uat", { "platform:prometheus": { retention: "0d" } });
      assert.match(only(ps, "Pulumi.uat.yaml", "platform:prometheus.retention"), /allowed: more than zero/);
    });

    for (const ns of ["kube-system", "kube-public", "kube-node-lease"]) {
      it(`a service namespace of ${ns}`, () => {
        const ps = problems("uat", { "platform:service": { namespace: ns } });
        assert.match(only(ps, "Pulumi.uat.yaml", "platform:service.namespace"), /outside kube-\*/);
      });
    }
  });

  describe("names and references", () => {
    it("an ECR repository name longer than ECR allows (256)", () => {
      const ps = problems("beta", { "platform:registry": { name: "a".repeat(257) } });
      assert.match(only(ps, "Pulumi.beta.yaml", "platform:registry.name"), /2 to 256 characters$/);
    });

    it("an image tag longer than 128 characters (OCI distribution spec)", () => {
      const tag = `1.0.0-${"a".repeat(123)}`;
      assert.equal(tag.length, 129);
      const ps = problems("beta", { "platform:imageTag": tag });
      assert.match(
        only(ps, "Pulumi.beta.yaml", "platform:imageTag"),
        /at most 128 characters \(OCI distribution spec\)$/,
      );
    });

    it("an ACM certificate in another region than the stack's", () => {
      const arn = "arn:aws:acm:eu-west-1:111122223333:certificate/0f0e0d0c-0b0a-0908-0706-050403020100";
      const ps = problems("uat", { "platform:service": { ingress: { certificateArn: arn } } });
      assert.match(
        only(ps, "Pulumi.uat.yaml", "platform:service.ingress.certificateArn"),
        /allowed: a certificate in the stack's region us-east-1 \(this one is in eu-west-1/,
      );
    });

    it("accepts another region, with a certificate of that region", () => {
      const arn = "arn:aws:acm:eu-west-1:111122223333:certificate/0f0e0d0c-0b0a-0908-0706-050403020100";
      const r = raw("uat", { "aws:region": "eu-west-1", "platform:grafana": { certificateArn: arn } });
      assert.equal(resolveSettings("uat", r).grafana.certificateArn, arn);
    });

    const urls: [string, RegExp][] = [
      ["https://deploy:hunter2@api.uat.example.com", /without user-info/],
      ["", /allowed: an https URL such as https:\/\/api\.example\.com$/],
      ["api.uat.example.com", /allowed: an https URL such as https:\/\/api\.example\.com$/],
      [`https://${"a".repeat(64)}.example.com`, /each label at most 63$/],
      [`https://${"abcdefghij.".repeat(25)}com`, /a host name of at most 253 characters/],
    ];
    for (const [url, message] of urls) {
      it(`the appUrl ${JSON.stringify(url.length > 40 ? `${url.slice(0, 40)}…` : url)}, naming file and key`, () => {
        const ps = problems("uat", { "platform:service": { appUrl: url } });
        assert.match(only(ps, "Pulumi.uat.yaml", "platform:service.appUrl"), message);
      });
    }
  });

  describe("numbers from pulumi config set --path (issue 8.9)", () => {
    it("accepts a whole number of CPUs and a 12-digit account ID written as numbers", () => {
      const r = raw("prod", {
        "platform:postgres": { resources: { cpu: 2 } },
        "platform:registry": { accountId: 111122223333 },
      });
      const s = resolveSettings("prod", r);
      assert.equal(s.postgres.resources.cpu, "2");
      assert.equal(s.registry.accountId, "111122223333");
    });

    it("refuses an account ID that lost its leading zero, saying to use --type string", () => {
      const ps = problems("beta", { "platform:registry": { pullAccountIds: [12345678901] } });
      assert.match(
        only(ps, "Pulumi.beta.yaml", "platform:registry.pullAccountIds.0"),
        /^found 12345678901; expected a string: quote the account ID, or set it with pulumi config set --path --type string$/,
      );
    });
  });
});
