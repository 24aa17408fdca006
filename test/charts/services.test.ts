import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { estimateCost } from "../../scripts/lib/cost";
import { checkStack } from "../../policy/evaluate";
import {
  byUrn,
  copyProject,
  effective,
  evaluation,
  ofType,
  one,
  stackOf,
  type Evaluation,
  RELEASE,
} from "../harness";
import { type Pod, type Source, allowed } from "./netpol";
import { render } from "./tools";
import { problems } from "../config-raw";

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const values = (e: Evaluation, name: string) => one(e, RELEASE, name).inputs.values as Record<string, any>;
const hostIn = (cidr: string) => cidr.replace(/\.0\/\d+$/, ".10");

/** The real stack file plus a second service, as a stack-config PR would add it. */
function withBilling(stack: string): Promise<Evaluation> {
  const dir = copyProject(`services-${stack}-`);
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  fs.appendFileSync(
    file,
    [
      "  platform:services:",
      "    billing:",
      "      namespace: billing",
      `      appUrl: https://billing.${stack}.example.com`,
      "      logLevel: warn",
      "",
    ].join("\n"),
  );
  return evaluation(stack, { dir });
}

describe("more than one service (platform:services)", function () {
  this.timeout(180000);
  for (const stack of ["alpha", "prod"]) {
    describe(stack, () => {
      let two: Evaluation;
      before(async () => {
        two = await withBilling(stack);
        if (two.error) throw new Error(two.error);
      });

      it("installs one release per service, each with its own name, namespace, settings and URL", async () => {
        const releases = ofType(two, RELEASE).filter((r) => r.inputs.chart === "./charts/go-service");
        assert.deepEqual(releases.map((r) => r.inputs.name).sort(), ["billing", "go-service"]);
        assert.deepEqual(releases.map((r) => r.inputs.namespace).sort(), [
          "billing",
          effective(two).service.namespace,
        ]);
        const [first, billing] = [values(two, "go-service"), values(two, "billing")];
        assert.equal(billing.fullnameOverride, "billing");
        assert.equal(billing.log_level, "warn");
        assert.equal(first.log_level, effective(two).service.logLevel);
        // Inherited from platform:service: the entry holds only what differs.
        assert.equal(billing.replicaCount, first.replicaCount);
        assert.deepEqual(two.outputs.serviceUrls.value, {
          "go-service": effective(two).service.appUrl,
          billing: `https://billing.${stack}.example.com`,
        });
      });

      it("runs every service at the one shared tag and digest", async () => {
        const [first, billing] = [values(two, "go-service").image, values(two, "billing").image];
        assert.deepEqual(billing, first);
        assert.equal(billing.tag, effective(two).imageTag);
        assert.equal(billing.digest, two.outputs.serviceImageDigest.value);
      });

      it("gives each service its own CloudNativePG cluster in its namespace, through the chart's Secret interface", async () => {
        const clusters = ofType(two, RELEASE).filter((r) => r.inputs.chart === "cluster");
        assert.deepEqual(clusters.map((r) => r.inputs.namespace).sort(), [
          "billing",
          effective(two).service.namespace,
        ]);
        const db = values(two, "billing").database;
        assert.deepEqual(db, {
          secretName: "postgres-app",
          caSecretName: "postgres-ca",
          namespace: "billing",
          podLabels: { "cnpg.io/cluster": "postgres" },
        });
        const billingRelease = one(two, RELEASE, "billing");
        assert.ok(billingRelease.dependsOn.includes(one(two, RELEASE, "postgres-billing").urn));
        // One operator for all clusters.
        assert.equal(ofType(two, RELEASE).filter((r) => r.inputs.chart === "cloudnative-pg").length, 1);
      });

      it("gives each service its own Ingress host", async () => {
        const hosts = ["go-service", "billing"].map((name) => {
          const ingress = render(values(two, name), `${stack} ${name}`, name).objects.find(
            (o) => o.kind === "Ingress",
          );
          return (ingress as any).spec.rules[0].host;
        });
        assert.deepEqual(hosts, [
          new URL(effective(two).service.appUrl).host,
          `billing.${stack}.example.com`,
        ]);
      });

      it("gives each service its own Grafana dashboard: file, uid and title (the sidecar keeps one per file name)", () => {
        const dashboards = ["go-service", "billing"].map((name) => {
          const cm = render(values(two, name), `${stack} ${name}`, name).objects.find(
            (o) => o.metadata?.labels?.grafana_dashboard === "1",
          )!;
          const [[file, json]] = Object.entries(cm.data as Record<string, string>);
          const { uid, title } = JSON.parse(json);
          return { namespace: cm.metadata.namespace, file, uid, title };
        });
        assert.equal(dashboards[0].namespace, dashboards[1].namespace, "both in Grafana's namespace");
        for (const key of ["file", "uid", "title"] as const)
          assert.notEqual(dashboards[0][key], dashboards[1][key], key);
        // Grafana refuses a uid longer than 40 characters.
        for (const d of dashboards) assert.ok(d.uid.length <= 40, d.uid);
      });

      it("admits each service to its own database only", async () => {
        const chartPolicies = ["go-service", "billing"].flatMap((name) =>
          render(values(two, name), `${stack} ${name}`, name)
            .objects.filter((o) => o.kind === "NetworkPolicy")
            .map((o) => ({
              ...o,
              metadata: { ...o.metadata, namespace: one(two, RELEASE, name).inputs.namespace },
            })),
        );
        const policies = [...ofType(two, NETPOL).map((r) => r.inputs), ...chartPolicies];
        const ns = effective(two).service.namespace;
        const app = (namespace: string, name: string): Pod => ({
          namespace,
          labels: { "app.kubernetes.io/name": "go-service", "app.kubernetes.io/instance": name },
        });
        const db = (namespace: string): Pod => ({ namespace, labels: { "cnpg.io/cluster": "postgres" } });
        const can = (target: Pod, source: Source, port: number, name?: string) =>
          allowed(policies, target, source, { number: port, name });
        assert.equal(can(db("billing"), app("billing", "billing"), 5432), true, "billing → its database");
        assert.equal(can(db(ns), app(ns, "go-service"), 5432), true, "go-service → its database");
        assert.equal(
          can(db("billing"), app(ns, "go-service"), 5432),
          false,
          "go-service → billing's database",
        );
        assert.equal(can(db(ns), app("billing", "billing"), 5432), false, "billing → go-service's database");
        const alb: Source = { ip: hostIn((two.outputs.publicSubnetCidrs.value as string[])[0]) };
        assert.equal(can(app("billing", "billing"), alb, 8080, "http"), true, "ALB → billing");
        const prometheus: Pod = {
          namespace: "monitoring",
          labels: { "app.kubernetes.io/name": "prometheus" },
        };
        assert.equal(
          can(app("billing", "billing"), prometheus, 9090, "metrics"),
          true,
          "Prometheus → billing metrics",
        );
        assert.equal(values(two, "billing").serviceMonitor.enabled, true);
        const operator: Pod = {
          namespace: "cnpg-system",
          labels: { "app.kubernetes.io/name": "cloudnative-pg" },
        };
        assert.equal(can(db("billing"), operator, 8000), true, "operator → billing's instance manager");
      });

      it("keeps the existing service's resources exactly as they were (no replacement)", async () => {
        const one1 = await stackOf(stack);
        for (const r of one1.resources) assert.ok(byUrn(two, r.urn), `${r.urn} is kept`);
        for (const name of ["go-service", "postgres"]) {
          const [a, b] = [one(one1, RELEASE, name), one(two, RELEASE, name)];
          assert.equal(b.urn, a.urn);
          assert.deepEqual(b.inputs, a.inputs, `${name}'s inputs are unchanged`);
        }
      });

      it("passes the policy pack and is priced by the cost model", async () => {
        assert.deepEqual(
          checkStack(two.resources, stack).map((v) => `${v.policy}: ${v.message}`),
          [],
        );
        const [a, b] = [estimateCost(await stackOf(stack)), estimateCost(two)];
        assert.ok(b.requests.cpuMillis > a.requests.cpuMillis, "the second service's requests are counted");
        const albs = (c: typeof a) => c.lines.find((l) => l.item === "Load balancers")!.detail;
        assert.match(albs(b), new RegExp(`^${Number(albs(a).split(" ")[0]) + 1} ALBs`));
        assert.ok(b.total > a.total);
      });
    });
  }

  it("rejects a shared namespace or host, the name go-service and unknown keys, naming file and key", () => {
    const found = problems("beta", {
      "platform:services": {
        "go-service": { namespace: "other", appUrl: "https://other.example.com" },
        billing: { namespace: "go-service", appUrl: "https://api.beta.example.com", replica: 2 },
      },
    });
    const has = (re: RegExp) =>
      assert.ok(
        found.some((p) => re.test(p)),
        `${re} in\n${found.join("\n")}`,
      );
    has(/^Pulumi\.beta\.yaml: platform:services\.go-service: .*allowed: a name other than go-service/);
    has(/^Pulumi\.beta\.yaml: platform:services\.billing\.replica: unknown key/);
    has(/^Pulumi\.beta\.yaml: platform:services\.billing\.namespace: .*a namespace of its own/);
    has(/^Pulumi\.beta\.yaml: platform:services\.billing\.appUrl: .*a hostname of its own/);
  });

  it("gives every blue-green preview a host of its own: a host another rule answers would get no traffic", () => {
    const blueGreen = { strategy: "blueGreen", previewHost: "preview.example.com" };
    const found = problems("prod", {
      "platform:service": { rollout: { ...blueGreen, previewHost: "api.example.com" } },
      "platform:services": {
        // Inherits platform:service's preview host unless it names its own.
        billing: { namespace: "billing", appUrl: "https://billing.example.com" },
        ledger: { namespace: "ledger", appUrl: "https://ledger.example.com", rollout: blueGreen },
        audit: { namespace: "audit", appUrl: "https://preview.example.com" },
      },
    });
    assert.deepEqual(
      found.filter((p) => /hostname of its own/.test(p)),
      [
        `Pulumi.prod.yaml: platform:service.rollout.previewHost: found "api.example.com"; allowed: a hostname of its own (api.example.com is go-service's Ingress host)`,
        `Pulumi.prod.yaml: platform:services.billing.rollout.previewHost: found "api.example.com"; allowed: a hostname of its own (api.example.com is go-service's Ingress host)`,
        `Pulumi.prod.yaml: platform:services.audit.appUrl: found "https://preview.example.com"; allowed: a hostname of its own (preview.example.com is ledger preview's Ingress host)`,
        `Pulumi.prod.yaml: platform:services.audit.rollout.previewHost: found "api.example.com"; allowed: a hostname of its own (api.example.com is go-service's Ingress host)`,
      ],
    );
  });

  it("sizes a service's database apart: platform:postgres.services.<name> over platform:postgres", async () => {
    const dir = copyProject("database-size-");
    const file = path.join(dir, "Pulumi.prod.yaml");
    const doc = parseDocument(fs.readFileSync(file, "utf8"));
    doc.setIn(["config", "platform:services", "billing"], {
      namespace: "billing",
      appUrl: "https://billing.example.com",
    });
    doc.setIn(["config", "platform:postgres", "services", "billing"], {
      instances: 2,
      storageGiB: 200,
      resources: { memory: "8Gi" },
    });
    fs.writeFileSync(file, doc.toString());
    const e = await evaluation("prod", { dir });
    assert.equal(e.error, undefined, e.error);
    const shared = effective(e).postgres;
    const cluster = (name: string) => values(e, name).cluster;
    assert.equal(cluster("postgres-billing").instances, 2);
    assert.equal(cluster("postgres-billing").storage.size, "200Gi");
    // Only what the entry sets differs: the CPU, database, owner and backups stay platform:postgres's.
    assert.deepEqual(cluster("postgres-billing").resources.limits, {
      cpu: shared.resources.cpu,
      memory: "8Gi",
    });
    assert.deepEqual(cluster("postgres-billing").initdb, cluster("postgres").initdb);
    assert.deepEqual(values(e, "postgres-billing").backups.enabled, true);
    // go-service's database keeps platform:postgres's size.
    assert.equal(cluster("postgres").instances, shared.instances);
    assert.equal(cluster("postgres").storage.size, `${shared.storageGiB}Gi`);
  });

  it("refuses a database size for no further service, and a prod one without a replica", () => {
    const found = problems("prod", {
      "platform:services": { billing: { namespace: "billing", appUrl: "https://billing.example.com" } },
      "platform:postgres": {
        services: { billing: { instances: 1 }, biling: { storageGiB: 20 }, ledger: { cpu: 1 } },
      },
    });
    assert.deepEqual(
      found.filter((p) => p.includes("platform:postgres.services")),
      [
        "Pulumi.prod.yaml: platform:postgres.services.ledger.cpu: unknown key; allowed keys: instances, storageGiB, resources",
        `Pulumi.prod.yaml: platform:postgres.services.billing.instances: found 1; allowed in prod: at least 2 (a replica to fail over to)`,
        "Pulumi.prod.yaml: platform:postgres.services.biling: found an object; allowed: a service of platform:services (billing); platform:postgres itself sizes go-service's",
        "Pulumi.prod.yaml: platform:postgres.services.ledger: found an object; allowed: a service of platform:services (billing); platform:postgres itself sizes go-service's",
      ],
    );
  });

  it("holds prod's rules for every service", () => {
    const found = problems("prod", {
      "platform:services": {
        billing: { namespace: "billing", appUrl: "https://billing.example.com", replicas: 1 },
      },
    });
    assert.ok(
      found.some((p) =>
        /^Pulumi\.prod\.yaml: platform:services\.billing\.replicas: .*allowed in prod: at least 2/.test(p),
      ),
      found.join("\n"),
    );
  });
});
