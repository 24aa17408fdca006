/**
 * Each environment's capacity, derived from the real program evaluated with its real stack files: the managed node
 * groups (instance types, desired size, labels, taints, disk) and the VPC's zone count, the plan's model of what a
 * node keeps for itself (estimates/prices.ts NODE_OVERHEAD), and every add-on's requests as the plan's cost model
 * reads them from the Helm releases. Nothing here is copied from a stack file.
 */
import * as P from "../../estimates/prices";
import { cpuMillis, estimateCost, memoryMiB } from "../../scripts/lib/cost";
import { ofType, one, type Evaluation } from "../harness";

/**
 * Pods per node: the VPC CNI's limit without prefix delegation, from awslabs/amazon-eks-ami
 * templates/shared/runtime/eni-max-pods.txt ((ENIs × (IPv4 per ENI − 1)) + 2).
 */
const MAX_PODS: Record<string, number> = {
  "t3.medium": 17,
  "t3.large": 35,
  "t3a.large": 35,
  "t3.xlarge": 58,
  "m5.large": 29,
  "m5.xlarge": 58,
  "m6a.large": 29,
  "m6a.xlarge": 58,
  "m6i.large": 29,
  "m6i.xlarge": 58,
  "m6i.2xlarge": 58,
  "m7i.large": 29,
  "m7i.xlarge": 58,
};

export interface NodeShape {
  name: string;
  zone: string;
  instanceType: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  allocatable: { cpu: string; memory: string; pods: string; "ephemeral-storage": string };
}

export interface EnvironmentShape {
  stack: string;
  nodes: NodeShape[];
  zones: string[];
  /** Requests of everything else on each node (add-ons, spread evenly, plus per-node DaemonSets). */
  others: { cpuMillis: number; memoryMiB: number };
  release: { name: string; namespace: string; values: Record<string, any> };
}

const EFFECT: Record<string, string> = {
  NO_SCHEDULE: "NoSchedule",
  NO_EXECUTE: "NoExecute",
  PREFER_NO_SCHEDULE: "PreferNoSchedule",
};

/**
 * `karpenter: false` leaves out the node Karpenter would launch: the shape an environment had before it ran Karpenter.
 */
export function environmentShape(e: Evaluation, opts: { karpenter?: boolean } = {}): EnvironmentShape {
  const vpc = one(e, "awsx:ec2:Vpc").inputs as { numberOfAvailabilityZones?: number };
  const region = String((e.effective as Record<string, any>)["aws:region"] ?? "us-east-1");
  const zones = Array.from(
    { length: Number(vpc.numberOfAvailabilityZones ?? 3) },
    (_, i) => `${region}${"abcdef"[i]}`,
  );
  const nodes: NodeShape[] = [];
  for (const ng of ofType(e, "eks:index:ManagedNodeGroup")) {
    const i = ng.inputs as Record<string, any>;
    // A mixed-type group is as small as its smallest type: the scheduler must cope with any of them.
    const types = (i.instanceTypes as string[]).map((t) => {
      const spec = P.INSTANCE_TYPES[t];
      if (!spec || !MAX_PODS[t]) throw new Error(`${e.stack}: no capacity data for instance type ${t}`);
      return { type: t, ...spec, maxPods: MAX_PODS[t] };
    });
    const smallest = types.reduce((a, b) =>
      b.vcpu * 1024 + b.memoryGiB < a.vcpu * 1024 + a.memoryGiB ? b : a,
    );
    // The root volume is the group's launch template's (components/cluster.ts), not a node-group input.
    const lt = ofType(e, "aws:ec2/launchTemplate:LaunchTemplate").find((t) => t.name === ng.name);
    const diskGiB = Number((lt?.inputs as any)?.blockDeviceMappings?.[0]?.ebs?.volumeSize);
    if (!(diskGiB > 0)) throw new Error(`${e.stack}: no root volume size in ${ng.name}'s launch template`);
    for (let n = 0; n < Number(i.scalingConfig.desiredSize); n++) {
      const name = `${e.stack}-${ng.name}-${n}`;
      // The group's Auto Scaling group balances its nodes across the private subnets, one per zone.
      const zone = zones[n % zones.length];
      nodes.push({
        name,
        zone,
        instanceType: smallest.type,
        labels: {
          ...(i.labels as Record<string, string>),
          "kubernetes.io/hostname": name,
          "topology.kubernetes.io/zone": zone,
          "topology.kubernetes.io/region": region,
          "node.kubernetes.io/instance-type": smallest.type,
          "eks.amazonaws.com/capacityType": String(i.capacityType ?? "ON_DEMAND"),
        },
        taints: ((i.taints ?? []) as { key: string; value?: string; effect: string }[]).map((t) => ({
          key: t.key,
          value: t.value,
          effect: EFFECT[t.effect] ?? t.effect,
        })),
        allocatable: {
          // What the plan assumes the kubelet and the AWS DaemonSets leave for pods.
          cpu: `${smallest.vcpu * 1000 - P.NODE_OVERHEAD.cpuMillis}m`,
          memory: `${smallest.memoryGiB * 1024 - P.NODE_OVERHEAD.memoryMiB}Mi`,
          pods: String(smallest.maxPods),
          // Root volume less the kubelet's 10% nodefs eviction threshold.
          "ephemeral-storage": `${Math.floor(diskGiB * 0.9)}Gi`,
        },
      });
    }
  }
  if (opts.karpenter !== false) nodes.push(...karpenterNodes(e, zones, region));

  const releaseResource = one(e, "kubernetes:helm.sh/v3:Release", "go-service");
  const values = releaseResource.inputs.values as Record<string, any>;
  // The plan's requests include the go-service's own baseline pods: take them out, they are what this suite runs.
  const { requests } = estimateCost(e);
  const pods = values.autoscaling.enabled ? values.autoscaling.minReplicas : values.replicaCount;
  const own = {
    cpuMillis: pods * cpuMillis(values.resources.requests.cpu),
    memoryMiB: pods * memoryMiB(values.resources.requests.memory),
  };
  const others = {
    cpuMillis: Math.ceil((requests.cpuMillis - own.cpuMillis) / nodes.length + requests.perNodeCpuMillis),
    memoryMiB: Math.ceil((requests.memoryMiB - own.memoryMiB) / nodes.length + requests.perNodeMemoryMiB),
  };
  return {
    stack: e.stack,
    nodes,
    zones,
    others,
    release: {
      name: String(releaseResource.inputs.name),
      namespace: String(releaseResource.inputs.namespace),
      // The Deployment's own rolling update, whatever the stack's rollout strategy: a canary or blue-green needs
      // the Argo Rollouts controller, its analysis needs Prometheus and the service's real metrics, and kwok runs
      // no containers. The pod template, its placement rules (both revision labels), PDB and HPA are the same, so
      // surge, drain and HPA capacity are what this suite proves; docs/cluster-tests.md says what it does not.
      values: { ...values, rollout: { ...values.rollout, strategy: "rolling" } },
    },
  };
}

