/** promtool, amtool and argo-condition from .tools/bin (scripts/install-alert-tools.sh); a missing tool is an error, never a skip. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../charts/tools";

export type AlertTool = "promtool" | "amtool" | "argo-condition";

export function runAlertTool(tool: AlertTool, args: string[], cwd?: string, input?: string) {
  const file = path.join(ROOT, ".tools", "bin", tool);
  if (!fs.existsSync(file))
    throw new Error(`${tool} not found at ${file}: run scripts/install-alert-tools.sh`);
  const r = spawnSync(file, args, { cwd, encoding: "utf8", input });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
