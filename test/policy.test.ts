import { strict as assert } from "node:assert";
import { checkStack } from "../policy/evaluate";
import { ENVIRONMENTS, stackOf } from "./harness";

describe("policy pack over the real stacks", () => {
  for (const stack of ENVIRONMENTS) {
    it(`${stack} passes every policy of the pack`, async () => {
      const e = await stackOf(stack);
      const violations = checkStack(e.resources, stack);
      assert.deepEqual(
        violations.map((v) => `${v.policy}: ${v.message}`),
        [],
      );
    });
  }

  it("would block an unprotected prod control plane (the eks component's child, as the engine sends it)", async () => {
    const e = await stackOf("prod");
    const resources = e.resources.map((r) =>
      r.type === "aws:eks/cluster:Cluster" ? { ...r, protect: false } : r,
    );
    const violations = checkStack(resources, "prod").filter((v) => v.enforcementLevel === "mandatory");
    assert.ok(
      violations.some((v) => v.policy === "prod-protect-stateful"),
      JSON.stringify(violations),
    );
  });
});
