import { z } from "zod";
import { inboundCidrs, tlsPolicy } from "./edge";
import { cpu, memory, quantityValue, workloadNamespace } from "./kubernetes";
import { acmCertificateArn, intRange, replicaCount } from "./primitives";
import { appUrl } from "./url";
import { minimumMinutes, rolloutSchema } from "./rollout";

/** The Go service's per-environment settings; the image tag is the separate top-level `imageTag` key. */
export const serviceSchema = z
  .object({
    /** Off only while bootstrapping the registry owner, before CI has pushed a first image. */
    enabled: z.boolean("expected true or false"),
    namespace: workloadNamespace,
    appUrl,
    logLevel: z.enum(["debug", "info", "warn", "error"], "allowed: debug | info | warn | error"),
    replicas: replicaCount,
    autoscaling: z
      .object({
        enabled: z.boolean("expected true or false"),
        minReplicas: replicaCount,
        maxReplicas: replicaCount,
        targetCPUUtilizationPercentage: intRange(10, 100),
      })
      .strict()
      .refine((a) => a.maxReplicas >= a.minReplicas, {
        path: ["maxReplicas"],
        message: "allowed: at least minReplicas",
      }),
    resources: z
      .object({
        requests: z.object({ cpu, memory }).strict(),
        limits: z.object({ memory, cpu: cpu.optional() }).strict(),
      })
      .strict()
      .superRefine((r, ctx) => {
        // Kubernetes rejects a limit below its request (ValidateResourceRequirements, pkg/apis/core/validation).
        const below = (kind: "cpu" | "memory") => {
          const limit = r.limits[kind];
          if (limit !== undefined && quantityValue(limit) < quantityValue(r.requests[kind]))
            ctx.addIssue({
              code: "custom",
              path: ["limits", kind],
              message: `allowed: at least the ${kind} request (${r.requests[kind]}); Kubernetes rejects a limit below its request`,
            });
        };
        below("cpu");
        below("memory");
      }),
    /** Per node, among one revision's pods; `hard` caps the pods at the node count (HPA growth stays Pending). */
    podAntiAffinity: z.enum(["soft", "hard"], "allowed: soft | hard"),
    /** `required`: pods of a revision never stack in one zone beyond maxSkew 1 (topology spread DoNotSchedule). */
    zoneSpread: z.enum(["required", "preferred"], "allowed: required | preferred"),
    ingress: z
      .object({
        enabled: z.boolean("expected true or false"),
        certificateArn: acmCertificateArn.optional(),
        scheme: z.enum(["internet-facing", "internal"], "allowed: internet-facing | internal"),
        /** TLS policy of the HTTPS listener; HTTP only redirects to HTTPS. */
        sslPolicy: tlsPolicy,
        /** Client CIDRs the ALB's security group admits. */
        inboundCidrs,
        /** A WAFv2 web ACL (AWS managed rule groups) in front of the ALB. */
        waf: z.boolean("expected true or false"),
      })
      .strict(),
    rollout: rolloutSchema,
  })
  .strict()
  .superRefine((s, ctx) => {
    const floor = minimumMinutes(s.rollout);
    if (s.rollout.strategy !== "rolling" && s.rollout.timeoutMinutes <= floor)
      ctx.addIssue({
        code: "custom",
        path: ["rollout", "timeoutMinutes"],
        message: `allowed: more than ${floor} (the pauses${s.rollout.strategy === "blueGreen" ? " and the preview's analysis" : ""} alone take that long)`,
      });
    // The preview service gets requests only through its own ALB rule, and its analysis fails without them
    // (charts/go-service/templates/analysistemplate.yaml): an unreachable preview could never be promoted.
    if (s.rollout.strategy === "blueGreen" && !s.rollout.previewHost)
      ctx.addIssue({
        code: "custom",
        path: ["rollout", "previewHost"],
        message:
          "allowed with strategy blueGreen: a DNS name (the preview gets traffic only through its own host; an unreachable preview never passes its analysis)",
      });
    if (s.rollout.strategy === "blueGreen" && !s.ingress.enabled)
      ctx.addIssue({
        code: "custom",
        path: ["ingress", "enabled"],
        message:
          "allowed with strategy blueGreen: true (the preview host is a rule of the service's Ingress)",
      });
  });

export type ServiceSettings = z.infer<typeof serviceSchema>;

/**
 * Prod runs at least two replicas spread over zones (one node per zone), so a node drain or zone loss never takes it
 * down. Not per-hostname `hard` anti-affinity: that caps pods at the node count, so the HPA's growth stays Pending.
 */
export function serviceProdRules(s: ServiceSettings, ctx: z.RefinementCtx, at: string[] = ["service"]): void {
  const must = (ok: boolean, path: string[], message: string) => {
    if (!ok) ctx.addIssue({ code: "custom", path: [...at, ...path], message: `allowed in prod: ${message}` });
  };
  must(s.enabled, ["enabled"], "true");
  must(s.replicas >= 2, ["replicas"], "at least 2");
  must(
    !s.autoscaling.enabled || s.autoscaling.minReplicas >= 2,
    ["autoscaling", "minReplicas"],
    "at least 2",
  );
  must(s.zoneSpread === "required", ["zoneSpread"], "required");
  // Every prod release is analysed on its own metrics and aborted when they fail (docs/runbooks.md, "Releases").
  must(s.rollout.strategy !== "rolling", ["rollout", "strategy"], "canary | blueGreen (an analysed release)");
  must(
    !s.ingress.enabled || s.ingress.scheme === "internal" || s.ingress.waf,
    ["ingress", "waf"],
    "true for an internet-facing ALB (a WAFv2 web ACL with AWS managed rules)",
  );
}
