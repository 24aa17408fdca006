import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumiservice from "@pulumi/pulumiservice";
import { parse } from "yaml";
import { z } from "zod";
import { driftDetectionSchema } from "./drift";

export const PROJECT = "platform-deployments";
export const ENVIRONMENTS = ["alpha", "beta", "uat", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Events a stack webhook can subscribe to (stack_created/deleted are org-only, environment_* are ESC's). */
type WebhookFilter = pulumiservice.types.enums.WebhookFilters;
export const STACK_EVENTS = Object.values(pulumiservice.types.enums.WebhookFilters).filter((f) =>
  /^(update|preview|destroy|refresh|deployment|drift)_/.test(f),
) as [WebhookFilter, ...WebhookFilter[]];

/** Keys whose values never appear in an error message. */
const SECRET_KEYS = new Set(["notificationUrl"]);

const roleArn = z
  .string()
  .regex(
    /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
  );

/**
 * roleArn: the stack's deploy role (the platform stack's `access.deployRoleArn`); agentPoolId: a customer-managed
 * agent pool whose runners reach the cluster's API endpoint (Pulumi-hosted runners are outside the allow-list).
 */
/** Path filters are globs relative to the repository root; shared ones are includes ("!" is added per stack). */
const pathFilter = z
  .string()
  .regex(/^[^!/\s][^\s]*$/, "must be a glob relative to the repository root, without a leading ! or /");

const stackSettings = z.strictObject({
  roleArn,
  pushToDeploy: z.boolean(),
  agentPoolId: z.uuid("must be a Pulumi agent pool ID (a UUID)").optional(),
  /** Files only this stack reads (the registry owner: promoted-images.txt), beside sharedPaths. */
  paths: z.array(pathFilter).optional(),
});

export const settingsSchema = z.strictObject({
  organization: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a Pulumi organization name"),
  repository: z
    .string()
    .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/, "must be a GitHub repository as owner/repo"),
  project: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a Pulumi project name"),
  branch: z
    .string()
    .regex(/^(?!refs\/)[^\s~^:?*[\\]+$/, "must be a branch name without refs/heads/ (for example main)"),
  sharedPaths: z.array(pathFilter).min(1, "must list at least one path"),
  stacks: z.strictObject({
    alpha: stackSettings,
    beta: stackSettings,
    uat: stackSettings,
    // prod runs only from the approved manual trigger, never on push.
    prod: stackSettings.extend({
      pushToDeploy: z.literal(false, "must be false: prod deploys only from the approved manual trigger"),
    }),
  }),
  oidc: z.strictObject({
    sessionDuration: z
      .string()
      .regex(/^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/, "must be a duration like 1h, 90m or 1h30m")
      .refine((d) => seconds(d) >= 900 && seconds(d) <= 43200, "must be between 15m and 12h (AWS limits)"),
  }),
  installCommand: z.string().trim().min(1, "must be a command"),
  notifications: z.strictObject({
    format: z.enum(["slack", "ms_teams", "raw"]),
    events: z.array(z.enum(STACK_EVENTS)).min(1, "must list at least one event"),
  }),
  driftDetection: driftDetectionSchema,
  notificationUrl: z.url({ protocol: /^https$/, error: "must be an https URL" }),
});

export type DeploymentsSettings = z.infer<typeof settingsSchema>;

function seconds(duration: string): number {
  const [, h = "0", m = "0", s = "0"] = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration) ?? [];
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** Every config problem at once, each naming the file and the full key. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (${problems.length}):\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

export interface ConfigFiles {
  stackFile: string;
  /** Top-level keys (without namespace) that the stack file sets. */
  stackKeys: Set<string>;
  /** Top-level keys with a default in Pulumi.yaml. */
  defaultedKeys: Set<string>;
}

/** Which file holds each top-level key's value, so an error names the file to fix. */
export function readConfigFiles(stack: string, dir = __dirname): ConfigFiles {
  const read = (file: string) =>
    (parse(fs.readFileSync(path.join(dir, file), "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const stackFile = `Pulumi.${stack}.yaml`;
  const prefix = `${PROJECT}:`;
  const stackKeys = new Set(
    Object.keys(fs.existsSync(path.join(dir, stackFile)) ? (read(stackFile).config ?? {}) : {})
      .filter((k) => k.startsWith(prefix) || !k.includes(":"))
      .map((k) => k.replace(prefix, "")),
  );
  const defaultedKeys = new Set(
    Object.entries(read("Pulumi.yaml").config ?? {})
      .filter(([, d]) => d !== null && typeof d === "object" && "default" in d)
      .map(([k]) => k),
  );
  return { stackFile, stackKeys, defaultedKeys };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return "an object";
  return JSON.stringify(value);
}

function valueAt(data: unknown, keys: PropertyKey[]): unknown {
  return keys.reduce<unknown>(
    (v, k) => (v !== null && typeof v === "object" ? (v as never)[k] : undefined),
    data,
  );
}

/** Config namespaces a stack of this program may hold: its own, the Pulumi Cloud provider's, and the engine's. */
const KNOWN_NAMESPACES = [PROJECT, "pulumiservice", "pulumi"];

/**
 * Validates the `platform-deployments:` namespace of a config bag (as pulumi.runtime.allConfig() returns it:
 * objects and lists JSON-encoded) and returns typed settings, or throws ConfigError listing every problem.
 */
export function resolveSettings(raw: Record<string, string>, files: ConfigFiles): DeploymentsSettings {
  const prefix = `${PROJECT}:`;
  const given: Record<string, unknown> = {};
  // A misspelt namespace (platform-deploymets:branch) would otherwise leave its setting on the default.
  const namespaceProblems = Object.keys(raw)
    .filter((key) => !KNOWN_NAMESPACES.includes(key.split(":")[0]))
    .map((key) => `${files.stackFile}: ${key}: unknown namespace; allowed: ${KNOWN_NAMESPACES.join(":, ")}:`);
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    given[name] = value;
    if (/^[[{]/.test(value)) {
      try {
        given[name] = JSON.parse(value);
      } catch {
        // Left as a string: the schema reports the type.
      }
    }
  }
  const result = settingsSchema.safeParse(given);
  if (result.success && namespaceProblems.length === 0) return result.data;
  if (result.success) throw new ConfigError(namespaceProblems);

  const fileOf = (top: string) =>
    files.stackKeys.has(top) || !files.defaultedKeys.has(top) ? files.stackFile : "Pulumi.yaml";
  const problems = result.error.issues.flatMap((issue) => {
    const keys =
      issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    return keys.map((at) => {
      const top = String(at[0] ?? "");
      const key = `${PROJECT}:${at.map(String).join(".")}`;
      if (issue.code === "unrecognized_keys") return `${fileOf(top)}: ${key}: unknown key`;
      const found = SECRET_KEYS.has(top) ? "" : ` (found ${describe(valueAt(given, at))})`;
      return `${fileOf(top)}: ${key}: ${issue.message}${found}`;
    });
  });
  throw new ConfigError([...namespaceProblems, ...problems]);
}
