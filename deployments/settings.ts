import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { ENVIRONMENTS, type DeploymentsSettings, type Environment } from "./config";
import { driftEvents } from "./drift";

/**
 * Path filters of one stack: its own stack file and the shared code/config deploy it; the other environments'
 * stack files are excluded, so promoting an image in Pulumi.beta.yaml deploys beta only.
 */
export function pathFilters(env: Environment, sharedPaths: string[], own: string[] = []): string[] {
  const others = ENVIRONMENTS.filter((e) => e !== env).map((e) => `!Pulumi.${e}.yaml`);
  return [`Pulumi.${env}.yaml`, ...own, ...sharedPaths, ...others];
}

/** Deployment settings of one platform stack: push-to-deploy from the branch, PR previews, OIDC to AWS. */
export function stackDeploymentSettings(
  env: Environment,
  s: DeploymentsSettings,
): pulumiservice.DeploymentSettings {
  const stack = s.stacks[env];
  return new pulumiservice.DeploymentSettings(
    `${s.project}-${env}`,
    {
      organization: s.organization,
      project: s.project,
      stack: env,
      vcs: {
        provider: "github",
        repository: s.repository,
        deployCommits: stack.pushToDeploy,
        // Never: a PR preview here would run the PR's code with the deploy role (one role per stack). PR previews run
        // in .github/workflows/pr.yml with each stack's read-only preview role instead.
        previewPullRequests: false,
        pullRequestTemplate: false,
        paths: pathFilters(env, s.sharedPaths, stack.paths),
      },
      // The GitHub integration supplies the repository and its auth; only the branch and folder are set here.
      sourceContext: { git: { branch: `refs/heads/${s.branch}`, repoDir: "." } },
      operationContext: {
        // Short-lived credentials per run (the role trusts this org/project/stack only); never static keys.
        oidc: {
          aws: {
            roleARN: stack.roleArn,
            sessionName: `pulumi-deployments-${s.project}-${env}`,
            duration: s.oidc.sessionDuration,
          },
        },
        // `npm ci` installs exactly the lockfile; Deployments' own install step (npm install) is skipped.
        preRunCommands: [s.installCommand],
        options: { skipInstallDependencies: true },
      },
      // Runners in our own network, where the cluster's allow-listed API endpoint is reachable; unset: Pulumi-hosted.
      ...(stack.agentPoolId ? { agentPoolId: stack.agentPoolId } : {}),
    },
    // The settings' identity is org/project/stack: a replacement must delete the old settings before creating
    // the new ones, or the delete would remove what was just created.
    { deleteBeforeReplace: true },
  );
}

/** A stack webhook that reports the stack's deployments; its URL is secret in state and never exported. */
export function deploymentNotifications(env: Environment, s: DeploymentsSettings): pulumiservice.Webhook {
  return new pulumiservice.Webhook(
    `${s.project}-${env}-deployments`,
    {
      active: true,
      displayName: `${s.project}/${env} deployments`,
      organizationName: s.organization,
      projectName: s.project,
      stackName: env,
      format: s.notifications.format,
      filters: [...s.notifications.events, ...driftEvents(env, s)],
      payloadUrl: pulumi.secret(s.notificationUrl),
    },
    // The provider's schema does not mark payloadUrl secret; keep it encrypted in the state.
    { additionalSecretOutputs: ["payloadUrl"] },
  );
}

/** Operations Deployments runs with the deploy role; `preview` is not one (no PR previews here). */
export const DEPLOY_OPERATIONS = ["update", "refresh", "destroy"] as const;

/**
 * The trust policy of a stack's deploy role: Pulumi's OIDC tokens for this org/project/stack, and only for the
 * operations above. Pulumi's subject is
 * pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<operation>:scope:write (docs/delivery.md §2).
 */
export function deployRoleTrustPolicy(env: Environment, s: DeploymentsSettings): string {
  const account = s.stacks[env].roleArn.split(":")[4];
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/api.pulumi.com/oidc` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "api.pulumi.com/oidc:aud": s.organization,
            "api.pulumi.com/oidc:sub": DEPLOY_OPERATIONS.map(
              (op) =>
                `pulumi:deploy:org:${s.organization}:project:${s.project}:stack:${env}:operation:${op}:scope:write`,
            ),
          },
        },
      },
    ],
  });
}
