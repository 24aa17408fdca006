/**
 * The service's build-once workflow (.github/workflows/service.yml): what a release depends on. actionlint and SHA
 * pinning are checked for every workflow in workflows.test.ts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

const workflow = parse(
  fs.readFileSync(path.resolve(__dirname, "..", ".github", "workflows", "service.yml"), "utf8"),
) as Record<string, any>;
const runs = (job: string) =>
  (workflow.jobs[job].steps as any[])
    .map((s) => s.run)
    .filter(Boolean)
    .join("\n");

describe("service workflow (build once)", () => {
  it("runs on pushes to main that change the service", () => {
    assert.deepEqual(workflow.on.push.branches, ["main"]);
    assert.ok(workflow.on.push.paths.includes("service/**"));
    assert.deepEqual(workflow.permissions, {});
  });

  it("tests with the real suite and scans before building", () => {
    assert.match(runs("test"), /npm run test:service/);
    assert.match(runs("scan"), /govulncheck/);
    assert.match(runs("scan"), /gosec/);
    assert.ok(
      workflow.jobs.scan.steps.some((s: any) => String(s.uses).startsWith("trufflesecurity/trufflehog@")),
    );
    assert.deepEqual(workflow.jobs.build.needs, ["test", "scan"]);
  });

  it("pushes go-service:<sha> once, with OIDC and no static keys", () => {
    const build = workflow.jobs.build;
    assert.equal(build.permissions["id-token"], "write");
    const aws = build.steps.find((s: any) =>
      String(s.uses).startsWith("aws-actions/configure-aws-credentials@"),
    );
    assert.ok(aws.with["role-to-assume"]);
    assert.equal(JSON.stringify(workflow).match(/aws-access-key-id|aws-secret-access-key|AWS_SECRET/i), null);
    assert.match(runs("build"), /scripts\/service\/build-image\.sh .*go-service:\$GITHUB_SHA/);
  });

  it("opens the alpha promotion PR with npm run promote", () => {
    assert.equal(workflow.jobs.promote.needs, "build");
    assert.match(runs("promote"), /npm run promote -- --tag "\$GITHUB_SHA" alpha/);
    assert.match(runs("promote"), /gh pr create/);
  });
});
