import * as assert from "node:assert/strict";
import { awsEnvironmentTags } from "../rules/tagging";
import { awsProvider, envTags, runStackPolicy, stackOutcome } from "./util";

const KEY = "aws:kms/key:Key";
const key = (over: Record<string, unknown> = {}) => ({
  type: KEY,
  name: "secrets",
  props: { enableKeyRotation: true },
  ...over,
});

describe("policy: tagging", () => {
  it("accepts AWS resources on an explicit provider with the environment's default tags", async () => {
    const provider = awsProvider(envTags("alpha"));
    assert.deepEqual(await runStackPolicy(awsEnvironmentTags, [key({ provider })]), []);
  });

  it("reads defaultTags whether JSON-encoded (engine) or as an object", async () => {
    const provider = { ...awsProvider({}), props: { defaultTags: { tags: envTags("alpha") } } };
    assert.deepEqual(await runStackPolicy(awsEnvironmentTags, [key({ provider })]), []);
  });

  it("rejects the default provider", async () => {
    const provider = { ...awsProvider({}), name: "default_7_48_0", props: {} };
    const expected =
      `${KEY} "secrets" uses the default AWS provider. Fix: pass the stack's explicit aws.Provider ` +
      `(opts.provider, or opts.providers on its component) so its region and default tags apply.`;
    assert.deepEqual(await runStackPolicy(awsEnvironmentTags, [key({ provider })]), [expected]);
    assert.deepEqual(await runStackPolicy(awsEnvironmentTags, [key()]), [expected]);
  });

  it("rejects missing tags and another environment's tags", async () => {
    const provider = awsProvider({ project: "platform", environment: "beta" });
    assert.deepEqual(await runStackPolicy(awsEnvironmentTags, [key({ provider })]), [
      `${KEY} "secrets" is not tagged for its environment (no "managed-by", environment "beta" on stack "alpha"). ` +
        `Fix: set defaultTags: { tags: { environment, project, "managed-by" } } on provider "aws".`,
    ]);
  });

  it("accepts tags set on the resource itself", async () => {
    const provider = awsProvider({});
    assert.deepEqual(
      await runStackPolicy(awsEnvironmentTags, [key({ provider, props: { tags: envTags("alpha") } })]),
      [],
    );
  });

  it("ignores non-AWS resources", () => {
    assert.equal(
      stackOutcome(awsEnvironmentTags, [{ type: "eks:index:Cluster", props: {} }]).kind,
      "not-applicable",
    );
  });
});
