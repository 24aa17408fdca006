import { strict as assert } from "node:assert";
import * as P from "../estimates/prices";
import { estimateCost } from "../scripts/lib/cost";
import { criticalPath } from "../scripts/lib/critical-path";
import { ENVIRONMENTS, effective, ofType, stackOf } from "./harness";

const line = (c: ReturnType<typeof estimateCost>, prefix: string) =>
  c.lines.find((l) => l.item.startsWith(prefix));

describe("plan estimates", () => {
  for (const stack of ENVIRONMENTS) {
    describe(stack, () => {
      it("prices what the stack runs: nodes, NATs, every PVC and one ALB per Ingress", async () => {
        const e = await stackOf(stack);
        const s = effective(e);
        const c = estimateCost(e);
        const nodes = Object.values(s.cluster.nodeGroups as Record<string, { desiredSize: number }>);
        assert.match(line(c, "Nodes")!.detail, new RegExp(`^${nodes[0].desiredSize} × `));
        const nats = s.network.natGateways === "onePerAz" ? s.network.azCount : 1;
        assert.equal(line(c, "NAT gateways")!.monthly, nats * P.NAT_GATEWAY_HOURLY * P.HOURS_PER_MONTH);
        const pvcGiB =
          s.prometheus.storageGiB * s.prometheus.replicas +
          s.prometheus.alertmanager.storageGiB * s.prometheus.alertmanager.replicas +
          s.grafana.storageGiB +
          s.postgres.storageGiB * s.postgres.instances;
        assert.equal(line(c, "EBS volumes")!.detail, `${pvcGiB} GiB gp3`);
        const ingresses = [s.service.enabled && s.service.ingress.enabled, Boolean(s.grafana.hostname)];
        assert.match(
          line(c, "Load balancers")!.detail,
          new RegExp(`^${ingresses.filter(Boolean).length} ALB`),
        );
        assert.ok(c.floor > 0 && c.floor <= c.total, `floor ${c.floor} ≤ total ${c.total}`);
      });

      it("finds the critical path through the cluster, its nodes and the slowest release", async () => {
        const e = await stackOf(stack);
        const p = criticalPath(e.resources);
        const types = p.chain.map((c) => c.resource.type);
        for (const t of ["eks:index:Cluster", "eks:index:ManagedNodeGroup", "kubernetes:helm.sh/v3:Release"])
          assert.ok(types.includes(t), `${t} in ${types.join(" → ")}`);
        // Each link starts when the one before it ends: a chain of real dependencies, not a sum of durations.
        for (let i = 1; i < p.chain.length; i++)
          assert.ok(p.chain[i].finish - p.chain[i].seconds >= p.chain[i - 1].finish - 1e-9);
        const slowest = Math.max(
          ...ofType(e, "kubernetes:helm.sh/v3:Release").map((r) => Number(r.inputs.timeout)),
        );
        assert.equal(p.floorSeconds, 600 + 240 + slowest);
        assert.ok(p.seconds >= p.floorSeconds);
      });
    });
  }
});
