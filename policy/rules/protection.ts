import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, forTypes, isProdUrn, label, peek } from "./common";
import { ECR_REPOSITORY } from "./ecr";
import { EKS_CLUSTER } from "./eks";
import { HELM_RELEASE } from "./helm";
import { S3_BUCKETS } from "./s3";

const KMS_KEY = "aws:kms/key:Key";
export const STATEFUL_TYPES = [ECR_REPOSITORY, KMS_KEY, EKS_CLUSTER, ...S3_BUCKETS];

/**
 * Helm releases that own state: the Prometheus operator CRDs (deleting them deletes every custom resource) and
 * the CloudNativePG Postgres cluster (chart `cluster`, or a release named for Postgres; not the operator).
 */
export function isStatefulRelease(args: Pick<ResourceValidationArgs, "props" | "name">): boolean {
  const ref = peek(args.props, "chart");
  // "cluster", "cnpg/cluster" and "oci://…/cluster" all name the same chart.
  const chart = typeof ref === "string" ? ref.split("/").pop() : undefined;
  const release = peek(args.props, "name");
  const names = [args.name, typeof release === "string" ? release : ""];
  if (chart === "prometheus-operator-crds" || names.includes("prometheus-operator-crds")) return true;
  if (chart === "cluster") return true;
  return chart !== "cloudnative-pg" && names.some((n) => /postgres/i.test(n));
}

export const prodProtectStateful: ResourceValidationPolicy = {
  name: "prod-protect-stateful",
  description: "In prod, stateful resources (ECR, KMS, EKS, S3, CRDs and Postgres releases) are protected.",
  severity: "critical",
  validateResource: forTypes([...STATEFUL_TYPES, HELM_RELEASE], (_props, args, report) => {
    if (!isProdUrn(args.urn)) args.notApplicable("prod only");
    if (args.type === HELM_RELEASE && !isStatefulRelease(args)) args.notApplicable("stateless release");
    if (!args.opts.protect) {
      report(
        `${label(args.type, args.name)} is not protected in prod; a replace or a stray destroy would delete ` +
          `its data. Fix: create it with { protect: true }.`,
      );
    }
  }),
};

export const prodEksDeletionProtection: ResourceValidationPolicy = {
  name: "prod-eks-deletion-protection",
  description: "In prod, EKS clusters have deletion protection on.",
  severity: "high",
  validateResource: forTypes([EKS_CLUSTER], (props, args, report) => {
    if (!isProdUrn(args.urn)) args.notApplicable("prod only");
    const on = peek(props, "deletionProtection");
    if (on !== true && on !== UNKNOWN) {
      report(
        `${label(args.type, args.name)} has no deletion protection in prod. Fix: set deletionProtection: true.`,
      );
    }
  }),
};

export const protectionPolicies = [prodProtectStateful, prodEksDeletionProtection];
