import { strict as assert } from "node:assert";
import { ConfigError, resolveSettings } from "../config";
import { mergeLikeCli, readProjectConfig, readStackConfig } from "../config/files";
import { deepMerge, mergeSetting } from "../config/merge";

/** Runtime config as the CLI would hand it to the program for `stack`, with `patch` applied as a stack-file edit. */
export function raw(
  stack: string,
  patch: Record<string, unknown> = {},
  fromStack = stack,
): Record<string, string> {
  const merged = mergeLikeCli(fromStack);
  const out: Record<string, string> = {};
  for (const [k, e] of Object.entries(merged))
    out[k] = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
  const stackFile = readStackConfig(fromStack);
  const defaults = readProjectConfig();
  for (const [k, v] of Object.entries(patch)) {
    // The patch edits the effective value (a node group replaced whole must stay complete).
    const base = mergeSetting(k.slice("platform:".length), defaults[k]?.value, stackFile[k]?.value);
    const value = v !== null && typeof v === "object" && !Array.isArray(v) ? deepMerge(base ?? {}, v) : v;
    out[k] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

export function problems(
  stack: string,
  patch: Record<string, unknown>,
  fromStack = stack,
  secretKeys: ReadonlySet<string> = new Set(),
): string[] {
  try {
    resolveSettings(stack, raw(stack, patch, fromStack), undefined, secretKeys);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    // Every problem names its file and its full key (or the stack) before anything else.
    for (const p of e.problems)
      assert.match(p, /^Pulumi(\.[a-z]+)?\.yaml: ([a-z]+:[\w.:/-]*|stack "[^"]+"): \S/, p);
    return e.problems;
  }
  return assert.fail("expected the configuration to be rejected");
}
