import {
  DEFAULT_DURATION_SECONDS,
  DURATION_SECONDS,
  HELM_DEFAULT_TIMEOUT_SECONDS,
} from "../../estimates/durations";
import type { RecordedResource } from "./types";

const RELEASE = "kubernetes:helm.sh/v3:Release";

export function durationOf(r: RecordedResource): number {
  if (r.type === RELEASE) return Number(r.inputs.timeout ?? HELM_DEFAULT_TIMEOUT_SECONDS);
  if (!r.custom && !r.remote) return 0;
  if (r.type.startsWith("pulumi:providers:")) return 0;
  return DURATION_SECONDS[r.type] ?? DEFAULT_DURATION_SECONDS;
}

export interface CriticalPath {
  seconds: number;
  /** The chain, first to last: each waits for the one before it. */
  chain: { resource: RecordedResource; seconds: number; finish: number }[];
  /** The floor: control plane + node group + the slowest release, which no ordering can beat. */
  floorSeconds: number;
}

/**
 * The longest chain of resources by their dependencies (explicit, through inputs, and through the provider that
 * talks to them). Waiting on a component means waiting on all of its children.
 */
export function criticalPath(resources: RecordedResource[]): CriticalPath {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, RecordedResource[]>();
  for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();

  const deps = (r: RecordedResource) => {
    const d = [...r.dependsOn];
    const provider = r.provider?.split("::").slice(0, -1).join("::");
    if (provider && byUrn.has(provider)) d.push(provider);
    return d.filter((u) => byUrn.has(u));
  };
  const visit = (urn: string, stack = new Set<string>()): number => {
    if (finish.has(urn)) return finish.get(urn)!;
    if (stack.has(urn)) return 0;
    stack.add(urn);
    const r = byUrn.get(urn)!;
    let start = 0;
    let before: string | undefined;
    for (const d of deps(r)) {
      const f = visit(d, stack);
      if (f > start) [start, before] = [f, d];
    }
    let end = start + durationOf(r);
    if (!r.custom && !r.remote) {
      for (const c of children.get(urn) ?? []) {
        const f = visit(c.urn, stack);
        if (f > end) [end, before] = [f, c.urn];
      }
    }
    stack.delete(urn);
    finish.set(urn, end);
    via.set(urn, before);
    return end;
  };
  for (const r of resources) visit(r.urn);

  let last = resources.reduce<string | undefined>(
    (a, r) => (a === undefined || finish.get(r.urn)! > finish.get(a)! ? r.urn : a),
    undefined,
  );
  const chain: CriticalPath["chain"] = [];
  while (last) {
    const r = byUrn.get(last)!;
    if (durationOf(r) > 0) chain.unshift({ resource: r, seconds: durationOf(r), finish: finish.get(last)! });
    last = via.get(last);
  }
  const longest = (type: string) => Math.max(0, ...resources.filter((r) => r.type === type).map(durationOf));
  return {
    seconds: chain.length > 0 ? chain[chain.length - 1].finish : 0,
    chain,
    floorSeconds: longest("eks:index:Cluster") + longest("eks:index:ManagedNodeGroup") + longest(RELEASE),
  };
}

export function renderCriticalPath(p: CriticalPath): string {
  const min = (s: number) => `${(s / 60).toFixed(1)} min`;
  const lines = p.chain.map(
    (c) =>
      `  ${min(c.finish - c.seconds).padStart(9)} → ${min(c.finish).padStart(9)}  ${c.resource.type} ${c.resource.name}`,
  );
  return [
    `Critical path: ${min(p.seconds)} (floor ${min(p.floorSeconds)}: control plane + node group + slowest release; ratio ${(p.seconds / p.floorSeconds).toFixed(2)})`,
    ...lines,
  ].join("\n");
}
