import * as path from "node:path";
import { parse } from "yaml";
import { IMAGE_TAG_RULE, isImageTag, IMAGE_TAG_MAX_LENGTH } from "../../config/image-tag";
import { ENVIRONMENTS } from "../../config/schema";
import { FileError, readText, textOf, withLock, writeAll, type TextFile } from "./atomic";
import { EXIT } from "./exit";

export const USAGE = `usage: npm run promote -- <from> <to>          copy <from>'s effective image tag into Pulumi.<to>.yaml
       npm run promote -- --tag <tag> alpha    start a release: pin alpha to a tag CI pushed
       npm run promote -- --settle             once every stack runs the same tag, make it the Pulumi.yaml default
options: --force  allow skipping an environment (alpha → prod) or pinning a tag past alpha, with a warning
         --help   this text
exit codes: 0 changed, 1 nothing to change, 2 usage error or refused, 3 a stack file could not be read or written`;

export const CHANGED = EXIT.ok;
export const UNCHANGED = EXIT.changes;
export const REFUSED = EXIT.usage;
export const FAILED = EXIT.error;

export interface PromoteResult {
  code: number;
  messages: string[];
}

const KEY = "platform:imageTag";
const LINE = /^(\s*)((?:platform:)?imageTag):(\s*)("[^"]*"|'[^']*'|[^\s#]+)?(\s*#.*)?$/;

/** The stack and project files of one checkout, read once under the lock and written back all at once. */
class Files {
  private readonly texts = new Map<string, TextFile>();
  private readonly changed = new Set<string>();
  constructor(private readonly dir: string) {}

  text(name: string): TextFile {
    if (!this.texts.has(name)) this.texts.set(name, readText(path.join(this.dir, name)));
    return this.texts.get(name)!;
  }

  yaml(name: string): any {
    const text = textOf(this.text(name));
    try {
      return parse(text) ?? {};
    } catch (e) {
      throw new FileError(
        `${name}: not valid YAML: ${(e as Error).message.split("\n")[0].replace(/:$/, "")}`,
      );
    }
  }

  set(name: string, f: TextFile): void {
    this.texts.set(name, f);
    this.changed.add(name);
  }

  commit(): void {
    writeAll(new Map([...this.changed].map((n) => [path.join(this.dir, n), textOf(this.texts.get(n)!)])));
  }

  projectDefault(): string {
    const tag = this.yaml("Pulumi.yaml").config?.imageTag?.default;
    if (tag === undefined) throw new FileError("Pulumi.yaml: config.imageTag.default is missing");
    return String(tag);
  }

  pinned(stack: string): string | undefined {
    const config = this.yaml(`Pulumi.${stack}.yaml`).config;
    const v = config?.[KEY] ?? config?.imageTag;
    return v === undefined ? undefined : String(v);
  }

  /** The tag a stack deploys: its own pin while a promotion is in flight, else the shared default. */
  effective(stack: string): string {
    return this.pinned(stack) ?? this.projectDefault();
  }
}

export function effectiveTag(dir: string, stack: string): string {
  return new Files(dir).effective(stack);
}

const quote = (tag: string, style: string | undefined) => (style === "'" ? `'${tag}'` : `"${tag}"`);

/**
 * Sets (or, when it equals the shared default, removes) the stack's imageTag line. Every other line, comment, blank,
 * line ending and byte-order mark stays as it was. Returns whether a pin was removed.
 */
