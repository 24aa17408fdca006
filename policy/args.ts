/**
 * Builds the arguments @pulumi/policy 1.21.0 hands to validations (server.js makeAnalyzeRpcFun /
 * makeAnalyzeStackRpcFun), so tests and checkStack run policies as the policy runtime would, without
 * constructing a PolicyPack (that starts a gRPC server).
 */
import type {
  Policy,
  PolicyProviderResource,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { unknownCheckingProxy, UnknownValueError } from "./runtime";

/** How the engine sends an unknown value (any type) during preview; the runtime's proxy throws on reading it. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Thrown by `notApplicable`, like the runtime's internal NotApplicableError. */
export class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "not applicable");
  }
}

export interface ResourceSpec {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  opts?: Partial<PolicyResourceOptions>;
  provider?: PolicyProviderResource;
}

export interface StackResourceSpec extends ResourceSpec {
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
}

export const urnOf = (stack: string, type: string, name: string, project = "platform") =>
  `urn:pulumi:${stack}::${project}::${type}::${name}`;

export function policyOptions(o: Partial<PolicyResourceOptions> = {}): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...o,
  };
}

/** server.js isTypeOf: the class's `__pulumiType`, else its `isInstance`. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const cls = resourceClass as { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };
  if (typeof cls.__pulumiType === "string" && cls.__pulumiType !== "") return cls.__pulumiType === type;
  return typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

const notApplicable = (reason?: string): never => {
  throw new NotApplicableError(reason);
};
const noConfig = <T extends object>() => ({}) as T;
const provide = (p?: PolicyProviderResource) => p && { ...p, props: unknownCheckingProxy(p.props) };

export function resourceValidationArgs(
  r: ResourceSpec,
  stackTags: ReadonlyMap<string, string> = new Map(),
): ResourceValidationArgs {
  const props: Record<string, any> = unknownCheckingProxy(r.props);
  const args: ResourceValidationArgs = {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: policyOptions(r.opts),
    stackTags,
    isType: (cls) => isTypeOf(r.type, cls),
    asType: (cls) => (isTypeOf(r.type, cls) ? (props as any) : undefined),
    getConfig: noConfig,
    notApplicable,
  };
  const provider = provide(r.provider);
  if (provider) args.provider = provider;
  return args;
}

/** Stack resources with parent, dependencies and property dependencies linked by URN, as the runtime does. */
export function stackValidationArgs(
  specs: StackResourceSpec[],
  stackTags: ReadonlyMap<string, string> = new Map(),
): StackValidationArgs {
  const resources = specs.map((r) => {
    const props: Record<string, any> = unknownCheckingProxy(r.props);
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: policyOptions(r.opts),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(r.type, cls),
      asType: (cls) => (isTypeOf(r.type, cls) ? (props as any) : undefined),
    };
    const provider = provide(r.provider);
    if (provider) resource.provider = provider;
    return resource;
  });
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const resolve = (urns: string[] = []) =>
    urns.map((u) => byUrn.get(u)).filter((r): r is PolicyResource => !!r);
  specs.forEach((spec, i) => {
    const parent = spec.parent && byUrn.get(spec.parent);
    if (parent) resources[i].parent = parent;
    resources[i].dependencies = resolve(spec.dependencies);
    for (const [k, urns] of Object.entries(spec.propertyDependencies ?? {})) {
      resources[i].propertyDependencies[k] = resolve(urns);
    }
  });
  return { resources, stackTags, getConfig: noConfig, notApplicable };
}

export interface Reported {
  message: string;
  urn?: string;
}

export type Outcome =
  | { kind: "ran"; violations: Reported[] }
  | { kind: "not-applicable"; reason?: string }
  /** The runtime turns this into an advisory "can't run policy during preview" diagnostic. */
  | { kind: "unknown"; message: string };

function settle(run: (report: ReportViolation) => void | Promise<void>, policy: Policy): Outcome {
  const violations: Reported[] = [];
  const report: ReportViolation = (message, urn) => violations.push({ message, ...(urn ? { urn } : {}) });
  try {
    const result = run(report);
    if (result && typeof (result as Promise<void>).then === "function") {
      throw new Error(`policy ${policy.name} is asynchronous; these runners are synchronous`);
    }
    return { kind: "ran", violations };
  } catch (e) {
    if (e instanceof NotApplicableError) return { kind: "not-applicable", reason: e.reason };
    if (e instanceof UnknownValueError) return { kind: "unknown", message: e.message };
    throw e;
  }
}

/** Runs every validation of a resource policy, like the runtime's analyze. */
export function runResourceValidation(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Outcome {
  const validations = [policy.validateResource ?? []].flat();
  const outcomes = validations.map((v) => settle((report) => v(args, report), policy));
  const violations = outcomes.flatMap((o) => (o.kind === "ran" ? o.violations : []));
  const first = outcomes.find((o) => o.kind !== "ran");
  return first && violations.length === 0 ? first : { kind: "ran", violations };
}

export function runStackValidation(policy: StackValidationPolicy, args: StackValidationArgs): Outcome {
  return settle((report) => policy.validateStack(args, report), policy);
}

export const isStackPolicy = (p: Policy): p is StackValidationPolicy =>
  typeof (p as StackValidationPolicy).validateStack === "function";
