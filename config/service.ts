import { z } from "zod";
import { acmCertificateArn, cpu, intRange, memory, namespace, positiveInt } from "./primitives";
import { minimumMinutes, rolloutSchema } from "./rollout";

/** The Go service's per-environment settings; the image tag is the separate top-level `imageTag` key. */
export const serviceSchema = z
  .object({
    /** Off only while bootstrapping the registry owner, before CI has pushed a first image. */
    enabled: z.boolean("expected true or false"),
    namespace,
    appUrl: z
      .url({
        protocol: /^https$/,
        hostname: z.regexes.domain,
        error: "allowed: an https URL such as https://api.example.com",
      })
      .refine(
        (u) => new URL(u).pathname === "/",
        "allowed: a URL without a path (the Ingress serves the whole host)",
      ),
    logLevel: z.enum(["debug", "info", "warn", "error"], "allowed: debug | info | warn | error"),
    replicas: positiveInt,
    autoscaling: z
      .object({
        enabled: z.boolean("expected true or false"),
        minReplicas: positiveInt,
        maxReplicas: positiveInt,
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
      .strict(),
    podAntiAffinity: z.enum(["soft", "hard"], "allowed: soft | hard"),
    ingress: z
      .object({
        enabled: z.boolean("expected true or false"),
        certificateArn: acmCertificateArn.optional(),
        scheme: z.enum(["internet-facing", "internal"], "allowed: internet-facing | internal"),
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
        message: `allowed: more than ${floor} (the pauses alone take that long)`,
      });
  });

export type ServiceSettings = z.infer<typeof serviceSchema>;

/** Prod runs at least two replicas on separate nodes, so a node drain or zone loss never takes it down. */
export function serviceProdRules(s: ServiceSettings, ctx: z.RefinementCtx): void {
  const must = (ok: boolean, path: string[], message: string) => {
    if (!ok)
      ctx.addIssue({ code: "custom", path: ["service", ...path], message: `allowed in prod: ${message}` });
  };
  must(s.enabled, ["enabled"], "true");
  must(s.replicas >= 2, ["replicas"], "at least 2");
  must(
    !s.autoscaling.enabled || s.autoscaling.minReplicas >= 2,
    ["autoscaling", "minReplicas"],
    "at least 2",
  );
  must(s.podAntiAffinity === "hard", ["podAntiAffinity"], "hard");
}
