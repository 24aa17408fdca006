import * as fs from "node:fs";
import * as path from "node:path";

/** Thrown for a file that cannot be read or written; the message names the file. */
export class FileError extends Error {}

/** The text of a file with its byte-order mark and line ending, so an edit writes both back unchanged. */
export interface TextFile {
  lines: string[];
  bom: string;
  eol: "\n" | "\r\n";
}

export function readText(file: string): TextFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FileError(
      code === "ENOENT"
        ? `${path.basename(file)} not found in ${path.dirname(file)}`
        : `${path.basename(file)}: ${code}`,
    );
  }
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const body = text.slice(bom.length);
  return { lines: body.split(/\r?\n/), bom, eol: body.includes("\r\n") ? "\r\n" : "\n" };
}

export const textOf = (f: TextFile) => f.bom + f.lines.join(f.eol);

/** Where a file's next version is staged; deterministic so a failed run's leftover is found and replaced. */
export const stagingPath = (file: string) =>
  path.join(path.dirname(file), `.${path.basename(file)}.promote-tmp`);

/**
 * Writes every file or none: each new version goes to a temporary file beside it and is fsynced; only when all are
 * on disk do the renames (atomic on POSIX) replace the originals. A full disk or an unwritable path leaves every
 * original intact.
 */
export function writeAll(files: Map<string, string>): void {
  const staged: string[] = [];
  try {
    for (const [file, text] of files) {
      const tmp = stagingPath(file);
      fs.rmSync(tmp, { force: true });
      const fd = fs.openSync(tmp, "wx", fs.statSync(file).mode);
      staged.push(tmp);
      try {
        fs.writeFileSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  } catch (e) {
    for (const tmp of staged) fs.rmSync(tmp, { force: true });
    const file = [...files.keys()][staged.length - (staged.length === files.size ? 1 : 0)];
    throw new FileError(
      `${path.basename(file)}: could not write (${(e as NodeJS.ErrnoException).code ?? e}); no file was changed`,
    );
  }
  for (const file of files.keys()) fs.renameSync(stagingPath(file), file);
  for (const dir of new Set([...files.keys()].map((f) => path.dirname(f)))) {
    const fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd); // the renames themselves survive a crash
    fs.closeSync(fd);
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Runs `fn` holding an exclusive lock on `dir` (a lock file created with O_EXCL), so concurrent runs take turns
 * and each reads what the previous one wrote. A lock left by a process that no longer exists is taken over.
 */
export function withLock<T>(dir: string, fn: () => T, timeoutMs = 30000): T {
  const lock = path.join(dir, ".promote.lock");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST")
        throw new FileError(`${lock}: ${(e as Error).message}`);
      let holder: number;
      try {
        holder = Number(fs.readFileSync(lock, "utf8"));
      } catch {
        continue; // released in between
      }
      if (holder > 0 && !alive(holder)) fs.rmSync(lock, { force: true });
      else if (Date.now() > deadline)
        throw new FileError(
          `another promotion (pid ${holder || "unknown"}) holds ${lock}; try again when it ends`,
        );
      else sleep(20);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
