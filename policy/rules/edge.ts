import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes, isProdUrn, keysOf, label, peek, peekPath } from "./common";
import { HELM_RELEASE } from "./helm";

/**
 * ALB security policies that negotiate TLS 1.2 or 1.3 only, from the Elastic Load Balancing User Guide, "Security
 * policies for your Application Load Balancer" (docs.aws.amazon.com/elasticloadbalancing/latest/application/
 * describe-ssl-policies.html). The first is the default: the one AWS recommends, TLS 1.3 and 1.2 with forward secrecy.
 * The config model (config/edge.ts) imports this list.
 */
export const TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS-1-2-2017-01",
  "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
] as const;

const A = "alb.ingress.kubernetes.io/";

/**
 * The ALB Ingress a release's values describe, as controller annotations: a chart's `ingress.annotations` (the
 * grafana chart), with the go-service chart's structured keys (scheme, sslPolicy, inboundCidrs, wafv2AclArn) mapped
 * to the annotations its template writes. Undefined when the release has no enabled Ingress.
 */
export function albIngressOf(props: Record<string, unknown>): Record<string, unknown> | undefined {
  const ingress = peekPath(props, "values", "ingress");
  if (peek(ingress, "enabled") !== true) return undefined;
  const annotations: Record<string, unknown> = {};
  const given = peek(ingress, "annotations");
  for (const k of keysOf(given)) annotations[k] = peek(given, k);
  const structured: [string, string][] = [
    ["scheme", "scheme"],
    ["sslPolicy", "ssl-policy"],
    ["wafv2AclArn", "wafv2-acl-arn"],
  ];
  for (const [key, annotation] of structured) {
    const v = peek(ingress, key);
    if (typeof v === "string" && v !== "") annotations[A + annotation] = v;
  }
  const cidrs = peek(ingress, "inboundCidrs");
  if (Array.isArray(cidrs)) annotations[`${A}inbound-cidrs`] = cidrs.join(",");
  return annotations;
}

const cidrsOf = (a: Record<string, unknown>) =>
  typeof a[`${A}inbound-cidrs`] === "string"
    ? (a[`${A}inbound-cidrs`] as string).split(",").filter(Boolean)
    : [];

export const albIngressSchemeAndTls: ResourceValidationPolicy = {
  name: "alb-ingress-scheme-and-tls",
  description:
    "ALB Ingresses use a TLS 1.2+ security policy; internet-facing ones name their client CIDRs (never the world " +
    "outside prod) and, in prod, a WAFv2 web ACL.",
  severity: "high",
  validateResource: forTypes([HELM_RELEASE], (props, args, report) => {
    const a = albIngressOf(props);
    if (!a) return;
    const where = `${label(args.type, args.name)}'s Ingress`;
    const policy = a[`${A}ssl-policy`];
    if (typeof policy !== "string" || !(TLS_POLICIES as readonly string[]).includes(policy)) {
      report(
        `${where} ${policy ? `uses ${policy}, which allows TLS below 1.2` : "sets no ssl-policy, so the controller applies ELBSecurityPolicy-2016-08 (TLS 1.0)"}. ` +
          `Fix: set ${A}ssl-policy to a TLS 1.2+ policy such as ${TLS_POLICIES[0]}.`,
      );
    }
    // The controller's default scheme is internal.
    if (a[`${A}scheme`] !== "internet-facing") return;
    const cidrs = cidrsOf(a);
    const prod = isProdUrn(args.urn);
    if (cidrs.length === 0) {
      report(`${where} is internet-facing and admits 0.0.0.0/0 by default. Fix: set ${A}inbound-cidrs.`);
    } else if (!prod && cidrs.includes("0.0.0.0/0")) {
      report(
        `${where} is open to the whole internet outside prod. Fix: list the office/VPN ranges in inbound-cidrs.`,
      );
    }
    if (prod && !a[`${A}wafv2-acl-arn`]) {
      report(
        `${where} is internet-facing in prod without a WAF. Fix: set ${A}wafv2-acl-arn to a WAFv2 web ACL.`,
      );
    }
  }),
};

export const grafanaNotPublic: ResourceValidationPolicy = {
  name: "grafana-not-public",
  description: "Grafana is never internet-facing in prod, nor open to the world anywhere.",
  severity: "high",
  validateResource: forTypes([HELM_RELEASE], (props, args, report) => {
    if (peek(props, "chart") !== "grafana") args.notApplicable("Grafana releases only");
    const service = peekPath(props, "values", "service", "type");
    if (service === "LoadBalancer" || service === "NodePort") {
      report(
        `${label(args.type, args.name)} exposes Grafana as a ${service} Service. Fix: service.type: ClusterIP.`,
      );
    }
    const a = albIngressOf(props);
    if (!a || a[`${A}scheme`] !== "internet-facing") return;
    const cidrs = cidrsOf(a);
    if (isProdUrn(args.urn) || cidrs.length === 0 || cidrs.includes("0.0.0.0/0")) {
      report(
        `${label(args.type, args.name)} puts Grafana (its login and every dashboard) on an internet-facing ALB` +
          `${isProdUrn(args.urn) ? " in prod" : " open to the world"}. Fix: ${A}scheme: internal (reach it over the VPN).`,
      );
    }
  }),
};

export const edgePolicies = [albIngressSchemeAndTls, grafanaNotPublic];
