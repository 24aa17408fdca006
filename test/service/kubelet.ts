/**
 * What the kubelet does with a rendered pod spec, for running the service binary on this machine: the container's
 * environment (ConfigMap, literals, downward API), its Secret volumes written as files, and HTTP probes. Anything
 * the model does not understand is an error, never skipped: a chart change must be understood to be tested.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { K8sObject } from "../charts/tools";

export type Secrets = Record<string, Record<string, string>>;

const BINARY_SUFFIX: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL_SUFFIX: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A memory quantity in bytes, as the downward API's resourceFieldRef (divisor 1) gives it. */
export function bytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) throw new Error(`unsupported memory quantity ${quantity}`);
  const suffix = m[2] ?? "";
  return Number(m[1]) * (BINARY_SUFFIX[suffix] ?? DECIMAL_SUFFIX[suffix]);
}

const byKind = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`the chart references ${kind} ${name}, which it does not render`);
  return found;
};

/**
 * Writes the container's volumes under `root` (a mountPath /a/b becomes root/a/b) and returns the mapping. Secret
 * volumes take their keys from `secrets`: a Secret or key the platform does not provide fails, as the pod would
 * fail to start.
 */
export function mountVolumes(pod: any, container: any, secrets: Secrets, root: string): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name} has no volume`);
    const dir = path.join(root, mount.mountPath);
    fs.mkdirSync(dir, { recursive: true });
    if (volume.secret) {
      const data = secrets[volume.secret.secretName];
      if (!data) throw new Error(`volume ${mount.name}: Secret ${volume.secret.secretName} does not exist`);
      const items: { key: string; path: string }[] =
        volume.secret.items ?? Object.keys(data).map((key) => ({ key, path: key }));
      for (const { key, path: file } of items) {
        if (!(key in data))
          throw new Error(`volume ${mount.name}: Secret ${volume.secret.secretName} has no ${key}`);
        fs.writeFileSync(path.join(dir, file), data[key], { mode: 0o440 });
      }
    } else if (!volume.emptyDir) {
      throw new Error(`volume ${mount.name}: only secret and emptyDir volumes are modelled`);
    }
    mounts.set(mount.mountPath, dir);
  }
  return mounts;
}

/**
 * The container's environment, exactly: envFrom ConfigMaps, then env (literals, the downward API's limits). A path
 * under a mount is rewritten to where mountVolumes put it. Secrets in env vars are refused (the database interface
 * mounts them as files).
 */
export function containerEnv(
  objects: K8sObject[],
  container: any,
  mounts: Map<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef) throw new Error(`unsupported envFrom ${JSON.stringify(source)}`);
    Object.assign(env, byKind(objects, "ConfigMap", source.configMapRef.name).data);
  }
  for (const e of container.env ?? []) {
    if ("value" in e) env[e.name] = String(e.value);
    else if (e.valueFrom?.resourceFieldRef?.resource === "limits.memory")
      env[e.name] = String(bytes(container.resources.limits.memory));
    else if (e.valueFrom?.secretKeyRef)
      throw new Error(
        `${e.name} reads Secret ${e.valueFrom.secretKeyRef.name} into an env var: mount it as a file`,
      );
    else throw new Error(`unsupported env ${JSON.stringify(e)}`);
  }
  for (const [name, value] of Object.entries(env)) {
    for (const [mountPath, dir] of mounts) {
      if (value === mountPath || value.startsWith(`${mountPath}/`))
        env[name] = dir + value.slice(mountPath.length);
    }
  }
  return env;
}

/** A container port by name or number. */
export function containerPort(container: any, port: string | number): number {
  if (typeof port === "number") return port;
  const found = container.ports.find((p: any) => p.name === port);
  if (!found) throw new Error(`the container has no port named ${port}`);
  return found.containerPort;
}

export interface Response {
  status: number;
  body: string;
}

/** One HTTP GET with the probe's timeout; a timeout or refused connection is status 0. */
export function get(port: number, urlPath: string, timeoutMs: number): Promise<Response> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, timeout: timeoutMs }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve({ status: 0, body: err.message }));
  });
}

/** The kubelet's httpGet success: 200 to 399 within timeoutSeconds. */
export const succeeded = (r: Response) => r.status >= 200 && r.status < 400;

/**
 * Runs an httpGet probe as the kubelet does: every periodSeconds until it succeeds once (successThreshold 1) or
 * fails failureThreshold times in a row. Returns the attempts it took, or throws with the last response.
 */
export async function probe(container: any, name: string, probeSpec: any): Promise<number> {
  const { httpGet, periodSeconds = 10, timeoutSeconds = 1, failureThreshold = 3 } = probeSpec;
  if (!httpGet) throw new Error(`${name}: only httpGet probes are modelled`);
  const port = containerPort(container, httpGet.port);
  let last: Response = { status: 0, body: "" };
  for (let attempt = 1; attempt <= failureThreshold; attempt++) {
    last = await get(port, httpGet.path, timeoutSeconds * 1000);
    if (succeeded(last)) return attempt;
    await new Promise((r) => setTimeout(r, periodSeconds * 1000));
  }
  throw new Error(
    `${name} probe GET ${httpGet.path} failed ${failureThreshold} times: ${last.status} ${last.body}`,
  );
}
