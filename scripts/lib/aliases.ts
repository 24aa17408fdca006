/**
 * Alias URNs as the engine computes them, so the plan diff can follow a rename like `pulumi up` does.
 * Mirrors pulumi/pulumi pkg/resource/deploy/step_generator.go (collapseAliasToUrn, inheritedChildAlias,
 * generateAliases): the SDK sends alias specs (the mock monitor supports them), the engine resolves them.
 */

const ROOT_STACK = "pulumi:pulumi:Stack";

/** "urn:pulumi:<stack>::<project>::<qualified type>::<name>"; a name may itself contain "::". */
export function parseUrn(urn: string): {
  stack: string;
  project: string;
  qualifiedType: string;
  name: string;
} {
  const [head, project, qualifiedType, ...name] = urn.split("::");
  return { stack: head.replace(/^urn:pulumi:/, ""), project, qualifiedType, name: name.join("::") };
}

const typeOf = (urn: string) => parseUrn(urn).qualifiedType.split("$").pop() as string;

/** resource.CreateURN: a child's type is qualified by its parent's; the root stack qualifies nothing. */
export function createUrn(
  name: string,
  type: string,
  parent: string | undefined,
  project: string,
  stack: string,
) {
  const p = parent ? parseUrn(parent) : undefined;
  const qualified = p && p.qualifiedType !== ROOT_STACK ? `${p.qualifiedType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** An alias as the request carries it: a URN, or a spec whose empty fields default to the resource's own. */
export type AliasRequest =
  | { urn: string }
  | { name: string; type: string; project: string; stack: string; parentUrn: string; noParent: boolean };

export interface Goal {
  urn: string;
  name: string;
  type: string;
  parent?: string;
}

/**
 * Every URN the resource may have had before. `parentAliases` maps a URN to its own candidates; the engine
 * multiplies out only the parent alias that matched old state, so this is a superset the diff narrows down.
 */
export function aliasUrns(
  goal: Goal,
  requested: AliasRequest[],
  parentAliases: Map<string, string[]>,
): string[] {
  const { project, stack } = parseUrn(goal.urn);
  const out = new Set<string>();
  const collapse = (a: AliasRequest): string[] => {
    if ("urn" in a) return [a.urn];
    const name = a.name || goal.name;
    const type = a.type || goal.type;
    const parents = a.noParent
      ? [undefined]
      : a.parentUrn
        ? // An aliased parent: its old URN is the child's old parent too.
          [a.parentUrn, ...(parentAliases.get(a.parentUrn) ?? [])]
        : [goal.parent];
    return parents.map((p) => createUrn(name, type, p, a.project || project, a.stack || stack));
  };
  const own = requested.flatMap(collapse);
  own.forEach((u) => out.add(u));
  if (goal.parent) {
    const parentName = parseUrn(goal.parent).name;
    for (const parentAlias of parentAliases.get(goal.parent) ?? []) {
      // A child named "<parent>-x" was "<old parent>-x" (the engine's naming convention assumption).
      const inherit = (childName: string, childType: string) => {
        const name = childName.startsWith(parentName)
          ? parseUrn(parentAlias).name + childName.slice(parentName.length)
          : childName;
        return createUrn(name, childType, parentAlias, project, stack);
      };
      out.add(inherit(goal.name, goal.type));
      for (const a of own) out.add(inherit(parseUrn(a).name, typeOf(a)));
    }
  }
  out.delete(goal.urn);
  return [...out];
}
