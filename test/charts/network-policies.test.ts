import * as assert from "node:assert/strict";
import { ENVIRONMENTS, effective, ofType, one, stackOf } from "../harness";
import { type Pod, type Source, allowed } from "./netpol";
import { render } from "./tools";

const hostIn = (cidr: string) => cidr.replace(/\.0\/\d+$/, ".10");

/**
 * The allowed network paths of each stack, asked of the manifests themselves: the program's NetworkPolicies as it
 * sends them, plus the go-service chart rendered with the values the program hands it.
 */
describe("NetworkPolicies: allowed paths per environment", function () {
  this.timeout(120000);
  for (const stack of ENVIRONMENTS) {
    it(stack, async () => {
      const e = await stackOf(stack);
      const cfg = effective(e);
      const release = one(e, "kubernetes:helm.sh/v3:Release", "go-service");
      const values = (release.inputs as any).values;
      const chartPolicies = render(values, stack)
        .objects.filter((o) => o.kind === "NetworkPolicy")
        .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: release.inputs.namespace } }));
      const policies = [
        ...ofType(e, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs),
        ...chartPolicies,
      ];
      const out = (name: string) => e.outputs[name].value as string[];
      const albCidrs = out(
        cfg.service.ingress.scheme === "internet-facing" ? "publicSubnetCidrs" : "privateSubnetCidrs",
      );
      const albNode: Source = { ip: hostIn(albCidrs[0]) };
      // A pod in a subnet the ALB does not use: with the VPC CNI, pods take VPC addresses.
      const otherSubnet =
        cfg.service.ingress.scheme === "internet-facing" ? "privateSubnetCidrs" : "publicSubnetCidrs";
      const vpcPod: Source = { ip: hostIn(out(otherSubnet)[0]) };

      const app = cfg.service.namespace;
      const pod = (namespace: string, labels: Record<string, string> = {}): Pod => ({ namespace, labels });
      const service = pod(app, {
        "app.kubernetes.io/name": "go-service",
        "app.kubernetes.io/instance": "go-service",
      });
      const postgres = pod(app, { "cnpg.io/cluster": "postgres" });
      const stranger = pod(app, { app: "debug-shell" });
      const prometheus = pod("monitoring", { "app.kubernetes.io/name": "prometheus" });
      const grafana = pod("monitoring", { "app.kubernetes.io/name": "grafana" });
      const fluentBit = pod("logging", { "app.kubernetes.io/name": "fluent-bit" });
      const operator = pod("cnpg-system", { "app.kubernetes.io/name": "cloudnative-pg" });
      const can = (target: Pod, source: Source, port: number, name?: string) =>
        allowed(policies, target, source, { number: port, name });

      // The service: its ALB's subnets only, never the whole VPC; metrics from Prometheus only.
      assert.ok(!values.networkPolicy.ingressCidrs.includes(cfg.network.cidr), "not the VPC CIDR");
      assert.deepEqual(values.networkPolicy.ingressCidrs, albCidrs);
      assert.equal(can(service, albNode, 8080, "http"), true, "ALB → service");
      assert.equal(can(service, vpcPod, 8080, "http"), false, "another VPC address → service");
      assert.equal(can(service, stranger, 8080, "http"), false, "pod in the namespace → service");
      assert.equal(can(service, prometheus, 9090, "metrics"), true, "Prometheus → service metrics");

      // Postgres: the service, the operator, its own instances and Prometheus's scrape; nobody else.
      assert.equal(can(postgres, service, 5432), true, "service → Postgres");
      assert.equal(can(postgres, operator, 8000), true, "operator → instance manager");
      assert.equal(can(postgres, postgres, 5432), true, "replication");
      assert.equal(can(postgres, prometheus, 9187), true, "Prometheus → exporter");
      assert.equal(can(postgres, prometheus, 5432), false, "Prometheus → SQL");
      assert.equal(can(postgres, stranger, 5432), false, "other pod in the namespace → Postgres");
      assert.equal(can(postgres, fluentBit, 5432), false, "another namespace → Postgres");
      assert.equal(can(postgres, vpcPod, 5432), false, "VPC address → Postgres");
      assert.equal(can(stranger, vpcPod, 8080), false, "the application namespace is closed by default");

      // Monitoring: open inside, closed outside; Grafana's port to its ALB's subnets only when it has one.
      assert.equal(can(prometheus, grafana, 9090), true, "Grafana → Prometheus");
      assert.equal(can(prometheus, service, 9090), false, "service → Prometheus");
      assert.equal(can(grafana, stranger, 3000), false, "application pod → Grafana");
      const grafanaAlb: Source = {
        ip: hostIn(out(cfg.grafana.scheme === "internal" ? "privateSubnetCidrs" : "publicSubnetCidrs")[0]),
      };
      assert.equal(can(grafana, grafanaAlb, 3000), Boolean(cfg.grafana.hostname), "Grafana's ALB → Grafana");

      // Fluent Bit: Prometheus's scrape only.
      assert.equal(can(fluentBit, prometheus, 2020), true, "Prometheus → Fluent Bit");
      assert.equal(can(fluentBit, service, 2020), false, "service → Fluent Bit");
    });
  }
});
