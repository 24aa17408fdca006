const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Objects merge key by key; lists and scalars from `over` replace those of `base`. An object at one of the `whole`
 * paths is replaced whole too, like a list: a map of named things (node groups) is a set a stack redefines, not
 * defaults to patch, so a stack can drop or rename an entry.
 */
export function deepMerge(
  base: unknown,
  over: unknown,
  whole: readonly string[][] = [],
  at: string[] = [],
): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  if (whole.some((p) => p.length === at.length && p.every((k, i) => k === at[i]))) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v, whole, [...at, k]);
  return out;
}

/** Maps the program replaces whole rather than merging with Pulumi.yaml (paths under the `platform:` namespace). */
export const REPLACED_WHOLE = [["cluster", "nodeGroups"]] as const satisfies readonly string[][];

/** How the program combines a Pulumi.yaml default with a stack's value of the same `platform:` key. */
export const mergeSetting = (key: string, base: unknown, over: unknown) =>
  deepMerge(base, over, REPLACED_WHOLE as unknown as string[][], [key]);
