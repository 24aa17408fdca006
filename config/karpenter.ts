import { z } from "zod";
import { intRange } from "./primitives";

/** A Go duration as Karpenter's NodePool accepts it (minutes or hours), or "Never". */
const duration = z
  .string()
  .regex(/^(\d+(m|h)|Never)$/, 'allowed: a duration in minutes or hours such as "5m" or "720h", or "Never"');
/**
 * A Karpenter disruption budget: a node count or a percentage up to 100 of the NodePool's nodes. The pattern is the
 * NodePool CRD's (karpenter-provider-aws v1.14.1 pkg/apis/crds/karpenter.sh_nodepools.yaml, budgets[].nodes).
 */
const nodes = z
  .string()
  .regex(
    /^((100|[0-9]{1,2})%|[0-9]+)$/,
    'allowed: a node count such as "1" or a percentage from 0% to 100% such as "10%"',
  );

/**
 * Karpenter's NodePool and EC2NodeClass for one environment (components/karpenter.ts). The managed node group
 * (cluster.nodeGroups) is the floor and runs the controllers; Karpenter adds nodes up to `limits` for pods that
 * fit nowhere (rollout surges, HPA growth) and removes them when they empty.
 */
export const karpenterSchema = z
  .object({
    /** Karpenter's capacity-type label values. */
    capacityType: z.enum(["spot", "on-demand"], "allowed: spot | on-demand"),
    instanceFamilies: z
      .array(z.string().regex(/^[a-z][a-z0-9-]*$/, "allowed: an EC2 instance family such as m6i"))
      .min(1, "allowed: at least one instance family"),
    instanceSizes: z
      .array(
        z.string().regex(/^(nano|micro|small|medium|large|\d*xlarge)$/, "allowed: an EC2 size such as large"),
      )
      .min(1, "allowed: at least one instance size"),
    /** The ceiling: Karpenter launches nothing that would take its nodes past these totals. */
    limits: z.object({ cpu: intRange(1, 1000), memoryGiB: intRange(1, 4000) }).strict(),
    consolidationPolicy: z.enum(
      ["WhenEmptyOrUnderutilized", "WhenEmpty"],
      "allowed: WhenEmptyOrUnderutilized | WhenEmpty",
    ),
    consolidateAfter: duration,
    /** Nodes are replaced after this age (fresh AMIs, no long-lived drift). */
    expireAfter: duration,
    /** How many nodes Karpenter may disrupt at once (consolidation, drift, expiry); interruptions are not limited. */
    disruptionBudgetNodes: nodes,
    /** EC2NodeClass AMI alias: al2023@latest follows AWS's releases (drift rolls the nodes); al2023@v<date> pins. */
    amiAlias: z
      .string()
      .regex(/^al2023@(latest|v\d{8})$/, 'allowed: "al2023@latest" or a pinned "al2023@vYYYYMMDD"'),
    /**
     * all: nodes in every private subnet. single: nodes (the node groups' and Karpenter's) only in the first zone,
     * so a replaced node always comes up where the zonal EBS volumes are: for one-node stacks.
     */
    zones: z.enum(["all", "single"], "allowed: all | single"),
  })
  .strict()
  .superRefine((k, ctx) => {
    if (k.capacityType === "spot" && k.instanceFamilies.length * k.instanceSizes.length < 2) {
      ctx.addIssue({
        code: "custom",
        path: ["instanceFamilies"],
        message:
          "allowed: at least two instance types (families × sizes) for spot, so one reclaimed pool cannot starve it",
      });
    }
  });

export type KarpenterSettings = z.infer<typeof karpenterSchema>;

/** Prod: on-demand capacity in every zone. */
export function karpenterProdRules(k: KarpenterSettings, ctx: z.RefinementCtx): void {
  if (k.capacityType !== "on-demand")
    ctx.addIssue({
      code: "custom",
      path: ["karpenter", "capacityType"],
      message: "allowed in prod: on-demand",
    });
  if (k.zones !== "all")
    ctx.addIssue({
      code: "custom",
      path: ["karpenter", "zones"],
      message: "allowed in prod: all (nodes in every zone)",
    });
}
