import { diffViolations, violationLine } from "./policy-report";
import { isSecret, nameOf, show } from "./summary";
import type { Evaluation, PolicyViolation, RecordedResource } from "./types";

export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

export interface StackDiff {
  config: Change[];
  added: RecordedResource[];
  removed: RecordedResource[];
  changed: { resource: RecordedResource; changes: Change[] }[];
  /** Resources whose URN changed but whose `aliases` name the old one: the engine updates them in place. */
  renamed: { from: RecordedResource; resource: RecordedResource; changes: Change[] }[];
  outputs: Change[];
  /** CrossGuard violations the change adds and removes. */
  violations: { added: PolicyViolation[]; removed: PolicyViolation[] };
  /** How many differences in all: 0 means "No changes". */
  total: number;
}

const ABSENT = Symbol("absent");

/** Leaf values by dotted path. Secrets and lists of scalars are leaves; a secret keeps its value for comparison. */
function flatten(v: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  const scalarList = Array.isArray(v) && v.every((x) => x === null || typeof x !== "object");
  if (v !== null && typeof v === "object" && !isSecret(v) && !scalarList) {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    if (entries.length === 0) out.set(prefix, v);
    for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, v);
  return out;
}

export function changes(before: unknown, after: unknown): Change[] {
  const a = flatten(before);
  const b = flatten(after);
  const out: Change[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const x = a.has(path) ? a.get(path) : ABSENT;
    const y = b.has(path) ? b.get(path) : ABSENT;
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ path, before: x, after: y });
  }
  return out.sort((p, q) => p.path.localeCompare(q.path));
}

/** The provider reference without its ID ("urn::id"): the URN names the provider; the ID is only its instance. */
const providerUrn = (r: RecordedResource) => r.provider?.split("::").slice(0, -1).join("::") || undefined;

// A different provider (another account, region or cluster) replaces the resource: reviewers must see it.
const compared = (r: RecordedResource) => ({
  ...r.inputs,
  "(protect)": r.protect,
  "(provider)": providerUrn(r),
});

/**
 * Old resources the new ones take over through their aliases. Like the engine (step_generator.go), a resource
 * keeps its own URN if that existed, else takes the first alias naming an old resource nobody else claimed.
 */
function matchAliases(old: Map<string, RecordedResource>, now: Map<string, RecordedResource>) {
  const claimed = new Map<string, RecordedResource>();
  for (const [urn, r] of now) {
    if (old.has(urn)) continue;
    const from = r.aliases?.find((a) => old.has(a) && !now.has(a) && !claimed.has(a));
    if (from) claimed.set(from, r);
  }
  return claimed;
}

export function diffEvaluations(before: Evaluation, after: Evaluation): StackDiff {
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  const now = new Map(after.resources.map((r) => [r.urn, r]));
  const changed: StackDiff["changed"] = [];
  for (const [urn, r] of now) {
    const o = old.get(urn);
    if (!o) continue;
    const c = changes(compared(o), compared(r));
    if (c.length > 0) changed.push({ resource: r, changes: c });
  }
  const claimed = matchAliases(old, now);
  const renamed = [...claimed].map(([urn, r]) => {
    const from = old.get(urn) as RecordedResource;
    return { from, resource: r, changes: changes(compared(from), compared(r)) };
  });
  const renamedTo = new Set(renamed.map((x) => x.resource.urn));
  const outputValues = (e: Evaluation) =>
    Object.fromEntries(
      Object.entries(e.outputs).map(([k, o]) => [k, o.secret ? { "[secret]": o.value } : o.value]),
    );
  const d = {
    config: changes(before.effective ?? {}, after.effective ?? {}),
    added: after.resources.filter((r) => !old.has(r.urn) && !renamedTo.has(r.urn)),
    removed: before.resources.filter((r) => !now.has(r.urn) && !claimed.has(r.urn)),
    changed,
    renamed,
    outputs: changes(outputValues(before), outputValues(after)),
    violations: diffViolations(before.violations ?? [], after.violations ?? []),
  };
  const total =
    d.config.length +
    d.added.length +
    d.removed.length +
    d.changed.length +
    d.renamed.length +
    d.outputs.length +
    d.violations.added.length +
    d.violations.removed.length;
  return { ...d, total };
}

/** One side of a change for reviewers; secrets are never shown, only that they changed. */
function side(v: unknown): string {
  if (v === ABSENT) return "(none)";
  return `\`${show(v)}\``;
}

function line(c: Change): string {
  if (isSecret(c.before) || isSecret(c.after)) return `- \`${c.path}\`: [secret] changed`;
  return `- \`${c.path}\`: ${side(c.before)} → ${side(c.after)}`;
}

export function renderDiff(stack: string, ref: string, d: StackDiff): string {
  const out = [`### Stack \`${stack}\`: plan diff against \`${ref}\``, ""];
  if (d.total === 0) return [...out, "No changes."].join("\n");
  const { added, removed } = d.violations;
  if (added.length > 0)
    out.push("**Policy violations added**", "", ...added.map((v) => `- ${violationLine(v)}`), "");
  if (removed.length > 0)
    out.push("**Policy violations removed**", "", ...removed.map((v) => `- ${violationLine(v)}`), "");
  if (d.config.length > 0) out.push("**Configuration**", "", ...d.config.map(line), "");
  if (d.added.length > 0)
    out.push(
      "**Resources added**",
      "",
      ...d.added.map((r) => `- \`${r.type}\` ${r.name}${r.parent ? ` (in ${nameOf(r.parent)})` : ""}`),
      "",
    );
  if (d.removed.length > 0) {
    out.push(
      "**Resources removed**",
      "",
      ...d.removed.map(
        (r) => `- \`${r.type}\` ${r.name}${r.protect ? " — protected: `pulumi up` will refuse" : ""}`,
      ),
      "",
    );
  }
  if (d.changed.length > 0) {
    out.push("**Resources changed**", "");
    for (const { resource, changes: cs } of d.changed) {
      out.push(`- \`${resource.type}\` ${resource.name}`, ...cs.map((c) => `  ${line(c)}`));
    }
    out.push("");
  }
  if (d.renamed.length > 0) {
    out.push("**Resources renamed** (through `aliases`: kept, not replaced)", "");
    for (const { from, resource, changes: cs } of d.renamed) {
      const where = (r: RecordedResource) => `${r.name}${r.parent ? ` (in ${nameOf(r.parent)})` : ""}`;
      out.push(
        `- \`${resource.type}\` ${where(from)} → ${where(resource)}`,
        ...cs.map((c) => `  ${line(c)}`),
      );
    }
    out.push("");
  }
  if (d.outputs.length > 0) out.push("**Outputs**", "", ...d.outputs.map(line), "");
  return out.join("\n").trimEnd();
}
