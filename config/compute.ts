import { InstanceType } from "@pulumi/aws/types/enums/ec2";
import { z } from "zod";

/** Every EC2 instance type @pulumi/aws 7.48.0 knows (`aws.ec2.InstanceType`, generated from the EC2 API model). */
const INSTANCE_TYPES: ReadonlySet<string> = new Set(Object.values(InstanceType));

export type Architecture = "arm64" | "x86_64";

/**
 * An instance type's CPU architecture from its name: "g – AWS Graviton processors" among the additional capabilities
 * after the generation (m7g, c6gn, t4g, is4gen), and A1 is the first Graviton family
 * (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html). Names outside that pattern
 * (mac*, u-*, p6e-gb200) are undefined: this program cannot tell, so it does not accept them for a node group.
 */
export function architectureOf(instanceType: string): Architecture | undefined {
  const m = /^([a-z]+)(\d+)([a-z]*)(-flex)?\.[a-z0-9]+$/.exec(instanceType);
  if (!m || m[1] === "mac") return undefined;
  return m[3].includes("g") || m[1] + m[2] === "a1" ? "arm64" : "x86_64";
}

/** The EKS managed node group AMI types this program offers, and the architecture each boots (EKS AMI types). */
export const AMI_ARCHITECTURE = {
  AL2023_x86_64_STANDARD: "x86_64",
  AL2023_ARM_64_STANDARD: "arm64",
} as const satisfies Record<string, Architecture>;
export type AmiType = keyof typeof AMI_ARCHITECTURE;

export const instanceType = z.string("expected a string").superRefine((t, ctx) => {
  if (!INSTANCE_TYPES.has(t))
    ctx.addIssue({
      code: "custom",
      message:
        "allowed: an EC2 instance type that exists, such as m6i.large (aws.ec2.InstanceType, @pulumi/aws 7.48.0)",
    });
  else if (!architectureOf(t))
    ctx.addIssue({
      code: "custom",
      message:
        "allowed: a current x86_64 or Graviton (arm64) family; Mac and High Memory (u-*) types are not node types here",
    });
});

/**
 * EKS service quotas: "Nodes per managed node group: 450" and "Managed node groups per cluster: 30"
 * (https://docs.aws.amazon.com/eks/latest/userguide/service-quotas.html).
 */
export const MAX_NODES_PER_GROUP = 450;
export const MAX_NODE_GROUPS = 30;

export const nodeCount = z
  .int("expected a whole number")
  .min(1, `allowed: 1 to ${MAX_NODES_PER_GROUP}`)
  .max(MAX_NODES_PER_GROUP, `allowed: 1 to ${MAX_NODES_PER_GROUP} (EKS: nodes per managed node group)`);

/** The instance types of a group whose architecture differs from its AMI's; EKS refuses such a group. */
export const mismatchedTypes = (amiType: AmiType, types: string[]) =>
  types.filter((t) => architectureOf(t) !== undefined && architectureOf(t) !== AMI_ARCHITECTURE[amiType]);
