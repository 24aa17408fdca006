/**
 * The Go service's load test (scripts/service/bench.sh): the service and PostgreSQL on loopback at a fixed rate,
 * beside a net/http hello floor. Its output goes straight to the terminal; true when its targets are met.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

export function serviceBench(): boolean {
  process.stderr.write("bench: the Go service at a fixed rate (scripts/service/bench.sh) …\n");
  const script = path.join(__dirname, "..", "service", "bench.sh");
  return spawnSync("bash", [script], { stdio: "inherit" }).status === 0;
}