/** The EC2NodeClass's root volume ("50Gi"), in GiB. */
function nodeClassDiskGiB(e: Evaluation): number {
  const size = String(
    (one(e, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass").inputs as any).spec?.blockDeviceMappings?.[0]?.ebs
      ?.volumeSize,
  );
  const gib = /^(\d+)Gi$/.exec(size)?.[1];
  if (!gib) throw new Error(`${e.stack}: EC2NodeClass root volume ${size} is not in Gi`);
  return Number(gib);
}

/**
 * The first node Karpenter launches for pods that fit nowhere else: one of the NodePool's smallest allowed types, in
 * its zones (platform:karpenter). Karpenter's controller cannot run under kwok, so the suite places the node it would
 * add rather than the controller; one node stays well inside every environment's NodePool limit.
 */
function karpenterNodes(e: Evaluation, zones: string[], region: string): NodeShape[] {
  const k = (e.effective as Record<string, any>).karpenter as
    { capacityType: string; instanceFamilies: string[]; instanceSizes: string[]; zones: string } | undefined;
  if (!k) return [];
  const candidates = k.instanceFamilies
    .flatMap((f) => k.instanceSizes.map((size) => `${f}.${size}`))
    .filter((t) => P.INSTANCE_TYPES[t] && MAX_PODS[t]);
  if (candidates.length === 0)
    throw new Error(`${e.stack}: no capacity data for the NodePool's instance types`);
  const type = candidates.reduce((a, b) =>
    P.INSTANCE_TYPES[b].vcpu * 1024 + P.INSTANCE_TYPES[b].memoryGiB <
    P.INSTANCE_TYPES[a].vcpu * 1024 + P.INSTANCE_TYPES[a].memoryGiB
      ? b
      : a,
  );
  const spec = P.INSTANCE_TYPES[type];
  const name = `${e.stack}-karpenter-0`;
  const zone = k.zones === "single" ? zones[0] : zones[zones.length - 1];
  return [
    {
      name,
      zone,
      instanceType: type,
      labels: {
        "kubernetes.io/hostname": name,
        "topology.kubernetes.io/zone": zone,
        "topology.kubernetes.io/region": region,
        "node.kubernetes.io/instance-type": type,
        "karpenter.sh/nodepool": "default",
        "karpenter.sh/capacity-type": k.capacityType,
      },
      taints: [],
      allocatable: {
        cpu: `${spec.vcpu * 1000 - P.NODE_OVERHEAD.cpuMillis}m`,
        memory: `${spec.memoryGiB * 1024 - P.NODE_OVERHEAD.memoryMiB}Mi`,
        pods: String(MAX_PODS[type]),
        "ephemeral-storage": `${Math.floor(nodeClassDiskGiB(e) * 0.9)}Gi`,
      },
    },
  ];
}
