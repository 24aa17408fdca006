/**
 * The offline plan: `npm run plan -- <stack> [--diff <git-ref>]`.
 * Evaluates the real program under Pulumi's mocks with the stack's real config, and runs the CrossGuard pack on the
 * result; needs no cloud and no Pulumi CLI. Exit codes: scripts/lib/exit.ts.
 */
import { stringify } from "yaml";
import { ENVIRONMENTS } from "../config/schema";
import { checkoutRef } from "./lib/checkout";
import { estimateCost, renderCost } from "./lib/cost";
import { criticalPath, renderCriticalPath } from "./lib/critical-path";
import { diffEvaluations, renderDiff } from "./lib/diff";
import { evaluateStack, type Evaluation } from "./lib/evaluate";
import {
  DEPLOYMENTS,
  diffDeployments,
  evaluateDeployments,
  renderDeploymentsDiff,
  renderDeploymentsPlan,
} from "./lib/deployments-plan";
import { EXIT } from "./lib/exit";
import { swallowedByNpm } from "./lib/npm-args";
import { placeholdersFor } from "./lib/placeholders";
import { renderViolations } from "./lib/policy-report";
import { diffReleaseNote, planReleaseNote } from "./lib/release-note";
import { mask, resourceList } from "./lib/summary";

const USAGE = `usage: npm run plan -- <${ENVIRONMENTS.join("|")}|${DEPLOYMENTS}> [--diff <git-ref>]
  <stack>           evaluate the stack offline: configuration, resources, policy, outputs, cost, critical path
  ${DEPLOYMENTS}       the deployments/ program: Deployments settings, path filters, roles, pushToDeploy
  --diff <git-ref>  show only what changes against the stack as it was at <git-ref>
  --help            this text
exit codes: 0 no changes and no mandatory violations, 1 changes (--diff) or mandatory violations,
            2 usage error, 3 the program did not evaluate, 4 (--diff) the base did not evaluate`;

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(EXIT.usage);
}

function parseArgs(args: string[]): { stack: string; ref?: string } {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    process.exit(EXIT.ok);
  }
  const swallowed = swallowedByNpm(["diff", "help"]);
  if (swallowed) usage(swallowed);
  const rest = [...args];
  let ref: string | undefined;
  const at = rest.indexOf("--diff");
  if (at >= 0) {
    ref = rest[at + 1];
    if (!ref || ref.startsWith("-")) usage("--diff needs a git ref");
    rest.splice(at, 2);
    if (rest.includes("--diff")) usage("--diff given twice");
  }
  const options = rest.filter((a) => a.startsWith("-"));
  if (options.length > 0) usage(`unknown option ${options.join(" ")}`);
  if (rest.length === 0) usage("missing stack");
  if (rest.length > 1) usage(`one stack per run; got ${rest.join(" ")}`);
  const [stack] = rest;
  if (![...ENVIRONMENTS, DEPLOYMENTS].includes(stack)) usage(`unknown stack "${stack}"`);
  return { stack, ref };
}

function printPlan(e: Evaluation): void {
  const honest = placeholdersFor(e);
  const protectedCount = e.resources.filter((r) => r.protect).length;
  const out = [`# Plan for stack "${e.stack}" (offline, Pulumi mocks)`, ""];
  out.push("## Effective configuration", "");
  out.push(stringify(mask({ "aws:region": e.config["aws:region"]?.value, ...e.effective })).trimEnd());
  if (e.warnings?.length) {
    out.push("", "## Warnings (legal but unusual; they do not block)", "");
    for (const w of e.warnings) out.push(`- ${w}`);
  }
  out.push("", "## Policy (CrossGuard pack in policy/)", "", renderViolations(e.violations ?? []));
  out.push(
    "",
    `## Resources this program registers (${e.resources.length}, ${protectedCount} protected)`,
    "",
  );
  out.push(
    "Remote components (marked remote) create further resources at deploy time; each says what it creates.",
    "Values shown as <…> exist only once deployed.",
    "",
  );
  out.push(honest(resourceList(e.resources)));
  out.push("", planReleaseNote(e));
  out.push("", "## Outputs", "");
  for (const [k, o] of Object.entries(e.outputs))
    out.push(`${k}: ${o.secret ? "[secret]" : outputText(k, o.value, honest)}`);
  out.push("", "## Cost", "", renderCost(estimateCost(e)));
  out.push("", "## Deployment critical path", "", renderCriticalPath(criticalPath(e.resources)));
  console.log(out.join("\n"));
}

