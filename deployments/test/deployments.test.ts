import { strict as assert } from "node:assert";
import { ENVIRONMENTS, PROJECT } from "../config";
import { evaluate, SLACK_URL, STACK, type Evaluation } from "./program";
import { declarations, readConfig } from "./stack-config";

describe("deployments: settings of the four platform stacks", () => {
  let result: Evaluation;
  const config = readConfig(STACK).config;
  const roles = config[`${PROJECT}:stacks`].value as Record<string, { roleArn: string }>;
  const settingsOf = (env: string) => {
    const found = result.resources.filter(
      (r) => r.type === "pulumiservice:index:DeploymentSettings" && r.inputs.stack === env,
    );
    assert.equal(found.length, 1, `one DeploymentSettings for ${env}`);
    return found[0].inputs;
  };

  before(function () {
    this.timeout(60000);
    result = evaluate();
    assert.equal(result.error, undefined, result.error);
  });

  it("defines exactly one DeploymentSettings per environment, for project platform", () => {
    const settings = result.resources.filter((r) => r.type === "pulumiservice:index:DeploymentSettings");
    assert.deepEqual(settings.map((r) => r.inputs.stack).sort(), [...ENVIRONMENTS].sort());
    for (const s of settings) {
      assert.equal(s.inputs.project, "platform");
      assert.equal(s.inputs.organization, config[`${PROJECT}:organization`].value);
      assert.equal(s.deleteBeforeReplace, true, `${s.name}: replace must not delete the new settings`);
    }
  });

  it("deploys from the GitHub repository's main branch via vcs (not the deprecated github block)", () => {
    for (const env of ENVIRONMENTS) {
      const s = settingsOf(env);
      assert.equal(s.github, undefined);
      assert.equal(s.vcs.provider, "github");
      assert.equal(s.vcs.repository, config[`${PROJECT}:repository`].value);
      assert.deepEqual(s.sourceContext, { git: { branch: "refs/heads/main", repoDir: "." } });
    }
  });

  it("filters paths: own stack file and shared code deploy; other environments' stack files are excluded", () => {
    for (const env of ENVIRONMENTS) {
      const paths: string[] = settingsOf(env).vcs.paths;
      assert.ok(paths.includes(`Pulumi.${env}.yaml`), `${env}: own stack file`);
      assert.ok(!paths.includes(`!Pulumi.${env}.yaml`), `${env}: own stack file not excluded`);
      for (const shared of [
        "Pulumi.yaml",
        "index.ts",
        "components/**",
        "config/**",
        "charts/**",
        "package-lock.json",
      ]) {
        assert.ok(paths.includes(shared), `${env}: ${shared}`);
      }
      for (const other of ENVIRONMENTS.filter((e) => e !== env)) {
        assert.ok(paths.includes(`!Pulumi.${other}.yaml`), `${env}: excludes Pulumi.${other}.yaml`);
        assert.ok(!paths.includes(`Pulumi.${other}.yaml`), `${env}: does not include Pulumi.${other}.yaml`);
      }
    }
  });

  it("runs no PR previews (they would run PR code with the deploy role) and is no review-stack template", () => {
    for (const env of ENVIRONMENTS) {
      assert.equal(settingsOf(env).vcs.previewPullRequests, false, env);
      assert.equal(settingsOf(env).vcs.pullRequestTemplate, false, env);
    }
  });

  it("trusts each deploy role per operation: update, refresh, destroy of its own stack, never preview", () => {
    const trust = result.outputs.deployRoleTrustPolicies.value as Record<string, string>;
    const org = config[`${PROJECT}:organization`].value;
    for (const env of ENVIRONMENTS) {
      const [statement] = JSON.parse(trust[env]).Statement;
      assert.equal(
        statement.Principal.Federated,
        `arn:aws:iam::${roles[env].roleArn.split(":")[4]}:oidc-provider/api.pulumi.com/oidc`,
      );
      assert.equal(statement.Condition.StringEquals["api.pulumi.com/oidc:aud"], org);
      assert.equal(statement.Condition.StringLike, undefined, "no wildcards");
      assert.deepEqual(
        statement.Condition.StringEquals["api.pulumi.com/oidc:sub"],
        ["update", "refresh", "destroy"].map(
          (op) => `pulumi:deploy:org:${org}:project:platform:stack:${env}:operation:${op}:scope:write`,
        ),
      );
    }
  });

  it("runs every stack on its configured agent pool, and shows the pool in the outputs", () => {
    const pools = result.outputs.agentPools.value as Record<string, string>;
    for (const env of ENVIRONMENTS) {
      const configured = (roles[env] as { agentPoolId?: string }).agentPoolId;
      assert.equal(settingsOf(env).agentPoolId, configured, env);
      assert.equal(pools[env], configured ?? "pulumi-hosted", env);
    }
  });

  it("deploys on push everywhere except prod", () => {
    for (const env of ENVIRONMENTS) assert.equal(settingsOf(env).vcs.deployCommits, env !== "prod", env);
    assert.equal(
      (result.outputs.pushToDeploy.value as Record<string, boolean>)[
        `${config[`${PROJECT}:organization`].value}/platform/prod`
      ],
      false,
    );
  });

  it("assumes each environment's own AWS role through OIDC", () => {
    for (const env of ENVIRONMENTS) {
      const aws = settingsOf(env).operationContext.oidc.aws;
      assert.equal(aws.roleARN, roles[env].roleArn, env);
      assert.match(aws.sessionName, new RegExp(env));
      assert.match(aws.duration, /^\d+h/);
    }
    assert.notEqual(
      roles.prod.roleArn.split(":")[4],
      roles.alpha.roleArn.split(":")[4],
      "prod has its own account",
    );
  });

  it("holds no static AWS keys anywhere", () => {
    const text = JSON.stringify(result.resources);
    assert.doesNotMatch(text, /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AKIA[0-9A-Z]{16}/);
    for (const env of ENVIRONMENTS)
      assert.equal(settingsOf(env).operationContext.environmentVariables, undefined);
  });

  it("installs dependencies with npm ci and skips Deployments' own install step", () => {
    for (const env of ENVIRONMENTS) {
      const op = settingsOf(env).operationContext;
      assert.ok(
        op.preRunCommands.some((c: string) => /^npm ci\b/.test(c)),
        env,
      );
      assert.equal(op.options.skipInstallDependencies, true, env);
    }
  });

  it("notifies each stack's deployment events through a webhook whose URL is secret", () => {
    const hooks = result.resources.filter((r) => r.type === "pulumiservice:index:Webhook");
    assert.deepEqual(hooks.map((h) => h.inputs.stackName).sort(), [...ENVIRONMENTS].sort());
    for (const h of hooks) {
      assert.equal(h.inputs.projectName, "platform");
      assert.deepEqual(h.inputs.payloadUrl, { "[secret]": SLACK_URL }, `${h.name}: payloadUrl is secret`);
      assert.ok(h.additionalSecretOutputs.includes("payloadUrl"), `${h.name}: payloadUrl secret in state`);
      for (const event of ["deployment_started", "deployment_succeeded", "deployment_failed"]) {
        assert.ok(h.inputs.filters.includes(event), `${h.name}: ${event}`);
      }
    }
  });

  it("declares the webhook URL secret and never exports or logs it", () => {
    assert.equal(declarations()[`${PROJECT}:notificationUrl`].secret, true);
    assert.equal(
      readConfig(STACK).config[`${PROJECT}:notificationUrl`],
      undefined,
      "not in plain text in the stack file",
    );
    assert.doesNotMatch(JSON.stringify(result.outputs), /hooks\.slack\.com/);
  });
});
