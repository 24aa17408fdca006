/**
 * The offline plan: `npm run plan -- <stack> [--diff <git-ref>]`.
 * Evaluates the real program under Pulumi's mocks with the stack's real config; needs no cloud and no Pulumi CLI.
 */
import { stringify } from "yaml";
import { ENVIRONMENTS } from "../config/schema";
import { checkoutRef } from "./lib/checkout";
import { estimateCost, renderCost } from "./lib/cost";
import { criticalPath, renderCriticalPath } from "./lib/critical-path";
import { diffEvaluations, renderDiff } from "./lib/diff";
import { evaluateStack, type Evaluation } from "./lib/evaluate";
import { mask, resourceTable } from "./lib/summary";

function usage(message: string): never {
  console.error(`${message}\nusage: npm run plan -- <${ENVIRONMENTS.join("|")}> [--diff <git-ref>]`);
  process.exit(2);
}

function printPlan(e: Evaluation): void {
  const protectedCount = e.resources.filter((r) => r.protect).length;
  console.log(`# Plan for stack "${e.stack}" (offline, Pulumi mocks)\n`);
  console.log("## Effective configuration\n");
  console.log(stringify(mask({ "aws:region": e.config["aws:region"]?.value, ...e.effective })).trimEnd());
  if (e.warnings?.length) {
    console.log("\n## Warnings (legal but unusual; they do not block)\n");
    for (const w of e.warnings) console.log(`- ${w}`);
  }
  console.log(`\n## Resources (${e.resources.length}, ${protectedCount} protected)\n`);
  console.log(resourceTable(e.resources));
  console.log("\n## Outputs\n");
  for (const [k, o] of Object.entries(e.outputs))
    console.log(`${k}: ${o.secret ? "[secret]" : JSON.stringify(o.value)}`);
  console.log("\n## Cost\n");
  console.log(renderCost(estimateCost(e)));
  console.log("\n## Deployment critical path\n");
  console.log(renderCriticalPath(criticalPath(e.resources)));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stack = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--diff");
  if (!stack) usage("missing stack");
  if (!(ENVIRONMENTS as readonly string[]).includes(stack)) usage(`unknown stack "${stack}"`);
  const unknown = args.filter((a) => a.startsWith("--") && a !== "--diff");
  if (unknown.length > 0) usage(`unknown option ${unknown.join(" ")}`);

  const diffAt = args.indexOf("--diff");
  const ref = diffAt >= 0 ? args[diffAt + 1] : undefined;
  if (diffAt >= 0 && (!ref || ref.startsWith("--"))) usage("--diff needs a git ref");

  const failed = (e: Evaluation, where: string) => {
    console.error(`✖ ${stack} (${where}): the program failed before creating anything\n${e.error}`);
    process.exit(1);
  };
  if (ref) {
    const base = checkoutRef(ref);
    try {
      const [before, after] = await Promise.all([
        evaluateStack(stack, { dir: base.dir }),
        evaluateStack(stack),
      ]);
      if (after.error) failed(after, "working tree");
      // A base that did not evaluate (say, before the stack existed) diffs as empty.
      const empty: Evaluation = { stack, config: {}, resources: [], outputs: {} };
      console.log(renderDiff(stack, ref, diffEvaluations(before.error ? empty : before, after)));
    } finally {
      base.cleanup();
    }
    return;
  }
  const e = await evaluateStack(stack);
  if (e.error) failed(e, "working tree");
  printPlan(e);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
