/**
 * Prints the read-only role PR previews of a stack assume (`platform:access.previewRoleArn`, merged as the CLI
 * does), so .github/workflows/pr.yml uses exactly the role the stack grants EKS view to.
 * Usage: ts-node -T scripts/preview-role.ts <stack>
 */
import { resolveSettings } from "../config";
import { mergeLikeCli } from "../config/files";

const [stack] = process.argv.slice(2);
const raw = Object.fromEntries(
  Object.entries(mergeLikeCli(stack)).map(([k, e]) => [
    k,
    typeof e.value === "string" ? e.value : JSON.stringify(e.value),
  ]),
);
console.log(resolveSettings(stack, raw).access.previewRoleArn);
