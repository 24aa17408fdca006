import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { IMAGE_TAG_RULE, isImageTag } from "../../config/image-tag";
import { ENVIRONMENTS } from "../../config/schema";
import { PROMOTED_TAGS_FILE, recordPromotedTag } from "../../config/promoted";

export const USAGE = `usage: npm run promote -- <from> <to>          copy <from>'s effective image tag into Pulumi.<to>.yaml
       npm run promote -- --tag <tag> alpha    start a release: pin alpha to a tag CI pushed
       npm run promote -- --settle             once every stack runs the same tag, make it the Pulumi.yaml default
options: --force  allow skipping an environment (alpha → prod) or pinning a tag past alpha, with a warning
exit codes: 0 changed, 1 nothing to change, 2 refused`;

export const CHANGED = 0;
export const UNCHANGED = 1;
export const REFUSED = 2;

export interface PromoteResult {
  code: number;
  messages: string[];
}

const KEY = "platform:imageTag";
const LINE = /^(\s*)((?:platform:)?imageTag):(\s*)("[^"]*"|'[^']*'|[^\s#]+)?(\s*#.*)?$/;

const stackFile = (dir: string, stack: string) => path.join(dir, `Pulumi.${stack}.yaml`);

function projectDefault(dir: string): string {
  const project = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
  return String(project.config.imageTag.default);
}

function pinned(dir: string, stack: string): string | undefined {
  const doc = parse(fs.readFileSync(stackFile(dir, stack), "utf8")) ?? {};
  const v = doc.config?.[KEY] ?? doc.config?.imageTag;
  return v === undefined ? undefined : String(v);
}

/** The tag a stack deploys: its own pin while a promotion is in flight, else the shared default. */
export function effectiveTag(dir: string, stack: string): string {
  return pinned(dir, stack) ?? projectDefault(dir);
}

const quote = (tag: string, style: string | undefined) => (style === "'" ? `'${tag}'` : `"${tag}"`);

/**
 * Sets (or, when it equals the shared default, removes) the stack's imageTag line. Every other line, comment and
 * blank stays as it was.
 */
