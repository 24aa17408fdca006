import { SECRET, type RecordedResource } from "./types";

/** The settings a reviewer looks at first, per resource type (input paths). */
const KEY_SETTINGS: Record<string, string[]> = {
  "awsx:ec2:Vpc": ["cidrBlock", "numberOfAvailabilityZones", "natGateways.strategy"],
  "eks:index:Cluster": [
    "version",
    "authenticationMode",
    "endpointPublicAccess",
    "publicAccessCidrs",
    "enabledClusterLogTypes",
    "deletionProtection",
  ],
  "eks:index:ManagedNodeGroup": [
    "capacityType",
    "instanceTypes",
    "scalingConfig.minSize",
    "scalingConfig.desiredSize",
    "scalingConfig.maxSize",
    "amiType",
  ],
  "aws:ecr/repository:Repository": ["name", "imageTagMutability", "imageScanningConfiguration.scanOnPush"],
  "aws:eks/addon:Addon": ["addonName", "addonVersion"],
  "aws:kms/key:Key": ["enableKeyRotation"],
  "aws:cloudwatch/logGroup:LogGroup": ["name", "retentionInDays"],
  "aws:ec2/flowLog:FlowLog": ["trafficType"],
  "aws:s3/bucket:Bucket": ["bucket"],
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": ["namespace", "serviceAccount"],
  "kubernetes:helm.sh/v3:Release": ["chart", "version", "namespace", "timeout"],
  "kubernetes:storage.k8s.io/v1:StorageClass": ["metadata.name", "parameters.type"],
  "kubernetes:core/v1:Namespace": ["metadata.name"],
  "kubernetes:core/v1:Secret": ["metadata.namespace", "metadata.name"],
  "pulumi:providers:aws": ["region"],
};

export function get(obj: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      obj,
    );
}

export const isSecret = (v: unknown): v is { [SECRET]: unknown } =>
  v !== null && typeof v === "object" && !Array.isArray(v) && SECRET in (v as object);

/** A value for humans: secrets masked, lists joined. */
export function show(v: unknown): string {
  if (isSecret(v)) return SECRET;
  if (Array.isArray(v)) return v.map(show).join(",");
  if (v !== null && typeof v === "object") return JSON.stringify(mask(v));
  return String(v);
}

/** Deep copy with every secret replaced by the marker. */
export function mask(v: unknown): unknown {
  if (isSecret(v)) return SECRET;
  if (Array.isArray(v)) return v.map(mask);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x)]));
  return v;
}

export function keySettings(r: RecordedResource): string {
  return (KEY_SETTINGS[r.type] ?? [])
    .map((p) => [p.split(".").pop(), get(r.inputs, p)] as const)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(" ");
}

/** The resource's URN name for display: the last segment. */
export const nameOf = (urn: string | undefined) => (urn ? urn.split("::").pop()! : "");

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  "))
    .join("\n");
}

/** Wraps `words` into lines of at most `width` columns, each starting with `indent`. */
export function wrap(words: string[], indent: string, width = 120): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const w of words) {
    if (line.trim() && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.trim() ? ` ${w}` : w;
  }
  if (line.trim()) lines.push(line);
  return lines;
}

/**
 * What remote components create, from their documented behaviour (pulumi-eks Cluster and ManagedNodeGroup,
 * pulumi-awsx ec2.Vpc API docs). Their children are registered by the provider at deploy time, not by this program,
 * so the offline plan cannot list them one by one.
 */
const REMOTE_CHILDREN: Record<string, string> = {
  "eks:index:Cluster":
    "the EKS control plane (aws:eks/cluster:Cluster), its IAM role and security groups, the OIDC provider, access " +
    "entries, the vpc-cni add-on, and the kubeconfig",
  "eks:index:ManagedNodeGroup":
    "an aws:eks/nodeGroup:NodeGroup and, for custom disks or settings, a launch template",
  "awsx:ec2:Vpc":
    "the VPC, public and private subnets per zone, route tables and routes, an internet gateway, NAT gateways " +
    "with their Elastic IPs",
};

/** The resources this program registers, grouped under their component, each line within 120 columns. */
export function resourceList(resources: RecordedResource[]): string {
  const children = new Map<string, RecordedResource[]>();
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const key = r.parent && urns.has(r.parent) ? r.parent : "";
    children.set(key, [...(children.get(key) ?? []), r]);
  }
  const out: string[] = [];
  const visit = (r: RecordedResource, depth: number) => {
    const indent = "  ".repeat(depth);
    const flags = [
      r.protect ? "protected" : "",
      r.retainOnDelete ? "retained on delete" : "",
      r.remote ? "remote" : "",
      // A remote component's child rebuilt from its inputs (scripts/lib/remote-children.ts), not a registration.
      r.synthesized ? "synthesized" : "",
    ]
      .filter(Boolean)
      .join(", ");
    out.push(`${indent}${r.name}  ${r.type}${flags ? `  [${flags}]` : ""}`);
    const settings = keySettings(r);
    if (settings) out.push(...wrap(settings.split(" "), `${indent}    `));
    if (r.remote && REMOTE_CHILDREN[r.type])
      out.push(
        ...wrap(
          `not shown, created by the component: ${REMOTE_CHILDREN[r.type]}`.split(" "),
          `${indent}    `,
        ),
      );
    for (const c of children.get(r.urn) ?? []) visit(c, depth + 1);
  };
  for (const r of children.get("") ?? []) visit(r, 0);
  return out.join("\n");
}
