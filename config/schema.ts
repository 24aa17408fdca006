import { z } from "zod";
import { IMAGE_TAG_MAX_LENGTH, IMAGE_TAG_PATTERN, IMAGE_TAG_RULE } from "./image-tag";
import { addonsProdRules, addonsShape } from "./addons";
import { alertingProdRules, alertingSchema } from "./alerting";
import { cidrList, vpcCidr } from "./network";
import {
  AMI_ARCHITECTURE,
  instanceType,
  MAX_NODE_GROUPS,
  mismatchedTypes,
  nodeCount,
  type AmiType,
} from "./compute";
import { labels } from "./kubernetes";
import { PROD_MAX_ADDRESSES, PROD_MIN_PREFIX, prodAllowListProblems } from "./cidr";
import { intRange, logRetentionDays } from "./primitives";
import { serviceProdRules, serviceSchema } from "./service";
import { servicesSchema } from "./services";
import { karpenterProdRules, karpenterSchema } from "./karpenter";
import { accessSchema } from "./access";

/** The four environments; the stack name selects one. Order is the promotion order. */
export const ENVIRONMENTS = ["alpha", "beta", "uat", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** EKS versions in standard support that this program is tested against. */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.34", "1.35", "1.36"] as const;

/**
 * `pulumi config set --path` writes digits as a number ("integers are treated as numbers", pulumi config set docs).
 * A 12-digit number is unambiguous and taken as the ID; a shorter one lost its leading zeros, so it is refused.
 */
export const accountId = z.preprocess(
  (v) => (typeof v === "number" && Number.isSafeInteger(v) && String(v).length === 12 ? String(v) : v),
  z
    .string("expected a string: quote the account ID, or set it with pulumi config set --path --type string")
    .regex(/^\d{12}$/, "allowed: a 12-digit AWS account ID"),
);
export const imageTagSchema = z
  .string("expected a string")
  .max(IMAGE_TAG_MAX_LENGTH, {
    message: `allowed: at most ${IMAGE_TAG_MAX_LENGTH} characters (OCI distribution spec)`,
    abort: true,
  })
  .regex(IMAGE_TAG_PATTERN, `allowed: ${IMAGE_TAG_RULE}; never empty or "latest"`);

export const networkSchema = z
  .object({
    cidr: vpcCidr,
    azCount: z.int("expected a whole number").min(2, "allowed: 2 or 3").max(3, "allowed: 2 or 3"),
    natGateways: z.enum(["single", "onePerAz"], "allowed: single | onePerAz"),
    flowLogs: z
      .object({ enabled: z.boolean("expected true or false"), retentionDays: logRetentionDays })
      .strict(),
  })
  .strict();

const nodeGroupSchema = z
  .object({
    instanceTypes: z.array(instanceType).min(1, "allowed: at least one instance type"),
    capacityType: z.enum(["ON_DEMAND", "SPOT"], "allowed: ON_DEMAND | SPOT"),
    amiType: z.enum(
      Object.keys(AMI_ARCHITECTURE) as [AmiType, ...AmiType[]],
      `allowed: one of ${Object.keys(AMI_ARCHITECTURE).join(", ")}`,
    ),
    minSize: nodeCount,
    desiredSize: nodeCount,
    maxSize: nodeCount,
    diskSizeGiB: z
      .int("expected a whole number")
      .min(20, "allowed: 20 to 1000")
      .max(1000, "allowed: 20 to 1000"),
    labels,
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.minSize > g.maxSize) {
      ctx.addIssue({ code: "custom", path: ["minSize"], message: `allowed: at most maxSize (${g.maxSize})` });
    }
    if (g.desiredSize < g.minSize || g.desiredSize > g.maxSize) {
      ctx.addIssue({
        code: "custom",
        path: ["desiredSize"],
        message: `allowed: between minSize (${g.minSize}) and maxSize (${g.maxSize})`,
      });
    }
    const mismatched = mismatchedTypes(g.amiType, g.instanceTypes);
    if (mismatched.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["instanceTypes"],
        message: `allowed: ${AMI_ARCHITECTURE[g.amiType]} instance types for amiType ${g.amiType} (${mismatched.join(", ")} ${mismatched.length === 1 ? "is" : "are"} not)`,
      });
    }
    if (g.capacityType === "SPOT" && g.instanceTypes.length === 1) {
      ctx.addIssue({
        code: "custom",
        path: ["instanceTypes"],
        message:
          "allowed: at least two instance types for SPOT, so one reclaimed pool cannot drain the group",
      });
    }
  });

const addonVersion = z
  .string()
  .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, "allowed: an EKS add-on version like v1.19.0-eksbuild.1");

