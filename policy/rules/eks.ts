import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, forTypes, isProdUrn, label, listOf, ofTypes, peek, peekPath, type Maybe } from "./common";

/**
 * The AWS resources the engine really analyses. `eks:index:Cluster` and `eks:index:ManagedNodeGroup` are remote
 * components: policies see them with no inputs ({}), and see the children the eks provider registers, with the AWS
 * provider's property names (@pulumi/aws eks/cluster.d.ts, eks/nodeGroup.d.ts, ec2/launchTemplate.d.ts).
 */
export const EKS_CLUSTER = "aws:eks/cluster:Cluster";
export const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
export const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const AWS_SUBNET = "aws:ec2/subnet:Subnet";

export const REQUIRED_LOG_TYPES = ["api", "audit", "authenticator"];
const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];

/** Known strings of a list input; unknown elements (preview) are left out. */
function strings(value: Maybe<any>): string[] {
  const list = listOf(value);
  if (list === UNKNOWN || list === undefined) return [];
  return list.filter((v): v is string => typeof v === "string");
}

export const eksSecretsEncryption: ResourceValidationPolicy = {
  name: "eks-secrets-encryption",
  description: "EKS clusters envelope-encrypt Kubernetes secrets with a KMS key.",
  severity: "high",
  validateResource: forTypes([EKS_CLUSTER], (props, args, report) => {
    const key = peekPath(props, "encryptionConfig", "provider", "keyArn");
    const resources = peekPath(props, "encryptionConfig", "resources");
    // Unknown during preview means it is wired to a key being created: set.
    const keyed = key === UNKNOWN || (typeof key === "string" && key !== "");
    if (keyed && (resources === UNKNOWN || strings(resources).includes("secrets"))) return;
    report(
      `${label(args.type, args.name)} does not encrypt Kubernetes secrets. ` +
        `Fix: set encryptionConfigKeyArn (encryptionConfig.provider.keyArn, resources ["secrets"]) to a KMS key ` +
        `ARN with key rotation enabled.`,
    );
  }),
};

export const eksControlPlaneLogs: ResourceValidationPolicy = {
  name: "eks-control-plane-logs",
  description: `EKS control-plane logging includes ${REQUIRED_LOG_TYPES.join(", ")}.`,
  severity: "medium",
  validateResource: forTypes([EKS_CLUSTER], (props, args, report) => {
    const value = peek(props, "enabledClusterLogTypes");
    if (value === UNKNOWN) return;
    const enabled = strings(value);
    const missing = REQUIRED_LOG_TYPES.filter((t) => !enabled.includes(t));
    if (missing.length > 0) {
      report(
        `${label(args.type, args.name)} does not ship control-plane logs ${missing.join(", ")}. ` +
          `Fix: include ${JSON.stringify(REQUIRED_LOG_TYPES)} in enabledClusterLogTypes.`,
      );
    }
  }),
};

export const eksPrivateNodes: ResourceValidationPolicy = {
  name: "eks-private-nodes",
  description:
    "EKS node groups name their (private) subnets, and their launch templates give nodes no public IP.",
  severity: "high",
  validateResource: forTypes([EKS_NODE_GROUP, LAUNCH_TEMPLATE], (props, args, report) => {
    if (args.type === LAUNCH_TEMPLATE) {
      const nics = listOf(peek(props, "networkInterfaces"));
      if (nics === UNKNOWN || nics === undefined) return;
      // The provider types associatePublicIpAddress as a string ("true"/"false").
      if (nics.some((n) => String(peek(n, "associatePublicIpAddress")) === "true")) {
        report(
          `${label(args.type, args.name)} gives nodes public IP addresses. ` +
            `Fix: do not set associatePublicIpAddress on its network interfaces.`,
        );
      }
      return;
    }
    // A managed node group without subnetIds is rejected by EKS; an empty list is a misconfiguration.
    const subnets = listOf(peek(props, "subnetIds"));
    if (subnets !== UNKNOWN && !subnets?.length) {
      report(
        `${label(args.type, args.name)} does not set subnetIds. ` +
          `Fix: set subnetIds to the VPC's private subnet IDs.`,
      );
    }
  }),
};

/**
 * Node groups only in private subnets: no node group subnet may be one that maps public IPs on launch (the awsx
 * VPC's public subnets, registered as aws:ec2/subnet:Subnet children).
 */
export const eksNodeGroupsPrivateSubnets: StackValidationPolicy = {
  name: "eks-node-groups-private-subnets",
  description: "EKS node groups run only in private subnets.",
  severity: "high",
  validateStack: (args, report) => {
    const nodeGroups = ofTypes(args.resources, [EKS_NODE_GROUP]);
    if (nodeGroups.length === 0) args.notApplicable("no node groups");

    const publicIds = new Set<string>();
    for (const s of ofTypes(args.resources, [AWS_SUBNET])) {
      const id = peek(s.props, "id");
      if (peek(s.props, "mapPublicIpOnLaunch") === true && typeof id === "string") publicIds.add(id);
    }
    for (const ng of nodeGroups) {
      for (const subnet of strings(peek(ng.props, "subnetIds"))) {
        if (publicIds.has(subnet)) {
          report(
            `${label(ng.type, ng.name)} runs in public subnet ${subnet}. Fix: set subnetIds to private subnets only.`,
            ng.urn,
          );
        }
      }
    }
  },
};

