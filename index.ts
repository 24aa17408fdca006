import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { Cluster } from "./components/cluster";
import { Network } from "./components/network";
import { Registry } from "./components/registry";
import { defaultTags } from "./components/tags";

// 1. Configuration: validated as a whole before any resource exists.
const settings = loadConfig();
const eksClusterName = `${settings.project}-${settings.environment}`;

// 2. One AWS provider whose default tags reach every AWS resource.
const awsProvider = new aws.Provider("aws", { region: settings.region as aws.Region, defaultTags: { tags: defaultTags(settings) } });
const providers = { aws: awsProvider };

// 3. Network, cluster and the shared image registry.
const network = new Network("network", { settings: settings.network, clusterName: eksClusterName }, { providers });
const cluster = new Cluster(
  "cluster",
  {
    clusterName: eksClusterName,
    settings: settings.cluster,
    isProd: settings.isProd,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
  },
  { providers },
);
const registry = new Registry(
  "registry",
  { settings: settings.registry, isOwner: settings.registry.ownerStack === settings.environment },
  { providers },
);

// Stack outputs. The kubeconfig is a secret: it grants cluster access.
export const environment = settings.environment;
export const region = settings.region;
export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const clusterName = cluster.clusterName;
export const kubeconfig = pulumi.secret(cluster.kubeconfig);
export const oidcProviderArn = cluster.oidcProviderArn;
export const nodeRoleArn = cluster.nodeRoleArn;
export const ecrRepositoryUrl = registry.repositoryUrl;
