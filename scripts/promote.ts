/** `npm run promote -- <from> <to>` | `--tag <tag> alpha` | `--settle`: see scripts/lib/promote.ts. */
import { PROJECT_DIR } from "../config/files";
import { promote, REFUSED } from "./lib/promote";

try {
  const { code, messages } = promote(process.argv.slice(2), PROJECT_DIR);
  for (const m of messages) (code === REFUSED || m.startsWith("warning") ? console.error : console.log)(m);
  process.exit(code);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(REFUSED);
}
