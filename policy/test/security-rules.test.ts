import * as assert from "node:assert/strict";
import { albIngressSchemeAndTls, grafanaNotPublic } from "../rules/edge";
import { AWS_EKS_CLUSTER, eksApiEndpointCidrWidth } from "../rules/endpoint";
import { HELM_RELEASE } from "../rules/helm";
import { IAM_ROLE_POLICY, iamNoUnconditionedWildcardWrites } from "../rules/iam";
import { NETWORK_POLICY, helmWorkloadsHaveNetworkPolicy } from "../rules/network-policy";
import { UNKNOWN, runResourcePolicy, runStackPolicy } from "./util";

const A = "alb.ingress.kubernetes.io/";
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const rolePolicy = (policy: unknown) => ({
  type: IAM_ROLE_POLICY,
  name: "controller",
  props: { role: "r", policy },
});

describe("policy: security", () => {
  describe("iam-no-unconditioned-wildcard-writes", () => {
    it("flags a write on * without a Condition (upstream's listener statement)", async () => {
      const [msg] = await runResourcePolicy(
        iamNoUnconditionedWildcardWrites,
        rolePolicy(
          doc({
            Effect: "Allow",
            Action: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DescribeListeners"],
            Resource: "*",
          }),
        ),
      );
      assert.match(msg, /allows elasticloadbalancing:CreateListener on Resource "\*" without a Condition/);
      assert.doesNotMatch(msg, /DescribeListeners/);
    });
    it("flags a service wildcard action", async () => {
      const msgs = await runResourcePolicy(
        iamNoUnconditionedWildcardWrites,
        rolePolicy({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: ["*"] }] }),
      );
      assert.equal(msgs.length, 1);
    });
    it("accepts reads on *, conditioned writes, and writes on named resources", async () => {
      const ok = doc(
        { Effect: "Allow", Action: ["ec2:DescribeVpcs", "acm:ListCertificates"], Resource: "*" },
        {
          Effect: "Allow",
          Action: ["elasticloadbalancing:DeleteLoadBalancer"],
          Resource: "*",
          Condition: { StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "platform-prod" } },
        },
        {
          Effect: "Allow",
          Action: ["logs:PutLogEvents"],
          Resource: "arn:aws:logs:us-east-1:1:log-group:x:*",
        },
        { Effect: "Deny", Action: "*", Resource: "*" },
      );
      assert.deepEqual(await runResourcePolicy(iamNoUnconditionedWildcardWrites, rolePolicy(ok)), []);
      assert.deepEqual(await runResourcePolicy(iamNoUnconditionedWildcardWrites, rolePolicy(UNKNOWN)), []);
    });
  });

  describe("eks-api-endpoint-cidr-width", () => {
    const cluster = (vpcConfig: Record<string, unknown>, stack = "prod") => ({
      type: AWS_EKS_CLUSTER,
      name: "platform-prod",
      stack,
      props: { vpcConfig: { endpointPrivateAccess: true, ...vpcConfig } },
    });
    for (const cidrs of [["0.0.0.0/1", "128.0.0.0/1"], ["1.0.0.0/8"], [], undefined]) {
      it(`flags ${JSON.stringify(cidrs)} in prod`, async () => {
        const [msg] = await runResourcePolicy(
          eksApiEndpointCidrWidth,
          cluster({ endpointPublicAccess: true, publicAccessCidrs: cidrs }),
        );
        assert.match(msg, /opens the API endpoint too wide in prod/);
      });
    }
    it("accepts narrow ranges in prod, a private endpoint, and any list outside prod", async () => {
      const narrow = cluster({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
      assert.deepEqual(await runResourcePolicy(eksApiEndpointCidrWidth, narrow), []);
      const closed = cluster({ endpointPublicAccess: false, publicAccessCidrs: ["0.0.0.0/0"] });
      assert.deepEqual(await runResourcePolicy(eksApiEndpointCidrWidth, closed), []);
      const alpha = cluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }, "alpha");
      assert.deepEqual(await runResourcePolicy(eksApiEndpointCidrWidth, alpha), []);
    });
  });

  const release = (values: Record<string, unknown>, stack = "alpha", chart = "./charts/go-service") => ({
    type: HELM_RELEASE,
    name: chart === "grafana" ? "grafana" : "go-service",
    stack,
    props: { chart, version: "1.0.0", namespace: "apps", values },
  });
  const service = (ingress: Record<string, unknown>, stack = "alpha") =>
    release({ ingress: { enabled: true, scheme: "internet-facing", ...ingress } }, stack);

  describe("alb-ingress-scheme-and-tls", () => {
    it("flags a missing or TLS 1.0 policy", async () => {
      const [missing] = await runResourcePolicy(
        albIngressSchemeAndTls,
        service({ inboundCidrs: ["203.0.113.0/24"] }),
      );
      assert.match(missing, /sets no ssl-policy.*ELBSecurityPolicy-2016-08/);
      const [legacy] = await runResourcePolicy(
        albIngressSchemeAndTls,
        release({
          ingress: { enabled: true, annotations: { [`${A}ssl-policy`]: "ELBSecurityPolicy-2016-08" } },
        }),
      );
      assert.match(legacy, /allows TLS below 1\.2/);
    });
    it("flags an internet-facing ALB open to the world outside prod, and one without WAF in prod", async () => {
      const tls = { sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" };
      const [open] = await runResourcePolicy(
        albIngressSchemeAndTls,
        service({ ...tls, inboundCidrs: ["0.0.0.0/0"] }),
      );
      assert.match(open, /open to the whole internet outside prod/);
      const [implicit] = await runResourcePolicy(albIngressSchemeAndTls, service(tls));
      assert.match(implicit, /admits 0\.0\.0\.0\/0 by default/);
      const [noWaf] = await runResourcePolicy(
        albIngressSchemeAndTls,
        service({ ...tls, inboundCidrs: ["0.0.0.0/0"] }, "prod"),
      );
      assert.match(noWaf, /in prod without a WAF/);
    });
    it("accepts TLS 1.2+, named clients, and a public prod ALB behind a WAF", async () => {
      const tls = { sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" };
      assert.deepEqual(
        await runResourcePolicy(
          albIngressSchemeAndTls,
          service({ ...tls, inboundCidrs: ["203.0.113.0/24"] }),
        ),
        [],
      );
      const acl = "arn:aws:wafv2:us-east-1:444455556666:regional/webacl/edge/1";
      assert.deepEqual(
        await runResourcePolicy(
          albIngressSchemeAndTls,
          service({ ...tls, inboundCidrs: ["0.0.0.0/0"], wafv2AclArn: acl }, "prod"),
        ),
        [],
      );
      assert.deepEqual(
        await runResourcePolicy(albIngressSchemeAndTls, release({ ingress: { enabled: false } })),
        [],
      );
    });
  });

  describe("grafana-not-public", () => {
    const grafana = (values: Record<string, unknown>, stack = "prod") => release(values, stack, "grafana");
    const ingress = (annotations: Record<string, string>) => ({ ingress: { enabled: true, annotations } });
    it("flags an internet-facing Grafana in prod, or open to the world anywhere, and a LoadBalancer Service", async () => {
      const [prod] = await runResourcePolicy(
        grafanaNotPublic,
        grafana(ingress({ [`${A}scheme`]: "internet-facing" })),
      );
      assert.match(prod, /internet-facing ALB in prod/);
      const [uat] = await runResourcePolicy(
        grafanaNotPublic,
        grafana(ingress({ [`${A}scheme`]: "internet-facing" }), "uat"),
      );
      assert.match(uat, /open to the world/);
      const [lb] = await runResourcePolicy(grafanaNotPublic, grafana({ service: { type: "LoadBalancer" } }));
      assert.match(lb, /as a LoadBalancer Service/);
    });
    it("accepts an internal Grafana, and ignores other charts", async () => {
      assert.deepEqual(
        await runResourcePolicy(grafanaNotPublic, grafana(ingress({ [`${A}scheme`]: "internal" }))),
        [],
      );
      assert.deepEqual(
        await runResourcePolicy(grafanaNotPublic, service({ scheme: "internet-facing" }, "prod")),
        [],
      );
    });
  });

  describe("helm-workloads-have-network-policy", () => {
    const rel = (name: string, chart: string, namespace: string, values: Record<string, unknown> = {}) => ({
      type: HELM_RELEASE,
      name,
      props: { chart, version: "1.0.0", namespace, values },
    });
    const policy = (namespace: string) => ({
      type: NETWORK_POLICY,
      name: `${namespace}-default-deny`,
      props: { metadata: { name: "default-deny-ingress", namespace }, spec: { podSelector: {} } },
    });
    it("flags a workload release in a namespace without a NetworkPolicy", async () => {
      const msgs = await runStackPolicy(helmWorkloadsHaveNetworkPolicy, [
        rel("fluent-bit", "fluent-bit", "logging"),
        policy("monitoring"),
      ]);
      assert.deepEqual(msgs.length, 1);
      assert.match(msgs[0], /"fluent-bit" runs pods in namespace "logging", which has no NetworkPolicy/);
    });
    it("accepts a covered namespace, a chart's own policy, and CRD-only releases", async () => {
      assert.deepEqual(
        await runStackPolicy(helmWorkloadsHaveNetworkPolicy, [
          rel("grafana", "grafana", "monitoring"),
          policy("monitoring"),
          rel("go-service", "./charts/go-service", "apps", { networkPolicy: { enabled: true } }),
          rel("prometheus-operator-crds", "prometheus-operator-crds", "crds"),
        ]),
        [],
      );
    });
  });
});
