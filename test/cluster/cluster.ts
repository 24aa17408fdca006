/**
 * What the suite does to the control plane: shape it like an environment (kwok nodes, the other workloads' requests),
 * read where pods went and why, drain a node through the Eviction API, and clean up for the next environment.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kube } from "./kube";
import type { EnvironmentShape, NodeShape } from "./shapes";

const FAKE = { "kwok.x-k8s.io/node": "fake" };
const SUITE_LABEL = "platform.example.com/cluster-test";
/** Stands in for the add-ons and DaemonSets of the environment (their requests only). */
export const OTHERS_NAMESPACE = "cluster-test-others";
/** Taints the node-lifecycle controller sets when a node stops heartbeating: kwok's heartbeat stage must prevent them. */
export const LIFECYCLE_TAINTS = ["node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s: ${what}`);
    await sleep(500);
  }
}

export async function createNode(kube: Kube, n: NodeShape): Promise<void> {
  await kube.create("/api/v1/nodes", {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: n.name, annotations: FAKE, labels: { ...n.labels, [SUITE_LABEL]: "true" } },
    spec: { taints: n.taints },
    // kwok (--manage-nodes-with-annotation-selector) reports conditions and heartbeats; capacity is ours.
    status: { allocatable: n.allocatable, capacity: n.allocatable },
  });
}

/** Nodes shaped like the environment, Ready, each holding its share of the other workloads' requests. */
export async function shapeCluster(kube: Kube, shape: EnvironmentShape): Promise<void> {
  await kube.ensure("/api/v1/namespaces", { metadata: { name: OTHERS_NAMESPACE } });
  for (const n of shape.nodes) await createNode(kube, n);
  await waitNodesReady(
    kube,
    shape.nodes.map((n) => n.name),
  );
  for (const n of shape.nodes) await placeOthers(kube, n.name, shape);
}

export async function waitNodesReady(kube: Kube, names: string[]): Promise<void> {
  await until(`nodes Ready: ${names.join(", ")}`, 60_000, async () => {
    const nodes = await kube.list("/api/v1/nodes", { label: SUITE_LABEL });
    const ready = nodes.filter((n) =>
      n.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"),
    );
    return names.every((name) => ready.some((n) => n.metadata.name === name));
  });
  // The node-lifecycle controller removes the not-ready taint every new node gets; nothing schedules before that.
  await until("new nodes untainted", 60_000, async () => {
    const nodes = await kube.list("/api/v1/nodes", { label: SUITE_LABEL });
    return nodes
      .filter((n) => names.includes(n.metadata.name))
      .every((n) => !(n.spec.taints ?? []).some((t: any) => LIFECYCLE_TAINTS.includes(t.key)));
  });
}

/** One pod per node with the requests the rest of the environment puts there, bound directly to the node. */
export async function placeOthers(kube: Kube, node: string, shape: EnvironmentShape): Promise<void> {
  await kube.create(`/api/v1/namespaces/${OTHERS_NAMESPACE}/pods`, {
    metadata: { name: `others-${node}`, labels: { [SUITE_LABEL]: "true" } },
    spec: {
      nodeName: node,
      containers: [
        {
          name: "requests",
          image: "registry.k8s.io/pause:3.10",
          resources: {
            requests: { cpu: `${shape.others.cpuMillis}m`, memory: `${shape.others.memoryMiB}Mi` },
          },
        },
      ],
    },
  });
}

