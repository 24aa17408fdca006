import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../versions";
import { type ClusterAddonArgs, podIdentity, release, resourcesOf } from "./common";
import * as netpol from "./network-policies";
import { MONITORING_NAMESPACE } from "./prometheus";

export interface LoadBalancerControllerArgs extends ClusterAddonArgs {
  vpcId: pulumi.Input<string>;
}

const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "aws-load-balancer-controller";
/** The tag the controller puts on everything it creates (listeners and rules too: ListenerRulesTagging, default on). */
const TAG = "elbv2.k8s.aws/cluster";
const ELB = "arn:aws:elasticloadbalancing:*:*";
const LOAD_BALANCERS_AND_TARGET_GROUPS = [
  `${ELB}:targetgroup/*/*`,
  `${ELB}:loadbalancer/net/*/*`,
  `${ELB}:loadbalancer/app/*/*`,
];
const LISTENERS_AND_RULES = ["listener", "listener-rule"].flatMap((r) =>
  ["net", "app"].map((t) => `${ELB}:${r}/${t}/*/*/*`),
);
const SECURITY_GROUPS = "arn:aws:ec2:*:*:security-group/*";

const allow = (Action: string[], Resource: string | string[], Condition?: object) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

/**
 * What controller v3.5.0 needs, after kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json at
 * v3.5.0 (11eb202), scoped to one cluster. alpha, beta and uat share an AWS account, so upstream's conditions (the
 * `elbv2.k8s.aws/cluster` tag merely present) would let one environment's controller change another's load balancers
 * and security groups. Here every write names this cluster: tags must equal the cluster name (the value the controller
 * writes, pkg/deploy/tracking/provider.go StackTags), security-group rules stay inside this VPC (ec2:Vpc), and the
 * upstream statements without conditions (listeners, rules, targets, node security-group rules) carry one too.
 * Shield and WAF Classic are turned off in the chart values, so their permissions are left out.
 */
