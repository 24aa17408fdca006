import { strict as assert } from "node:assert";
import { ConfigError, PROJECT, readConfigFiles, resolveSettings } from "../config";
import { DEPLOYMENTS_DIR, rawConfig, readConfig } from "./stack-config";

const STACK = "cloud";
const FILES = readConfigFiles(STACK, DEPLOYMENTS_DIR);
const URL_KEY = `${PROJECT}:notificationUrl`;
const SECRET_URL = "https://hooks.slack.com/services/T0000/B0000/test-only";

/** The real Pulumi.yaml + stack file, with the secret an operator sets, then `change` applied. */
function raw(change: (c: Record<string, any>) => void = () => {}): Record<string, string> {
  const config: Record<string, any> = structuredClone(readConfig(STACK).config);
  config[URL_KEY] = { value: SECRET_URL, secret: true };
  const values = Object.fromEntries(
    Object.entries(config).map(([k, e]) => [k.slice(PROJECT.length + 1), e.value]),
  );
  change(values);
  return rawConfig(
    Object.fromEntries(
      Object.entries(values)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [`${PROJECT}:${k}`, { value: v, secret: false }]),
    ),
  );
}

function problems(bag: Record<string, string>): string[] {
  try {
    resolveSettings(bag, FILES);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  assert.fail("expected a ConfigError");
}

describe("deployments: config validation", () => {
  it("accepts the real Pulumi.yaml + Pulumi.cloud.yaml", () => {
    const s = resolveSettings(raw(), FILES);
    assert.equal(s.project, "platform");
    assert.equal(s.stacks.prod.pushToDeploy, false);
  });

  it("reports every problem at once, each with its file and full key", () => {
    const found = problems(
      raw((c) => {
        c.repository = "not a repo";
        c.stacks.beta.roleArn = "arn:aws:iam::123:user/bob";
        c.stacks.prod.pushToDeploy = true;
        c.oidc = { sessionDuration: "13h" };
        c.branch = "refs/heads/main";
        c.organization = undefined;
      }),
    );
    const expect = [
      `Pulumi.cloud.yaml: ${PROJECT}:repository:`,
      `Pulumi.cloud.yaml: ${PROJECT}:stacks.beta.roleArn:`,
      `Pulumi.cloud.yaml: ${PROJECT}:stacks.prod.pushToDeploy:`,
      `Pulumi.yaml: ${PROJECT}:oidc.sessionDuration:`,
      `Pulumi.yaml: ${PROJECT}:branch:`,
      `Pulumi.cloud.yaml: ${PROJECT}:organization:`,
    ];
    for (const prefix of expect)
      assert.ok(
        found.some((p) => p.startsWith(prefix)),
        `${prefix}\n${found.join("\n")}`,
      );
    assert.equal(found.length, expect.length, found.join("\n"));
  });

  it("rejects unknown keys, top-level and nested", () => {
    const found = problems(
      raw((c) => {
        c.regoin = "us-east-1";
        c.stacks.dev = { roleArn: "arn:aws:iam::111122223333:role/x", pushToDeploy: true };
        c.stacks.alpha.awsAccessKeyId = "AKIA...";
      }),
    );
    assert.deepEqual(found.sort(), [
      `Pulumi.cloud.yaml: ${PROJECT}:regoin: unknown key`,
      `Pulumi.cloud.yaml: ${PROJECT}:stacks.alpha.awsAccessKeyId: unknown key`,
      `Pulumi.cloud.yaml: ${PROJECT}:stacks.dev: unknown key`,
    ]);
  });

  it("rejects a key in a misspelt namespace instead of leaving the setting on its default", () => {
    const bag = { ...raw(), "platform-deploymets:branch": "release" };
    assert.deepEqual(problems(bag), [
      `Pulumi.cloud.yaml: platform-deploymets:branch: unknown namespace; allowed: ${PROJECT}:, pulumiservice:, pulumi:`,
    ]);
  });

  it("requires an https webhook URL and never prints the secret value", () => {
    const found = problems(raw((c) => (c.notificationUrl = "http://hooks.example.com/secret-token")));
    assert.equal(found.length, 1);
    assert.match(found[0], new RegExp(`^Pulumi.cloud.yaml: ${URL_KEY}: must be an https URL$`));
    assert.doesNotMatch(found[0], /secret-token/);
  });

  it("accepts only events a stack webhook can receive", () => {
    const found = problems(raw((c) => (c.notifications = { format: "slack", events: ["stack_created"] })));
    assert.equal(found.length, 1);
    assert.match(found[0], new RegExp(`^Pulumi.yaml: ${PROJECT}:notifications.events.0:`));
  });
});
