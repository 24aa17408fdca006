/**
 * The chart/service contract, tested both ways (npm run test:service, which starts the PostgreSQL and builds the
 * binary): for each environment, the go-service chart is rendered with the values the program hands that stack's
 * release; the built binary then runs with exactly the container's environment and mounted files (from the test
 * PostgreSQL's credentials, TLS verify-full), and is probed as the kubelet and Prometheus would. A chart change the
 * service does not follow, or a service change the chart does not provide, fails here.
 */
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ENVIRONMENTS, one, stackOf } from "../harness";
import { render, type K8sObject } from "../charts/tools";
import {
  bytes,
  containerEnv,
  containerPort,
  get,
  mountVolumes,
  probe,
  succeeded,
  type Secrets,
} from "./kubelet";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run npm run test:service`);
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const find = (objects: K8sObject[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  assert.equal(found.length, 1, `one ${kind} rendered`);
  return found[0];
};

/** The Secrets CloudNativePG creates for cluster `cluster`, filled from the test PostgreSQL. */
function cloudNativePgSecrets(appSecret: string, cluster: string): Secrets {
  const dir = required("PGTEST_CREDENTIALS_DIR");
  const app = Object.fromEntries(
    ["host", "port", "dbname", "username", "password"].map((k) => [
      k,
      fs.readFileSync(path.join(dir, k), "utf8"),
    ]),
  );
  app.uri = `postgresql://${app.username}:${app.password}@${app.host}:${app.port}/${app.dbname}`;
  return {
    [appSecret]: app,
    [`${cluster}-ca`]: { "ca.crt": fs.readFileSync(required("PGTEST_CA"), "utf8") },
  };
}

/** A POST whose body is still being sent: resolves `finish`, which sends the rest and returns the status. */
function inFlightPost(port: number, urlPath: string, head: string, tail: string) {
  const req = http.request(
    { host: "127.0.0.1", port, path: urlPath, method: "POST", agent: false },
    undefined,
  );
  req.setHeader("Content-Type", "application/json");
  req.setHeader("Content-Length", Buffer.byteLength(head + tail));
  const status = new Promise<number>((resolve) => {
    req.on("response", (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
  });
  req.write(head);
  return { finish: () => (req.end(tail), status) };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code)),
  );
}

describe("service contract: the chart's rendered pod runs the service binary", function () {
  this.timeout(180000);
  const binary = required("GO_SERVICE_BIN");
  const revision = required("GO_SERVICE_REVISION");

  for (const stack of ENVIRONMENTS) {
    it(stack, async () => {
      const e = await stackOf(stack);
      const values = structuredClone(
        one(e, "kubernetes:helm.sh/v3:Release", "go-service").inputs.values as Record<string, any>,
      );
      // Free ports instead of the chart's defaults: engineers' and CI's processes share this machine. Both still
      // travel through the chart (ConfigMap PORT/METRICS_PORT, containerPorts, probes, Service, ServiceMonitor).
      values.ports = { http: await freePort(), metrics: await freePort() };
      const { objects } = render(values, stack);
      const deployment = find(objects, "Deployment");
      const pod = deployment.spec.template.spec;
      assert.equal(pod.containers.length, 1);
      const container = pod.containers[0];

      const root = fs.mkdtempSync(path.join(os.tmpdir(), `go-service-pod-${stack}-`));
      const secrets = cloudNativePgSecrets(
        values.database.secretName,
        values.database.podLabels["cnpg.io/cluster"],
      );
      const env = containerEnv(objects, container, mountVolumes(pod, container, secrets, root));
      assert.equal(env.PGSSLMODE, "verify-full", "the database interface: the server is verified");

      const child = spawn(binary, [], { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout!.on("data", (c) => (out += c));
      child.stderr!.on("data", (c) => (out += c));
      try {
        // Startup, then readiness and liveness, with the chart's paths, ports, periods and timeouts.
        await probe(container, "startup", container.startupProbe);
        await probe(container, "readiness", { ...container.readinessProbe, failureThreshold: 1 });
        await probe(container, "liveness", { ...container.livenessProbe, failureThreshold: 1 });

        // The real endpoint, through the database over verify-full TLS.
        const http_ = containerPort(container, "http");
        const item = inFlightPost(http_, "/v1/items", `{"name":"contract ${stack}"}`, "");
        assert.equal(await item.finish(), 201, `POST /v1/items:\n${out}`);

        // Prometheus: ServiceMonitor port (a Service port name) -> targetPort -> the container port, then its path.
        // The Service the prometheus-operator scrapes is the one the ServiceMonitor's selector matches (a canary
        // also renders stable and canary Services, which carry no instance label).
        const monitor = find(objects, "ServiceMonitor");
        const endpoint = monitor.spec.endpoints[0];
        const scraped = objects.filter(
          (o) =>
            o.kind === "Service" &&
            Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v),
        );
        assert.equal(scraped.length, 1, "the ServiceMonitor selects exactly one Service");
        const servicePort = scraped[0].spec.ports.find((p: any) => p.name === endpoint.port);
        assert.ok(servicePort, `the Service has a port named ${endpoint.port}`);
        const scrape = await get(
          containerPort(container, servicePort.targetPort),
          endpoint.path,
          parseInt(endpoint.scrapeTimeout, 10) * 1000,
        );
        assert.ok(succeeded(scrape), `scrape ${endpoint.path}: ${scrape.status} ${scrape.body}`);
        const readiness = container.readinessProbe.httpGet.path;
        for (const series of [
          `go_service_build_info{revision="${revision}"} 1`,
          `http_requests_total{code="200",method="GET",route="${readiness}"}`,
          `http_requests_total{code="201",method="POST",route="/v1/items"} 1`,
          `http_request_duration_seconds_bucket{code="201",method="POST",route="/v1/items",le="+Inf"} 1`,
        ])
          assert.ok(scrape.body.includes(series), `the scrape lacks ${series}`);

        // Logs: JSON lines; the runtime took GOMEMLIMIT from the limit; the drain fits the chart's window.
        const lines = out
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l));
        const starting = lines.find((l) => l.msg === "starting");
        assert.equal(starting.app_mode, env.APP_MODE);
        assert.equal(starting.gomemlimit, bytes(container.resources.limits.memory));
        const preStop = container.lifecycle.preStop.sleep?.seconds;
        assert.ok(preStop, "preStop is a native sleep: the image has no shell to exec");
        const drainWindow = pod.terminationGracePeriodSeconds - preStop;
        assert.ok(
          starting.shutdown_timeout_seconds < drainWindow,
          `the service drains for up to ${starting.shutdown_timeout_seconds}s, the chart leaves ${drainWindow}s after preStop`,
        );

        // SIGTERM (after the preStop sleep) with a request in flight: it completes, then the process exits 0 in time.
        const pending = inFlightPost(http_, "/v1/items", `{"name":"in `, `flight"}`);
        await new Promise((r) => setTimeout(r, 200));
        const sigterm = Date.now();
        child.kill("SIGTERM");
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(await pending.finish(), 201, "the in-flight request completed during the drain");
        const code = await exited(child);
        const drained = (Date.now() - sigterm) / 1000;
        assert.equal(code, 0, `exit code after SIGTERM:\n${out}`);
        assert.ok(drained < drainWindow, `drained in ${drained}s, the window is ${drainWindow}s`);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
