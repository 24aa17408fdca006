import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FluentBitSettings } from "../../config";
import { CHARTS } from "../versions";
import { type ClusterAddonArgs, podIdentity, release, resourcesOf } from "./common";
import { allow, fromNamespace, ingressPolicies } from "./network-policies";
import { MONITORING_NAMESPACE } from "./prometheus";

export interface FluentBitArgs extends ClusterAddonArgs {
  settings: FluentBitSettings;
  /** Prod: the container log group is protected and retained on delete. */
  isProd: boolean;
}

const NAMESPACE = "logging";
const SERVICE_ACCOUNT = "fluent-bit";

/**
 * Fluent Bit as a DaemonSet, shipping container logs to one CloudWatch Logs group per environment. Pulumi owns
 * the group (retention from config), so the plugin never creates groups and its role can only write to this one.
 */
export class FluentBit extends pulumi.ComponentResource {
  readonly logGroupName: pulumi.Output<string>;
  readonly namespace = NAMESPACE;
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: FluentBitArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:addons:FluentBit", name, {}, opts);
    const { cluster, settings: s } = args;

    const logGroup = new aws.cloudwatch.LogGroup(
      name,
      {
        name: `/aws/eks/${args.clusterName}/containers`,
        retentionInDays: s.logRetentionDays,
      },
      { parent: this, protect: args.isProd, retainOnDelete: args.isProd },
    );
    this.logGroupName = logGroup.name;

    // Fluent Bit ≥ 4.0 reads Pod Identity credentials (fluent/fluent-bit@f29d2a3); 5.1.1's cloudwatch_logs output
    // calls only CreateLogStream and PutLogEvents once the group exists (plugins/out_cloudwatch_logs/cloudwatch_api.c).
    const { grants } = podIdentity(
      name,
      {
        clusterName: cluster.clusterName,
        namespace: NAMESPACE,
        serviceAccount: SERVICE_ACCOUNT,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
            },
          ],
        }),
      },
      this,
    );

    // Container log files are <pod>_<namespace>_<container>-<id>.log: excluding by path skips them before parsing.
    const excluded = s.excludeNamespaces.map((ns) => `/var/log/containers/*_${ns}_*.log`);
    const inputs = [
      "[INPUT]",
      "    Name              tail",
      "    Path              /var/log/containers/*.log",
      ...(excluded.length ? [`    Exclude_Path      ${excluded.join(",")}`] : []),
      "    multiline.parser  docker, cri",
      "    Tag               kube.*",
      // Offsets survive restarts: no re-shipping of whole files, no gaps.
      "    DB                /var/log/flb_kube.db",
      "    DB.locking        true",
      "    Mem_Buf_Limit     10MB",
      "    Skip_Long_Lines   On",
    ];
    const filters = [
      "[FILTER]",
      "    Name                kubernetes",
      "    Match               kube.*",
      "    Merge_Log           On",
      "    Keep_Log            Off",
      "    K8S-Logging.Parser  On",
      "    K8S-Logging.Exclude On",
    ];
    const outputs = pulumi.interpolate`[OUTPUT]
    Name               cloudwatch_logs
    Match              kube.*
    region             ${args.region}
    log_group_name     ${logGroup.name}
    log_stream_prefix  ${args.clusterName}.
    auto_create_group  false
`;

    this.release = release(
      {
        name: "fluent-bit",
        pin: CHARTS.fluentBit,
        namespace: NAMESPACE,
        timeout: 300,
        values: {
          kind: "DaemonSet",
          fullnameOverride: "fluent-bit",
          serviceAccount: { create: true, name: SERVICE_ACCOUNT },
          logLevel: s.logLevel,
          // Fewer, larger PutLogEvents calls.
          flush: 5,
          resources: resourcesOf(s.resources),
          // Logs from every node, tainted or not.
          tolerations: [{ operator: "Exists" }],
          serviceMonitor: { enabled: true },
          config: {
            inputs: inputs.join("\n") + "\n",
            filters: filters.join("\n") + "\n",
            outputs,
          },
        },
      },
      {
        parent: this,
        provider: cluster.provider,
        // Not kube-prometheus-stack, Grafana or Postgres: logs flow as soon as the nodes exist.
        dependsOn: [...cluster.workloadsReady, args.crds, ...grants],
      },
    );
    // Only Prometheus may reach Fluent Bit (its HTTP server, 2020). The chart creates the namespace.
    ingressPolicies(
      name,
      {
        namespace: NAMESPACE,
        rules: [allow([fromNamespace(MONITORING_NAMESPACE)], [2020])],
      },
      { parent: this, provider: cluster.provider, dependsOn: [this.release] },
    );
    this.registerOutputs({
      logGroupName: this.logGroupName,
      namespace: this.namespace,
    });
  }
}
