import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../../config/files";

/** The project as it was at `ref`, in a temporary directory sharing this checkout's node_modules. */
export function checkoutRef(ref: string, repoDir = PROJECT_DIR): { dir: string; cleanup: () => void } {
  try {
    execFileSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
      cwd: repoDir,
      stdio: "pipe",
    });
  } catch {
    throw new Error(`unknown git ref "${ref}"`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-ref-"));
  const archive = execFileSync("git", ["archive", "--format=tar", ref], {
    cwd: repoDir,
    maxBuffer: 512 * 1024 * 1024,
  });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  fs.symlinkSync(path.join(repoDir, "node_modules"), path.join(dir, "node_modules"), "dir");
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
