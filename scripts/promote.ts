/** `npm run promote -- <from> <to>` | `--tag <tag> alpha` | `--settle`: see scripts/lib/promote.ts. */
import { PROJECT_DIR } from "../config/files";
import { EXIT } from "./lib/exit";
import { CHANGED, promote, UNCHANGED } from "./lib/promote";

try {
  const { code, messages } = promote(process.argv.slice(2), PROJECT_DIR);
  const ok = code === CHANGED || code === UNCHANGED;
  for (const m of messages) (ok && !m.startsWith("warning") ? console.log : console.error)(m);
  process.exit(code);
} catch (e) {
  console.error(`error: ${e instanceof Error ? e.message : e}`);
  process.exit(EXIT.error);
}
