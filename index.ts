import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { databaseSettings } from "./config/addons";
import { FIRST_SERVICE, serviceEntries } from "./config/services";
import { protectedImageTags } from "./config/promoted";
import { Cluster } from "./components/cluster";
import { Network } from "./components/network";
import { Registry } from "./components/registry";
import { defaultTags } from "./components/tags";
import { ArgoRollouts } from "./components/addons/argo-rollouts";
import { FluentBit } from "./components/addons/fluent-bit";
import { Grafana } from "./components/addons/grafana";
import { LoadBalancerController } from "./components/addons/load-balancer-controller";
import { Postgres } from "./components/addons/postgres";
import { Prometheus } from "./components/addons/prometheus";
import { Storage } from "./components/addons/storage";
import { MetricsServer } from "./components/addons/metrics-server";
import { Karpenter } from "./components/karpenter/karpenter";
import { GoService, type GoServiceArgs, servicePodLabels } from "./components/service";
import { ServiceNamespace } from "./components/service-namespace";

// 1. Configuration: validated as a whole before any resource exists.
const settings = loadConfig();
const eksClusterName = `${settings.project}-${settings.environment}`;

// 2. One AWS provider whose default tags reach every AWS resource.
const awsProvider = new aws.Provider("aws", {
  region: settings.region as aws.Region,
  // Credentials of any other account fail at once: `pulumi up -s prod` with alpha's role never touches alpha.
  allowedAccountIds: [settings.accountId],
  defaultTags: { tags: defaultTags(settings) },
});
const providers = { aws: awsProvider };

// 3. Network, cluster and the shared image registry.
const network = new Network(
  "network",
  { settings: settings.network, clusterName: eksClusterName, isProd: settings.isProd },
  { providers },
);
// Single-zone stacks put every node in the first zone, beside their zonal EBS volumes.
const nodeSubnetIds =
  settings.karpenter.zones === "single"
    ? network.privateSubnetIds.apply((ids) => ids.slice(0, 1))
    : network.privateSubnetIds;
const cluster = new Cluster(
  "cluster",
  {
    clusterName: eksClusterName,
    settings: settings.cluster,
    access: settings.access,
    isProd: settings.isProd,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    nodeSubnetIds,
  },
  { providers },
);
// Only the owner creates the repository and its lifecycle, so only it reads the tags every stack file deploys.
const isRegistryOwner = settings.registry.ownerStack === settings.environment;
const registry = new Registry(
  "registry",
  {
    settings: settings.registry,
    isOwner: isRegistryOwner,
    protectedTags: isRegistryOwner ? protectedImageTags() : [],
  },
  { providers },
);

// 4. Add-ons: pinned Helm releases, each waiting only for what it needs (nodes, CRDs, StorageClass, controller).
const addon = {
  cluster,
  clusterName: eksClusterName,
  region: settings.region,
  vpcCidr: settings.network.cidr,
};
// Load balancers' nodes live in the public subnets (internet-facing) or the private ones (internal).
const albSubnetCidrs = (scheme: "internet-facing" | "internal") =>
  scheme === "internet-facing" ? network.publicSubnetCidrs : network.privateSubnetCidrs;
const storage = new Storage("storage", { cluster }, { providers });
const prometheus = new Prometheus(
  "prometheus",
  {
    cluster,
    storage,
    environment: settings.environment,
    isProd: settings.isProd,
    settings: settings.prometheus,
    vpcCidr: settings.network.cidr,
    alerting: settings.alerting,
    alertingSecrets: settings.alertingSecrets,
  },
  { providers },
);
const crds = prometheus.crds;
// Node autoscaling above the managed node groups, and the metrics every HPA reads.
const karpenter = new Karpenter(
  "karpenter",
  {
    ...addon,
    settings: settings.karpenter,
    subnetIds: nodeSubnetIds,
    controllerNodes: Object.values(settings.cluster.nodeGroups).reduce((n, g) => n + g.minSize, 0),
    crds,
  },
  { providers },
);
const metricsServer = new MetricsServer("metrics-server", { cluster, crds }, { providers });
const loadBalancerController = new LoadBalancerController(
  "aws-load-balancer-controller",
  { ...addon, vpcId: network.vpcId, crds },
  { providers },
);
const grafana = new Grafana(
  "grafana",
  {
    cluster,
    storage,
    settings: settings.grafana,
    albSubnetCidrs: albSubnetCidrs(settings.grafana.scheme),
    namespace: prometheus.namespace,
    crds,
    loadBalancerController: loadBalancerController.release,
  },
  { providers },
);
const fluentBit = new FluentBit(
  "fluent-bit",
  { ...addon, settings: settings.fluentBit, isProd: settings.isProd, crds },
  { providers },
);
const serviceNamespace = new ServiceNamespace(
  "service-namespace",
  { name: settings.service.namespace, isProd: settings.isProd },
  { providers: { kubernetes: cluster.provider } },
);
// Further services (platform:services): each in its own namespace, with its own CloudNativePG cluster there, sized
// by platform:postgres.services.<name> where that differs.
const furtherClients = Object.entries(settings.services).map(([name, s]) => ({
  key: name,
  settings: databaseSettings(settings.postgres, name),
  namespace: s.namespace,
  clientPodLabels: servicePodLabels(name),
  namespaceResource: new ServiceNamespace(
    `${name}-namespace`,
    { name: s.namespace, isProd: settings.isProd },
    { providers: { kubernetes: cluster.provider } },
  ).namespace,
}));
const postgres = new Postgres(
  "postgres",
  {
    ...addon,
    storage,
    isProd: settings.isProd,
    settings: settings.postgres,
    namespace: serviceNamespace.name,
    namespaceResource: serviceNamespace.namespace,
    clientPodLabels: servicePodLabels(FIRST_SERVICE),
    furtherClients,
    crds,
  },
  { providers },
);

