/** Runs the real deployments program under mocks in a child process (evaluate.ts) and returns what it registered. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT } from "../config";

export const STACK = "cloud";
export const SLACK_URL = "https://hooks.slack.com/services/T0000/B0000/test-only";

export interface Resource {
  type: string;
  name: string;
  inputs: any;
  additionalSecretOutputs: string[];
  deleteBeforeReplace: boolean;
}
export interface Evaluation {
  resources: Resource[];
  outputs: Record<string, { value: unknown; secret: boolean }>;
  error?: string;
}

/** The real program and stack file, in a child process: Pulumi's mock runtime is process-global. */
export function evaluate(): Evaluation {
  const stdout = execFileSync(
    process.execPath,
    [
      "-r",
      "ts-node/register/transpile-only",
      path.join(__dirname, "evaluate.ts"),
      STACK,
      // The one value the stack file holds encrypted; an operator sets it with `pulumi config set --secret`.
      JSON.stringify({ [`${PROJECT}:notificationUrl`]: { value: SLACK_URL, secret: true } }),
    ],
    { cwd: path.resolve(__dirname, "..", ".."), encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Evaluation;
}
