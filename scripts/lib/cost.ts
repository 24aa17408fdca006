import * as P from "../../estimates/prices";
import type { Evaluation, RecordedResource } from "./types";

export interface CostLine {
  item: string;
  monthly: number;
  detail: string;
}

export interface CostEstimate {
  lines: CostLine[];
  total: number;
  /** Control plane + one NAT gateway + the fewest nodes that fit every pod's requests. */
  floor: number;
  floorNodes: number;
  requests: { cpuMillis: number; memoryMiB: number; perNodeCpuMillis: number; perNodeMemoryMiB: number };
  /** What the plan creates but the estimate leaves out, so the total is not read as complete. */
  notEstimated: string[];
}

/** "1 node", "3 nodes". */
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

const RELEASE = "kubernetes:helm.sh/v3:Release";
const month = (hourly: number) => hourly * P.HOURS_PER_MONTH;
const DAYS_PER_MONTH = P.HOURS_PER_MONTH / 24;

function unwrap(v: unknown): unknown {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "[secret]" in v)
    return unwrap((v as Record<string, unknown>)["[secret]"]);
  return v;
}

export function cpuMillis(q: unknown): number {
  const s = String(q);
  return s.endsWith("m") ? Number(s.slice(0, -1)) : Number(s) * 1000;
}

export function memoryMiB(q: unknown): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(q));
  if (!m) return NaN;
  const factor: Record<string, number> = {
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    Ti: 1024 ** 2,
    K: 1e3 / 2 ** 20,
    M: 1e6 / 2 ** 20,
    G: 1e9 / 2 ** 20,
    T: 1e12 / 2 ** 20,
  };
  return Number(m[1]) * (m[2] ? factor[m[2]] : 1 / 2 ** 20);
}

interface Scan {
  cpuMillis: number;
  memoryMiB: number;
  perNodeCpuMillis: number;
  perNodeMemoryMiB: number;
  volumeGiB: number;
  /** Ingresses: each gets its own ALB (none shares one through `group.name`). */
  ingresses: number;
}

/**
 * Walks a release's values for what it will run: `resources.requests` times the nearest replica count
 * (`replicas`, `replicaCount`, `instances`, or an enabled autoscaler's `minReplicas`), DaemonSets per node, PVC sizes
 * (`storage`/`size` under storage or persistence settings, or a claim template's `requests.storage`), and whether
 * an Ingress is on.
 */
function scanValues(values: unknown, daemonSet: boolean, acc: Scan, replicas = 1, path: string[] = []): void {
  const v = unwrap(values);
  if (v === null || typeof v !== "object" || Array.isArray(v)) return;
  const o = v as Record<string, unknown>;
  const autoscaling = unwrap(o.autoscaling) as Record<string, unknown> | undefined;
  const count =
    autoscaling?.enabled === true ? autoscaling.minReplicas : (o.replicas ?? o.replicaCount ?? o.instances);
  const n = typeof unwrap(count) === "number" ? (unwrap(count) as number) : replicas;
  const perNode = daemonSet || path.some((p) => /node-exporter/.test(p));
  const requests = (unwrap(o.resources) as Record<string, unknown> | undefined)?.requests as
    Record<string, unknown> | undefined;
  if (requests) {
    const cpu = requests.cpu !== undefined ? cpuMillis(unwrap(requests.cpu)) : 0;
    const mem = requests.memory !== undefined ? memoryMiB(unwrap(requests.memory)) : 0;
    if (perNode)
      [acc.perNodeCpuMillis, acc.perNodeMemoryMiB] = [acc.perNodeCpuMillis + cpu, acc.perNodeMemoryMiB + mem];
    else [acc.cpuMillis, acc.memoryMiB] = [acc.cpuMillis + cpu * n, acc.memoryMiB + mem * n];
    // A PVC template (`volumeClaimTemplate.spec.resources.requests.storage`) requests its size here.
    const storage = unwrap(requests.storage);
    if (typeof storage === "string") acc.volumeGiB += (memoryMiB(storage) / 1024) * n;
  }
  if (path.some((p) => /storage|persistence|volumeClaim/i.test(p))) {
    for (const key of ["storage", "size"]) {
      const q = unwrap(o[key]);
      if (typeof q === "string" && /^\d+(\.\d+)?(Gi|Mi|Ti)$/.test(q))
        acc.volumeGiB += (memoryMiB(q) / 1024) * n;
    }
  }
  const ingress = unwrap(o.ingress) as Record<string, unknown> | undefined;
  if (ingress && unwrap(ingress.enabled) === true) acc.ingresses += 1;
  for (const [k, child] of Object.entries(o))
    if (k !== "resources") scanValues(child, daemonSet, acc, n, [...path, k]);
}

function nodePrice(ng: RecordedResource): {
  hourly: number;
  vcpu: number;
  memoryGiB: number;
  diskGiB: number;
} {
  const types = (ng.inputs.instanceTypes as string[]).map((t) => {
    const price = P.INSTANCE_TYPES[t];
    if (!price) throw new Error(`estimates/prices.ts has no price for instance type ${t}`);
    return price;
  });
  const avg = (f: (p: (typeof types)[number]) => number) =>
    types.reduce((s, p) => s + f(p), 0) / types.length;
  const share = ng.inputs.capacityType === "SPOT" ? P.SPOT_SHARE_OF_ON_DEMAND : 1;
  return {
    hourly: avg((p) => p.hourly) * share,
    vcpu: Math.min(...types.map((p) => p.vcpu)),
    memoryGiB: Math.min(...types.map((p) => p.memoryGiB)),
    diskGiB: Number(ng.inputs.diskSize ?? 20),
  };
}

