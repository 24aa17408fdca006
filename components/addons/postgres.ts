import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PostgresSettings } from "../../config";
import { CHARTS, POSTGRES_MAJOR } from "../versions";
import {
  type ClusterAddonArgs,
  RETAIN_STORAGE_CLASS,
  STORAGE_CLASS,
  irsaRole,
  release,
  resourcesOf,
} from "./common";
import { allow, fromCidrs, fromNamespace, fromSameNamespace, ingressPolicies } from "./network-policies";
import { MONITORING_NAMESPACE } from "./prometheus";
import type { Storage } from "./storage";

/** An application namespace that gets a CloudNativePG cluster of its own, admitting only the given pods. */
export interface DatabaseClient {
  namespace: string;
  /** Labels of the application's pods: the only clients Postgres admits. */
  clientPodLabels: Record<string, string>;
  /** The namespace object (components/service-namespace.ts): the release never creates it on the side. */
  namespaceResource: pulumi.Resource;
  /** This database's own settings (config/addons.ts databaseSettings); the add-on's otherwise. */
  settings?: PostgresSettings;
}

/** What a service needs of its database: the chart's DB-credentials interface (the app and CA Secrets). */
export interface PostgresDatabase {
  clusterName: string;
  namespace: string;
  appSecretName: string;
  caSecretName: string;
  serviceHost: string;
  release: k8s.helm.v3.Release;
}

export interface PostgresArgs extends ClusterAddonArgs {
  storage: Storage;
  isProd: boolean;
  settings: PostgresSettings;
  /** The application's namespace: CloudNativePG writes the app Secret next to the database, where pods can mount it. */
  namespace: string;
  /** Labels of the application's pods: the only clients Postgres admits. */
  clientPodLabels: Record<string, string>;
  /** The namespace object (components/service-namespace.ts): the release never creates it on the side. */
  namespaceResource: pulumi.Resource;
  /** Further services, by name: each gets its own cluster, sized by its own settings, in its own namespace. */
  furtherClients?: (DatabaseClient & { key: string })[];
}

const OPERATOR_NAMESPACE = "cnpg-system";
/** fullnameOverride of the cluster chart: the Cluster, its Services, Secrets and ServiceAccount derive from it. */
const CLUSTER = "postgres";
const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";

/**
 * Postgres on CloudNativePG: the operator, then one cluster (superuser off, an app database and owner). With
 * backups on: an encrypted, versioned, private S3 bucket, an IRSA role for the cluster's ServiceAccount, and the
 * barman-cloud plugin (with cert-manager, which it needs) for scheduled backups and WAL archiving.
 */
