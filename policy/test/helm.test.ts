import * as assert from "node:assert/strict";
import {
  HELM_RELEASE,
  helmHttpsRepository,
  helmNoLatestImages,
  helmNoPlaintextPasswords,
  helmPinnedChartVersion,
} from "../rules/helm";
import { UNKNOWN, runResourcePolicy } from "./util";

const REL = `${HELM_RELEASE} "grafana"`;
const release = (over: Record<string, unknown> = {}) => ({
  type: HELM_RELEASE,
  name: "grafana",
  props: {
    chart: "grafana",
    version: "8.5.1",
    name: "grafana",
    namespace: "monitoring",
    repositoryOpts: { repo: "https://grafana.github.io/helm-charts" },
    atomic: true,
    timeout: 600,
    values: {},
    ...over,
  },
});
const withValues = (values: unknown) => release({ values });

describe("policy: Helm", () => {
  describe("helm-pinned-chart-version", () => {
    for (const v of ["1.2.3", "0.22.0", "v1.15.3", "1.0.0-rc.1", "2.1.0+build.5"]) {
      it(`accepts the exact version ${v}`, async () => {
        assert.deepEqual(await runResourcePolicy(helmPinnedChartVersion, release({ version: v })), []);
      });
    }
    for (const v of ["^1.2", "~1.2.3", ">=1.2.3", "1.x", "1.2.*", "*", "1.2", "latest", ""]) {
      it(`rejects ${JSON.stringify(v)}`, async () => {
        const [msg] = await runResourcePolicy(helmPinnedChartVersion, release({ version: v }));
        assert.match(
          msg,
          /^kubernetes:helm\.sh\/v3:Release "grafana" \(chart "grafana"\) has .*not an exact version/,
        );
        assert.match(msg, /Fix: pin version to one exact release such as "1\.2\.3"/);
      });
    }
    it("rejects a missing version, and points local charts at Chart.yaml", async () => {
      assert.deepEqual(
        await runResourcePolicy(
          helmPinnedChartVersion,
          release({ chart: "./charts/go-service", version: undefined }),
        ),
        [
          `${HELM_RELEASE} "grafana" (chart "./charts/go-service") has no version, not an exact version. ` +
            `Fix: set version to the version in the chart's Chart.yaml.`,
        ],
      );
      assert.deepEqual(
        await runResourcePolicy(
          helmPinnedChartVersion,
          release({ chart: "charts/go-service", version: "0.1.0" }),
        ),
        [],
      );
    });
  });

  it("helm-https-repository rejects plain HTTP repositories", async () => {
    assert.deepEqual(await runResourcePolicy(helmHttpsRepository, release()), []);
    assert.deepEqual(
      await runResourcePolicy(
        helmHttpsRepository,
        release({ repositoryOpts: { repo: "http://charts.example.com" } }),
      ),
      [
        `${REL} downloads its chart over plain HTTP (http://charts.example.com). Fix: use the https:// (or oci://) address of the repository.`,
      ],
    );
  });

  describe("helm-no-latest-images", () => {
    it("accepts tags, digests (digest or sha) and unknown (preview) tags", async () => {
      const values = {
        image: { repository: "grafana/grafana", tag: "11.2.0" },
        sidecar: { image: { repository: "kiwigrid/k8s-sidecar", digest: "sha256:" + "a".repeat(64) } },
        prometheus: {
          prometheusSpec: { image: { registry: "quay.io", repository: "prometheus/prometheus", sha: "abc" } },
        },
        app: {
          image: { repository: "111122223333.dkr.ecr.us-east-1.amazonaws.com/go-service", tag: UNKNOWN },
        },
        cluster: { imageName: "ghcr.io/cloudnative-pg/postgresql:16.4" },
        initImage: "busybox@sha256:" + "b".repeat(64),
        registryOnly: { image: { registry: "public.ecr.aws" } },
      };
      assert.deepEqual(await runResourcePolicy(helmNoLatestImages, withValues(values)), []);
    });

    it("rejects latest and tagless image objects", async () => {
      const values = {
        image: { repository: "grafana/grafana", tag: "latest" },
        sidecar: { image: { repository: "kiwigrid/k8s-sidecar" } },
        extra: { image: { repository: "busybox", tag: "" } },
      };
      assert.deepEqual(await runResourcePolicy(helmNoLatestImages, withValues(values)), [
        `${REL}: values.image.tag is "latest". Fix: set values.image.tag to an exact version or values.image.digest.`,
        `${REL}: values.sidecar.image.repository has no tag or digest. Fix: set values.sidecar.image.tag or values.sidecar.image.digest.`,
        `${REL}: values.extra.image.repository has no tag or digest. Fix: set values.extra.image.tag or values.extra.image.digest.`,
      ]);
    });

    it("rejects any image-like string ending in :latest, and tagless image strings", async () => {
      const values = {
        initContainers: [{ name: "init", image: "registry.example.com:5000/tools/init:latest" }],
        cluster: { imageName: "ghcr.io/cloudnative-pg/postgresql" },
        note: "this is not an image: latest",
      };
      assert.deepEqual(await runResourcePolicy(helmNoLatestImages, withValues(values)), [
        `${REL}: values.initContainers[0].image is "registry.example.com:5000/tools/init:latest", a moving tag. ` +
          `Fix: use an exact version tag or a digest.`,
        `${REL}: values.cluster.imageName "ghcr.io/cloudnative-pg/postgresql" has no tag or digest. ` +
          `Fix: append :<version> or @sha256:<digest>.`,
      ]);
    });
  });

  describe("helm-no-plaintext-passwords", () => {
    it("accepts references to existing secrets", async () => {
      const values = {
        admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
        auth: {
          existingSecretName: "pg-app",
          secretName: "pg-app",
          passwordSecret: "pg-app",
          tokenSecretName: "t",
        },
        env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "pg-app", key: "password" } } }],
        serviceAccount: { automountServiceAccountToken: false },
        passwordLength: 32,
      };
      assert.deepEqual(await runResourcePolicy(helmNoPlaintextPasswords, withValues(values)), []);
    });

    it("rejects password-like keys with literal values, secret-wrapped or not", async () => {
      const wireSecret = {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        value: "hunter2",
      };
      const values = {
        adminPassword: wireSecret,
        grafana: { "grafana.ini": { auth: { client_secret: "s3cr3t" } } },
        loki: { apiKey: "key-123", api_key: "key-456", token: "abc" },
        env: [{ name: "DB_PASSWORD", value: "p4ss" }],
        s3: { secretKey: "AKIAsecret" },
        existingSecret: "not a name!",
      };
      const messages = await runResourcePolicy(helmNoPlaintextPasswords, withValues(values));
      const paths = messages.map((m) => m.split(" ")[2]);
      assert.deepEqual(paths, [
        "values.adminPassword",
        "values.grafana.grafana.ini.auth.client_secret",
        "values.loki.apiKey",
        "values.loki.api_key",
        "values.loki.token",
        "values.env[0].value",
        "values.s3.secretKey",
        "values.existingSecret",
      ]);
      assert.equal(
        messages[0],
        `${REL}: values.adminPassword key "adminPassword" holds a literal value (a credential in Helm values lands ` +
          `in the release secret and state, Pulumi secret or not). Fix: put it in a Kubernetes Secret and ` +
          `reference it (existingSecret / secretKeyRef).`,
      );
      assert.match(messages[5], /env var DB_PASSWORD holds a literal value/);
    });
  });
});
