/**
 * Real `helm` (.tools/bin/helm, scripts/install-chart-tools.sh) against the test control plane: install, upgrade
 * and uninstall with --wait, exactly as helm.v3.Release drives a release.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { kubeVersion, ROOT, toolPath, writeValues } from "../charts/tools";

export interface HelmResult {
  ok: boolean;
  output: string;
  seconds: number;
}

export interface Release {
  name: string;
  namespace: string;
}

// A helm still waiting when the run dies must not outlive it.
const running = new Set<ChildProcess>();
process.on("exit", () => running.forEach((c) => c.kill("SIGKILL")));

export function helm(kubeconfig: string, args: string[]): Promise<HelmResult> {
  const started = Date.now();
  const helmHome = path.join(ROOT, ".tools", "helm");
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath("helm"), [...args, "--kubeconfig", kubeconfig], {
      env: {
        ...process.env,
        HELM_CACHE_HOME: path.join(helmHome, "cache"),
        HELM_CONFIG_HOME: path.join(helmHome, "config"),
        HELM_DATA_HOME: path.join(helmHome, "data"),
      },
    });
    running.add(child);
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => {
      running.delete(child);
      resolve({ ok: code === 0, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** `helm upgrade --install --wait`: a first install or an upgrade, waiting for the rollout like Pulumi does. */
export function deploy(
  kubeconfig: string,
  release: Release,
  chart: string,
  values: object,
  timeoutSeconds: number,
): Promise<HelmResult> {
  return helm(kubeconfig, [
    "upgrade",
    "--install",
    release.name,
    chart,
    "--namespace",
    release.namespace,
    "--create-namespace",
    "--values",
    writeValues(values),
    "--wait",
    "--timeout",
    `${timeoutSeconds}s`,
  ]);
}

export async function uninstall(kubeconfig: string, release: Release): Promise<void> {
  const r = await helm(kubeconfig, [
    "uninstall",
    release.name,
    "--namespace",
    release.namespace,
    "--ignore-not-found",
    "--wait",
    "--timeout",
    "120s",
  ]);
  if (!r.ok) throw new Error(`helm uninstall ${release.name} failed:\n${r.output}`);
}

/** `helm template` for the release's name and namespace at the cluster's version. */
export function template(
  kubeconfig: string,
  release: Release,
  chart: string,
  values: object,
): Promise<HelmResult> {
  return helm(kubeconfig, [
    "template",
    release.name,
    chart,
    "--namespace",
    release.namespace,
    "--kube-version",
    kubeVersion(),
    "--values",
    writeValues(values),
  ]);
}
