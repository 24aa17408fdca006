import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "../cluster";
import { CHARTS } from "../versions";
import { release, resourcesOf } from "./common";
import { allow, fromNamespace, ingressPolicies } from "./network-policies";
import { MONITORING_NAMESPACE } from "./prometheus";

export interface ArgoRolloutsArgs {
  cluster: Cluster;
  isProd: boolean;
  /** The prometheus-operator CRDs release: the chart creates the controller's ServiceMonitor. */
  crds: pulumi.Resource;
}

const NAMESPACE = "argo-rollouts";
/** The controller's metrics port (values.yaml controller.metrics.service.port at the pinned chart). */
const METRICS_PORT = 8090;

/**
 * The Argo Rollouts controller and its CRDs (Rollout, AnalysisTemplate, AnalysisRun, Experiment): canary and
 * blue-green releases of the Go service, with ALB traffic splitting through the load-balancer controller and
 * analysis against Prometheus. The chart keeps its CRDs on uninstall (keepCRDs), so removing it never deletes
 * the service's Rollout; prod protects the release as well.
 */
export class ArgoRollouts extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:addons:ArgoRollouts", name, {}, opts);
    const { cluster, isProd } = args;
    // Values keys: argoproj/argo-helm charts/argo-rollouts/values.yaml at the pinned version.
    this.release = release(
      {
        name: "argo-rollouts",
        pin: CHARTS.argoRollouts,
        namespace: NAMESPACE,
        timeout: 300,
        values: {
          installCRDs: true,
          keepCRDs: true,
          controller: {
            // Two replicas elect a leader: a node drain never pauses a release in prod.
            replicas: isProd ? 2 : 1,
            resources: resourcesOf({ cpu: "50m", memory: "128Mi" }),
            metrics: { enabled: true, serviceMonitor: { enabled: true } },
          },
          dashboard: { enabled: false },
        },
      },
      {
        parent: this,
        provider: cluster.provider,
        protect: isProd,
        retainOnDelete: isProd,
        dependsOn: [...cluster.workloadsReady, args.crds],
      },
    );
    // No webhooks and no dashboard: Prometheus scraping the controller is the only traffic in.
    ingressPolicies(
      name,
      { namespace: NAMESPACE, rules: [allow([fromNamespace(MONITORING_NAMESPACE)], [METRICS_PORT])] },
      { parent: this, provider: cluster.provider, dependsOn: [this.release] },
    );
    this.registerOutputs({});
  }
}
