/**
 * `npm run bench`: speed and shape targets, measured (never asserted by timed tests).
 * - evaluation: wall time of one offline stack evaluation ≤ 1.5 × a bare Node process importing the same SDKs;
 * - CLI evaluation: the same evaluation with TypeScript loaded exactly as `pulumi preview`/`up` load it for this
 *   Pulumi.yaml (scripts/lib/cli-loader.js replays the nodejs host and @pulumi/pulumi cmd/run/run.js) ≤ 2 × that floor;
 * - critical path: estimated `pulumi up` duration ≤ 1.1 × (control plane + node group + slowest release);
 * - cost (non-prod): estimated monthly cost ≤ 1.25 × (control plane + one NAT + the fewest nodes that fit requests).
 * Each evaluation is paired with a floor run just before it, and the target is checked on the median of the per-pair
 * ratios, so machine load that slows both cancels out. BENCH_RUNS (default 7) sets the pairs per stack.
 * `--suite` also times `npm test` against 2 minutes, and each of its steps (tsc, eslint, mocha, charts) alone.
 * Then the Go service's load test: p50/p99 and error rate at a fixed rate, beside a net/http floor (docs/service.md).
 * Exit codes (scripts/lib/exit.ts): 0 targets met, 1 a target missed, 2 usage error, 3 an evaluation failed.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ENVIRONMENTS } from "../config/schema";
import { EXIT } from "./lib/exit";
import { swallowedByNpm } from "./lib/npm-args";
import { estimateCost } from "./lib/cost";
import { criticalPath } from "./lib/critical-path";
import { evaluateStack } from "./lib/evaluate";
import { serviceBench } from "./lib/service-bench";
import { table } from "./lib/summary";

const USAGE = `usage: npm run bench [-- --suite]
  --suite  also time npm test against 2 minutes, and each of its steps alone
env: BENCH_RUNS  paired evaluation/floor runs per stack (default 7; more runs, steadier medians)
exit codes: 0 targets met, 1 a target missed, 2 usage error, 3 an evaluation failed`;

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/**
 * npm test's steps, each timed alone to show where the time goes; the target is on `npm test` itself, which installs
 * the chart tools (present: seconds) and then runs the steps concurrently.
 */
const SUITE: [string, string[]][] = [
  ["tsc", ["run", "typecheck"]],
  ["eslint + prettier", ["run", "lint"]],
  ["mocha (unit, 2 workers)", ["run", "test:unit"]],
  ["charts", ["run", "test:charts"]],
];
const SUITE_TARGET_S = 120;
const SDKS = [
  "@pulumi/pulumi",
  "@pulumi/aws",
  "@pulumi/awsx",
  "@pulumi/eks",
  "@pulumi/kubernetes",
  "@pulumi/random",
];
const TARGETS = { evaluation: 1.5, cliEvaluation: 2, criticalPath: 1.1, cost: 1.25 };
const CLI_LOADER = join(__dirname, "lib", "cli-loader.js");
/**
 * Stacks that buy resilience on purpose, so the cost target does not apply. uat rehearses prod's failure modes: two
 * on-demand nodes in different zones for Postgres failover, PDBs and node drains; one node would hide them.
 */
