import { z } from "zod";

/** A whole number in [min, max]; the message states the range. */
export const intRange = (min: number, max: number) =>
  z
    .int("expected a whole number")
    .min(min, `allowed: ${min} to ${max}`)
    .max(max, `allowed: ${min} to ${max}`);

export const positiveInt = z.int("expected a whole number").min(1, "allowed: a whole number ≥ 1");

/**
 * Pods of one workload. Kubernetes sets no ceiling; this bound only catches a slipped digit (100000) before it
 * asks the cluster for nodes it would autoscale towards.
 */
export const MAX_REPLICAS = 100;
export const replicaCount = intRange(1, MAX_REPLICAS);

export const acmCertificateArn = z
  .string()
  .regex(/^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, "allowed: an ACM certificate ARN");

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653,
] as const;

export const logRetentionDays = z
  .int("expected a whole number")
  .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `allowed: one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention periods)`,
  });
