import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "../cluster";
import { CHARTS } from "../versions";
import { release, resourcesOf } from "./common";

export interface MetricsServerArgs {
  cluster: Cluster;
  /** The prometheus-operator CRDs release: the chart creates a ServiceMonitor. */
  crds: pulumi.Resource;
}

/**
 * metrics-server: the resource metrics API (metrics.k8s.io) that the HorizontalPodAutoscaler reads CPU and memory
 * from. Without it every HPA reports `<unknown>` and never scales. Releases that declare an HPA depend on this one.
 */
export class MetricsServer extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:addons:MetricsServer", name, {}, opts);
    const { cluster } = args;
    this.release = release(
      {
        name: "metrics-server",
        pin: CHARTS.metricsServer,
        namespace: "kube-system",
        createNamespace: false,
        timeout: 300,
        values: {
          fullnameOverride: "metrics-server",
          // Two replicas and a PDB: the metrics API (an APIService) stays up through a node drain.
          replicas: 2,
          podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
          resources: resourcesOf({ cpu: "100m", memory: "200Mi" }),
          metrics: { enabled: true },
          serviceMonitor: { enabled: true },
        },
      },
      { parent: this, provider: cluster.provider, dependsOn: [...cluster.workloadsReady, args.crds] },
    );
    this.registerOutputs({});
  }
}
