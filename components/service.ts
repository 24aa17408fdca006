import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { Environment, ServiceSettings } from "../config";

export const CHART_DIR = path.join(__dirname, "..", "charts", "go-service");
/** Relative to the project directory, where `pulumi` runs: the state must not record one machine's checkout path. */
export const CHART_PATH = "./charts/go-service";
const APP_MODE: Record<Environment, string> = {
  alpha: "alpha",
  beta: "beta",
  uat: "uat",
  prod: "production",
};

export interface GoServiceArgs {
  environment: Environment;
  settings: ServiceSettings;
  imageTag: string;
  /** The tag came from `secure:` config: it reaches the release and outputs only as a Pulumi secret. */
  imageTagIsSecret?: boolean;
  repositoryUrl: pulumi.Input<string>;
  repositoryName: pulumi.Input<string>;
  registryId: pulumi.Input<string>;
  /** VPC CIDR: the ALB (target type ip) reaches pods from inside the VPC. */
  vpcCidr: string;
  /** The CloudNativePG cluster whose application Secret (`<cluster>-app`) the pods read credentials from. */
  database: {
    clusterName: pulumi.Input<string>;
    secretName: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    ready: pulumi.Resource;
  };
  monitoringNamespace: pulumi.Input<string>;
  /** The prometheus-operator CRDs release: the chart creates a ServiceMonitor. */
  crds: pulumi.Resource;
  /** The load-balancer controller release, needed (and waited for) only when the Ingress is on. */
  loadBalancerController: pulumi.Resource;
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
      const cause = e instanceof Error ? e.message : String(e);
      throw new Error(
        `image tag ${tagIsSecret ? "(secret)" : `"${tag}"`} was not found in ECR repository "${name}" (registry ${id}): push it from the service's CI ` +
          `or promote a tag that exists (npm run promote).${cause ? ` Cause: ${cause}` : ""}`,
      );
    }
  });
}

/** The Go service's chart (charts/go-service), deployed at the shared image tag resolved to a digest. */
export class GoService extends pulumi.ComponentResource {
  readonly imageTag: pulumi.Input<string>;
  readonly imageDigest: pulumi.Output<string>;
  readonly url: string;

  constructor(name: string, args: GoServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:service:GoService", name, {}, opts);
    const { settings: s } = args;
    this.imageTag = args.imageTagIsSecret ? pulumi.secret(args.imageTag) : args.imageTag;
    this.url = s.appUrl;
    this.imageDigest = resolveDigest(
      args.imageTag,
      args.repositoryName,
      args.registryId,
      { parent: this },
      args.imageTagIsSecret,
    );

    const chart = parse(fs.readFileSync(path.join(CHART_DIR, "Chart.yaml"), "utf8")) as { version: string };
    new k8s.helm.v3.Release(
      name,
      {
        name,
        chart: CHART_PATH,
        version: chart.version,
        namespace: args.database.namespace,
        atomic: true,
        cleanupOnFail: true,
        // A rolling update of a Go service (seconds to start), including pods waiting for the database Secret.
        timeout: 300,
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
            whenUnsatisfiable: s.podAntiAffinity === "hard" ? "DoNotSchedule" : "ScheduleAnyway",
          },
          database: {
            secretName: args.database.secretName,
            namespace: args.database.namespace,
            podLabels: { "cnpg.io/cluster": args.database.clusterName },
          },
          serviceMonitor: { enabled: true },
          networkPolicy: {
            enabled: true,
            ingressCidrs: [args.vpcCidr],
            monitoringNamespace: args.monitoringNamespace,
          },
          ingress: {
            enabled: s.ingress.enabled,
            scheme: s.ingress.scheme,
            certificateArn: s.ingress.certificateArn ?? "",
          },
        },
      },
      {
        parent: this,
        // Only what the chart needs: the ServiceMonitor kind, the database Secret, and the controller behind its Ingress.
        dependsOn: [
          args.crds,
          args.database.ready,
          ...(s.ingress.enabled ? [args.loadBalancerController] : []),
        ],
      },
    );
    this.registerOutputs({ imageTag: this.imageTag, imageDigest: this.imageDigest, url: this.url });
  }
}