export const eksPublicEndpointAllowlist: ResourceValidationPolicy = {
  name: "eks-public-endpoint-allowlist",
  description: "A public EKS API endpoint has a CIDR allow-list, never 0.0.0.0/0 in prod.",
  severity: "high",
  validateResource: forTypes([EKS_CLUSTER], (props, args, report) => {
    // EKS enables the public endpoint unless told otherwise.
    const isPublic = peekPath(props, "vpcConfig", "endpointPublicAccess");
    if (isPublic === false || isPublic === UNKNOWN) return;
    const value = peekPath(props, "vpcConfig", "publicAccessCidrs");
    if (value === UNKNOWN) return;
    const cidrs = strings(value);
    if (cidrs.length === 0) {
      report(
        `${label(args.type, args.name)} has a public API endpoint without vpcConfig.publicAccessCidrs, so it is ` +
          `open to 0.0.0.0/0. Fix: set publicAccessCidrs to the allowed CIDRs, or endpointPublicAccess: false.`,
      );
    } else if (isProdUrn(args.urn) && cidrs.some((c) => OPEN_CIDRS.includes(c))) {
      report(
        `${label(args.type, args.name)} allows the public API endpoint from anywhere (${cidrs.join(", ")}) in prod. ` +
          `Fix: list only the office/VPN/CI CIDRs in publicAccessCidrs.`,
      );
    }
  }),
};

/**
 * IMDSv2 with a hop limit of 1, so pods cannot read the node role's credentials. pulumi-eks v4.3.0's enableIMDSv2
 * creates a launch template with hop limit 2 (nodejs/eks/nodes/nodegroup.ts), so node groups must bring their own.
 */
export const eksNodeImdsV2: ResourceValidationPolicy = {
  name: "eks-node-imdsv2",
  description:
    "EKS nodes require IMDSv2 with a hop limit of 1: managed node groups launch from such a template.",
  severity: "high",
  validateResource: forTypes([EKS_NODE_GROUP, LAUNCH_TEMPLATE], (props, args, report) => {
    const what = label(args.type, args.name);
    if (args.type === EKS_NODE_GROUP) {
      // Without a launch template the node group takes EKS's defaults: IMDSv1 allowed, hop limit 2.
      const lt = peek(props, "launchTemplate");
      if (lt === undefined || lt === null)
        report(
          `${what} has no launch template, so nothing requires IMDSv2 with hop limit 1. Fix: pass launchTemplate ` +
            `with metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 }.`,
        );
      return;
    }
    const tokens = peekPath(props, "metadataOptions", "httpTokens");
    if (tokens !== UNKNOWN && tokens !== "required")
      report(
        `${what} allows IMDSv1 (metadataOptions.httpTokens ${tokens ?? "unset"}), so pods can reach node ` +
          `credentials. Fix: set metadataOptions.httpTokens: "required".`,
      );
    const hops = peekPath(props, "metadataOptions", "httpPutResponseHopLimit");
    if (hops !== UNKNOWN && hops !== 1)
      report(
        `${what} has IMDS hop limit ${hops ?? "unset"}, so pods can reach node credentials (pulumi-eks's ` +
          `enableIMDSv2 sets 2). Fix: set metadataOptions.httpPutResponseHopLimit: 1.`,
      );
  }),
};

export const PROD_MIN_NODES = 3;

export const eksProdNodeCapacity: ResourceValidationPolicy = {
  name: "eks-prod-node-capacity",
  description: `Prod node groups are on-demand with at least ${PROD_MIN_NODES} nodes.`,
  severity: "high",
  validateResource: forTypes([EKS_NODE_GROUP], (props, args, report) => {
    if (!isProdUrn(args.urn)) args.notApplicable("prod only");
    const capacity = peek(props, "capacityType");
    // ON_DEMAND is the EKS default when capacityType is unset.
    if (capacity !== undefined && capacity !== "ON_DEMAND" && capacity !== UNKNOWN) {
      report(
        `${label(args.type, args.name)} uses ${capacity} capacity in prod. Fix: set capacityType: "ON_DEMAND".`,
      );
    }
    const min = peekPath(props, "scalingConfig", "minSize");
    if (min !== UNKNOWN && !(typeof min === "number" && min >= PROD_MIN_NODES)) {
      report(
        `${label(args.type, args.name)} has scalingConfig.minSize ${min ?? "unset"} in prod. ` +
          `Fix: set scalingConfig.minSize to at least ${PROD_MIN_NODES}, one node per availability zone.`,
      );
    }
  }),
};

export const eksPolicies = [
  eksSecretsEncryption,
  eksControlPlaneLogs,
  eksPrivateNodes,
  eksNodeGroupsPrivateSubnets,
  eksPublicEndpointAllowlist,
  eksNodeImdsV2,
  eksProdNodeCapacity,
];
