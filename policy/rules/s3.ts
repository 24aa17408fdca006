import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, label, ofTypes, peek, peekPath } from "./common";

/** aws v7 `s3.Bucket`; v6's `s3.BucketV2` token is kept so a straggler is not silently skipped. */
export const S3_BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const S3_ENCRYPTION = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
export const S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const BLOCK_FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];

/**
 * Whether `config` (an S3 sub-resource) points at `bucket`. By the engine's property dependencies when it has them
 * (always, even when the name is unknown during preview), else by value (bucket name or id), else by dependency.
 */
export function refersTo(config: PolicyResource, bucket: PolicyResource): boolean {
  const viaProperty = config.propertyDependencies?.bucket;
  if (viaProperty && viaProperty.length > 0) return viaProperty.some((d) => d.urn === bucket.urn);
  const ref = peek(config.props, "bucket");
  if (typeof ref === "string") {
    const names = [peek(bucket.props, "bucket"), peek(bucket.props, "id")].filter(
      (v) => typeof v === "string",
    );
    if (names.includes(ref)) return true;
  }
  return (
    (ref === UNKNOWN || typeof ref === "string") && config.dependencies.some((d) => d.urn === bucket.urn)
  );
}

export const s3BucketEncryption: StackValidationPolicy = {
  name: "s3-bucket-encryption",
  description: "Every S3 bucket has a server-side encryption configuration.",
  severity: "high",
  validateStack: (args, report) => {
    const buckets = ofTypes(args.resources, S3_BUCKETS);
    if (buckets.length === 0) args.notApplicable("no S3 buckets");
    const configs = ofTypes(args.resources, S3_ENCRYPTION);
    for (const bucket of buckets) {
      const mine = configs.filter((c) => refersTo(c, bucket));
      const algorithm = mine
        .map((c) => peekPath(c.props, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm"))
        .find((a) => a === UNKNOWN || (typeof a === "string" && a !== ""));
      if (algorithm === undefined) {
        report(
          `${label(bucket.type, bucket.name)} has no server-side encryption configuration. Fix: add an ` +
            `aws.s3.BucketServerSideEncryptionConfiguration for it (sseAlgorithm "aws:kms" with a KMS key).`,
          bucket.urn,
        );
      }
    }
  },
};

export const s3BucketPublicAccessBlock: StackValidationPolicy = {
  name: "s3-bucket-public-access-block",
  description: "Every S3 bucket has a public access block with all four flags true.",
  severity: "critical",
  validateStack: (args, report) => {
    const buckets = ofTypes(args.resources, S3_BUCKETS);
    if (buckets.length === 0) args.notApplicable("no S3 buckets");
    const blocks = ofTypes(args.resources, [S3_PUBLIC_ACCESS_BLOCK]);
    for (const bucket of buckets) {
      const mine = blocks.filter((b) => refersTo(b, bucket));
      const complete = mine.some((b) => BLOCK_FLAGS.every((f) => [true, UNKNOWN].includes(peek(b.props, f))));
      if (complete) continue;
      const off = mine.length ? BLOCK_FLAGS.filter((f) => peek(mine[0].props, f) !== true) : [];
      report(
        `${label(bucket.type, bucket.name)} ` +
          (mine.length
            ? `has a public access block with ${off.join(", ")} not true. `
            : `has no public access block. `) +
          `Fix: add an aws.s3.BucketPublicAccessBlock for it with ${BLOCK_FLAGS.join(", ")} all true.`,
        bucket.urn,
      );
    }
  },
};

export const s3Policies = [s3BucketEncryption, s3BucketPublicAccessBlock];
