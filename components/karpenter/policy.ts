import * as pulumi from "@pulumi/pulumi";

export interface ControllerPolicyArgs {
  clusterName: string;
  region: string;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  nodeRoleArn: pulumi.Input<string>;
  queueArn: pulumi.Input<string>;
}

/**
 * The Karpenter controller's permissions, after the policies of Karpenter's getting-started CloudFormation template
 * at v1.14.1 (aws/karpenter-provider-aws@1d92708, website/content/en/docs/getting-started/
 * getting-started-with-karpenter/cloudformation.yaml): NodeLifecycle, IAMIntegration, EKSIntegration, Interruption
 * and ResourceDiscovery, written here as data. Zonal shift is off (settings.enableZonalShift), so its policy is left
 * out. Every write is scoped to resources tagged for this cluster and a NodePool or EC2NodeClass.
 */
export function controllerPolicy(a: ControllerPolicyArgs): pulumi.Output<string> {
  return pulumi
    .all([a.accountId, a.partition, a.nodeRoleArn, a.queueArn])
    .apply(([account, p, nodeRole, queue]) => {
      const { clusterName: cluster, region } = a;
      const ec2 = (r: string) => `arn:${p}:ec2:${region}:*:${r}`;
      const owned = { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: "owned" };
      const requestOwned = {
        [`aws:RequestTag/kubernetes.io/cluster/${cluster}`]: "owned",
        "aws:RequestTag/eks:eks-cluster-name": cluster,
      };
      const nodepool = { "aws:ResourceTag/karpenter.sh/nodepool": "*" };
      const requestNodepool = { "aws:RequestTag/karpenter.sh/nodepool": "*" };
      const created = [
        "fleet/*",
        "instance/*",
        "volume/*",
        "network-interface/*",
        "launch-template/*",
        "spot-instances-request/*",
      ].map(ec2);
      const instanceProfiles = `arn:${p}:iam::${account}:instance-profile/*`;
      const regionTag = { "aws:ResourceTag/topology.kubernetes.io/region": region };
      const nodeClass = { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" };
      const requestNodeClass = { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" };
      const requestProfile = { ...requestOwned, "aws:RequestTag/topology.kubernetes.io/region": region };
      return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          // NodeLifecycle
          {
            Sid: "AllowScopedEC2InstanceAccessActions",
            Effect: "Allow",
            Resource: [
              `arn:${p}:ec2:${region}::image/*`,
              `arn:${p}:ec2:${region}::snapshot/*`,
              ...["security-group/*", "subnet/*", "capacity-reservation/*", "placement-group/*"].map(ec2),
            ],
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
          },
          {
            Sid: "AllowScopedEC2LaunchTemplateAccessActions",
            Effect: "Allow",
            Resource: ec2("launch-template/*"),
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            Condition: { StringEquals: owned, StringLike: nodepool },
          },
          {
            Sid: "AllowScopedEC2InstanceActionsWithTags",
            Effect: "Allow",
            Resource: created,
            Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            Condition: { StringEquals: requestOwned, StringLike: requestNodepool },
          },
          {
            Sid: "AllowScopedResourceCreationTagging",
            Effect: "Allow",
            Resource: created,
            Action: "ec2:CreateTags",
            Condition: {
              StringEquals: {
                ...requestOwned,
                "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
              },
              StringLike: requestNodepool,
            },
          },
          {
            Sid: "AllowScopedResourceTagging",
            Effect: "Allow",
            Resource: ec2("instance/*"),
            Action: "ec2:CreateTags",
            Condition: {
              StringEquals: owned,
              StringLike: nodepool,
              StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": cluster },
              "ForAllValues:StringEquals": {
                "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"],
              },
            },
          },
          {
            Sid: "AllowScopedDeletion",
            Effect: "Allow",
            Resource: [ec2("instance/*"), ec2("launch-template/*")],
            Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            Condition: { StringEquals: owned, StringLike: nodepool },
          },
          // IAMIntegration
          {
            Sid: "AllowPassingInstanceRole",
            Effect: "Allow",
            Resource: nodeRole,
            Action: "iam:PassRole",
            Condition: {
              StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"] },
            },
          },
          {
            Sid: "AllowScopedInstanceProfileCreationActions",
            Effect: "Allow",
            Resource: instanceProfiles,
            Action: ["iam:CreateInstanceProfile"],
            Condition: { StringEquals: requestProfile, StringLike: requestNodeClass },
          },
          {
            Sid: "AllowScopedInstanceProfileTagActions",
            Effect: "Allow",
            Resource: instanceProfiles,
            Action: ["iam:TagInstanceProfile"],
            Condition: {
              StringEquals: { ...owned, ...regionTag, ...requestProfile },
              StringLike: { ...nodeClass, ...requestNodeClass },
            },
          },
          {
            Sid: "AllowScopedInstanceProfileActions",
            Effect: "Allow",
            Resource: instanceProfiles,
            Action: [
              "iam:AddRoleToInstanceProfile",
              "iam:RemoveRoleFromInstanceProfile",
              "iam:DeleteInstanceProfile",
            ],
            Condition: { StringEquals: { ...owned, ...regionTag }, StringLike: nodeClass },
          },
          // EKSIntegration
          {
            Sid: "AllowAPIServerEndpointDiscovery",
            Effect: "Allow",
            Resource: `arn:${p}:eks:${region}:${account}:cluster/${cluster}`,
            Action: "eks:DescribeCluster",
          },
          // Interruption
          {
            Sid: "AllowInterruptionQueueActions",
            Effect: "Allow",
            Resource: queue,
            Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
          },
          // ResourceDiscovery
          {
            Sid: "AllowRegionalReadActions",
            Effect: "Allow",
            Resource: "*",
            Action: [
              "CapacityReservations",
              "Images",
              "Instances",
              "InstanceStatus",
              "InstanceTypeOfferings",
              "InstanceTypes",
              "LaunchTemplates",
              "PlacementGroups",
              "SecurityGroups",
              "SpotPriceHistory",
              "Subnets",
            ].map((x) => `ec2:Describe${x}`),
            Condition: { StringEquals: { "aws:RequestedRegion": region } },
          },
          {
            Sid: "AllowSSMReadActions",
            Effect: "Allow",
            Resource: `arn:${p}:ssm:${region}::parameter/aws/service/*`,
            Action: "ssm:GetParameter",
          },
          { Sid: "AllowPricingReadActions", Effect: "Allow", Resource: "*", Action: "pricing:GetProducts" },
          {
            Sid: "AllowUnscopedInstanceProfileListAction",
            Effect: "Allow",
            Resource: "*",
            Action: "iam:ListInstanceProfiles",
          },
          {
            Sid: "AllowInstanceProfileReadActions",
            Effect: "Allow",
            Resource: instanceProfiles,
            Action: "iam:GetInstanceProfile",
          },
        ],
      });
    });
}
