import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "../cluster";
import type { ChartPin } from "../versions";

/** What add-ons with AWS access share: the cluster (provider, nodes, OIDC), its name and region, and the CRDs release. */
export interface ClusterAddonArgs {
  cluster: Cluster;
  clusterName: string;
  region: string;
  /** The VPC CIDR: the EKS control plane reaches admission webhooks from its ENIs inside the VPC. */
  vpcCidr: string;
  /** The prometheus-operator CRDs release: the chart creates ServiceMonitor, PodMonitor or PrometheusRule objects. */
  crds: pulumi.Resource;
}

/** The default StorageClass every release with a PVC uses (components/addons/storage.ts). */
export const STORAGE_CLASS = "gp3";
/** gp3 whose volumes outlive their PVC (reclaimPolicy Retain): prod's database volumes. */
export const RETAIN_STORAGE_CLASS = "gp3-retain";

export interface ReleaseSpec {
  /** Release name: fixed, so service names are stable and carry no random suffix. */
  name: string;
  /** Pulumi name, where one release name recurs in several namespaces (default: the release name). */
  resourceName?: string;
  pin: ChartPin;
  namespace: pulumi.Input<string>;
  /** Seconds Helm waits for the release's objects to be ready (Helm's own default is 300). */
  timeout: number;
  values: pulumi.Input<Record<string, unknown>>;
  /** False where the program owns the namespace because something must exist in it before the release. */
  createNamespace?: boolean;
  /** True where the CRDs come from their own release (so that `helm upgrade` upgrades them). */
  skipCrds?: boolean;
}

/**
 * A third-party chart at its pinned version with the settings every add-on shares: atomic (a failed install or
 * upgrade rolls back), cleanupOnFail, a bounded history, and hooks run (helm.v3.Release, unlike helm.v4.Chart).
 */
export function release(spec: ReleaseSpec, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    spec.resourceName ?? spec.name,
    {
      name: spec.name,
      version: spec.pin.version,
      // Helm pulls an OCI chart by its full reference; --repo takes only HTTP(S) repositories.
      ...(spec.pin.repo.startsWith("oci://")
        ? { chart: `${spec.pin.repo}/${spec.pin.chart}` }
        : { chart: spec.pin.chart, repositoryOpts: { repo: spec.pin.repo } }),
      namespace: spec.namespace,
      createNamespace: spec.createNamespace ?? true,
      ...(spec.skipCrds ? { skipCrds: true } : {}),
      atomic: true,
      cleanupOnFail: true,
      timeout: spec.timeout,
      maxHistory: 10,
      values: spec.values,
    },
    opts,
  );
}

/** Resource requests from config; the memory limit equals the request, and there is no CPU limit (no throttling). */
export function resourcesOf(r: { cpu: string; memory: string }) {
  return {
    requests: { cpu: r.cpu, memory: r.memory },
    limits: { memory: r.memory },
  };
}

export interface PodIdentityRoleArgs {
  /** The cluster, namespace and ServiceAccount the role is for: its trust policy admits only that identity. */
  clusterName: pulumi.Input<string>;
  namespace: string;
  serviceAccount: string;
  /** AWS-managed policies to attach. */
  managedPolicyArns?: string[];
  /** An inline policy document (least privilege, written here as data). */
  policy?: pulumi.Input<string>;
}

/**
 * Trust for EKS Pod Identity, limited to one ServiceAccount of one cluster in this account. EKS Auth tags the session
 * with eks-cluster-name, kubernetes-namespace and kubernetes-service-account, which the trust policy may require
 * (docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html "Setting Conditions", pod-id-abac.html#pod-id-abac-tags),
 * and sends aws:SourceAccount, the cluster's account (global condition keys, IAM User Guide
 * reference_policies_condition-keys.html#condition-keys-sourceaccount). Without these, any Pod Identity association
 * in the account (another environment's cluster, another namespace) could assume the role.
 */
export function podIdentityTrust(
  accountId: pulumi.Input<string>,
  clusterName: pulumi.Input<string>,
  namespace: string,
  serviceAccount: string,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": accountId,
            "aws:RequestTag/eks-cluster-name": clusterName,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
          },
        },
      },
    ],
  });
}

/** An IAM role that EKS Pod Identity may hand to one ServiceAccount: no OIDC trust, no ServiceAccount annotation. */
export function podIdentityRole(
  name: string,
  args: PodIdentityRoleArgs,
  parent: pulumi.Resource,
): { role: aws.iam.Role; grants: pulumi.Resource[] } {
  const { accountId } = aws.getCallerIdentityOutput({}, { parent });
  const role = new aws.iam.Role(
    name,
    { assumeRolePolicy: podIdentityTrust(accountId, args.clusterName, args.namespace, args.serviceAccount) },
    { parent },
  );
  const grants: pulumi.Resource[] = (args.managedPolicyArns ?? []).map(
    (policyArn) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-${policyArn.split("/").pop()}`,
        { role: role.name, policyArn },
        { parent },
      ),
  );
  if (args.policy)
    grants.push(new aws.iam.RolePolicy(name, { role: role.name, policy: args.policy }, { parent }));
  return { role, grants };
}

/**
 * A Pod Identity role bound to one ServiceAccount. The association may exist before the ServiceAccount; the
 * pod-identity agent hands out credentials when the pods start. Releases depend on `grants` too, so pods never
 * start with a role that cannot do anything yet.
 */
export function podIdentity(
  name: string,
  args: PodIdentityRoleArgs,
  parent: pulumi.Resource,
): { role: aws.iam.Role; grants: pulumi.Resource[] } {
  const { role, grants } = podIdentityRole(name, args, parent);
  const association = new aws.eks.PodIdentityAssociation(
    name,
    {
      clusterName: args.clusterName,
      namespace: args.namespace,
      serviceAccount: args.serviceAccount,
      roleArn: role.arn,
    },
    { parent },
  );
  return { role, grants: [...grants, association] };
}

export interface IrsaArgs {
  oidcProviderArn: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/…). */
  oidcProviderUrl: pulumi.Input<string>;
  namespace: pulumi.Input<string>;
  serviceAccount: pulumi.Input<string>;
  policy: pulumi.Input<string>;
}

/** An IAM role for one ServiceAccount through the cluster's OIDC provider (IRSA), for clients without Pod Identity. */
export function irsaRole(
  name: string,
  args: IrsaArgs,
  parent: pulumi.Resource,
): { role: aws.iam.Role; grants: pulumi.Resource[] } {
  const issuer = pulumi.output(args.oidcProviderUrl).apply((u) => u.replace(/^https:\/\//, ""));
  const role = new aws.iam.Role(
    name,
    {
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: args.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: pulumi
                .all([issuer, args.namespace, args.serviceAccount])
                .apply(([i, ns, sa]) => ({
                  [`${i}:sub`]: `system:serviceaccount:${ns}:${sa}`,
                  [`${i}:aud`]: "sts.amazonaws.com",
                })),
            },
          },
        ],
      }),
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(name, { role: role.name, policy: args.policy }, { parent });
  return { role, grants: [policy] };
}
