import { z } from "zod";
// TLS 1.2+ ALB security policies: defined once in the policy pack (published on its own, so it cannot import the
// program), with their AWS reference.
import { TLS_POLICIES } from "../policy/rules/edge";

export { TLS_POLICIES };
export const DEFAULT_TLS_POLICY = TLS_POLICIES[0];

export const tlsPolicy = z.enum(
  TLS_POLICIES,
  `allowed: a TLS 1.2+ policy, one of ${TLS_POLICIES.join(", ")}`,
);

/** Who may reach the load balancer: IPv4 CIDRs (the ALBs are IPv4-only); 0.0.0.0/0 only where it is meant. */
export const inboundCidrs = z
  .array(z.cidrv4({ message: "allowed: an IPv4 CIDR such as 203.0.113.0/24" }))
  .min(1, "allowed: at least one CIDR (an empty list would mean the whole internet)");
