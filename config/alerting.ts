import { z } from "zod";

const slackChannel = z
  .string()
  .regex(/^#[a-z0-9][a-z0-9_-]{0,79}$/, 'allowed: a Slack channel such as "#platform-alerts"');

/** Where this environment's alerts go (components/alerting/alertmanager.ts builds the routing tree). */
export const alertingSchema = z
  .object({
    /** Critical alerts page the on-call (PagerDuty). Off in alpha and beta, required in prod. */
    paging: z.boolean("expected true or false"),
    /** Every alert that does not page, and the Watchdog's absence, is posted here. */
    slackChannel,
    /** Paged alerts are also posted here, so the team sees what the on-call sees. */
    oncallSlackChannel: slackChannel,
  })
  .strict();

export type AlertingSettings = z.infer<typeof alertingSchema>;

/**
 * Receiver credentials: secret config only (`pulumi config set --secret platform:<key> <value>`), never part of the
 * validated settings. Each is optional; an unset one leaves its receiver empty and the program warns.
 */
export const ALERTING_SECRET_KEYS = ["slackWebhookUrl", "pagerDutyRoutingKey", "heartbeatUrl"] as const;
export type AlertingSecretKey = (typeof ALERTING_SECRET_KEYS)[number];

/**
 * Splits the alerting secrets out of the stack's raw config: which are set, and a problem for each one set in
 * plaintext. A problem names the key and the command, never the value.
 */
export function alertingSecrets(
  raw: Record<string, string>,
  isSecret: (key: string) => boolean,
  project: string,
  stack: string,
  stackFile: string,
): { set: AlertingSecretKey[]; problems: string[] } {
  const set: AlertingSecretKey[] = [];
  const problems: string[] = [];
  for (const key of ALERTING_SECRET_KEYS) {
    const full = `${project}:${key}`;
    if (raw[full] === undefined) continue;
    // An empty secret would silence the receiver as surely as none, without the warning.
    if (isSecret(full) && raw[full].trim() === "")
      problems.push(`${stackFile}: ${full}: found an empty secret; allowed: the receiver's ${key}`);
    else if (isSecret(full)) set.push(key);
    else
      problems.push(
        `${stackFile}: ${full}: set in plaintext; allowed: a secret only ` +
          `(pulumi config set --secret ${full} <value> -s ${stack})`,
      );
  }
  return { set, problems };
}

/** Receivers that would drop everything for lack of a secret: the plan and `pulumi up` warn about each. */
export function missingSecrets(
  a: AlertingSettings,
  secrets: readonly AlertingSecretKey[],
): AlertingSecretKey[] {
  const needed: AlertingSecretKey[] = ["slackWebhookUrl", "heartbeatUrl"];
  if (a.paging) needed.push("pagerDutyRoutingKey");
  return needed.filter((k) => !secrets.includes(k));
}

/** The warning for a receiver left without its secret. */
export const missingSecretWarning = (project: string, key: AlertingSecretKey) =>
  `${project}:${key}: not set: its receiver drops alerts (docs/runbooks.md)`;

/** Prod pages someone: its critical alerts must reach the on-call. */
export function alertingProdRules(s: AlertingSettings, ctx: z.RefinementCtx): void {
  if (!s.paging)
    ctx.addIssue({ code: "custom", path: ["alerting", "paging"], message: "allowed in prod: true" });
}
