import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../versions";
import { type ClusterAddonArgs, podIdentity, release, resourcesOf } from "./common";

export interface LoadBalancerControllerArgs extends ClusterAddonArgs {
  vpcId: pulumi.Input<string>;
}

const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "aws-load-balancer-controller";
/** The tag the controller puts on everything it creates; write actions are limited to resources carrying it. */
const TAG = "elbv2.k8s.aws/cluster";
const ELB = "arn:aws:elasticloadbalancing:*:*";
const LOAD_BALANCERS_AND_TARGET_GROUPS = [
  `${ELB}:targetgroup/*/*`,
  `${ELB}:loadbalancer/net/*/*`,
  `${ELB}:loadbalancer/app/*/*`,
];
const SECURITY_GROUPS = "arn:aws:ec2:*:*:security-group/*";
/** The resource already carries the controller's tag. */
const owned = { Null: { [`aws:ResourceTag/${TAG}`]: "false" } };
/** The request sets the controller's tag. */
const tagging = { Null: { [`aws:RequestTag/${TAG}`]: "false" } };
/** A tag change on an owned resource that does not touch the controller's own tag. */
const retagging = {
  Null: {
    [`aws:RequestTag/${TAG}`]: "true",
    [`aws:ResourceTag/${TAG}`]: "false",
  },
};

const allow = (Action: string[], Resource: string | string[], Condition?: object) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

/**
 * What controller v3.5.0 needs, after kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json at
 * v3.5.0 (11eb202), written here as data. v3.x needs DescribeListenerAttributes and GetSecurityGroupsForVpc,
 * which v2.x policies lack.
 */
export const CONTROLLER_POLICY = {
  Version: "2012-10-17",
  Statement: [
    allow(["iam:CreateServiceLinkedRole"], "*", {
      StringEquals: {
        "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com",
      },
    }),
    allow(
      [
        ...[
          "AccountAttributes",
          "Addresses",
          "AvailabilityZones",
          "InternetGateways",
          "Vpcs",
          "VpcPeeringConnections",
        ],
        ...[
          "Subnets",
          "SecurityGroups",
          "Instances",
          "NetworkInterfaces",
          "Tags",
          "CoipPools",
          "IpamPools",
          "RouteTables",
        ],
      ]
        .map((x) => `ec2:Describe${x}`)
        .concat(["ec2:GetCoipPoolUsage", "ec2:GetSecurityGroupsForVpc"])
        .concat(
          [
            ...[
              "LoadBalancers",
              "LoadBalancerAttributes",
              "Listeners",
              "ListenerCertificates",
              "SSLPolicies",
              "Rules",
            ],
            ...[
              "TargetGroups",
              "TargetGroupAttributes",
              "TargetHealth",
              "Tags",
              "TrustStores",
              "ListenerAttributes",
            ],
            "CapacityReservation",
          ].map((x) => `elasticloadbalancing:Describe${x}`),
        ),
      "*",
    ),
    allow(
      [
        "cognito-idp:DescribeUserPoolClient",
        "acm:ListCertificates",
        "acm:DescribeCertificate",
        "iam:ListServerCertificates",
        "iam:GetServerCertificate",
        ...["GetWebACL", "GetWebACLForResource", "AssociateWebACL", "DisassociateWebACL"].flatMap((a) => [
          `waf-regional:${a}`,
          `wafv2:${a}`,
        ]),
        "shield:GetSubscriptionState",
        "shield:DescribeProtection",
        "shield:CreateProtection",
        "shield:DeleteProtection",
      ],
      "*",
    ),
    // Rules on the node security group, which the controller does not own.
    allow(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"], "*"),
    allow(["ec2:CreateSecurityGroup"], "*"),
    allow(["ec2:CreateTags"], SECURITY_GROUPS, {
      StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
      ...tagging,
    }),
    allow(["ec2:CreateTags", "ec2:DeleteTags"], SECURITY_GROUPS, retagging),
    allow(
      ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
      "*",
      owned,
    ),
    allow(
      ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
      "*",
      tagging,
    ),
    allow(
      ["CreateListener", "DeleteListener", "CreateRule", "DeleteRule"].map(
        (a) => `elasticloadbalancing:${a}`,
      ),
      "*",
    ),
    allow(
      ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      LOAD_BALANCERS_AND_TARGET_GROUPS,
      retagging,
    ),
    allow(
      ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
      ["listener/net/*/*/*", "listener/app/*/*/*", "listener-rule/net/*/*/*", "listener-rule/app/*/*/*"].map(
        (r) => `${ELB}:${r}`,
      ),
    ),
    allow(
      [
        ...[
          "ModifyLoadBalancerAttributes",
          "SetIpAddressType",
          "SetSecurityGroups",
          "SetSubnets",
          "DeleteLoadBalancer",
        ],
        ...[
          "ModifyTargetGroup",
          "ModifyTargetGroupAttributes",
          "DeleteTargetGroup",
          "ModifyListenerAttributes",
        ],
        ...["ModifyCapacityReservation", "ModifyIpPools"],
      ].map((a) => `elasticloadbalancing:${a}`),
      "*",
      owned,
    ),
    allow(["elasticloadbalancing:AddTags"], LOAD_BALANCERS_AND_TARGET_GROUPS, {
      StringEquals: {
        "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
      },
      ...tagging,
    }),
    allow(
      ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
      `${ELB}:targetgroup/*/*`,
    ),
    allow(
      [
        "SetWebAcl",
        "ModifyListener",
        "AddListenerCertificates",
        "RemoveListenerCertificates",
        "ModifyRule",
        "SetRulePriorities",
      ].map((a) => `elasticloadbalancing:${a}`),
      "*",
    ),
  ],
};

/**
 * The AWS Load Balancer Controller: ALBs for Ingresses (Grafana, the Go service). Releases that own Ingresses
 * depend on it, so a destroy removes their load balancers while the controller still runs.
 */
export class LoadBalancerController extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly ingressClassName = "alb";

  constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:addons:LoadBalancerController", name, {}, opts);
    const { cluster } = args;
    const { grants } = podIdentity(
      name,
      {
        clusterName: cluster.clusterName,
        namespace: NAMESPACE,
        serviceAccount: SERVICE_ACCOUNT,
        policy: JSON.stringify(CONTROLLER_POLICY),
      },
      this,
    );
    this.release = release(
      {
        name: "aws-load-balancer-controller",
        pin: CHARTS.awsLoadBalancerController,
        namespace: NAMESPACE,
        timeout: 300,
        values: {
          clusterName: args.clusterName,
          // Set explicitly, so the controller needs no instance metadata (IMDSv2 hop limit on the nodes).
          region: args.region,
          vpcId: args.vpcId,
          serviceAccount: { create: true, name: SERVICE_ACCOUNT },
          // Its webhooks fail closed: two replicas keep Ingress changes possible during a node drain.
          replicaCount: 2,
          podDisruptionBudget: { maxUnavailable: 1 },
          resources: resourcesOf({ cpu: "50m", memory: "256Mi" }),
          // ALB Ingress only: the Service mutator would claim every new LoadBalancer Service and block Service
          // creation whenever the controller is down.
          enableServiceMutatorWebhook: false,
          // Pods are VPC CNI ENIs: the ALB targets them directly.
          defaultTargetType: "ip",
          serviceMonitor: { enabled: true },
        },
      },
      {
        parent: this,
        provider: cluster.provider,
        dependsOn: [...cluster.workloadsReady, args.crds, ...grants],
      },
    );
    this.registerOutputs({ ingressClassName: this.ingressClassName });
  }
}
