import * as ipaddr from "ipaddr.js";

// The one definition of these limits: the pack is published on its own and cannot import the program, so the
// program's config model (config/cidr.ts) imports them from here.

/**
 * Width limits for the prod API endpoint allow-list. An office, VPN or CI range is a /24 or narrower; a /16 is the
 * widest prefix accepted, and the union of all entries may cover at most four /16s, so splitting the internet into
 * halves (0.0.0.0/1 + 128.0.0.0/1), quarters or a /8 never passes as an allow-list.
 */
export const PROD_MIN_PREFIX = 16;
export const PROD_MAX_ADDRESSES = 4 * 2 ** 16;

/** An IPv4 address as an integer (exact in a double: at most 2^32). */
const toNumber = (a: ipaddr.IPv4) => a.toByteArray().reduce((n, byte) => n * 256 + byte, 0);

/** Addresses covered by the union of IPv4 CIDRs (overlaps counted once). Throws on an entry that is not a CIDR. */
export function cidrCoverage(cidrs: string[]): number {
  const ranges = cidrs
    .map((c) => [
      toNumber(ipaddr.IPv4.networkAddressFromCIDR(c)),
      toNumber(ipaddr.IPv4.broadcastAddressFromCIDR(c)),
    ])
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -1;
  for (const [from, to] of ranges) {
    if (to <= end) continue;
    total += to - Math.max(from, end + 1) + 1;
    end = to;
  }
  return total;
}

/** Problems with a prod allow-list: entries wider than PROD_MIN_PREFIX, then a total beyond PROD_MAX_ADDRESSES. */
export function prodAllowListProblems(cidrs: string[]): string[] {
  const wide = cidrs.filter((c) => ipaddr.IPv4.parseCIDR(c)[1] < PROD_MIN_PREFIX);
  const problems = wide.map((c) => `${c} is wider than /${PROD_MIN_PREFIX}`);
  const covered = cidrCoverage(cidrs);
  if (covered > PROD_MAX_ADDRESSES) problems.push(`the list covers ${covered} addresses`);
  return problems;
}