export const clusterSchema = z
  .object({
    version: z.enum(
      SUPPORTED_KUBERNETES_VERSIONS,
      `allowed: one of ${SUPPORTED_KUBERNETES_VERSIONS.join(", ")}`,
    ),
    endpointPublicAccess: z.boolean("expected true or false"),
    publicAccessCidrs: cidrList,
    logRetentionDays,
    deletionProtection: z.boolean("expected true or false"),
    /** Pins for EKS managed add-ons; an add-on not listed runs AWS's default version for the cluster version. */
    addonVersions: z
      .object({
        "vpc-cni": addonVersion,
        coredns: addonVersion,
        "kube-proxy": addonVersion,
        "eks-pod-identity-agent": addonVersion,
        "aws-ebs-csi-driver": addonVersion,
      })
      .partial()
      .strict(),
    nodeGroups: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,20}$/, "allowed: a short lowercase name"), nodeGroupSchema)
      .refine((groups) => Object.keys(groups).length > 0, "allowed: at least one node group")
      .refine(
        (groups) => Object.keys(groups).length <= MAX_NODE_GROUPS,
        `allowed: at most ${MAX_NODE_GROUPS} node groups (EKS: managed node groups per cluster)`,
      ),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.endpointPublicAccess && c.publicAccessCidrs.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["publicAccessCidrs"],
        message:
          "allowed: at least one CIDR while endpointPublicAccess is true (an empty list means the whole internet)",
      });
    }
  });

export const registrySchema = z
  .object({
    // ECR CreateRepository: repositoryName, length 2–256, (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*
    // (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html).
    name: z
      .string("expected a string")
      .min(2, "allowed: an ECR repository name of 2 to 256 characters")
      .max(256, "allowed: an ECR repository name of 2 to 256 characters")
      .regex(
        /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
        "allowed: an ECR repository name: lowercase letters and digits, separated by '.', '_', '-' or '/'",
      ),
    ownerStack: z.enum(ENVIRONMENTS, `allowed: one of ${ENVIRONMENTS.join(", ")}`),
    /** Account that owns the repository, when other environments live in other accounts. */
    accountId: accountId.optional(),
    keepReleaseImages: intRange(1, 1000),
    untaggedExpiryDays: intRange(1, 365),
    pullAccountIds: z.array(accountId),
  })
  .strict();

/** The whole `platform:` namespace. Top-level keys are the config keys of Pulumi.yaml. */
export const platformSchema = z
  .object({
    imageTag: imageTagSchema,
    /** The AWS account this stack deploys to; the provider refuses credentials of any other (allowedAccountIds). */
    accountId: z
      .string("required in every stack file: the 12-digit AWS account ID this stack deploys to")
      .regex(/^\d{12}$/, "allowed: a 12-digit AWS account ID"),
    network: networkSchema,
    cluster: clusterSchema,
    access: accessSchema,
    registry: registrySchema,
    service: serviceSchema,
    services: servicesSchema,
    karpenter: karpenterSchema,
    ...addonsShape,
    alerting: alertingSchema,
  })
  .strict();

export type PlatformSettings = z.infer<typeof platformSchema>;
export type NetworkSettings = PlatformSettings["network"];
export type ClusterSettings = PlatformSettings["cluster"];
export type NodeGroupSettings = ClusterSettings["nodeGroups"][string];
export type RegistrySettings = PlatformSettings["registry"];
export type { AccessSettings } from "./access";
export type { ServiceSettings } from "./service";
export type { KarpenterSettings } from "./karpenter";
export type { AlertingSecretKey, AlertingSettings } from "./alerting";
export type { FluentBitSettings, GrafanaSettings, PostgresSettings, PrometheusSettings } from "./addons";

/** Rules that hold only in prod: they protect the environment users depend on. */
export function prodRules(s: PlatformSettings, ctx: z.RefinementCtx): void {
  const must = (ok: boolean, path: (string | number)[], message: string) => {
    if (!ok) ctx.addIssue({ code: "custom", path, message: `allowed in prod: ${message}` });
  };
  must(s.network.azCount === 3, ["network", "azCount"], "3 (nodes spread across three zones)");
  must(s.network.natGateways === "onePerAz", ["network", "natGateways"], "onePerAz (no single-AZ egress)");
  must(s.network.flowLogs.enabled, ["network", "flowLogs", "enabled"], "true");
  must(s.cluster.deletionProtection, ["cluster", "deletionProtection"], "true");
  const wide = s.cluster.endpointPublicAccess ? prodAllowListProblems(s.cluster.publicAccessCidrs) : [];
  must(
    wide.length === 0,
    ["cluster", "publicAccessCidrs"],
    `office/VPN/CI ranges, each /${PROD_MIN_PREFIX} or narrower, ${PROD_MAX_ADDRESSES} addresses in all (${wide.join("; ")})`,
  );
  for (const [name, g] of Object.entries(s.cluster.nodeGroups)) {
    must(g.capacityType === "ON_DEMAND", ["cluster", "nodeGroups", name, "capacityType"], "ON_DEMAND");
    must(g.minSize >= 3, ["cluster", "nodeGroups", name, "minSize"], "at least 3 (one node per zone)");
  }
  serviceProdRules(s.service, ctx);
  karpenterProdRules(s.karpenter, ctx);
  addonsProdRules(s, ctx);
  alertingProdRules(s.alerting, ctx);
}
