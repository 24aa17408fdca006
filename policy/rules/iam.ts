import type { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, forTypes, label, peek } from "./common";

export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const IAM_POLICY = "aws:iam/policy:Policy";

/** Describe*, Get*, List* and the like: actions that change nothing. */
const READ_ONLY = /^[a-z0-9-]+:(Describe|Get|List|BatchGet|Search|Query|Lookup)[A-Za-z0-9]*$/;

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Statements of a policy document given as JSON text or as an object; undefined when it cannot be read. */
function statementsOf(policy: unknown): Record<string, unknown>[] | undefined {
  let doc = policy;
  if (typeof doc === "string") {
    try {
      doc = JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
  if (doc === null || typeof doc !== "object") return undefined;
  return asList((doc as Record<string, unknown>).Statement) as Record<string, unknown>[];
}

export const iamNoUnconditionedWildcardWrites: ResourceValidationPolicy = {
  name: "iam-no-unconditioned-wildcard-writes",
  description: 'IAM policies never allow write actions on Resource "*" without a Condition.',
  severity: "high",
  validateResource: forTypes([IAM_ROLE_POLICY, IAM_POLICY], (props, args, report) => {
    const policy = peek(props, "policy");
    if (policy === UNKNOWN || policy === undefined) return;
    const statements = statementsOf(policy);
    if (!statements) {
      report(
        `${label(args.type, args.name)} has a policy document that is not valid JSON. Fix: write valid JSON.`,
      );
      return;
    }
    for (const s of statements) {
      if (s.Effect !== "Allow" || !asList(s.Resource).includes("*")) continue;
      if (s.Condition && Object.keys(s.Condition).length > 0) continue;
      const writes = asList(s.Action).filter((a) => typeof a !== "string" || !READ_ONLY.test(a));
      if (writes.length === 0) continue;
      report(
        `${label(args.type, args.name)} allows ${writes.map(String).join(", ")} on Resource "*" without a Condition. ` +
          `Fix: name the resources (ARNs), or add a Condition that scopes them (a resource tag, ec2:Vpc, aws:RequestTag).`,
      );
    }
  }),
};

export const iamPolicies = [iamNoUnconditionedWildcardWrites];
