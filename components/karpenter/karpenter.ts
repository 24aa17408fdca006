import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { KarpenterSettings } from "../../config";
import { podIdentity, release, resourcesOf } from "../addons/common";
import type { Cluster } from "../cluster";
import { NODE_METADATA_OPTIONS } from "../cluster";
import { CHARTS } from "../versions";
import { controllerPolicy } from "./policy";

export interface KarpenterArgs {
  cluster: Cluster;
  clusterName: string;
  region: string;
  settings: KarpenterSettings;
  /** Subnets Karpenter launches into (all private subnets, or the first zone's for single-zone stacks). */
  subnetIds: pulumi.Input<string[]>;
  /** Nodes of the managed node groups: at most one controller replica per node (the chart's hostname anti-affinity). */
  controllerNodes: number;
  /** The prometheus-operator CRDs release: the chart creates a ServiceMonitor. */
  crds: pulumi.Resource;
}

const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "karpenter";
export const NODE_POOL = "default";
const NODE_CLASS = "default";
/** EventBridge events Karpenter handles ahead of time (cloudformation.yaml at v1.14.1, the *Rule resources). */
const INTERRUPTION_EVENTS: Record<string, { source: string; detailType: string }> = {
  "scheduled-change": { source: "aws.health", detailType: "AWS Health Event" },
  "spot-interruption": { source: "aws.ec2", detailType: "EC2 Spot Instance Interruption Warning" },
  rebalance: { source: "aws.ec2", detailType: "EC2 Instance Rebalance Recommendation" },
  "instance-state-change": { source: "aws.ec2", detailType: "EC2 Instance State-change Notification" },
  "capacity-reservation-interruption": {
    source: "aws.ec2",
    detailType: "EC2 Capacity Reservation Instance Interruption Warning",
  },
};

/**
 * Node autoscaling with Karpenter: its CRDs (own release, so upgrades reach them), the interruption queue and its
 * EventBridge rules, the controller on the managed node group with a Pod Identity role, and one NodePool with its
 * EC2NodeClass from config. Karpenter nodes join with the cluster's node role, whose EC2 access entry exists.
 */
