import { nameOf } from "./summary";
import type { PolicyViolation } from "./types";

const order = (v: PolicyViolation) => (v.enforcementLevel === "mandatory" ? 0 : 1);

/** One line per violation, mandatory ones first: what `pulumi preview` with the pack would report. */
export const violationLine = (v: PolicyViolation) =>
  `${v.enforcementLevel === "mandatory" ? "✖ mandatory" : "⚠ advisory"} ${v.policy}` +
  `${v.urn ? ` (${nameOf(v.urn)})` : ""}: ${v.message.replace(/\s+/g, " ").trim()}`;

export const sortViolations = (vs: PolicyViolation[]) =>
  [...vs].sort((a, b) => order(a) - order(b) || a.policy.localeCompare(b.policy));

export function renderViolations(vs: PolicyViolation[]): string {
  if (vs.length === 0) return "No violations: the CrossGuard pack (policy/) passes.";
  const mandatory = vs.filter((v) => v.enforcementLevel === "mandatory").length;
  return [
    `${mandatory} mandatory (\`pulumi up\` will refuse), ${vs.length - mandatory} advisory:`,
    ...sortViolations(vs).map((v) => `- ${violationLine(v)}`),
  ].join("\n");
}

/** Violations the change adds and removes, compared by rule, resource and message. */
export function diffViolations(before: PolicyViolation[], after: PolicyViolation[]) {
  const keys = (vs: PolicyViolation[]) => new Set(vs.map(violationLine));
  const [b, a] = [keys(before), keys(after)];
  return {
    added: sortViolations(after).filter((v) => !b.has(violationLine(v))),
    removed: sortViolations(before).filter((v) => !a.has(violationLine(v))),
  };
}
