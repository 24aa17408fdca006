import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumiservice from "@pulumi/pulumiservice";
import { ENVIRONMENTS, type DeploymentsSettings } from "./config";

/** The CrossGuard pack's directory: resolved from this program's location, not the working directory. */
export const POLICY_DIR = path.resolve(__dirname, "..", "policy");

/** The name the pack declares (`new PolicyPack("platform", …)` in policy/index.ts, and policy/PulumiPolicy.yaml). */
export const POLICY_PACK_NAME = "platform";

/** policy/package.json's version, read on every run: bumping it publishes a new (immutable) pack version. */
export function policyPackVersion(dir = POLICY_DIR): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * Publishes policy/ to Pulumi Cloud and requires it on the four platform stacks, so every preview and update is
 * checked whoever runs it (push-to-deploy, Deployments' PR previews, deploy-prod.yml, a laptop) without
 * `--policy-pack`. The CLI downloads a required pack and starts it with the same stack as a local one, so
 * pulumi.getStack() in the pack is the stack being updated: policy/enforcement.ts keeps the pack mandatory in prod
 * and advisory elsewhere. The group therefore sets no `config`: its `all` key would override that per-stack level.
 */
export function platformPolicy(s: DeploymentsSettings): {
  pack: pulumiservice.PolicyPack;
  group: pulumiservice.PolicyGroup;
} {
  // Versions are immutable: any change under policy/ replaces the pack, which needs a new version tag. The old
  // version is deleted after the group has moved to the new one. sourcePath differs per checkout; the provider
  // diffs the directory's content, not the path.
  const pack = new pulumiservice.PolicyPack(`${s.project}-policy-pack`, {
    organization: s.organization,
    name: POLICY_PACK_NAME,
    versionTag: policyPackVersion(),
    sourcePath: POLICY_DIR,
  });
  const group = new pulumiservice.PolicyGroup(`${s.project}-policy`, {
    organizationName: s.organization,
    name: `${s.project}-policy`,
    entityType: "stacks",
    // Mandatory violations block the operation (audit would only report them).
    mode: "preventative",
    stacks: ENVIRONMENTS.map((env) => ({ name: env, routingProject: s.project })),
    policyPacks: [{ name: pack.name, versionTag: pack.versionTag }],
  });
  return { pack, group };
}
