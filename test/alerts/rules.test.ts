import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { CHART_DIR, ciValues, render } from "../charts/tools";
import { runAlertTool } from "./tools";

/** The chart's PrometheusRule spec as a Prometheus rule file, in a directory with the promtool unit tests. */
function ruleDir(values = ciValues("minimal-values.yaml")): string {
  const rule = render(values).objects.find((o) => o.kind === "PrometheusRule");
  assert.ok(rule, "charts/go-service rendered no PrometheusRule");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rules-"));
  fs.writeFileSync(path.join(dir, "rules.yaml"), stringify(rule.spec));
  fs.copyFileSync(path.join(__dirname, "go-service-rules.test.yaml"), path.join(dir, "rules.test.yaml"));
  return dir;
}

describe("alerts: the Go service's PrometheusRule (promtool)", () => {
  let dir: string;
  before(() => (dir = ruleDir()));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("passes promtool check rules", () => {
    const r = runAlertTool("promtool", ["check", "rules", "rules.yaml"], dir);
    assert.equal(r.status, 0, r.output);
  });

  it("fires on fast and slow burns and crash loops, and stays quiet within budget (promtool test rules)", () => {
    const r = runAlertTool("promtool", ["test", "rules", "rules.test.yaml"], dir);
    assert.equal(r.status, 0, r.output);
  });

  it("promtool test rules fails when an alert does not behave as the tests expect", () => {
    // A budget ten times wider: the 10% error burst no longer pages, so the unit tests must fail.
    const defaults = parse(fs.readFileSync(path.join(CHART_DIR, "values.yaml"), "utf8")).prometheusRule;
    const prometheusRule = { ...defaults, availability: { objective: 0.99 } };
    const loose = ruleDir({ ...ciValues("minimal-values.yaml"), prometheusRule });
    try {
      const r = runAlertTool("promtool", ["test", "rules", "rules.test.yaml"], loose);
      assert.notEqual(r.status, 0, "promtool accepted rules that no longer page on a 10% error burst");
    } finally {
      fs.rmSync(loose, { recursive: true, force: true });
    }
  });
});
