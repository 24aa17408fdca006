import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { aliasUrns } from "../scripts/lib/aliases";
import { diffEvaluations, renderDiff, type StackDiff } from "../scripts/lib/diff";
import { evaluatePair, type Evaluation } from "../scripts/lib/evaluate";
import { copyProject } from "./harness";

/** A source edit that fails if its text has moved: a silent no-op would leave nothing renamed to test. */
function edit(dir: string, file: string, from: RegExp, to: string): void {
  const p = path.join(dir, file);
  const before = fs.readFileSync(p, "utf8");
  const after = before.replace(from, to);
  assert.notEqual(after, before, `${file}: ${from} not found`);
  fs.writeFileSync(p, after);
}

/**
 * Two renames a refactor makes: prod's flow-log group inside its component (a resource), and the Registry component
 * (its ECR repository and policies are named after it, so they inherit its alias as `pulumi up` does).
 */
function renamed(withAliases: boolean): string {
  const dir = copyProject("plan-rename-");
  const alias = (name: string) => (withAliases ? `, aliases: [{ name: ${name} }]` : "");
  edit(
    dir,
    "components/network.ts",
    /`\$\{name\}-flow-logs`,(\s+\{ namePrefix[^\n]*\n\s+)\{ parent: this, protect: isProd, retainOnDelete: isProd \}/,
    `\`\${name}-vpc-flow-logs\`,$1{ parent: this, protect: isProd, retainOnDelete: isProd${alias("`${name}-flow-logs`")} }`,
  );
  edit(
    dir,
    "index.ts",
    /new Registry\(\n {2}"registry",([\s\S]*?)\{ providers \},\n\);/,
    `new Registry(\n  "image-registry",$1{ providers${alias('"registry"')} },\n);`,
  );
  return dir;
}

const summary = (d: StackDiff) => ({
  added: d.added.map((r) => `${r.type} ${r.name}`),
  removed: d.removed.map((r) => `${r.type} ${r.name}`),
  renamed: d.renamed.map((r) => `${r.resource.type} ${r.from.name} → ${r.resource.name}`).sort(),
});

describe("plan --diff: renames", function () {
  this.timeout(600000);
  const dirs: string[] = [];
  const evaluated: Record<string, Record<string, Evaluation>> = { base: {}, aliased: {}, unaliased: {} };
  before(async () => {
    const sides = { base: copyProject("plan-rename-"), aliased: renamed(true), unaliased: renamed(false) };
    dirs.push(...Object.values(sides));
    // prod has flow logs; alpha owns the ECR repository. Each pair is evaluated as `plan --diff` does.
    for (const side of ["aliased", "unaliased"] as const) {
      for (const stack of ["prod", "alpha"]) {
        const [before, after] = await evaluatePair(stack, sides.base, { dir: sides[side] });
        for (const e of [before, after]) assert.equal(e.error, undefined, `${side} ${stack}: ${e.error}`);
        evaluated.base[stack] = before;
        evaluated[side][stack] = after;
      }
    }
  });
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("plans a rename with `aliases` as zero replacements: no delete, no create, one rename each", () => {
    const prod = diffEvaluations(evaluated.base.prod, evaluated.aliased.prod);
    assert.deepEqual(summary(prod), {
      added: [],
      removed: [],
      renamed: [
        "aws:cloudwatch/logGroup:LogGroup network-flow-logs → network-vpc-flow-logs",
        "platform:registry:Registry registry → image-registry",
      ],
    });
    // The component's children inherit its alias: the protected ECR repository is kept.
    const alpha = diffEvaluations(evaluated.base.alpha, evaluated.aliased.alpha);
    assert.deepEqual(summary(alpha), {
      added: [],
      removed: [],
      renamed: [
        "aws:ecr/lifecyclePolicy:LifecyclePolicy registry → image-registry",
        "aws:ecr/repository:Repository registry → image-registry",
        "aws:ecr/repositoryPolicy:RepositoryPolicy registry → image-registry",
        "platform:registry:Registry registry → image-registry",
      ],
    });
    for (const d of [prod, alpha]) {
      // Nothing else moves: same inputs, same protection, same outputs.
      assert.deepEqual(
        d.renamed.flatMap((r) => r.changes),
        [],
      );
      assert.equal(d.total, d.renamed.length);
    }
    const text = renderDiff("prod", "HEAD", prod);
    assert.match(
      text,
      /\*\*Resources renamed\*\* \(through `aliases`: kept, not replaced\)\n\n(- .*\n)*- `aws:cloudwatch\/logGroup:LogGroup` network-flow-logs \(in network\) → network-vpc-flow-logs \(in network\)/,
    );
    assert.doesNotMatch(text, /Resources (added|removed)/);
  });

  it("still shows the same rename without `aliases` as a delete and a create", () => {
    const prod = summary(diffEvaluations(evaluated.base.prod, evaluated.unaliased.prod));
    assert.deepEqual(prod.renamed, []);
    assert.ok(
      prod.removed.includes("aws:cloudwatch/logGroup:LogGroup network-flow-logs"),
      JSON.stringify(prod),
    );
    assert.ok(
      prod.added.includes("aws:cloudwatch/logGroup:LogGroup network-vpc-flow-logs"),
      JSON.stringify(prod),
    );
    const alpha = diffEvaluations(evaluated.base.alpha, evaluated.unaliased.alpha);
    const repo = alpha.removed.find((r) => r.type === "aws:ecr/repository:Repository");
    assert.equal(repo?.name, "registry");
    assert.match(
      renderDiff("alpha", "HEAD", alpha),
      /- `aws:ecr\/repository:Repository` registry — protected: `pulumi up` will refuse/,
    );
  });
});

describe("alias URNs (as the engine resolves them)", () => {
  const stackUrn = "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod";
  const netUrn = "urn:pulumi:prod::platform::platform:network:Network::net";
  const spec = { name: "", type: "", project: "", stack: "", parentUrn: "", noParent: false };
  const child = {
    urn: `urn:pulumi:prod::platform::platform:network:Network$aws:iam/role:Role::net-flow-logs`,
  };
  const goal = { ...child, name: "net-flow-logs", type: "aws:iam/role:Role", parent: netUrn };

  it("moves a resource out of the stack root into a component: `{ parent: rootStackResource }`", () => {
    assert.deepEqual(aliasUrns(goal, [{ ...spec, noParent: true }], new Map()), [
      "urn:pulumi:prod::platform::aws:iam/role:Role::net-flow-logs",
    ]);
  });

  it("keeps a child of a renamed component, rewriting the name prefix it took from the component", () => {
    const parents = new Map([[netUrn, ["urn:pulumi:prod::platform::platform:network:Network::network"]]]);
    assert.deepEqual(aliasUrns(goal, [], parents), [
      "urn:pulumi:prod::platform::platform:network:Network$aws:iam/role:Role::network-flow-logs",
    ]);
  });

  it("takes an old type and a URN as given, and never the stack's own type as a parent", () => {
    const top = {
      urn: "urn:pulumi:prod::platform::aws:iam/role:Role::r",
      name: "r",
      type: "aws:iam/role:Role",
    };
    const old = "urn:pulumi:prod::platform::aws:iam/role:Role::legacy";
    assert.deepEqual(
      aliasUrns(
        { ...top, parent: stackUrn },
        [{ ...spec, type: "aws:iam/oldRole:Role", parentUrn: stackUrn }, { urn: old }],
        new Map(),
      ),
      ["urn:pulumi:prod::platform::aws:iam/oldRole:Role::r", old],
    );
  });
});
