import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { IMAGE_TAG_PATTERN } from "../../config/image-tag";
import {
  CHART_DIR,
  K8sObject,
  ROOT,
  checkRenderedChart,
  ciValues,
  helmTemplate,
  kubeScore,
  kubeconform,
  render,
  toolPath,
  toolVersions,
} from "./tools";

const CASES = fs.readdirSync(path.join(CHART_DIR, "ci")).filter((f) => f.endsWith("-values.yaml"));
const DIGEST = `sha256:${"ab".repeat(32)}`;

/** The minimal case with a change applied: each test states only what it is about. */
function values(change: (v: Record<string, any>) => void = () => {}): Record<string, any> {
  const v = ciValues("minimal-values.yaml");
  change(v);
  return v;
}

function find(objects: K8sObject[], kind: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind);
}

function get(objects: K8sObject[], kind: string): K8sObject {
  const found = find(objects, kind);
  assert.ok(found, `no ${kind} rendered (kinds: ${objects.map((o) => o.kind).join(", ")})`);
  return found;
}

function container(objects: K8sObject[]): any {
  return get(objects, "Deployment").spec.template.spec.containers[0];
}

describe("charts/go-service", function () {
  describe("tools", () => {
    for (const [tool, key] of [
      ["helm", "HELM_VERSION"],
      ["kubeconform", "KUBECONFORM_VERSION"],
      ["kube-score", "KUBE_SCORE_VERSION"],
    ] as const) {
      it(`${tool} is installed at the pinned version`, () => {
        const binary = toolPath(tool);
        const stamp = fs.readFileSync(path.join(path.dirname(binary), `.${tool}.version`), "utf8").trim();
        assert.ok(
          stamp.endsWith(`@${toolVersions()[key]}`),
          `${tool} is ${stamp}: run scripts/install-chart-tools.sh`,
        );
      });
    }

    it("kubeconform rejects an unknown field in a built-in kind and in a ServiceMonitor", () => {
      const { objects } = render(ciValues("full-values.yaml"));
      for (const kind of ["Deployment", "ServiceMonitor"]) {
        const broken = {
          ...get(objects, kind),
          spec: { ...get(objects, kind).spec, replicaz: 2 },
        };
        assert.throws(() => kubeconform(JSON.stringify(broken), kind), /replicaz/);
      }
    });

    it("kube-score flags a container without resources", () => {
      const { objects } = render(values());
      const deployment = structuredClone(get(objects, "Deployment"));
      delete deployment.spec.template.spec.containers[0].resources;
      const manifest = objects
        .map((o) => JSON.stringify(o.kind === "Deployment" ? deployment : o))
        .join("\n---\n");
      assert.throws(() => kubeScore(manifest, "no resources"), /CRITICAL.*(limit|request)/);
    });
  });

  describe("ci/ cases pass lint, kubeconform and kube-score", () => {
    it("has a minimal and a full case", () => {
      assert.ok(
        CASES.includes("minimal-values.yaml") && CASES.includes("full-values.yaml"),
        CASES.join(", "),
      );
    });
    for (const file of CASES) {
      it(file, () => {
        checkRenderedChart(ciValues(file), file);
      });
    }
  });

  describe("single replica", () => {
    const single = () => values((v) => (v.replicaCount = 1));
    it("is a finding by default (production must run more than one pod)", () => {
      assert.throws(() => checkRenderedChart(single(), "one replica"), /few replicas/);
    });
    it("passes with allowSingleReplica, and renders no PodDisruptionBudget", () => {
      const { objects } = checkRenderedChart(single(), "one replica", { allowSingleReplica: true });
      assert.equal(find(objects, "PodDisruptionBudget"), undefined);
    });
    it("passes with allowSingleReplica under an HPA from one pod, which keeps its PDB", () => {
      const hpa = values((v) => (v.autoscaling = { enabled: true, minReplicas: 1, maxReplicas: 3 }));
      const { objects } = checkRenderedChart(hpa, "HPA from one", { allowSingleReplica: true });
      assert.ok(find(objects, "PodDisruptionBudget"));
    });
  });

  describe("values.schema.json rejects bad values, naming the field", () => {
    const cases: [string, (v: Record<string, any>) => void, RegExp][] = [
      ["image.tag latest", (v) => (v.image.tag = "latest"), /\/image\/tag/],
      ["empty image.tag", (v) => (v.image.tag = ""), /\/image\/tag/],
      ["missing image.tag", (v) => delete v.image.tag, /\/image\/tag/],
      ["replicaCount 0", (v) => (v.replicaCount = 0), /\/replicaCount': minimum/],
      ["unknown top-level key", (v) => (v.replicas = 3), /additional properties 'replicas' not allowed/],
      ["bad app_mode", (v) => (v.app_mode = "prod"), /\/app_mode': value must be one of/],
      ["http app_url", (v) => (v.app_url = "http://api.example.com"), /\/app_url/],
      ["malformed app_url", (v) => (v.app_url = "https://not a url"), /\/app_url/],
      ["bad digest", (v) => (v.image.digest = "sha256:abc"), /\/image\/digest/],
      ["sha512 digest", (v) => (v.image.digest = `sha512:${"a".repeat(128)}`), /\/image\/digest/],
      ["bad log_level", (v) => (v.log_level = "verbose"), /\/log_level/],
      ["missing memory limit", (v) => (v.resources = { limits: { memory: null } }), /\/resources\/limits/],
      [
        "unknown nested key",
        (v) => (v.ingress = { enabled: true, host: "x" }),
        /\/ingress.*'host' not allowed/,
      ],
      ["reserved config key", (v) => (v.config = { APP_MODE: "x" }), /\/config\/APP_MODE/],
    ];
    for (const [name, change, message] of cases) {
      it(name, () => {
        const result = helmTemplate(values(change));
        assert.notEqual(result.status, 0, `helm template accepted ${name}`);
        assert.match(result.stderr, message);
      });
    }

    it("fails when maxReplicas < minReplicas (a template rule)", () => {
      const result = helmTemplate(
        values((v) => (v.autoscaling = { enabled: true, minReplicas: 4, maxReplicas: 2 })),
      );
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /autoscaling\.maxReplicas must be >= autoscaling\.minReplicas/);
    });

    it("accepts exactly the image tags the config model accepts", () => {
      const schema = JSON.parse(fs.readFileSync(path.join(CHART_DIR, "values.schema.json"), "utf8"));
      assert.equal(schema.properties.image.properties.tag.pattern, IMAGE_TAG_PATTERN.source);
    });
  });

  describe("rendering", () => {
    it("pins the image by digest when set, else by tag", () => {
      const repo = "111122223333.dkr.ecr.us-east-1.amazonaws.com/go-service";
      const byTag = render(values((v) => (v.image.repository = repo)));
      assert.equal(container(byTag.objects).image, `${repo}:4f2a9c1`);
      const byDigest = render(values((v) => Object.assign(v.image, { repository: repo, digest: DIGEST })));
      assert.equal(container(byDigest.objects).image, `${repo}@${DIGEST}`);
    });

    it("runs a hardened pod", () => {
      const { objects } = render(values());
      const pod = get(objects, "Deployment").spec.template.spec;
      assert.deepEqual(pod.securityContext, {
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        fsGroup: 65532,
        seccompProfile: { type: "RuntimeDefault" },
      });
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(get(objects, "ServiceAccount").automountServiceAccountToken, false);
      const c = container(objects);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true);
      assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
      // The only writable mount is /tmp; the database Secrets are read-only.
      assert.deepEqual(
        c.volumeMounts.filter((m: any) => !m.readOnly),
        [{ name: "tmp", mountPath: "/tmp" }],
      );
      assert.ok(pod.volumes.find((vol: any) => vol.name === "tmp" && vol.emptyDir));
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
    });

    it("has distinct startup, liveness and readiness endpoints and drains before SIGTERM", () => {
      const { objects } = render(values());
      const c = container(objects);
      const paths = [c.startupProbe, c.livenessProbe, c.readinessProbe].map((p) => p.httpGet.path);
      assert.deepEqual(paths, ["/startupz", "/livez", "/readyz"]);
      const pod = get(objects, "Deployment").spec.template.spec;
      assert.ok(c.lifecycle.preStop.sleep.seconds < pod.terminationGracePeriodSeconds);
      assert.equal(get(objects, "Deployment").spec.strategy.rollingUpdate.maxUnavailable, 0);
    });

    it("sets GOMEMLIMIT from limits.memory through the downward API", () => {
      const env = container(render(values()).objects).env;
      const gomemlimit = env.find((e: any) => e.name === "GOMEMLIMIT");
      assert.deepEqual(gomemlimit.valueFrom, {
        resourceFieldRef: { resource: "limits.memory" },
      });
    });

    it("mounts database credentials and the CA as files, never env vars (issue 14 interface)", () => {
      const { objects } = render(
        values((v) => (v.database = { secretName: "orders-db-app", caSecretName: "orders-db-ca" })),
      );
      const c = container(objects);
      const env: any[] = c.env;
      const literal = Object.fromEntries(env.filter((e) => "value" in e).map((e) => [e.name, e.value]));
      assert.deepEqual(literal, {
        DB_CREDENTIALS_DIR: "/etc/go-service/db",
        PGSSLROOTCERT: "/etc/go-service/db-ca/ca.crt",
      });
      assert.deepEqual(
        env.filter((e) => e.valueFrom?.secretKeyRef),
        [],
        "no credential in an env var (visible in /proc and crash dumps)",
      );
      const volumes = get(objects, "Deployment").spec.template.spec.volumes;
      const secretOf = (mountPath: string) => {
        const mount = c.volumeMounts.find((m: any) => m.mountPath === mountPath);
        assert.equal(mount?.readOnly, true, `${mountPath} is mounted read-only`);
        return volumes.find((v: any) => v.name === mount.name).secret;
      };
      const db = secretOf("/etc/go-service/db");
      assert.equal(db.secretName, "orders-db-app");
      assert.deepEqual(
        db.items.map((i: any) => i.key),
        ["host", "port", "dbname", "username", "password"],
      );
      assert.equal(secretOf("/etc/go-service/db-ca").secretName, "orders-db-ca");
      assert.equal(get(objects, "ConfigMap").data.PGSSLMODE, "verify-full");
      assert.deepEqual(
        Object.keys(get(objects, "ConfigMap").data).filter((k) => /user|pass|uri|secret/i.test(k)),
        [],
      );
    });

    it("refuses a PGSSLMODE that does not verify the server", () => {
      const result = helmTemplate(values((v) => (v.database = { sslMode: "require" })));
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /sslMode/);
    });

    it("puts settings in the ConfigMap and rolls pods when they change", () => {
      const checksum = (objects: K8sObject[]) =>
        get(objects, "Deployment").spec.template.metadata.annotations["checksum/config"];
      const a = render(values((v) => Object.assign(v, { app_mode: "uat", log_level: "debug" })));
      assert.deepEqual(
        { ...get(a.objects, "ConfigMap").data },
        {
          APP_MODE: "uat",
          APP_URL: "https://go-service.example.com",
          LOG_LEVEL: "debug",
          PORT: "8080",
          METRICS_PORT: "9090",
          PGSSLMODE: "verify-full",
        },
      );
      const b = render(values((v) => Object.assign(v, { app_mode: "uat", log_level: "info" })));
      assert.match(checksum(a.objects), /^[0-9a-f]{64}$/);
      assert.notEqual(checksum(a.objects), checksum(b.objects));
    });

    it("scrapes the metrics port that the Service and the NetworkPolicy expose", () => {
      const { objects } = render(values());
      assert.equal(get(objects, "ServiceMonitor").spec.endpoints[0].port, "metrics");
      assert.equal(get(objects, "ServiceMonitor").metadata.labels.release, "kube-prometheus-stack");
      assert.ok(get(objects, "Service").spec.ports.find((p: any) => p.name === "metrics"));
      const rules = get(objects, "NetworkPolicy").spec.ingress;
      const monitoring = rules.find((r: any) => r.ports[0].port === "metrics");
      assert.deepEqual(monitoring.from, [
        {
          namespaceSelector: {
            matchLabels: { "kubernetes.io/metadata.name": "monitoring" },
          },
        },
      ]);
      assert.equal(
        find(render(values((v) => (v.serviceMonitor = { enabled: false }))).objects, "ServiceMonitor"),
        undefined,
      );
    });

    it("lets pods reach only Postgres and DNS, and only the load balancer reach the http port", () => {
      const { objects } = render(ciValues("full-values.yaml"));
      const policy = get(objects, "NetworkPolicy").spec;
      assert.deepEqual(policy.policyTypes, ["Ingress", "Egress"]);
      assert.deepEqual(
        policy.egress.map((e: any) => e.ports.map((p: any) => `${p.port}/${p.protocol}`)),
        [["5432/TCP"], ["53/UDP", "53/TCP"]],
      );
      assert.deepEqual(policy.egress[0].to[0].podSelector.matchLabels, {
        "cnpg.io/cluster": "go-service-db",
      });
      assert.deepEqual(policy.ingress[0].from, [{ ipBlock: { cidr: "10.40.0.0/16" } }]);
      // With no CIDRs or namespaces configured, nothing but monitoring may connect.
      const closed = get(render(values()).objects, "NetworkPolicy").spec.ingress;
      assert.deepEqual(
        closed.map((r: any) => r.ports[0].port),
        ["metrics"],
      );
    });

    it("hands replicas to the HPA and adds a PDB only when more than one pod runs", () => {
      const hpa = render(
        values((v) => (v.autoscaling = { enabled: true, minReplicas: 3, maxReplicas: 9 })),
      ).objects;
      assert.equal(get(hpa, "Deployment").spec.replicas, undefined);
      assert.equal(get(hpa, "HorizontalPodAutoscaler").spec.minReplicas, 3);
      assert.ok(find(hpa, "PodDisruptionBudget"));
      assert.equal(
        find(render(values((v) => (v.replicaCount = 1))).objects, "PodDisruptionBudget"),
        undefined,
      );
    });
  });

  it("keeps fetched schemas and tools out of git", () => {
    const ignore = fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8");
    assert.match(ignore, /^\.tools\/$/m);
  });
});
