import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AlertingSecretKey, AlertingSettings } from "../../config";
import { PROJECT } from "../../config/files";
import { missingSecrets, missingSecretWarning } from "../../config/alerting";
import { RECEIVER_SECRET } from "./alertmanager";

/**
 * The receivers' credentials as a Kubernetes Secret, from secret config only: the values stay Pulumi secrets
 * end to end (the provider stores Secret data encrypted in state). Warns for each receiver left without one.
 */
export function receiverSecret(
  namespace: pulumi.Input<string>,
  alerting: AlertingSettings,
  set: readonly AlertingSecretKey[],
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  const config = new pulumi.Config(PROJECT);
  for (const key of missingSecrets(alerting, set))
    pulumi.log.warn(`alerting: ${missingSecretWarning(PROJECT, key)}`, opts.parent);
  return new k8s.core.v1.Secret(
    RECEIVER_SECRET,
    {
      metadata: { name: RECEIVER_SECRET, namespace },
      type: "Opaque",
      stringData: Object.fromEntries(set.map((k) => [k, config.requireSecret(k)])),
    },
    opts,
  );
}
