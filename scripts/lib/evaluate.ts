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
}

const WORKER = path.join(__dirname, "evaluate-worker.ts");
const REGISTER = path.join(__dirname, "register.js");

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
        opts.register ?? REGISTER,
        WORKER,
        dir,
        stack,
        resultFile,
        JSON.stringify({
          images: opts.images ?? "any",
          decrypted: opts.decrypted ?? {},
          policy: opts.policy === true,
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
