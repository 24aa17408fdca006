import { z } from "zod";

/**
 * ALB security policies that negotiate TLS 1.2 or 1.3 only, from the Elastic Load Balancing User Guide, "Security
 * policies for your Application Load Balancer" (docs.aws.amazon.com/elasticloadbalancing/latest/application/
 * describe-ssl-policies.html). The default is the one AWS recommends: TLS 1.3 and 1.2 with forward secrecy.
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
export const DEFAULT_TLS_POLICY = TLS_POLICIES[0];

export const tlsPolicy = z.enum(
  TLS_POLICIES,
  `allowed: a TLS 1.2+ policy, one of ${TLS_POLICIES.join(", ")}`,
);

/** Who may reach the load balancer: IPv4 CIDRs (the ALBs are IPv4-only); 0.0.0.0/0 only where it is meant. */
export const inboundCidrs = z
  .array(z.cidrv4({ message: "allowed: an IPv4 CIDR such as 203.0.113.0/24" }))
  .min(1, "allowed: at least one CIDR (an empty list would mean the whole internet)");
