import * as assert from "node:assert/strict";
import { HELM_RELEASE } from "../rules/helm";
import { prodEksDeletionProtection, prodProtectStateful } from "../rules/protection";
import { resourceOutcome, runResourcePolicy } from "./util";

const prod = (type: string, name: string, props: Record<string, unknown> = {}, protect = false) => ({
  type,
  name,
  props,
  stack: "prod",
  opts: { protect },
});

describe("policy: prod protection", () => {
  const stateful: [string, string, Record<string, unknown>][] = [
    ["aws:ecr/repository:Repository", "registry", {}],
    ["aws:kms/key:Key", "cluster-secrets", {}],
    ["aws:eks/cluster:Cluster", "cluster-eksCluster", {}],
    ["aws:s3/bucket:Bucket", "backups", {}],
    [HELM_RELEASE, "crds", { chart: "prometheus-operator-crds", name: "prometheus-operator-crds" }],
    [HELM_RELEASE, "postgres", { chart: "cluster", name: "platform-db" }],
    [HELM_RELEASE, "db", { chart: "oci://ghcr.io/cloudnative-pg/charts/cluster" }],
    [HELM_RELEASE, "app-db", { chart: "some-chart", name: "app-postgres" }],
  ];
  for (const [type, name, props] of stateful) {
    it(`requires protect on ${type} "${name}" in prod`, async () => {
      assert.deepEqual(await runResourcePolicy(prodProtectStateful, prod(type, name, props)), [
        `${type} "${name}" is not protected in prod; a replace or a stray destroy would delete its data. ` +
          `Fix: create it with { protect: true }.`,
      ]);
      assert.deepEqual(await runResourcePolicy(prodProtectStateful, prod(type, name, props, true)), []);
    });
  }

  it("does not apply outside prod, nor to stateless releases or the CloudNativePG operator", () => {
    const alpha = { ...prod("aws:kms/key:Key", "k"), stack: "alpha" };
    assert.equal(resourceOutcome(prodProtectStateful, alpha).kind, "not-applicable");
    const grafana = prod(HELM_RELEASE, "grafana", { chart: "grafana", name: "grafana" });
    assert.equal(resourceOutcome(prodProtectStateful, grafana).kind, "not-applicable");
    const operator = prod(HELM_RELEASE, "cnpg", { chart: "cloudnative-pg", name: "cnpg-postgres-operator" });
    assert.equal(resourceOutcome(prodProtectStateful, operator).kind, "not-applicable");
  });

  it("prod-eks-deletion-protection requires deletionProtection in prod", async () => {
    assert.deepEqual(
      await runResourcePolicy(
        prodEksDeletionProtection,
        prod("aws:eks/cluster:Cluster", "cluster-eksCluster", {}),
      ),
      [
        `aws:eks/cluster:Cluster "cluster-eksCluster" has no deletion protection in prod. Fix: set deletionProtection: true.`,
      ],
    );
    const on = prod("aws:eks/cluster:Cluster", "cluster-eksCluster", { deletionProtection: true });
    assert.deepEqual(await runResourcePolicy(prodEksDeletionProtection, on), []);
    assert.equal(resourceOutcome(prodEksDeletionProtection, { ...on, stack: "uat" }).kind, "not-applicable");
  });
});
