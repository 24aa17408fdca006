import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, resolveSettings } from "../config";
import { mergeLikeCli } from "../config/files";
import { diffEvaluations } from "../scripts/lib/diff";
import { evaluateStack } from "../scripts/lib/evaluate";
import { diffReleaseNote, planReleaseNote } from "../scripts/lib/release-note";
import { raw } from "./config-raw";
import { ENVIRONMENTS, copyProject, effective, one, stackOf, type Evaluation, RELEASE } from "./harness";

const serviceValues = (e: Evaluation) => one(e, RELEASE, "go-service").inputs.values as Record<string, any>;

function rolloutProblems(stack: string, rollout: Record<string, unknown>): string[] {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(mergeLikeCli(stack)))
    raw[k] = typeof v.value === "string" ? v.value : JSON.stringify(v.value);
  const service = JSON.parse(raw["platform:service"] ?? "{}");
  raw["platform:service"] = JSON.stringify({ ...service, rollout: { ...service.rollout, ...rollout } });
  try {
    resolveSettings(stack, raw, undefined, new Set());
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  return [];
}

describe("rollout: strategy per environment", () => {
  for (const stack of ENVIRONMENTS) {
    it(`${stack}: the stack's strategy and steps reach the chart, analysed, through Argo Rollouts`, async () => {
      const e = await stackOf(stack);
      const r = serviceValues(e).rollout;
      const configured = effective(e).service.rollout;
      assert.equal(r.strategy, configured.strategy);
      assert.deepEqual(r.steps, configured.steps);
      assert.match(r.prometheusUrl, /^http:\/\/kps-prometheus\.monitoring\.svc:9090/);
      const argo = one(e, RELEASE, "argo-rollouts");
      assert.ok(one(e, RELEASE, "go-service").dependsOn.includes(argo.urn), "Rollout kinds must exist first");
      assert.equal(e.outputs.serviceRolloutStrategy.value, configured.strategy);
      assert.match(planReleaseNote(e), new RegExp(`^## Release strategy\n\n${configured.strategy} `));
    });
  }

  it("prod's Argo Rollouts release is protected and kept on delete", async () => {
    const argo = one(await stackOf("prod"), RELEASE, "argo-rollouts");
    assert.ok(argo.protect && argo.retainOnDelete);
  });
});

describe("rollout: config", () => {
  it("rejects weights that shrink and an unknown strategy, naming the key", () => {
    const ps = rolloutProblems("uat", { strategy: "linear", steps: [30, 10] });
    assert.equal(ps.length, 2, ps.join("\n"));
    assert.match(
      ps[0],
      /^Pulumi\.(uat|yaml)\S*: platform:service\.rollout\.strategy: .*allowed: rolling \| canary \| blueGreen/,
    );
    assert.match(ps[1], /platform:service\.rollout\.steps: .*allowed: weights that only grow/);
  });

  it("refuses a prod release that nothing analyses (strategy rolling)", () => {
    assert.deepEqual(rolloutProblems("prod", { strategy: "rolling" }), [
      'Pulumi.prod.yaml: platform:service.rollout.strategy: found "rolling"; allowed in prod: canary | blueGreen (an analysed release)',
    ]);
    assert.deepEqual(rolloutProblems("uat", { strategy: "rolling" }), []);
  });

  it("refuses blueGreen without a preview host or an Ingress: an unreachable preview never passes its analysis", () => {
    assert.deepEqual(rolloutProblems("prod", { strategy: "blueGreen" }), [
      "Pulumi.prod.yaml: platform:service.rollout.previewHost: found nothing; allowed with strategy blueGreen: a DNS name (the preview gets traffic only through its own host; an unreachable preview never passes its analysis)",
    ]);
    const r = raw("prod", {
      "platform:service": {
        ingress: { enabled: false },
        rollout: { strategy: "blueGreen", previewHost: "preview.api.example.com" },
      },
    });
    assert.throws(
      () => resolveSettings("prod", r),
      (e: ConfigError) =>
        e.problems.includes(
          "Pulumi.prod.yaml: platform:service.ingress.enabled: found false; allowed with strategy blueGreen: true (the preview host is a rule of the service's Ingress)",
        ),
    );
    assert.deepEqual(
      rolloutProblems("prod", { strategy: "blueGreen", previewHost: "preview.api.example.com" }),
      [],
    );
  });

  it("counts a blue-green preview's analysis into the least timeout", () => {
    // 2m initial delay + 4 intervals of 1m + the 5m pause.
    assert.deepEqual(
      rolloutProblems("prod", { strategy: "blueGreen", previewHost: "p.example.com", timeoutMinutes: 11 }),
      [
        "Pulumi.prod.yaml: platform:service.rollout.timeoutMinutes: found 11; allowed: more than 11 (the pauses and the preview's analysis alone take that long)",
      ],
    );
  });

  it("rejects a timeout shorter than the canary's own pauses", () => {
    const ps = rolloutProblems("prod", { timeoutMinutes: 15 });
    assert.deepEqual(ps, [
      "Pulumi.prod.yaml: platform:service.rollout.timeoutMinutes: found 15; allowed: more than 15 (the pauses alone take that long)",
    ]);
  });
});

describe("rollout: a promotion's plan diff names the strategy", function () {
  this.timeout(120000);
  it("says the new image rolls out by canary with its steps", async () => {
    const dir = copyProject("rollout-test-");
    try {
      const file = path.join(dir, "Pulumi.uat.yaml");
      fs.writeFileSync(
        file,
        fs.readFileSync(file, "utf8").replace("config:\n", 'config:\n  platform:imageTag: "9b1e2d3"\n'),
      );
      const after = await evaluateStack("uat", { dir });
      assert.equal(after.error, undefined, after.error);
      const note = diffReleaseNote(after, diffEvaluations(await stackOf("uat"), after));
      assert.match(
        note ?? "",
        /^\*\*Release\*\*: the new image rolls out by canary 10 → 30 → 60 → 100 % with 5m pauses/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says nothing when the image does not change", async () => {
    const e = await stackOf("uat");
    assert.equal(diffReleaseNote(e, diffEvaluations(e, e)), undefined);
  });
});
