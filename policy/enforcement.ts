import type { EnforcementLevel } from "@pulumi/policy";
import { PROD_STACKS } from "./rules/common";

/** Violations block prod deployments; elsewhere they are warnings. */
export const enforcementFor = (stack: string): EnforcementLevel =>
  PROD_STACKS.includes(stack) ? "mandatory" : "advisory";