const argoRollouts = new ArgoRollouts(
  "argo-rollouts",
  { cluster, isProd: settings.isProd, crds },
  { providers },
);

// 5. The Go services at the one shared image tag, resolved to its ECR digest. Off only while bootstrapping the registry.
const databases: Record<string, GoServiceArgs["database"]> = {
  [FIRST_SERVICE]: {
    clusterName: postgres.clusterName,
    secretName: postgres.appSecretName,
    caSecretName: postgres.caSecretName,
    namespace: postgres.namespace,
    ready: postgres.release,
  },
  ...Object.fromEntries(
    Object.entries(postgres.databases).map(([name, db]) => [
      name,
      {
        clusterName: db.clusterName,
        secretName: db.appSecretName,
        caSecretName: db.caSecretName,
        namespace: db.namespace,
        ready: db.release,
      },
    ]),
  ),
};
const services = serviceEntries(settings)
  .filter(([, s]) => s.enabled)
  .map(
    ([name, s]) =>
      new GoService(
        name,
        {
          environment: settings.environment,
          settings: s,
          imageTag: settings.imageTag,
          imageTagIsSecret: settings.secretKeys.includes("imageTag"),
          repositoryUrl: registry.repositoryUrl,
          repositoryName: registry.repositoryName,
          registryId: registry.registryId,
          albSubnetCidrs: albSubnetCidrs(s.ingress.scheme),
          database: databases[name],
          monitoringNamespace: prometheus.namespace,
          prometheusUrl: prometheus.prometheusUrl,
          crds,
          argoRollouts: argoRollouts.release,
          loadBalancerController: loadBalancerController.release,
          metricsServer: metricsServer.release,
        },
        { providers: { ...providers, kubernetes: cluster.provider } },
      ),
  );
const service = services.find((s) => s.name === FIRST_SERVICE);

// Stack outputs. The kubeconfig is a secret: it grants cluster access.
export const environment = settings.environment;
export const region = settings.region;
export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const publicSubnetCidrs = network.publicSubnetCidrs;
export const privateSubnetCidrs = network.privateSubnetCidrs;
export const clusterName = cluster.clusterName;
export const kubeconfig = pulumi.secret(cluster.kubeconfig);
export const oidcProviderArn = cluster.oidcProviderArn;
export const nodeRoleArn = cluster.nodeRoleArn;
export const karpenterInterruptionQueue = karpenter.queueName;
export const ecrRepositoryUrl = registry.repositoryUrl;
/** Attach to this stack's deploy and preview roles (not needed in the registry owner's stack). */
export const registryLookupPolicy = registry.lookupPolicy ?? null;
export const grafanaNamespace = grafana.namespace;
export const grafanaService = grafana.serviceName;
export const grafanaAdminSecret = grafana.adminSecretName;
export const grafanaUrl = grafana.url ?? null; // null: ClusterIP only, see README (port-forward)
export const prometheusUrl = prometheus.prometheusUrl;
export const containerLogGroup = fluentBit.logGroupName;
export const postgresNamespace = postgres.namespace;
export const postgresAppSecret = postgres.appSecretName;
export const postgresHost = postgres.serviceHost;
export const postgresBackupBucket = postgres.backupBucket ?? null;
export const serviceImageTag = settings.secretKeys.includes("imageTag")
  ? pulumi.secret(settings.imageTag)
  : settings.imageTag;
export const serviceImageDigest = service?.imageDigest ?? null;
export const serviceUrl = service?.url ?? null;
export const serviceRolloutStrategy = settings.service.rollout.strategy;
/** Every service's URL by name; all run serviceImageDigest. */
export const serviceUrls = Object.fromEntries(services.map((s) => [s.name, s.url]));
