import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { PROMETHEUS_URL } from "../components/addons/prometheus";
import { IAM_MANAGED_POLICY } from "../components/aws-managed";
import { CHARTS } from "../components/versions";
import { SECRET } from "../scripts/lib/types";
import { VERIFIED_VALUES_KEYS, unverifiedPaths } from "./addons-values-keys";
import {
  ENVIRONMENTS,
  byUrn,
  effective,
  one,
  ofType,
  stackOf,
  transitiveDeps,
  type Evaluation,
  type RecordedResource,
  RELEASE,
  ROLE,
  ASSOCIATION,
  accountOf,
  regionOf,
} from "./harness";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const BUCKET = "aws:s3/bucket:Bucket";

type ChartKey = keyof typeof CHARTS;
/** Release name → its pin and namespace (the namespaces; Postgres lives with the app that mounts its Secret). */
const RELEASES: Record<
  string,
  { pin: ChartKey; namespace: (e: Evaluation) => string; backupsOnly?: boolean }
> = {
  "prometheus-operator-crds": {
    pin: "prometheusOperatorCrds",
    namespace: () => "monitoring",
  },
  "kube-prometheus-stack": {
    pin: "kubePrometheusStack",
    namespace: () => "monitoring",
  },
  grafana: { pin: "grafana", namespace: () => "monitoring" },
  "fluent-bit": { pin: "fluentBit", namespace: () => "logging" },
  "cloudnative-pg": { pin: "cloudnativePg", namespace: () => "cnpg-system" },
  postgres: {
    pin: "postgresCluster",
    namespace: (e) => effective(e).service.namespace,
  },
  "cert-manager": {
    pin: "certManager",
    namespace: () => "cert-manager",
    backupsOnly: true,
  },
  "plugin-barman-cloud": {
    pin: "barmanCloudPlugin",
    namespace: () => "cnpg-system",
    backupsOnly: true,
  },
  "aws-load-balancer-controller": {
    pin: "awsLoadBalancerController",
    namespace: () => "kube-system",
  },
  "karpenter-crd": { pin: "karpenterCrd", namespace: () => "kube-system" },
  karpenter: { pin: "karpenter", namespace: () => "kube-system" },
  "metrics-server": { pin: "metricsServer", namespace: () => "kube-system" },
  "argo-rollouts": {
    pin: "argoRollouts",
    namespace: () => "argo-rollouts",
  },
};

/** Releases of CRDs or custom resources only: no pods, so nothing for Helm to wait on. */
const CR_ONLY = ["prometheus-operator-crds", "postgres", "karpenter-crd"];

const backupsOn = (e: Evaluation) => effective(e).postgres.backups.enabled as boolean;
const expectedReleases = (e: Evaluation) =>
  Object.keys(RELEASES).filter((n) => backupsOn(e) || !RELEASES[n].backupsOnly);
/** Pinned charts from a repository or an OCI registry; the service's own chart is a local path. */
const thirdParty = (e: Evaluation) =>
  ofType(e, RELEASE).filter((r) => !String((r.inputs as any).chart).startsWith("./"));
/** The chart reference a pin installs: an OCI chart by its full reference, else by name from its repository. */
const chartRef = (pin: (typeof CHARTS)[ChartKey]) =>
  pin.repo.startsWith("oci://") ? `${pin.repo}/${pin.chart}` : pin.chart;
/** `chart@version` as VERIFIED_VALUES_KEYS names it. */
const chartName = (chart: string) => chart.split("/").pop();
const rel = (e: Evaluation, name: string) => one(e, RELEASE, name);
const values = (r: RecordedResource) => (r.inputs as any).values;
const policyOf = (e: Evaluation, name: string) =>
  JSON.parse(one(e, ROLE_POLICY, name).inputs.policy as string);
const roleOf = (e: Evaluation, name: string) => one(e, ROLE, name);
const releasesIn = (e: Evaluation, urns: Set<string>) =>
  [...urns]
    .map((u) => byUrn(e, u)!)
    .filter((r) => r.type === RELEASE)
    .map((r) => r.name)
    .sort();

