/**
 * Price table for the plan's monthly cost estimate.
 *
 * Region: us-east-1 (N. Virginia), USD, Linux on-demand list prices from AWS's public price pages, written down on
 * 2026-11-22 (this workspace cannot reach the AWS Price List API, so they were not fetched live). Other regions cost
 * 5–30 % more. Verify before budgeting: prices change, and data transfer, NAT data processing and load-balancer
 * capacity units are left out.
 */
export const PRICES_AS_OF = "2026-11-22";
export const PRICE_REGION = "us-east-1";

export const HOURS_PER_MONTH = 730;

/** EKS control plane per cluster-hour (standard support; extended support costs $0.60). */
export const EKS_CONTROL_PLANE_HOURLY = 0.1;
/** NAT gateway per hour, per gateway. */
export const NAT_GATEWAY_HOURLY = 0.045;
/** Application Load Balancer per hour; each Ingress gets its own (the service's is public, Grafana's internal). */
export const ALB_HOURLY = 0.0225;
/** gp3 storage per GiB-month (node root volumes and PVCs). */
export const GP3_GIB_MONTH = 0.08;
/** CloudWatch Logs ingestion per GB. */
export const LOGS_INGEST_PER_GB = 0.5;
/** Customer-managed KMS key per month. */
export const KMS_KEY_MONTHLY = 1;

/**
 * Assumed container log volume per node and day after the configured namespace exclusions. Chatty services move
 * this most; measure it in CloudWatch (IncomingBytes) and adjust.
 */
export const LOG_GB_PER_NODE_DAY = 0.2;

/** Spot price as a share of on-demand: the long-run average for general-purpose m/t families. */
export const SPOT_SHARE_OF_ON_DEMAND = 0.35;

/** On-demand hourly price, and what the kubelet can schedule (vCPU, GiB), for the instance types in use. */
export const INSTANCE_TYPES: Record<string, { hourly: number; vcpu: number; memoryGiB: number }> = {
  "t3.medium": { hourly: 0.0416, vcpu: 2, memoryGiB: 4 },
  "t3.large": { hourly: 0.0832, vcpu: 2, memoryGiB: 8 },
  "t3a.large": { hourly: 0.0752, vcpu: 2, memoryGiB: 8 },
  "t3.xlarge": { hourly: 0.1664, vcpu: 4, memoryGiB: 16 },
  "m5.large": { hourly: 0.096, vcpu: 2, memoryGiB: 8 },
  "m5.xlarge": { hourly: 0.192, vcpu: 4, memoryGiB: 16 },
  "m6a.large": { hourly: 0.0864, vcpu: 2, memoryGiB: 8 },
  "m6a.xlarge": { hourly: 0.1728, vcpu: 4, memoryGiB: 16 },
  "m6i.large": { hourly: 0.096, vcpu: 2, memoryGiB: 8 },
  "m6i.xlarge": { hourly: 0.192, vcpu: 4, memoryGiB: 16 },
  "m6i.2xlarge": { hourly: 0.384, vcpu: 8, memoryGiB: 32 },
  "m7i.large": { hourly: 0.1008, vcpu: 2, memoryGiB: 8 },
  "m7i.xlarge": { hourly: 0.2016, vcpu: 4, memoryGiB: 16 },
};

/**
 * Per node, what the kubelet reserves and the AWS DaemonSets (aws-node, kube-proxy, pod-identity agent, EBS CSI
 * node) request, before any add-on is scheduled.
 */
export const NODE_OVERHEAD = { cpuMillis: 350, memoryMiB: 1200 };