const COST_EXEMPT: Partial<Record<string, string>> = {
  uat: "two on-demand nodes to rehearse failover",
  prod: "a NAT per zone, three on-demand nodes",
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function floorMs(): number {
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, ["-e", `for (const m of ${JSON.stringify(SDKS)}) require(m)`]);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function evalMs(stack: string, register?: string): Promise<number> {
  const t = process.hrtime.bigint();
  const e = await evaluateStack(stack, { register });
  if (e.error) throw new Error(`${stack}: ${e.error}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function timeSuite(): boolean {
  const timed = (args: string[]) => {
    process.stderr.write(`bench: npm ${args.join(" ")} …\n`);
    const t = process.hrtime.bigint();
    execFileSync("npm", args, { stdio: ["ignore", "ignore", "inherit"] });
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  const rows = [["STEP (alone)", "SECONDS"], ...SUITE.map(([name, args]) => [name, timed(args).toFixed(1)])];
  const total = timed(["test"]);
  const met = total <= SUITE_TARGET_S;
  rows.push(["npm test", `${total.toFixed(1)} ${met ? "ok" : "MISSED"} (target ≤ ${SUITE_TARGET_S} s)`]);
  console.log(`\n${table(rows)}`);
  return met;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const swallowed = swallowedByNpm(["suite", "help"]);
  if (swallowed) {
    console.error(`${swallowed}\n${USAGE}`);
    return EXIT.usage;
  }
  const unknown = args.filter((a) => a !== "--suite");
  if (unknown.length > 0 || !(Number.isInteger(RUNS) && RUNS >= 3)) {
    console.error(
      `${unknown.length > 0 ? `unknown argument ${unknown.join(" ")}` : "BENCH_RUNS must be an integer ≥ 3"}\n${USAGE}`,
    );
    return EXIT.usage;
  }
  process.stderr.write("bench: a first evaluation, to warm the page cache …\n");
  await evaluateStack("alpha"); // every later run finds the SDKs' files in memory, as the floor's runs do
  const rows = [
    [
      "STACK",
      "EVAL (median ms)",
      "FLOOR (median ms)",
      "RATIO",
      "CLI EVAL (median ms)",
      "RATIO",
      "CRITICAL PATH",
      "FLOOR",
      "RATIO",
      "COST/MONTH",
      "FLOOR",
      "RATIO",
    ],
  ];
  let missed = false;
  for (const stack of ENVIRONMENTS) {
    const evals: number[] = [];
    const cliEvals: number[] = [];
    const floors: number[] = [];
    const ratios: number[] = [];
    const cliRatios: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      process.stderr.write(`bench: ${stack} run ${i + 1}/${RUNS}\r`);
      floors.push(floorMs());
      evals.push(await evalMs(stack));
      ratios.push(evals[i] / floors[i]);
      cliEvals.push(await evalMs(stack, CLI_LOADER));
      cliRatios.push(cliEvals[i] / floors[i]);
    }
    process.stderr.write("\n");
    const ratio = median(ratios);
    const cliRatio = median(cliRatios);
    const e = await evaluateStack(stack);
    const path = criticalPath(e.resources);
    const pathRatio = path.seconds / path.floorSeconds;
    const cost = estimateCost(e);
    const costRatio = cost.total / cost.floor;
    const exempt = COST_EXEMPT[stack];
    const costOk = exempt !== undefined || costRatio <= TARGETS.cost;
    // Written as "met", so a ratio that is not a number (a zero floor) counts as missed.
    missed ||= !(
      ratio <= TARGETS.evaluation &&
      cliRatio <= TARGETS.cliEvaluation &&
      pathRatio <= TARGETS.criticalPath &&
      costOk
    );
    rows.push([
      stack,
      median(evals).toFixed(0),
      median(floors).toFixed(0),
      `${ratio.toFixed(2)} ${ratio <= TARGETS.evaluation ? "ok" : "MISSED"}`,
      median(cliEvals).toFixed(0),
      `${cliRatio.toFixed(2)} ${cliRatio <= TARGETS.cliEvaluation ? "ok" : "MISSED"}`,
      `${(path.seconds / 60).toFixed(1)} min`,
      `${(path.floorSeconds / 60).toFixed(1)} min`,
      `${pathRatio.toFixed(2)} ${pathRatio <= TARGETS.criticalPath ? "ok" : "MISSED"}`,
      `$${cost.total.toFixed(0)}`,
      `$${cost.floor.toFixed(0)}`,
      `${costRatio.toFixed(2)} ${exempt ? `(no target: ${exempt})` : costOk ? "ok" : "MISSED"}`,
    ]);
  }
  console.log(
    `targets: evaluation ≤ ${TARGETS.evaluation}× floor, CLI-loader evaluation ≤ ${TARGETS.cliEvaluation}× floor (medians of paired ratios), critical path ≤ ${TARGETS.criticalPath}× floor, non-prod cost ≤ ${TARGETS.cost}× floor; ${RUNS} paired runs each (BENCH_RUNS)\n`,
  );
  console.log(table(rows));
  if (args.includes("--suite")) missed = !timeSuite() || missed;
  missed = !serviceBench() || missed;
  return missed ? EXIT.changes : EXIT.ok;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(EXIT.error);
  },
);
