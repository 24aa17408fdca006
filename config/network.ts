import * as ipaddr from "ipaddr.js";
import { z } from "zod";

// CIDR arithmetic by ipaddr.js; zod checks the syntax first, so every rule here sees a well-formed IPv4 CIDR.
const parse = (c: string) => ipaddr.IPv4.parseCIDR(c);

/** The network address of a CIDR: 10.0.0.0/16 for 10.0.0.1/16. */
export const networkOf = (c: string) => `${ipaddr.IPv4.networkAddressFromCIDR(c).toString()}/${parse(c)[1]}`;

/** `inner` lies wholly inside `outer`. */
export function within(inner: string, outer: string): boolean {
  const [ni, pi] = parse(networkOf(inner));
  const [no, po] = parse(networkOf(outer));
  return pi >= po && ni.match(no, po);
}

export const overlaps = (a: string, b: string) => within(a, b) || within(b, a);

/** RFC 1918 §3: the address blocks reserved for private internets (https://www.rfc-editor.org/rfc/rfc1918#section-3). */
export const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/**
 * The Kubernetes service range EKS picks when a cluster sets none (this program sets none; EKS accepts one only at
 * creation): "either the 10.100.0.0/16 or 172.20.0.0/16 CIDR blocks" (@pulumi/eks 4.3.0 ClusterOptions
 * .kubernetesServiceIpAddressRange, @pulumi/aws 7.48.0 eks.Cluster kubernetesNetworkConfig.serviceIpv4Cidr). Which one
 * is not in our hands, so a VPC must overlap neither, or service IPs shadow VPC (and peered) addresses.
 */
export const EKS_DEFAULT_SERVICE_RANGES = ["10.100.0.0/16", "172.20.0.0/16"] as const;

const hostBits = (c: string, ctx: z.RefinementCtx) => {
  if (networkOf(c) === c) return false;
  ctx.addIssue({
    code: "custom",
    message: `allowed: a network address without host bits, such as ${networkOf(c)}`,
  });
  return true;
};

/** A VPC range: /16 to /18, inside RFC 1918, clear of the EKS service ranges, no host bits (EC2 CreateVpc). */
export const vpcCidr = z
  .cidrv4({ message: "allowed: an IPv4 CIDR with a /16 to /18 prefix, such as 10.0.0.0/16", abort: true })
  .superRefine((c, ctx) => {
    const add = (message: string) => ctx.addIssue({ code: "custom", message });
    const prefix = parse(c)[1];
    if (prefix < 16 || prefix > 18)
      return add("allowed: a /16 to /18 prefix (room for a private subnet per zone)");
    if (hostBits(c, ctx)) return;
    if (!RFC1918.some((block) => within(c, block)))
      return add(`allowed: a private range inside ${RFC1918.join(", ")} (RFC 1918)`);
    const clash = EKS_DEFAULT_SERVICE_RANGES.find((r) => overlaps(c, r));
    if (clash)
      add(
        `allowed: a range clear of ${EKS_DEFAULT_SERVICE_RANGES.join(" and ")}, the Kubernetes service ranges EKS picks from (${clash} overlaps)`,
      );
  });

/** Allow-list entries (EKS publicAccessCidrs): network addresses, each listed once. */
export const cidrList = z
  .array(
    z
      .cidrv4({ message: "allowed: an IPv4 CIDR such as 203.0.113.0/24", abort: true })
      .superRefine((c, ctx) => void hostBits(c, ctx)),
  )
  .superRefine((list, ctx) => {
    list.forEach((c, i) => {
      if (list.indexOf(c) !== i)
        ctx.addIssue({ code: "custom", path: [i], message: "allowed: each CIDR once (a duplicate)" });
    });
  });

/** Entries another entry already covers: legal, but a sign the list is not what its author thinks. */
export const coveredEntries = (list: string[]) =>
  list.filter((c, i) => list.some((o, j) => j !== i && o !== c && within(c, o)));
