/**
 * Test helpers after pulumi-policy's own sdk/nodejs/policy/tests/util.ts: call a policy's validations directly
 * with arguments shaped like the 1.21.0 runtime's. Never construct the PolicyPack here: it starts a gRPC server.
 */
import type {
  PolicyProviderResource,
  PolicyResourceOptions,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  resourceValidationArgs,
  runResourceValidation,
  runStackValidation,
  stackValidationArgs,
  urnOf,
  type Outcome,
} from "../args";

export { UNKNOWN_VALUE as UNKNOWN } from "../args";

export interface ResourceCase {
  type: string;
  props: Record<string, unknown>;
  name?: string;
  opts?: Partial<PolicyResourceOptions>;
  /** Stack the URN names (default "alpha"). */
  stack?: string;
  provider?: PolicyProviderResource;
}

export interface StackCase extends ResourceCase {
  /** Names (in the same case list) of resources this one depends on. */
  dependsOn?: string[];
  propertyDependencies?: Record<string, string[]>;
}

const nameOf = (c: ResourceCase, i = 0) => c.name ?? `${c.type.split(":").pop()!.toLowerCase()}-${i}`;

/** The outcome of one resource validation: its violations, not applicable, or unknown during preview. */
export function resourceOutcome(policy: ResourceValidationPolicy, c: ResourceCase): Outcome {
  const name = nameOf(c);
  const urn = urnOf(c.stack ?? "alpha", c.type, name);
  return runResourceValidation(policy, resourceValidationArgs({ ...c, name, urn }));
}

function messages(o: Outcome): string[] {
  if (o.kind === "unknown") throw new Error(`policy hit an unknown value: ${o.message}`);
  return o.kind === "ran" ? o.violations.map((v) => v.message) : [];
}

/** Violation messages for one resource; none when the policy does not apply. */
export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  c: ResourceCase,
): Promise<string[]> {
  return messages(resourceOutcome(policy, c));
}

export function stackOutcome(policy: StackValidationPolicy, cases: StackCase[]): Outcome {
  const named = cases.map((c, i) => ({ ...c, name: nameOf(c, i) }));
  const urnByName = new Map(named.map((c) => [c.name, urnOf(c.stack ?? "alpha", c.type, c.name)]));
  const urns = (names: string[] = []) => names.map((n) => urnByName.get(n)!);
  const specs = named.map((c) => ({
    ...c,
    urn: urnByName.get(c.name)!,
    dependencies: urns(c.dependsOn),
    propertyDependencies: Object.fromEntries(
      Object.entries(c.propertyDependencies ?? {}).map(([k, names]) => [k, urns(names)]),
    ),
  }));
  return runStackValidation(policy, stackValidationArgs(specs));
}

/** Violation messages of a stack policy over the given resources; none when it does not apply. */
export async function runStackPolicy(policy: StackValidationPolicy, cases: StackCase[]): Promise<string[]> {
  return messages(stackOutcome(policy, cases));
}

/** An explicit AWS provider as the engine reports it: defaultTags arrive JSON-encoded. */
export function awsProvider(
  tags: Record<string, string>,
  name = "aws",
  stack = "alpha",
): PolicyProviderResource {
  const type = "pulumi:providers:aws";
  return {
    type,
    name,
    urn: urnOf(stack, type, name),
    props: { region: "us-east-1", defaultTags: JSON.stringify({ tags }) },
  };
}

export const envTags = (environment: string) => ({
  environment,
  project: "platform",
  "managed-by": "pulumi",
});
