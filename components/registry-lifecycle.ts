import type { RegistrySettings } from "../config";

/** ECR's quota "Lifecycle policy length" (characters; not adjustable). */
export const MAX_LIFECYCLE_POLICY_CHARS = 30720;

/**
 * The repository's lifecycle policy. Per AWS's lifecycle policy reference (docs.aws.amazon.com/AmazonECR/latest/
 * userguide/LifecyclePolicies.html, "How lifecycle policies work"): rules run from the lowest rulePriority up, and an
 * image that matches the tag requirements of a rule can never be expired by a rule of lower priority. So each
 * protected tag gets its own rule ahead of the count rule: it selects exactly that image (tags are immutable, so
 * one image per tag) and never expires it (one image is never more than one). A tagPatternList with several
 * patterns selects only images carrying all of them, hence one rule per tag.
 */
export function lifecyclePolicy(
  settings: Pick<RegistrySettings, "untaggedExpiryDays" | "keepReleaseImages">,
  protectedTags: string[],
): string {
  const keep = [...protectedTags].sort().map((tag, i) => ({
    rulePriority: 2 + i,
    description: `Keep ${tag}: deployed or promoted to prod`,
    selection: {
      tagStatus: "tagged",
      tagPatternList: [tag],
      countType: "imageCountMoreThan",
      countNumber: 1,
    },
    action: { type: "expire" },
  }));
  const policy = JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${settings.untaggedExpiryDays} days`,
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: settings.untaggedExpiryDays,
        },
        action: { type: "expire" },
      },
      ...keep,
      {
        rulePriority: 2 + keep.length,
        description: `Keep the last ${settings.keepReleaseImages} other tagged images`,
        selection: {
          tagStatus: "tagged",
          tagPatternList: ["*"],
          countType: "imageCountMoreThan",
          countNumber: settings.keepReleaseImages,
        },
        action: { type: "expire" },
      },
    ],
  });
  if (policy.length > MAX_LIFECYCLE_POLICY_CHARS)
    throw new Error(
      `the ECR lifecycle policy would be ${policy.length} characters, over ECR's ${MAX_LIFECYCLE_POLICY_CHARS}: ` +
        `${protectedTags.length} protected tags; drop tags prod can no longer return to from promoted-images.txt`,
    );
  return policy;
}
