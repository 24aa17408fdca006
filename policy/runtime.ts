import * as policy from "@pulumi/policy";

/**
 * @pulumi/policy 1.21.0 exports these at runtime ("so policy-pack test helpers can mirror real runtime
 * semantics"), but its .d.ts drops them as @internal; this gives them their types.
 */
const exported = policy as unknown as {
  unknownCheckingProxy: <T>(value: T) => T;
  UnknownValueError: new (...args: never[]) => Error;
};

/** Wraps inputs so that reading an unknown (preview) value throws UnknownValueError, as the runtime does. */
export const unknownCheckingProxy = exported.unknownCheckingProxy;
export const UnknownValueError = exported.UnknownValueError;
