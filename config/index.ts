import * as pulumi from "@pulumi/pulumi";
import { ConfigError, formatIssues, valueAt } from "./errors";
import { ALERTING_SECRET_KEYS, alertingSecrets, type AlertingSecretKey } from "./alerting";
import { PROJECT, readProjectConfig, stackFileName, type ConfigEntry } from "./files";
import { deepMerge } from "./merge";
import { ENVIRONMENTS, platformSchema, prodRules, type Environment, type PlatformSettings } from "./schema";

export * from "./schema";
export { ConfigError } from "./errors";
export { ALERTING_SECRET_KEYS } from "./alerting";

export interface Settings extends PlatformSettings {
  stack: string;
  environment: Environment;
  isProd: boolean;
  region: string;
  project: string;
  /** Alerting receiver secrets that are set; their values are read only as Pulumi secrets (components/alerting). */
  alertingSecrets: AlertingSecretKey[];
}

/** Config namespaces this program or its providers read: the project's own, and the AWS provider's. */
const KNOWN_NAMESPACES = [PROJECT, "aws", "pulumi"];

/** Whether the CLI handed a key over as a secret (untyped in the SDK's declarations). */
const isConfigSecret = (key: string): boolean =>
  (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(key);

/** Keys whose value is a plain string; every other key holds YAML that the CLI hands over as JSON. */
const STRING_KEYS = new Set(["imageTag"]);

function parseRaw(key: string, raw: string): unknown {
  if (STRING_KEYS.has(key)) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Validates a stack's whole `platform:` config before any resource exists. The CLI hands over a stack's object
 * value whole, so Pulumi.yaml defaults are merged in again here, key by key: a stack file holds only what differs.
 */
export function resolveSettings(
  stack: string,
  raw: Record<string, string>,
  defaults: Record<string, ConfigEntry> = readProjectConfig(),
  isSecret: (key: string) => boolean = isConfigSecret,
): Settings {
  const stackFile = stackFileName(stack);
  const prefix = `${PROJECT}:`;
  // Secret keys stay out of the validated settings (and out of every error message).
  const secrets = alertingSecrets(raw, isSecret, PROJECT, stack, stackFile);
  const secretKeys = new Set<string>(ALERTING_SECRET_KEYS.map((k) => `${prefix}${k}`));
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(prefix) && !secretKeys.has(k))
      given[k.slice(prefix.length)] = parseRaw(k.slice(prefix.length), v);
  }
  const base: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(defaults))
    if (k.startsWith(prefix)) base[k.slice(prefix.length)] = e.value;
  const merged = deepMerge(base, given) as Record<string, unknown>;

  const problems: string[] = [...secrets.problems];
  const environment = ENVIRONMENTS.find((e) => e === stack);
  if (!environment) {
    problems.push(
      `${stackFile}: stack "${stack}": the stack name is the environment; allowed: ${ENVIRONMENTS.join(", ")}`,
    );
  }
  // A typo in the namespace (`platfrom:cluster`) would otherwise be ignored and the defaults used.
  for (const key of Object.keys(raw)) {
    if (!KNOWN_NAMESPACES.some((ns) => key.startsWith(`${ns}:`))) {
      problems.push(
        `${stackFile}: ${key}: unknown config namespace; allowed: ${KNOWN_NAMESPACES.map((ns) => `${ns}:<key>`).join(", ")}`,
      );
    }
  }
  const region = raw["aws:region"];
  if (!region || !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) {
    problems.push(
      `${stackFile}: aws:region: found ${JSON.stringify(region ?? null)}; allowed: an AWS region such as us-east-1`,
    );
  }
  const schema = platformSchema.superRefine((s, ctx) => {
    if (environment === "prod") prodRules(s, ctx);
  });
  const result = schema.safeParse(merged);
  if (!result.success) {
    // A value the stack file does not set came from the Pulumi.yaml defaults.
    const fileFor = (path: PropertyKey[]) =>
      valueAt(given, path) === undefined && valueAt(base, path) !== undefined ? "Pulumi.yaml" : stackFile;
    problems.push(...formatIssues(result.error.issues, merged, platformSchema, PROJECT, fileFor));
  }
  if (problems.length > 0 || !result.success || !environment) throw new ConfigError(problems);
  return {
    ...result.data,
    stack,
    environment,
    isProd: environment === "prod",
    region: region!,
    project: PROJECT,
    alertingSecrets: secrets.set,
  };
}

/** The running stack's settings; throws ConfigError (every problem at once) before any resource is created. */
export function loadConfig(): Settings {
  return resolveSettings(pulumi.getStack(), pulumi.runtime.allConfig());
}
