import type { z } from "zod";

/** Every config problem of a stack at once, each naming the file, the full key, what was found and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
    );
    this.name = "ConfigError";
  }
}

type Path = PropertyKey[];

export function keyOf(namespace: string, path: Path): string {
  const [top, ...rest] = path.map(String);
  return `${namespace}:${[top, ...rest].join(".")}`;
}

export function valueAt(data: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === "object" ? (v as never)[k as never] : undefined),
    data,
  );
}

export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : JSON.stringify(value);
  if (value !== null && typeof value === "object") return "an object";
  return String(value);
}

/** The keys an object schema allows at `path`, for "unknown key" messages. */
function allowedKeys(schema: z.ZodType, path: Path): string[] {
  let s: unknown = schema;
  const unwrap = () => {
    for (;;) {
      const def = (s as { _zod: { def: { type: string; innerType?: unknown } } })._zod.def;
      if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) {
        s = def.innerType;
      } else return def as { type: string; shape?: Record<string, unknown>; valueType?: unknown };
    }
  };
  for (const key of path) {
    const def = unwrap();
    if (def.type === "object" && def.shape) s = def.shape[String(key)];
    else if (def.type === "record") s = def.valueType;
    else return [];
    if (!s) return [];
  }
  const def = unwrap();
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/**
 * Turns zod issues into one line each. `fileFor(path)` says which file the offending value came from,
 * so the reader knows where to fix it.
 */
export function formatIssues(
  issues: z.core.$ZodIssue[],
  data: unknown,
  schema: z.ZodType,
  namespace: string,
  fileFor: (path: Path) => string,
  isSecret: (path: Path) => boolean = () => false,
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeys(schema, issue.path);
      for (const k of issue.keys) {
        const path = [...issue.path, k];
        lines.push(
          `${fileFor(path)}: ${keyOf(namespace, path)}: unknown key; allowed keys: ${allowed.join(", ")}`,
        );
      }
      continue;
    }
    const found = valueAt(data, issue.path);
    // zod's own type messages start "Invalid input"; a schema's custom one (say, how to fix it) is kept.
    const detail =
      issue.code === "invalid_type" && issue.message.startsWith("Invalid input")
        ? `expected ${issue.expected === "int" ? "a whole number" : issue.expected}`
        : issue.message;
    // A secure value is never printed, not even when it is invalid.
    const shown = isSecret(issue.path) ? "a secret value" : describe(found);
    lines.push(`${fileFor(issue.path)}: ${keyOf(namespace, issue.path)}: found ${shown}; ${detail}`);
  }
  return lines;
}
