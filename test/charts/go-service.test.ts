import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { IMAGE_TAG_MAX_LENGTH, IMAGE_TAG_PATTERN } from "../../config/image-tag";
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

/** The labels that tell one revision's pods from another's, for the Deployment's and Argo Rollouts' ReplicaSets. */
const REVISION_KEYS = ["pod-template-hash", "rollouts-pod-template-hash"];

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
      [
        "blueGreen without a preview host (an unreachable preview never passes its analysis)",
        (v) => (v.rollout = { ...v.rollout, strategy: "blueGreen", previewHost: "" }),
        /\/rollout\/previewHost/,
      ],
      [
        "blueGreen without an Ingress",
        (v) => {
          v.rollout = { ...v.rollout, strategy: "blueGreen", previewHost: "preview.example.com" };
          v.ingress = { ...v.ingress, enabled: false };
        },
        /\/ingress\/enabled/,
      ],
      [
        "misspelt toleration key",
        (v) => (v.tolerations = [{ key: "dedicated", efect: "NoSchedule" }]),
        /\/tolerations\/0.*'efect' not allowed/,
      ],
    ];
    for (const [name, change, message] of cases) {
      it(name, () => {
        const result = helmTemplate(values(change));
        assert.notEqual(result.status, 0, `helm template accepted ${name}`);
        assert.match(result.stderr, message);
      });
    }

    it("fails on a dashboard uid Grafana would refuse (over 40 characters), instead of truncating it", () => {
      const result = helmTemplate(values((v) => (v.fullnameOverride = `svc-${"x".repeat(37)}`)));
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /dashboard uid "svc-x{37}": Grafana allows at most 40 characters/);
    });

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
      assert.equal(schema.properties.image.properties.tag.maxLength, IMAGE_TAG_MAX_LENGTH);
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
      // Writable: /tmp only; the database files are read-only.
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

    it("mounts the database credentials and the CloudNativePG CA as read-only files, never env vars", () => {
      const { objects } = render(
        values((v) => (v.database = { secretName: "orders-db-app", caSecretName: "orders-db-ca" })),
      );
      const c = container(objects);
      const pod = get(objects, "Deployment").spec.template.spec;
      const volume = (name: string) => pod.volumes.find((v: any) => v.name === name)?.secret;
      const mount = (name: string) => c.volumeMounts.find((m: any) => m.name === name);
      assert.deepEqual(volume("db-credentials"), {
        secretName: "orders-db-app",
        defaultMode: 0o440, // rendered as 288
        items: ["username", "password", "host", "port", "dbname"].map((k) => ({ key: k, path: k })),
      });
      assert.deepEqual(mount("db-credentials"), {
        name: "db-credentials",
        mountPath: "/etc/go-service/db",
        readOnly: true,
      });
      assert.deepEqual(volume("db-ca"), {
        secretName: "orders-db-ca",
        defaultMode: 0o440, // rendered as 288
        items: [{ key: "ca.crt", path: "ca.crt" }],
      });
      assert.deepEqual(mount("db-ca"), { name: "db-ca", mountPath: "/etc/go-service/db-ca", readOnly: true });
      const data = get(objects, "ConfigMap").data;
      assert.equal(data.DB_CREDENTIALS_DIR, "/etc/go-service/db");
      assert.equal(data.PGSSLMODE, "verify-full");
      assert.equal(data.PGSSLROOTCERT, "/etc/go-service/db-ca/ca.crt");
      // No credential in the environment (CKV_K8S_35): only the downward-API memory limit.
      assert.deepEqual(
        c.env.map((e: any) => e.name),
        ["GOMEMLIMIT"],
      );
      assert.ok(!JSON.stringify(c).includes("secretKeyRef"));
      assert.deepEqual(
        Object.keys(data).filter((k) => /user|pass|uri|secret/i.test(k)),
        [],
      );
    });

    it("rejects PGSSL* and credential keys in config: the TLS mode and credentials are not overridable", () => {
      for (const key of ["PGSSLMODE", "PGSSLROOTCERT", "DB_CREDENTIALS_DIR", "PGPASSWORD", "DATABASE_URL"]) {
        const r = helmTemplate(values((v) => (v.config = { [key]: "x" })));
        assert.notEqual(r.status, 0, key);
      }
    });

    it("requires pod anti-affinity when hard, prefers it when soft", () => {
      const affinity = (mode: string) =>
        get(render(values((v) => (v.podAntiAffinity = mode))).objects, "Deployment").spec.template.spec
          .affinity.podAntiAffinity;
      const hard = affinity("hard");
      assert.equal(
        hard.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey,
        "kubernetes.io/hostname",
      );
      assert.equal(hard.preferredDuringSchedulingIgnoredDuringExecution, undefined);
      // Among one revision's pods only: an old pod never repels the surge pod of a rollout (test/cluster). The
      // Deployment's ReplicaSets label pods pod-template-hash; Argo Rollouts' (canary, blueGreen) label them
      // rollouts-pod-template-hash, and Kubernetes ignores a listed key that the pod lacks.
      assert.deepEqual(hard.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys, REVISION_KEYS);
      const soft = affinity("soft");
      assert.equal(soft.requiredDuringSchedulingIgnoredDuringExecution, undefined);
      assert.deepEqual(
        soft.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.matchLabelKeys,
        REVISION_KEYS,
      );
    });

    it("spreads each revision over zones (as configured) and over nodes (always a preference)", () => {
      const spread = get(
        render(values((v) => (v.topologySpread = { whenUnsatisfiable: "DoNotSchedule", maxSkew: 1 })))
          .objects,
        "Deployment",
      ).spec.template.spec.topologySpreadConstraints;
      assert.deepEqual(
        spread.map((s: any) => [s.topologyKey, s.whenUnsatisfiable]),
        [
          ["topology.kubernetes.io/zone", "DoNotSchedule"],
          ["kubernetes.io/hostname", "ScheduleAnyway"],
        ],
      );
      for (const s of spread) {
        assert.deepEqual(s.matchLabelKeys, REVISION_KEYS);
        // A cordoned node's zone is no domain, so a drain's pods can land in the other zones.
        assert.equal(s.nodeTaintsPolicy, "Honor");
      }
    });

    it("renders the Ingress only when enabled, with the host from app_url and the certificate", () => {
      assert.equal(find(render(values()).objects, "Ingress"), undefined);
      const arn = "arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7";
      const { objects } = render(
        values((v) => {
          v.app_url = "https://orders.example.com/api";
          v.ingress = { enabled: true, certificateArn: arn, inboundCidrs: ["203.0.113.0/24"] };
        }),
      );
      const ingress = get(objects, "Ingress");
      assert.equal(ingress.spec.ingressClassName, "alb");
      assert.equal(ingress.spec.rules[0].host, "orders.example.com");
      assert.equal(ingress.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"], arn);
      assert.equal(ingress.metadata.annotations["alb.ingress.kubernetes.io/target-type"], "ip");
      assert.equal(ingress.metadata.annotations["alb.ingress.kubernetes.io/ssl-redirect"], "443");
      const noCert = get(
        render(values((v) => (v.ingress = { enabled: true, inboundCidrs: ["203.0.113.0/24"] }))).objects,
        "Ingress",
      );
      assert.equal(noCert.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"], undefined);
    });

    it("serves TLS 1.2+ only, admits only the listed clients, redirects HTTP and names its WAF", () => {
      const annotations = (ingress: Record<string, unknown>) =>
        get(render(values((v) => (v.ingress = { enabled: true, ...ingress }))).objects, "Ingress").metadata
          .annotations;
      const a = annotations({ inboundCidrs: ["203.0.113.0/24", "198.51.100.0/24"] });
      assert.equal(a["alb.ingress.kubernetes.io/ssl-policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
      assert.equal(a["alb.ingress.kubernetes.io/inbound-cidrs"], "203.0.113.0/24,198.51.100.0/24");
      assert.equal(a["alb.ingress.kubernetes.io/ssl-redirect"], "443");
      assert.equal(a["alb.ingress.kubernetes.io/listen-ports"], '[{"HTTP": 80}, {"HTTPS": 443}]');
      assert.equal(a["alb.ingress.kubernetes.io/wafv2-acl-arn"], undefined);
      const acl =
        "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/edge/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
      assert.equal(
        annotations({ inboundCidrs: ["0.0.0.0/0"], wafv2AclArn: acl })[
          "alb.ingress.kubernetes.io/wafv2-acl-arn"
        ],
        acl,
      );
      // No silent 0.0.0.0/0: an Ingress without client CIDRs fails to render; a TLS 1.0 policy is refused.
      const open = helmTemplate(values((v) => (v.ingress = { enabled: true })));
      assert.notEqual(open.status, 0);
      assert.match(open.stderr, /ingress\.inboundCidrs/);
      const legacy = helmTemplate(
        values(
          (v) =>
            (v.ingress = {
              enabled: true,
              inboundCidrs: ["0.0.0.0/0"],
              sslPolicy: "ELBSecurityPolicy-2016-08",
            }),
        ),
      );
      assert.notEqual(legacy.status, 0);
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
          DB_CREDENTIALS_DIR: "/etc/go-service/db",
          PGSSLMODE: "verify-full",
          PGSSLROOTCERT: "/etc/go-service/db-ca/ca.crt",
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
