import { z } from "zod";

// Kubernetes' own syntax rules, from k8s.io/apimachinery (pkg/util/validation/validation.go and
// pkg/api/resource/quantity.go). No maintained npm package validates them: @kubernetes/client-node's
// quantityToScalar converts leniently (an empty string is 0), so the grammar is restated here with its source.

/** IsDNS1123Label / IsDNS1123Subdomain. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** qualifiedNameFmt, also the label value format (labelValueFmt), each at most 63 characters. */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/**
 * "The kubernetes.io/ and k8s.io/ prefixes are reserved for Kubernetes core components"
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set).
 */
const RESERVED_LABEL_PREFIX = /(^|\.)(kubernetes\.io|k8s\.io)$/;

/** IsQualifiedName plus the reserved prefixes; the reason, or undefined when the key is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
    return "a label key prefix must be a DNS subdomain of at most 253 characters";
  if (name.length > 63 || !QUALIFIED_NAME.test(name))
    return "a label key name is 1–63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  if (prefix !== undefined && RESERVED_LABEL_PREFIX.test(prefix))
    return "the kubernetes.io/ and k8s.io/ prefixes are reserved for Kubernetes";
  return undefined;
}

/** IsValidLabelValue: empty, or at most 63 of the name characters, starting and ending alphanumeric. */
export const isLabelValue = (v: string) => v === "" || (v.length <= 63 && QUALIFIED_NAME.test(v));

export const labels = z.record(z.string(), z.string("expected a string")).superRefine((map, ctx) => {
  for (const [k, v] of Object.entries(map)) {
    const problem = labelKeyProblem(k);
    if (problem)
      ctx.addIssue({ code: "custom", path: [k], message: `allowed: a Kubernetes label key (${problem})` });
    else if (!isLabelValue(v))
      ctx.addIssue({
        code: "custom",
        path: [k],
        message:
          "allowed: a Kubernetes label value: up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (no spaces or '/')",
      });
  }
});

export const namespace = z
  .string("expected a string")
  .regex(DNS1123_LABEL, "allowed: a Kubernetes namespace name (lowercase letters, digits and '-')")
  .max(63, "allowed: a Kubernetes namespace name of at most 63 characters");

/**
 * A namespace this program deploys into. "Avoid creating namespaces with the prefix kube-, since it is reserved for
 * Kubernetes system namespaces" (https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/).
 */
export const workloadNamespace = namespace.refine(
  (n) => !n.startsWith("kube-"),
  "allowed: a namespace outside kube-*, which Kubernetes reserves for its own system namespaces",
);

/**
 * resource.Quantity's grammar (apimachinery pkg/api/resource/quantity.go):
 *   <quantity> ::= <signedNumber><suffix>; <number> ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix> ::= Ki | Mi | Gi | Ti | Pi | Ei | m | "" | k | M | G | T | P | E | e<signedNumber> | E<signedNumber>
 */
const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const MULTIPLIER: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export interface Quantity {
  value: number;
  suffix: string;
}

export function parseQuantity(q: string): Quantity | undefined {
  const m = QUANTITY.exec(q);
  if (!m) return undefined;
  const [, sign, digits, suffix = ""] = m;
  const scale = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : MULTIPLIER[suffix];
  return { value: (sign === "-" ? -1 : 1) * Number(digits) * scale, suffix };
}

/**
 * `pulumi config set --path` writes integers as numbers ("integers are treated as numbers", pulumi config set docs):
 * a whole number of cores is taken as that quantity; anything else must be a string.
 */
const integerAsString = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v);

const quantity = (noun: string, what: string, suffixes: string[], example: string) =>
  z.preprocess(
    integerAsString,
    z
      .string(`expected a string; quote it, or set it with pulumi config set --path --type string`)
      .superRefine((s, ctx) => {
        const q = parseQuantity(s);
        const add = (message: string) => ctx.addIssue({ code: "custom", message });
        if (!q || !suffixes.includes(q.suffix)) return add(`allowed: ${what}, such as ${example}`);
        if (q.value <= 0)
          add(`allowed: more than 0 (a zero or negative ${noun} request cannot be scheduled)`);
      }),
  );

/** CPU in cores or millicores ("1", "0.5", "250m"). */
export const cpu = quantity("CPU", "a CPU quantity in cores or millicores", ["", "m"], '"250m" or "1"');
/** Memory in Mi or Gi (this project's convention; Kubernetes accepts more suffixes). */
export const memory = quantity("memory", "a memory quantity in Mi or Gi", ["Mi", "Gi"], '"256Mi"');

export const quantityValue = (q: string) => parseQuantity(q)?.value ?? NaN;
