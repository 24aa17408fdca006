import { z } from "zod";
import { intRange } from "./primitives";

const duration = z.string().regex(/^\d+[smh]$/, 'allowed: a duration in s, m or h, such as "5m"');

/**
 * How a new image reaches users (docs/runbooks.md, "Releases"): `rolling` is the Deployment's own rolling update;
 * `canary` and `blueGreen` run through Argo Rollouts, with analysis of the new pods' metrics aborting a bad release.
 */
export const rolloutSchema = z
  .object({
    strategy: z.enum(["rolling", "canary", "blueGreen"], "allowed: rolling | canary | blueGreen"),
    /** canary: the new version's share of traffic at each step, in percent; full promotion follows the last. */
    steps: z
      .array(intRange(1, 99))
      .min(1, "allowed: at least one step")
      .refine((s) => s.every((w, i) => i === 0 || w > s[i - 1]), "allowed: weights that only grow"),
    /** Pause after each canary step (blueGreen: how long the preview runs before promotion). */
    pause: duration,
    analysis: z
      .object({
        /** Time between measurements. */
        interval: duration,
        /** Failed measurements tolerated; one more aborts the release. */
        failureLimit: intRange(0, 10),
        /** Share of the new pods' responses that are not 5xx. */
        minSuccessRate: z
          .number("expected a number")
          .min(0.5, "allowed: 0.5 to 1")
          .max(1, "allowed: 0.5 to 1"),
        /** p99 latency of the new pods, in seconds. */
        maxP99LatencySeconds: z
          .number("expected a number")
          .positive("allowed: more than 0")
          .max(60, "allowed: at most 60"),
      })
      .strict(),
    /** blueGreen (required, with the Ingress): the host of the preview version's own ALB rule, on its certificate. */
    previewHost: z
      .string()
      .regex(z.regexes.domain, "allowed: a DNS name such as preview.api.example.com")
      .optional(),
    /** Upper bound for a release from start to full promotion: the deployment fails after it (docs/runbooks.md). */
    timeoutMinutes: intRange(5, 240),
  })
  .strict();

export type RolloutSettings = z.infer<typeof rolloutSchema>;

/**
 * The least a release takes by its own steps: the timeout must leave room for it. blueGreen analyses the preview
 * before its pause starts (argo-rollouts v1.9.0 rollout/bluegreen.go): the template's 2-minute initialDelay, then
 * five measurements an interval apart (charts/go-service/templates/analysistemplate.yaml).
 */
export const minimumMinutes = (r: RolloutSettings) => {
  const unit = { s: 1 / 60, m: 1, h: 60 } as const;
  const minutes = (d: string) => Number(d.slice(0, -1)) * unit[d.slice(-1) as keyof typeof unit];
  if (r.strategy === "canary") return r.steps.length * minutes(r.pause);
  return 2 + 4 * minutes(r.analysis.interval) + minutes(r.pause);
};
