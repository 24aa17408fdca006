import { strict as assert } from "node:assert";
import { ConfigError, PROJECT, readConfigFiles, resolveSettings } from "../config";
import { evaluate, STACK, type Evaluation } from "./program";
import { DEPLOYMENTS_DIR, rawConfig, readConfig } from "./stack-config";

describe("deployments: drift detection", () => {
  let result: Evaluation;
  before(function () {
    this.timeout(60000);
    result = evaluate();
    assert.equal(result.error, undefined, result.error);
  });
  const schedules = () => result.resources.filter((r) => r.type === "pulumiservice:index:DriftSchedule");
  const hookOf = (env: string) =>
    result.resources.find((r) => r.type === "pulumiservice:index:Webhook" && r.inputs.stackName === env)!;

  it("watches uat and prod of project platform on a schedule", () => {
    const stacks = schedules().map((s) => s.inputs.stack);
    assert.ok(stacks.includes("uat") && stacks.includes("prod"), `drift schedules: ${stacks.join(", ")}`);
    for (const s of schedules()) {
      assert.equal(s.inputs.project, "platform");
      assert.equal(s.inputs.organization, readConfig(STACK).config[`${PROJECT}:organization`].value);
      assert.match(s.inputs.scheduleCron, /^(\S+\s+){4}\S+$/);
    }
  });

  it("remediates uat and only notifies in prod (a human judges prod's drift)", () => {
    const byStack = Object.fromEntries(schedules().map((s) => [s.inputs.stack, s.inputs.autoRemediate]));
    assert.equal(byStack.uat, true);
    assert.equal(byStack.prod, false);
  });

  it("sends drift_detected and failed drift runs to the watched stack's webhook", () => {
    for (const env of ["uat", "prod"]) {
      const filters: string[] = hookOf(env).inputs.filters;
      for (const event of ["drift_detected", "drift_detection_failed"])
        assert.ok(filters.includes(event), `${env}: ${event}`);
    }
    assert.ok(hookOf("uat").inputs.filters.includes("drift_remediation_failed"));
    for (const env of ["alpha", "beta"])
      assert.ok(!hookOf(env).inputs.filters.includes("drift_detected"), `${env} is not watched`);
  });
});

describe("deployments: drift detection config", () => {
  const files = readConfigFiles(STACK, DEPLOYMENTS_DIR);
  const withDrift = (drift: unknown) => {
    const bag = Object.fromEntries(
      Object.entries(readConfig(STACK).config).map(([k, e]) => [k, { value: e.value, secret: false }]),
    );
    bag[`${PROJECT}:notificationUrl`] = { value: "https://hooks.slack.com/services/T/B/x", secret: false };
    bag[`${PROJECT}:driftDetection`] = { value: drift, secret: false };
    return rawConfig(bag);
  };
  const problems = (drift: unknown) => {
    try {
      resolveSettings(withDrift(drift), files);
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      return e.problems;
    }
    return assert.fail("expected a ConfigError");
  };

  it("requires uat and prod, names the file and key, and allows only notify or remediate", () => {
    assert.deepEqual(problems({ uat: { schedule: "0 * * * *", mode: "fix" } }), [
      `Pulumi.yaml: ${PROJECT}:driftDetection.uat.mode: must be notify or remediate (found "fix")`,
      `Pulumi.yaml: ${PROJECT}:driftDetection.prod: must be set: uat and prod are always watched (found nothing)`,
    ]);
  });

  it("rejects a schedule that is not a five-field cron", () => {
    const ps = problems({
      uat: { schedule: "hourly", mode: "notify" },
      prod: { schedule: "0 * * * *", mode: "notify" },
    });
    assert.equal(ps.length, 1);
    assert.match(ps[0], /driftDetection\.uat\.schedule: must be a five-field cron expression/);
  });
});