export class Karpenter extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly nodePool: k8s.apiextensions.CustomResource;
  readonly queueName: pulumi.Output<string>;

  constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:karpenter:Karpenter", name, {}, opts);
    const { cluster, settings: s } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };

    const queue = this.interruptionQueue(name, args.clusterName);
    this.queueName = queue.name;

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const { grants } = podIdentity(
      name,
      {
        clusterName: cluster.clusterName,
        namespace: NAMESPACE,
        serviceAccount: SERVICE_ACCOUNT,
        policy: controllerPolicy({
          clusterName: args.clusterName,
          region: args.region,
          accountId: identity.accountId,
          partition: partition.partition,
          nodeRoleArn: cluster.nodeRoleArn,
          queueArn: queue.arn,
        }),
      },
      this,
    );

    const crdRelease = release(
      {
        name: "karpenter-crd",
        pin: CHARTS.karpenterCrd,
        namespace: NAMESPACE,
        createNamespace: false,
        // CustomResourceDefinitions only.
        timeout: 180,
        values: {},
      },
      k8sOpts,
    );

    this.release = release(
      {
        name: "karpenter",
        pin: CHARTS.karpenter,
        namespace: NAMESPACE,
        createNamespace: false,
        skipCrds: true,
        timeout: 300,
        values: {
          serviceAccount: { name: SERVICE_ACCOUNT },
          // Hard per-node anti-affinity in the chart: one replica per managed node, two where there is room.
          replicas: Math.min(2, args.controllerNodes),
          settings: { clusterName: args.clusterName, interruptionQueue: queue.name },
          controller: {
            // The region from config, not from instance metadata (hop limit 1 keeps pods away from IMDS).
            env: [{ name: "AWS_REGION", value: args.region }],
            resources: resourcesOf({ cpu: "250m", memory: "512Mi" }),
          },
          serviceMonitor: { enabled: true },
        },
      },
      { ...k8sOpts, dependsOn: [...cluster.workloadsReady, args.crds, crdRelease, ...grants] },
    );

    // The controller removes its nodes when these go, so they go first on destroy and need it running.
    const crOpts = { ...k8sOpts, dependsOn: [crdRelease, this.release] };
    const nodeClass = new k8s.apiextensions.CustomResource(
      `${name}-node-class`,
      {
        apiVersion: "karpenter.k8s.aws/v1",
        kind: "EC2NodeClass",
        metadata: { name: NODE_CLASS },
        spec: {
          role: cluster.nodeRoleName,
          amiSelectorTerms: [{ alias: s.amiAlias }],
          subnetSelectorTerms: pulumi.output(args.subnetIds).apply((ids) => ids.map((id) => ({ id }))),
          // The EKS-created cluster security group, which the managed node groups' nodes carry too.
          securityGroupSelectorTerms: [{ id: cluster.clusterSecurityGroupId }],
          metadataOptions: { ...NODE_METADATA_OPTIONS, httpProtocolIPv6: "disabled" },
          blockDeviceMappings: [
            {
              deviceName: "/dev/xvda",
              ebs: { volumeSize: "50Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true },
            },
          ],
        },
      },
      crOpts,
    );

    this.nodePool = new k8s.apiextensions.CustomResource(
      `${name}-node-pool`,
      {
        apiVersion: "karpenter.sh/v1",
        kind: "NodePool",
        metadata: { name: NODE_POOL },
        spec: {
          template: {
            metadata: { labels: { "platform.example.com/capacity": "karpenter" } },
            spec: {
              nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: NODE_CLASS },
              requirements: [
                { key: "karpenter.sh/capacity-type", operator: "In", values: [s.capacityType] },
                { key: "karpenter.k8s.aws/instance-family", operator: "In", values: s.instanceFamilies },
                { key: "karpenter.k8s.aws/instance-size", operator: "In", values: s.instanceSizes },
                { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
              ],
              expireAfter: s.expireAfter,
            },
          },
          limits: { cpu: String(s.limits.cpu), memory: `${s.limits.memoryGiB}Gi` },
          disruption: {
            consolidationPolicy: s.consolidationPolicy,
            consolidateAfter: s.consolidateAfter,
            budgets: [{ nodes: s.disruptionBudgetNodes }],
          },
        },
      },
      { ...crOpts, dependsOn: [...crOpts.dependsOn, nodeClass] },
    );
    this.registerOutputs({ queueName: this.queueName });
  }

  /** SQS queue for EC2 and Health events, so Karpenter drains a node before AWS takes it away. */
  private interruptionQueue(name: string, clusterName: string): aws.sqs.Queue {
    const queue = new aws.sqs.Queue(
      `${name}-interruptions`,
      { name: `${clusterName}-karpenter`, messageRetentionSeconds: 300, sqsManagedSseEnabled: true },
      { parent: this },
    );
    new aws.sqs.QueuePolicy(
      `${name}-interruptions`,
      {
        queueUrl: queue.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Id: "EC2InterruptionPolicy",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
              Action: "sqs:SendMessage",
              Resource: queue.arn,
            },
            {
              Sid: "DenyHTTP",
              Effect: "Deny",
              Action: "sqs:*",
              Resource: queue.arn,
              Condition: { Bool: { "aws:SecureTransport": "false" } },
              Principal: "*",
            },
          ],
        }),
      },
      { parent: this },
    );
    for (const [event, { source, detailType }] of Object.entries(INTERRUPTION_EVENTS)) {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${event}`,
        { eventPattern: JSON.stringify({ source: [source], "detail-type": [detailType] }) },
        { parent: this },
      );
      new aws.cloudwatch.EventTarget(
        `${name}-${event}`,
        { rule: rule.name, arn: queue.arn, targetId: "KarpenterInterruptionQueueTarget" },
        { parent: this },
      );
    }
    return queue;
  }
}
