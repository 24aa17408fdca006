import type { RolloutSettings } from "../../config/rollout";
import type { StackDiff } from "./diff";
import type { Evaluation } from "./types";

const SERVICE_RELEASE = { type: "kubernetes:helm.sh/v3:Release", name: "go-service" };

/** How a new image of the Go service reaches users in this stack, in one line for reviewers. */
export function describeStrategy(r: RolloutSettings): string {
  const a = r.analysis;
  const analysed =
    `analysed every ${a.interval} (success rate ≥ ${a.minSuccessRate * 100}%, p99 ≤ ${a.maxP99LatencySeconds}s); ` +
    `a failed analysis aborts and traffic returns to the stable version; the deployment waits up to ` +
    `${r.timeoutMinutes} min for full promotion`;
  if (r.strategy === "canary")
    return `canary ${[...r.steps, 100].join(" → ")} % with ${r.pause} pauses, ${analysed}`;
  if (r.strategy === "blueGreen")
    return `blue-green: the preview runs ${r.pause} before promotion, ${analysed}`;
  return "rolling update of every pod (no analysis: a bad image is caught only by Helm's readiness wait)";
}

const rolloutOf = (e: Evaluation) =>
  (e.effective as { service?: { rollout?: RolloutSettings } } | undefined)?.service?.rollout;

/** The plan's release line: which strategy a new image would run with. */
export function planReleaseNote(e: Evaluation): string {
  const r = rolloutOf(e);
  return r ? `Release strategy: ${describeStrategy(r)}` : "Release strategy: (service disabled)";
}

/** For a plan diff that changes the service's image (a promotion): which strategy will run it. */
export function diffReleaseNote(after: Evaluation, d: StackDiff): string | undefined {
  const release = d.changed.find(
    (c) => c.resource.type === SERVICE_RELEASE.type && c.resource.name === SERVICE_RELEASE.name,
  );
  const r = rolloutOf(after);
  if (!release || !r || !release.changes.some((c) => c.path.startsWith("values.image."))) return undefined;
  return `**Release**: the new image rolls out by ${describeStrategy(r)}.`;
}
