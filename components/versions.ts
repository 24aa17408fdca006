/**
 * Every pinned third-party version, in one place. Each pin carries a `// renovate:` comment that the regex manager
 * in renovate.json reads, so a bump is one reviewed pull request. Values keys differ between chart versions: a
 * bump must re-check the keys in test/addons-values-keys.ts against the new chart's values.yaml.
 */
export interface ChartPin {
  /** Helm repository URL (HTTPS), or an OCI registry path (oci://…) for charts published only there. */
  repo: string;
  chart: string;
  /** One exact version, never a range. */
  version: string;
}

export const CHARTS = {
  // Bump together with kubePrometheusStack: both carry the same prometheus-operator version.
  // renovate: datasource=helm depName=prometheus-operator-crds registryUrl=https://prometheus-community.github.io/helm-charts
  prometheusOperatorCrds: {
    repo: "https://prometheus-community.github.io/helm-charts",
    chart: "prometheus-operator-crds",
    version: "31.0.1",
  },
  // renovate: datasource=helm depName=kube-prometheus-stack registryUrl=https://prometheus-community.github.io/helm-charts
  kubePrometheusStack: {
    repo: "https://prometheus-community.github.io/helm-charts",
    chart: "kube-prometheus-stack",
    version: "88.5.3",
  },
  // The grafana/helm-charts copy is deprecated since January 2026; grafana-community is its successor.
  // renovate: datasource=helm depName=grafana registryUrl=https://grafana-community.github.io/helm-charts
  grafana: {
    repo: "https://grafana-community.github.io/helm-charts",
    chart: "grafana",
    version: "12.11.1",
  },
  // renovate: datasource=helm depName=fluent-bit registryUrl=https://fluent.github.io/helm-charts
  fluentBit: {
    repo: "https://fluent.github.io/helm-charts",
    chart: "fluent-bit",
    version: "0.58.1",
  },
  // CloudNativePG 1.30.0: includes the CVE-2026-44477 fix (1.29.1+).
  // renovate: datasource=helm depName=cloudnative-pg registryUrl=https://cloudnative-pg.github.io/charts
  cloudnativePg: {
    repo: "https://cloudnative-pg.github.io/charts",
    chart: "cloudnative-pg",
    version: "0.29.0",
  },
  // renovate: datasource=helm depName=cluster registryUrl=https://cloudnative-pg.github.io/charts
  postgresCluster: {
    repo: "https://cloudnative-pg.github.io/charts",
    chart: "cluster",
    version: "0.8.1",
  },
  // renovate: datasource=helm depName=plugin-barman-cloud registryUrl=https://cloudnative-pg.github.io/charts
  barmanCloudPlugin: {
    repo: "https://cloudnative-pg.github.io/charts",
    chart: "plugin-barman-cloud",
    version: "0.7.0",
  },
  // The chart version carries the leading "v".
  // renovate: datasource=helm depName=cert-manager registryUrl=https://charts.jetstack.io
  certManager: {
    repo: "https://charts.jetstack.io",
    chart: "cert-manager",
    version: "v1.21.1",
  },
  // renovate: datasource=helm depName=aws-load-balancer-controller registryUrl=https://aws.github.io/eks-charts
  awsLoadBalancerController: {
    repo: "https://aws.github.io/eks-charts",
    chart: "aws-load-balancer-controller",
    version: "3.5.0",
  },
  // Node autoscaling. Published only as OCI artifacts; Renovate reads OCI charts with the docker datasource.
  // The CRDs chart carries the same version as the controller and is bumped with it (CRDs first). Both charts are
  // published at the git tag's version: hack/release/release.sh at v1.14.1 runs publishHelmChart with "1.14.1",
  // which rewrites Chart.yaml before `helm push` (the file in git still says 1.13.0).
  // renovate: datasource=docker depName=karpenter/karpenter-crd registryUrl=https://public.ecr.aws
  karpenterCrd: {
    repo: "oci://public.ecr.aws/karpenter",
    chart: "karpenter-crd",
    version: "1.14.1",
  },
  // Supports Kubernetes 1.30–1.36 (website/content/en/docs/upgrading/compatibility.md at 1d92708).
  // renovate: datasource=docker depName=karpenter/karpenter registryUrl=https://public.ecr.aws
  karpenter: {
    repo: "oci://public.ecr.aws/karpenter",
    chart: "karpenter",
    version: "1.14.1",
  },
  // renovate: datasource=helm depName=metrics-server registryUrl=https://kubernetes-sigs.github.io/metrics-server
  metricsServer: {
    repo: "https://kubernetes-sigs.github.io/metrics-server",
    chart: "metrics-server",
    version: "3.13.1",
  },
  // Argo Rollouts v1.9.0 (the chart's appVersion); its CRDs validate the service's Rollout in the chart tests
  // (ARGO_ROLLOUTS_VERSION in scripts/chart-tools.versions: keep on this appVersion).
  // renovate: datasource=helm depName=argo-rollouts registryUrl=https://argoproj.github.io/argo-helm
  argoRollouts: {
    repo: "https://argoproj.github.io/argo-helm",
    chart: "argo-rollouts",
    version: "2.41.0",
  },
} as const satisfies Record<string, ChartPin>;

/**
 * Postgres major version of the CloudNativePG cluster: image ghcr.io/cloudnative-pg/postgresql:<major>, a floating
 * tag. The spec never changes on a minor release, so no rolling update happens: an instance keeps the 17.x it first
 * pulled until its pod is recreated (docs/addons.md). A major upgrade is a migration, so Renovate does not touch it.
 */
export const POSTGRES_MAJOR = "17";

/**
 * The kubectl-argo-rollouts image of the service release's wait hook (charts/go-service templates/rollout-wait.yaml):
 * the CLI at the controller's version, the argo-rollouts chart's appVersion.
 */
// renovate: datasource=docker depName=quay.io/argoproj/kubectl-argo-rollouts
export const ARGO_ROLLOUTS_CLI_IMAGE = "quay.io/argoproj/kubectl-argo-rollouts:v1.9.0";
