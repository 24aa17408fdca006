import * as pulumi from "@pulumi/pulumi";
import { ConfigError, formatIssues, valueAt } from "./errors";
import { ALERTING_SECRET_KEYS, alertingSecrets, type AlertingSecretKey } from "./alerting";
import { PROJECT, readProjectConfig, stackFileName, type ConfigEntry } from "./files";
import { mergeSetting } from "./merge";
import { providerKeyProblem } from "./provider";
import { ENVIRONMENTS, platformSchema, prodRules, type Environment, type PlatformSettings } from "./schema";
import { databaseSizeRules } from "./addons";
import { secureImageTagFiles } from "./promoted";
import { expandServices, serviceSetRules } from "./services";
import { stackRules } from "./stack-rules";
import { configWarnings } from "./warnings";

export * from "./schema";
export { ConfigError } from "./errors";
export { ALERTING_SECRET_KEYS } from "./alerting";

export interface Settings extends PlatformSettings {
  stack: string;
  environment: Environment;
  isProd: boolean;
  region: string;
  project: string;
  /** `platform:` keys (without namespace) set with `secure:`: their values flow into resources as Pulumi secrets. */
  secretKeys: readonly string[];
  /** Legal but unusual values, printed by the plan; they never block. */
  warnings: readonly string[];
  /** Alerting receiver secrets that are set; their values are read only as Pulumi secrets (components/alerting). */
  alertingSecrets: AlertingSecretKey[];
}

/** Config namespaces this program or its providers read: the project's own, and the AWS provider's. */
const KNOWN_NAMESPACES = [PROJECT, "aws", "pulumi"];

/**
 * Keys whose value is a plain string; every other key holds YAML that the CLI hands over as JSON. accountId stays a
 * string so an ID with leading zeros keeps them.
 */
const STRING_KEYS = new Set(["imageTag", "accountId"]);

/**
 * Keys whose every use the program wraps in pulumi.secret (index.ts). A secure value anywhere else would reach
 * resources and outputs in plaintext, so it is refused rather than silently exposed.
 */
const SECRET_CAPABLE_KEYS = new Set<string>(["imageTag", ...ALERTING_SECRET_KEYS]);

function parseRaw(key: string, raw: string): unknown {
  if (STRING_KEYS.has(key)) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Validates a stack's whole config before any resource exists. The CLI hands over a stack's object value whole, so
 * Pulumi.yaml defaults are merged in again here, key by key: a stack file holds only what differs. `secretKeys` are
 * the fully qualified keys the CLI marks secret (from `secure:` values); their values are never printed.
 */
export function resolveSettings(
  stack: string,
  raw: Record<string, string>,
  defaults: Record<string, ConfigEntry> = readProjectConfig(),
  secretKeys: ReadonlySet<string> = new Set(),
): Settings {
  const stackFile = stackFileName(stack);
  const prefix = `${PROJECT}:`;
  // Receiver secrets stay out of the validated settings (and out of every error message).
  const receivers = alertingSecrets(raw, (k) => secretKeys.has(k), PROJECT, stack, stackFile);
  const receiverKeys = new Set<string>(ALERTING_SECRET_KEYS.map((k) => `${prefix}${k}`));
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith(prefix) && !receiverKeys.has(k))
      given[k.slice(prefix.length)] = parseRaw(k.slice(prefix.length), v);
  }
  const base: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(defaults))
    if (k.startsWith(prefix)) base[k.slice(prefix.length)] = e.value;
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(given)) merged[k] = mergeSetting(k, base[k], v);
  expandServices(merged);

  const problems: string[] = [...receivers.problems];
  const environment = ENVIRONMENTS.find((e) => e === stack);
  if (!environment) {
    problems.push(
      `${stackFile}: stack "${stack}": the stack name is the environment; allowed: ${ENVIRONMENTS.join(", ")}`,
    );
  }
  for (const key of Object.keys(raw)) {
    // A typo in the namespace (`platfrom:cluster`) would otherwise be ignored and the defaults used.
    if (!KNOWN_NAMESPACES.some((ns) => key.startsWith(`${ns}:`))) {
      problems.push(
        `${stackFile}: ${key}: unknown config namespace; allowed: ${KNOWN_NAMESPACES.map((ns) => `${ns}:<key>`).join(", ")}`,
      );
    }
    // A provider setting the provider would ignore, or one a stack must not carry (credentials, profiles).
    const problem = providerKeyProblem(key);
    if (problem) problems.push(`${defaults[key] ? "Pulumi.yaml" : stackFile}: ${key}: ${problem}`);
    if (secretKeys.has(key) && key.startsWith(prefix) && !SECRET_CAPABLE_KEYS.has(key.slice(prefix.length))) {
      problems.push(
        `${stackFile}: ${key}: a secure value here would reach resources in plaintext; allowed: a plain value (secrets are generated, see README), secure only for ${[...SECRET_CAPABLE_KEYS].map((k) => prefix + k).join(", ")}`,
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
    serviceSetRules(s, ctx, environment === "prod");
    databaseSizeRules(s, ctx, environment === "prod");
    if (environment === "prod") prodRules(s, ctx);
    if (environment && region) stackRules(s, ctx, { environment, region });
  });
  const result = schema.safeParse(merged);
  if (!result.success) {
    // A value the stack file does not set came from the Pulumi.yaml defaults.
    const fileFor = (path: PropertyKey[]) =>
      valueAt(given, path) === undefined && valueAt(base, path) !== undefined ? "Pulumi.yaml" : stackFile;
    const isSecret = (path: PropertyKey[]) => secretKeys.has(`${prefix}${String(path[0])}`);
    problems.push(...formatIssues(result.error.issues, merged, platformSchema, PROJECT, fileFor, isSecret));
  }
  if (problems.length > 0 || !result.success || !environment) throw new ConfigError(problems);
  return {
    ...result.data,
    stack,
    environment,
    isProd: environment === "prod",
    region: region!,
    project: PROJECT,
    secretKeys: [...secretKeys].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
    alertingSecrets: receivers.set,
    warnings: configWarnings(
      result.data,
      { environment, region: region! },
      receivers.set,
      secretKeys.has(`${prefix}imageTag`),
    )
      .map((w) => `${stackFile}: ${w}`)
      .concat(
        // The owner's lifecycle policy is where another stack's secure tag goes unprotected: its plan says so too.
        result.data.registry.ownerStack === environment
          ? secureImageTagFiles()
              .filter((f) => f !== stackFile)
              .map(
                (f) =>
                  `${f}: platform:imageTag: secure: the ECR lifecycle policy of the registry owner (${environment}) cannot read it to keep that image`,
              )
          : [],
      ),
  };
}

/**
 * Which keys the CLI marked secret. `isConfigSecret` is the SDK's own check (PULUMI_CONFIG_SECRET_KEYS from the
 * language host, or setAllConfig's secretKeys under mocks); @pulumi/pulumi 3.270 marks it @internal in its typings.
 */
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean })
  .isConfigSecret;

/** The running stack's settings; throws ConfigError (every problem at once) before any resource is created. */
export function loadConfig(): Settings {
  const raw = pulumi.runtime.allConfig();
  const secret = new Set(Object.keys(raw).filter((k) => isConfigSecret(k)));
  return resolveSettings(pulumi.getStack(), raw, readProjectConfig(), secret);
}
