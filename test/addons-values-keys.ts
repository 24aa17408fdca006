/**
 * Values key paths verified in each pinned chart's own values.yaml (or, where noted, its templates) at the commit
 * that released the pinned version. Helm silently ignores a misspelt key, so every leaf the program sets must be
 * listed here. A listed path is a leaf: what is below it (maps such as resources or annotations, lists) is opaque.
 * On a chart bump, re-check the paths against the new version's values.yaml and update the commit.
 */
export const VERIFIED_VALUES_KEYS: Record<string, { source: string; paths: string[] }> = {
  "argo-rollouts@2.41.0": {
    source: "argoproj/argo-helm@8796aeaa82428f96c3a20293f75a1a805f99d32b charts/argo-rollouts/values.yaml",
    paths: [
      "installCRDs",
      "keepCRDs",
      "controller.replicas",
      "controller.resources",
      "controller.metrics.enabled",
      "controller.metrics.serviceMonitor.enabled",
      "dashboard.enabled",
    ],
  },
  "prometheus-operator-crds@31.0.1": {
    source:
      "prometheus-community/helm-charts@4529d7bb4b4be3b2aa8ef0b4d40152d394213a61 charts/prometheus-operator-crds/values.yaml",
    paths: ["crds.annotations"],
  },
  "kube-prometheus-stack@88.5.3": {
    source:
      "prometheus-community/helm-charts@ea930baeebeba39f56d6b44e351f23b2a072a600 charts/kube-prometheus-stack/values.yaml",
    paths: [
      "fullnameOverride",
      "crds.enabled",
      "grafana.enabled",
      "grafana.forceDeployDashboards",
      "grafana.forceDeployDatasources",
      // Commented out in values.yaml; read by templates/grafana/configmaps-datasources.yaml.
      "grafana.sidecar.datasources.url",
      "kubeControllerManager.enabled",
      "kubeScheduler.enabled",
      "kubeEtcd.enabled",
      "kubeProxy.enabled",
      "defaultRules.rules.etcd",
      "defaultRules.rules.kubeControllerManager",
      "defaultRules.rules.kubeSchedulerAlerting",
      "defaultRules.rules.kubeSchedulerRecording",
      "defaultRules.rules.kubeProxy",
      "prometheusOperator.resources",
      "prometheusOperator.admissionWebhooks.patch.resources",
      "prometheus.prometheusSpec.retention",
      "prometheus.prometheusSpec.retentionSize",
      "prometheus.prometheusSpec.storageSpec",
      "prometheus.prometheusSpec.replicas",
      "prometheus.prometheusSpec.podAntiAffinity",
      "prometheus.prometheusSpec.resources",
      "prometheus.prometheusSpec.externalLabels",
      "prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues",
      "prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues",
      "prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues",
      "prometheus.prometheusSpec.probeSelectorNilUsesHelmValues",
      "prometheus.prometheusSpec.scrapeConfigSelectorNilUsesHelmValues",
      // The whole Alertmanager configuration (a map, rendered into the config Secret); its content is tested by
      // npm run test:alerts with amtool.
      "alertmanager.config",
      "alertmanager.alertmanagerSpec.secrets",
      "alertmanager.alertmanagerSpec.replicas",
      "alertmanager.alertmanagerSpec.podAntiAffinity",
      "alertmanager.alertmanagerSpec.storage",
      "alertmanager.alertmanagerSpec.resources",
      // Subcharts: kube-state-metrics 8.4.0 (@1982f1c5), prometheus-node-exporter 4.56.1 (@8b8e639c).
      "kube-state-metrics.resources",
      "prometheus-node-exporter.resources",
    ],
  },
  "grafana@12.11.1": {
    source:
      "grafana-community/helm-charts@864f7794683680e5100a38670e103c4fa6e37e29 charts/grafana/values.yaml",
    paths: [
      // Not in values.yaml; honoured by templates/_helpers.tpl grafana.fullname.
      "fullnameOverride",
      "admin.existingSecret",
      "admin.userKey",
      "admin.passwordKey",
      "sidecar.resources",
      "sidecar.dashboards.enabled",
      "sidecar.dashboards.label",
      "sidecar.dashboards.labelValue",
      "sidecar.dashboards.resource",
      "sidecar.datasources.enabled",
      "sidecar.datasources.label",
      "sidecar.datasources.labelValue",
      "sidecar.datasources.resource",
      "rbac.create",
      "rbac.namespaced",
      // Commented out in values.yaml; read by templates/rolebinding.yaml (roleRef) and role.yaml (skipped when set).
      "rbac.useExistingRole",
      "automountServiceAccountToken",
      "serviceAccount.automountServiceAccountToken",
      "persistence.enabled",
      "persistence.type",
      "persistence.storageClassName",
      "persistence.size",
      "deploymentStrategy.type",
      "resources",
      "service.type",
      "serviceMonitor.enabled",
      "ingress.enabled",
      "ingress.ingressClassName",
      "ingress.annotations",
      "ingress.hosts",
      "ingress.path",
      "ingress.pathType",
    ],
  },
  "fluent-bit@0.58.1": {
    source: "fluent/helm-charts@22a564dc85600c67d97e01a5b4cdf3b829292529 charts/fluent-bit/values.yaml",
    paths: [
      "kind",
      "fullnameOverride",
      "serviceAccount.create",
      "serviceAccount.name",
      "logLevel",
      "flush",
      "resources",
      "tolerations",
      "serviceMonitor.enabled",
      "config.inputs",
      "config.filters",
      "config.outputs",
    ],
  },
  "cloudnative-pg@0.29.0": {
    source:
      "cloudnative-pg/charts@d1b5ad60cee2d9432a9cc05627b42a8d8dc7bbae charts/cloudnative-pg/values.yaml",
    paths: [
      "crds.create",
      "resources",
      "monitoring.podMonitorEnabled",
      "monitoring.grafanaDashboard.create",
      "monitoring.grafanaDashboard.namespace",
    ],
  },
  "cluster@0.8.1": {
    source: "cloudnative-pg/charts@e5fd7c192b39d7d03d7183c73784cc27f1f0bc79 charts/cluster/values.yaml",
    paths: [
      "fullnameOverride",
      "version.postgresql",
      "cluster.instances",
      "cluster.storage.size",
      "cluster.storage.storageClass",
      "cluster.enableSuperuserAccess",
      // Passed through to Cluster.spec.bootstrap.initdb (templates/_bootstrap.tpl).
      "cluster.initdb.database",
      "cluster.initdb.owner",
      "cluster.resources",
      "cluster.enablePDB",
      "cluster.monitoring.enabled",
      "cluster.monitoring.podMonitor.enabled",
      "cluster.monitoring.prometheusRule.enabled",
      // A CloudNativePG ServiceAccountTemplate, passed through.
      "cluster.serviceAccountTemplate",
      "backups.enabled",
      "backups.method",
      "backups.pluginConfiguration.name",
      "backups.provider",
      "backups.s3.region",
      "backups.s3.bucket",
      "backups.s3.path",
      "backups.s3.inheritFromIAMRole",
      "backups.retentionPolicy",
      "backups.scheduledBackups",
    ],
  },
  "plugin-barman-cloud@0.7.0": {
    source:
      "cloudnative-pg/charts@83bd9c59514cb7ff3692049d85ba604dcb458700 charts/plugin-barman-cloud/values.yaml",
    paths: ["crds.create", "resources"],
  },
  "cert-manager@v1.21.1": {
    source:
      "cert-manager/cert-manager@24e33194fb39488eff2bbf10c6dc640f407cad44 deploy/charts/cert-manager/values.yaml",
    paths: [
      "crds.enabled",
      "crds.keep",
      "resources",
      "webhook.resources",
      "cainjector.resources",
      "startupapicheck.enabled",
      "prometheus.enabled",
      "prometheus.servicemonitor.enabled",
    ],
  },
  "aws-load-balancer-controller@3.5.0": {
    source:
      "aws/eks-charts@5239609242f3430be50fb0b714a24d3ef2b47983 stable/aws-load-balancer-controller/values.yaml",
    paths: [
      "clusterName",
      "region",
      "vpcId",
      "serviceAccount.create",
      "serviceAccount.name",
      "replicaCount",
      "podDisruptionBudget",
      "resources",
      "enableServiceMutatorWebhook",
      "enableShield",
      "enableWaf",
      "enableWafv2",
      "defaultTargetType",
      "serviceMonitor.enabled",
    ],
  },
  "karpenter-crd@1.14.1": {
    source:
      "aws/karpenter-provider-aws@1d927085dd81a9df9301e613f371dac5b4d16bfe charts/karpenter-crd/values.yaml",
    paths: [],
  },
  "karpenter@1.14.1": {
    source:
      "aws/karpenter-provider-aws@1d927085dd81a9df9301e613f371dac5b4d16bfe charts/karpenter/values.yaml",
    paths: [
      "serviceAccount.name",
      "replicas",
      "settings.clusterName",
      "settings.interruptionQueue",
      "controller.env",
      "controller.resources",
      "serviceMonitor.enabled",
    ],
  },
  "metrics-server@3.13.1": {
    source:
      "kubernetes-sigs/metrics-server@842dcc8c42f22cc19f10c7d5f2d32a9f4b6013b0 (tag metrics-server-helm-chart-3.13.1) charts/metrics-server/values.yaml",
    paths: [
      "fullnameOverride",
      "replicas",
      "podDisruptionBudget.enabled",
      "podDisruptionBudget.maxUnavailable",
      "resources",
      "metrics.enabled",
      "serviceMonitor.enabled",
    ],
  },
};

/** Every path set in `values` that the allow-list does not know: a misspelt or unverified key. */
export function unverifiedPaths(values: unknown, allowed: string[]): string[] {
  const out: string[] = [];
  const visit = (node: unknown, path: string) => {
    if (allowed.includes(path)) return;
    const isMap = node !== null && typeof node === "object" && !Array.isArray(node);
    // Descend only where a verified path continues; anything else set here is unknown to the chart.
    if (isMap && (path === "" || allowed.some((p) => p.startsWith(`${path}.`)))) {
      for (const [k, v] of Object.entries(node as Record<string, unknown>))
        visit(v, path ? `${path}.${k}` : k);
    } else out.push(path);
  };
  visit(values, "");
  return out;
}
