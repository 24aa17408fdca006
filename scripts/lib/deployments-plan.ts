/**
 * The offline plan of the deployments/ program (Pulumi Deployments settings, schedules, webhooks, policy group):
 * its real index.ts under mocks, through the evaluator its own tests use (deployments/test/evaluate.ts).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { PROJECT_DIR } from "../../config/files";
import { changes, type Change } from "./diff";
import { mask, show, isSecret } from "./summary";

export const DEPLOYMENTS = "deployments";
const STACK = "cloud";

interface Resource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
export interface DeploymentsEvaluation {
  resources: Resource[];
  error?: string;
}

/**
 * The notification URL is stored encrypted in Pulumi.cloud.yaml and cannot be decrypted offline; the plan runs with
 * a stand-in and shows it only as [secret].
 */
const SECRET_STANDIN = JSON.stringify({
  "platform-deployments:notificationUrl": {
    value: "https://notifications.invalid/offline-plan",
    secret: true,
  },
});

export async function evaluateDeployments(dir = PROJECT_DIR): Promise<DeploymentsEvaluation> {
  const entry = path.join(dir, "deployments", "test", "evaluate.ts");
  if (!fs.existsSync(entry))
    return { resources: [], error: "this checkout has no deployments/test/evaluate.ts" };
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-r", path.join(__dirname, "register.js"), entry, STACK, SECRET_STANDIN],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
    );
    // Paths inside the checkout (the policy pack's sourcePath) read relative to it, so two checkouts compare equal.
    const result = JSON.parse(
      stdout.split(JSON.stringify(dir).slice(1, -1)).join("."),
    ) as DeploymentsEvaluation;
    return {
      resources: result.resources.map(({ type, name, inputs }) => ({ type, name, inputs })),
      error: result.error,
    };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { resources: [], error: (err.stderr || err.message).trim().split("\n").slice(0, 5).join("\n") };
  }
}

const key = (r: Resource) => `${r.type} ${r.name}`;

export function renderDeploymentsPlan(e: DeploymentsEvaluation): string {
  const out = [`# Plan for the deployments program (stack "${STACK}", offline, Pulumi mocks)`, ""];
  out.push(`## Resources (${e.resources.length})`, "");
  for (const r of e.resources) {
    out.push(`${r.name}  ${r.type}`);
    const settings = stringify(mask(r.inputs), { lineWidth: 110 }).trimEnd();
    if (settings !== "{}") out.push(...settings.split("\n").map((l) => `    ${l}`));
  }
  return out.join("\n");
}

/** Settings, path filters, roles and pushToDeploy as old → new, per resource of the deployments program. */
export function diffDeployments(before: DeploymentsEvaluation, after: DeploymentsEvaluation) {
  const old = new Map(before.resources.map((r) => [key(r), r]));
  const now = new Map(after.resources.map((r) => [key(r), r]));
  const changed: { resource: Resource; changes: Change[] }[] = [];
  for (const [k, r] of now) {
    const o = old.get(k);
    const c = o ? changes(o.inputs, r.inputs) : [];
    if (c.length > 0) changed.push({ resource: r, changes: c });
  }
  const added = after.resources.filter((r) => !old.has(key(r)));
  const removed = before.resources.filter((r) => !now.has(key(r)));
  return { added, removed, changed, total: added.length + removed.length + changed.length };
}

const side = (v: unknown) => (v === undefined || typeof v === "symbol" ? "(none)" : `\`${show(v)}\``);

export function renderDeploymentsDiff(ref: string, d: ReturnType<typeof diffDeployments>): string {
  const out = [
    `### Deployments program (\`deployments/\`, stack \`${STACK}\`): plan diff against \`${ref}\``,
    "",
  ];
  if (d.total === 0) return [...out, "No changes."].join("\n");
  if (d.added.length > 0)
    out.push("**Resources added**", "", ...d.added.map((r) => `- \`${r.type}\` ${r.name}`), "");
  if (d.removed.length > 0)
    out.push("**Resources removed**", "", ...d.removed.map((r) => `- \`${r.type}\` ${r.name}`), "");
  if (d.changed.length > 0) {
    out.push("**Resources changed**", "");
    for (const { resource, changes: cs } of d.changed) {
      out.push(`- \`${resource.type}\` ${resource.name}`);
      for (const c of cs)
        out.push(
          isSecret(c.before) || isSecret(c.after)
            ? `  - \`${c.path}\`: [secret] changed`
            : `  - \`${c.path}\`: ${side(c.before)} → ${side(c.after)}`,
        );
    }
  }
  return out.join("\n").trimEnd();
}
