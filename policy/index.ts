import { PolicyPack } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { enforcementFor } from "./enforcement";
import { policies } from "./policies";

// The CLI starts this process once per stack operation and hands it the stack in PULUMI_NODEJS_STACK (both the
// nodejs language host and the legacy pulumi-analyzer-policy shim do), which getStack() reads. Outside the CLI
// (e.g. `pulumi policy publish`) there is no stack, so the pack is advisory.
// A --policy-pack-config file still overrides any policy's level.
const stack = pulumi.getStack();

new PolicyPack("platform", {
  description: "Guardrails for the platform stacks: EKS, ECR, Helm, S3, tagging and prod protection.",
  enforcementLevel: enforcementFor(stack),
  policies,
});
