import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { Environment, ServiceSettings } from "../config";
import { webAcl } from "./waf";
import { ARGO_ROLLOUTS_CLI_IMAGE } from "./versions";

export const CHART_DIR = path.join(__dirname, "..", "charts", "go-service");
/** Relative to the project directory, where `pulumi` runs: the state must not record one machine's checkout path. */
export const CHART_PATH = "./charts/go-service";
const APP_MODE: Record<Environment, string> = {
  alpha: "alpha",
  beta: "beta",
  uat: "uat",
  prod: "production",
};

/** The chart's selector labels for a release (templates/_helpers.tpl: chart name, release name): Postgres admits these pods. */
export const servicePodLabels = (release: string) => ({
  "app.kubernetes.io/name": "go-service",
  "app.kubernetes.io/instance": release,
});

export interface GoServiceArgs {
  environment: Environment;
  settings: ServiceSettings;
  imageTag: string;
  /** The tag came from `secure:` config: it reaches the release and outputs only as a Pulumi secret. */
  imageTagIsSecret?: boolean;
  repositoryUrl: pulumi.Input<string>;
  repositoryName: pulumi.Input<string>;
  registryId: pulumi.Input<string>;
  /** CIDRs of the subnets the ALB's nodes live in: the only addresses that may reach the http port (target type ip). */
  albSubnetCidrs: pulumi.Input<string[]>;
  /** The CloudNativePG cluster whose application Secret (`<cluster>-app`) the pods read credentials from. */
  database: {
    clusterName: pulumi.Input<string>;
    secretName: pulumi.Input<string>;
    caSecretName: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    ready: pulumi.Resource;
  };
  monitoringNamespace: pulumi.Input<string>;
  /** Prometheus that Argo Rollouts' analysis queries. */
  prometheusUrl: string;
  /** The prometheus-operator CRDs release: the chart creates a ServiceMonitor. */
  crds: pulumi.Resource;
  /** The load-balancer controller release, needed (and waited for) only when the Ingress is on. */
  loadBalancerController: pulumi.Resource;
  /** metrics-server: an HPA without the metrics API never scales, so the release waits for it when autoscaling. */
  metricsServer: pulumi.Resource;
  /** The Argo Rollouts release (Rollout and AnalysisTemplate kinds), needed when the strategy is not rolling. */
  argoRollouts: pulumi.Resource;
}

/**
 * Resolves the shared tag to its ECR digest, so every environment runs the same bytes. A tag that is not in the
 * repository fails the preview here, naming tag and repository, instead of a CrashLoopBackOff after the deploy.
 */
export function resolveDigest(
  tag: string,
  repositoryName: pulumi.Input<string>,
  registryId: pulumi.Input<string>,
  opts: pulumi.InvokeOptions,
  tagIsSecret = false,
): pulumi.Output<string> {
  return pulumi.all([repositoryName, registryId]).apply(async ([name, id]) => {
    try {
      return (await aws.ecr.getImage({ repositoryName: name, registryId: id, imageTag: tag }, opts))
        .imageDigest;
    } catch (e) {
      // ECR's ImageNotFoundException names the tag (imageId {imageTag:'…'}): a secret one must not reach the log.
      const message = e instanceof Error ? e.message : String(e);
      const cause = tagIsSecret ? message.replaceAll(tag, "(secret)") : message;
      throw new Error(
        `image tag ${tagIsSecret ? "(secret)" : `"${tag}"`} was not found in ECR repository "${name}" (registry ${id}): push it from the service's CI ` +
          `or promote a tag that exists (npm run promote).${cause ? ` Cause: ${cause}` : ""}`,
      );
    }
  });
}

/**
 * SHA-256 over every file of the chart (relative path and bytes, in sorted order). helm.v3.Release diffs its inputs
 * only: with this in the release, an edited template deploys even when nobody bumps the chart's version.
 */
export function chartDigest(dir: string = CHART_DIR): string {
  const files = (fs.readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join("/"))
    .sort();
  const hash = createHash("sha256");
  for (const f of files)
    hash
      .update(`${f}\0`)
      .update(fs.readFileSync(path.join(dir, f)))
      .update("\0");
  return `sha256:${hash.digest("hex")}`;
}

