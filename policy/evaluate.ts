import type {
  EnforcementLevel,
  Policies,
  PolicyProviderResource,
  PolicyResourceOptions,
} from "@pulumi/policy";
import {
  isStackPolicy,
  resourceValidationArgs,
  runResourceValidation,
  runStackValidation,
  stackValidationArgs,
  UNKNOWN_VALUE,
  type Outcome,
  type StackResourceSpec,
} from "./args";
import { enforcementFor } from "./enforcement";
import { policies as packPolicies } from "./policies";

/** A resource as the mock harness records it (scripts/lib/types.ts RecordedResource; only what policies need). */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  custom: boolean;
  protect: boolean;
  /** Provider reference "urn::id". */
  provider?: string;
  /** Explicit dependsOn plus property dependencies. */
  dependsOn: string[];
  /** Secrets as {"[secret]": v}, resource references as {"[resource]": urn}, unknowns as "[unknown]". */
  inputs: Record<string, unknown>;
}

export interface Violation {
  policy: string;
  enforcementLevel: "advisory" | "mandatory";
  message: string;
  urn?: string;
}

/** Harness encoding to what the policy runtime sees: secrets unwrapped, references as URNs, unknowns as such. */
function toWire(v: unknown): unknown {
  if (v === "[unknown]") return UNKNOWN_VALUE;
  if (Array.isArray(v)) return v.map(toWire);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === "[secret]") return toWire(o["[secret]"]);
    if (keys.length === 1 && keys[0] === "[resource]") return o["[resource]"];
    return Object.fromEntries(keys.map((k) => [k, toWire(o[k])]));
  }
  return v;
}

/** A resource's provider as the engine reports it; custom resources without one get the default provider. */
function providerOf(
  r: RecordedResource,
  byUrn: Map<string, RecordedResource>,
): PolicyProviderResource | undefined {
  if (r.provider) {
    const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
    const p = byUrn.get(urn);
    if (p) return { type: p.type, name: p.name, urn: p.urn, props: toWire(p.inputs) as Record<string, any> };
  }
  if (!r.custom || r.type.startsWith("pulumi:providers:")) return undefined;
  const pkg = r.type.split(":")[0];
  const [, stack, project] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(r.urn) ?? [];
  const type = `pulumi:providers:${pkg}`;
  return { type, name: "default", urn: `urn:pulumi:${stack}::${project}::${type}::default`, props: {} };
}

/** The runtime's rule: the policy's own level, else the pack's; remediate reports as mandatory. */
function levelOf(
  policyLevel: EnforcementLevel | undefined,
  stack: string,
): Violation["enforcementLevel"] | "disabled" {
  const level = policyLevel ?? enforcementFor(stack);
  return level === "remediate" ? "mandatory" : level;
}

/**
 * Runs every policy of the pack (or `policies`) against a recorded stack, with the enforcement level the pack
 * would have on `stack`. Resource policies see each resource's inputs, as in `pulumi preview`. Stack policies see
 * inputs too: the engine hands them outputs, which mocks do not produce, and the harness records property
 * dependencies merged into `dependsOn`, so `propertyDependencies` is empty and rules fall back to `dependencies`.
 */
export function checkStack(
  resources: RecordedResource[],
  stack: string,
  policies: Policies = packPolicies,
): Violation[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const specs: StackResourceSpec[] = resources.map((r) => {
    const opts: Partial<PolicyResourceOptions> = {
      protect: r.protect,
      ...(r.parent ? { parent: r.parent } : {}),
    };
    return {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: toWire(r.inputs) as Record<string, unknown>,
      opts,
      provider: providerOf(r, byUrn),
      parent: r.parent,
      dependencies: r.dependsOn,
    };
  });

  const violations: Violation[] = [];
  for (const policy of policies) {
    const level = levelOf(policy.enforcementLevel, stack);
    if (level === "disabled") continue;
    const collect = (o: Outcome, urn?: string) => {
      if (o.kind === "ran") {
        for (const v of o.violations) {
          violations.push({
            policy: policy.name,
            enforcementLevel: level,
            message: v.message,
            urn: v.urn ?? urn,
          });
        }
      } else if (o.kind === "unknown") {
        const message = `can't run policy '${policy.name}' during preview: ${o.message}`;
        violations.push({ policy: policy.name, enforcementLevel: "advisory", message, urn });
      }
    };
    if (isStackPolicy(policy)) {
      collect(runStackValidation(policy, stackValidationArgs(specs)));
    } else {
      for (const spec of specs)
        collect(runResourceValidation(policy, resourceValidationArgs(spec)), spec.urn);
    }
  }
  return violations;
}