function writeTag(files: Files, stack: string, tag: string, def: string): boolean {
  const name = `Pulumi.${stack}.yaml`;
  const file = files.text(name);
  const lines = [...file.lines];
  const i = lines.findIndex((l) => LINE.test(l));
  const unpin = tag === def;
  if (i >= 0) {
    if (unpin) lines.splice(i, 1);
    else {
      const [, indent, key, space, value, comment] = lines[i].match(LINE)!;
      lines[i] = `${indent}${key}:${space || " "}${quote(tag, value?.[0])}${comment ?? ""}`;
    }
  } else if (!unpin) {
    const c = lines.findIndex((l) => /^config:\s*(#.*)?$/.test(l));
    if (c < 0) throw new FileError(`${name} has no top-level config: block`);
    const indent =
      lines
        .slice(c + 1)
        .find((l) => /^\s+\S/.test(l))
        ?.match(/^\s+/)?.[0] ?? "  ";
    lines.splice(c + 1, 0, `${indent}${KEY}: ${quote(tag, '"')}`);
  }
  const next = { ...file, lines };
  const check = parse(textOf(next))?.config?.[KEY];
  if ((unpin ? undefined : tag) !== (check === undefined ? undefined : String(check)))
    throw new FileError(`refusing to write ${name}: the edit would not read back as ${KEY}=${tag}`);
  files.set(name, next);
  return unpin && i >= 0;
}

interface Request {
  force: boolean;
  settle: boolean;
  tag?: string;
  stacks: string[];
}

function parseArgs(argv: string[]): Request | string {
  const tagAt = argv.indexOf("--tag");
  const tag = tagAt >= 0 ? argv[tagAt + 1] : undefined;
  if (tagAt >= 0 && (tag === undefined || tag.startsWith("--"))) return "--tag needs a value";
  if (argv.filter((a) => a === "--tag").length > 1) return "--tag given twice";
  const unknownOption = argv.find(
    (a, i) =>
      a.startsWith("-") && !(tagAt >= 0 && i === tagAt + 1) && !["--force", "--settle", "--tag"].includes(a),
  );
  if (unknownOption) return `unknown option ${unknownOption}`;
  const stacks = argv.filter((a, i) => !a.startsWith("-") && !(tagAt >= 0 && i === tagAt + 1));
  const unknownStack = stacks.find((s) => !(ENVIRONMENTS as readonly string[]).includes(s));
  if (unknownStack) return `unknown stack "${unknownStack}"; allowed: ${ENVIRONMENTS.join(", ")}`;
  return { force: argv.includes("--force"), settle: argv.includes("--settle"), tag, stacks };
}

export function promote(argv: string[], dir: string): PromoteResult {
  if (argv.includes("--help") || argv.includes("-h")) return { code: EXIT.ok, messages: [USAGE] };
  const req = parseArgs(argv);
  if (typeof req === "string") return { code: REFUSED, messages: [`refused: ${req}`, USAGE] };
  try {
    return withLock(dir, () => run(req, new Files(dir)));
  } catch (e) {
    if (e instanceof FileError) return { code: FAILED, messages: [`error: ${e.message}`] };
    throw e;
  }
}

function run({ force, settle, tag, stacks }: Request, files: Files): PromoteResult {
  const messages: string[] = [];
  const refuse = (m: string): PromoteResult => ({
    code: REFUSED,
    messages: [...messages, `refused: ${m}`, USAGE],
  });

  if (settle) {
    if (stacks.length > 0 || tag) return refuse("--settle takes no stacks and no tag");
    return settleTags(files);
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
    if (gap === 0)
      return refuse(`${from} → ${to}: a stack cannot be promoted to itself; give the next environment`);
    if (gap < 0) return refuse(`promotion runs ${ENVIRONMENTS.join(" → ")}; ${from} → ${to} goes backwards`);
    if (gap > 1) {
      const skipped = ENVIRONMENTS.slice(
        ENVIRONMENTS.indexOf(from as never) + 1,
        ENVIRONMENTS.indexOf(to as never),
      );
      if (!force)
        return refuse(`${from} → ${to} skips ${skipped.join(", ")} (use --force to skip, with care)`);
      messages.push(`warning: --force: ${from} → ${to} skips ${skipped.join(", ")}`);
    }
    newTag = files.effective(from);
  }
  if (newTag.length > IMAGE_TAG_MAX_LENGTH)
    return refuse(
      `tag is ${newTag.length} characters; image tags are at most ${IMAGE_TAG_MAX_LENGTH} (the OCI limit)`,
    );
  if (!isImageTag(newTag)) return refuse(`tag "${newTag}" is not ${IMAGE_TAG_RULE}`);

  const def = files.projectDefault();
  const old = files.effective(to);
  const wantedPin = newTag === def ? undefined : newTag;
  if (files.pinned(to) === wantedPin) {
    messages.push(`Pulumi.${to}.yaml: ${KEY} already ${newTag}; nothing to change`);
    return { code: UNCHANGED, messages };
  }
  const unpinned = writeTag(files, to, newTag, def);
  files.commit();
  messages.push(
    `Pulumi.${to}.yaml: ${KEY} ${old} → ${newTag}${from ? ` (from ${from})` : ""}` +
      (unpinned ? `; pin removed: ${newTag} is the shared default in Pulumi.yaml` : ""),
  );
  const last = ENVIRONMENTS[ENVIRONMENTS.length - 1];
  if (to === last && ENVIRONMENTS.every((s) => files.effective(s) === newTag)) {
    messages.push(`every stack now runs ${newTag}: after this deploys, run \`npm run promote -- --settle\``);
  }
  return { code: CHANGED, messages };
}

/** When every stack runs the same tag, it becomes the shared default and the per-stack pins go away: all or none. */
function settleTags(files: Files): PromoteResult {
  const tags = new Set(ENVIRONMENTS.map((s) => files.effective(s)));
  if (tags.size !== 1) {
    const each = ENVIRONMENTS.map((s) => `${s}=${files.effective(s)}`).join(", ");
    return {
      code: REFUSED,
      messages: [`refused: stacks run different tags (${each}); finish the promotion first`],
    };
  }
  const [tag] = tags;
  const def = files.projectDefault();
  const pins = ENVIRONMENTS.filter((s) => files.pinned(s) !== undefined);
  if (tag === def && pins.length === 0)
    return { code: UNCHANGED, messages: [`every stack already uses the shared default ${tag}`] };
  const project = files.text("Pulumi.yaml");
  const text = project.lines.join("\n");
  const updated = text.replace(
    /(\n  imageTag:\n(?:    .*\n)*?    default: )("[^"]*"|'[^']*'|\S+)/,
    `$1"${tag}"`,
  );
  if (String(parse(updated).config.imageTag.default) !== tag)
    throw new FileError("Pulumi.yaml: could not update the imageTag default");
  files.set("Pulumi.yaml", { ...project, lines: updated.split("\n") });
  for (const s of pins) writeTag(files, s, tag, tag);
  files.commit();
  return {
    code: CHANGED,
    messages: [
      `Pulumi.yaml: imageTag default ${def} → ${tag}`,
      ...pins.map((s) => `Pulumi.${s}.yaml: pin removed`),
    ],
  };
}
