/**
 * Pulumi Deployments settings of the four `platform` stacks, kept out of the stacks themselves (a stack that
 * defines its own settings needs two deployments for a change to take effect).
 * config -> per environment: deployment settings + deployment notifications -> exports (no secrets).
 */
import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENTS, readConfigFiles, resolveSettings } from "./config";
import { deploymentNotifications, stackDeploymentSettings } from "./settings";

const settings = resolveSettings(pulumi.runtime.allConfig(), readConfigFiles(pulumi.getStack()));

for (const env of ENVIRONMENTS) {
  stackDeploymentSettings(env, settings);
  deploymentNotifications(env, settings);
}

/** Fully qualified stacks with settings, and whether a push to the branch deploys them. */
export const pushToDeploy = Object.fromEntries(
  ENVIRONMENTS.map((env) => [
    `${settings.organization}/${settings.project}/${env}`,
    settings.stacks[env].pushToDeploy,
  ]),
);