function writeTag(dir: string, stack: string, tag: string): void {
  const file = stackFile(dir, stack);
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const i = lines.findIndex((l) => LINE.test(l));
  const unpin = tag === projectDefault(dir);
  if (i >= 0) {
    if (unpin) lines.splice(i, 1);
    else {
      const [, indent, key, space, value, comment] = lines[i].match(LINE)!;
      lines[i] = `${indent}${key}:${space || " "}${quote(tag, value?.[0])}${comment ?? ""}`;
    }
  } else if (!unpin) {
    const c = lines.findIndex((l) => /^config:\s*(#.*)?$/.test(l));
    if (c < 0) throw new Error(`${path.basename(file)} has no top-level config: block`);
    const indent =
      lines
        .slice(c + 1)
        .find((l) => /^\s+\S/.test(l))
        ?.match(/^\s+/)?.[0] ?? "  ";
    lines.splice(c + 1, 0, `${indent}${KEY}: ${quote(tag, '"')}`);
  }
  const text = lines.join("\n");
  const check = parse(text)?.config?.[KEY];
  if ((unpin ? undefined : tag) !== (check === undefined ? undefined : String(check))) {
    throw new Error(
      `refusing to write ${path.basename(file)}: the edit would not read back as ${KEY}=${tag}`,
    );
  }
  fs.writeFileSync(file, text);
}

export function promote(argv: string[], dir: string): PromoteResult {
  const messages: string[] = [];
  const refuse = (m: string): PromoteResult => ({
    code: REFUSED,
    messages: [...messages, `refused: ${m}`, USAGE],
  });
  const force = argv.includes("--force");
  const settle = argv.includes("--settle");
  const tagAt = argv.indexOf("--tag");
  const tag = tagAt >= 0 ? argv[tagAt + 1] : undefined;
  if (tagAt >= 0 && (tag === undefined || tag.startsWith("--"))) return refuse("--tag needs a value");
  const unknownOption = argv.find((a) => a.startsWith("--") && !["--force", "--settle", "--tag"].includes(a));
  if (unknownOption) return refuse(`unknown option ${unknownOption}`);
  const stacks = argv.filter((a, i) => !a.startsWith("--") && !(tagAt >= 0 && i === tagAt + 1));
  const unknownStack = stacks.find((s) => !(ENVIRONMENTS as readonly string[]).includes(s));
  if (unknownStack) return refuse(`unknown stack "${unknownStack}"; allowed: ${ENVIRONMENTS.join(", ")}`);

  if (settle) {
    if (stacks.length > 0 || tag) return refuse("--settle takes no stacks and no tag");
    return settleTags(dir);
  }

  let from: string | undefined;
  let to: string;
  let newTag: string;
  if (tag !== undefined) {
    if (stacks.length !== 1) return refuse("--tag takes exactly one stack");
    to = stacks[0];
    newTag = tag;
    if (to !== ENVIRONMENTS[0]) {
      if (!force)
        return refuse(
          `a new tag enters at ${ENVIRONMENTS[0]}; pinning ${to} directly skips environments (use --force for a hotfix)`,
        );
      messages.push(
        `warning: --force: pinning ${to} to a tag that has not been through ${ENVIRONMENTS.slice(0, ENVIRONMENTS.indexOf(to as never)).join(", ")}`,
      );
    }
  } else {
    if (stacks.length !== 2) return refuse("give <from> <to>, or --tag <tag> <stack>");
    [from, to] = stacks;
    const gap = ENVIRONMENTS.indexOf(to as never) - ENVIRONMENTS.indexOf(from as never);
    if (gap <= 0) return refuse(`promotion runs ${ENVIRONMENTS.join(" → ")}; ${from} → ${to} goes backwards`);
    if (gap > 1) {
      const skipped = ENVIRONMENTS.slice(
        ENVIRONMENTS.indexOf(from as never) + 1,
        ENVIRONMENTS.indexOf(to as never),
      );
      if (!force)
        return refuse(`${from} → ${to} skips ${skipped.join(", ")} (use --force to skip, with care)`);
      messages.push(`warning: --force: ${from} → ${to} skips ${skipped.join(", ")}`);
    }
    newTag = effectiveTag(dir, from);
  }
  if (!isImageTag(newTag)) return refuse(`tag "${newTag}" is not ${IMAGE_TAG_RULE}`);

  const old = effectiveTag(dir, to);
  const wantedPin = newTag === projectDefault(dir) ? undefined : newTag;
  if (pinned(dir, to) === wantedPin) {
    messages.push(`Pulumi.${to}.yaml: ${KEY} already ${newTag}; nothing to change`);
    return { code: UNCHANGED, messages };
  }
  writeTag(dir, to, newTag);
  messages.push(`Pulumi.${to}.yaml: ${KEY} ${old} → ${newTag}${from ? ` (from ${from})` : ""}`);
  // What prod ran once, it may run again (a revert): the registry never expires a tag in the ledger.
  if (to === "prod" && recordPromotedTag(newTag, dir))
    messages.push(`${PROMOTED_TAGS_FILE}: recorded ${newTag}; the registry keeps it for good`);
  if (
    to === ENVIRONMENTS[ENVIRONMENTS.length - 1] &&
    ENVIRONMENTS.every((s) => effectiveTag(dir, s) === newTag)
  ) {
    messages.push(`every stack now runs ${newTag}: after this deploys, run \`npm run promote -- --settle\``);
  }
  return { code: CHANGED, messages };
}

/** When every stack runs the same tag, it becomes the shared default and the per-stack pins go away. */
function settleTags(dir: string): PromoteResult {
  const tags = new Set(ENVIRONMENTS.map((s) => effectiveTag(dir, s)));
  if (tags.size !== 1) {
    return {
      code: REFUSED,
      messages: [
        `refused: stacks run different tags (${ENVIRONMENTS.map((s) => `${s}=${effectiveTag(dir, s)}`).join(", ")}); finish the promotion first`,
      ],
    };
  }
  const [tag] = tags;
  const def = projectDefault(dir);
  const pins = ENVIRONMENTS.filter((s) => pinned(dir, s) !== undefined);
  if (tag === def && pins.length === 0)
    return { code: UNCHANGED, messages: [`every stack already uses the shared default ${tag}`] };
  const file = path.join(dir, "Pulumi.yaml");
  const text = fs.readFileSync(file, "utf8");
  const updated = text.replace(
    /(\n  imageTag:\n(?:    .*\n)*?    default: )("[^"]*"|'[^']*'|\S+)/,
    `$1"${tag}"`,
  );
  if (String(parse(updated).config.imageTag.default) !== tag)
    throw new Error("could not update the imageTag default in Pulumi.yaml");
  fs.writeFileSync(file, updated);
  for (const s of pins) writeTag(dir, s, tag);
  return {
    code: CHANGED,
    messages: [
      `Pulumi.yaml: imageTag default ${def} → ${tag}`,
      ...pins.map((s) => `Pulumi.${s}.yaml: pin removed`),
    ],
  };
}
