/** Reads deployments/Pulumi.yaml + Pulumi.<stack>.yaml the way the Pulumi CLI merges them (tests only). */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT } from "../config";

export const DEPLOYMENTS_DIR = path.resolve(__dirname, "..");

export interface Entry {
  value: unknown;
  secret: boolean;
}
type Declaration = { type?: string; default?: unknown; value?: unknown; secret?: boolean };

const qualify = (key: string) => (key.includes(":") ? key : `${PROJECT}:${key}`);

/** Pulumi.yaml's declarations, by fully qualified key. */
export function declarations(): Record<string, Declaration> {
  const project = parse(fs.readFileSync(path.join(DEPLOYMENTS_DIR, "Pulumi.yaml"), "utf8")) as {
    config?: Record<string, Declaration>;
  };
  return Object.fromEntries(Object.entries(project.config ?? {}).map(([k, d]) => [qualify(k), d]));
}

/**
 * The CLI's merge: stack values win whole; Pulumi.yaml defaults fill the keys a stack leaves out. `secure:` values
 * cannot be decrypted offline and stay "[encrypted]".
 */
export function readConfig(stack: string): { config: Record<string, Entry>; declaredSecret: string[] } {
  const config: Record<string, Entry> = {};
  const declaredSecret: string[] = [];
  for (const [key, decl] of Object.entries(declarations())) {
    if (decl.secret) declaredSecret.push(key);
    const value = decl.default ?? decl.value;
    if (value !== undefined) config[key] = { value, secret: decl.secret === true };
  }
  const file = path.join(DEPLOYMENTS_DIR, `Pulumi.${stack}.yaml`);
  const doc = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  for (const [key, value] of Object.entries(doc?.config ?? {})) {
    const secure = value !== null && typeof value === "object" && "secure" in value;
    config[qualify(key)] = { value: secure ? "[encrypted]" : value, secret: secure };
  }
  return { config, declaredSecret };
}

/** A config bag as pulumi.runtime.allConfig() holds it: objects and lists JSON-encoded. */
export function rawConfig(config: Record<string, Entry>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([k, e]) => [
      k,
      typeof e.value === "string" ? e.value : JSON.stringify(e.value),
    ]),
  );
}
