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

export function resourceTable(resources: RecordedResource[]): string {
  const rows = [["TYPE", "NAME", "PARENT", "PROTECTED", "KEY SETTINGS"]];
  for (const r of resources) {
    // Synthesized: a remote component's child rebuilt from its inputs (scripts/lib/remote-children.ts).
    const type = r.synthesized ? `${r.type} (synthesized)` : r.type;
    rows.push([type, r.name, nameOf(r.parent), r.protect ? "yes" : "no", keySettings(r)]);
  }
  return table(rows);
}
