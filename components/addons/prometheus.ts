import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AlertingSecretKey, AlertingSettings, Environment, PrometheusSettings } from "../../config";
import { alertmanagerConfig, RECEIVER_SECRET } from "../alerting/alertmanager";
import { receiverSecret } from "../alerting/receivers";
import type { Cluster } from "../cluster";
import { CHARTS } from "../versions";
import { STORAGE_CLASS, release, resourcesOf } from "./common";
import { allow, fromCidrs, fromSameNamespace, ingressPolicies } from "./network-policies";
import type { Storage } from "./storage";

export interface PrometheusArgs {
  cluster: Cluster;
  storage: Storage;
  environment: Environment;
  isProd: boolean;
  settings: PrometheusSettings;
  /** Where the control plane calls the operator's admission webhook from. */
  vpcCidr: string;
  alerting: AlertingSettings;
  /** Which receiver secrets the stack sets (Settings.alertingSecrets). */
  alertingSecrets: AlertingSecretKey[];
}

export const MONITORING_NAMESPACE = "monitoring";
/** kube-prometheus-stack's fullnameOverride: object and Service names derive from it (≤ 26 characters). */
const FULLNAME = "kps";
/** The stable Prometheus Service; Grafana's default datasource points here. */
export const PROMETHEUS_URL = `http://${FULLNAME}-prometheus.${MONITORING_NAMESPACE}.svc:9090/`;

const volume = (gib: number) => ({
  volumeClaimTemplate: {
    spec: {
      storageClassName: STORAGE_CLASS,
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: `${gib}Gi` } },
    },
  },
});

/**
 * The prometheus-operator CRDs as their own release (so `helm upgrade` upgrades them), then kube-prometheus-stack
 * with its CRDs and Grafana off. Uninstalling the CRDs deletes every ServiceMonitor in the cluster, so that release
 * is protected and retained in prod, and its CRDs are annotated for Helm to keep.
 */
export class Prometheus extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  /** Everything that creates ServiceMonitor, PodMonitor or PrometheusRule objects depends on this. */
  readonly crds: k8s.helm.v3.Release;
  readonly release: k8s.helm.v3.Release;
  readonly prometheusUrl = PROMETHEUS_URL;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:addons:Prometheus", name, {}, opts);
    const { cluster, settings: s, isProd } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };

    // Owned here, not by Helm: Grafana's admin Secret must exist in it before Grafana's release.
    const ns = new k8s.core.v1.Namespace(
      MONITORING_NAMESPACE,
      { metadata: { name: MONITORING_NAMESPACE } },
      // It holds the Prometheus, Alertmanager and Grafana volumes: deleting it deletes their PVCs and the data.
      { ...k8sOpts, protect: isProd, retainOnDelete: isProd },
    );
    this.namespace = ns.metadata.name;
    // Monitoring talks to itself (Grafana → Prometheus → Alertmanager, scrapes); the API server calls the operator's
    // admission webhook (prometheusOperator.tls.internalPort 10250). Nothing else gets in.
    ingressPolicies(
      MONITORING_NAMESPACE,
      {
        namespace: this.namespace,
        rules: [allow([fromSameNamespace]), allow(fromCidrs([args.vpcCidr]), [10250])],
      },
      k8sOpts,
    );

    this.crds = release(
      {
        name: "prometheus-operator-crds",
        pin: CHARTS.prometheusOperatorCrds,
        namespace: this.namespace,
        createNamespace: false,
        // Only CustomResourceDefinitions: no pods to wait for, and no nodes needed.
        timeout: 180,
        values: {
          crds: { annotations: { "helm.sh/resource-policy": "keep" } },
        },
      },
      {
        ...k8sOpts,
        protect: isProd,
        retainOnDelete: isProd,
      },
    );

    const receivers = receiverSecret(this.namespace, args.alerting, args.alertingSecrets, k8sOpts);

    const ha = s.replicas > 1;
    const am = s.alertmanager;
    this.release = release(
      {
        name: "kube-prometheus-stack",
        pin: CHARTS.kubePrometheusStack,
        namespace: this.namespace,
        createNamespace: false,
        // Pre-install hook Jobs (webhook certificates) plus the operator: more than Helm's 5 minutes.
        timeout: 900,
        values: {
          fullnameOverride: FULLNAME,
          crds: { enabled: false },
          // Grafana is its own release; its sidecar picks up these dashboard and datasource ConfigMaps.
          grafana: {
            enabled: false,
            forceDeployDashboards: true,
            forceDeployDatasources: true,
            sidecar: { datasources: { url: PROMETHEUS_URL } },
          },
          // EKS runs the control plane: nothing to scrape, and the targets would alert as down.
          kubeControllerManager: { enabled: false },
          kubeScheduler: { enabled: false },
          kubeEtcd: { enabled: false },
          kubeProxy: { enabled: false },
          defaultRules: {
            rules: {
              etcd: false,
              kubeControllerManager: false,
              kubeSchedulerAlerting: false,
              kubeSchedulerRecording: false,
              kubeProxy: false,
            },
          },
          prometheusOperator: {
            resources: resourcesOf({ cpu: "100m", memory: "256Mi" }),
            admissionWebhooks: {
              patch: { resources: resourcesOf({ cpu: "10m", memory: "64Mi" }) },
            },
          },
          prometheus: {
            prometheusSpec: {
              retention: s.retention,
              // Below the volume size, so a full disk drops the oldest blocks instead of crash-looping.
              retentionSize: `${Math.floor(s.storageGiB * 0.9)}GiB`,
              storageSpec: volume(s.storageGiB),
              replicas: s.replicas,
              podAntiAffinity: ha ? "hard" : "soft",
              resources: resourcesOf(s.resources),
              externalLabels: { cluster: args.environment },
              // Select monitors and rules from every release and namespace, not only those labelled for this one.
              serviceMonitorSelectorNilUsesHelmValues: false,
              podMonitorSelectorNilUsesHelmValues: false,
              ruleSelectorNilUsesHelmValues: false,
              probeSelectorNilUsesHelmValues: false,
              scrapeConfigSelectorNilUsesHelmValues: false,
            },
          },
          alertmanager: {
            // Credentials are file paths into the mounted receivers Secret, never values (docs/alerting.md).
            config: alertmanagerConfig(args.alerting, args.alertingSecrets),
            alertmanagerSpec: {
              secrets: [RECEIVER_SECRET],
              replicas: am.replicas,
              podAntiAffinity: am.replicas > 1 ? "hard" : "soft",
              storage: volume(am.storageGiB),
              resources: resourcesOf({ cpu: "50m", memory: "128Mi" }),
            },
          },
          "kube-state-metrics": {
            resources: resourcesOf({ cpu: "10m", memory: "128Mi" }),
          },
          "prometheus-node-exporter": {
            resources: resourcesOf({ cpu: "10m", memory: "64Mi" }),
          },
        },
      },
      {
        ...k8sOpts,
        dependsOn: [...cluster.workloadsReady, this.crds, args.storage.storageClass, receivers],
      },
    );
    this.registerOutputs({
      namespace: this.namespace,
      prometheusUrl: this.prometheusUrl,
    });
  }
}
