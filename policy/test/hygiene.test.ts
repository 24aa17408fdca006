import * as assert from "node:assert/strict";
import { kmsKeyRotation, logGroupRetention } from "../rules/hygiene";
import { runResourcePolicy } from "./util";

describe("policy: hygiene", () => {
  it("kms-key-rotation requires rotation on symmetric keys", async () => {
    const key = (props: Record<string, unknown>) => ({ type: "aws:kms/key:Key", name: "secrets", props });
    assert.deepEqual(await runResourcePolicy(kmsKeyRotation, key({ enableKeyRotation: true })), []);
    assert.deepEqual(await runResourcePolicy(kmsKeyRotation, key({})), [
      `aws:kms/key:Key "secrets" does not rotate. Fix: set enableKeyRotation: true.`,
    ]);
    assert.deepEqual(await runResourcePolicy(kmsKeyRotation, key({ customerMasterKeySpec: "RSA_2048" })), []);
  });

  it("log-group-retention requires a finite retention", async () => {
    const group = (props: Record<string, unknown>) => ({
      type: "aws:cloudwatch/logGroup:LogGroup",
      name: "logs",
      props,
    });
    assert.deepEqual(await runResourcePolicy(logGroupRetention, group({ retentionInDays: 30 })), []);
    assert.deepEqual(await runResourcePolicy(logGroupRetention, group({})), [
      `aws:cloudwatch/logGroup:LogGroup "logs" keeps logs forever (retentionInDays unset). ` +
        `Fix: set retentionInDays (e.g. 30, 90 in prod).`,
    ]);
    assert.equal((await runResourcePolicy(logGroupRetention, group({ retentionInDays: 0 }))).length, 1);
  });
});
