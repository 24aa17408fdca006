import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_DIR } from "../../config/files";
import type { MockImages } from "./mocks";
import type { Evaluation } from "./types";

export type { Evaluation, RecordedResource, StackOutput } from "./types";

export interface EvaluateOptions {
  /** Project checkout to evaluate (default: this one). */
  dir?: string;
  /** Image tags present in the mock ECR (default "any": the plan assumes CI pushed the tag). */
  images?: MockImages;
  /** Plaintext for the stack's `secure:` keys, as the CLI would decrypt them (default: the "[secret]" placeholder). */
  decrypted?: Record<string, string>;
  /** Also run the CrossGuard pack of the checkout (policy/evaluate.ts) on the recorded resources. */
  policy?: boolean;
  /** Module that loads the TypeScript (`node -r`): the plan's cached transpiler unless given. */
  register?: string;
  /** URNs of the base a diff compares against: a resource renamed from one of them keeps its mock identity. */
  previous?: string[];
}

const WORKER = path.join(__dirname, "evaluate-worker.ts");
const REGISTER = path.join(__dirname, "register.js");
const RECORD_READS = path.join(__dirname, "record-reads.js");

/** Evaluates the real index.ts of `stack` under Pulumi's mocks, in a fresh Node process. */
export async function evaluateStack(stack: string, opts: EvaluateOptions = {}): Promise<Evaluation> {
  const dir = path.resolve(opts.dir ?? PROJECT_DIR);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
  const resultFile = path.join(tmp, "result.json");
  try {
    await promisify(execFile)(
      process.execPath,
      [
        "-r",
        RECORD_READS,
        "-r",
        opts.register ?? REGISTER,
        WORKER,
        dir,
        stack,
        resultFile,
        JSON.stringify({
          images: opts.images ?? "any",
          decrypted: opts.decrypted ?? {},
          policy: opts.policy === true,
          previous: opts.previous,
        }),
      ],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
    ).catch((e) => {
      // A failed program leaves registrations pending, and Pulumi's exit hook turns that into exit code 1 even
      // though the worker recorded the failure. Only a worker that wrote no result failed itself.
      if (!fs.existsSync(resultFile)) throw e;
    });
    return JSON.parse(fs.readFileSync(resultFile, "utf8")) as Evaluation;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A base checkout and the working tree, for a diff. A resource renamed through `aliases` keeps its ID and ARN in the
 * cloud; when there is one, the working tree is evaluated again knowing the base's URNs, so the mocks give it its old
 * identity and its dependents show no change the real update would not make.
 */
export async function evaluatePair(
  stack: string,
  baseDir: string,
  opts: Omit<EvaluateOptions, "previous"> = {},
): Promise<[Evaluation, Evaluation]> {
  const [before, after] = await Promise.all([
    evaluateStack(stack, { ...opts, dir: baseDir }),
    evaluateStack(stack, opts),
  ]);
  const urns = new Set(before.resources.map((r) => r.urn));
  const renamed = after.resources.some((r) => !urns.has(r.urn) && r.aliases?.some((a) => urns.has(a)));
  if (before.error || after.error || !renamed) return [before, after];
  return [before, await evaluateStack(stack, { ...opts, previous: [...urns] })];
}
