import { strict as assert } from "node:assert";
import { ConfigError, resolveSettings } from "../config";
import { mergeLikeCli, readStackConfig } from "../config/files";
import { deepMerge } from "../config/merge";

/** Problems for `stack` with `patch` applied to its stack file, as the CLI would hand the config over. */
function problems(stack: string, patch: Record<string, Record<string, unknown>>): string[] {
  const raw: Record<string, string> = {};
  for (const [k, e] of Object.entries(mergeLikeCli(stack)))
    raw[k] = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
  for (const [k, v] of Object.entries(patch))
    raw[k] = JSON.stringify(deepMerge(readStackConfig(stack)[k]?.value ?? {}, v));
  try {
    resolveSettings(stack, raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.problems;
  }
  return assert.fail("expected the configuration to be rejected");
}

describe("add-on config", () => {
  it("rejects a Prometheus retention that is not a duration, and a misspelt key", () => {
    const ps = problems("beta", {
      "platform:prometheus": { retention: "15 days", storageGb: 20 },
    });
    assert.ok(
      ps.includes(
        'Pulumi.beta.yaml: platform:prometheus.retention: found "15 days"; allowed: a Prometheus duration in h, d, w or y, such as "15d"',
      ),
      ps.join("\n"),
    );
    assert.ok(
      ps.some((p) =>
        /^Pulumi\.beta\.yaml: platform:prometheus\.storageGb: unknown key; allowed keys: .*storageGiB/.test(
          p,
        ),
      ),
      ps.join("\n"),
    );
  });

  it("rejects a log retention CloudWatch does not offer", () => {
    const [p] = problems("alpha", {
      "platform:fluentBit": { logRetentionDays: 10 },
    });
    assert.match(
      p,
      /^Pulumi\.alpha\.yaml: platform:fluentBit\.logRetentionDays: found 10; allowed: one of 1, 3, 5, 7, 14/,
    );
  });

  it("rejects a five-field backup schedule (CloudNativePG wants seconds first)", () => {
    const [p] = problems("uat", {
      "platform:postgres": { backups: { schedule: "0 3 * * *" } },
    });
    assert.match(
      p,
      /^Pulumi\.uat\.yaml: platform:postgres\.backups\.schedule: found "0 3 \* \* \*"; allowed: a six-field cron/,
    );
  });

  it("rejects prod without backups, a single Postgres instance or a single Prometheus", () => {
    const ps = problems("prod", {
      "platform:postgres": { instances: 1, backups: { enabled: false } },
      "platform:prometheus": { replicas: 1 },
    });
    assert.deepEqual(ps.sort(), [
      "Pulumi.prod.yaml: platform:postgres.backups.enabled: found false; allowed in prod: true",
      "Pulumi.prod.yaml: platform:postgres.instances: found 1; allowed in prod: at least 2 (a replica to fail over to)",
      "Pulumi.prod.yaml: platform:prometheus.replicas: found 1; allowed in prod: at least 2",
    ]);
  });

  it("rejects a Grafana hostname that is not a DNS name", () => {
    const [p] = problems("uat", {
      "platform:grafana": { hostname: "https://grafana.example.com" },
    });
    assert.match(
      p,
      /^Pulumi\.uat\.yaml: platform:grafana\.hostname: found "https:\/\/grafana\.example\.com"; allowed: a DNS name/,
    );
  });
});
