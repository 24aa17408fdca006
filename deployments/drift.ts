import * as pulumiservice from "@pulumi/pulumiservice";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { DeploymentsSettings, Environment } from "./config";

/** One stack's drift detection: a refresh-preview on a schedule; `remediate` then runs `pulumi up` to undo drift. */
const driftSchema = z.strictObject(
  {
    /** Five-field cron, UTC (Pulumi Cloud drift schedules). */
    schedule: z
      .string()
      .regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron expression such as "0 */4 * * *"'),
    mode: z.enum(["notify", "remediate"], "must be notify or remediate"),
  },
  {
    error: (issue) =>
      issue.input === undefined ? "must be set: uat and prod are always watched" : undefined,
  },
);

/** uat and prod must be watched; alpha and beta may be. */
export const driftDetectionSchema = z.strictObject({
  alpha: driftSchema.optional(),
  beta: driftSchema.optional(),
  uat: driftSchema,
  prod: driftSchema,
});

/** What a drift-watched stack's webhook adds to its deployment events. */
export function driftEvents(
  env: Environment,
  s: DeploymentsSettings,
): pulumiservice.types.enums.WebhookFilters[] {
  const d = s.driftDetection[env];
  if (!d) return [];
  return d.mode === "remediate"
    ? ["drift_detected", "drift_detection_failed", "drift_remediation_failed"]
    : ["drift_detected", "drift_detection_failed"];
}

/** Pulumi Cloud drift schedule of one stack; runs through its deployment settings, so it depends on them. */
export function driftSchedule(
  env: Environment,
  s: DeploymentsSettings,
  deploymentSettings: pulumi.Resource,
): pulumiservice.DriftSchedule | undefined {
  const d = s.driftDetection[env];
  if (!d) return undefined;
  return new pulumiservice.DriftSchedule(
    `${s.project}-${env}-drift`,
    {
      organization: s.organization,
      project: s.project,
      stack: env,
      scheduleCron: d.schedule,
      autoRemediate: d.mode === "remediate",
    },
    { dependsOn: [deploymentSettings] },
  );
}
