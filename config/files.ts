import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The project root: where Pulumi.yaml and the stack files live. */
export const PROJECT_DIR = path.resolve(__dirname, "..");
export const PROJECT = "platform";

export const stackFileName = (stack: string) => `Pulumi.${stack}.yaml`;

type ConfigDeclaration = { type?: string; default?: unknown; value?: unknown } | string | number | boolean;

/** A config value as the CLI hands it over: secure values stay opaque. */
export interface ConfigEntry {
  value: unknown;
  secret: boolean;
}

/** Parses a project or stack file; a syntax error names the file, without a stack trace. */
function readYaml(dir: string, file: string): unknown {
  try {
    return parse(fs.readFileSync(path.join(dir, file), "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid YAML: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
  }
}

/** Namespaces a Pulumi.yaml / stack-file key the way the CLI does: bare keys belong to the project. */
export const qualify = (key: string) => (key.includes(":") ? key : `${PROJECT}:${key}`);

/** Pulumi.yaml `config:` defaults and values, fully qualified. */
export function readProjectConfig(dir = PROJECT_DIR): Record<string, ConfigEntry> {
  const project = readYaml(dir, "Pulumi.yaml") as {
    config?: Record<string, ConfigDeclaration>;
  };
  const out: Record<string, ConfigEntry> = {};
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const isDecl = decl !== null && typeof decl === "object" && !Array.isArray(decl);
    const value = isDecl ? (decl.default ?? decl.value) : decl;
    if (value !== undefined) out[qualify(key)] = { value, secret: false };
  }
  return out;
}

/** `Pulumi.<stack>.yaml` config, fully qualified; `secure:` values are kept opaque and flagged secret. */
export function readStackConfig(stack: string, dir = PROJECT_DIR): Record<string, ConfigEntry> {
  const file = path.join(dir, stackFileName(stack));
  if (!fs.existsSync(file)) throw new Error(`${stackFileName(stack)} not found in ${dir}`);
  const doc = (readYaml(dir, stackFileName(stack)) ?? {}) as { config?: Record<string, unknown> };
  const out: Record<string, ConfigEntry> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    const secure = value !== null && typeof value === "object" && "secure" in value;
    out[qualify(key)] = { value: secure ? "[secret]" : value, secret: secure };
  }
  return out;
}

/** The CLI's merge: stack values win whole; project defaults fill only the keys a stack leaves out. */
export function mergeLikeCli(stack: string, dir = PROJECT_DIR): Record<string, ConfigEntry> {
  return { ...readProjectConfig(dir), ...readStackConfig(stack, dir) };
}
