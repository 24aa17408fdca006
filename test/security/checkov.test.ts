import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ENVIRONMENTS, one, stackOf } from "../harness";
import { ROOT, render } from "../charts/tools";

const CHECKOV = path.join(ROOT, ".tools", "checkov", "bin", "checkov");
const EXCEPTIONS_FILE = path.join(ROOT, "security", "checkov-exceptions.yaml");

interface Failure {
  check_id: string;
  check_name: string;
  resource: string;
}

/** Check ID → why it does not apply to this chart; every entry must have a reason. */
function exceptions(): Record<string, string> {
  const file = parse(fs.readFileSync(EXCEPTIONS_FILE, "utf8")) as { exceptions: Record<string, string> };
  return file.exceptions;
}

/** Checkov's Kubernetes checks over a rendered manifest; the failed checks. */
function checkov(manifest: string, label: string): Failure[] {
  if (!fs.existsSync(CHECKOV))
    throw new Error(`checkov not found at ${CHECKOV}: run scripts/install-checkov.sh`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `checkov-${label}-`));
  try {
    const file = path.join(dir, "manifest.yaml");
    fs.writeFileSync(file, manifest);
    const result = spawnSync(
      CHECKOV,
      ["--file", file, "--framework", "kubernetes", "--output", "json", "--quiet", "--skip-download"],
      { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, BC_SKIP_MAPPING: "TRUE" } },
    );
    // Exit 1 means failed checks; anything else non-zero is Checkov itself failing.
    if (result.status !== 0 && result.status !== 1)
      throw new Error(`checkov failed for ${label} (exit ${result.status}):\n${result.stderr}`);
    const reports = [].concat(JSON.parse(result.stdout)) as any[];
    assert.ok(
      reports.some((r) => r.check_type === "kubernetes" && r.summary.passed > 0),
      `checkov checked nothing for ${label}:\n${result.stdout.slice(0, 2000)}`,
    );
    return reports.flatMap((r) => r.results?.failed_checks ?? []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Checkov's Kubernetes checks on charts/go-service rendered with each stack's effective values: every failure is
 * either fixed or listed, with its reason, in security/checkov-exceptions.yaml. A listed exception that no stack
 * triggers any more is stale and fails too.
 */
describe("Checkov on charts/go-service per environment", function () {
  const seen = new Set<string>();
  for (const stack of ENVIRONMENTS) {
    it(stack, async () => {
      const e = await stackOf(stack);
      const values = (one(e, "kubernetes:helm.sh/v3:Release", "go-service").inputs as any).values;
      const failures = checkov(render(values, stack).manifest, stack);
      const allowed = exceptions();
      // An exception names a check for every object ("CKV_K8S_11") or for one object ("CKV_K8S_38 Job/<name>").
      const unexplained = failures.filter((f) => {
        const [kind, , ...name] = f.resource.split(".");
        const keys = [f.check_id, `${f.check_id} ${kind}/${name.join(".")}`];
        keys.forEach((k) => seen.add(k));
        return !keys.some((k) => k in allowed);
      });
      assert.deepEqual(
        unexplained.map((f) => `${f.check_id} ${f.check_name} (${f.resource})`),
        [],
        `fix these or explain them in ${path.relative(ROOT, EXCEPTIONS_FILE)}`,
      );
    });
  }

  it("lists only exceptions that some stack triggers, each with a reason", () => {
    for (const [id, reason] of Object.entries(exceptions())) {
      assert.ok(typeof reason === "string" && reason.trim().length > 20, `${id}: give the reason`);
      assert.ok(seen.has(id), `${id} no longer fails in any stack: remove it from the exceptions`);
    }
  });
});
