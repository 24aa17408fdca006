import * as fs from "node:fs";
import * as path from "node:path";
import { IMAGE_TAG_RULE, isImageTag } from "./image-tag";
import { ENVIRONMENTS } from "./schema";
import { PROJECT, PROJECT_DIR, readProjectConfig, readStackConfig, stackFileName } from "./files";

/** Every tag ever promoted to prod, one per line (`npm run promote` appends to it); `#` starts a comment. */
export const PROMOTED_TAGS_FILE = "promoted-images.txt";

/** The ledger's tags, in file order. A line that is not an image tag is an error naming the file and line. */
export function readPromotedTags(dir = PROJECT_DIR): string[] {
  const file = path.join(dir, PROMOTED_TAGS_FILE);
  if (!fs.existsSync(file)) return [];
  const tags: string[] = [];
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const tag = line.replace(/#.*/, "").trim();
      if (!tag) return;
      if (!isImageTag(tag))
        throw new Error(
          `${PROMOTED_TAGS_FILE}:${i + 1}: "${tag}" is not an image tag; allowed: ${IMAGE_TAG_RULE}`,
        );
      tags.push(tag);
    });
  return tags;
}

/** Appends `tag` to the ledger unless it is there already; true when the file changed. */
export function recordPromotedTag(tag: string, dir = PROJECT_DIR): boolean {
  if (readPromotedTags(dir).includes(tag)) return false;
  const file = path.join(dir, PROMOTED_TAGS_FILE);
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  fs.writeFileSync(file, `${text}${text && !text.endsWith("\n") ? "\n" : ""}${tag}\n`);
  return true;
}

/**
 * Tags the registry must never expire: every tag a stack file or the shared default deploys now (a promotion in
 * flight), and every tag prod ever ran (the ledger), so a revert or a new node can always pull it.
 */
export function protectedImageTags(dir = PROJECT_DIR): string[] {
  const key = `${PROJECT}:imageTag`;
  // A secure tag reads as a placeholder; the plan warns that the lifecycle cannot keep it (config/warnings.ts).
  const deployed = [readProjectConfig(dir)[key], ...ENVIRONMENTS.map((s) => readStackConfig(s, dir)[key])]
    .filter((e) => e !== undefined && !e.secret)
    .map((e) => e!.value)
    // YAML reads an all-digit SHA as a number.
    .map(String);
  return [...new Set([...readPromotedTags(dir), ...deployed])];
}

/** Stack files whose imageTag is `secure:`: the registry owner's lifecycle cannot keep those images (config/index.ts). */
export function secureImageTagFiles(dir = PROJECT_DIR): string[] {
  return ENVIRONMENTS.filter((s) => readStackConfig(s, dir)[`${PROJECT}:imageTag`]?.secret).map(
    stackFileName,
  );
}
