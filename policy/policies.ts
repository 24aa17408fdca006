import type { Policies } from "@pulumi/policy";
import { ecrPolicies } from "./rules/ecr";
import { edgePolicies } from "./rules/edge";
import { eksPolicies } from "./rules/eks";
import { endpointPolicies } from "./rules/endpoint";
import { helmPolicies } from "./rules/helm";
import { hygienePolicies } from "./rules/hygiene";
import { iamPolicies } from "./rules/iam";
import { networkPolicyPolicies } from "./rules/network-policy";
import { protectionPolicies } from "./rules/protection";
import { s3Policies } from "./rules/s3";
import { taggingPolicies } from "./rules/tagging";

/**
 * Every policy of the pack. None sets its own enforcement level: they all take the pack's (see enforcement.ts).
 * Importing this module is side-effect free, unlike index.ts, which starts the policy gRPC server.
 */
export const policies: Policies = [
  ...ecrPolicies,
  ...eksPolicies,
  ...helmPolicies,
  ...taggingPolicies,
  ...s3Policies,
  ...protectionPolicies,
  ...hygienePolicies,
  ...iamPolicies,
  ...endpointPolicies,
  ...edgePolicies,
  ...networkPolicyPolicies,
];