export function estimateCost(e: Evaluation): CostEstimate {
  const of = (type: string) => e.resources.filter((r) => r.type === type);
  const lines: CostLine[] = [];
  const add = (item: string, monthly: number, detail: string) =>
    monthly > 0 && lines.push({ item, monthly, detail });

  const clusters = of("eks:index:Cluster").length;
  add(
    "EKS control plane",
    clusters * month(P.EKS_CONTROL_PLANE_HOURLY),
    `${clusters} × $${P.EKS_CONTROL_PLANE_HOURLY}/h`,
  );
  const nats = of("awsx:ec2:Vpc").reduce((s, v) => {
    const i = v.inputs as { natGateways?: { strategy?: string }; numberOfAvailabilityZones?: number };
    return s + (i.natGateways?.strategy === "OnePerAz" ? Number(i.numberOfAvailabilityZones ?? 3) : 1);
  }, 0);
  add(
    "NAT gateways",
    nats * month(P.NAT_GATEWAY_HOURLY),
    `${nats} × $${P.NAT_GATEWAY_HOURLY}/h, data processing not included`,
  );

  const groups = of("eks:index:ManagedNodeGroup").map((ng) => ({
    ng,
    price: nodePrice(ng),
    desired: Number((ng.inputs.scalingConfig as { desiredSize: number }).desiredSize),
  }));
  const nodeMonthly = (p: ReturnType<typeof nodePrice>) => month(p.hourly) + p.diskGiB * P.GP3_GIB_MONTH;
  for (const { ng, price, desired } of groups) {
    add(
      `Nodes (${ng.name})`,
      desired * nodeMonthly(price),
      `${desired} × ${(ng.inputs.instanceTypes as string[]).join("/")} ${ng.inputs.capacityType}, ${price.diskGiB} GiB root`,
    );
  }
  const nodes = groups.reduce((s, g) => s + g.desired, 0);

  const scan: Scan = {
    cpuMillis: 0,
    memoryMiB: 0,
    perNodeCpuMillis: 0,
    perNodeMemoryMiB: 0,
    volumeGiB: 0,
    ingresses: 0,
  };
  for (const r of of(RELEASE)) scanValues(r.inputs.values, r.inputs.chart === "fluent-bit", scan);
  add("EBS volumes (PVCs)", scan.volumeGiB * P.GP3_GIB_MONTH, `${scan.volumeGiB.toFixed(0)} GiB gp3`);
  add(
    "Log ingestion",
    nodes * P.LOG_GB_PER_NODE_DAY * DAYS_PER_MONTH * P.LOGS_INGEST_PER_GB,
    `${plural(nodes, "node")} × ${P.LOG_GB_PER_NODE_DAY} GB/day of container logs assumed`,
  );
  add(
    "Load balancers",
    scan.ingresses * month(P.ALB_HOURLY),
    `${plural(scan.ingresses, "ALB")}, one per Ingress, LCUs not included`,
  );
  add(
    "KMS keys",
    of("aws:kms/key:Key").length * P.KMS_KEY_MONTHLY,
    plural(of("aws:kms/key:Key").length, "key"),
  );

  // The floor: the fewest nodes of the (first) group's type that hold every pod's requests.
  const first = groups[0]?.price;
  let floorNodes = 0;
  if (first) {
    const cpuCap = first.vcpu * 1000 - P.NODE_OVERHEAD.cpuMillis - scan.perNodeCpuMillis;
    const memCap = first.memoryGiB * 1024 - P.NODE_OVERHEAD.memoryMiB - scan.perNodeMemoryMiB;
    floorNodes = Math.max(1, Math.ceil(scan.cpuMillis / cpuCap), Math.ceil(scan.memoryMiB / memCap));
  }
  const floor =
    clusters * month(P.EKS_CONTROL_PLANE_HOURLY) +
    month(P.NAT_GATEWAY_HOURLY) +
    (first ? floorNodes * nodeMonthly(first) : 0);
  const logTypes = of("eks:index:Cluster").flatMap(
    (c) => (c.inputs.enabledClusterLogTypes as string[]) ?? [],
  );
  const notEstimated = [
    ...(logTypes.length > 0
      ? [`EKS control-plane logs (${logTypes.join(", ")}): volume follows API traffic`]
      : []),
    ...(of("aws:ec2/flowLog:FlowLog").length > 0 ? ["VPC flow logs: volume follows network traffic"] : []),
    "NAT data processing and ALB LCUs: per GB and per request",
    "S3 backups, ECR images and CloudWatch log storage: grow with retention",
  ];
  return {
    notEstimated,
    lines,
    total: lines.reduce((s, l) => s + l.monthly, 0),
    floor,
    floorNodes,
    requests: {
      cpuMillis: scan.cpuMillis,
      memoryMiB: scan.memoryMiB,
      perNodeCpuMillis: scan.perNodeCpuMillis,
      perNodeMemoryMiB: scan.perNodeMemoryMiB,
    },
  };
}

export function renderCost(c: CostEstimate): string {
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const width = Math.max(...c.lines.map((l) => l.item.length));
  return [
    `Estimated monthly cost: ${usd(c.total)} (${P.PRICE_REGION} list prices as of ${P.PRICES_AS_OF}; see estimates/prices.ts)`,
    ...c.lines.map((l) => `  ${l.item.padEnd(width)}  ${usd(l.monthly).padStart(9)}  ${l.detail}`),
    `  Floor: ${usd(c.floor)} = control plane + 1 NAT + ${plural(c.floorNodes, "node")}`,
    `         holding ${(c.requests.cpuMillis / 1000).toFixed(2)} vCPU / ${(c.requests.memoryMiB / 1024).toFixed(1)} GiB of requests (ratio ${(c.total / c.floor).toFixed(2)})`,
    "Not estimated:",
    ...c.notEstimated.map((n) => `  - ${n}`),
  ].join("\n");
}
