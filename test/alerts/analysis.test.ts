import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { ENVIRONMENTS, one, stackOf } from "../harness";
import { render } from "../charts/tools";
import { runAlertTool } from "./tools";

const HASH = "6d4f8b9c7";

/** Each environment's AnalysisTemplate queries, as rendered from the values the program gives its release. */
async function analysisQueries(stack: string): Promise<Record<string, string>> {
  const e = await stackOf(stack);
  const values = one(e, "kubernetes:helm.sh/v3:Release", "go-service").inputs.values as object;
  const template = render(values, stack).objects.find((o) => o.kind === "AnalysisTemplate");
  assert.ok(template, `${stack}: no AnalysisTemplate rendered`);
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
