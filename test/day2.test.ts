import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateStack } from "../scripts/lib/evaluate";
import {
  ENVIRONMENTS,
  copyProject,
  effective,
  one,
  ofType,
  stackOf,
  transitiveDeps,
  type Evaluation,
  type RecordedResource,
  RELEASE,
} from "./harness";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";

const namespaceNamed = (e: Evaluation, name: string): RecordedResource => {
  const found = ofType(e, NAMESPACE).filter((r) => (r.inputs as any).metadata?.name === name);
  assert.equal(found.length, 1, `one Namespace object named ${name} in ${e.stack}`);
  return found[0];
};
const storageClassNamed = (e: Evaluation, name: string) =>
  ofType(e, STORAGE_CLASS).find((r) => (r.inputs as any).metadata?.name === name);

describe("Day 2: namespaces, volumes and releases that survive", () => {
  for (const stack of ENVIRONMENTS) {
    describe(stack, () => {
      it("owns the service namespace, labelled for ALB readiness gates, before any release uses it", async () => {
        const e = await stackOf(stack);
        const name = effective(e).service.namespace as string;
        const ns = namespaceNamed(e, name);
        assert.equal(
          (ns.inputs as any).metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"],
          "enabled",
        );
        for (const r of ofType(e, RELEASE).filter((x) => x.inputs.namespace === name)) {
          assert.notEqual(r.inputs.createNamespace, true, `${r.name} must not create ${name} on the side`);
          assert.ok(transitiveDeps(e, r).has(ns.urn), `${r.name} waits for the ${name} Namespace`);
        }
        assert.ok(ofType(e, RELEASE).some((r) => r.inputs.namespace === name));
      });

      it("protects the namespaces that hold data in prod only", async () => {
        const e = await stackOf(stack);
        const prod = stack === "prod";
        for (const name of ["monitoring", effective(e).service.namespace as string]) {
          const ns = namespaceNamed(e, name);
          assert.equal(Boolean(ns.protect), prod, `${name}: protect`);
          assert.equal(Boolean(ns.retainOnDelete), prod, `${name}: retainOnDelete`);
        }
      });

      it("puts Postgres on a Retain StorageClass in prod, and on the default class elsewhere", async () => {
        const e = await stackOf(stack);
        const cls = (one(e, RELEASE, "postgres").inputs as any).values.cluster.storage.storageClass as string;
        const sc = storageClassNamed(e, cls);
        assert.ok(sc, `StorageClass ${cls} exists`);
        assert.equal((sc.inputs as any).reclaimPolicy, stack === "prod" ? "Retain" : "Delete");
        assert.equal((sc.inputs as any).volumeBindingMode, "WaitForFirstConsumer");
        assert.ok(
          transitiveDeps(e, one(e, RELEASE, "postgres")).has(sc.urn),
          "the release waits for its class",
        );
      });
    });
  }

  describe("a chart edit without a version bump", () => {
    let dir: string;
    let original: Evaluation;
    let edited: Evaluation;
    before(async () => {
      original = await stackOf("alpha");
      dir = copyProject("chart-hash-");
      const template = path.join(dir, "charts", "go-service", "templates", "service.yaml");
      fs.appendFileSync(template, "\n# an edited template\n");
      edited = await evaluateStack("alpha", { dir });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("changes the planned release inputs, so `pulumi up` upgrades the release", () => {
      assert.equal(edited.error, undefined);
      const [a, b] = [original, edited].map((e) => one(e, RELEASE, "go-service").inputs);
      assert.equal(a.version, b.version, "the chart version is unchanged");
      assert.notDeepEqual(a, b, "the release inputs differ");
      assert.match(String(b.description), /sha256:[0-9a-f]{64}/);
    });
  });
});
