import { z } from "zod";
import { deepMerge } from "./merge";
import { serviceProdRules, serviceSchema, type ServiceSettings } from "./service";

/** The release of `platform:service`: its name, Helm release and URNs stay as they were before services existed. */
export const FIRST_SERVICE = "go-service";

/**
 * A service's name is its Helm release, object names (`fullnameOverride`) and Pulumi names: a DNS label short
 * enough for the chart's `<name>-<suffix>` objects and the WAF's `<name>-edge` (Helm: release names ≤ 53).
 */
const serviceName = z
  .string()
  .regex(/^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$/, "allowed: a DNS label of at most 30 characters");

/** Further services from the same chart, by name: each entry holds only what differs from `platform:service`. */
export const servicesSchema = z.record(serviceName, serviceSchema);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Merges each `platform:services` entry over the merged `platform:service`, key by key, before validation. */
export function expandServices(merged: Record<string, unknown>): void {
  const { service, services } = merged;
  if (!isObject(services)) return;
  merged.services = Object.fromEntries(
    Object.entries(services).map(([name, over]) => [name, isObject(over) ? deepMerge(service, over) : over]),
  );
}

/** Every service the stack runs, `platform:service` first (as `go-service`), all at the one shared imageTag. */
export function serviceEntries(s: {
  service: ServiceSettings;
  services: Record<string, ServiceSettings>;
}): [string, ServiceSettings][] {
  return [[FIRST_SERVICE, s.service], ...Object.entries(s.services)];
}

/** appUrl is validated as a URL before these rules run; the fallback only keeps a bad value from throwing. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * Each service owns its namespace (and so its database) and its hostnames, its blue-green preview host included: an
 * Ingress host another rule already answers gets no traffic, and a preview analysed on no traffic would be promoted.
 * Prod rules hold for every one.
 */
export function serviceSetRules(
  s: { service: ServiceSettings; services: Record<string, ServiceSettings> },
  ctx: z.RefinementCtx,
  isProd: boolean,
): void {
  const namespaces = new Map([[s.service.namespace, FIRST_SERVICE]]);
  const hosts = new Map<string, string>();
  const claim = (host: string, owner: string, path: string[]) => {
    const other = hosts.get(host);
    if (other)
      ctx.addIssue({
        code: "custom",
        path,
        message: `allowed: a hostname of its own (${host} is ${other}'s Ingress host)`,
      });
    else hosts.set(host, owner);
  };
  const claimAll = (svc: ServiceSettings, name: string, at: string[]) => {
    claim(hostOf(svc.appUrl), name, [...at, "appUrl"]);
    if (svc.rollout.strategy === "blueGreen" && svc.rollout.previewHost)
      claim(svc.rollout.previewHost, `${name} preview`, [...at, "rollout", "previewHost"]);
  };
  claimAll(s.service, FIRST_SERVICE, ["service"]);
  for (const [name, svc] of Object.entries(s.services)) {
    const at = (...path: string[]) => ["services", name, ...path];
    if (name === FIRST_SERVICE)
      ctx.addIssue({
        code: "custom",
        path: at(),
        message: `allowed: a name other than ${FIRST_SERVICE}, which is platform:service`,
      });
    const ns = namespaces.get(svc.namespace);
    if (ns)
      ctx.addIssue({
        code: "custom",
        path: at("namespace"),
        message: `allowed: a namespace of its own (${svc.namespace} is ${ns}'s: each service has its own database there)`,
      });
    claimAll(svc, name, at());
    namespaces.set(svc.namespace, name);
    if (isProd) serviceProdRules(svc, ctx, ["services", name]);
  }
}