/** Every string in `v` outside a secret wrapper. */
function plainStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => plainStrings(x, out));
  else if (v !== null && typeof v === "object" && !(SECRET in v))
    Object.values(v).forEach((x) => plainStrings(x, out));
  return out;
}

/**
 * The releases each release may wait for, directly or not: nothing more, so independent ones install in parallel.
 * The CRDs come first for every chart that creates ServiceMonitor, PodMonitor or PrometheusRule objects.
 */
function allowedReleaseDeps(e: Evaluation): Record<string, string[]> {
  const crds = ["prometheus-operator-crds"];
  const backups = backupsOn(e) ? ["cert-manager", "plugin-barman-cloud"] : [];
  return {
    "prometheus-operator-crds": [],
    "kube-prometheus-stack": crds,
    grafana: [...crds, ...(effective(e).grafana.hostname ? ["aws-load-balancer-controller"] : [])],
    "fluent-bit": crds,
    "cloudnative-pg": crds,
    "cert-manager": crds,
    "plugin-barman-cloud": [...crds, "cert-manager", "cloudnative-pg"],
    postgres: [...crds, "cloudnative-pg", ...backups],
    "aws-load-balancer-controller": crds,
    "karpenter-crd": [],
    karpenter: [...crds, "karpenter-crd"],
    "metrics-server": crds,
    "argo-rollouts": crds,
  };
}

