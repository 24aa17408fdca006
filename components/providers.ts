import * as pulumi from "@pulumi/pulumi";

/**
 * Options for a remote component (awsx, eks) created inside one of ours. The SDK sends a remote component only the
 * providers in its own options, not its parent's, so without this its children would use the default AWS provider
 * and lose the default tags.
 */
export function remoteChildOptions(
  parent: pulumi.ComponentResource,
  opts: pulumi.ComponentResourceOptions = {},
): pulumi.ComponentResourceOptions {
  const aws = parent.getProvider("aws::");
  return { ...opts, parent, providers: aws ? { aws } : undefined };
}
