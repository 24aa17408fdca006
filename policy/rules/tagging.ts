import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, keysOf, peek, providerInput, stackOfUrn, type Maybe } from "./common";

export const REQUIRED_TAGS = ["environment", "project", "managed-by"];
const AWS_PROVIDER = "pulumi:providers:aws";

/** Tag map as a plain record of known strings. */
function tagsOf(value: Maybe<any>): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === UNKNOWN) return out;
  for (const k of keysOf(value)) {
    const v = peek(value, k);
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

/** Which required tags a tag map lacks, or has with the wrong environment. */
function tagProblems(tags: Record<string, string>, stack: string | undefined): string[] {
  const problems = REQUIRED_TAGS.filter((k) => !tags[k]).map((k) => `no "${k}"`);
  if (tags.environment && stack && tags.environment !== stack) {
    problems.push(`environment "${tags.environment}" on stack "${stack}"`);
  }
  return problems;
}

/** Default providers are named `default` or `default_<version>` by the engine. */
const isDefaultProvider = (p: PolicyResource["provider"]) => !p || /^default(_|$)/.test(p.name);

/**
 * Every AWS resource says which environment it belongs to: it uses an explicit AWS provider whose defaultTags
 * carry the required tags, or carries them itself. The default provider is never acceptable: it has no default
 * tags and follows whatever region and credentials the shell has.
 */
export const awsEnvironmentTags: StackValidationPolicy = {
  name: "aws-environment-tags",
  description: `AWS resources use the explicit AWS provider and are tagged ${REQUIRED_TAGS.join(", ")}.`,
  severity: "medium",
  validateStack: (args, report) => {
    const awsResources = args.resources.filter((r) => r.type.startsWith("aws:"));
    if (awsResources.length === 0) args.notApplicable("no AWS resources");
    for (const r of awsResources) {
      const what = `${r.type} "${r.name}"`;
      if (isDefaultProvider(r.provider)) {
        report(
          `${what} uses the default AWS provider. Fix: pass the stack's explicit aws.Provider ` +
            `(opts.provider, or opts.providers on its component) so its region and default tags apply.`,
          r.urn,
        );
        continue;
      }
      const provider = r.provider!;
      const stack = stackOfUrn(r.urn);
      const own = { ...tagsOf(peek(r.props, "tagsAll")), ...tagsOf(peek(r.props, "tags")) };
      const inherited =
        provider.type === AWS_PROVIDER
          ? tagsOf(peek(providerInput(provider.props, "defaultTags"), "tags"))
          : {};
      const problems = tagProblems({ ...inherited, ...own }, stack);
      if (problems.length > 0) {
        report(
          `${what} is not tagged for its environment (${problems.join(", ")}). Fix: set ` +
            `defaultTags: { tags: { environment, project, "managed-by" } } on provider "${provider.name}".`,
          r.urn,
        );
      }
    }
  },
};

export const taggingPolicies = [awsEnvironmentTags];
