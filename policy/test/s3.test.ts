import * as assert from "node:assert/strict";
import {
  BLOCK_FLAGS,
  S3_ENCRYPTION,
  S3_PUBLIC_ACCESS_BLOCK,
  s3BucketEncryption,
  s3BucketPublicAccessBlock,
} from "../rules/s3";
import { UNKNOWN, runStackPolicy, type StackCase } from "./util";

const BUCKET = "aws:s3/bucket:Bucket";
const bucket: StackCase = { type: BUCKET, name: "backups", props: { bucket: "platform-backups" } };
const allFlags = Object.fromEntries(BLOCK_FLAGS.map((f) => [f, true]));
const sse = (over: Partial<StackCase> = {}): StackCase => ({
  type: S3_ENCRYPTION[0],
  name: "backups-sse",
  props: {
    bucket: "platform-backups",
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
  },
  ...over,
});
const pab = (over: Partial<StackCase> = {}): StackCase => ({
  type: S3_PUBLIC_ACCESS_BLOCK,
  name: "backups-pab",
  props: { bucket: "platform-backups", ...allFlags },
  ...over,
});

describe("policy: S3", () => {
  it("accepts a bucket with encryption and a full public access block, matched by name", async () => {
    assert.deepEqual(await runStackPolicy(s3BucketEncryption, [bucket, sse(), pab()]), []);
    assert.deepEqual(await runStackPolicy(s3BucketPublicAccessBlock, [bucket, sse(), pab()]), []);
  });

  it("matches by property dependency when the bucket name is unknown during preview", async () => {
    const unnamed = { ...bucket, props: { bucket: UNKNOWN } };
    const deps = { propertyDependencies: { bucket: ["backups"] } };
    const resources = [
      unnamed,
      sse({ ...deps, props: { ...sse().props, bucket: UNKNOWN } }),
      pab({ ...deps, props: { ...allFlags, bucket: UNKNOWN } }),
    ];
    assert.deepEqual(await runStackPolicy(s3BucketEncryption, resources), []);
    assert.deepEqual(await runStackPolicy(s3BucketPublicAccessBlock, resources), []);
  });

  it("falls back to plain dependencies (the mock harness merges property dependencies)", async () => {
    const resources = [
      bucket,
      sse({ dependsOn: ["backups"], props: { ...sse().props, bucket: "backups-id" } }),
    ];
    assert.deepEqual(await runStackPolicy(s3BucketEncryption, resources), []);
  });

  it("s3-bucket-encryption rejects a bucket without an encryption configuration", async () => {
    const other = sse({ props: { ...sse().props, bucket: "someone-else" } });
    assert.deepEqual(await runStackPolicy(s3BucketEncryption, [bucket, other]), [
      `${BUCKET} "backups" has no server-side encryption configuration. Fix: add an ` +
        `aws.s3.BucketServerSideEncryptionConfiguration for it (sseAlgorithm "aws:kms" with a KMS key).`,
    ]);
  });

  it("s3-bucket-public-access-block rejects a missing block and one with flags off", async () => {
    assert.deepEqual(await runStackPolicy(s3BucketPublicAccessBlock, [bucket, sse()]), [
      `${BUCKET} "backups" has no public access block. ` +
        `Fix: add an aws.s3.BucketPublicAccessBlock for it with ${BLOCK_FLAGS.join(", ")} all true.`,
    ]);
    const partial = pab({
      props: { bucket: "platform-backups", blockPublicAcls: true, ignorePublicAcls: true },
    });
    const [msg] = await runStackPolicy(s3BucketPublicAccessBlock, [bucket, partial]);
    assert.match(msg, /has a public access block with blockPublicPolicy, restrictPublicBuckets not true/);
  });
});
