import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkSettings } from "../config";
import { remoteChildOptions } from "./providers";

export interface NetworkArgs {
  settings: NetworkSettings;
  /** Tagged on subnets so the load-balancer controller and EKS find them. */
  clusterName: string;
  /** Prod: the flow-log group is protected and retained on delete. */
  isProd: boolean;
}

/**
 * Only flow logs of this account may assume the delivery role: the trust policy the VPC User Guide gives for
 * confused-deputy prevention (docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
 */
export function flowLogsTrust(accountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:ec2:*:${accountId}:vpc-flow-log/*` },
        },
      },
    ],
  });
}

/** The VPC: private subnets for nodes, public subnets for internet-facing load balancers. */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Subnet CIDRs: where the load balancers' nodes live (public: internet-facing, private: internal). */
  readonly publicSubnetCidrs: pulumi.Output<string[]>;
  readonly privateSubnetCidrs: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:Network", name, {}, opts);
    const { settings, clusterName } = args;
    const prefix = Number(settings.cidr.split("/")[1]);
    const clusterTag = { [`kubernetes.io/cluster/${clusterName}`]: "shared" };

    const vpc = new awsx.ec2.Vpc(
      name,
      {
        cidrBlock: settings.cidr,
        numberOfAvailabilityZones: settings.azCount,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        natGateways: {
          strategy:
            settings.natGateways === "onePerAz"
              ? awsx.ec2.NatGatewayStrategy.OnePerAz
              : awsx.ec2.NatGatewayStrategy.Single,
        },
        subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
        // Private subnets get most of the space: with the VPC CNI every pod takes a VPC address.
        subnetSpecs: [
          {
            type: awsx.ec2.SubnetType.Private,
            cidrMask: prefix + 3,
            tags: { ...clusterTag, "kubernetes.io/role/internal-elb": "1" },
          },
          {
            type: awsx.ec2.SubnetType.Public,
            cidrMask: prefix + 6,
            tags: { ...clusterTag, "kubernetes.io/role/elb": "1" },
          },
        ],
      },
      remoteChildOptions(this),
    );
    this.vpcId = vpc.vpcId;
    this.publicSubnetIds = vpc.publicSubnetIds;
    this.privateSubnetIds = vpc.privateSubnetIds;
    const cidrsOf = (ids: pulumi.Output<string[]>) =>
      ids.apply((list) =>
        Promise.all(list.map(async (id) => (await aws.ec2.getSubnet({ id }, { parent: this })).cidrBlock)),
      );
    this.publicSubnetCidrs = cidrsOf(this.publicSubnetIds);
    this.privateSubnetCidrs = cidrsOf(this.privateSubnetIds);

    if (settings.flowLogs.enabled) this.flowLogs(name, settings.flowLogs.retentionDays, args.isProd);
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
    });
  }

  /** VPC flow logs to CloudWatch Logs, for incident forensics. */
  private flowLogs(name: string, retentionInDays: number, isProd: boolean): void {
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { namePrefix: `/vpc/${name}/flow-logs-`, retentionInDays },
      { parent: this, protect: isProd, retainOnDelete: isProd },
    );
    const role = new aws.iam.Role(
      `${name}-flow-logs`,
      {
        assumeRolePolicy: flowLogsTrust(aws.getCallerIdentityOutput({}, { parent: this }).accountId),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs`,
      {
        role: role.id,
        policy: logGroup.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [arn, `${arn}:*`],
              },
            ],
          }),
        ),
      },
      { parent: this },
    );
    new aws.ec2.FlowLog(
      `${name}-flow-logs`,
      {
        vpcId: this.vpcId,
        trafficType: "ALL",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
      },
      { parent: this },
    );
  }
}
