import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  evaluateStack,
  type Evaluation,
  type EvaluateOptions,
  type RecordedResource,
} from "../scripts/lib/evaluate";
import { ENVIRONMENTS } from "../config/schema";

export { ENVIRONMENTS };
export type { Evaluation, RecordedResource };

const cache = new Map<string, Promise<Evaluation>>();

/** The real program evaluated for `stack` with its real stack file; memoised across test files. */
export function evaluation(stack: string, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const key = JSON.stringify([stack, opts]);
  if (!cache.has(key)) cache.set(key, evaluateStack(stack, opts));
  return cache.get(key)!;
}

/** Evaluates a stack and fails the test if the program failed. */
export async function stackOf(stack: string): Promise<Evaluation> {
  const e = await evaluation(stack);
  if (e.error) throw new Error(`stack ${stack} failed to evaluate:\n${e.error}`);
  return e;
}

/** Resource types several suites look up. */
export const RELEASE = "kubernetes:helm.sh/v3:Release";
export const ROLE = "aws:iam/role:Role";
export const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

/** The stack's account (platform:accountId, which allowedAccountIds pins the caller to) and region. */
export const accountOf = (e: Evaluation) => String(effective(e).accountId);
export const regionOf = (e: Evaluation) => String(e.config["aws:region"]?.value ?? "us-east-1");

export const ofType = (e: Evaluation, type: string) => e.resources.filter((r) => r.type === type);

export function one(e: Evaluation, type: string, name?: string): RecordedResource {
  const found = ofType(e, type).filter((r) => name === undefined || r.name === name);
  if (found.length !== 1)
    throw new Error(
      `expected one ${type}${name ? ` named ${name}` : ""} in ${e.stack}, found ${found.length}`,
    );
  return found[0];
}

export const byUrn = (e: Evaluation, urn: string) => e.resources.find((r) => r.urn === urn);

/** Every resource `r` waits for, directly or through its dependencies. */
export function transitiveDeps(e: Evaluation, r: RecordedResource): Set<string> {
  const seen = new Set<string>();
  const visit = (urn: string) => {
    for (const d of byUrn(e, urn)?.dependsOn ?? []) {
      if (!seen.has(d)) {
        seen.add(d);
        visit(d);
      }
    }
  };
  visit(r.urn);
  return seen;
}

/** Settings the program ran with (Pulumi.yaml defaults merged with the stack file). */
export const effective = (e: Evaluation) => e.effective as Record<string, any>;

const ROOT = path.resolve(__dirname, "..");

/**
 * A throwaway copy of this working tree's project files (tracked and new, not ignored), sharing node_modules, for
 * tests that edit stack files. The caller removes it.
 */
export function copyProject(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}
