/**
 * `npm run bench`: speed and shape targets, measured (never asserted by timed tests).
 * - evaluation: wall time of one offline stack evaluation ≤ 1.5 × a bare Node process importing the same SDKs;
 * - critical path: estimated `pulumi up` duration ≤ 1.1 × (control plane + node group + slowest release);
 * - cost (non-prod): estimated monthly cost ≤ 1.25 × (control plane + one NAT + the fewest nodes that fit requests).
 * Exits 1 when a target is missed.
 */
import { execFileSync } from "node:child_process";
import { ENVIRONMENTS } from "../config/schema";
import { estimateCost } from "./lib/cost";
import { criticalPath } from "./lib/critical-path";
import { evaluateStack } from "./lib/evaluate";
import { table } from "./lib/summary";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SDKS = [
  "@pulumi/pulumi",
  "@pulumi/aws",
  "@pulumi/awsx",
  "@pulumi/eks",
  "@pulumi/kubernetes",
  "@pulumi/random",
];
const TARGETS = { evaluation: 1.5, criticalPath: 1.1, cost: 1.25 };
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

async function evalMs(stack: string): Promise<number> {
  const t = process.hrtime.bigint();
  const e = await evaluateStack(stack);
  if (e.error) throw new Error(`${stack}: ${e.error}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main(): Promise<void> {
  await evaluateStack("alpha"); // warm the transpile cache, as every later run finds it
  const rows = [
    [
      "STACK",
      "EVAL (median ms)",
      "FLOOR (median ms)",
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
    const floors: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      floors.push(floorMs());
      evals.push(await evalMs(stack));
    }
    const ratio = median(evals) / median(floors);
    const e = await evaluateStack(stack);
    const path = criticalPath(e.resources);
    const pathRatio = path.seconds / path.floorSeconds;
    const cost = estimateCost(e);
    const costRatio = cost.total / cost.floor;
    const exempt = COST_EXEMPT[stack];
    const costOk = exempt !== undefined || costRatio <= TARGETS.cost;
    missed ||= ratio > TARGETS.evaluation || pathRatio > TARGETS.criticalPath || !costOk;
    rows.push([
      stack,
      median(evals).toFixed(0),
      median(floors).toFixed(0),
      `${ratio.toFixed(2)} ${ratio <= TARGETS.evaluation ? "ok" : "MISSED"}`,
      `${(path.seconds / 60).toFixed(1)} min`,
      `${(path.floorSeconds / 60).toFixed(1)} min`,
      `${pathRatio.toFixed(2)} ${pathRatio <= TARGETS.criticalPath ? "ok" : "MISSED"}`,
      `$${cost.total.toFixed(0)}`,
      `$${cost.floor.toFixed(0)}`,
      `${costRatio.toFixed(2)} ${exempt ? `(no target: ${exempt})` : costOk ? "ok" : "MISSED"}`,
    ]);
  }
  console.log(
    `targets: evaluation ≤ ${TARGETS.evaluation}× floor, critical path ≤ ${TARGETS.criticalPath}× floor, non-prod cost ≤ ${TARGETS.cost}× floor; ${RUNS} runs each\n`,
  );
  console.log(table(rows));
  process.exit(missed ? 1 : 0);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