const baseFailed = (title: string, ref: string, error: string | undefined, run: string) => {
  // Never diff against an empty base: every line would read as added.
  console.log(
    `### ${title}: no plan diff\n\n**✖ base \`${ref}\` did not evaluate**, so there is nothing to compare ` +
      `against. This branch evaluates; run \`npm run plan -- ${run}\` for its full plan.\n\n\`\`\`\n${error}\n\`\`\``,
  );
  return EXIT.baseFailed;
};

async function planDeployments(base?: { dir: string }, ref?: string): Promise<number> {
  const [before, after] = await Promise.all([
    base ? evaluateDeployments(base.dir) : undefined,
    evaluateDeployments(),
  ]);
  if (after.error) {
    console.error(
      `✖ deployments (working tree): the program failed before creating anything\n${after.error}`,
    );
    return EXIT.error;
  }
  if (!before || !ref) {
    console.log(renderDeploymentsPlan(after));
    return EXIT.ok;
  }
  if (before.error) return baseFailed("Deployments program", ref, before.error, DEPLOYMENTS);
  const diff = diffDeployments(before, after);
  console.log(renderDeploymentsDiff(ref, diff));
  return diff.total === 0 ? EXIT.ok : EXIT.changes;
}

/** An output on one line, or indented JSON when one line would pass 120 columns (e.g. a policy document). */
function outputText(key: string, value: unknown, honest: (text: string) => string): string {
  const line = honest(JSON.stringify(value));
  return key.length + 2 + line.length <= 120 ? line : honest(JSON.stringify(value, null, 2));
}

async function main(): Promise<number> {
  const { stack, ref } = parseArgs(process.argv.slice(2));
  const failed = (e: Evaluation, where: string) => {
    console.error(`✖ ${stack} (${where}): the program failed before creating anything\n${e.error}`);
    return EXIT.error;
  };
  if (stack === DEPLOYMENTS && !ref) return planDeployments();
  if (!ref) {
    const e = await evaluateStack(stack, { policy: true });
    if (e.error) return failed(e, "working tree");
    printPlan(e);
    return e.violations?.some((v) => v.enforcementLevel === "mandatory") ? EXIT.changes : EXIT.ok;
  }
  let base: ReturnType<typeof checkoutRef>;
  try {
    base = checkoutRef(ref);
  } catch (e) {
    return usage((e as Error).message);
  }
  // The checkout is removed on every exit path, Ctrl-C included.
  const interrupted = () => {
    base.cleanup();
    process.exit(130);
  };
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    if (stack === DEPLOYMENTS) return await planDeployments(base, ref);
    const [before, after] = await Promise.all([
      evaluateStack(stack, { dir: base.dir, policy: true }),
      evaluateStack(stack, { policy: true }),
    ]);
    if (after.error) return failed(after, "working tree");
    if (before.error) return baseFailed(`Stack \`${stack}\``, ref, before.error, stack);
    const diff = diffEvaluations(before, after);
    console.log(placeholdersFor(after)(renderDiff(stack, ref, diff)));
    const note = diffReleaseNote(after, diff);
    if (note) console.log(`\n${note}`);
    return diff.total === 0 ? EXIT.ok : EXIT.changes;
  } finally {
    base.cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(EXIT.error);
  },
);
