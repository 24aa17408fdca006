/**
 * A change to any file `pulumi up` depends on must start a deploy and a PR plan. The evaluation records every project
 * file the program requires (from entry.js) or reads; each must match its stack's Deployments path filters, as the
 * deployments program registers them (globs over the whole path, `dir/**` being every file below dir, dotfiles too:
 * pulumi.com/docs/deployments/concepts/settings/path-filtering), and the PR workflow's shared paths.
 * One exception, by design: the registry owner reads the other environments' stack files, only to keep every tag they
 * deploy in its ECR lifecycle (config/promoted.ts). A promotion deploys its own environment alone, and a tag reaches
 * a later environment only after the owner was promoted to it and deployed with it kept (`promote` refuses to skip an
 * environment unless forced).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { minimatch } from "minimatch";
import { evaluate } from "../deployments/test/program";
import { ENVIRONMENTS, effective, stackOf } from "./harness";

const ROOT = path.resolve(__dirname, "..");

describe("what a deploy runs starts one", () => {
  const sources: Record<string, string[]> = {};
  let owner: string;

  before(async function () {
    this.timeout(120000);
    for (const e of ENVIRONMENTS) sources[e] = (await stackOf(e)).sources ?? [];
    owner = effective(await stackOf("alpha")).registry.ownerStack;
    for (const f of ["entry.js", "scripts/lib/register.js", "config/index.ts", "Pulumi.yaml"])
      assert.ok(sources.prod.includes(f), f);
    assert.ok(sources[owner].includes("promoted-images.txt"), "the owner reads the ledger");
  });

  it("every file the program requires or reads is in its stack's Deployments path filters", function () {
    this.timeout(60000);
    const deployments = evaluate();
    assert.equal(deployments.error, undefined, deployments.error);
    for (const env of ENVIRONMENTS) {
      const settings = deployments.resources.find(
        (r) => r.type === "pulumiservice:index:DeploymentSettings" && r.inputs.stack === env,
      );
      const paths: string[] = settings?.inputs.vcs.paths ?? [];
      const matches = (f: string, sign: boolean) =>
        paths.some((p) => p.startsWith("!") !== sign && minimatch(f, p.replace(/^!/, ""), { dot: true }));
      const others = new Set(ENVIRONMENTS.filter((o) => o !== env).map((o) => `Pulumi.${o}.yaml`));
      const excepted = (f: string) => env === owner && others.has(f);
      const missed = sources[env].filter((f) => !excepted(f) && (!matches(f, true) || matches(f, false)));
      assert.deepEqual(
        missed,
        [],
        `${env}: a change to these would not deploy (filters: ${paths.join(" ")})`,
      );
      // And no file that only other stacks read deploys this one (a prod promotion deploys no beta or uat). Its own
      // stack file is its config, which the CLI reads for it.
      const own = new Set([...sources[env], `Pulumi.${env}.yaml`]);
      const foreign = new Set(
        Object.values(sources)
          .flat()
          .filter((f) => !own.has(f)),
      );
      assert.deepEqual(
        [...foreign].filter((f) => matches(f, true) && !matches(f, false)),
        [],
        `${env}: deployed by files it never reads`,
      );
    }
  });

  it("every file the program requires or reads puts every stack in the PR workflow's plans", () => {
    const workflow = fs.readFileSync(path.join(ROOT, ".github/workflows/pr.yml"), "utf8");
    const shared = new RegExp(/shared='([^']+)'/.exec(workflow)?.[1] ?? "^$");
    // A stack file plans its own stack (the workflow's second test), for the reason above.
    const stackFiles = new Set(ENVIRONMENTS.map((e) => `Pulumi.${e}.yaml`));
    const all = [...new Set(Object.values(sources).flat())];
    assert.deepEqual(
      all.filter((f) => !shared.test(f) && !stackFiles.has(f)),
      [],
    );
    assert.match(workflow, /grep -Fxq "Pulumi\.\$\{env\}\.yaml"/);
  });
});