export class Postgres extends pulumi.ComponentResource {
  /** The CloudNativePG Cluster's name (pod label cnpg.io/cluster). */
  readonly clusterName = CLUSTER;
  readonly namespace: string;
  /** Secret with username, password, host, port, dbname and uri for the app owner (kubernetes.io/basic-auth). */
  readonly appSecretName = `${CLUSTER}-app`;
  /** CloudNativePG's CA Secret (key ca.crt): clients verify the server certificate against it (verify-full). */
  readonly caSecretName = `${CLUSTER}-ca`;
  /** The read-write Service (always the primary), port 5432. */
  readonly serviceHost: string;
  /** The cluster release: consumers of the app Secret depend on it. */
  readonly release: k8s.helm.v3.Release;
  readonly backupBucket?: pulumi.Output<string>;
  /** The clusters of `furtherClients`, by key. */
  readonly databases: Record<string, PostgresDatabase>;

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:addons:Postgres", name, {}, opts);
    const { cluster, settings: s } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };
    this.namespace = args.namespace;
    this.serviceHost = `${CLUSTER}-rw.${args.namespace}.svc`;

    const operator = release(
      {
        name: "cloudnative-pg",
        pin: CHARTS.cloudnativePg,
        namespace: OPERATOR_NAMESPACE,
        timeout: 300,
        values: {
          crds: { create: true },
          resources: resourcesOf({ cpu: "100m", memory: "256Mi" }),
          monitoring: {
            podMonitorEnabled: true,
            // In Grafana's namespace: its sidecar reads ConfigMaps there only (components/addons/grafana.ts).
            grafanaDashboard: { create: true, namespace: MONITORING_NAMESPACE },
          },
        },
      },
      { ...k8sOpts, dependsOn: [...cluster.workloadsReady, args.crds] },
    );
    const clusterPods = { "cnpg.io/cluster": CLUSTER };
    // The operator's namespace: its webhook (9443) from the API server, metrics (8080) from Prometheus, the barman
    // plugin's gRPC (9090) from the instances' sidecars; its own pods talk freely.
    ingressPolicies(
      `${name}-operator`,
      {
        namespace: OPERATOR_NAMESPACE,
        rules: [
          allow([fromSameNamespace]),
          allow(fromCidrs([args.vpcCidr]), [9443]),
          allow([fromNamespace(MONITORING_NAMESPACE)], [8080]),
          ...[args.namespace, ...(args.furtherClients ?? []).map((c) => c.namespace)].map((ns) =>
            allow([fromNamespace(ns, clusterPods)], [9090]),
          ),
        ],
      },
      { ...k8sOpts, dependsOn: [operator] },
    );

    const b = s.backups;
    const backupDeps: pulumi.Resource[] = [];
    if (b.enabled) {
      // The plugin issues its TLS certificates through cert-manager, and must live in the operator's namespace.
      const certManager = release(
        {
          name: "cert-manager",
          pin: CHARTS.certManager,
          namespace: "cert-manager",
          timeout: 300,
          values: {
            crds: { enabled: true, keep: true },
            resources: resourcesOf({ cpu: "10m", memory: "128Mi" }),
            webhook: { resources: resourcesOf({ cpu: "10m", memory: "64Mi" }) },
            cainjector: {
              resources: resourcesOf({ cpu: "10m", memory: "128Mi" }),
            },
            // The release completes only once Issuers and Certificates can be created.
            startupapicheck: { enabled: true },
            prometheus: { enabled: true, servicemonitor: { enabled: true } },
          },
        },
        { ...k8sOpts, dependsOn: [...cluster.workloadsReady, args.crds] },
      );
      ingressPolicies(
        `${name}-cert-manager`,
        {
          namespace: "cert-manager",
          rules: [
            allow([fromSameNamespace]),
            // The webhook (securePort 10250) from the API server; metrics (9402) from Prometheus.
            allow(fromCidrs([args.vpcCidr]), [10250]),
            allow([fromNamespace(MONITORING_NAMESPACE)], [9402]),
          ],
        },
        { ...k8sOpts, dependsOn: [certManager] },
      );
      const plugin = release(
        {
          name: "plugin-barman-cloud",
          pin: CHARTS.barmanCloudPlugin,
          namespace: OPERATOR_NAMESPACE,
          // One Deployment.
          timeout: 180,
          values: {
            crds: { create: true },
            resources: resourcesOf({ cpu: "50m", memory: "128Mi" }),
          },
        },
        {
          ...k8sOpts,
          dependsOn: [...cluster.workloadsReady, operator, certManager],
        },
      );
      backupDeps.push(plugin);
    }

    // The first client keeps the names it had before further services existed (no replacement of its cluster).
    const first = {
      namespace: args.namespace,
      clientPodLabels: args.clientPodLabels,
      namespaceResource: args.namespaceResource,
    };
    this.release = this.cluster(name, CLUSTER, first, args, operator, backupDeps);
    this.backupBucket = this.buckets[0];
    this.databases = {};
    for (const c of args.furtherClients ?? []) {
      const ready = this.cluster(`${name}-${c.key}`, `${CLUSTER}-${c.key}`, c, args, operator, backupDeps);
      this.databases[c.key] = {
        clusterName: CLUSTER,
        namespace: c.namespace,
        appSecretName: this.appSecretName,
        caSecretName: this.caSecretName,
        serviceHost: `${CLUSTER}-rw.${c.namespace}.svc`,
        release: ready,
      };
    }
    this.registerOutputs({
      namespace: this.namespace,
      appSecretName: this.appSecretName,
      serviceHost: this.serviceHost,
      backupBucket: this.backupBucket,
    });
  }

  private readonly buckets: pulumi.Output<string>[] = [];

  /**
   * One CloudNativePG cluster named `postgres` in a client's namespace (names are per namespace), with its own
   * backup bucket and IRSA role when backups are on, and the NetworkPolicies that admit only that client.
   */
  private cluster(
    name: string,
    resourceName: string,
    client: DatabaseClient,
    args: PostgresArgs,
    operator: pulumi.Resource,
    sharedBackupDeps: pulumi.Resource[],
  ): k8s.helm.v3.Release {
    const { cluster, isProd } = args;
    const s = client.settings ?? args.settings;
    const k8sOpts = { parent: this, provider: cluster.provider };
    const clusterPods = { "cnpg.io/cluster": CLUSTER };
    const b = s.backups;
    let backupValues: Record<string, unknown> = { enabled: false };
    let serviceAccountTemplate: Record<string, unknown> | undefined;
    const backupDeps = [...sharedBackupDeps];
    if (b.enabled) {
      const bucket = this.bucket(name, b.retentionDays, isProd);
      this.buckets.push(bucket.bucket);
      const { role, grants } = irsaRole(
        `${name}-backup`,
        {
          oidcProviderArn: cluster.oidcProviderArn,
          oidcProviderUrl: cluster.oidcProviderUrl,
          namespace: client.namespace,
          // CloudNativePG runs the instances (and the plugin sidecar) as a ServiceAccount named after the cluster.
          serviceAccount: CLUSTER,
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["s3:ListBucket", "s3:GetBucketLocation"],
                Resource: bucket.arn,
              },
              {
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                Resource: pulumi.interpolate`${bucket.arn}/*`,
              },
            ],
          }),
        },
        this,
      );
      serviceAccountTemplate = {
        metadata: { annotations: { "eks.amazonaws.com/role-arn": role.arn } },
      };
      backupDeps.push(...grants);
      const schedule = {
        name: "daily",
        schedule: b.schedule,
        backupOwnerReference: "self",
        method: "plugin",
      };
      backupValues = {
        enabled: true,
        method: "plugin",
        pluginConfiguration: { name: BARMAN_PLUGIN },
        provider: "s3",
        s3: {
          region: args.region,
          bucket: bucket.bucket,
          path: `/${CLUSTER}`,
          inheritFromIAMRole: true,
        },
        retentionPolicy: `${b.retentionDays}d`,
        // Helm replaces lists whole: the chart's default entry (method barmanObjectStore) must not survive.
        scheduledBackups: [{ ...schedule, pluginConfiguration: { name: BARMAN_PLUGIN } }],
      };
    }

    const clusterRelease = release(
      {
        name: CLUSTER,
        resourceName,
        pin: CHARTS.postgresCluster,
        namespace: client.namespace,
        createNamespace: false,
        // Custom resources only (Cluster, PodMonitor, backups): Helm has nothing to wait for. The operator creates
        // the pods and the app Secret afterwards; the service's release waits for those within its own timeout.
        timeout: 120,
        values: {
          fullnameOverride: CLUSTER,
          version: { postgresql: POSTGRES_MAJOR },
          cluster: {
            instances: s.instances,
            // Prod's volumes outlive a deleted PVC, namespace or release: the data stays until someone deletes it.
            storage: {
              size: `${s.storageGiB}Gi`,
              storageClass: isProd ? RETAIN_STORAGE_CLASS : STORAGE_CLASS,
            },
            enableSuperuserAccess: false,
            initdb: { database: s.database, owner: s.owner },
            // Requests equal limits: Guaranteed QoS, the last to be evicted.
            resources: { requests: s.resources, limits: s.resources },
            // A PodDisruptionBudget on a single instance would block every node drain.
            enablePDB: s.instances > 1,
            monitoring: {
              enabled: true,
              podMonitor: { enabled: true },
              prometheusRule: { enabled: true },
            },
            ...(serviceAccountTemplate ? { serviceAccountTemplate } : {}),
          },
          backups: backupValues,
        },
      },
      {
        ...k8sOpts,
        dependsOn: [
          ...cluster.workloadsReady,
          args.crds,
          isProd ? args.storage.retainStorageClass : args.storage.storageClass,
          client.namespaceResource,
          operator,
          ...backupDeps,
        ],
        protect: isProd,
        retainOnDelete: isProd,
      },
    );
    // The application namespace is closed by default; Postgres admits the service, the operator (5432 and the
    // instance manager's 8000), its own instances (replication) and Prometheus (9187). The service's chart opens
    // its own pods to their load balancer.
    ingressPolicies(
      `${name}-app-namespace`,
      {
        namespace: client.namespace,
        rules: [],
      },
      { ...k8sOpts, dependsOn: [clusterRelease] },
    );
    ingressPolicies(
      name,
      {
        namespace: client.namespace,
        podLabels: clusterPods,
        rules: [
          allow([{ podSelector: { matchLabels: client.clientPodLabels } }], [5432]),
          allow(
            [fromNamespace(OPERATOR_NAMESPACE), { podSelector: { matchLabels: clusterPods } }],
            [5432, 8000],
          ),
          allow([fromNamespace(MONITORING_NAMESPACE)], [9187]),
        ],
      },
      { ...k8sOpts, dependsOn: [clusterRelease] },
    );
    return clusterRelease;
  }

  /** Private, encrypted, versioned; old versions expire after the retention window, TLS only. */
  private bucket(name: string, retentionDays: number, isProd: boolean): aws.s3.Bucket {
    const opts = { parent: this };
    const bucket = new aws.s3.Bucket(
      `${name}-backups`,
      { forceDestroy: !isProd },
      { ...opts, protect: isProd, retainOnDelete: isProd },
    );
    // SSE-S3, as barman-cloud requests it on upload (the chart's wal/data encryption default, AES256).
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-backups`,
      {
        bucket: bucket.bucket,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      opts,
    );
    new aws.s3.BucketVersioning(
      `${name}-backups`,
      { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } },
      opts,
    );
    const block = new aws.s3.BucketPublicAccessBlock(
      `${name}-backups`,
      {
        bucket: bucket.bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      opts,
    );
    // Barman deletes backups past the retention policy itself; the lifecycle removes what versioning keeps of them.
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-backups`,
      {
        bucket: bucket.bucket,
        rules: [
          {
            id: "expire-deleted-backups",
            status: "Enabled",
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: retentionDays },
            expiration: { expiredObjectDeleteMarker: true },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      opts,
    );
    new aws.s3.BucketPolicy(
      `${name}-backups`,
      {
        bucket: bucket.bucket,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      // S3 applies one bucket configuration change at a time; in parallel they fail with OperationAborted.
      { ...opts, dependsOn: [block] },
    );
    return bucket;
  }
}
