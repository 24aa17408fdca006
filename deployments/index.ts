/**
 * Pulumi Deployments settings of the four `platform` stacks, kept out of the stacks themselves (a stack that
 * defines its own settings needs two deployments for a change to take effect).
 * config -> per environment: deployment settings + deployment notifications; the policy pack required on all
 * four (policy.ts) -> exports (no secrets).
 */
import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENTS, readConfigFiles, resolveSettings } from "./config";
import { driftSchedule } from "./drift";
import { platformPolicy } from "./policy";
import { deployRoleTrustPolicy, deploymentNotifications, stackDeploymentSettings } from "./settings";

const settings = resolveSettings(pulumi.runtime.allConfig(), readConfigFiles(pulumi.getStack()));

for (const env of ENVIRONMENTS) {
  const deployment = stackDeploymentSettings(env, settings);
  deploymentNotifications(env, settings);
  driftSchedule(env, settings, deployment);
}

const policy = platformPolicy(settings);

/** Fully qualified stacks with settings, and whether a push to the branch deploys them. */
export const pushToDeploy = Object.fromEntries(
  ENVIRONMENTS.map((env) => [
    `${settings.organization}/${settings.project}/${env}`,
    settings.stacks[env].pushToDeploy,
  ]),
);

/** The policy group that requires the pack on the four stacks, and the pack version it requires. */
export const policyGroup = policy.group.name;
export const policyPackVersion = policy.pack.versionTag;

/** The exact trust policy each stack's deploy role needs (per operation; no PR previews). */
export const deployRoleTrustPolicies = Object.fromEntries(
  ENVIRONMENTS.map((env) => [env, deployRoleTrustPolicy(env, settings)]),
);

/** The agent pool each stack's deployments run on ("pulumi-hosted" when none is set). */
export const agentPools = Object.fromEntries(
  ENVIRONMENTS.map((env) => [env, settings.stacks[env].agentPoolId ?? "pulumi-hosted"]),
);
