/** `npm run plan` run as an operator runs it, in a throwaway git repository of this working tree. */
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { copyProject } from "./harness";

export const git = (dir: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd: dir,
    encoding: "utf8",
  });

/** A throwaway git repository holding this working tree's project files. */
export function scratchRepo(): string {
  const dir = copyProject("plan-test-");
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "base");
  return dir;
}

export function plan(dir: string, ...rest: (string | Record<string, string>)[]) {
  const env = rest.find((a) => typeof a === "object") as Record<string, string> | undefined;
  const args = rest.filter((a): a is string => typeof a === "string");
  return spawnSync(
    process.execPath,
    ["-r", path.join(dir, "scripts/lib/register.js"), path.join(dir, "scripts/plan.ts"), ...args],
    {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, ...env },
    },
  );
}
