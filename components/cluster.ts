import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AccessSettings, ClusterSettings } from "../config";
import { EKS_ACCESS_POLICY, IAM_MANAGED_POLICY } from "./aws-managed";
import { remoteChildOptions } from "./providers";

export interface ClusterArgs {
  clusterName: string;
  settings: ClusterSettings;
  /** Who reaches the Kubernetes API besides the nodes (config/access.ts). */
  access: AccessSettings;
  /** Prod: deletion protection, and `protect` on the control plane and its KMS key. */
  isProd: boolean;
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<string[]>;
  privateSubnetIds: pulumi.Input<string[]>;
  /** Where nodes run: every private subnet, or only the first zone's for single-zone stacks. */
  nodeSubnetIds: pulumi.Input<string[]>;
}

type ManagedAddon = keyof ClusterSettings["addonVersions"];

const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator"];
const NODE_POLICIES = [
  IAM_MANAGED_POLICY.AmazonEKSWorkerNodePolicy,
  IAM_MANAGED_POLICY.AmazonEKS_CNI_Policy,
  IAM_MANAGED_POLICY.AmazonEC2ContainerRegistryReadOnly,
  IAM_MANAGED_POLICY.AmazonSSMManagedInstanceCore,
];

/** The root volume's device on AL2023 AMIs (pulumi-eks v4.3.0 nodejs/eks/nodes/nodegroup.ts uses the same). */
const AL2023_ROOT_DEVICE = "/dev/xvda";

/**
 * Instance metadata for nodes: IMDSv2 only, and a hop limit of 1, so the token response never leaves the node's
 * own network namespace. Pods (other than hostNetwork ones such as aws-node and kube-proxy) cannot read the node
 * role's credentials; add-ons get theirs from Pod Identity or IRSA and their region and VPC from config.
 * AWS: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html
 */
export const NODE_METADATA_OPTIONS = {
  httpEndpoint: "enabled",
  httpTokens: "required",
  httpPutResponseHopLimit: 1,
} as const;

