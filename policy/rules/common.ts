import type {
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
} from "@pulumi/policy";
import { UnknownValueError } from "../runtime";

/** Marks a value the engine does not know yet (preview of an input wired to another resource's output). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Maybe<T> = T | typeof UNKNOWN | undefined;

/**
 * Reads `obj[key]`. During preview the runtime's proxy throws on unknown values; here they become UNKNOWN, so a
 * rule can decide what an unknown means instead of being skipped ("can't run policy during preview").
 */
export function peek(obj: unknown, key: string | number): Maybe<any> {
  if (obj === null || typeof obj !== "object") return undefined;
  try {
    return unwrapSecret((obj as Record<string | number, unknown>)[key]);
  } catch (e) {
    if (e instanceof UnknownValueError) return UNKNOWN;
    throw e;
  }
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * The runtime unwraps secrets before policies see them; should one still arrive in wire form
 * ({ [sig]: secretSig, value }), read through it, so that a secret is judged by its value like any other.
 */
function unwrapSecret(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  return o[SIG_KEY] === SECRET_SIG ? unwrapSecret(o.value) : v;
}

/** `peek` along a path; stops at the first missing or unknown step. */
export function peekPath(obj: unknown, ...path: (string | number)[]): Maybe<any> {
  let cur: unknown = obj;
  for (const key of path) {
    cur = peek(cur, key);
    if (cur === undefined || cur === UNKNOWN) return cur;
  }
  return cur;
}

/** Keys of an object, tolerating proxies; unknown objects have none. */
export function keysOf(obj: unknown): string[] {
  if (obj === null || typeof obj !== "object") return [];
  try {
    return Object.keys(obj);
  } catch (e) {
    if (e instanceof UnknownValueError) return [];
    throw e;
  }
}

/** Array elements (each peeked), or UNKNOWN / undefined when the value is not a known array. */
export function listOf(value: Maybe<any>): Maybe<Maybe<any>[]> {
  if (value === UNKNOWN) return UNKNOWN;
  if (!Array.isArray(value)) return undefined;
  const out: Maybe<any>[] = [];
  for (let i = 0; i < value.length; i++) out.push(peek(value, i));
  return out;
}

export const label = (type: string, name: string) => `${type} "${name}"`;

/** Resource validation for the given type tokens only; other types are reported not applicable. */
export function forTypes(
  types: readonly string[],
  validate: (props: Record<string, any>, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
  return (args, report) => {
    if (!types.includes(args.type)) args.notApplicable(`applies only to ${types.join(", ")}`);
    validate(args.props, args, report);
  };
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>`: the engine always sends the URN, so it names the stack. */
export function stackOfUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1] : undefined;
}

export const PROD_STACKS: readonly string[] = ["prod"];
export const isProdUrn = (urn: string) => PROD_STACKS.includes(stackOfUrn(urn) ?? "");

/** Resources of the given types in a stack validation. */
export const ofTypes = (resources: PolicyResource[], types: readonly string[]) =>
  resources.filter((r) => types.includes(r.type));

/** Provider inputs are JSON-encoded strings on the wire (the SDK stringifies non-string provider args). */
export function providerInput(props: Record<string, any>, key: string): Maybe<any> {
  const v = peek(props, key);
  if (typeof v !== "string" || !/^[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
