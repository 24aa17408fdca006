/**
 * Every AWS-managed ARN the program hands to AWS comes from components/aws-managed.ts, whose entries come from
 * @pulumi/aws's ManagedPolicy enum or a dated AWS reference. Mocks accept any ARN; AWS answers NoSuchEntity.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import {
  EKS_ACCESS_POLICY,
  IAM_MANAGED_POLICY,
  IAM_MANAGED_POLICY_FROM_AWS_REFERENCE,
} from "../components/aws-managed";
import { ENVIRONMENTS, stackOf } from "./harness";

const MANAGED_ARN = /arn:aws:(?:iam::aws:policy|eks::aws:cluster-access-policy)\/[\w/+=,.@-]+/g;
const CHECKED = new Set<string>([...Object.values(IAM_MANAGED_POLICY), ...Object.values(EKS_ACCESS_POLICY)]);
const ROOT = path.resolve(__dirname, "..");

/** Every AWS-managed ARN anywhere in a value (inputs, nested args, JSON-encoded policies). */
const arnsIn = (value: unknown): string[] => JSON.stringify(value ?? null).match(MANAGED_ARN) ?? [];

describe("AWS-managed ARNs", () => {
  it("come from @pulumi/aws's ManagedPolicy enum, or are listed with a dated AWS reference", () => {
    const fromEnum = new Set<string>(Object.values(aws.iam.ManagedPolicy));
    for (const arn of Object.values(IAM_MANAGED_POLICY)) {
      assert.ok(
        fromEnum.has(arn) || IAM_MANAGED_POLICY_FROM_AWS_REFERENCE.includes(arn),
        `${arn} is neither in aws.iam.ManagedPolicy nor backed by an AWS reference`,
      );
    }
    const source = fs.readFileSync(path.join(ROOT, "components", "aws-managed.ts"), "utf8");
    for (const arn of IAM_MANAGED_POLICY_FROM_AWS_REFERENCE) {
      const name = arn.split("/").pop()!;
      assert.ok(
        source.includes(`https://docs.aws.amazon.com/aws-managed-policy/latest/reference/${name}.html`),
        `${arn}: cite its AWS managed-policy reference page`,
      );
      assert.ok(!fromEnum.has(arn), `${arn} is in the enum now: take it from there`);
    }
  });

  for (const stack of ENVIRONMENTS) {
    it(`${stack}: every AWS-managed ARN the stack sends is a checked one`, async () => {
      const e = await stackOf(stack);
      const used = e.resources.flatMap((r) => arnsIn(r.inputs).map((arn) => `${r.type} ${r.name}: ${arn}`));
      assert.ok(used.length > 0, "the scan finds the node and add-on policies");
      const unchecked = used.filter((u) => !CHECKED.has(u.split(": ").pop()!));
      assert.deepEqual(unchecked, []);
    });
  }

  it("are written nowhere in the program but in components/aws-managed.ts", () => {
    const files = ["index.ts", ...walk("components"), ...walk("config")].filter(
      (f) => f !== path.join("components", "aws-managed.ts"),
    );
    const literal = files.flatMap((f) =>
      (fs.readFileSync(path.join(ROOT, f), "utf8").match(MANAGED_ARN) ?? []).map((a) => `${f}: ${a}`),
    );
    assert.deepEqual(literal, []);
  });
});

function walk(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
    const rel = path.join(dir, d.name);
    if (d.isDirectory()) return walk(rel);
    return d.name.endsWith(".ts") ? [rel] : [];
  });
}
