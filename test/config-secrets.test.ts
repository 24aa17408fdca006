import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { protectedImageTags } from "../config/promoted";
import { resolveSettings } from "../config";
import { readStackConfig } from "../config/files";
import { evaluateStack } from "../scripts/lib/evaluate";
import { mask } from "../scripts/lib/summary";
import { problems, raw } from "./config-raw";
import { copyProject, ENVIRONMENTS, evaluation, ofType } from "./harness";

const SECURE_TAG = "9c1e2d3";

describe("config: a secure value keeps its secret flag (issue 14.8)", () => {
  const secret = new Set(["platform:imageTag"]);

  it("carries which keys are secret through the config model", () => {
    const s = resolveSettings("beta", raw("beta", { "platform:imageTag": SECURE_TAG }), undefined, secret);
    assert.deepEqual(s.secretKeys, ["imageTag"]);
    assert.equal(s.imageTag, SECURE_TAG);
  });

  it("never prints an invalid secure value", () => {
    const ps = problems("beta", { "platform:imageTag": "hunter2-not-a-tag" }, "beta", secret);
    assert.equal(ps.length, 1, ps.join("\n"));
    assert.match(ps[0], /^Pulumi\.beta\.yaml: platform:imageTag: found a secret value; allowed: /);
    assert.ok(!ps[0].includes("hunter2"), ps[0]);
  });

  it("refuses a secure value for a key the program cannot keep secret", () => {
    const ps = problems("beta", {}, "beta", new Set(["platform:service"]));
    assert.deepEqual(ps.length, 1, ps.join("\n"));
    assert.match(
      ps[0],
      /^Pulumi\.beta\.yaml: platform:service: a secure value here would reach resources in plaintext/,
    );
  });

  it("a secure imageTag reaches the release and the outputs only as a secret, and the plan masks it", async function () {
    this.timeout(120000);
    const dir = copyProject("config-secret-");
    try {
      const file = path.join(dir, "Pulumi.beta.yaml");
      const text = fs
        .readFileSync(file, "utf8")
        .replace(/^config:\n/m, "config:\n  platform:imageTag:\n    secure: v1:c2VjcmV0\n");
      fs.writeFileSync(file, text);
      assert.equal(readStackConfig("beta", dir)["platform:imageTag"].secret, true);

      const e = await evaluateStack("beta", { dir, decrypted: { "platform:imageTag": SECURE_TAG } });
      assert.equal(e.error, undefined, e.error);
      // The lifecycle policy is plaintext: it keeps no placeholder, and the plan says the image is unprotected.
      assert.ok(!protectedImageTags(dir).includes("[secret]"), String(protectedImageTags(dir)));
      assert.ok(
        e.warnings?.some((w) => /^Pulumi\.beta\.yaml: platform:imageTag: secure: the ECR lifecycle/.test(w)),
        String(e.warnings),
      );
      // The registry owner builds that lifecycle policy: its plan warns too.
      const owner = await evaluateStack("alpha", { dir });
      assert.ok(
        owner.warnings?.some((w) =>
          /^Pulumi\.beta\.yaml: platform:imageTag: secure: the ECR lifecycle policy of the registry owner \(alpha\)/.test(
            w,
          ),
        ),
        String(owner.warnings),
      );
      const [release] = ofType(e, "kubernetes:helm.sh/v3:Release").filter((r) => r.name === "go-service");
      assert.ok(JSON.stringify(release.inputs).includes(SECURE_TAG), "the tag reaches the release");
      assert.ok(!JSON.stringify(mask(release.inputs)).includes(SECURE_TAG), "…only inside a secret");
      assert.equal(e.outputs.serviceImageTag?.secret, true, JSON.stringify(Object.keys(e.outputs)));
      assert.ok(
        !JSON.stringify(mask(e.effective)).includes(SECURE_TAG),
        "the plan's effective config masks it",
      );

      // A secure tag missing from ECR fails the preview without naming it.
      const missing = await evaluateStack("beta", {
        dir,
        images: [],
        decrypted: { "platform:imageTag": SECURE_TAG },
      });
      assert.match(missing.error ?? "", /image tag \(secret\) was not found in ECR repository/);
      assert.ok(!missing.error?.includes(SECURE_TAG), missing.error);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("config: each stack is pinned to its AWS account (issue 14.4)", () => {
  for (const stack of ENVIRONMENTS) {
    it(`${stack}: the AWS provider allows only the account its stack file names`, async function () {
      this.timeout(120000);
      const account = readStackConfig(stack)["platform:accountId"]?.value;
      assert.match(String(account), /^\d{12}$/, `Pulumi.${stack}.yaml sets platform:accountId`);
      const e = await evaluation(stack);
      assert.equal(e.error, undefined, e.error);
      const providers = ofType(e, "pulumi:providers:aws");
      assert.ok(providers.length > 0, "an explicit AWS provider");
      for (const p of providers) {
        const allowed = p.inputs.allowedAccountIds;
        assert.deepEqual(typeof allowed === "string" ? JSON.parse(allowed) : allowed, [account], p.urn);
      }
    });
  }
});
