import type { ResourceValidationPolicy } from "@pulumi/policy";
import { PROD_MAX_ADDRESSES, PROD_MIN_PREFIX, prodAllowListProblems } from "./cidr";
import { UNKNOWN, forTypes, isProdUrn, label, listOf, peekPath } from "./common";

/** The control plane the eks component creates: what the engine sends, with the AWS provider's property names. */
export const AWS_EKS_CLUSTER = "aws:eks/cluster:Cluster";

export const eksApiEndpointCidrWidth: ResourceValidationPolicy = {
  name: "eks-api-endpoint-cidr-width",
  description:
    `A prod EKS public API endpoint admits only narrow ranges: each /${PROD_MIN_PREFIX} or narrower, ` +
    `${PROD_MAX_ADDRESSES} addresses in all.`,
  severity: "high",
  validateResource: forTypes([AWS_EKS_CLUSTER], (props, args, report) => {
    if (!isProdUrn(args.urn)) args.notApplicable("prod only");
    // EKS enables the public endpoint unless told otherwise.
    const isPublic = peekPath(props, "vpcConfig", "endpointPublicAccess");
    if (isPublic === false || isPublic === UNKNOWN) return;
    const list = listOf(peekPath(props, "vpcConfig", "publicAccessCidrs"));
    if (list === UNKNOWN || list?.includes(UNKNOWN)) return;
    // Unset or empty: EKS admits 0.0.0.0/0.
    const cidrs = list?.length ? list.filter((c): c is string => typeof c === "string") : ["0.0.0.0/0"];
    const problems = prodAllowListProblems(cidrs);
    if (problems.length > 0) {
      report(
        `${label(args.type, args.name)} opens the API endpoint too wide in prod (${problems.join("; ")}). ` +
          `Fix: list only office/VPN/CI ranges in vpcConfig.publicAccessCidrs, or set endpointPublicAccess: false.`,
      );
    }
  }),
};

export const endpointPolicies = [eksApiEndpointCidrWidth];