/** The Go service's chart (charts/go-service), deployed at the shared image tag resolved to a digest. */
export class GoService extends pulumi.ComponentResource {
  readonly imageTag: pulumi.Input<string>;
  readonly imageDigest: pulumi.Output<string>;
  readonly url: string;
  readonly name: string;

  constructor(name: string, args: GoServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:service:GoService", name, {}, opts);
    const { settings: s } = args;
    this.name = name;
    this.imageTag = args.imageTagIsSecret ? pulumi.secret(args.imageTag) : args.imageTag;
    this.url = s.appUrl;
    this.imageDigest = resolveDigest(
      args.imageTag,
      args.repositoryName,
      args.registryId,
      { parent: this },
      args.imageTagIsSecret,
    );

    // Created by the program (not by the controller), so it is reviewed, tagged and deleted like any resource.
    const acl = s.ingress.enabled && s.ingress.waf ? webAcl(`${name}-edge`, this) : undefined;

    const chart = parse(fs.readFileSync(path.join(CHART_DIR, "Chart.yaml"), "utf8")) as { version: string };
    new k8s.helm.v3.Release(
      name,
      {
        name,
        chart: CHART_PATH,
        version: chart.version,
        // Recorded with the Helm release: a change to any chart file is a change to this input, so an upgrade.
        description: `charts/go-service ${chart.version} ${chartDigest()}`,
        namespace: args.database.namespace,
        atomic: true,
        cleanupOnFail: true,
        // A rolling update of a Go service (seconds to start), including pods waiting for the database Secret;
        // under Argo Rollouts also the wait hook, which lasts until full promotion (rollout.timeoutMinutes).
        timeout: 300 + (s.rollout.strategy === "rolling" ? 0 : s.rollout.timeoutMinutes * 60),
        maxHistory: 10,
        values: {
          fullnameOverride: name,
          image: { repository: args.repositoryUrl, tag: this.imageTag, digest: this.imageDigest },
          app_mode: APP_MODE[args.environment],
          app_url: s.appUrl,
          log_level: s.logLevel,
          replicaCount: s.replicas,
          autoscaling: s.autoscaling,
          resources: s.resources,
          podAntiAffinity: s.podAntiAffinity,
          topologySpread: {
            whenUnsatisfiable: s.zoneSpread === "required" ? "DoNotSchedule" : "ScheduleAnyway",
          },
          database: {
            secretName: args.database.secretName,
            caSecretName: args.database.caSecretName,
            namespace: args.database.namespace,
            podLabels: { "cnpg.io/cluster": args.database.clusterName },
          },
          serviceMonitor: { enabled: true },
          // Grafana's sidecar reads dashboards from the monitoring namespace only.
          dashboard: { enabled: true, namespace: args.monitoringNamespace },
          networkPolicy: {
            enabled: true,
            ingressCidrs: args.albSubnetCidrs,
            monitoringNamespace: args.monitoringNamespace,
          },
          ingress: {
            enabled: s.ingress.enabled,
            scheme: s.ingress.scheme,
            certificateArn: s.ingress.certificateArn ?? "",
            sslPolicy: s.ingress.sslPolicy,
            inboundCidrs: s.ingress.inboundCidrs,
            wafv2AclArn: acl?.arn ?? "",
          },
          rollout: { ...s.rollout, prometheusUrl: args.prometheusUrl, waitImage: ARGO_ROLLOUTS_CLI_IMAGE },
        },
      },
      {
        parent: this,
        // Only what the chart needs: the ServiceMonitor kind, the database Secret, and the controller behind its Ingress.
        dependsOn: [
          args.crds,
          args.database.ready,
          ...(s.ingress.enabled ? [args.loadBalancerController] : []),
          ...(s.autoscaling.enabled ? [args.metricsServer] : []),
          ...(s.rollout.strategy === "rolling" ? [] : [args.argoRollouts]),
        ],
      },
    );
    this.registerOutputs({ imageTag: this.imageTag, imageDigest: this.imageDigest, url: this.url });
  }
}
