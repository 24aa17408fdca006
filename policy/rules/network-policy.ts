import type { StackValidationPolicy } from "@pulumi/policy";
import { label, ofTypes, peek, peekPath } from "./common";
import { HELM_RELEASE } from "./helm";

export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
/** Charts that install only CustomResourceDefinitions: no pods to protect. */
export const CRD_ONLY_CHARTS: readonly string[] = ["prometheus-operator-crds"];

export const helmWorkloadsHaveNetworkPolicy: StackValidationPolicy = {
  name: "helm-workloads-have-network-policy",
  description:
    "Every Helm release with pods runs in a namespace with a NetworkPolicy (or enables its chart's own policy).",
  severity: "high",
  validateStack: (args, report) => {
    const releases = ofTypes(args.resources, [HELM_RELEASE]);
    if (releases.length === 0) args.notApplicable("no Helm releases");
    const covered = new Set(
      ofTypes(args.resources, [NETWORK_POLICY])
        .map((p) => peekPath(p.props, "metadata", "namespace"))
        .filter((ns): ns is string => typeof ns === "string"),
    );
    for (const r of releases) {
      const chart = peek(r.props, "chart");
      const namespace = peek(r.props, "namespace");
      if (typeof chart === "string" && CRD_ONLY_CHARTS.includes(chart)) continue;
      // Unknown during preview: wired to a namespace being created.
      if (typeof namespace !== "string") continue;
      if (covered.has(namespace) || peekPath(r.props, "values", "networkPolicy", "enabled") === true)
        continue;
      report(
        `${label(r.type, r.name)} runs pods in namespace "${namespace}", which has no NetworkPolicy: every pod ` +
          `there accepts traffic from anywhere. Fix: add a default-deny-ingress policy and explicit allows ` +
          `(components/addons/network-policies.ts), or enable the chart's networkPolicy.`,
        r.urn,
      );
    }
  },
};

export const networkPolicyPolicies = [helmWorkloadsHaveNetworkPolicy];
