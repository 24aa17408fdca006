/**
 * How long `pulumi up` spends creating each kind of resource, in seconds. Sources: typical AWS create times seen in
 * EKS deployments (EKS control plane 8–12 min, managed node group 3–5 min, NAT gateway 1–2 min, managed add-on
 * ~1 min). A Helm release counts its full timeout: the worst case `atomic` waits before rolling back.
 * Components take no time of their own; they finish when their last child does.
 */
export const DURATION_SECONDS: Record<string, number> = {
  "eks:index:Cluster": 600,
  "eks:index:ManagedNodeGroup": 240,
  "awsx:ec2:Vpc": 120,
  "aws:eks/addon:Addon": 60,
  "aws:ec2/flowLog:FlowLog": 10,
  "aws:kms/key:Key": 10,
  "aws:s3/bucket:Bucket": 5,
};

/** Anything not listed: IAM, log groups, ECR, policies and small Kubernetes objects take seconds. */
export const DEFAULT_DURATION_SECONDS = 5;

/** Helm's own default when a release sets no timeout. */
export const HELM_DEFAULT_TIMEOUT_SECONDS = 300;
