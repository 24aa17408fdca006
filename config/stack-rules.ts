import type { z } from "zod";
import type { Environment, PlatformSettings } from "./schema";

export interface StackContext {
  environment: Environment;
  region: string;
}

/** Rules that need the stack's own facts (its region, its environment) beside the values. */
export function stackRules(s: PlatformSettings, ctx: z.RefinementCtx, stack: StackContext): void {
  // An ALB can use only an ACM certificate of its own region ("To use a certificate with Elastic Load Balancing for
  // the same site in different Regions, you must request a new certificate for each Region",
  // https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html).
  const certificates: [string[], string | undefined][] = [
    [["service", "ingress", "certificateArn"], s.service.ingress.certificateArn],
    ...Object.entries(s.services).map(([name, svc]): [string[], string | undefined] => [
      ["services", name, "ingress", "certificateArn"],
      svc.ingress.certificateArn,
    ]),
    [["grafana", "certificateArn"], s.grafana.certificateArn],
  ];
  for (const [path, arn] of certificates) {
    const region = arn?.split(":")[3];
    if (arn && region !== stack.region)
      ctx.addIssue({
        code: "custom",
        path,
        message: `allowed: a certificate in the stack's region ${stack.region} (this one is in ${region}; an ALB uses only its own region's certificates)`,
      });
  }
  // The owner stack creates the repository in its own account; any other account would send every lookup astray.
  if (
    s.registry.ownerStack === stack.environment &&
    s.registry.accountId &&
    s.registry.accountId !== s.accountId
  )
    ctx.addIssue({
      code: "custom",
      path: ["registry", "accountId"],
      message: `allowed: the owner stack's own account, platform:accountId (${s.accountId})`,
    });
}
