import type { AlertingSecretKey, AlertingSettings } from "../../config";

/** The Secret holding the receivers' credentials; the Alertmanager pods mount it read-only. */
export const RECEIVER_SECRET = "alertmanager-receivers";
/** kube-prometheus-stack values.yaml (alertmanagerSpec.secrets): "mounted into /etc/alertmanager/secrets/". */
const SECRET_DIR = `/etc/alertmanager/secrets/${RECEIVER_SECRET}`;
export const secretFile = (key: AlertingSecretKey) => `${SECRET_DIR}/${key}`;

/** Receiver names: the routing tests (test/alerts) assert which alert reaches which. */
export const RECEIVERS = {
  /** Drops: info alerts and the InfoInhibitor (visible in the Alertmanager UI and Grafana only). */
  none: "null",
  /** The environment's Slack channel: never pages. */
  team: "team-slack",
  /** PagerDuty plus the on-call Slack channel (uat and prod, severity critical). */
  oncall: "oncall-pager",
  /** Dead-man's switch: the always-firing Watchdog pings an external heartbeat; silence there pages. */
  heartbeat: "watchdog-heartbeat",
} as const;

const SLACK_TITLE =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] ' +
  "{{ .CommonLabels.alertname }} ({{ .CommonLabels.cluster }}/{{ .CommonLabels.namespace }})";
const SLACK_TEXT =
  "{{ range .Alerts }}*{{ .Labels.severity }}*: {{ .Annotations.summary }}\n{{ .Annotations.description }}\n" +
  "{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}\n{{ end }}{{ end }}";

const slack = (channel: string) => ({
  api_url_file: secretFile("slackWebhookUrl"),
  channel,
  send_resolved: true,
  title: SLACK_TITLE,
  text: SLACK_TEXT,
});

/**
 * The Alertmanager configuration of one environment: credentials are file paths into the mounted Secret, so no
 * webhook URL or routing key appears in Helm values, the plan or the state. A receiver whose secret is not set has
 * no integration (it drops), and the program warns. Reference: prometheus.io/docs/alerting/latest/configuration.
 */
export function alertmanagerConfig(
  a: AlertingSettings,
  secrets: readonly AlertingSecretKey[],
): Record<string, unknown> {
  const has = (k: AlertingSecretKey) => secrets.includes(k);
  const receivers: Record<string, unknown>[] = [
    { name: RECEIVERS.none },
    { name: RECEIVERS.team, ...(has("slackWebhookUrl") ? { slack_configs: [slack(a.slackChannel)] } : {}) },
    {
      name: RECEIVERS.heartbeat,
      ...(has("heartbeatUrl")
        ? { webhook_configs: [{ url_file: secretFile("heartbeatUrl"), send_resolved: false }] }
        : {}),
    },
  ];
  if (a.paging)
    receivers.push({
      name: RECEIVERS.oncall,
      ...(has("pagerDutyRoutingKey")
        ? {
            pagerduty_configs: [
              {
                routing_key_file: secretFile("pagerDutyRoutingKey"),
                severity: "critical",
                description: SLACK_TITLE,
                send_resolved: true,
              },
            ],
          }
        : {}),
      ...(has("slackWebhookUrl") ? { slack_configs: [slack(a.oncallSlackChannel)] } : {}),
    });

  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: RECEIVERS.team,
      group_by: ["namespace", "alertname"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes: [
        // Always firing: re-sent every minute so the heartbeat service notices within minutes when it stops.
        {
          receiver: RECEIVERS.heartbeat,
          matchers: ['alertname = "Watchdog"'],
          group_wait: "0s",
          group_interval: "1m",
          repeat_interval: "1m",
        },
        { receiver: RECEIVERS.none, matchers: ['alertname = "InfoInhibitor"'] },
        ...(a.paging
          ? [{ receiver: RECEIVERS.oncall, matchers: ['severity = "critical"'], repeat_interval: "1h" }]
          : []),
        { receiver: RECEIVERS.none, matchers: ['severity = "info"'] },
      ],
    },
    // kube-prometheus-stack's defaults: a critical alert silences its warning and info siblings, and so on.
    inhibit_rules: [
      {
        source_matchers: ['severity = "critical"'],
        target_matchers: ['severity =~ "warning|info"'],
        equal: ["namespace", "alertname"],
      },
      {
        source_matchers: ['severity = "warning"'],
        target_matchers: ['severity = "info"'],
        equal: ["namespace", "alertname"],
      },
      {
        source_matchers: ['alertname = "InfoInhibitor"'],
        target_matchers: ['severity = "info"'],
        equal: ["namespace"],
      },
      { target_matchers: ['alertname = "InfoInhibitor"'] },
      // A crash-looping service also burns its error budget: page once, for the cause.
      {
        source_matchers: ['alertname = "GoServiceCrashLooping"'],
        target_matchers: ['alertname =~ "GoServiceAvailabilityBurnRate|GoServiceLatencyBurnRate"'],
        equal: ["namespace"],
      },
    ],
    receivers,
    templates: ["/etc/alertmanager/config/*.tmpl"],
  };
}
