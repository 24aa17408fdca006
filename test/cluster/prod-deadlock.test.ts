import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { stackOf } from "../harness";
import { CHART_DIR, parseManifest, ROOT, type K8sObject } from "../charts/tools";
import { installCrds, releasePods, resetCluster, shapeCluster, until } from "./cluster";
import { deploy, template, uninstall } from "./helm";
import { cluster } from "./setup";
import { environmentShape, type EnvironmentShape } from "./shapes";

/**
 * The pod placement chart 0.1.0 rendered for prod (podAntiAffinity hard, topology spread DoNotSchedule): a required
 * per-hostname anti-affinity term that every revision's pods match, and a rollout that surges one pod while keeping
 * all old ones.
 */
function beforeTheFix(d: K8sObject): void {
  d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
  const pod = d.spec.template.spec;
  pod.affinity = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          topologyKey: "kubernetes.io/hostname",
          labelSelector: { matchLabels: d.spec.selector.matchLabels },
        },
      ],
    },
  };
  for (const c of pod.topologySpreadConstraints) {
    c.whenUnsatisfiable = "DoNotSchedule";
    delete c.nodeTaintsPolicy;
  }
}

/** A chart holding exactly these manifests, so real helm installs and upgrades them with --wait. */
function staticChart(objects: K8sObject[], dir: string): string {
  fs.mkdirSync(path.join(dir, "templates"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "Chart.yaml"),
    stringify({ apiVersion: "v2", name: "go-service", version: "0.1.0" }),
  );
  // Objects that carry another tool's templates (Grafana legends, alert annotations) play no part in scheduling,
  // and helm would read their braces as its own: leave them out.
  const manifest = objects
    .map((o) => stringify(o))
    .filter((text) => !text.includes("{{"))
    .join("---\n");
  fs.writeFileSync(path.join(dir, "templates", "manifest.yaml"), manifest);
  return dir;
}

describe("prod before the fix: a rollout deadlocks on the real scheduler", function () {
  let shape: EnvironmentShape;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "go-service-prefix-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  before(async function () {
    this.timeout(180_000);
    // Prod before the fix ran on its three managed nodes alone; Karpenter's extra node would take the surge pod.
    shape = environmentShape(await stackOf("prod"), { karpenter: false });
    await resetCluster(cluster().kube);
    await shapeCluster(cluster().kube, shape);
  });

  after(async function () {
    this.timeout(180_000);
    await uninstall(cluster().kubeconfig, shape.release);
  });

  it("surges a pod that fits on none of prod's nodes, so helm upgrade --wait times out", async () => {
    const { kube, kubeconfig } = cluster();
    const revision = async (digest: string, n: number) => {
      const values = structuredClone(shape.release.values);
      values.image.digest = digest;
      const r = await template(kubeconfig, shape.release, CHART_DIR, values);
      assert.ok(r.ok, r.output);
      const objects = parseManifest(r.output);
      beforeTheFix(objects.find((o) => o.kind === "Deployment")!);
      return { chart: staticChart(objects, path.join(dir, `r${n}`)), objects };
    };
    const v1 = await revision(shape.release.values.image.digest, 1);
    const kinds = new Set(
      v1.objects.filter((o) => o.apiVersion.startsWith("monitoring.coreos.com/")).map((o) => o.kind),
    );
    await installCrds(kube, path.join(ROOT, ".tools", "cluster", "crds"), kinds);

    const install = await deploy(kubeconfig, shape.release, v1.chart, {}, 120);
    assert.ok(install.ok, `the first install fits:\n${install.output}`);
    // The Deployment has no replicas field under an HPA: the HPA controller raises it to minReplicas (3 on 3 nodes).
    const min = shape.release.values.autoscaling.minReplicas;
    await until(`${min} pods Ready`, 60_000, async () => {
      const ready = (await releasePods(kube, shape.release.namespace, shape.release.name)).filter(
        (p) => p.ready,
      );
      return ready.length === min;
    });

    const v2 = await revision(`sha256:${"d".repeat(64)}`, 2);
    const upgrade = await deploy(kubeconfig, shape.release, v2.chart, {}, 30);
    const pods = await releasePods(kube, shape.release.namespace, shape.release.name);
    const pending = pods.filter((p) => !p.node);
    console.log(
      `    prod before the fix: helm upgrade ${upgrade.ok ? "succeeded" : "timed out"}; ${pending[0]?.unschedulable}`,
    );
    assert.equal(upgrade.ok, false, "helm upgrade --wait must time out");
    assert.match(upgrade.output, /context deadline exceeded|timed out/);
    assert.equal(pending.length, 1, "exactly the surge pod is Pending");
    assert.match(
      pending[0].unschedulable!,
      /0\/3 nodes are available: .*didn't match pod anti-affinity rules/,
    );
    assert.equal(
      pods.filter((p) => p.ready).length,
      min,
      `the old pods keep serving: ${JSON.stringify(pods.filter((p) => p.node))}`,
    );
  });
});
