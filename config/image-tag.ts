/**
 * An image tag the service's CI can produce: a git SHA (7–40 lowercase hex) or a semver release,
 * optionally prefixed with "v". Docker tags cannot carry semver build metadata ("+…").
 * Shared by the config model, the promotion script and the chart's values.schema.json, so all accept exactly the
 * same tags.
 */
export const IMAGE_TAG_PATTERN =
  /^(?=.{1,128}$)(?:[0-9a-f]{7,40}|v?(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?)$/;

export const IMAGE_TAG_RULE =
  "a git SHA of 7–40 lowercase hex characters, or a semver release such as 1.4.2 or v1.4.2-rc.1";

/** "A tag MUST be at most 128 characters" (OCI distribution spec, pulling manifests: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`). */
export const IMAGE_TAG_MAX_LENGTH = 128;

export function isImageTag(tag: string): boolean {
  return tag.length <= IMAGE_TAG_MAX_LENGTH && IMAGE_TAG_PATTERN.test(tag);
}
