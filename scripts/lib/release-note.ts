import type { RolloutSettings } from "../../config/rollout";
import type { StackDiff } from "./diff";
import type { Evaluation } from "./types";

const SERVICE_RELEASE = { type: "kubernetes:helm.sh/v3:Release", name: "go-service" };

/** How a new image of the Go service reaches users in this stack, in short lines for reviewers. */
export function strategyLines(r: RolloutSettings): string[] {
  if (r.strategy === "rolling")
    return ["rolling update of every pod (no analysis: only Helm's readiness wait catches a bad image)"];
  const a = r.analysis;
  return [
    r.strategy === "canary"
      ? `canary ${[...r.steps, 100].join(" → ")} % with ${r.pause} pauses`
      : `blue-green: the preview runs ${r.pause} before promotion`,
    `analysis every ${a.interval}: success rate ≥ ${a.minSuccessRate * 100}%, p99 ≤ ${a.maxP99LatencySeconds}s; ` +
      "a failure aborts and traffic returns to stable",
    `the deployment waits up to ${r.timeoutMinutes} min for full promotion, and fails if the release aborts`,
  ];
}

const rolloutOf = (e: Evaluation) =>
  (e.effective as { service?: { rollout?: RolloutSettings } } | undefined)?.service?.rollout;

/** The plan's release section: which strategy a new image would run with. */
export function planReleaseNote(e: Evaluation): string {
  const r = rolloutOf(e);
  return ["## Release strategy", "", ...(r ? strategyLines(r) : ["(service disabled)"])].join("\n");
}

/** For a plan diff that changes the service's image (a promotion): which strategy will run it. */
export function diffReleaseNote(after: Evaluation, d: StackDiff): string | undefined {
  const release = d.changed.find(
    (c) => c.resource.type === SERVICE_RELEASE.type && c.resource.name === SERVICE_RELEASE.name,
  );
  const r = rolloutOf(after);
  if (!release || !r || !release.changes.some((c) => c.path.startsWith("values.image."))) return undefined;
  const [first, ...rest] = strategyLines(r);
  return [`**Release**: the new image rolls out by ${first}.`, ...rest.map((l) => `- ${l}`)].join("\n");
}
