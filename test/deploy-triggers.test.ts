/**
 * A change to any file `pulumi up` runs must start a deploy and a PR plan. The evaluation records every project file
 * the program loads (entry.js and its require graph); each must match every stack's Deployments path filters, as the
 * deployments program registers them, and the PR workflow's shared paths.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluate } from "../deployments/test/program";
import { ENVIRONMENTS, stackOf } from "./harness";

const ROOT = path.resolve(__dirname, "..");

describe("what a deploy runs starts one", () => {
  let sources: string[];

  before(async function () {
    this.timeout(120000);
    const all = await Promise.all(ENVIRONMENTS.map(async (e) => (await stackOf(e)).sources ?? []));
    sources = [...new Set(all.flat())].sort();
    for (const f of ["entry.js", "index.ts", "scripts/lib/register.js", "config/index.ts"])
      assert.ok(sources.includes(f), f);
  });

  it("every file the program loads is in each stack's Deployments path filters", function () {
    this.timeout(60000);
    const deployments = evaluate();
    assert.equal(deployments.error, undefined, deployments.error);
    for (const env of ENVIRONMENTS) {
      const settings = deployments.resources.find(
        (r) => r.type === "pulumiservice:index:DeploymentSettings" && r.inputs.stack === env,
      );
      const paths: string[] = settings?.inputs.vcs.paths ?? [];
      const matches = (f: string, sign: boolean) =>
        paths.some((p) => p.startsWith("!") !== sign && path.matchesGlob(f, p.replace(/^!/, "")));
      const missed = sources.filter((f) => !matches(f, true) || matches(f, false));
      assert.deepEqual(
        missed,
        [],
        `${env}: a change to these would not deploy (filters: ${paths.join(" ")})`,
      );
    }
  });

  it("every file the program loads puts every stack in the PR workflow's plans", () => {
    const workflow = fs.readFileSync(path.join(ROOT, ".github/workflows/pr.yml"), "utf8");
    const shared = new RegExp(/shared='([^']+)'/.exec(workflow)?.[1] ?? "^$");
    assert.deepEqual(
      sources.filter((f) => !shared.test(f)),
      [],
    );
  });
});