describe("add-on pins", () => {
  it("pins every chart to one exact version, fetched over HTTPS or from an OCI registry", () => {
    for (const [key, pin] of Object.entries(CHARTS)) {
      assert.match(pin.version, /^v?\d+\.\d+\.\d+$/, key);
      assert.match(pin.repo, /^(https|oci):\/\//, key);
    }
  });

  it("lets Renovate's regex manager find every pin in components/versions.ts", () => {
    const renovate = JSON.parse(fs.readFileSync("renovate.json", "utf8"));
    const [manager] = renovate.customManagers;
    const file = fs.readFileSync("components/versions.ts", "utf8");
    assert.ok(
      manager.managerFilePatterns.some((p: string) =>
        new RegExp(p.slice(1, -1)).test("components/versions.ts"),
      ),
    );
    const found = [...file.matchAll(new RegExp(manager.matchStrings[0], "g"))].map((m) => m.groups!);
    // OCI charts are container images to Renovate: docker datasource, registry host and repository path.
    const expected = Object.values(CHARTS).map((p: { repo: string; chart: string; version: string }) => {
      const oci = /^oci:\/\/([^/]+)\/(.+)$/.exec(p.repo);
      return oci
        ? {
            datasource: "docker",
            depName: `${oci[2]}/${p.chart}`,
            registryUrl: `https://${oci[1]}`,
            currentValue: p.version,
          }
        : { datasource: "helm", depName: p.chart, registryUrl: p.repo, currentValue: p.version };
    });
    assert.deepEqual(
      found.map((g) => ({ ...g })).sort((a, b) => a.depName.localeCompare(b.depName)),
      expected.sort((a, b) => a.depName.localeCompare(b.depName)),
    );
  });

  it("the values-key check rejects a misspelt or unverified key", () => {
    const allowed = VERIFIED_VALUES_KEYS[`kube-prometheus-stack@${CHARTS.kubePrometheusStack.version}`].paths;
    assert.deepEqual(
      unverifiedPaths(
        {
          prometheus: { prometheusSpec: { retension: "7d", retention: "7d" } },
        },
        allowed,
      ),
      ["prometheus.prometheusSpec.retension"],
    );
    assert.deepEqual(unverifiedPaths({ crds: true, grafana: { enabled: false } }, allowed), ["crds"]);
    assert.deepEqual(
      unverifiedPaths({ prometheusOperator: { resources: { requests: { cpu: "1" } } } }, allowed),
      [],
    );
  });
});

for (const stack of ENVIRONMENTS) {
  describe(`stack ${stack}: add-ons`, () => {
    it("installs each add-on chart once, pinned, named, namespaced, atomic, with a timeout", async () => {
      const e = await stackOf(stack);
      assert.deepEqual(
        thirdParty(e)
          .map((r) => r.name)
          .sort(),
        expectedReleases(e).sort(),
      );
      for (const name of expectedReleases(e)) {
        const { pin, namespace } = RELEASES[name];
        const i = rel(e, name).inputs as any;
        assert.equal(i.name, name, `${name}: explicit release name`);
        assert.equal(i.chart, chartRef(CHARTS[pin]));
        assert.equal(i.version, CHARTS[pin].version, `${name}: the version in components/versions.ts`);
        if (!CHARTS[pin].repo.startsWith("oci://")) assert.equal(i.repositoryOpts.repo, CHARTS[pin].repo);
        assert.equal(i.namespace, namespace(e), `${name}: namespace`);
        assert.equal(i.atomic, true, `${name}: atomic`);
        assert.equal(i.cleanupOnFail, true, `${name}: cleanupOnFail`);
        // Charts of custom resources only have nothing for Helm to wait on; anything with pods gets 3 minutes or more.
        const floor = CR_ONLY.includes(name) ? 120 : 180;
        assert.ok(Number.isInteger(i.timeout) && i.timeout >= floor, `${name}: timeout ${i.timeout}`);
        assert.ok(i.maxHistory > 0, `${name}: bounded history`);
      }
      assert.ok(
        (rel(e, "kube-prometheus-stack").inputs.timeout as number) >= 900,
        "kube-prometheus-stack needs more than Helm's 5 minutes",
      );
    });

    it("sets only values keys verified in each pinned chart's values.yaml", async () => {
      const e = await stackOf(stack);
      for (const r of thirdParty(e)) {
        const i = r.inputs as any;
        const verified = VERIFIED_VALUES_KEYS[`${chartName(i.chart)}@${i.version}`];
        assert.ok(
          verified,
          `no verified key list for ${i.chart}@${i.version}: check its values.yaml and add one`,
        );
        assert.deepEqual(
          unverifiedPaths(i.values, verified.paths),
          [],
          `${r.name}: keys not in ${verified.source}`,
        );
      }
    });

    it("provides a default gp3 StorageClass on the EBS CSI add-on, with its IAM role through Pod Identity", async () => {
      const e = await stackOf(stack);
      const sc = one(e, "kubernetes:storage.k8s.io/v1:StorageClass", "storage").inputs as any;
      assert.equal(sc.metadata.name, "gp3");
      assert.equal(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
      assert.equal(sc.provisioner, "ebs.csi.aws.com");
      assert.equal(sc.volumeBindingMode, "WaitForFirstConsumer");
      assert.equal(sc.allowVolumeExpansion, true);
      assert.deepEqual([sc.parameters.type, sc.parameters.encrypted], ["gp3", "true"]);
      const driver = ofType(e, "aws:eks/addon:Addon").find(
        (a) => a.inputs.addonName === "aws-ebs-csi-driver",
      )!;
      // An API object: it does not wait for the driver, which comes up beside the releases whose PVCs it binds.
      assert.ok(
        !one(e, "kubernetes:storage.k8s.io/v1:StorageClass", "storage").dependsOn.includes(driver.urn),
      );
      const [assoc] = (driver.inputs as any).podIdentityAssociations;
      assert.equal(assoc.serviceAccount, "ebs-csi-controller-sa");
      const role = ofType(e, ROLE).find((r) => assoc.roleArn.endsWith(`/${r.name}`))!;
      assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal, {
        Service: "pods.eks.amazonaws.com",
      });
      const attached = ofType(e, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) =>
        a.dependsOn.includes(role.urn),
      );
      assert.deepEqual(
        attached.map((a) => a.inputs.policyArn),
        [IAM_MANAGED_POLICY.AmazonEBSCSIDriverPolicyV2],
      );
      for (const d of [...ofType(e, "eks:index:ManagedNodeGroup"), ...attached])
        assert.ok(driver.dependsOn.includes(d.urn));
    });

    it("runs kube-prometheus-stack from config: retention, volume, replicas, selectors, external labels", async () => {
      const e = await stackOf(stack);
      const cfg = effective(e).prometheus;
      const v = values(rel(e, "kube-prometheus-stack"));
      const spec = v.prometheus.prometheusSpec;
      assert.equal(spec.retention, cfg.retention);
      const size = Number(/^(\d+)GiB$/.exec(spec.retentionSize)![1]);
      assert.ok(
        size < cfg.storageGiB && size >= cfg.storageGiB * 0.8,
        `retentionSize ${spec.retentionSize} fits the volume`,
      );
      const pvc = spec.storageSpec.volumeClaimTemplate.spec;
      assert.equal(pvc.storageClassName, "gp3");
      assert.equal(pvc.resources.requests.storage, `${cfg.storageGiB}Gi`);
      assert.equal(spec.replicas, cfg.replicas);
      assert.equal(spec.podAntiAffinity, cfg.replicas > 1 ? "hard" : "soft");
      if (stack === "prod") assert.ok(spec.replicas >= 2, "prod: HA Prometheus");
      assert.deepEqual(spec.resources.requests, cfg.resources);
      assert.equal(spec.externalLabels.cluster, stack);
      for (const k of ["serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"]) {
        assert.equal(spec[`${k}SelectorNilUsesHelmValues`], false, `${k}SelectorNilUsesHelmValues`);
      }
      const am = v.alertmanager.alertmanagerSpec;
      assert.equal(am.replicas, cfg.alertmanager.replicas);
      assert.equal(
        am.storage.volumeClaimTemplate.spec.resources.requests.storage,
        `${cfg.alertmanager.storageGiB}Gi`,
      );
      assert.equal(v.crds.enabled, false, "CRDs come from their own release");
      assert.deepEqual(
        [v.grafana.enabled, v.grafana.forceDeployDashboards, v.grafana.forceDeployDatasources],
        [false, true, true],
      );
      for (const c of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"])
        assert.equal(v[c].enabled, false, c);
      assert.deepEqual(values(rel(e, "prometheus-operator-crds")).crds.annotations, {
        "helm.sh/resource-policy": "keep",
      });
    });

    it("runs Grafana with a generated admin Secret, Prometheus as datasource, a gp3 volume, Ingress only with a hostname", async () => {
      const e = await stackOf(stack);
      const cfg = effective(e).grafana;
      const g = rel(e, "grafana");
      const v = values(g);
      const kps = rel(e, "kube-prometheus-stack");
      // The datasource points at kube-prometheus-stack's stable Service name.
      const prometheusService = `http://${values(kps).fullnameOverride}-prometheus.${kps.inputs.namespace}.svc:9090/`;
      assert.equal(PROMETHEUS_URL, prometheusService);
      assert.equal(values(kps).grafana.sidecar.datasources.url, prometheusService);
      assert.equal(v.sidecar.datasources.enabled, true);
      assert.equal(
        g.inputs.namespace,
        kps.inputs.namespace,
        "kube-prometheus-stack's ConfigMaps are in Grafana's namespace",
      );
      assert.deepEqual(v.sidecar.dashboards, {
        enabled: true,
        label: "grafana_dashboard",
        labelValue: "1",
        resource: "configmap",
      });
      const secret = one(e, "kubernetes:core/v1:Secret", "grafana-admin");
      assert.equal(v.admin.existingSecret, (secret.inputs as any).metadata.name);
      assert.equal((secret.inputs as any).metadata.namespace, g.inputs.namespace);
      assert.deepEqual(
        Object.keys((secret.inputs as any).stringData[SECRET]).sort(),
        [v.admin.passwordKey, v.admin.userKey].sort(),
      );
      assert.ok(g.dependsOn.includes(secret.urn));
      assert.deepEqual(v.persistence, {
        enabled: true,
        type: "pvc",
        storageClassName: "gp3",
        size: `${cfg.storageGiB}Gi`,
      });
      assert.equal(
        v.deploymentStrategy.type,
        "Recreate",
        "an RWO volume cannot follow a surge pod to another node",
      );
      assert.equal(v.service.type, "ClusterIP");
      assert.equal(v.ingress.enabled, Boolean(cfg.hostname));
      const lbc = rel(e, "aws-load-balancer-controller");
      assert.equal(
        g.dependsOn.includes(lbc.urn),
        Boolean(cfg.hostname),
        "an Ingress owner depends on the controller",
      );
      if (cfg.hostname) {
        assert.equal(v.ingress.ingressClassName, "alb");
        assert.deepEqual(v.ingress.hosts, [cfg.hostname]);
        assert.equal(v.ingress.annotations["alb.ingress.kubernetes.io/scheme"], cfg.scheme);
        assert.equal(e.outputs.grafanaUrl.value, `https://${cfg.hostname}`);
      } else assert.equal(e.outputs.grafanaUrl.value, null);
    });

    it("keeps generated passwords secret in every input, and out of Helm values and outputs", async () => {
      const e = await stackOf(stack);
      assert.ok(ofType(e, "random:index/randomPassword:RandomPassword").length > 0);
      const secret = one(e, "kubernetes:core/v1:Secret", "grafana-admin");
      const password = (secret.inputs as any).stringData[SECRET]["admin-password"];
      assert.ok(
        typeof password === "string" && password.length >= 16,
        "the Secret holds the password, as a secret",
      );
      for (const r of e.resources) {
        assert.ok(
          !plainStrings(r.inputs).some((x) => x.includes(password)),
          `${r.type} ${r.name} carries the password outside a secret`,
        );
        if (r.type === RELEASE)
          assert.ok(!JSON.stringify(r.inputs).includes(password), `${r.name}: a password in Helm values`);
      }
      for (const [k, o] of Object.entries(e.outputs))
        assert.ok(!(JSON.stringify(o.value) ?? "").includes(password), k);
    });

    it("ships container logs to a Pulumi-owned log group, with retention, exclusions and a position DB", async () => {
      const e = await stackOf(stack);
      const cfg = effective(e).fluentBit;
      const group = one(e, "aws:cloudwatch/logGroup:LogGroup", "fluent-bit").inputs as any;
      assert.equal(group.retentionInDays, cfg.logRetentionDays);
      assert.equal(group.name, `/aws/eks/platform-${stack}/containers`);
      const v = values(rel(e, "fluent-bit"));
      assert.equal(v.kind, "DaemonSet");
      assert.match(v.config.outputs, /^\s+Name\s+cloudwatch_logs$/m);
      assert.match(v.config.outputs, new RegExp(`^\\s+log_group_name\\s+${group.name}$`, "m"));
      assert.match(v.config.outputs, /^\s+auto_create_group\s+false$/m);
      assert.match(v.config.outputs, /^\s+region\s+us-east-1$/m);
      assert.match(v.config.filters, /^\s+Name\s+kubernetes$/m);
      assert.match(v.config.inputs, /^\s+DB\s+\/var\/log\/\S+\.db$/m);
      const excluded = /^\s+Exclude_Path\s+(\S+)$/m.exec(v.config.inputs)?.[1].split(",") ?? [];
      assert.deepEqual(
        excluded,
        cfg.excludeNamespaces.map((ns: string) => `/var/log/containers/*_${ns}_*.log`),
      );
      assert.equal(v.logLevel, cfg.logLevel);
    });

    it("limits Fluent Bit's role to writing streams and events in its own log group", async () => {
      const e = await stackOf(stack);
      const group = one(e, "aws:cloudwatch/logGroup:LogGroup", "fluent-bit");
      const arn = `arn:aws:logs:${regionOf(e)}:${accountOf(e)}:log-group:${group.inputs.name}`;
      const policy = policyOf(e, "fluent-bit");
      assert.deepEqual(policy.Statement, [
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [arn, `${arn}:*`],
        },
      ]);
      const assoc = one(e, ASSOCIATION, "fluent-bit").inputs as any;
      const sa = values(rel(e, "fluent-bit")).serviceAccount;
      assert.deepEqual(
        [assoc.namespace, assoc.serviceAccount],
        [rel(e, "fluent-bit").inputs.namespace, sa.name],
      );
      assert.deepEqual(
        JSON.parse(roleOf(e, "fluent-bit").inputs.assumeRolePolicy as string).Statement[0].Action,
        ["sts:AssumeRole", "sts:TagSession"],
      );
    });

    it("runs Postgres on CloudNativePG from config: instances, gp3 volume, no superuser, app database", async () => {
      const e = await stackOf(stack);
      const cfg = effective(e).postgres;
      const v = values(rel(e, "postgres"));
      assert.equal(v.cluster.instances, cfg.instances);
      if (stack === "alpha") assert.equal(v.cluster.instances, 1);
      if (stack === "prod") assert.equal(v.cluster.instances, 3);
      assert.deepEqual(v.cluster.storage, {
        size: `${cfg.storageGiB}Gi`,
        // Prod's database volumes survive their PVC (test/day2.test.ts).
        storageClass: stack === "prod" ? "gp3-retain" : "gp3",
      });
      assert.equal(v.cluster.enableSuperuserAccess, false);
      assert.deepEqual(v.cluster.initdb, {
        database: cfg.database,
        owner: cfg.owner,
      });
      assert.equal(
        v.cluster.enablePDB,
        cfg.instances > 1,
        "no PDB that would block drains of a single instance",
      );
      assert.equal(v.cluster.monitoring.enabled, true);
      assert.equal(e.outputs.postgresAppSecret.value, `${v.fullnameOverride}-app`);
      assert.equal(e.outputs.postgresNamespace.value, effective(e).service.namespace);
      assert.equal(
        e.outputs.postgresHost.value,
        `${v.fullnameOverride}-rw.${effective(e).service.namespace}.svc`,
      );
    });

    it("backs Postgres up to a private, encrypted, versioned bucket where config enables it (always in prod)", async () => {
      const e = await stackOf(stack);
      const cfg = effective(e).postgres.backups;
      const v = values(rel(e, "postgres"));
      if (stack === "prod") assert.equal(cfg.enabled, true);
      assert.equal(v.backups.enabled, cfg.enabled);
      if (!cfg.enabled) {
        assert.equal(ofType(e, BUCKET).length, 0);
        assert.equal(v.cluster.serviceAccountTemplate, undefined);
        return;
      }
      const bucket = one(e, BUCKET);
      const name = e.outputs.postgresBackupBucket.value as string;
      const arn = `arn:aws:s3:::${name}`;
      const on = (type: string) => ofType(e, type).filter((r) => r.inputs.bucket === name);
      const [sse] = on(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      );
      assert.match(
        (sse.inputs as any).rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
        /^(AES256|aws:kms)$/,
      );
      assert.equal(
        (on("aws:s3/bucketVersioning:BucketVersioning")[0].inputs as any).versioningConfiguration.status,
        "Enabled",
      );
      const block = on("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs as any;
      for (const f of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
        assert.equal(block[f], true, f);
      const [rule] = (on("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0].inputs as any)
        .rules;
      assert.equal(rule.noncurrentVersionExpiration.noncurrentDays, cfg.retentionDays);
      assert.ok(rule.abortIncompleteMultipartUpload.daysAfterInitiation > 0);
      const deny = JSON.parse(on("aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy as string).Statement[0];
      assert.deepEqual([deny.Effect, deny.Condition], ["Deny", { Bool: { "aws:SecureTransport": "false" } }]);
      // The chart's plugin path: ObjectStore, WAL archiving and scheduled backups through barman-cloud.
      assert.equal(v.backups.method, "plugin");
      assert.equal(v.backups.pluginConfiguration.name, "barman-cloud.cloudnative-pg.io");
      assert.deepEqual(v.backups.s3, {
        region: "us-east-1",
        bucket: name,
        path: `/${v.fullnameOverride}`,
        inheritFromIAMRole: true,
      });
      assert.equal(v.backups.retentionPolicy, `${cfg.retentionDays}d`);
      assert.deepEqual(
        v.backups.scheduledBackups.map((s: any) => [s.schedule, s.method, s.pluginConfiguration.name]),
        [[cfg.schedule, "plugin", "barman-cloud.cloudnative-pg.io"]],
      );
      // IRSA for the cluster's ServiceAccount (named after the cluster), limited to this bucket.
      const roleArn = v.cluster.serviceAccountTemplate.metadata.annotations["eks.amazonaws.com/role-arn"];
      const role = roleOf(e, "postgres-backup");
      assert.ok(roleArn.endsWith("/postgres-backup"));
      const trust = JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0];
      assert.equal(trust.Principal.Federated, e.outputs.oidcProviderArn.value);
      const conditions = Object.entries(trust.Condition.StringEquals).map(([k, val]) => [
        k.split(":").pop(),
        val,
      ]);
      assert.deepEqual(conditions.sort(), [
        ["aud", "sts.amazonaws.com"],
        ["sub", `system:serviceaccount:${effective(e).service.namespace}:${v.fullnameOverride}`],
      ]);
      const statements = policyOf(e, "postgres-backup").Statement;
      const resources = statements.flatMap((s: any) => [].concat(s.Resource)).sort();
      assert.deepEqual([...new Set(resources)], [arn, `${arn}/*`]);
      for (const s of statements)
        for (const a of [].concat(s.Action) as string[])
          assert.match(a, /^s3:[A-Z][A-Za-z]+$/, "no wildcard actions");
      assert.equal(bucket.protect, stack === "prod");
    });

    it("gives the load-balancer controller the cluster, VPC and a tag-scoped Pod Identity role", async () => {
      const e = await stackOf(stack);
      const v = values(rel(e, "aws-load-balancer-controller"));
      assert.equal(v.clusterName, e.outputs.clusterName.value);
      assert.equal(v.vpcId, e.outputs.vpcId.value);
      assert.equal(v.region, "us-east-1");
      assert.equal(v.enableServiceMutatorWebhook, false);
      assert.equal(v.replicaCount, 2);
      const assoc = one(e, ASSOCIATION, "aws-load-balancer-controller").inputs as any;
      assert.deepEqual([assoc.namespace, assoc.serviceAccount], ["kube-system", v.serviceAccount.name]);
      const statements = policyOf(e, "aws-load-balancer-controller").Statement as any[];
      const actions = statements.flatMap((s) => [].concat(s.Action) as string[]);
      for (const a of ["elasticloadbalancing:DescribeListenerAttributes", "ec2:GetSecurityGroupsForVpc"])
        assert.ok(actions.includes(a), a);
      // Every write names this cluster (alpha, beta and uat share an account) or this VPC; nothing writes unconditioned.
      const cluster = e.outputs.clusterName.value;
      const tag = "elbv2.k8s.aws/cluster";
      const vpcArn = `arn:aws:ec2:${regionOf(e)}:${accountOf(e)}:vpc/${e.outputs.vpcId.value}`;
      const isRead = (a: string) => /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$/.test(a);
      for (const s of statements) {
        const writes = ([].concat(s.Action) as string[]).filter((a) => !isRead(a));
        if (writes.length === 0) continue;
        const c = s.Condition ?? {};
        const scoped =
          c.StringEquals?.[`aws:ResourceTag/${tag}`] === cluster ||
          c.StringEquals?.[`aws:RequestTag/${tag}`] === cluster ||
          c.ArnEquals?.["ec2:Vpc"] === vpcArn ||
          s.Resource === vpcArn ||
          c.StringEquals?.["iam:AWSServiceName"] === "elasticloadbalancing.amazonaws.com" ||
          (s.Resource === "arn:aws:wafv2:*:*:regional/webacl/*/*" &&
            !writes.some((a) => !a.startsWith("wafv2:")));
        assert.ok(scoped, `unscoped write statement: ${JSON.stringify(s)}`);
        assert.equal(
          JSON.stringify(s).includes('"Null":{"aws:ResourceTag'),
          false,
          "tag values, not presence",
        );
      }
      // Deleting and reconfiguring only what this cluster tagged as its own.
      for (const a of [
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:RegisterTargets",
        "ec2:DeleteSecurityGroup",
      ]) {
        const granting = statements.filter((s) => [].concat(s.Action).includes(a as never));
        assert.ok(granting.length > 0, a);
        for (const s of granting)
          assert.equal(s.Condition?.StringEquals?.[`aws:ResourceTag/${tag}`], cluster, a);
      }
      for (const s of statements.filter((s) =>
        [].concat(s.Action).some((a: string) => /:Create(LoadBalancer|TargetGroup|Listener|Rule)$/.test(a)),
      )) {
        assert.equal(
          s.Condition?.StringEquals?.[`aws:RequestTag/${tag}`],
          cluster,
          "created resources carry the tag",
        );
      }
      // Shield and WAF Classic are off, so the role lacks their rights.
      assert.deepEqual([v.enableShield, v.enableWaf, v.enableWafv2], [false, false, true]);
      assert.ok(!actions.some((a) => /^(shield|waf-regional):/.test(a)));
    });

    it("orders installs by need only: nodes, CRDs, StorageClass, operator, controller; nothing else chains", async () => {
      const e = await stackOf(stack);
      const allowed = allowedReleaseDeps(e);
      const nodes = ofType(e, "eks:index:ManagedNodeGroup");
      const sc = one(e, "kubernetes:storage.k8s.io/v1:StorageClass", "storage");
      for (const name of expectedReleases(e)) {
        const r = rel(e, name);
        const deps = transitiveDeps(e, r);
        assert.deepEqual(
          releasesIn(e, deps),
          [...allowed[name]].sort(),
          `${name} waits for exactly these releases`,
        );
        // Every release with pods waits for the nodes; the CRDs alone need only the API server.
        const needsNodes = !["prometheus-operator-crds", "karpenter-crd"].includes(name);
        for (const ng of nodes) assert.equal(deps.has(ng.urn), needsNodes, `${name} waits for the nodes`);
      }
      const direct = (from: string, to: string) =>
        assert.ok(rel(e, from).dependsOn.includes(rel(e, to).urn), `${from} → ${to}`);
      direct("kube-prometheus-stack", "prometheus-operator-crds");
      direct("postgres", "cloudnative-pg");
      if (backupsOn(e)) direct("postgres", "plugin-barman-cloud");
      // Releases with PVCs wait for the default StorageClass.
      for (const name of ["kube-prometheus-stack", "grafana"])
        assert.ok(rel(e, name).dependsOn.includes(sc.urn), name);
      const postgresClass = one(
        e,
        "kubernetes:storage.k8s.io/v1:StorageClass",
        stack === "prod" ? "storage-retain" : "storage",
      );
      assert.ok(rel(e, "postgres").dependsOn.includes(postgresClass.urn), "postgres");
      for (const name of ["fluent-bit", "aws-load-balancer-controller", "cloudnative-pg"]) {
        assert.ok(!transitiveDeps(e, rel(e, name)).has(sc.urn), `${name} has no PVC`);
      }
    });

    it("protects and retains the CRDs release, the Postgres cluster and the backup bucket in prod only", async () => {
      const e = await stackOf(stack);
      const isProd = stack === "prod";
      const stateful = [rel(e, "prometheus-operator-crds"), rel(e, "postgres"), ...ofType(e, BUCKET)];
      if (isProd) assert.equal(stateful.length, 3);
      for (const r of stateful) {
        assert.equal(r.protect, isProd, `${r.name} protect`);
        assert.equal(r.retainOnDelete, isProd, `${r.name} retainOnDelete`);
      }
      for (const name of ["kube-prometheus-stack", "grafana", "fluent-bit", "cloudnative-pg"])
        assert.equal(rel(e, name).protect, false, name);
    });
  });
}
