import * as fs from "node:fs";
import * as path from "node:path";
import { LineCounter, parseDocument, visit, type Scalar } from "yaml";

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

/**
 * Top-level keys of a stack file, as the CLI's ProjectStack reads them (pulumi/pulumi
 * sdk/go/common/workspace/project.go: secretsprovider, encryptedkey, encryptionsalt, config, environment).
 */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"];
/** Keys of a Pulumi.yaml config declaration (the project schema's configTypeDeclaration). */
const DECLARATION_KEYS = ["type", "description", "default", "value", "secret", "items"];

/**
 * Parses a project or stack file; every problem names the file and line, without a stack trace. Plain scalars that
 * YAML reads as a different number than written (`version: 1.30` is 1.3) are refused: they must be quoted.
 */
function readYaml(dir: string, file: string): unknown {
  const text = fs.readFileSync(path.join(dir, file), "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { keepSourceTokens: true, prettyErrors: false, lineCounter: lines });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const problems: string[] = [];
  // An unclosed quote runs to the end of the file, where YAML reports it; point at the opening quote instead.
  visit(doc, {
    Scalar(_key, node: Scalar) {
      const token = node.srcToken as { type?: string; source?: string } | undefined;
      const quote =
        token?.type === "double-quoted-scalar" ? '"' : token?.type === "single-quoted-scalar" ? "'" : "";
      if (quote && node.range && (token!.source!.length < 2 || !token!.source!.trimEnd().endsWith(quote)))
        problems.push(`${file}: not valid YAML at ${at(node.range[0])}: missing closing ${quote} quote`);
      const source = token?.type === "scalar" ? token.source : undefined;
      if (typeof node.value === "number" && source && String(node.value) !== source && node.range)
        problems.push(
          `${file}: ${source} at ${at(node.range[0])} is read by YAML as the number ${node.value}; quote it: "${source}"`,
        );
    },
  });
  if (problems.length === 0)
    for (const e of doc.errors) {
      const message = e.message.replace(/ at line \d+, column \d+:?$/, "");
      problems.push(`${file}: not valid YAML at ${at(e.pos[0])}: ${message}`);
    }
  if (problems.length > 0) throw new Error([...new Set(problems)].join("\n"));
  return doc.toJS();
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Namespaces a Pulumi.yaml / stack-file key the way the CLI does: bare keys belong to the project. */
export const qualify = (key: string) => (key.includes(":") ? key : `${PROJECT}:${key}`);

/** Pulumi.yaml `config:` defaults and values, fully qualified. */
export function readProjectConfig(dir = PROJECT_DIR): Record<string, ConfigEntry> {
  const project = readYaml(dir, "Pulumi.yaml") as { config?: Record<string, ConfigDeclaration> };
  const out: Record<string, ConfigEntry> = {};
  const problems: string[] = [];
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const isDecl = isObject(decl);
    // A misspelt `default:` would otherwise drop the default, and the stack file would be blamed for the gap.
    for (const k of isDecl ? Object.keys(decl) : [])
      if (!DECLARATION_KEYS.includes(k))
        problems.push(
          `Pulumi.yaml: config.${key}.${k}: unknown key; allowed keys: ${DECLARATION_KEYS.join(", ")}`,
        );
    const value = isDecl ? (decl.default ?? decl.value) : decl;
    if (value !== undefined) out[qualify(key)] = { value, secret: false };
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return out;
}

/** `Pulumi.<stack>.yaml` config, fully qualified; `secure:` values are kept opaque and flagged secret. */
export function readStackConfig(stack: string, dir = PROJECT_DIR): Record<string, ConfigEntry> {
  const name = stackFileName(stack);
  if (!fs.existsSync(path.join(dir, name))) throw new Error(`${name} not found in ${dir}`);
  const doc = readYaml(dir, name);
  // An empty file, a bare `config:` or a misspelt `confg:` would plan the stack on pure defaults.
  if (doc !== null && !isObject(doc)) throw new Error(`${name}: expected a mapping with a config: block`);
  const unknown = Object.keys(doc ?? {}).filter((k) => !STACK_FILE_KEYS.includes(k));
  if (unknown.length > 0)
    throw new Error(
      unknown
        .map((k) => `${name}: ${k}: unknown top-level key; allowed: ${STACK_FILE_KEYS.join(", ")}`)
        .join("\n"),
    );
  const config = doc?.config;
  if (!isObject(config) || Object.keys(config).length === 0)
    throw new Error(
      `${name}: sets no config; a stack file holds what its environment sets (at least its URLs)`,
    );
  const out: Record<string, ConfigEntry> = {};
  for (const [key, value] of Object.entries(config)) {
    const secure = isObject(value) && "secure" in value;
    out[qualify(key)] = { value: secure ? "[secret]" : value, secret: secure };
  }
  return out;
}

/** The CLI's merge: stack values win whole; project defaults fill only the keys a stack leaves out. */
export function mergeLikeCli(stack: string, dir = PROJECT_DIR): Record<string, ConfigEntry> {
  return { ...readProjectConfig(dir), ...readStackConfig(stack, dir) };
}
