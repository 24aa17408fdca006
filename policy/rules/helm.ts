import type { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, forTypes, keysOf, label, peek, peekPath } from "./common";

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

/** An exact chart version: MAJOR.MINOR.PATCH, optional leading "v", pre-release and build metadata. No ranges. */
export const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const LOCAL_CHART = /^(\.{1,2}\/|\/|charts\/)/;

export const helmPinnedChartVersion: ResourceValidationPolicy = {
  name: "helm-pinned-chart-version",
  description: "Helm releases pin an exact chart version (no ranges, no empty version).",
  severity: "high",
  validateResource: forTypes([HELM_RELEASE], (props, args, report) => {
    const version = peek(props, "version");
    if (version === UNKNOWN) return;
    const chart = peek(props, "chart");
    if (typeof version === "string" && EXACT_VERSION.test(version.trim())) return;
    const local = typeof chart === "string" && LOCAL_CHART.test(chart);
    const shown =
      version === undefined || version === "" ? "no version" : `version ${JSON.stringify(version)}`;
    report(
      `${label(args.type, args.name)} (chart ${JSON.stringify(chart)}) has ${shown}, not an exact version. ` +
        (local
          ? `Fix: set version to the version in the chart's Chart.yaml.`
          : `Fix: pin version to one exact release such as "1.2.3" (no ^, ~, >=, x, * or empty).`),
    );
  }),
};

export const helmHttpsRepository: ResourceValidationPolicy = {
  name: "helm-https-repository",
  description: "Helm chart repositories are fetched over HTTPS or OCI.",
  severity: "medium",
  validateResource: forTypes([HELM_RELEASE], (props, args, report) => {
    const repo = peekPath(props, "repositoryOpts", "repo");
    if (typeof repo === "string" && /^http:\/\//i.test(repo)) {
      report(
        `${label(args.type, args.name)} downloads its chart over plain HTTP (${repo}). ` +
          `Fix: use the https:// (or oci://) address of the repository.`,
      );
    }
  }),
};

/** Calls `visit(key, value, path)` for every entry of a values tree; unknown values are skipped. */
export function walkValues(
  node: unknown,
  visit: (key: string, value: unknown, path: string, parent: unknown) => void,
  path = "values",
): void {
  if (node === null || typeof node !== "object") return;
  const isArray = Array.isArray(node);
  const keys = isArray ? [...Array((node as unknown[]).length).keys()].map(String) : keysOf(node);
  for (const key of keys) {
    const value = peek(node, isArray ? Number(key) : key);
    if (value === UNKNOWN || value === undefined) continue;
    const at = isArray ? `${path}[${key}]` : `${path}.${key}`;
    visit(key, value, at, node);
    walkValues(value, visit, at);
  }
}

/** Splits an image reference into what pins it; `registry:5000/app` has no tag. */
export function imageRefPin(ref: string): { tag?: string; digest?: string } {
  const at = ref.indexOf("@");
  if (at >= 0) return { digest: ref.slice(at + 1) };
  const last = ref.slice(ref.lastIndexOf("/") + 1);
  const colon = last.indexOf(":");
  return colon >= 0 ? { tag: last.slice(colon + 1) } : {};
}

const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._\-/:]*(@sha256:[a-f0-9]{64})?$/;
const IMAGE_KEY = /(^image$|image(name|ref)?$)/i;
const isLatest = (tag: unknown) => typeof tag === "string" && tag.trim().toLowerCase() === "latest";
const present = (v: unknown) =>
  v === UNKNOWN || (typeof v === "string" && v.trim() !== "") || typeof v === "number";

