import { Address4 } from "ip-address";

/**
 * Width limits for the prod API endpoint allow-list. An office, VPN or CI range is a /24 or narrower; a /16 is the
 * widest prefix accepted, and the union of all entries may cover at most four /16s, so splitting the internet into
 * halves (0.0.0.0/1 + 128.0.0.0/1), quarters or a /8 never passes as an allow-list.
 */
export const PROD_MIN_PREFIX = 16;
export const PROD_MAX_ADDRESSES = 4 * 2 ** 16;

/** Addresses covered by the union of IPv4 CIDRs (overlaps counted once). Throws on an entry that is not a CIDR. */
export function cidrCoverage(cidrs: string[]): number {
  const ranges = cidrs
    .map((c) => {
      const a = new Address4(c);
      return [a.startAddress().bigInt(), a.endAddress().bigInt()] as const;
    })
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  let total = 0n;
  let end = -1n;
  for (const [from, to] of ranges) {
    if (to <= end) continue;
    total += to - (from > end ? from : end + 1n) + 1n;
    end = to;
  }
  return Number(total);
}

/** Problems with a prod allow-list: entries wider than PROD_MIN_PREFIX, then a total beyond PROD_MAX_ADDRESSES. */
export function prodAllowListProblems(cidrs: string[]): string[] {
  const wide = cidrs.filter((c) => new Address4(c).subnetMask < PROD_MIN_PREFIX);
  const problems = wide.map((c) => `${c} is wider than /${PROD_MIN_PREFIX}`);
  const covered = cidrCoverage(cidrs);
  if (covered > PROD_MAX_ADDRESSES) problems.push(`the list covers ${covered} addresses`);
  return problems;
}
