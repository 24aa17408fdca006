import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { GrafanaSettings } from "../../config";
import { DEFAULT_TLS_POLICY } from "../../config/edge";
import type { Cluster } from "../cluster";
import { CHARTS } from "../versions";
import { STORAGE_CLASS, release, resourcesOf } from "./common";
import { allow, fromCidrs, fromSameNamespace, ingressPolicies } from "./network-policies";
import type { Storage } from "./storage";

export interface GrafanaArgs {
  cluster: Cluster;
  storage: Storage;
  settings: GrafanaSettings;
  /** CIDRs of the subnets its ALB's nodes live in (target type ip): the only outside source of its port. */
  albSubnetCidrs: pulumi.Input<string[]>;
  /** The monitoring namespace, where kube-prometheus-stack puts its dashboard and datasource ConfigMaps. */
  namespace: pulumi.Output<string>;
  /** The prometheus-operator CRDs release: the chart creates a ServiceMonitor. */
  crds: pulumi.Resource;
  /** The load-balancer controller release; waited for only when there is an Ingress. */
  loadBalancerController: pulumi.Resource;
}

/** The Secret holding the admin login; both keys, as the chart's admin.existingSecret expects. */
export const ADMIN_SECRET = "grafana-admin";
/** The Role Grafana's sidecars run with: ConfigMaps of its own namespace, read-only. */
export const CONFIGMAP_READER = "grafana-configmap-reader";

/**
 * Grafana (grafana-community chart) with a generated admin password, kube-prometheus-stack's dashboards and
 * Prometheus datasource (sidecars), a gp3 volume, and an ALB Ingress only when a hostname is configured.
 */
export class Grafana extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  readonly serviceName = "grafana";
  readonly adminSecretName = ADMIN_SECRET;
  /** https://<hostname> when exposed through the ALB; undefined for ClusterIP only. */
  readonly url: string | undefined;
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:addons:Grafana", name, {}, opts);
    const { cluster, settings: s } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };
    this.namespace = args.namespace;
    this.url = s.hostname ? `https://${s.hostname}` : undefined;

    const password = new random.RandomPassword(
      `${name}-admin`,
      { length: 32, special: false },
      { parent: this },
    );
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-admin`,
      {
        metadata: { name: ADMIN_SECRET, namespace: args.namespace },
        type: "Opaque",
        stringData: pulumi.secret({
          "admin-user": "admin",
          "admin-password": password.result,
        }),
      },
      k8sOpts,
    );

    const reader = new k8s.rbac.v1.Role(
      `${name}-configmap-reader`,
      {
        metadata: { name: CONFIGMAP_READER, namespace: args.namespace },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
      },
      k8sOpts,
    );

    // The namespace is closed by default (components/addons/prometheus.ts); with an ALB, its nodes may reach port 3000.
    if (s.hostname) {
      ingressPolicies(
        `${name}-alb`,
        {
          namespace: args.namespace,
          podLabels: { "app.kubernetes.io/name": "grafana" },
          rules: [
            allow(pulumi.output(args.albSubnetCidrs).apply(fromCidrs), [3000]),
            allow([fromSameNamespace]),
          ],
        },
        k8sOpts,
      );
    }

    const ingress = s.hostname
      ? {
          enabled: true,
          ingressClassName: "alb",
          hosts: [s.hostname],
          path: "/",
          pathType: "Prefix",
          annotations: {
            "alb.ingress.kubernetes.io/scheme": s.scheme,
            "alb.ingress.kubernetes.io/target-type": "ip",
            "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
            "alb.ingress.kubernetes.io/ssl-policy": DEFAULT_TLS_POLICY,
            "alb.ingress.kubernetes.io/healthcheck-path": "/api/health",
            ...(s.certificateArn
              ? {
                  "alb.ingress.kubernetes.io/certificate-arn": s.certificateArn,
                }
              : {}),
          },
        }
      : { enabled: false };

    this.release = release(
      {
        name: "grafana",
        pin: CHARTS.grafana,
        namespace: args.namespace,
        createNamespace: false,
        timeout: 600,
        values: {
          fullnameOverride: "grafana",
          admin: {
            existingSecret: ADMIN_SECRET,
            userKey: "admin-user",
            passwordKey: "admin-password",
          },
          sidecar: {
            resources: resourcesOf({ cpu: "10m", memory: "128Mi" }),
            // Dashboards and datasources only from ConfigMaps in Grafana's own namespace, where kube-prometheus-stack
            // and CloudNativePG put theirs: the sidecars never read Secrets, nor any other namespace.
            dashboards: {
              enabled: true,
              label: "grafana_dashboard",
              labelValue: "1",
              resource: "configmap",
            },
            // kube-prometheus-stack's datasource ConfigMap: Prometheus (default) and Alertmanager.
            datasources: {
              enabled: true,
              label: "grafana_datasource",
              labelValue: "1",
              resource: "configmap",
            },
          },
          // The chart's own rules grant Secrets too (templates/role.yaml, clusterrole.yaml): bind a namespaced Role
          // that reads only ConfigMaps instead, and no ClusterRole at all.
          rbac: { create: true, namespaced: true, useExistingRole: CONFIGMAP_READER },
          // The sidecars need the token to watch ConfigMaps; the ServiceAccount object does not mount it elsewhere.
          automountServiceAccountToken: true,
          serviceAccount: { automountServiceAccountToken: false },
          persistence: {
            enabled: true,
            type: "pvc",
            storageClassName: STORAGE_CLASS,
            size: `${s.storageGiB}Gi`,
          },
          // An RWO EBS volume cannot attach to a surge pod on another node: replace the pod instead.
          deploymentStrategy: { type: "Recreate" },
          resources: resourcesOf(s.resources),
          service: { type: "ClusterIP" },
          serviceMonitor: { enabled: true },
          ingress,
        },
      },
      {
        ...k8sOpts,
        // The controller owns the Ingress's load balancer: it must outlive the Ingress on destroy.
        dependsOn: [
          ...cluster.workloadsReady,
          args.crds,
          args.storage.storageClass,
          adminSecret,
          reader,
          ...(s.hostname ? [args.loadBalancerController] : []),
        ],
      },
    );
    this.registerOutputs({
      namespace: this.namespace,
      url: this.url,
      adminSecretName: this.adminSecretName,
    });
  }
}
