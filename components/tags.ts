import type { Settings } from "../config";

/** Provider default tags: every AWS resource says which environment and project it belongs to, and who manages it. */
export function defaultTags(s: Settings): Record<string, string> {
  return { environment: s.environment, project: s.project, "managed-by": "pulumi" };
}
