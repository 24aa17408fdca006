import * as assert from "node:assert/strict";
import { ECR_REPOSITORY, ecrImmutableTags, ecrKmsEncryption, ecrScanOnPush } from "../rules/ecr";
import { UNKNOWN, resourceOutcome, runResourcePolicy } from "./util";

const repo = (over: Record<string, unknown> = {}) => ({
  type: ECR_REPOSITORY,
  name: "registry",
  props: {
    name: "go-service",
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "KMS" }],
    ...over,
  },
});

describe("policy: ECR", () => {
  it("accepts an immutable, scanned, KMS-encrypted repository", async () => {
    for (const p of [ecrImmutableTags, ecrScanOnPush, ecrKmsEncryption]) {
      assert.deepEqual(await runResourcePolicy(p, repo()), [], p.name);
    }
  });

  it("ecr-immutable-tags rejects mutable and unset tag mutability", async () => {
    assert.deepEqual(await runResourcePolicy(ecrImmutableTags, repo({ imageTagMutability: "MUTABLE" })), [
      `${ECR_REPOSITORY} "registry" has imageTagMutability "MUTABLE". ` +
        `Fix: set imageTagMutability: "IMMUTABLE" so a pushed tag can never be overwritten.`,
    ]);
    const [unset] = await runResourcePolicy(ecrImmutableTags, repo({ imageTagMutability: undefined }));
    assert.match(unset, /imageTagMutability "MUTABLE"/);
  });

  it("ecr-scan-on-push rejects a repository without scan on push", async () => {
    assert.deepEqual(
      await runResourcePolicy(ecrScanOnPush, repo({ imageScanningConfiguration: { scanOnPush: false } })),
      [
        `${ECR_REPOSITORY} "registry" does not scan images on push. Fix: set imageScanningConfiguration: { scanOnPush: true }.`,
      ],
    );
    assert.equal(
      (await runResourcePolicy(ecrScanOnPush, repo({ imageScanningConfiguration: undefined }))).length,
      1,
    );
  });

  it("ecr-kms-encryption rejects AES256 and the default", async () => {
    const [aes] = await runResourcePolicy(
      ecrKmsEncryption,
      repo({ encryptionConfigurations: [{ encryptionType: "AES256" }] }),
    );
    assert.match(aes, /is not KMS-encrypted \(encryptionType "AES256"\)/);
    assert.equal(
      (await runResourcePolicy(ecrKmsEncryption, repo({ encryptionConfigurations: undefined }))).length,
      1,
    );
  });

  it("tolerates unknown values during preview", async () => {
    assert.deepEqual(await runResourcePolicy(ecrImmutableTags, repo({ imageTagMutability: UNKNOWN })), []);
  });

  it("does not apply to other types", () => {
    const o = resourceOutcome(ecrImmutableTags, { type: "aws:s3/bucket:Bucket", props: {} });
    assert.equal(o.kind, "not-applicable");
  });
});
