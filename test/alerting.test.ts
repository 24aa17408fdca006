import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { ConfigError, resolveSettings } from "../config";
import { mergeLikeCli } from "../config/files";
import { RECEIVER_SECRET, RECEIVERS } from "../components/alerting/alertmanager";
import { evaluateStack } from "../scripts/lib/evaluate";
import { SECRET } from "../scripts/lib/types";
import { ENVIRONMENTS, copyProject, one, stackOf, type Evaluation, RELEASE } from "./harness";

const WEBHOOK = "https://hooks.slack.com/services/T000/B000/plaintext-webhook-value";
const SECRET_TYPE = "kubernetes:core/v1:Secret";

function rawOf(stack: string, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, e] of Object.entries(mergeLikeCli(stack)))
    out[k] = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
  return { ...out, ...extra };
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.problems;
  }
  return assert.fail("expected the configuration to be rejected");
}

const amConfig = (e: Evaluation) =>
  (one(e, RELEASE, "kube-prometheus-stack").inputs.values as any).alertmanager.config;

describe("alerting: config", () => {
  it("rejects a receiver secret set in plaintext, naming the key and the command but never the value", () => {
    const ps = problemsOf(() =>
      resolveSettings("beta", rawOf("beta", { "platform:slackWebhookUrl": WEBHOOK }), undefined, new Set()),
    );
    assert.deepEqual(ps, [
      "Pulumi.beta.yaml: platform:slackWebhookUrl: set in plaintext; allowed: a secret only " +
        "(pulumi config set --secret platform:slackWebhookUrl <value> -s beta)",
    ]);
  });

  it("rejects an empty receiver secret, which would silence the receiver without a warning", () => {
    const ps = problemsOf(() =>
      resolveSettings(
        "beta",
        rawOf("beta", { "platform:heartbeatUrl": " " }),
        undefined,
        new Set(["platform:heartbeatUrl"]),
      ),
    );
    assert.deepEqual(ps, [
      "Pulumi.beta.yaml: platform:heartbeatUrl: found an empty secret; allowed: the receiver's heartbeatUrl",
    ]);
  });

  it("keeps a secret receiver credential out of the validated settings", () => {
    const s = resolveSettings(
      "uat",
      rawOf("uat", { "platform:slackWebhookUrl": WEBHOOK }),
      undefined,
      new Set(["platform:slackWebhookUrl"]),
    );
    assert.deepEqual(s.alertingSecrets, ["slackWebhookUrl"]);
    assert.ok(!JSON.stringify(s).includes(WEBHOOK));
  });

  it("prod must page the on-call", () => {
    const raw = rawOf("prod");
    const alerting = { ...JSON.parse(raw["platform:alerting"]), paging: false };
    const ps = problemsOf(() =>
      resolveSettings(
        "prod",
        { ...raw, "platform:alerting": JSON.stringify(alerting) },
        undefined,
        new Set(),
      ),
    );
    assert.deepEqual(ps, ["Pulumi.prod.yaml: platform:alerting.paging: found false; allowed in prod: true"]);
  });
});

describe("alerting: Alertmanager in each stack", () => {
  for (const stack of ENVIRONMENTS) {
    it(`${stack}: ${stack === "uat" || stack === "prod" ? "pages the on-call" : "never pages"}, and mounts the receivers Secret`, async () => {
      const e = await stackOf(stack);
      const config = amConfig(e);
      const names = config.receivers.map((r: { name: string }) => r.name);
      assert.equal(names.includes(RECEIVERS.oncall), stack === "uat" || stack === "prod");
      const release = one(e, RELEASE, "kube-prometheus-stack");
      assert.deepEqual((release.inputs.values as any).alertmanager.alertmanagerSpec.secrets, [
        RECEIVER_SECRET,
      ]);
      const secret = one(e, SECRET_TYPE, RECEIVER_SECRET);
      assert.ok(
        release.dependsOn.includes(secret.urn),
        "Alertmanager would start before its receivers Secret",
      );
    });
  }
});

describe("alerting: a receiver without its secret is in the plan's warnings", () => {
  for (const stack of ENVIRONMENTS) {
    it(stack, async () => {
      const e = await stackOf(stack);
      const paging = (e.effective as any).alerting.paging as boolean;
      const warned = (e.warnings ?? [])
        .filter((w) => w.startsWith(`Pulumi.${stack}.yaml: platform:`) && /receiver drops alerts/.test(w))
        .map((w) => /platform:(\w+):/.exec(w)![1])
        .sort();
      // None of the stack files sets them yet: each operator sets them with `pulumi config set --secret`.
      const expected = ["heartbeatUrl", "slackWebhookUrl", ...(paging ? ["pagerDutyRoutingKey"] : [])].sort();
      assert.deepEqual(warned, expected);
    });
  }
});

describe("alerting: receiver secrets set with --secret (prod)", function () {
  this.timeout(120000);
  let e: Evaluation;
  before(async () => {
    const dir = copyProject("alerting-test-");
    try {
      // What `pulumi config set --secret` writes: opaque ciphertext the offline evaluation treats as a secret.
      const file = path.join(dir, "Pulumi.prod.yaml");
      const doc = parseDocument(fs.readFileSync(file, "utf8"));
      for (const key of ["slackWebhookUrl", "pagerDutyRoutingKey", "heartbeatUrl"])
        doc.setIn(["config", `platform:${key}`], { secure: "v1:ciphertext" });
      fs.writeFileSync(file, doc.toString());
      e = await evaluateStack("prod", { dir });
      if (e.error) throw new Error(e.error);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes the credentials to the receivers Secret as Pulumi secrets", () => {
    const data = one(e, SECRET_TYPE, RECEIVER_SECRET).inputs.stringData as Record<string, unknown>;
    assert.deepEqual(Object.keys(data), [SECRET], "stringData is not a Pulumi secret");
    const keys = Object.keys(data[SECRET] as object).sort();
    assert.deepEqual(keys, ["heartbeatUrl", "pagerDutyRoutingKey", "slackWebhookUrl"]);
  });

  it("warns no more once every receiver has its secret", () => {
    assert.deepEqual(
      (e.warnings ?? []).filter((w) => /receiver drops alerts/.test(w)),
      [],
    );
  });

  it("gives Alertmanager file paths only: no credential in the Helm values", () => {
    const config = JSON.stringify(amConfig(e));
    assert.match(
      config,
      /"api_url_file":"\/etc\/alertmanager\/secrets\/alertmanager-receivers\/slackWebhookUrl"/,
    );
    assert.match(config, /"routing_key_file":/);
    assert.match(config, /"url_file":/);
    assert.doesNotMatch(config, /"api_url"|"routing_key"|"url"|ciphertext|\[secret\]/);
  });
});
