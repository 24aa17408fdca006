import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * AWS managed rule groups (AWS WAF Developer Guide, aws-managed-rule-groups-list.html): the OWASP-style core set,
 * known bad inputs (Log4j, path traversal), and Amazon's IP reputation list.
 */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAmazonIpReputationList",
] as const;

const visibility = (metricName: string) => ({
  cloudwatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

/** A regional WAFv2 web ACL for an ALB: allow by default, block what the managed rule groups match. */
export function webAcl(name: string, parent: pulumi.Resource): aws.wafv2.WebAcl {
  return new aws.wafv2.WebAcl(
    name,
    {
      scope: "REGIONAL",
      description: "Edge of the Go service's public ALB",
      defaultAction: { allow: {} },
      rules: MANAGED_RULE_GROUPS.map((group, i) => ({
        name: group,
        priority: i + 1,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
        visibilityConfig: visibility(group),
      })),
      visibilityConfig: visibility(name),
    },
    { parent },
  );
}