function nodeLaunchTemplate(
  name: string,
  diskSizeGiB: number,
  parent: pulumi.Resource,
): aws.ec2.LaunchTemplate {
  return new aws.ec2.LaunchTemplate(
    name,
    {
      description: `EKS managed node group ${name}: IMDSv2, hop limit 1, encrypted gp3 root volume`,
      metadataOptions: NODE_METADATA_OPTIONS,
      blockDeviceMappings: [
        {
          deviceName: AL2023_ROOT_DEVICE,
          ebs: { volumeSize: diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      // EKS fills in the AMI and user data for its AMI type; the template only overrides what is set here.
      updateDefaultVersion: true,
    },
    { parent },
  );
}

/** The control plane among the eks component's children (pulumi-eks 4.3.0: `${name}-eksCluster`). */
export const EKS_CONTROL_PLANE = "aws:eks/cluster:Cluster";

/**
 * Protects exactly the control plane inside the remote eks.Cluster. `transforms` reach the children of packaged
 * components too: the engine calls back into this program for each child the eks provider registers.
 */
export const protectControlPlane: pulumi.ResourceTransform = ({ type, props, opts }) =>
  type === EKS_CONTROL_PLANE ? { props, opts: { ...opts, protect: true } } : undefined;

const clusterScope = { type: "cluster" };

/**
 * Access entries of the people and pipelines (config/access.ts): break-glass admins get cluster-admin, the preview
 * role gets view. The deploy role has none: EKS made it admin as the cluster's creator. Keys follow the role's
 * name, so replacing one principal creates the new entry before deleting the old without a collision.
 */
export function accessEntries(access: AccessSettings): Record<string, eks.types.input.AccessEntryArgs> {
  const entry = (principalArn: string, policyArn: string) => ({
    principalArn,
    accessPolicies: { policy: { policyArn, accessScope: clusterScope } },
  });
  const key = (arn: string) => arn.split("/").pop()!.toLowerCase();
  return {
    [`preview-${key(access.previewRoleArn)}`]: entry(
      access.previewRoleArn,
      EKS_ACCESS_POLICY.AmazonEKSViewPolicy,
    ),
    ...Object.fromEntries(
      access.adminArns.map((arn) => [
        `admin-${key(arn)}`,
        entry(arn, EKS_ACCESS_POLICY.AmazonEKSClusterAdminPolicy),
      ]),
    ),
  };
}

/** EKS control plane (API auth, KMS-encrypted secrets, private nodes), its managed add-ons and node groups. */
export class Cluster extends pulumi.ComponentResource {
  readonly clusterName: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<unknown>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly oidcProviderUrl: pulumi.Output<string>;
  readonly nodeRoleArn: pulumi.Output<string>;
  /** The node role's name: Karpenter's EC2NodeClass launches its nodes with it (the access entry covers them). */
  readonly nodeRoleName: pulumi.Output<string>;
  /** The security group EKS created for the cluster, which managed nodes carry: Karpenter's nodes get it too. */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  /** Kubernetes provider for everything installed in the cluster. */
  readonly provider: k8s.Provider;
  /**
   * Ready for workloads: nodes joined and the Pod Identity agent running. Releases with pods depend on this, not on
   * each other. CoreDNS is left out: it comes up within a minute of the nodes, well inside any release's wait.
   */
  readonly workloadsReady: pulumi.Resource[];

  private readonly settings: ClusterSettings;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:cluster:Cluster", name, {}, opts);
    const { settings, isProd, clusterName } = args;
    this.settings = settings;

    const secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      {
        description: `EKS secrets envelope encryption for ${clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      { parent: this, protect: isProd },
    );
    // EKS would create this group itself with infinite retention; owning it sets retention and cleans up on destroy.
    const controlPlaneLogs = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: settings.logRetentionDays },
      // Prod's audit trail outlives a rename or a destroy of the stack.
      { parent: this, protect: isProd, retainOnDelete: isProd },
    );

    // No aws:SourceAccount/SourceArn condition: the EC2 User Guide (iam-roles-for-amazon-ec2.html) documents neither
    // key for instance-profile roles, and a condition on a key the service does not send locks the nodes out.
    const nodeRole = new aws.iam.Role(
      `${name}-node`,
      { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ec2.amazonaws.com" }) },
      { parent: this },
    );
    const nodeRoleAttachments = NODE_POLICIES.map(
      (policyArn) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policyArn.split("/").pop()}`,
          { role: nodeRole.name, policyArn },
          { parent: this },
        ),
    );

    const cluster = new eks.Cluster(
      name,
      {
        name: clusterName,
        version: settings.version,
        vpcId: args.vpcId,
        publicSubnetIds: args.publicSubnetIds,
        privateSubnetIds: args.privateSubnetIds,
        nodeAssociatePublicIpAddress: false,
        skipDefaultNodeGroup: true,
        authenticationMode: eks.AuthenticationMode.Api,
        accessEntries: {
          ...accessEntries(args.access),
          nodes: { principalArn: nodeRole.arn, type: eks.AccessEntryType.EC2Linux },
        },
        endpointPrivateAccess: true,
        endpointPublicAccess: settings.endpointPublicAccess,
        publicAccessCidrs: settings.endpointPublicAccess ? settings.publicAccessCidrs : undefined,
        encryptionConfigKeyArn: secretsKey.arn,
        enabledClusterLogTypes: CONTROL_PLANE_LOGS,
        createOidcProvider: true,
        deletionProtection: settings.deletionProtection,
        vpcCniOptions: { addonVersion: this.addonVersion("vpc-cni"), enableNetworkPolicy: true },
        kubeProxyAddonOptions: { enabled: true, version: this.addonVersion("kube-proxy") },
        // CoreDNS is installed below, after the nodes: created here it would wait, DEGRADED, for nodes that do not exist yet.
        corednsAddonOptions: { enabled: false },
      },
      // Not `protect` on the component: the engine would spread it to every child (access entries, security groups,
      // add-ons), so that changing who has access in prod would be refused. Only the control plane holds state.
      remoteChildOptions(this, {
        dependsOn: [controlPlaneLogs],
        transforms: isProd ? [protectControlPlane] : [],
      }),
    );
    this.clusterName = cluster.eksCluster.name;

    // Pod Identity lets add-ons (EBS CSI, Fluent Bit, load-balancer controller, backups) assume IAM roles.
    const podIdentityAgent = this.addon(name, "eks-pod-identity-agent", []);

    const nodeGroups = Object.entries(settings.nodeGroups).map(([group, g]) => {
      const launchTemplate = nodeLaunchTemplate(`${name}-${group}`, g.diskSizeGiB, this);
      return new eks.ManagedNodeGroup(
        `${name}-${group}`,
        {
          cluster,
          nodeRole,
          amiType: g.amiType,
          capacityType: g.capacityType,
          instanceTypes: g.instanceTypes,
          scalingConfig: { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize },
          // Single-zone stacks keep their nodes beside their volumes (config/karpenter.ts, `zones`).
          subnetIds: args.nodeSubnetIds,
          labels: { ...g.labels, "platform.example.com/node-group": group },
          // Our own launch template, not enableIMDSv2: pulumi-eks v4.3.0 pairs that with hop limit 2
          // (nodejs/eks/nodes/nodegroup.ts, createMNGCustomLaunchTemplate), which lets every pod reach IMDS.
          launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
          // Nodes follow the control plane: a version bump upgrades it first, then rolls the nodes.
          version: cluster.eksCluster.version,
        },
        remoteChildOptions(this, { dependsOn: nodeRoleAttachments }),
      );
    });
    this.addon(name, "coredns", nodeGroups);

    this.kubeconfig = pulumi.secret(cluster.kubeconfig);
    this.oidcProviderArn = cluster.oidcProviderArn;
    this.oidcProviderUrl = cluster.oidcProviderUrl;
    this.nodeRoleArn = nodeRole.arn;
    this.nodeRoleName = nodeRole.name;
    this.clusterSecurityGroupId = cluster.eksCluster.vpcConfig.clusterSecurityGroupId;
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      // A secret input: the provider's inputs are stored in the state, and the kubeconfig grants cluster access.
      { kubeconfig: pulumi.secret(cluster.kubeconfigJson), enableServerSideApply: true },
      { parent: this },
    );
    this.workloadsReady = [...nodeGroups, podIdentityAgent];
    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      oidcProviderArn: this.oidcProviderArn,
      nodeRoleArn: this.nodeRoleArn,
    });
  }

  /** An EKS managed add-on at its pinned version, or AWS's default version for this Kubernetes version. */
  addon(
    name: string,
    addon: ManagedAddon,
    dependsOn: pulumi.Resource[],
    extra: Partial<aws.eks.AddonArgs> = {},
  ): aws.eks.Addon {
    return new aws.eks.Addon(
      `${name}-${addon}`,
      {
        clusterName: this.clusterName,
        addonName: addon,
        addonVersion: this.addonVersion(addon),
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
        ...extra,
      },
      { parent: this, dependsOn },
    );
  }

  private addonVersion(addon: ManagedAddon): pulumi.Input<string> {
    const pinned = this.settings.addonVersions[addon];
    if (pinned) return pinned;
    return aws.eks.getAddonVersionOutput(
      { addonName: addon, kubernetesVersion: this.settings.version, mostRecent: false },
      { parent: this },
    ).version;
  }
}