/** Removes the environment's nodes and stand-in pods, so the next environment starts from an empty cluster. */
export async function resetCluster(kube: Kube): Promise<void> {
  const grace0 = "?gracePeriodSeconds=0";
  for (const p of await kube.list(`/api/v1/namespaces/${OTHERS_NAMESPACE}/pods`).catch(() => []))
    await kube
      .delete(`/api/v1/namespaces/${OTHERS_NAMESPACE}/pods/${p.metadata.name}${grace0}`)
      .catch(() => {});
  for (const n of await kube.list("/api/v1/nodes", { label: SUITE_LABEL }))
    await kube.delete(`/api/v1/nodes/${n.metadata.name}`);
  await until("nodes removed", 60_000, async () => (await kube.list("/api/v1/nodes")).length === 0);
  // helm uninstall --wait waits for the Deployment, not its pods: pods a previous release left behind would be bound
  // to the next environment's nodes of the same name and count in its anti-affinity and readiness.
  await until("pods of removed nodes deleted", 60_000, async () => {
    const bound = (await kube.list("/api/v1/pods")).filter((p) => p.spec.nodeName);
    for (const p of bound)
      await kube
        .delete(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}${grace0}`)
        .catch(() => {});
    return bound.length === 0;
  });
}

export interface PodView {
  name: string;
  node?: string;
  zone?: string;
  image: string;
  ready: boolean;
  terminating: boolean;
  /** The scheduler's reason when the pod is Pending (PodScheduled=False). */
  unschedulable?: string;
}

export async function releasePods(kube: Kube, namespace: string, release: string): Promise<PodView[]> {
  const [pods, nodes] = await Promise.all([
    kube.list(`/api/v1/namespaces/${namespace}/pods`, { label: `app.kubernetes.io/instance=${release}` }),
    kube.list("/api/v1/nodes"),
  ]);
  const zoneOf = new Map<string, string>(
    nodes.map((n) => [n.metadata.name, n.metadata.labels["topology.kubernetes.io/zone"]]),
  );
  return pods.map((p) => {
    const scheduled = p.status?.conditions?.find((c: any) => c.type === "PodScheduled");
    return {
      name: p.metadata.name,
      node: p.spec.nodeName,
      zone: p.spec.nodeName ? zoneOf.get(p.spec.nodeName) : undefined,
      image: p.spec.containers[0].image,
      ready: p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ?? false,
      terminating: Boolean(p.metadata.deletionTimestamp),
      unschedulable: scheduled?.status === "False" ? scheduled.message : undefined,
    };
  });
}

/** Taints the node-lifecycle controller put on any node (none, while kwok heartbeats). */
export async function lifecycleTaints(kube: Kube): Promise<string[]> {
  const nodes = await kube.list("/api/v1/nodes");
  return nodes.flatMap((n) =>
    (n.spec.taints ?? [])
      .filter((t: any) => LIFECYCLE_TAINTS.includes(t.key))
      .map((t: any) => `${n.metadata.name}: ${t.key}`),
  );
}

export interface DrainResult {
  evicted: string[];
  /** Evictions the apiserver refused with 429 because the PodDisruptionBudget allowed no more disruptions. */
  refusedByPdb: number;
  seconds: number;
}

/**
 * `kubectl drain` for the release's pods: cordon, then evict every pod on the node through the Eviction API,
 * retrying a 429 (PDB exhausted) the way kubectl does, until the node holds none of them.
 */
export async function drain(
  kube: Kube,
  node: string,
  namespace: string,
  release: string,
): Promise<DrainResult> {
  const started = Date.now();
  await kube.patch(`/api/v1/nodes/${node}`, { spec: { unschedulable: true } });
  const result: DrainResult = { evicted: [], refusedByPdb: 0, seconds: 0 };
  await until(`drain of ${node}`, 120_000, async () => {
    const pods = (await releasePods(kube, namespace, release)).filter((p) => p.node === node);
    if (pods.length === 0) return true;
    // All at once, as kubectl drain does (one goroutine per pod): the PDB decides how many go.
    const statuses = await Promise.all(
      pods.filter((p) => !p.terminating).map(async (p) => ({ p, r: await kube.evict(namespace, p.name) })),
    );
    for (const { p, r } of statuses) {
      if (r.status === 201) result.evicted.push(p.name);
      else if (r.status === 429) result.refusedByPdb++;
      else if (r.status !== 404) throw new Error(`evicting ${p.name}: HTTP ${r.status} ${r.body?.message}`);
    }
    return false;
  });
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

export async function uncordon(kube: Kube, node: string): Promise<void> {
  await kube.patch(`/api/v1/nodes/${node}`, { spec: { unschedulable: false } });
}

/** Sets the Deployment's replicas through its scale subresource, as the HPA controller does. */
export async function scale(kube: Kube, namespace: string, name: string, replicas: number): Promise<void> {
  await kube.patch(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`, { spec: { replicas } });
}

/** Every CRD file in `dir` that defines one of `kinds`, created through the API and waited for. */
export async function installCrds(kube: Kube, dir: string, kinds: Set<string>): Promise<string[]> {
  const { parse } = await import("yaml");
  const installed: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    const crd = parse(fs.readFileSync(path.join(dir, file), "utf8"));
    if (crd?.kind !== "CustomResourceDefinition" || !kinds.has(crd.spec.names.kind)) continue;
    await kube.ensure("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    await until(`CRD ${crd.metadata.name} established`, 30_000, async () => {
      const c = await kube.get(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      );
      return c.status?.conditions?.some((x: any) => x.type === "Established" && x.status === "True");
    });
    installed.push(crd.spec.names.kind);
  }
  return installed;
}
