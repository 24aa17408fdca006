import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROMOTED_TAGS_FILE, protectedImageTags, readPromotedTags } from "../config/promoted";
import { lifecyclePolicy } from "../components/registry-lifecycle";
import { promote } from "../scripts/lib/promote";
import { copyProject, effective, one, stackOf } from "./harness";

interface Image {
  tags: string[];
  pushedAt: number;
}
interface Rule {
  rulePriority: number;
  selection: {
    tagStatus: "tagged" | "untagged" | "any";
    tagPatternList?: string[];
    countType: "imageCountMoreThan" | "sinceImagePushed";
    countNumber: number;
  };
}

const wildcard = (p: string) =>
  new RegExp(
    `^${p
      .split("*")
      .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

/**
 * What ECR expires, by AWS's lifecycle policy reference ("How lifecycle policies work" and "Lifecycle policy
 * properties", docs.aws.amazon.com/AmazonECR/latest/userguide/): rules run from the lowest rulePriority; a tagged
 * rule selects images carrying, for every pattern of tagPatternList, a tag that matches it; imageCountMoreThan
 * expires the oldest selected images beyond the count; an image that matches the tag requirements of a rule is
 * never expired by a rule of lower priority, though it still counts for that rule.
 */
function expired(policy: string, images: Image[], now: number): Set<Image> {
  const rules = (JSON.parse(policy).rules as Rule[]).sort((a, b) => a.rulePriority - b.rulePriority);
  const claimed = new Set<Image>();
  const out = new Set<Image>();
  for (const { selection: s } of rules) {
    const matches = images.filter((img) => {
      if (s.tagStatus === "untagged") return img.tags.length === 0;
      if (s.tagStatus === "any") return true;
      return (
        img.tags.length > 0 &&
        (s.tagPatternList ?? []).every((p) => img.tags.some((t) => wildcard(p).test(t)))
      );
    });
    const candidates =
      s.countType === "imageCountMoreThan"
        ? [...matches].sort((a, b) => b.pushedAt - a.pushedAt).slice(s.countNumber)
        : matches.filter((img) => now - img.pushedAt > s.countNumber);
    for (const img of candidates) if (!claimed.has(img)) out.add(img);
    for (const img of matches) claimed.add(img);
  }
  return out;
}

const sha = (i: number) => i.toString(16).padStart(7, "0").replace(/^0/, "a");

describe("ECR lifecycle: promoted images never expire", () => {
  it("the owner's policy keeps prod's image and every promoted one through 500 CI pushes", async () => {
    const e = await stackOf("alpha");
    const policy = one(e, "aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs.policy as string;
    const keep = effective(e).registry.keepReleaseImages as number;
    const prodTag = effective(await stackOf("prod")).imageTag as string;
    const promoted = readPromotedTags();
    assert.ok(promoted.includes(prodTag), "prod's tag is in the ledger");
    // The oldest images are the ones prod runs or ran; then 500 CI pushes, one a day.
    const images: Image[] = [...new Set([prodTag, ...promoted])].map((t, i) => ({ tags: [t], pushedAt: i }));
    for (let i = 0; i < 500; i++) images.push({ tags: [sha(i)], pushedAt: 100 + i });
    images.push({ tags: [], pushedAt: 50 });
    const gone = expired(policy, images, 700);
    for (const img of images.filter((i) => i.tags.some((t) => protectedImageTags().includes(t))))
      assert.ok(!gone.has(img), `${img.tags} survives`);
    const ci = images.filter((i) => i.tags[0]?.startsWith("a"));
    assert.equal(ci.filter((i) => gone.has(i)).length, 500 - keep + 0, "older CI-only images still expire");
    assert.ok(gone.has(images.find((i) => i.tags.length === 0)!), "untagged images expire");
  });

  it("a single count rule (the old policy) would expire prod's image: the check can fail", () => {
    const old = lifecyclePolicy({ untaggedExpiryDays: 7, keepReleaseImages: 200 }, []);
    const prod: Image = { tags: ["4f2a9c1"], pushedAt: 0 };
    const images = [prod, ...Array.from({ length: 250 }, (_, i) => ({ tags: [sha(i)], pushedAt: 1 + i }))];
    assert.ok(expired(old, images, 300).has(prod));
    const fixed = lifecyclePolicy({ untaggedExpiryDays: 7, keepReleaseImages: 200 }, ["4f2a9c1"]);
    assert.ok(!expired(fixed, images, 300).has(prod));
  });

  it("protects every tag a stack deploys now, and gives each its own rule ahead of the count rule", () => {
    const tags = protectedImageTags();
    const rules = JSON.parse(lifecyclePolicy({ untaggedExpiryDays: 7, keepReleaseImages: 200 }, tags)).rules;
    const count = rules.find((r: any) => r.selection.tagPatternList?.[0] === "*");
    for (const tag of tags) {
      const rule = rules.find(
        (r: any) => r.selection.tagPatternList?.length === 1 && r.selection.tagPatternList[0] === tag,
      );
      assert.ok(rule && rule.rulePriority < count.rulePriority, tag);
      assert.equal(rule.selection.countType, "imageCountMoreThan");
      assert.ok(rule.selection.countNumber >= 1, "one image per immutable tag: never more than the count");
    }
    assert.equal(new Set(rules.map((r: any) => r.rulePriority)).size, rules.length, "unique priorities");
  });

  it("refuses a ledger line that is not an image tag, naming the file and line", () => {
    const dir = copyProject("ledger-");
    try {
      fs.appendFileSync(path.join(dir, PROMOTED_TAGS_FILE), "latest\n");
      assert.throws(
        () => readPromotedTags(dir),
        new RegExp(`${PROMOTED_TAGS_FILE}:\\d+: "latest" is not an image tag`),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("`npm run promote -- uat prod` records the tag in the ledger, once", () => {
    const dir = copyProject("ledger-promote-");
    try {
      const tag = "0123abc";
      fs.appendFileSync(path.join(dir, "Pulumi.uat.yaml"), `  platform:imageTag: "${tag}"\n`);
      const r = promote(["uat", "prod"], dir);
      assert.equal(r.code, 0, r.messages.join("\n"));
      assert.ok(readPromotedTags(dir).includes(tag));
      assert.ok(r.messages.some((m) => m.includes(PROMOTED_TAGS_FILE)));
      promote(["uat", "prod"], dir);
      assert.equal(readPromotedTags(dir).filter((t) => t === tag).length, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
