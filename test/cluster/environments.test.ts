import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ENVIRONMENTS, stackOf } from "../harness";
import { CHART_DIR, parseManifest, ROOT } from "../charts/tools";
import {
  createNode,
  drain,
  installCrds,
  lifecycleTaints,
  releasePods,
  resetCluster,
  scale,
  shapeCluster,
  uncordon,
  until,
  waitNodesReady,
  type PodView,
} from "./cluster";
import { deploy, template, uninstall } from "./helm";
import { cluster } from "./setup";
import { environmentShape, type EnvironmentShape } from "./shapes";

const CRDS = path.join(ROOT, ".tools", "cluster", "crds");
const HELM_TIMEOUT = 120;

/** A digest CI never pushed: the "next image" of a promotion. */
const nextDigest = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;

const describePods = (pods: PodView[]) =>
  pods
    .map((p) => `${p.name} ${p.node ?? "Pending"}${p.unschedulable ? ` (${p.unschedulable})` : ""}`)
    .join("\n");

/**
 * Every environment's go-service release on a real kube-apiserver, kube-scheduler and kube-controller-manager, with
 * kwok nodes shaped like the environment (test/cluster/shapes.ts) and the exact values the program hands the release.
 */
for (const stack of ENVIRONMENTS) {
  describe(`${stack}: go-service on the real scheduler`, function () {
    let shape: EnvironmentShape;
    let values: Record<string, any>;
    const release = () => shape.release;
    const pods = () => releasePods(cluster().kube, release().namespace, release().name);
    const minPods = () => (values.autoscaling.enabled ? values.autoscaling.minReplicas : values.replicaCount);
    const deployment = () =>
      cluster().kube.get(`/apis/apps/v1/namespaces/${release().namespace}/deployments/${release().name}`);

    before(async function () {
      this.timeout(180_000);
      shape = environmentShape(await stackOf(stack));
      values = structuredClone(shape.release.values);
      const { kube, kubeconfig } = cluster();
      await resetCluster(kube);
      await shapeCluster(kube, shape);
      // The chart's ServiceMonitor needs the prometheus-operator CRDs (kube-prometheus-stack installs them).
      const rendered = await template(kubeconfig, release(), CHART_DIR, values);
      assert.ok(rendered.ok, rendered.output);
      const kinds = new Set(
        parseManifest(rendered.output)
          .filter((o) => o.apiVersion.startsWith("monitoring.coreos.com/"))
          .map((o) => o.kind),
      );
      // Namespaces other releases own in a real cluster: the dashboard ConfigMap goes to kube-prometheus-stack's.
      const foreign = new Set(
        parseManifest(rendered.output)
          .map((o) => o.metadata?.namespace)
          .filter((ns): ns is string => Boolean(ns) && ns !== release().namespace),
      );
      for (const ns of foreign)
        await kube.ensure("/api/v1/namespaces", {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: ns },
        });
      const installed = await installCrds(kube, CRDS, kinds);
      assert.deepEqual(
        new Set(installed),
        kinds,
        "CRDs for every prometheus-operator kind the chart renders",
      );
      console.log(
        `    ${stack}: ${shape.nodes.length} node(s) ${shape.nodes.map((n) => `${n.instanceType}@${n.zone}`).join(", ")}; ` +
          `allocatable ${JSON.stringify(shape.nodes[0].allocatable)}; others ${shape.others.cpuMillis}m/${shape.others.memoryMiB}Mi per node`,
      );
    });

    after(async function () {
      this.timeout(180_000);
      await uninstall(cluster().kubeconfig, release());
      assert.deepEqual(await lifecycleTaints(cluster().kube), [], "kwok heartbeats kept every node healthy");
    });

    it("installs with helm --wait, pods spread over the nodes and zones", async () => {
      const r = await deploy(cluster().kubeconfig, release(), CHART_DIR, values, HELM_TIMEOUT);
      assert.ok(r.ok, `helm install failed:\n${r.output}\n${describePods(await pods())}`);
      // Under an HPA the Deployment has no replicas field: it starts at 1 and the HPA raises it to minReplicas.
      const running = await until(`${minPods()} pods Ready`, 60_000, async () => {
        const ready = (await pods()).filter((p) => p.ready && !p.terminating);
        return ready.length === minPods() && ready;
      });
      const zones = new Set(running.map((p) => p.zone));
      const nodes = new Set(running.map((p) => p.node));
      assert.equal(
        nodes.size,
        Math.min(running.length, shape.nodes.length),
        "one pod per node while they last",
      );
      // Zones that hold nodes: a single-zone stack spans two in its VPC but keeps every node in one.
      const nodeZones = new Set(shape.nodes.map((n) => n.zone)).size;
      assert.equal(zones.size, Math.min(running.length, nodeZones, nodes.size), "zones used");
    });

    it("upgrades to a new image digest and the rollout completes", async () => {
      values.image.digest = nextDigest(1);
      const r = await deploy(cluster().kubeconfig, release(), CHART_DIR, values, HELM_TIMEOUT);
      assert.ok(r.ok, `helm upgrade failed:\n${r.output}\n${describePods(await pods())}`);
      const d = await deployment();
      assert.equal(d.status.updatedReplicas, d.spec.replicas);
      const live = (await pods()).filter((p) => !p.terminating);
      assert.ok(
        live.every((p) => p.ready && p.image.endsWith(`@${values.image.digest}`)),
        describePods(live),
      );
      console.log(`    ${stack}: rollout of ${live.length} pod(s) completed in ${r.seconds.toFixed(1)}s`);
    });

    it("runs the HPA's maxReplicas: scheduled, or Pending for capacity only and reported", async function () {
      this.timeout(900_000);
      if (!values.autoscaling.enabled) {
        console.log(`    ${stack}: no HPA (replicas ${values.replicaCount})`);
        this.skip();
      }
      const { kube } = cluster();
      const hpa = await kube.get(
        `/apis/autoscaling/v2/namespaces/${release().namespace}/horizontalpodautoscalers/${release().name}`,
      );
      const max = hpa.spec.maxReplicas;
      // No metrics-server here: set what the HPA controller would set at full load.
      await scale(kube, release().namespace, release().name, max);
      const settled = await until(`${max} pods Ready or reported unschedulable`, 60_000, async () => {
        const now = (await pods()).filter((p) => !p.terminating);
        return now.length === max && now.every((p) => p.ready || p.unschedulable) && now;
      });
      const pending = settled.filter((p) => !p.ready);
      const nodes = new Set(settled.filter((p) => p.ready).map((p) => p.node));
      console.log(
        `    ${stack}: HPA max ${max} on ${shape.nodes.length} node(s): ${max - pending.length} Running on ${nodes.size} node(s), ` +
          `${pending.length} Pending${pending.length ? `: ${pending[0].unschedulable}` : ""}`,
      );
      // Placement rules never hold pods back: whatever stays Pending lacks CPU or memory, which only more nodes fix.
      for (const p of pending)
        assert.match(p.unschedulable!, /Insufficient (cpu|memory)/, describePods(pending));
      for (const p of pending) assert.doesNotMatch(p.unschedulable!, /anti-affinity|topology spread/);
      if (pending.length === 0) {
        // Room for the surge at full scale too: a promotion at peak load still rolls.
        values.image.digest = nextDigest(2);
        // One surge pod at a time; kwok here turns a pod Ready up to ~20s late (docs/cluster-tests.md).
        const r = await deploy(cluster().kubeconfig, release(), CHART_DIR, values, HELM_TIMEOUT + 30 * max);
        assert.ok(
          r.ok,
          `helm upgrade at ${max} replicas failed:\n${r.output}\n${describePods(await pods())}`,
        );
        console.log(`    ${stack}: rollout at ${max} replicas completed in ${r.seconds.toFixed(1)}s`);
      }
      // Load gone: back to the HPA's minimum for the drain.
      await scale(kube, release().namespace, release().name, hpa.spec.minReplicas);
      await until("back to minReplicas", 60_000, async () => {
        const now = (await pods()).filter((p) => !p.terminating);
        return now.length === hpa.spec.minReplicas && now.every((p) => p.ready);
      });
    });

    it("drains a node through the Eviction API with the PDB holding while pods move", async () => {
      const { kube } = cluster();
      const ns = release().namespace;
      const before = (await pods()).filter((p) => !p.terminating && p.node);
      // The node with the most pods; a single-node environment first gets its replacement node, as a managed node
      // group's rolling update (or Karpenter) launches the new node before draining the old one.
      const counts = new Map<string, number>();
      for (const p of before) counts.set(p.node!, (counts.get(p.node!) ?? 0) + 1);
      const node = [...counts].sort((a, b) => b[1] - a[1])[0][0];
      if (shape.nodes.length === 1) {
        const replacement = { ...shape.nodes[0], name: `${shape.nodes[0].name}-replacement` };
        replacement.labels = { ...replacement.labels, "kubernetes.io/hostname": replacement.name };
        await createNode(kube, replacement);
        await waitNodesReady(kube, [replacement.name]);
      }
      const pdbs = await kube.list(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`);
      // A stack that can run more than one pod must be drained under a budget, whatever the chart's defaults say.
      const multi = values.autoscaling.enabled ? values.autoscaling.maxReplicas > 1 : values.replicaCount > 1;
      assert.equal(pdbs.length, multi ? 1 : 0, "PodDisruptionBudgets");
      const first = before.find((p) => p.node === node)!;
      // Every node cordoned for a moment, so the evicted pod's replacement stays Pending (kwok would make it Ready
      // within a second): with one pod away, the budget (maxUnavailable 1) must refuse a second disruption.
      const nodes = (await kube.list("/api/v1/nodes")).map((n) => n.metadata.name as string);
      for (const n of nodes) await kube.patch(`/api/v1/nodes/${n}`, { spec: { unschedulable: true } });
      assert.equal((await kube.evict(ns, first.name)).status, 201, "first eviction");
      let held = false;
      if (multi) {
        const other = before.find((p) => p.name !== first.name)!;
        const second = await kube.evict(ns, other.name);
        assert.equal(
          second.status,
          429,
          `second eviction while one pod is away: ${JSON.stringify(second.body)}`,
        );
        held = true;
      }
      for (const n of nodes.filter((n) => n !== node)) await uncordon(kube, n);
      const result = await drain(kube, node, ns, release().name);
      await until("all replicas Ready again", 60_000, async () => {
        const now = (await pods()).filter((p) => !p.terminating);
        return now.length === before.length && now.every((p) => p.ready && p.node !== node);
      }).catch(async (e) => {
        throw new Error(`${(e as Error).message}\n${describePods(await pods())}`);
      });
      if (pdbs.length > 0) {
        const pdb = await kube.get(
          `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${pdbs[0].metadata.name}`,
        );
        await until("PDB allows one disruption again", 30_000, async () => {
          const p = await kube.get(
            `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${pdb.metadata.name}`,
          );
          return p.status.disruptionsAllowed === 1;
        });
      }
      await uncordon(kube, node);
      console.log(
        `    ${stack}: drained ${node} in ${result.seconds.toFixed(1)}s; ${held ? "PDB refused a second eviction" : "no PDB (one pod by design)"}; ` +
          `${result.refusedByPdb} drain eviction(s) retried on 429`,
      );
    });
  });
}
