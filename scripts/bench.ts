/**
 * `npm run bench`: speed and shape targets, measured (never asserted by timed tests).
 * - evaluation: wall time of one offline stack evaluation ≤ 1.5 × a bare Node process importing the same SDKs;
 * - critical path: estimated `pulumi up` duration ≤ 1.1 × (control plane + node group + slowest release).
 * Exits 1 when a target is missed.
 */
import { execFileSync } from "node:child_process";
import { ENVIRONMENTS } from "../config/schema";
import { criticalPath } from "./lib/critical-path";
import { evaluateStack } from "./lib/evaluate";
import { table } from "./lib/summary";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SDKS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/awsx", "@pulumi/eks", "@pulumi/kubernetes", "@pulumi/random"];
const TARGETS = { evaluation: 1.5, criticalPath: 1.1 };

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
  const rows = [["STACK", "EVAL (median ms)", "FLOOR (median ms)", "RATIO", "CRITICAL PATH", "FLOOR", "RATIO"]];
  let missed = false;
  for (const stack of ENVIRONMENTS) {
    const evals: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      floors.push(floorMs());
      evals.push(await evalMs(stack));
    }
    const ratio = median(evals) / median(floors);
    const path = criticalPath((await evaluateStack(stack)).resources);
    const pathRatio = path.seconds / path.floorSeconds;
    missed ||= ratio > TARGETS.evaluation || pathRatio > TARGETS.criticalPath;
    rows.push([
      stack,
      median(evals).toFixed(0),
      median(floors).toFixed(0),
      `${ratio.toFixed(2)} ${ratio <= TARGETS.evaluation ? "ok" : "MISSED"}`,
      `${(path.seconds / 60).toFixed(1)} min`,
      `${(path.floorSeconds / 60).toFixed(1)} min`,
      `${pathRatio.toFixed(2)} ${pathRatio <= TARGETS.criticalPath ? "ok" : "MISSED"}`,
    ]);
  }
  console.log(`targets: evaluation ≤ ${TARGETS.evaluation}× floor, critical path ≤ ${TARGETS.criticalPath}× floor; ${RUNS} runs each\n`);
  console.log(table(rows));
  process.exit(missed ? 1 : 0);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
