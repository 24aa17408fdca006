import { coveredEntries } from "./network";
import { AMI_ARCHITECTURE } from "./compute";
import { missingSecretWarning, missingSecrets, type AlertingSecretKey } from "./alerting";
import type { PlatformSettings } from "./schema";
import { FIRST_SERVICE, serviceEntries } from "./services";
import type { StackContext } from "./stack-rules";

/** Legal but unusual values: the plan prints these, and they never block. Each names its key. */
export function configWarnings(
  s: PlatformSettings,
  stack: StackContext,
  alertingSecrets: readonly AlertingSecretKey[],
  secureImageTag: boolean,
): string[] {
  const out: string[] = [];
  const warn = (key: string, message: string) => out.push(`platform:${key}: ${message}`);

  const arches = new Set(Object.values(s.cluster.nodeGroups).map((g) => AMI_ARCHITECTURE[g.amiType]));
  if (arches.size > 1)
    warn(
      "cluster.nodeGroups",
      "groups of both x86_64 and arm64: every image scheduled here (the service's and the add-ons') must be multi-arch",
    );
  if (!s.cluster.endpointPublicAccess)
    warn(
      "cluster.endpointPublicAccess",
      "false: the API is private, so whoever runs pulumi up (a Deployments runner too) needs a network path into the VPC",
    );
  for (const c of coveredEntries(s.cluster.publicAccessCidrs))
    warn("cluster.publicAccessCidrs", `${c} is already covered by a wider entry`);
  const principals: [string, string][] = [
    ["access.deployRoleArn", s.access.deployRoleArn],
    ["access.previewRoleArn", s.access.previewRoleArn],
    ...s.access.adminArns.map((arn, i): [string, string] => [`access.adminArns.${i}`, arn]),
  ];
  for (const [key, arn] of principals) {
    const account = arn.split(":")[4];
    if (account !== s.accountId)
      warn(
        key,
        `a principal of account ${account}, not this stack's account ${s.accountId}: it must be trusted across accounts`,
      );
  }
  if (s.service.namespace === "default")
    warn("service.namespace", '"default": the service shares a namespace with anything created without one');
  if (stack.environment === "prod" && s.service.logLevel === "debug")
    warn(
      "service.logLevel",
      "debug in prod: verbose logs cost CloudWatch ingestion and may carry request data",
    );
  // Only a blue-green preview gets its own host; a further service inherits platform:service's (config/services.ts).
  for (const [name, svc] of serviceEntries(s))
    if (svc.rollout.previewHost && svc.rollout.strategy !== "blueGreen")
      warn(
        `${name === FIRST_SERVICE ? "service" : `services.${name}`}.rollout.previewHost`,
        `${svc.rollout.previewHost} is not used: only strategy blueGreen routes a preview host`,
      );
  if (secureImageTag) warn("imageTag", "secure: the ECR lifecycle policy cannot read it to keep this image");
  // Prod's pages and heartbeat go nowhere until these are set: the offline plan shows it, not only `pulumi up`.
  // The same text `pulumi up` logs (components/alerting/receivers.ts), so the runbook quote matches both.
  for (const key of missingSecrets(s.alerting, alertingSecrets))
    out.push(missingSecretWarning("platform", key));
  return out;
}
