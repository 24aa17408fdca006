import { z } from "zod";

const EXAMPLE = "allowed: an https URL such as https://api.example.com";

/**
 * The service's public URL: https, a DNS name within RFC 1035's size limits (§2.3.4: labels ≤ 63 octets, names
 * ≤ 255, so ≤ 253 characters written out), no credentials, no path. One message per problem, never a bare
 * "Invalid URL" from the URL parser.
 */
export const appUrl = z.string("expected a string").superRefine((raw, ctx) => {
  const add = (message: string) => ctx.addIssue({ code: "custom", message });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return add(EXAMPLE);
  }
  if (url.protocol !== "https:") return add(EXAMPLE);
  if (url.username || url.password)
    return add(`${EXAMPLE}, without user-info (credentials do not belong in a URL)`);
  const host = url.hostname;
  if (host.length > 253 || host.split(".").some((label) => label.length > 63))
    return add(`${EXAMPLE}: a host name of at most 253 characters, each label at most 63`);
  if (!z.regexes.domain.test(host) || url.port) return add(`${EXAMPLE}: a DNS name, no IP address or port`);
  if (url.pathname !== "/" || url.search || url.hash)
    add("allowed: a URL without a path (the Ingress serves the whole host)");
});
