import { spawnSync } from "node:child_process";

/** The message scripts/install-chart-tools.sh prints without Go, so every path to the tools fails the same way. */
export const GO_REQUIRED = "install-chart-tools: Go 1.26+ is required on PATH";

/** Runs `go <args>`, printing progress; without Go on PATH, fails with GO_REQUIRED instead of a spawn stack trace. */
export function goRun(args: string[], env: NodeJS.ProcessEnv = process.env): void {
  process.stderr.write(`install-chart-tools: go ${args.join(" ")} (a first build takes minutes)\n`);
  const started = Date.now();
  const r = spawnSync("go", args, { env, stdio: ["ignore", "inherit", "inherit"] });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") throw new Error(GO_REQUIRED);
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`go ${args.join(" ")} failed (exit ${r.status})`);
  process.stderr.write(`install-chart-tools: done in ${Math.round((Date.now() - started) / 1000)}s\n`);
}
