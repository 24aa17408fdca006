/**
 * Options npm kept for itself. `npm run plan alpha --diff HEAD~1` (no `--`) hands the script only `alpha`: npm
 * parses `--diff HEAD~1` as its own config and exports it as npm_config_diff. Such a run must fail, not silently
 * plan without the diff.
 */
export function swallowedByNpm(options: string[]): string | undefined {
  const taken = options.filter((o) => process.env[`npm_config_${o}`] !== undefined);
  if (taken.length === 0) return undefined;
  const shown = taken.map(
    (o) => `--${o}${process.env[`npm_config_${o}`] === "true" ? "" : ` ${process.env[`npm_config_${o}`]}`}`,
  );
  return `npm took ${shown.join(" ")} as its own option; put the script's arguments after --, e.g. npm run <script> -- <args> ${shown.join(" ")}`;
}
