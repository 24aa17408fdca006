import { z } from "zod";
import { deepMerge } from "./merge";
import { cpu, memory, namespace } from "./kubernetes";
import { acmCertificateArn, intRange, logRetentionDays } from "./primitives";

/** Requests; the memory limit equals the memory request (no CPU limit, so no throttling). */
const resources = z.object({ cpu, memory }).strict();
const hostname = z.string().regex(z.regexes.domain, "allowed: a DNS name such as grafana.example.com");

export const prometheusSchema = z
  .object({
    /** Prometheus duration: how long samples are kept. */
    retention: z
      .string("expected a string")
      .regex(/^\d+[hdwy]$/, 'allowed: a Prometheus duration in h, d, w or y, such as "15d"')
      // Zero never means "keep nothing" to Prometheus: it lifts the time limit, or falls back to its 15d default.
      .refine((r) => parseInt(r, 10) > 0, 'allowed: more than zero, such as "15d"'),
    /** The PVC size; retentionSize is derived from it (90%), so a full disk drops old data instead of crashing. */
    storageGiB: intRange(10, 2000),
    replicas: intRange(1, 3),
    resources,
    alertmanager: z.object({ replicas: intRange(1, 3), storageGiB: intRange(1, 50) }).strict(),
  })
  .strict();

export const grafanaSchema = z
  .object({
    storageGiB: intRange(1, 100),
    resources,
    /** An ALB Ingress is created only when a hostname is set; otherwise Grafana is ClusterIP only (port-forward). */
    hostname: hostname.optional(),
    /** ACM certificate for the hostname; without it the controller discovers one by hostname. */
    certificateArn: acmCertificateArn.optional(),
    scheme: z.enum(["internal", "internet-facing"], "allowed: internal | internet-facing"),
  })
  .strict();

export const fluentBitSchema = z
  .object({
    logRetentionDays,
    /** Container logs of these namespaces are not shipped (dropped by file name, before parsing). */
    excludeNamespaces: z.array(namespace),
    logLevel: z.enum(["debug", "info", "warn", "error"], "allowed: debug | info | warn | error"),
    resources,
  })
  .strict();

/**
 * A further service's own database size (`platform:postgres.services.<name>`), where it differs from
 * platform:postgres; the database, owner and backups stay those of platform:postgres.
 */
const databaseSize = z
  .object({ instances: intRange(1, 5), storageGiB: intRange(1, 2000), resources: resources.partial() })
  .partial()
  .strict();

export const postgresSchema = z
  .object({
    /** 1 is a single instance (no failover); 3 gives a primary and two replicas across zones. */
    instances: intRange(1, 5),
    storageGiB: intRange(1, 2000),
    database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "allowed: a lowercase Postgres identifier"),
    owner: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "allowed: a lowercase Postgres identifier"),
    resources,
    backups: z
      .object({
        enabled: z.boolean("expected true or false"),
        retentionDays: intRange(1, 365),
        /** CloudNativePG schedule: six fields, seconds first. */
        schedule: z
          .string()
          .regex(
            /^(\S+\s+){5}\S+$/,
            'allowed: a six-field cron schedule, seconds first, such as "0 0 3 * * *"',
          ),
      })
      .strict(),
    /** By further service (platform:services): its database's size, over this one's. */
    services: z.record(z.string(), databaseSize).optional(),
  })
  .strict();

/** The add-on config keys (one top-level `platform:` key each), merged into platformSchema. */
export const addonsShape = {
  prometheus: prometheusSchema,
  grafana: grafanaSchema,
  fluentBit: fluentBitSchema,
  postgres: postgresSchema,
};

export type PrometheusSettings = z.infer<typeof prometheusSchema>;
export type GrafanaSettings = z.infer<typeof grafanaSchema>;
export type FluentBitSettings = z.infer<typeof fluentBitSchema>;
export type PostgresSettings = z.infer<typeof postgresSchema>;

/** A further service's database settings: platform:postgres with that service's own size over it. */
export function databaseSettings(p: PostgresSettings, service: string): PostgresSettings {
  const { services, ...shared } = p;
  return deepMerge(shared, services?.[service] ?? {}) as PostgresSettings;
}

/** Each database size names a further service, and in prod keeps a replica to fail over to. */
export function databaseSizeRules(
  s: { postgres: PostgresSettings; services: Record<string, unknown> },
  ctx: z.RefinementCtx,
  isProd: boolean,
): void {
  const names = Object.keys(s.services);
  for (const [name, size] of Object.entries(s.postgres.services ?? {})) {
    if (!names.includes(name))
      ctx.addIssue({
        code: "custom",
        path: ["postgres", "services", name],
        message: `allowed: a service of platform:services (${names.join(", ") || "none"}); platform:postgres itself sizes go-service's`,
      });
    else if (isProd && size.instances !== undefined && size.instances < 2)
      ctx.addIssue({
        code: "custom",
        path: ["postgres", "services", name, "instances"],
        message: "allowed in prod: at least 2 (a replica to fail over to)",
      });
  }
}

/** Prod keeps its data: backups on, and Postgres with a replica to fail over to. */
export function addonsProdRules(
  s: { postgres: PostgresSettings; prometheus: PrometheusSettings; grafana: GrafanaSettings },
  ctx: z.RefinementCtx,
): void {
  const must = (ok: boolean, path: string[], message: string) => {
    if (!ok)
      ctx.addIssue({
        code: "custom",
        path,
        message: `allowed in prod: ${message}`,
      });
  };
  must(s.postgres.backups.enabled, ["postgres", "backups", "enabled"], "true");
  must(s.postgres.instances >= 2, ["postgres", "instances"], "at least 2 (a replica to fail over to)");
  must(s.prometheus.replicas >= 2, ["prometheus", "replicas"], "at least 2");
  // Grafana's admin login and every dashboard sit behind it: reachable from the VPC (VPN), never the internet.
  must(s.grafana.scheme === "internal", ["grafana", "scheme"], "internal (Grafana is never internet-facing)");
}
