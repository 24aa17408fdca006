import { strict as assert } from "node:assert";
import { ConfigError, resolveSettings } from "../config";
import { mergeLikeCli } from "../config/files";
import * as P from "../estimates/prices";
import { estimateCost } from "../scripts/lib/cost";
import {
  ENVIRONMENTS,
  effective,
  one,
  ofType,
  stackOf,
  transitiveDeps,
  type Evaluation,
  type RecordedResource,
  RELEASE,
  ASSOCIATION,
  accountOf,
  regionOf,
} from "./harness";

const NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";
const MNG = "eks:index:ManagedNodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const QUEUE = "aws:sqs/queue:Queue";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";

const rel = (e: Evaluation, name: string) => one(e, RELEASE, name);
const values = (r: RecordedResource) => (r.inputs as any).values;
const spec = (r: RecordedResource) => (r.inputs as any).spec;
const output = (e: Evaluation, name: string) => e.outputs[name]?.value;
const policyOf = (e: Evaluation, name: string) =>
  JSON.parse(one(e, "aws:iam/rolePolicy:RolePolicy", name).inputs.policy as string);

describe("capacity: node autoscaling, metrics, zones, instance metadata", () => {
  for (const stack of ENVIRONMENTS) {
    describe(stack, () => {
      it("installs Karpenter's CRDs, then its controller on the managed nodes, with the interruption queue", async () => {
        const e = await stackOf(stack);
        const crd = rel(e, "karpenter-crd");
        const controller = rel(e, "karpenter");
        assert.equal(
          controller.inputs.skipCrds,
          true,
          "CRDs come from their own release, so upgrades reach them",
        );
        assert.ok(controller.dependsOn.includes(crd.urn));
        const v = values(controller);
        assert.equal(v.settings.clusterName, output(e, "clusterName"));
        const queue = one(e, QUEUE);
        assert.equal(v.settings.interruptionQueue, queue.inputs.name);
        assert.equal(output(e, "karpenterInterruptionQueue"), queue.inputs.name);
        assert.equal(queue.inputs.messageRetentionSeconds, 300);
        assert.equal(queue.inputs.sqsManagedSseEnabled, true);
        // Hard per-hostname anti-affinity in the chart: never more replicas than managed nodes.
        const managed = Object.values(effective(e).cluster.nodeGroups as Record<string, any>).reduce(
          (n, g) => n + g.minSize,
          0,
        );
        assert.ok(v.replicas >= 1 && v.replicas <= Math.min(2, managed), `replicas ${v.replicas}`);
      });

      it("routes every interruption event upstream lists to the queue", async () => {
        const e = await stackOf(stack);
        const queueArn = `arn:aws:sqs:${regionOf(e)}:${accountOf(e)}:${one(e, QUEUE).inputs.name}`;
        const patterns = ofType(e, RULE).map((r) => JSON.parse(r.inputs.eventPattern as string));
        assert.deepEqual(patterns.map((p) => `${p.source[0]}: ${p["detail-type"][0]}`).sort(), [
          "aws.ec2: EC2 Capacity Reservation Instance Interruption Warning",
          "aws.ec2: EC2 Instance Rebalance Recommendation",
          "aws.ec2: EC2 Instance State-change Notification",
          "aws.ec2: EC2 Spot Instance Interruption Warning",
          "aws.health: AWS Health Event",
        ]);
        const targets = ofType(e, TARGET);
        assert.equal(targets.length, patterns.length);
        for (const t of targets) assert.equal(t.inputs.arn, queueArn);
        const queuePolicy = JSON.parse(one(e, "aws:sqs/queuePolicy:QueuePolicy").inputs.policy as string);
        assert.deepEqual(queuePolicy.Statement[0].Principal.Service, [
          "events.amazonaws.com",
          "sqs.amazonaws.com",
        ]);
      });

      it("gives the controller upstream's permissions through Pod Identity, scoped to this cluster", async () => {
        const e = await stackOf(stack);
        const assoc = ofType(e, ASSOCIATION).find((a) => a.inputs.serviceAccount === "karpenter");
        assert.ok(assoc, "a Pod Identity association for kube-system/karpenter");
        assert.equal(assoc.inputs.namespace, "kube-system");
        assert.equal(values(rel(e, "karpenter")).serviceAccount.name, "karpenter");
        const policy = policyOf(e, "karpenter");
        const sids = policy.Statement.map((s: any) => s.Sid);
        for (const sid of [
          "AllowScopedEC2InstanceAccessActions",
          "AllowScopedEC2LaunchTemplateAccessActions",
          "AllowScopedEC2InstanceActionsWithTags",
          "AllowScopedResourceCreationTagging",
          "AllowScopedResourceTagging",
          "AllowScopedDeletion",
          "AllowPassingInstanceRole",
          "AllowScopedInstanceProfileCreationActions",
          "AllowScopedInstanceProfileTagActions",
          "AllowScopedInstanceProfileActions",
          "AllowAPIServerEndpointDiscovery",
          "AllowInterruptionQueueActions",
          "AllowRegionalReadActions",
          "AllowSSMReadActions",
          "AllowPricingReadActions",
          "AllowUnscopedInstanceProfileListAction",
          "AllowInstanceProfileReadActions",
        ])
          assert.ok(sids.includes(sid), `policy statement ${sid}`);
        const by = (sid: string) => policy.Statement.find((s: any) => s.Sid === sid);
        assert.equal(by("AllowPassingInstanceRole").Resource, output(e, "nodeRoleArn"));
        const cluster = output(e, "clusterName");
        assert.equal(
          by("AllowScopedDeletion").Condition.StringEquals[
            `aws:ResourceTag/kubernetes.io/cluster/${cluster}`
          ],
          "owned",
        );
        assert.match(by("AllowInterruptionQueueActions").Resource, /^arn:aws:sqs:/);
      });

      it("lets Karpenter's nodes join: they use the node role, which has an EC2 access entry", async () => {
        const e = await stackOf(stack);
        const entries = (one(e, "eks:index:Cluster").inputs as any).accessEntries;
        const nodes = Object.values(entries).find(
          (x: any) => x.principalArn === output(e, "nodeRoleArn"),
        ) as any;
        assert.equal(nodes?.type, "EC2_LINUX");
        const role = one(e, "aws:iam/role:Role", "cluster-node");
        const nodeClass = one(e, NODE_CLASS);
        assert.ok(nodeClass.dependsOn.includes(role.urn), "the EC2NodeClass takes the node role's name");
        assert.match(spec(nodeClass).role, /^cluster-node-/);
      });

      it("sizes the NodePool from config: capacity type, families, sizes, limits, consolidation, budgets", async () => {
        const e = await stackOf(stack);
        const k = effective(e).karpenter;
        const pool = spec(one(e, NODE_POOL));
        const req = (key: string) =>
          pool.template.spec.requirements.find((r: any) => r.key === key)?.values as string[];
        assert.deepEqual(req("karpenter.sh/capacity-type"), [
          stack === "alpha" || stack === "beta" ? "spot" : "on-demand",
        ]);
        assert.deepEqual(req("karpenter.sh/capacity-type"), [k.capacityType]);
        assert.deepEqual(req("karpenter.k8s.aws/instance-family"), k.instanceFamilies);
        assert.deepEqual(req("karpenter.k8s.aws/instance-size"), k.instanceSizes);
        assert.deepEqual(pool.limits, { cpu: String(k.limits.cpu), memory: `${k.limits.memoryGiB}Gi` });
        assert.equal(pool.disruption.consolidationPolicy, k.consolidationPolicy);
        assert.equal(pool.disruption.consolidateAfter, k.consolidateAfter);
        assert.deepEqual(pool.disruption.budgets, [{ nodes: k.disruptionBudgetNodes }]);
        assert.equal(pool.template.spec.nodeClassRef.name, (one(e, NODE_CLASS).inputs as any).metadata.name);
        if (stack === "prod") assert.equal(k.disruptionBudgetNodes, "1", "prod disrupts one node at a time");
        // Removed before the controller on destroy, while it can still drain and terminate its nodes.
        for (const cr of [one(e, NODE_POOL), one(e, NODE_CLASS)])
          assert.ok(
            transitiveDeps(e, cr).has(rel(e, "karpenter").urn),
            `${cr.name} waits for the controller`,
          );
      });

      it("keeps a managed node group for the controllers", async () => {
        const e = await stackOf(stack);
        const groups = ofType(e, MNG);
        assert.ok(groups.length >= 1);
        for (const g of groups) assert.ok((g.inputs as any).scalingConfig.minSize >= 1);
      });

      it("installs metrics-server before anything that declares an HPA", async () => {
        const e = await stackOf(stack);
        const ms = rel(e, "metrics-server");
        assert.equal(ms.inputs.namespace, "kube-system");
        assert.ok(values(ms).replicas >= 2, "the metrics API survives a drain");
        const hpa = effective(e).service.autoscaling.enabled as boolean;
        if (stack !== "alpha") assert.ok(hpa, `${stack} autoscales the service`);
        const service = rel(e, "go-service");
        assert.equal(values(service).autoscaling.enabled, hpa);
        if (hpa) assert.ok(service.dependsOn.includes(ms.urn), "go-service waits for metrics-server");
        // Every release whose values turn an autoscaler on waits for it.
        for (const r of ofType(e, RELEASE).filter((x) => values(x)?.autoscaling?.enabled === true))
          assert.ok(transitiveDeps(e, r).has(ms.urn), `${r.name} waits for metrics-server`);
      });

      it("keeps nodes and volumes in one zone on single-node stacks, and spreads them elsewhere", async () => {
        const e = await stackOf(stack);
        const privateSubnets = output(e, "privateSubnetIds") as string[];
        const single = effective(e).karpenter.zones === "single";
        assert.equal(single, stack === "alpha" || stack === "beta");
        const expected = single ? privateSubnets.slice(0, 1) : privateSubnets;
        for (const g of ofType(e, MNG)) assert.deepEqual((g.inputs as any).subnetIds, expected, g.name);
        const terms = spec(one(e, NODE_CLASS)).subnetSelectorTerms.map((t: any) => t.id);
        assert.deepEqual(terms, expected, "Karpenter launches only where the node groups run");
        // Volumes bind where their pod is scheduled, never ahead of it in a zone without a node.
        for (const sc of ofType(e, "kubernetes:storage.k8s.io/v1:StorageClass"))
          assert.equal((sc.inputs as any).volumeBindingMode, "WaitForFirstConsumer", sc.name);
      });

      it("gives every node IMDSv2 with hop limit 1, and every AWS client its region from config", async () => {
        const e = await stackOf(stack);
        for (const g of ofType(e, MNG)) {
          const i = g.inputs as any;
          assert.equal(i.enableIMDSv2, undefined, "enableIMDSv2 makes pulumi-eks use hop limit 2");
          const lt = ofType(e, LAUNCH_TEMPLATE).find((t) => t.name === g.name);
          assert.ok(lt && i.launchTemplate.id, `${g.name} launches from its launch template`);
          assert.deepEqual((lt.inputs as any).metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
          });
          const disk = (lt.inputs as any).blockDeviceMappings[0].ebs;
          assert.equal(
            disk.volumeSize,
            effective(e).cluster.nodeGroups[g.name.replace(/^cluster-/, "")].diskSizeGiB,
          );
        }
        const nodeClass = spec(one(e, NODE_CLASS)).metadataOptions;
        assert.equal(nodeClass.httpPutResponseHopLimit, 1);
        assert.equal(nodeClass.httpTokens, "required");
        // Pods that call AWS get credentials from Pod Identity or IRSA and their region (and VPC) from config.
        const region = output(e, "region");
        const lbc = values(rel(e, "aws-load-balancer-controller"));
        assert.equal(lbc.region, region);
        assert.equal(lbc.vpcId, output(e, "vpcId"));
        assert.deepEqual(values(rel(e, "karpenter")).controller.env, [{ name: "AWS_REGION", value: region }]);
        assert.match(values(rel(e, "fluent-bit")).config.outputs, new RegExp(`region\\s+${region}`));
        const backups = values(rel(e, "postgres")).backups;
        if (backups.enabled) assert.equal(backups.s3.region, region);
        for (const sa of ["aws-load-balancer-controller", "fluent-bit", "karpenter"])
          assert.ok(
            ofType(e, ASSOCIATION).some((a) => a.inputs.serviceAccount === sa),
            `${sa}: Pod Identity`,
          );
      });
    });
  }

  describe("cost model", () => {
    /** The evaluation with the NodePool's spec changed as `edit` says (a plan of a different config). */
    const withPool = (e: Evaluation, edit: (spec: any) => void): Evaluation => {
      const copy = structuredClone(e);
      edit(spec(one(copy, NODE_POOL)));
      return copy;
    };

    for (const stack of ENVIRONMENTS) {
      it(`${stack}: prices the floor, today's nodes and the ceiling at the NodePool limit`, async () => {
        const e = await stackOf(stack);
        const s = effective(e);
        const c = estimateCost(e);
        assert.equal(c.karpenter?.limitVcpu, s.karpenter.limits.cpu);
        assert.ok(c.floor <= c.total && c.total < c.ceiling, `${c.floor} ≤ ${c.total} < ${c.ceiling}`);
        // Root volumes come from the node groups' launch templates.
        const group = Object.values(s.cluster.nodeGroups as Record<string, any>)[0];
        assert.match(
          c.lines.find((l) => l.item.startsWith("Nodes ("))!.detail,
          new RegExp(`${group.diskSizeGiB} GiB root`),
        );
        const more = estimateCost(withPool(e, (p) => (p.limits.cpu = String(s.karpenter.limits.cpu * 2))));
        const perVcpuMonth = c.karpenter!.vcpuHourly * P.HOURS_PER_MONTH;
        assert.ok(Math.abs(more.ceiling - c.ceiling - s.karpenter.limits.cpu * perVcpuMonth) < 1e-6);
        assert.equal(more.total, c.total, "the limit moves the ceiling, not today's estimate");
      });
    }

    it("prices spot below on-demand, and refuses instance types it has no price for", async () => {
      const e = await stackOf("uat");
      const onDemand = estimateCost(e).karpenter!.vcpuHourly;
      const spot = estimateCost(
        withPool(e, (p) => {
          p.template.spec.requirements.find((r: any) => r.key === "karpenter.sh/capacity-type").values = [
            "spot",
          ];
        }),
      ).karpenter!.vcpuHourly;
      assert.ok(Math.abs(spot - onDemand * P.SPOT_SHARE_OF_ON_DEMAND) < 1e-12);
      const unknown = withPool(e, (p) => {
        p.template.spec.requirements.find((r: any) => r.key === "karpenter.k8s.aws/instance-family").values =
          ["x9z"];
      });
      assert.throws(() => estimateCost(unknown), /no price for any instance type Karpenter may launch \(x9z/);
    });

    it("adds Karpenter nodes for requests the managed nodes cannot hold, within the limit", async () => {
      const e = structuredClone(await stackOf("alpha"));
      const service = one(e, RELEASE, "go-service");
      (service.inputs as any).values.replicaCount = 8;
      const c = estimateCost(e);
      const line = c.lines.find((l) => l.item === "Nodes (Karpenter)");
      assert.ok(line && c.karpenter!.expectedNodes > 0, "overflow goes to Karpenter");
      assert.ok(c.karpenter!.expectedNodes * 2 <= c.karpenter!.limitVcpu);
    });
  });

  describe("config", () => {
    const reject = (stack: string, karpenter: Record<string, unknown>): string[] => {
      const raw: Record<string, string> = {};
      for (const [k, e] of Object.entries(mergeLikeCli(stack)))
        raw[k] = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
      const current = JSON.parse(raw["platform:karpenter"] ?? "{}");
      raw["platform:karpenter"] = JSON.stringify({ ...current, ...karpenter });
      try {
        resolveSettings(stack, raw);
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
      }
      return assert.fail("expected a rejection");
    };

    it("refuses spot capacity or a single zone in prod", () => {
      const problems = reject("prod", { capacityType: "spot", zones: "single" });
      assert.ok(
        problems.some((p) => /karpenter\.capacityType.*allowed in prod: on-demand/.test(p)),
        String(problems),
      );
      assert.ok(
        problems.some((p) => /karpenter\.zones.*allowed in prod: all/.test(p)),
        String(problems),
      );
    });

    it("refuses a budget above 100%, as the NodePool CRD does", () => {
      for (const disruptionBudgetNodes of ["101%", "250%"])
        assert.ok(
          reject("alpha", { disruptionBudgetNodes }).some((p) => /disruptionBudgetNodes.*0% to 100%/.test(p)),
          disruptionBudgetNodes,
        );
    });

    it("refuses spot with a single instance type, and a malformed budget", () => {
      const problems = reject("alpha", {
        instanceFamilies: ["t3a"],
        instanceSizes: ["large"],
        disruptionBudgetNodes: "ten",
      });
      assert.ok(
        problems.some((p) => /instanceFamilies.*at least two instance types/.test(p)),
        String(problems),
      );
      assert.ok(
        problems.some((p) => /disruptionBudgetNodes/.test(p)),
        String(problems),
      );
    });
  });
});
