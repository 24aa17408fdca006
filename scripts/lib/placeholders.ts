import { MOCK_ACCOUNT, short } from "./mocks";
import type { Evaluation } from "./types";

/** Printed where a real deployment supplies the value: offline, only the mocks' stand-ins exist. */
export const AT_DEPLOY = "<resolved at deploy>";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Replaces every value that exists only because of the mocks (scripts/lib/mocks.ts) with a placeholder, so the plan
 * never shows a mock's account ID, ARN, ID, digest or add-on version as if it were real. Values from config stay.
 */
export function placeholdersFor(e: Evaluation): (text: string) => string {
  const effective = (e.effective ?? {}) as {
    accountId?: string;
    registry?: { ownerStack?: string };
    cluster?: { addonVersions?: Record<string, string> };
  };
  // The caller's account (getCallerIdentity) is the stack's platform:accountId only once allowedAccountIds holds.
  const account = escape(effective.accountId ?? MOCK_ACCOUNT);
  const pinnedAddons = new Set(Object.values(effective.cluster?.addonVersions ?? {}));
  // Auto-named buckets get a random suffix from the engine; the mock's is a hash of the name.
  const autoNamed = e.resources
    .filter((r) => r.type === "aws:s3/bucket:Bucket" && r.inputs.bucket === undefined)
    .map((r) => [`${r.name}-${short(r.name)}`, `${r.name}-<random suffix>`] as const);
  const rules: [RegExp, string | ((m: string) => string)][] = [
    [/arn:aws:mock:[^\s"',\]}`]*/g, AT_DEPLOY],
    [/sha256:[0-9a-f]{64}/g, "<image digest at deploy>"],
    [
      /\b(vpc-[0-9a-f]{8}|subnet-(public|private)-[0-9a-f]{8}\d+|sg-(cluster|node)-[0-9a-f]{8}|nat-\d+)\b/g,
      AT_DEPLOY,
    ],
    [/(oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/)[0-9A-F]{8}\b/g, `$1<id at deploy>`],
    // Subnet CIDRs the mocks make up (scripts/lib/mocks.ts getSubnet).
    [/\b198\.18\.\d{1,3}\.0\/24\b/g, "<subnet CIDR at deploy>"],
    // The stack's own account: in ARNs the mocks build, and in the registry URL of the stack that owns it.
    [new RegExp(`(arn:aws:(?:iam|eks|logs)::?[a-z0-9-]*:)${account}:`, "g"), "$1<account>:"],
    ...(effective.registry?.ownerStack === e.stack
      ? [[new RegExp(`\\b${account}(\\.dkr\\.ecr\\.)`, "g"), "<account>$1"] as [RegExp, string]]
      : []),
    [
      /v1\.\d+\.0-eksbuild\.1/g,
      (m: string) => (pinnedAddons.has(m) ? m : "<latest for the cluster version at deploy>"),
    ],
    ...autoNamed.map(
      ([mock, shown]) => [new RegExp(`\\b${escape(mock)}\\b`, "g"), shown] as [RegExp, string],
    ),
  ];
  return (text) => rules.reduce((t, [re, to]) => t.replace(re, to as never), text);
}
