import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { ALERTING_SECRET_KEYS, ENVIRONMENTS, resolveSettings, type Environment } from "../../config";
import { mergeLikeCli } from "../../config/files";
import { alertmanagerConfig, RECEIVERS } from "../../components/alerting/alertmanager";
import { runAlertTool } from "./tools";

/**
 * The Alertmanager configuration the program gives each stack (real stack files), written where amtool reads it.
 * `secrets` says which receiver secrets the stack has set (the values never reach the configuration).
 */
function configFile(stack: Environment, secrets = [...ALERTING_SECRET_KEYS]): string {
  const raw: Record<string, string> = {};
  for (const [k, e] of Object.entries(mergeLikeCli(stack)))
    raw[k] = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
  const settings = resolveSettings(stack, raw, undefined, new Set());
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "am-")), "alertmanager.yaml");
  fs.writeFileSync(file, stringify(alertmanagerConfig(settings.alerting, secrets)));
  return file;
}

/** amtool's own routing test: exit status 0 only when exactly these receivers get the alert. */
function routesTo(file: string, labels: Record<string, string>): string {
  const r = runAlertTool("amtool", [
    "config",
    "routes",
    "test",
    `--config.file=${file}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  ]);
  assert.equal(r.status, 0, r.output);
  return r.output.trim();
}

const PAGES: Record<Environment, boolean> = { alpha: false, beta: false, uat: true, prod: true };
const svc = { namespace: "go-service", alertname: "GoServiceAvailabilityBurnRate" };

describe("alerts: Alertmanager routing per environment (amtool)", () => {
  for (const stack of ENVIRONMENTS) {
    describe(stack, () => {
      let file: string;
      before(() => (file = configFile(stack)));

      it("passes amtool check-config", () => {
        const r = runAlertTool("amtool", ["check-config", file]);
        assert.equal(r.status, 0, r.output);
      });

      it(`sends critical alerts to ${PAGES[stack] ? "the on-call pager" : "the team's channel, never a pager"}`, () => {
        assert.equal(
          routesTo(file, { ...svc, severity: "critical" }),
          PAGES[stack] ? RECEIVERS.oncall : RECEIVERS.team,
        );
      });

      it("sends warnings to the team's Slack channel and drops info alerts", () => {
        assert.equal(routesTo(file, { ...svc, severity: "warning" }), RECEIVERS.team);
        assert.equal(routesTo(file, { ...svc, severity: "info" }), RECEIVERS.none);
        assert.equal(routesTo(file, { alertname: "InfoInhibitor", severity: "none" }), RECEIVERS.none);
      });

      it("sends the Watchdog to the dead-man's-switch heartbeat, whatever its severity", () => {
        assert.equal(routesTo(file, { alertname: "Watchdog", severity: "none" }), RECEIVERS.heartbeat);
        assert.equal(routesTo(file, { alertname: "Watchdog", severity: "critical" }), RECEIVERS.heartbeat);
      });
    });
  }

  it("stays a valid configuration when no receiver secret is set (receivers drop, the program warns)", () => {
    for (const stack of ENVIRONMENTS) {
      const r = runAlertTool("amtool", ["check-config", configFile(stack, [])]);
      assert.equal(r.status, 0, `${stack}: ${r.output}`);
    }
  });

  it("amtool rejects a configuration that routes to a receiver it does not define", () => {
    const file = configFile("prod");
    fs.writeFileSync(
      file,
      fs.readFileSync(file, "utf8").replace("receiver: oncall-pager", "receiver: pager"),
    );
    const r = runAlertTool("amtool", ["check-config", file]);
    assert.notEqual(r.status, 0, r.output);
  });
});
