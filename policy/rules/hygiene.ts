import type { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, forTypes, label, peek } from "./common";

export const kmsKeyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description: "KMS keys rotate automatically.",
  severity: "medium",
  validateResource: forTypes(["aws:kms/key:Key"], (props, args, report) => {
    const rotation = peek(props, "enableKeyRotation");
    // Asymmetric and HMAC keys cannot rotate.
    const spec = peek(props, "customerMasterKeySpec") ?? peek(props, "keySpec");
    if (typeof spec === "string" && spec !== "SYMMETRIC_DEFAULT") return;
    if (rotation !== true && rotation !== UNKNOWN) {
      report(`${label(args.type, args.name)} does not rotate. Fix: set enableKeyRotation: true.`);
    }
  }),
};

export const logGroupRetention: ResourceValidationPolicy = {
  name: "log-group-retention",
  description: "CloudWatch log groups expire their logs.",
  severity: "low",
  validateResource: forTypes(["aws:cloudwatch/logGroup:LogGroup"], (props, args, report) => {
    const days = peek(props, "retentionInDays");
    if (days === UNKNOWN || (typeof days === "number" && days > 0)) return;
    report(
      `${label(args.type, args.name)} keeps logs forever (retentionInDays ${days ?? "unset"}). ` +
        `Fix: set retentionInDays (e.g. 30, 90 in prod).`,
    );
  }),
};

export const hygienePolicies = [kmsKeyRotation, logGroupRetention];
