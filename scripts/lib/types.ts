/** One resource as `pulumi up` would register it, recorded from the mock resource monitor. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  custom: boolean;
  remote: boolean;
  protect: boolean;
  retainOnDelete: boolean;
  /** Provider reference "urn::id", when one was given explicitly or inherited. */
  provider?: string;
  /** Providers handed to a component for its children, by package (remote components get theirs this way). */
  providers: Record<string, string>;
  /** URNs this resource waits for: explicit dependsOn plus every resource whose outputs feed its inputs. */
  dependsOn: string[];
  /** Inputs as sent to the engine; secret values appear as { "[secret]": value }. */
  inputs: Record<string, unknown>;
  /** A remote component's child rebuilt from its inputs (scripts/lib/remote-children.ts), not a registration. */
  synthesized?: boolean;
  /** URNs it may have had before (its `aliases`, and those inherited from its parent's), as the engine resolves them. */
  aliases?: string[];
}

export interface StackOutput {
  value: unknown;
  secret: boolean;
}

export interface Evaluation {
  stack: string;
  /** The merged config as the CLI hands it over; secret values masked. */
  config: Record<string, { value: unknown; secret: boolean }>;
  /** The validated settings the program ran with (defaults merged in), when the config is valid. */
  effective?: Record<string, unknown>;
  resources: RecordedResource[];
  outputs: Record<string, StackOutput>;
  /** Legal but unusual config values (config/warnings.ts), for the plan to print; never blocking. */
  warnings?: string[];
  /** The checkout's files the program required (from entry.js) or read, relative: what a deploy depends on. */
  sources?: string[];
  /** The CrossGuard pack's findings (policy/evaluate.ts), when asked for. */
  violations?: PolicyViolation[];
  /** Set when the program failed: config validation or a failed invoke. No stack trace. */
  error?: string;
}

export interface PolicyViolation {
  policy: string;
  enforcementLevel: "advisory" | "mandatory";
  message: string;
  urn?: string;
}

export const SECRET = "[secret]";
