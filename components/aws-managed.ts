import * as aws from "@pulumi/aws";

/**
 * The one source of AWS-managed ARNs the program uses (test/aws-managed.test.ts fails on any other). Under mocks
 * every ARN "exists", so a typo would first show as NoSuchEntity in a real `up`: each entry comes from the
 * `aws.iam.ManagedPolicy` enum of @pulumi/aws, or from the dated AWS reference cited beside it.
 */
export const IAM_MANAGED_POLICY = {
  AmazonEKSWorkerNodePolicy: aws.iam.ManagedPolicy.AmazonEKSWorkerNodePolicy,
  AmazonEKS_CNI_Policy: aws.iam.ManagedPolicy.AmazonEKS_CNI_Policy,
  AmazonEC2ContainerRegistryReadOnly: aws.iam.ManagedPolicy.AmazonEC2ContainerRegistryReadOnly,
  AmazonSSMManagedInstanceCore: aws.iam.ManagedPolicy.AmazonSSMManagedInstanceCore,
  // Not in @pulumi/aws 7.48.0's enum (it has only V1, under service-role/). Checked 2026-12-02 against
  // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEBSCSIDriverPolicyV2.html
  // ("ARN: arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicyV2", created 2026-04-16): no service-role/ path.
  AmazonEBSCSIDriverPolicyV2: "arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicyV2",
} as const;

/** Entries above that do not come from the enum: each needs the dated AWS reference beside it. */
export const IAM_MANAGED_POLICY_FROM_AWS_REFERENCE: readonly string[] = [
  IAM_MANAGED_POLICY.AmazonEBSCSIDriverPolicyV2,
];

/**
 * EKS access policies: a fixed list that AWS owns (no custom ones), not IAM policies. Checked 2026-12-02 against
 * https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html (`aws eks list-access-policies`).
 */
export const EKS_ACCESS_POLICY = {
  /** Kubernetes `cluster-admin`. */
  AmazonEKSClusterAdminPolicy: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
  /** Kubernetes `view`: read most objects, no Secrets. */
  AmazonEKSViewPolicy: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
} as const;
