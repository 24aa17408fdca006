/** Exit codes shared by `npm run plan`, `promote` and `bench` (README "Exit codes"). */
export const EXIT = {
  /** Done: no changes, nothing found, targets met (promote: the file was changed as asked). */
  ok: 0,
  /** Changes or findings: a diff with changes, mandatory policy violations, a missed target (promote: nothing to change). */
  changes: 1,
  /** Usage error or refusal: bad arguments, an unknown stack, a refused promotion. Nothing was changed. */
  usage: 2,
  /** Could not evaluate: the program, a stack file or a tool failed. Nothing was changed. */
  error: 3,
  /** plan --diff only: the working tree evaluated but the base did not, so there is no diff. */
  baseFailed: 4,
} as const;