export const helmNoLatestImages: ResourceValidationPolicy = {
  name: "helm-no-latest-images",
  description: "Images in Helm values are pinned by tag or digest, never `latest` or tagless.",
  severity: "high",
  validateResource: forTypes([HELM_RELEASE], (props, args, report) => {
    const where = label(args.type, args.name);
    walkValues(peek(props, "values"), (key, value, path) => {
      if (typeof value === "string") {
        const ref = value.trim();
        if (/:latest$/i.test(ref) && IMAGE_REF.test(ref)) {
          report(`${where}: ${path} is "${ref}", a moving tag. Fix: use an exact version tag or a digest.`);
        } else if (IMAGE_KEY.test(key) && ref !== "" && IMAGE_REF.test(ref)) {
          const pin = imageRefPin(ref);
          if (!pin.digest && !pin.tag) {
            report(
              `${where}: ${path} "${ref}" has no tag or digest. Fix: append :<version> or @sha256:<digest>.`,
            );
          }
        }
        return;
      }
      // An image object: { repository, tag | digest } (charts also spell the digest `sha`).
      const repository = peek(value, "repository");
      if (!/image/i.test(key) || (typeof repository !== "string" && repository !== UNKNOWN)) return;
      // A repository that carries its own tag or digest is checked as a string above.
      if (typeof repository === "string" && (imageRefPin(repository).digest || imageRefPin(repository).tag))
        return;
      const tag = peek(value, "tag");
      if (present(peek(value, "digest")) || present(peek(value, "sha"))) return;
      if (isLatest(tag)) {
        report(
          `${where}: ${path}.tag is "latest". Fix: set ${path}.tag to an exact version or ${path}.digest.`,
        );
      } else if (!present(tag)) {
        report(`${where}: ${path}.repository has no tag or digest. Fix: set ${path}.tag or ${path}.digest.`);
      }
    });
  }),
};

/** Keys whose value is secret material. */
const SENSITIVE_KEY = /pass(word)?|secret|token|api[-_]?key/i;
/** Keys that hold the NAME of a Kubernetes Secret, or of a key inside one, rather than the secret itself. */
const REFERENCE_KEY = /^existing|secret(name|ref)$|(key|secret)$/i;
/** Reference-shaped keys that nonetheless conventionally hold the material itself. */
const MATERIAL_KEYS = new Set([
  "apikey",
  "accesskey",
  "secretkey",
  "secretaccesskey",
  "privatekey",
  "clientsecret",
  "sharedsecret",
  "webhooksecret",
  "signingkey",
  "encryptionkey",
  "secret",
]);
/** A Secret name or data key: what a reference can legitimately hold. */
const REFERENCE_VALUE = /^[-._A-Za-z0-9]{1,253}$/;

/** Why a values entry is a plaintext credential, or undefined when it is fine. */
export function plaintextCredential(key: string, value: unknown, parent: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  if (SENSITIVE_KEY.test(key)) {
    const normalized = key.toLowerCase().replace(/[-_]/g, "");
    const reference =
      REFERENCE_KEY.test(key) && !MATERIAL_KEYS.has(normalized) && REFERENCE_VALUE.test(value);
    return reference ? undefined : `key "${key}" holds a literal value`;
  }
  // Container env entries: { name: DB_PASSWORD, value: "…" }.
  const name = peek(parent, "name");
  if (key === "value" && typeof name === "string" && SENSITIVE_KEY.test(name)) {
    return `env var ${name} holds a literal value`;
  }
  return undefined;
}

export const helmNoPlaintextPasswords: ResourceValidationPolicy = {
  name: "helm-no-plaintext-passwords",
  description: "Helm values never contain passwords, tokens or API keys; they reference Kubernetes Secrets.",
  severity: "critical",
  validateResource: forTypes([HELM_RELEASE], (props, args, report) => {
    walkValues(peek(props, "values"), (key, value, path, parent) => {
      const why = plaintextCredential(key, value, parent);
      if (why) {
        report(
          `${label(args.type, args.name)}: ${path} ${why} (a credential in Helm values lands in the release ` +
            `secret and state, Pulumi secret or not). Fix: put it in a Kubernetes Secret and reference it ` +
            `(existingSecret / secretKeyRef).`,
        );
      }
    });
  }),
};

export const helmPolicies = [
  helmPinnedChartVersion,
  helmHttpsRepository,
  helmNoLatestImages,
  helmNoPlaintextPasswords,
];
