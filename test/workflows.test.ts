/**
 * GitHub Actions workflows: actionlint (pinned in scripts/chart-tools.versions) finds nothing, and every action is
 * pinned to a full commit SHA. actionlint comes from scripts/install-chart-tools.sh (`npm test` runs it first); run
 * alone on a fresh machine, this suite runs the script itself.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");

/** The pinned actionlint, installed by the chart tools' script unless its stamp says that version is there. */
function ensureActionlint(): string {
  const bin = path.join(ROOT, ".tools", "bin");
  const version = /^ACTIONLINT_VERSION=(\S+)$/m.exec(
    fs.readFileSync(path.join(ROOT, "scripts", "chart-tools.versions"), "utf8"),
  )?.[1];
  const stamp = path.join(bin, ".actionlint.version");
  if (!fs.existsSync(stamp) || !fs.readFileSync(stamp, "utf8").includes(`@${version}`)) {
    const r = spawnSync("bash", [path.join(ROOT, "scripts", "install-chart-tools.sh")], {
      stdio: ["ignore", process.stderr, process.stderr],
    });
    assert.equal(r.status, 0, "scripts/install-chart-tools.sh failed");
  }
  return path.join(bin, "actionlint");
}

const workflowFiles = () =>
  fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(WORKFLOWS, f));

describe("GitHub Actions workflows", () => {
  let actionlint: string;

  before(function () {
    this.timeout(20 * 60 * 1000); // a fresh machine builds every chart tool first
    actionlint = ensureActionlint();
  });

  it("has the PR, PR-comment and prod-deploy workflows", () => {
    const names = workflowFiles().map((f) => path.basename(f));
    for (const name of ["pr.yml", "pr-comment.yml", "deploy-prod.yml"]) assert.ok(names.includes(name), name);
  });

  it("passes actionlint without findings", () => {
    const result = spawnSync(actionlint, ["-no-color", ...workflowFiles()], { cwd: ROOT, encoding: "utf8" });
    assert.equal(result.status, 0, `actionlint:\n${result.stdout}${result.stderr}`);
    assert.equal(result.stdout.trim(), "");
  });

  it("pins every action to a full commit SHA, with its version in a comment", () => {
    for (const file of workflowFiles()) {
      const uses = [...fs.readFileSync(file, "utf8").matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)];
      for (const [, ref, rest] of uses) {
        if (ref.startsWith("./")) continue;
        assert.match(ref, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${path.basename(file)}: ${ref}`);
        assert.match(rest, /#\s*v\d+\.\d+\.\d+/, `${path.basename(file)}: ${ref} needs a "# vX.Y.Z" comment`);
      }
    }
  });

  it("grants no permissions at workflow level; jobs ask for what they need", () => {
    for (const file of workflowFiles()) {
      assert.match(fs.readFileSync(file, "utf8"), /^permissions: \{\}$/m, path.basename(file));
    }
  });
});

/** A workflow's steps by job, parsed. */
function stepsOf(file: string, job: string): Record<string, any>[] {
  const doc = parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
  return doc.jobs[job].steps;
}

describe("deploy-prod workflow: the job's result is prod's deployment, at the approved commit", () => {
  const steps = stepsOf("deploy-prod.yml", "deploy");
  const run = steps.find((s) => /pulumi deployment run/.test(s.run ?? ""));
  const command = (run?.run ?? "").split("\n").find((l: string) => /pulumi deployment run/.test(l)) ?? "";

  it("follows the deployment to its end (the CLI only queues it unless it streams the logs)", () => {
    assert.ok(run, "a step runs `pulumi deployment run`");
    // pulumi/pulumi pkg/cmd/pulumi/deployment/remote.go: the flag defaults to true for `deployment run`; a cobra
    // bool takes its value only as --flag=value.
    assert.match(command, /\s--suppress-stream-logs=false(\s|$)/);
    assert.doesNotMatch(command, /\|\||;\s*true|&\s*$/, "the command's exit status is the step's");
    assert.equal(
      run?.run.trim().split("\n").pop(),
      command,
      "the deployment is the step's last command, so its status is the step's",
    );
    assert.equal(run?.["continue-on-error"], undefined);
  });

  it("deploys exactly the approved commit: --git-commit from the dispatch input", () => {
    const flag = /\s--git-commit\s+"?\$(\w+)"?/.exec(command);
    assert.ok(flag, `--git-commit in: ${command}`);
    assert.equal(run?.env[flag[1]], "${{ inputs.commit }}");
  });

  it("fetches nothing with git once the checkout has dropped its credentials", () => {
    const checkout = steps.findIndex((s) => /^actions\/checkout@/.test(s.uses ?? ""));
    assert.equal(steps[checkout].with["persist-credentials"], false);
    for (const s of steps.slice(checkout + 1)) {
      assert.doesNotMatch(s.run ?? "", /\bgit\s+(fetch|pull|ls-remote|clone)\b/, "no git network access");
    }
  });
});
