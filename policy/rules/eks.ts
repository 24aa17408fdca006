import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, forTypes, isProdUrn, label, listOf, ofTypes, peek, peekPath, type Maybe } from "./common";

export const EKS_CLUSTER = "eks:index:Cluster";
export const EKS_MANAGED_NODE_GROUP = "eks:index:ManagedNodeGroup";
/** The node group the eks component creates; policies see it only in a real deployment, not under mocks. */
export const AWS_EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
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
    const key = peek(props, "encryptionConfigKeyArn");
    // Unknown during preview means it is wired to a key being created: set.
    if (key === UNKNOWN || (typeof key === "string" && key !== "")) return;
    report(
      `${label(args.type, args.name)} does not encrypt Kubernetes secrets. ` +
        `Fix: set encryptionConfigKeyArn to a KMS key ARN (with key rotation enabled).`,
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
  description: "EKS nodes get no public IP and node groups name their (private) subnets.",
  severity: "high",
  validateResource: forTypes([EKS_CLUSTER, EKS_MANAGED_NODE_GROUP], (props, args, report) => {
    if (args.type === EKS_CLUSTER) {
      const publicIp = peek(props, "nodeAssociatePublicIpAddress");
      if (publicIp !== false && publicIp !== UNKNOWN) {
        report(
          `${label(args.type, args.name)} may give nodes public IP addresses. ` +
            `Fix: set nodeAssociatePublicIpAddress: false.`,
        );
      }
      return;
    }
    // Without subnetIds a managed node group spans all the cluster's subnets, public ones included.
    const subnets = listOf(peek(props, "subnetIds"));
    if (subnets !== UNKNOWN && !subnets?.length) {
      report(
        `${label(args.type, args.name)} does not set subnetIds, so it would use every cluster subnet, ` +
          `public ones included. Fix: set subnetIds to the VPC's private subnet IDs.`,
      );
    }
  }),
};

/**
 * Node groups only in private subnets: compared with the cluster's privateSubnetIds (component inputs) and with
 * subnets that map public IPs on launch (real deployments, where the eks component's children are visible).
 */
export const eksNodeGroupsPrivateSubnets: StackValidationPolicy = {
  name: "eks-node-groups-private-subnets",
  description: "EKS node groups run only in private subnets.",
  severity: "high",
  validateStack: (args, report) => {
    const clusters = ofTypes(args.resources, [EKS_CLUSTER]);
    const nodeGroups = ofTypes(args.resources, [EKS_MANAGED_NODE_GROUP, AWS_EKS_NODE_GROUP]);
    if (nodeGroups.length === 0) args.notApplicable("no node groups");

    const publicIds = new Set(clusters.flatMap((c) => strings(peek(c.props, "publicSubnetIds"))));
    for (const s of ofTypes(args.resources, [AWS_SUBNET])) {
      const id = peek(s.props, "id");
      if (peek(s.props, "mapPublicIpOnLaunch") === true && typeof id === "string") publicIds.add(id);
    }
    const privateIdsOf = (clusterRef: Maybe<any>) => {
      const own = clusters.filter((c) => c.urn === clusterRef);
      return new Set(
        (own.length ? own : clusters).flatMap((c) => strings(peek(c.props, "privateSubnetIds"))),
      );
    };

    for (const ng of nodeGroups) {
      const privateIds = privateIdsOf(peek(ng.props, "cluster"));
      for (const subnet of strings(peek(ng.props, "subnetIds"))) {
        if (publicIds.has(subnet)) {
          report(
            `${label(ng.type, ng.name)} runs in public subnet ${subnet}. Fix: set subnetIds to private subnets only.`,
            ng.urn,
          );
        } else if (privateIds.size > 0 && !privateIds.has(subnet)) {
          report(
            `${label(ng.type, ng.name)} uses subnet ${subnet}, which is not one of the cluster's privateSubnetIds. ` +
              `Fix: set subnetIds to the cluster's private subnets.`,
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
    const isPublic = peek(props, "endpointPublicAccess");
    if (isPublic === false || isPublic === UNKNOWN) return;
    const value = peek(props, "publicAccessCidrs");
    if (value === UNKNOWN) return;
    const cidrs = strings(value);
    if (cidrs.length === 0) {
      report(
        `${label(args.type, args.name)} has a public API endpoint without publicAccessCidrs, so it is open to ` +
          `0.0.0.0/0. Fix: set publicAccessCidrs to the allowed CIDRs, or endpointPublicAccess: false.`,
      );
    } else if (isProdUrn(args.urn) && cidrs.some((c) => OPEN_CIDRS.includes(c))) {
      report(
        `${label(args.type, args.name)} allows the public API endpoint from anywhere (${cidrs.join(", ")}) in prod. ` +
          `Fix: list only the office/VPN/CI CIDRs in publicAccessCidrs.`,
      );
    }
  }),
};

/** Launch templates: ours for the managed node groups, and any a component creates as a child. */
export const AWS_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

/**
 * IMDSv2 with a hop limit of 1, so pods cannot read the node role's credentials. pulumi-eks v4.3.0's enableIMDSv2
 * creates a launch template with hop limit 2 (nodejs/eks/nodes/nodegroup.ts), so node groups must bring their own.
 */
export const eksNodeImdsV2: ResourceValidationPolicy = {
  name: "eks-node-imdsv2",
  description:
    "EKS nodes require IMDSv2 with a hop limit of 1: managed node groups launch from such a template.",
  severity: "high",
  validateResource: forTypes([EKS_MANAGED_NODE_GROUP, AWS_LAUNCH_TEMPLATE], (props, args, report) => {
    const what = label(args.type, args.name);
    if (args.type === AWS_LAUNCH_TEMPLATE) {
      const tokens = peekPath(props, "metadataOptions", "httpTokens");
      if (tokens !== UNKNOWN && tokens !== "required")
        report(
          `${what} allows IMDSv1, so pods can reach node credentials. Fix: set metadataOptions.httpTokens: "required".`,
        );
      const hops = peekPath(props, "metadataOptions", "httpPutResponseHopLimit");
      if (hops !== UNKNOWN && hops !== 1)
        report(
          `${what} has IMDS hop limit ${hops ?? "unset"}, so pods can reach node credentials. ` +
            `Fix: set metadataOptions.httpPutResponseHopLimit: 1.`,
        );
      return;
    }
    const template = peek(props, "launchTemplate");
    if (template === UNKNOWN) return;
    if (template === undefined || peek(props, "enableIMDSv2") !== undefined)
      report(
        `${what} does not launch from a launch template with IMDSv2 and hop limit 1 (enableIMDSv2 sets hop limit 2), ` +
          `so pods can reach node credentials. Fix: pass launchTemplate with metadataOptions ` +
          `{ httpTokens: "required", httpPutResponseHopLimit: 1 } and drop enableIMDSv2.`,
      );
  }),
};

export const PROD_MIN_NODES = 3;

export const eksProdNodeCapacity: ResourceValidationPolicy = {
  name: "eks-prod-node-capacity",
  description: `Prod node groups are on-demand with at least ${PROD_MIN_NODES} nodes.`,
  severity: "high",
  validateResource: forTypes([EKS_MANAGED_NODE_GROUP], (props, args, report) => {
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
        `${label(args.type, args.name)} has scalingConfig.minSize ${min ?? "unset (EKS default 1)"} in prod. ` +
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
