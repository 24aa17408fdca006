/**
 * Runs the pinned chart tools (helm, kubeconform, kube-score) from .tools/bin against charts/go-service.
 * scripts/install-chart-tools.sh installs them and the offline JSON schemas; a missing tool is an error,
 * never a skipped check.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";

export const ROOT = path.resolve(__dirname, "..", "..");
export const CHART_DIR = path.join(ROOT, "charts", "go-service");
const TOOLS_DIR = path.join(ROOT, ".tools");
const SCHEMAS_DIR = path.join(TOOLS_DIR, "schemas");
const INSTALL_HINT = "run scripts/install-chart-tools.sh";

export type Tool = "helm" | "kubeconform" | "kube-score";
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: any };
  [key: string]: any;
};
export interface Rendered {
  manifest: string;
  objects: K8sObject[];
}
export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** KEY=VALUE pins shared with the install script. */
export function toolVersions(): Record<string, string> {
  const text = fs.readFileSync(path.join(ROOT, "scripts", "chart-tools.versions"), "utf8");
  return Object.fromEntries(
    text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"))
      .map((line) => line.split("=", 2) as [string, string]),
  );
}

/** Kubernetes version that helm renders and lints for (the schemas' version, without the leading "v"). */
export function kubeVersion(): string {
  return toolVersions().KUBERNETES_VERSION.replace(/^v/, "");
}

export function toolPath(tool: Tool): string {
  const file = path.join(TOOLS_DIR, "bin", tool);
  if (!fs.existsSync(file)) throw new Error(`${tool} not found at ${file}: ${INSTALL_HINT}`);
  return file;
}

function schemaLocations(): string[] {
  const stamp = path.join(SCHEMAS_DIR, ".stamp");
  if (!fs.existsSync(stamp))
    throw new Error(`kubeconform schemas not found in ${SCHEMAS_DIR}: ${INSTALL_HINT}`);
  return ["kubernetes", "crds"].map((d) =>
    path.join(SCHEMAS_DIR, d, "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"),
  );
}

export function run(tool: Tool, args: string[], input?: string): RunResult {
  const helmHome = path.join(TOOLS_DIR, "helm");
  const result = spawnSync(toolPath(tool), args, {
    input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    // Keep helm's cache/config out of the user's home and away from any repositories configured there.
    env: {
      ...process.env,
      HELM_CACHE_HOME: path.join(helmHome, "cache"),
      HELM_CONFIG_HOME: path.join(helmHome, "config"),
      HELM_DATA_HOME: path.join(helmHome, "data"),
    },
  });
  if (result.error) throw result.error;
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

function failure(step: string, label: string, result: RunResult): Error {
  return new Error(`${step} failed for ${label} (exit ${result.status}):\n${result.stdout}${result.stderr}`);
}

let tmpDir: string | undefined;
/** Writes a values object to a temporary YAML file (removed when the process exits). */
export function writeValues(values: object): string {
  if (!tmpDir) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-values-"));
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    tmpDir = dir;
  }
  const file = path.join(tmpDir, `values-${fs.readdirSync(tmpDir).length}.yaml`);
  fs.writeFileSync(file, stringify(values));
  return file;
}

/** Values of a chart test case in charts/go-service/ci/. */
export function ciValues(file: string): Record<string, any> {
  return parse(fs.readFileSync(path.join(CHART_DIR, "ci", file), "utf8")) ?? {};
}

export const RELEASE = { name: "go-service", namespace: "apps" };

/** `helm template` with the values; the raw result, for tests that expect a failure. */
export function helmTemplate(values: object, releaseName = RELEASE.name): RunResult {
  return run("helm", [
    "template",
    releaseName,
    CHART_DIR,
    "--namespace",
    RELEASE.namespace,
    "--kube-version",
    kubeVersion(),
    "--values",
    writeValues(values),
  ]);
}

export function parseManifest(manifest: string): K8sObject[] {
  return parseAllDocuments(manifest)
    .map((doc) => doc.toJS())
    .filter((obj) => obj);
}

/** Renders the chart or throws with helm's output. */
export function render(values: object, label = "values", releaseName = RELEASE.name): Rendered {
  const result = helmTemplate(values, releaseName);
  if (result.status !== 0) throw failure("helm template", label, result);
  return { manifest: result.stdout, objects: parseManifest(result.stdout) };
}

export function helmLint(values: object, label = "values"): void {
  const args = [
    "lint",
    CHART_DIR,
    "--strict",
    "--kube-version",
    kubeVersion(),
    "--values",
    writeValues(values),
  ];
  const result = run("helm", args);
  if (result.status !== 0) throw failure("helm lint --strict", label, result);
}

/** Every object must match a local schema: built-in kinds and CRDs alike (no -ignore-missing-schemas). */
export function kubeconform(manifest: string, label = "manifest"): void {
  const args = ["-strict", "-summary", "-output", "text"];
  for (const location of schemaLocations()) args.push("-schema-location", location);
  const result = run("kubeconform", [...args, "-"], manifest);
  if (result.status !== 0) throw failure("kubeconform", label, result);
}

/** CLI flags from .kube-score.yaml: lists repeat the flag, `true` is a bare flag. */
export function kubeScoreFlags(): string[] {
  const config = parse(fs.readFileSync(path.join(ROOT, ".kube-score.yaml"), "utf8")) ?? {};
  return Object.entries(config).flatMap(([key, value]) => {
    if (Array.isArray(value)) return value.flatMap((v) => [`--${key}`, String(v)]);
    if (value === true) return [`--${key}`];
    throw new Error(`.kube-score.yaml: ${key} must be a list or true`);
  });
}

/** kube-score with its default checks plus .kube-score.yaml; any WARNING or CRITICAL is a failure. */
export function kubeScore(manifest: string, label = "manifest", extraFlags: string[] = []): void {
  const args = ["score", "--output-format", "ci", ...kubeScoreFlags(), ...extraFlags, "-"];
  const result = run("kube-score", args, manifest);
  const findings = result.stdout.split("\n").filter((line) => /^\[(WARNING|CRITICAL)\]/.test(line));
  if (findings.length > 0 || result.status !== 0) {
    throw new Error(`kube-score found problems for ${label}:\n${findings.join("\n") || result.stderr}`);
  }
}

export interface CheckOptions {
  /**
   * Accept a single replica (kube-score's deployment-replicas and horizontalpodautoscaler-replicas checks).
   * For environments that run one pod on purpose (cost); leave it off for production.
   */
  allowSingleReplica?: boolean;
}

/**
 * Full check of one set of values (e.g. an environment's effective values): helm lint --strict, helm template,
 * kubeconform -strict against the offline schemas, and kube-score. Throws with the tool output on failure.
 */
export function checkRenderedChart(values: object, label: string, options: CheckOptions = {}): Rendered {
  helmLint(values, label);
  const rendered = render(values, label);
  kubeconform(rendered.manifest, label);
  const replicaChecks = ["deployment-replicas", "horizontalpodautoscaler-replicas"];
  kubeScore(
    rendered.manifest,
    label,
    options.allowSingleReplica ? replicaChecks.flatMap((t) => ["--ignore-test", t]) : [],
  );
  return rendered;
}
