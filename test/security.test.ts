import { strict as assert } from "node:assert";
import { CONFIGMAP_READER } from "../components/addons/grafana";
import { MANAGED_RULE_GROUPS } from "../components/waf";
import { ConfigError, ENVIRONMENTS, resolveSettings } from "../config";
import { DEFAULT_TLS_POLICY, TLS_POLICIES } from "../config/edge";
import { mergeLikeCli } from "../config/files";
import { cidrCoverage } from "../policy/rules/cidr";
import { diffEvaluations } from "../scripts/lib/diff";
import { SECRET } from "../scripts/lib/types";
import { effective, ofType, one, stackOf, ROLE, accountOf, regionOf } from "./harness";

const trustOf = (r: { inputs: Record<string, unknown> }): any[] => {
  const p = r.inputs.assumeRolePolicy;
  return (typeof p === "string" ? JSON.parse(p) : p).Statement;
};

/** Problems reported for `stack` with its `platform:<key>` object replaced by `change(current)`. */
function problemsWith(stack: string, key: string, change: (v: any) => void): string[] {
  const raw: Record<string, string> = {};
  for (const [k, e] of Object.entries(mergeLikeCli(stack)))
    raw[k] = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
  const value = JSON.parse(raw[`platform:${key}`] ?? "{}");
  change(value);
  raw[`platform:${key}`] = JSON.stringify(value);
  try {
    resolveSettings(stack, raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  return [];
}

describe("security: least privilege and secrets", () => {
  for (const stack of ENVIRONMENTS) {
    describe(`stack ${stack}`, () => {
      it("Pod Identity roles trust only their own ServiceAccount of this cluster, in this account", async () => {
        const e = await stackOf(stack);
        const roles = ofType(e, ROLE).filter((r) =>
          trustOf(r).some((s) => s.Principal?.Service === "pods.eks.amazonaws.com"),
        );
        const associations = ofType(e, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
        assert.ok(roles.length >= 3, "EBS CSI, Fluent Bit and the load-balancer controller");
        for (const role of roles) {
          for (const s of trustOf(role)) {
            const c = s.Condition?.StringEquals ?? {};
            assert.equal(c["aws:SourceAccount"], accountOf(e), role.name);
            assert.equal(c["aws:RequestTag/eks-cluster-name"], e.outputs.clusterName.value, role.name);
            assert.ok(c["aws:RequestTag/kubernetes-namespace"], role.name);
            assert.ok(c["aws:RequestTag/kubernetes-service-account"], role.name);
          }
        }
        // Each association's ServiceAccount is the one its role trusts.
        for (const a of associations) {
          const inputs = a.inputs as any;
          const role = roles.find((r) => inputs.roleArn.endsWith(`/${r.name}`));
          assert.ok(role, a.name);
          const c = trustOf(role).find((s) => s.Condition)!.Condition.StringEquals;
          assert.deepEqual(
            [c["aws:RequestTag/kubernetes-namespace"], c["aws:RequestTag/kubernetes-service-account"]],
            [inputs.namespace, inputs.serviceAccount],
          );
        }
      });

      it("the flow-log role trusts only this account's flow logs", async function () {
        const e = await stackOf(stack);
        if (!effective(e).network.flowLogs.enabled) this.skip();
        const role = ofType(e, ROLE).find((r) =>
          trustOf(r).some((s) => s.Principal?.Service === "vpc-flow-logs.amazonaws.com"),
        )!;
        const [s] = trustOf(role);
        assert.deepEqual(s.Condition, {
          StringEquals: { "aws:SourceAccount": accountOf(e) },
          ArnLike: { "aws:SourceArn": `arn:aws:ec2:*:${accountOf(e)}:vpc-flow-log/*` },
        });
      });

      it("protects and retains prod's log groups (control plane, containers, flow logs) only in prod", async () => {
        const e = await stackOf(stack);
        const groups = ofType(e, "aws:cloudwatch/logGroup:LogGroup");
        const expected = effective(e).network.flowLogs.enabled ? 3 : 2;
        assert.equal(groups.length, expected);
        for (const g of groups)
          assert.deepEqual([g.protect, g.retainOnDelete], [stack === "prod", stack === "prod"], g.name);
      });

      it("hands the Kubernetes provider its kubeconfig as a secret", async () => {
        const e = await stackOf(stack);
        const provider = one(e, "pulumi:providers:kubernetes");
        const kubeconfig = provider.inputs.kubeconfig as Record<string, unknown>;
        assert.ok(
          kubeconfig && typeof kubeconfig === "object" && SECRET in kubeconfig,
          "kubeconfig is secret",
        );
      });

      it("lets Grafana read ConfigMaps of its own namespace only: no ClusterRole, no Secrets", async () => {
        const e = await stackOf(stack);
        const grafana = one(e, "kubernetes:helm.sh/v3:Release", "grafana");
        const v = (grafana.inputs as any).values;
        assert.deepEqual(v.rbac, { create: true, namespaced: true, useExistingRole: CONFIGMAP_READER });
        for (const sidecar of ["dashboards", "datasources"]) {
          assert.equal(v.sidecar[sidecar].resource, "configmap", sidecar);
          assert.equal(v.sidecar[sidecar].searchNamespace, undefined, `${sidecar}: own namespace only`);
        }
        const role = one(e, "kubernetes:rbac.authorization.k8s.io/v1:Role", "grafana-configmap-reader");
        const inputs = role.inputs as any;
        assert.equal(inputs.metadata.name, CONFIGMAP_READER);
        assert.equal(inputs.metadata.namespace, grafana.inputs.namespace);
        assert.deepEqual(inputs.rules, [
          { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
        ]);
        assert.ok(grafana.dependsOn.includes(role.urn));
        // CloudNativePG's dashboard goes where the sidecar looks.
        const cnpg = one(e, "kubernetes:helm.sh/v3:Release", "cloudnative-pg");
        assert.equal(
          (cnpg.inputs as any).values.monitoring.grafanaDashboard.namespace,
          grafana.inputs.namespace,
        );
        assert.equal(v.serviceAccount.automountServiceAccountToken, false);
      });
    });
  }

  it("prod refuses an internet-facing Grafana", () => {
    assert.deepEqual(
      problemsWith("prod", "grafana", (g) => (g.scheme = "internet-facing")),
      [
        'Pulumi.prod.yaml: platform:grafana.scheme: found "internet-facing"; allowed in prod: internal (Grafana is never internet-facing)',
      ],
    );
    assert.deepEqual(
      problemsWith("uat", "grafana", (g) => (g.scheme = "internet-facing")),
      [],
    );
  });
});

describe("security: the edge", () => {
  for (const stack of ENVIRONMENTS) {
    it(`${stack}: TLS 1.2+, client CIDRs from config (closed to the world outside prod), WAF in prod`, async () => {
      const e = await stackOf(stack);
      const cfg = effective(e).service.ingress;
      const v = (one(e, "kubernetes:helm.sh/v3:Release", "go-service").inputs as any).values.ingress;
      assert.ok((TLS_POLICIES as readonly string[]).includes(v.sslPolicy), v.sslPolicy);
      assert.deepEqual(v.inboundCidrs, cfg.inboundCidrs);
      if (stack !== "prod")
        assert.ok(!v.inboundCidrs.includes("0.0.0.0/0"), "non-prod is not open to the world");
      const acls = ofType(e, "aws:wafv2/webAcl:WebAcl");
      if (stack === "prod") {
        assert.equal(acls.length, 1);
        const acl = acls[0].inputs as any;
        assert.equal(acl.scope, "REGIONAL");
        assert.deepEqual(acl.defaultAction, { allow: {} });
        assert.deepEqual(
          acl.rules.map((r: any) => [r.statement.managedRuleGroupStatement.vendorName, r.overrideAction]),
          MANAGED_RULE_GROUPS.map(() => ["AWS", { none: {} }]),
        );
        // The ACL's own ARN (its id is the mock's), in this stack's account and region.
        assert.match(
          v.wafv2AclArn,
          new RegExp(
            `^arn:aws:wafv2:${regionOf(e)}:${accountOf(e)}:regional/webacl/${acls[0].name}/[0-9a-f]{8}$`,
          ),
        );
      } else {
        assert.equal(acls.length, 0);
        assert.equal(v.wafv2AclArn, "");
      }
      const grafana = (one(e, "kubernetes:helm.sh/v3:Release", "grafana").inputs as any).values.ingress;
      if (grafana.enabled)
        assert.equal(grafana.annotations["alb.ingress.kubernetes.io/ssl-policy"], DEFAULT_TLS_POLICY);
    });
  }

  it("refuses a TLS 1.0 policy, an empty client list, and a prod internet-facing ALB without WAF", () => {
    assert.match(
      problemsWith(
        "alpha",
        "service",
        (s) => (s.ingress = { ...s.ingress, sslPolicy: "ELBSecurityPolicy-2016-08" }),
      ).join("\n"),
      /platform:service\.ingress\.sslPolicy: .*allowed: a TLS 1\.2\+ policy/,
    );
    assert.match(
      problemsWith("beta", "service", (s) => (s.ingress = { ...s.ingress, inboundCidrs: [] })).join("\n"),
      /platform:service\.ingress\.inboundCidrs: .*at least one CIDR/,
    );
    assert.deepEqual(
      problemsWith("prod", "service", (s) => (s.ingress.waf = false)),
      [
        "Pulumi.prod.yaml: platform:service.ingress.waf: found false; allowed in prod: true for an internet-facing ALB (a WAFv2 web ACL with AWS managed rules)",
      ],
    );
    assert.deepEqual(
      problemsWith("prod", "service", (s) => {
        s.ingress.waf = false;
        s.ingress.scheme = "internal";
      }),
      [],
    );
  });
});

describe("security: plan diff", () => {
  it("shows a resource moving to another provider (a replacement) as a change", async () => {
    const before = await stackOf("alpha");
    const moved = before.resources.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
    const after = {
      ...before,
      resources: before.resources.map((r) =>
        r === moved ? { ...r, provider: "urn:pulumi:alpha::platform::pulumi:providers:aws::other::id-1" } : r,
      ),
    };
    const diff = diffEvaluations(before, after);
    assert.deepEqual(
      diff.changed.map((c) => [c.resource.name, c.changes.map((x) => [x.path, x.after])]),
      [[moved.name, [["(provider)", "urn:pulumi:alpha::platform::pulumi:providers:aws::other"]]]],
    );
  });
});

describe("security: prod API endpoint allow-list", () => {
  const cases: [string[], RegExp | null][] = [
    [["0.0.0.0/1", "128.0.0.0/1"], /0\.0\.0\.0\/1 is wider than \/16/],
    [["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"], /64\.0\.0\.0\/2 is wider than \/16/],
    [["1.0.0.0/8"], /1\.0\.0\.0\/8 is wider than \/16/],
    [["0.0.0.0/0"], /0\.0\.0\.0\/0 is wider than \/16/],
    // Five /16s: each narrow enough, together too much.
    [
      ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16", "10.5.0.0/16"],
      /the list covers 327680 addresses/,
    ],
    [["203.0.113.0/24", "198.51.100.7/32"], null],
    // Overlaps count once: four /16s listed twice are still four /16s.
    [["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16", "10.1.128.0/17", "10.2.128.0/17"], null],
  ];
  for (const [cidrs, expected] of cases) {
    it(`${expected ? "rejects" : "accepts"} ${cidrs.join(" + ")}`, () => {
      const problems = problemsWith("prod", "cluster", (c) => (c.publicAccessCidrs = cidrs));
      if (!expected) return assert.deepEqual(problems, []);
      assert.ok(
        problems.some(
          (p) => p.startsWith("Pulumi.prod.yaml: platform:cluster.publicAccessCidrs:") && expected.test(p),
        ),
        problems.join("\n"),
      );
    });
  }

  it("does not apply outside prod, nor with the public endpoint off", () => {
    assert.deepEqual(
      problemsWith("uat", "cluster", (c) => (c.publicAccessCidrs = ["0.0.0.0/1"])),
      [],
    );
    assert.deepEqual(
      problemsWith("prod", "cluster", (c) => {
        c.endpointPublicAccess = false;
        c.publicAccessCidrs = ["0.0.0.0/0"];
      }),
      [],
    );
  });

  it("counts overlapping ranges once and the whole IPv4 space exactly", () => {
    assert.equal(cidrCoverage(["10.0.0.0/24", "10.0.0.128/25", "10.0.1.0/24"]), 512);
    assert.equal(cidrCoverage(["0.0.0.0/1", "128.0.0.0/1"]), 2 ** 32);
  });
});