export function controllerPolicy(clusterName: string, vpcArn: string) {
  /** The resource carries this cluster's tag. */
  const owned = { StringEquals: { [`aws:ResourceTag/${TAG}`]: clusterName } };
  /** The request tags the new resource with this cluster. */
  const tagging = { StringEquals: { [`aws:RequestTag/${TAG}`]: clusterName } };
  /** A tag change on an owned resource that does not touch the cluster tag itself. */
  const retagging = { Null: { [`aws:RequestTag/${TAG}`]: "true" }, ...owned };
  return {
    Version: "2012-10-17",
    Statement: [
      allow(["iam:CreateServiceLinkedRole"], "*", {
        StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" },
      }),
      // Reads only.
      allow(
        [
          ...[
            ...["AccountAttributes", "Addresses", "AvailabilityZones", "InternetGateways", "Vpcs"],
            ...["VpcPeeringConnections", "Subnets", "SecurityGroups", "Instances", "NetworkInterfaces"],
            ...["Tags", "CoipPools", "IpamPools", "RouteTables"],
          ].map((x) => `ec2:Describe${x}`),
          "ec2:GetCoipPoolUsage",
          "ec2:GetSecurityGroupsForVpc",
          ...[
            ...[
              "LoadBalancers",
              "LoadBalancerAttributes",
              "Listeners",
              "ListenerCertificates",
              "SSLPolicies",
            ],
            ...["Rules", "TargetGroups", "TargetGroupAttributes", "TargetHealth", "Tags", "TrustStores"],
            ...["ListenerAttributes", "CapacityReservation"],
          ].map((x) => `elasticloadbalancing:Describe${x}`),
          "cognito-idp:DescribeUserPoolClient",
          "acm:ListCertificates",
          "acm:DescribeCertificate",
          "iam:ListServerCertificates",
          "iam:GetServerCertificate",
          "wafv2:GetWebACL",
          "wafv2:GetWebACLForResource",
        ],
        "*",
      ),
      // WAFv2 association authorizes both the web ACL and the load balancer: the load balancer must be this cluster's.
      allow(["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"], `${ELB}:loadbalancer/app/*/*`, owned),
      allow(["wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"], "arn:aws:wafv2:*:*:regional/webacl/*/*"),
      // Rules on any security group of this VPC: the node security group is not the controller's own.
      allow(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"], SECURITY_GROUPS, {
        ArnEquals: { "ec2:Vpc": vpcArn },
      }),
      // CreateSecurityGroup authorizes the new group (tagged at creation) and the VPC it goes into.
      allow(["ec2:CreateSecurityGroup"], SECURITY_GROUPS, tagging),
      allow(["ec2:CreateSecurityGroup"], vpcArn),
      allow(["ec2:CreateTags"], SECURITY_GROUPS, {
        StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", [`aws:RequestTag/${TAG}`]: clusterName },
      }),
      allow(["ec2:CreateTags", "ec2:DeleteTags"], SECURITY_GROUPS, retagging),
      allow(["ec2:DeleteSecurityGroup"], SECURITY_GROUPS, owned),
      allow(
        ["CreateLoadBalancer", "CreateTargetGroup", "CreateListener", "CreateRule"].map(
          (a) => `elasticloadbalancing:${a}`,
        ),
        "*",
        tagging,
      ),
      allow(["elasticloadbalancing:AddTags"], [...LOAD_BALANCERS_AND_TARGET_GROUPS, ...LISTENERS_AND_RULES], {
        StringEquals: {
          "elasticloadbalancing:CreateAction": [
            "CreateTargetGroup",
            "CreateLoadBalancer",
            "CreateListener",
            "CreateRule",
          ],
          [`aws:RequestTag/${TAG}`]: clusterName,
        },
      }),
      allow(
        ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
        [...LOAD_BALANCERS_AND_TARGET_GROUPS, ...LISTENERS_AND_RULES],
        retagging,
      ),
      allow(
        [
          ...["ModifyLoadBalancerAttributes", "SetIpAddressType", "SetSecurityGroups", "SetSubnets"],
          ...["DeleteLoadBalancer", "ModifyTargetGroup", "ModifyTargetGroupAttributes", "DeleteTargetGroup"],
          ...["ModifyListenerAttributes", "ModifyCapacityReservation", "ModifyIpPools", "SetWebAcl"],
          ...["ModifyListener", "DeleteListener", "AddListenerCertificates", "RemoveListenerCertificates"],
          ...["ModifyRule", "DeleteRule", "SetRulePriorities", "RegisterTargets", "DeregisterTargets"],
        ].map((a) => `elasticloadbalancing:${a}`),
        "*",
        owned,
      ),
    ],
  };
}

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
    const { accountId } = aws.getCallerIdentityOutput({}, { parent: this });
    const vpcArn = pulumi.interpolate`arn:aws:ec2:${args.region}:${accountId}:vpc/${args.vpcId}`;
    const { grants } = podIdentity(
      name,
      {
        clusterName: cluster.clusterName,
        namespace: NAMESPACE,
        serviceAccount: SERVICE_ACCOUNT,
        policy: pulumi
          .all([args.clusterName, vpcArn])
          .apply(([c, vpc]) => JSON.stringify(controllerPolicy(c, vpc))),
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
          // WAFv2 only (prod's web ACL); Shield Advanced and WAF Classic are not used, so the role lacks their rights.
          enableShield: false,
          enableWaf: false,
          enableWafv2: true,
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
    // kube-system is EKS's: only the controller's own pods are closed, to its webhook (API server) and metrics.
    netpol.ingressPolicies(
      name,
      {
        namespace: NAMESPACE,
        podLabels: { "app.kubernetes.io/name": "aws-load-balancer-controller" },
        rules: [
          netpol.allow(netpol.fromCidrs([args.vpcCidr]), [9443]),
          netpol.allow([netpol.fromNamespace(MONITORING_NAMESPACE)], [8080]),
        ],
      },
      { parent: this, provider: cluster.provider },
    );
    this.registerOutputs({ ingressClassName: this.ingressClassName });
  }
}
