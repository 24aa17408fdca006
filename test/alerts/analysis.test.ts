import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { ENVIRONMENTS, one, stackOf } from "../harness";
import { render } from "../charts/tools";
import { runAlertTool } from "./tools";

const HASH = "6d4f8b9c7";

/** The values the program gives a stack's go-service release. */
async function releaseValues(stack: string): Promise<Record<string, any>> {
  return one(await stackOf(stack), "kubernetes:helm.sh/v3:Release", "go-service").inputs.values as Record<
    string,
    any
  >;
}

/** The AnalysisTemplate the chart renders from `values`. */
function analysisTemplate(values: object, label: string): any {
  const template = render(values, label).objects.find((o) => o.kind === "AnalysisTemplate");
  assert.ok(template, `${label}: no AnalysisTemplate rendered`);
  return template;
}

/** Each environment's AnalysisTemplate queries, as rendered from the values the program gives its release. */
async function analysisQueries(stack: string): Promise<Record<string, string>> {
  const template = analysisTemplate(await releaseValues(stack), stack);
  return Object.fromEntries(
    template.spec.metrics.map((m: any) => [
      m.name,
      // Argo Rollouts substitutes the argument before querying; promtool sees what Prometheus would.
      m.provider.prometheus.query.replaceAll("{{args.revision-hash}}", HASH),
    ]),
  );
}

/** The queries as recording rules, so promtool parses and evaluates exactly them. */
function ruleFile(dir: string, queries: Record<string, string>): void {
  const rules = Object.entries(queries).map(([name, expr]) => ({
    record: `analysis:${name.replace(/-/g, "_")}`,
    expr,
  }));
  fs.writeFileSync(path.join(dir, "analysis.yaml"), stringify({ groups: [{ name: "analysis", rules }] }));
}

describe("alerts: Argo Rollouts analysis queries (promtool)", function () {
  this.timeout(120000);
  for (const stack of ENVIRONMENTS) {
    it(`${stack}: parse, and measure only the new revision's pods`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "analysis-"));
      try {
        ruleFile(dir, await analysisQueries(stack));
        const check = runAlertTool("promtool", ["check", "rules", "analysis.yaml"], dir);
        assert.equal(check.status, 0, check.output);
        fs.copyFileSync(path.join(__dirname, "analysis.test.yaml"), path.join(dir, "analysis.test.yaml"));
        const test = runAlertTool("promtool", ["test", "rules", "analysis.test.yaml"], dir);
        assert.equal(test.status, 0, test.output);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

/** Each metric's successCondition, evaluated by Argo Rollouts' own code on a Prometheus result. */
function evaluate(template: any, result: string[]): { ok: boolean; error: string }[] {
  const checks = template.spec.metrics.map((m: any) => ({ condition: m.successCondition, result }));
  const r = runAlertTool("argo-condition", [], undefined, JSON.stringify(checks));
  assert.equal(r.status, 0, r.output);
  return JSON.parse(r.output);
}

describe("alerts: Argo Rollouts analysis conditions (argo-rollouts utils/evaluate)", function () {
  this.timeout(120000);
  const passed = { ok: true, error: "" };
  const failed = { ok: false, error: "" };
  const good = ["0.999"]; // a success rate above and a p99 below every environment's limits
  const bad = ["0.7"]; // a success rate below the 0.99 floor and a p99 above every 0.5 s limit

  for (const stack of ENVIRONMENTS) {
    it(`${stack}: a canary passes on no traffic, and fails on bad numbers`, async () => {
      const values = await releaseValues(stack);
      assert.equal(values.rollout.strategy, "canary", stack);
      const template = analysisTemplate(values, stack);
      for (const result of [[], ["NaN"]]) assert.deepEqual(evaluate(template, result), [passed, passed]);
      const [rate] = evaluate(template, bad);
      assert.deepEqual(rate, failed);
    });
  }

  it("prod as blue-green: no traffic is a failed measurement, never an Error (retried) or a pass", async () => {
    const values = await releaseValues("prod");
    const template = analysisTemplate(
      {
        ...values,
        rollout: { ...values.rollout, strategy: "blueGreen", previewHost: "preview.api.example.com" },
      },
      "prod blueGreen",
    );
    for (const result of [[], ["NaN"]]) assert.deepEqual(evaluate(template, result), [failed, failed]);
    const [rate] = evaluate(template, good);
    assert.deepEqual(rate, passed);
  });
});
