import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { CHART_DIR, CHART_PATH } from "../components/service";
import { evaluateStack } from "../scripts/lib/evaluate";
import {
  ENVIRONMENTS,
  byUrn,
  copyProject,
  effective,
  evaluation,
  one,
  ofType,
  stackOf,
  type Evaluation,
  type RecordedResource,
  RELEASE,
} from "./harness";

const APP_MODE = { alpha: "alpha", beta: "beta", uat: "uat", prod: "production" } as const;

const serviceRelease = (e: Evaluation) => one(e, RELEASE, "go-service");
const values = (e: Evaluation) => serviceRelease(e).inputs.values as Record<string, any>;
const output = (e: Evaluation, name: string) => e.outputs[name]?.value;
const releaseNamed = (e: Evaluation, name: string) => one(e, RELEASE, name).urn;

describe("Go service", () => {
  for (const stack of ENVIRONMENTS) {
    describe(stack, () => {
      it("installs the local chart atomically into the service namespace, at the chart's version", async () => {
        const e = await stackOf(stack);
        const r = serviceRelease(e);
        const chart = parseDocument(fs.readFileSync(path.join(CHART_DIR, "Chart.yaml"), "utf8")).toJS();
        assert.equal(r.inputs.chart, CHART_PATH);
        assert.equal(r.inputs.version, chart.version);
        assert.equal(r.inputs.namespace, effective(e).service.namespace);
        assert.equal(r.inputs.atomic, true);
        assert.equal(r.inputs.cleanupOnFail, true);
      });

      it("deploys the shared tag as repository@digest from the one ECR repository", async () => {
        const e = await stackOf(stack);
        const image = values(e).image;
        assert.equal(image.repository, output(e, "ecrRepositoryUrl"));
        assert.equal(image.tag, effective(e).imageTag);
        assert.match(image.digest, /^sha256:[0-9a-f]{64}$/);
        assert.equal(output(e, "serviceImageTag"), image.tag);
        assert.equal(output(e, "serviceImageDigest"), image.digest);
      });

      it("takes mode, URL, sizing and log level from the environment's settings", async () => {
        const e = await stackOf(stack);
        const s = effective(e).service;
        const v = values(e);
        assert.equal(v.app_mode, APP_MODE[stack]);
        assert.equal(v.app_url, s.appUrl);
        assert.equal(output(e, "serviceUrl"), s.appUrl);
        assert.equal(v.log_level, s.logLevel);
        assert.equal(v.replicaCount, s.replicas);
        assert.deepEqual(v.autoscaling, s.autoscaling);
        assert.deepEqual(v.resources, s.resources);
        assert.equal(v.podAntiAffinity, s.podAntiAffinity);
        const zones = v.topologySpread.whenUnsatisfiable;
        assert.equal(zones, s.zoneSpread === "required" ? "DoNotSchedule" : "ScheduleAnyway");
        assert.equal(v.ingress.enabled, s.ingress.enabled);
      });

      it("reads database credentials from the CloudNativePG app Secret next to it", async () => {
        const e = await stackOf(stack);
        const db = values(e).database;
        assert.equal(db.secretName, output(e, "postgresAppSecret"));
        // The CA CloudNativePG issues for this cluster: the service verifies the server against it (verify-full).
        assert.equal(db.caSecretName, `${db.podLabels["cnpg.io/cluster"]}-ca`);
        assert.equal(db.namespace, output(e, "postgresNamespace"));
        assert.deepEqual(db.podLabels, { "cnpg.io/cluster": "postgres" });
        assert.equal(JSON.stringify(values(e)).includes("password"), false);
      });

      it("waits only for the ServiceMonitor CRDs, Postgres, the controller (with an Ingress), metrics-server (with an HPA) and Argo Rollouts (canary, blueGreen)", async () => {
        const e = await stackOf(stack);
        const waitsFor = serviceRelease(e)
          .dependsOn.map((urn) => byUrn(e, urn))
          .filter((r): r is RecordedResource => r !== undefined);
        const releases = waitsFor.filter((r) => r.type === RELEASE).map((r) => r.urn);
        const expected = ["prometheus-operator-crds", "postgres"];
        if (effective(e).service.ingress.enabled) expected.push("aws-load-balancer-controller");
        // An HPA reads the metrics API: the release waits for metrics-server (test/day2.test.ts).
        if (effective(e).service.autoscaling.enabled) expected.push("metrics-server");
        if (effective(e).service.rollout.strategy !== "rolling") expected.push("argo-rollouts");
        assert.deepEqual(releases.sort(), expected.map((n) => releaseNamed(e, n)).sort());
        // Beyond those: only the objects whose outputs feed its values (namespace, repository, WAF ACL, VPC subnets).
        const other = waitsFor.filter((r) => r.type !== RELEASE).map((r) => r.type);
        for (const type of other)
          assert.ok(
            [
              "kubernetes:core/v1:Namespace",
              "aws:ecr/repository:Repository",
              "aws:wafv2/webAcl:WebAcl",
              // The ALB's subnets: their CIDRs are the only sources the NetworkPolicy admits.
              "awsx:ec2:Vpc",
            ].includes(type),
            `go-service waits for ${type}`,
          );
      });
    });
  }

  it("runs the same bytes in every environment that shares the tag", async () => {
    const all = await Promise.all(ENVIRONMENTS.map((s) => stackOf(s)));
    const byTag = new Map<string, Set<string>>();
    for (const e of all) {
      const { tag, digest, repository } = values(e).image;
      byTag.set(`${repository}:${tag}`, (byTag.get(`${repository}:${tag}`) ?? new Set()).add(digest));
    }
    for (const [ref, digests] of byTag) assert.equal(digests.size, 1, `${ref} resolves to ${[...digests]}`);
    assert.equal(
      new Set(all.map((e) => values(e).image.repository)).size,
      1,
      "one repository for all stacks",
    );
  });

  it("fails the preview naming tag and repository when the tag is not in ECR", async () => {
    const e = await evaluation("beta", { images: ["0000000"] });
    assert.ok(e.error, "the program must fail");
    assert.match(
      e.error,
      new RegExp(
        `image tag "${effective(await stackOf("beta")).imageTag}" was not found in ECR repository "go-service"`,
      ),
    );
  });

  describe("while bootstrapping (service.enabled: false)", function () {
    this.timeout(120000);
    let dir: string;
    let e: Evaluation;
    before(async () => {
      dir = copyProject("service-test-");
      const file = path.join(dir, "Pulumi.alpha.yaml");
      const doc = parseDocument(fs.readFileSync(file, "utf8"));
      doc.setIn(["config", "platform:service", "enabled"], false);
      fs.writeFileSync(file, doc.toString());
      // An empty registry: the first image is not pushed yet.
      e = await evaluateStack("alpha", { dir, images: [] });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("creates the platform and the registry without the service or any image lookup", () => {
      assert.equal(e.error, undefined);
      assert.equal(ofType(e, "platform:service:GoService").length, 0);
      assert.ok(one(e, "aws:ecr/repository:Repository"));
      assert.ok(one(e, RELEASE, "postgres"));
      assert.equal(output(e, "serviceImageDigest"), null);
      assert.equal(output(e, "serviceUrl"), null);
    });
  });
});
