import type * as aws from "@pulumi/aws";

const CREDENTIALS =
  "credentials come from the environment (Deployments assumes the stack's role through OIDC; locally, your shell), never from a stack file";
const NOT_READ = "not read: the program's own AWS provider takes only region from stack config";

/**
 * Every argument of the AWS provider (`ProviderArgs`, @pulumi/aws 7.48.0 provider.d.ts), each with the decision whether
 * a stack file may set it as `aws:<name>`. Typed against ProviderArgs, so an argument the provider adds or drops fails
 * the type check until it is decided here. The program builds its provider explicitly (index.ts), and explicit
 * providers do not read `aws:` stack config; so only region, which the program passes on, is allowed.
 */
const AWS_PROVIDER_KEYS: Record<keyof aws.ProviderArgs, true | string> = {
  region: true,
  allowedAccountIds: "set platform:accountId; the program pins its provider to that account",
  forbiddenAccountIds: "set platform:accountId; the program pins its provider to that account",
  accessKey: CREDENTIALS,
  secretKey: CREDENTIALS,
  token: CREDENTIALS,
  profile: `${CREDENTIALS}; a profile exists only on one machine and breaks Pulumi Deployments`,
  sharedConfigFiles: CREDENTIALS,
  sharedCredentialsFiles: CREDENTIALS,
  assumeRoles: CREDENTIALS,
  assumeRoleWithWebIdentity: CREDENTIALS,
  defaultTags: "the program sets its default tags itself (components/tags.ts)",
  ignoreTags: NOT_READ,
  customCaBundle: NOT_READ,
  endpoints: NOT_READ,
  httpProxy: NOT_READ,
  httpsProxy: NOT_READ,
  noProxy: NOT_READ,
  insecure: NOT_READ,
  maxRetries: NOT_READ,
  retryMode: NOT_READ,
  skipCredentialsValidation: NOT_READ,
  skipMetadataApiCheck: NOT_READ,
  skipRegionValidation: NOT_READ,
  skipRequestingAccountId: NOT_READ,
  stsRegion: NOT_READ,
  tagPolicyCompliance: NOT_READ,
  tokenBucketRateLimiterCapacity: NOT_READ,
  useDualstackEndpoint: NOT_READ,
  useFipsEndpoint: NOT_READ,
  userAgents: NOT_READ,
  ec2MetadataServiceEndpoint: NOT_READ,
  ec2MetadataServiceEndpointMode: NOT_READ,
  s3UsEast1RegionalEndpoint: NOT_READ,
  s3UsePathStyle: NOT_READ,
};

/**
 * The engine's own `pulumi:` keys a stack may set: disable-default-providers (pulumi/pulumi#8829), tags (stack tags)
 * and autonaming (https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming-configuration).
 */
const PULUMI_KEYS = ["pulumi:disable-default-providers", "pulumi:tags", "pulumi:autonaming"];

/** The problem with an `aws:` or `pulumi:` key, or undefined when a stack may set it. */
export function providerKeyProblem(key: string): string | undefined {
  if (key.startsWith("aws:")) {
    const name = key.slice("aws:".length);
    const decision = Object.hasOwn(AWS_PROVIDER_KEYS, name)
      ? AWS_PROVIDER_KEYS[name as keyof aws.ProviderArgs]
      : undefined;
    if (decision === true) return undefined;
    if (decision) return `not allowed in a stack file: ${decision}`;
    return "unknown AWS provider setting (not in ProviderArgs of @pulumi/aws); allowed: aws:region";
  }
  if (key.startsWith("pulumi:") && !PULUMI_KEYS.includes(key))
    return `unknown Pulumi setting; allowed: ${PULUMI_KEYS.join(", ")}`;
  return undefined;
}
