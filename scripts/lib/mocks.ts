import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/** Which image tags the mock ECR holds: "any" (the offline plan assumes CI pushed the tag) or an explicit list. */
export type MockImages = "any" | string[];

export interface MockOptions {
  region: string;
  images: MockImages;
  /** The stack's platform:accountId: allowedAccountIds makes a real deploy run there, so the caller is in it. */
  account?: string;
}

/** The account a stack without a valid platform:accountId evaluates in (its config errors are reported anyway). */
export const MOCK_ACCOUNT = "111122223333";
const digestOf = (repository: string, tag: string) =>
  `sha256:${createHash("sha256").update(`${repository}:${tag}`).digest("hex")}`;
export const short = (s: string) => createHash("sha1").update(s).digest("hex").slice(0, 8);

/**
 * Outputs for remote components (whose children never run under mocks) and the few invokes the program makes.
 * Values are deterministic, so two evaluations of the same config produce the same plan.
 */
export function platformMocks(opts: MockOptions): pulumi.runtime.Mocks {
  const { region } = opts;
  const account = opts.account ?? MOCK_ACCOUNT;
  const repoUrl = (registryId: string, name: string) =>
    `${registryId}.dkr.ecr.${region}.amazonaws.com/${name}`;
  return {
    newResource(args) {
      const { type, name, inputs } = args;
      const id = `${name}-${short(type + name)}`;
      const arn = `arn:aws:mock:${region}:${account}:${type.split(":").pop()}/${name}`;
      switch (type) {
        case "awsx:ec2:Vpc": {
          const azs = Number(inputs.numberOfAvailabilityZones ?? 3);
          const subnets = (kind: string) =>
            Array.from({ length: azs }, (_, i) => `subnet-${kind}-${short(name)}${i}`);
          const nats = inputs.natGateways?.strategy === "OnePerAz" ? azs : 1;
          return {
            id,
            state: {
              ...inputs,
              vpcId: `vpc-${short(name + inputs.cidrBlock)}`,
              publicSubnetIds: subnets("public"),
              privateSubnetIds: subnets("private"),
              isolatedSubnetIds: [],
              natGateways: Array.from({ length: nats }, (_, i) => ({ id: `nat-${i}` })),
            },
          };
        }
        case "eks:index:Cluster": {
          const clusterName = inputs.name ?? name;
          const issuer = `oidc.eks.${region}.amazonaws.com/id/${short(clusterName).toUpperCase()}`;
          const kubeconfig = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [
              { name: clusterName, cluster: { server: `https://${short(clusterName)}.eks.amazonaws.com` } },
            ],
            users: [
              {
                name: "aws",
                user: { exec: { command: "aws", args: ["eks", "get-token", "--cluster-name", clusterName] } },
              },
            ],
          };
          return {
            id,
            state: {
              ...inputs,
              kubeconfig,
              kubeconfigJson: JSON.stringify(kubeconfig),
              eksCluster: {
                name: clusterName,
                arn: `arn:aws:eks:${region}:${account}:cluster/${clusterName}`,
                version: inputs.version,
                vpcConfig: { clusterSecurityGroupId: `sg-eks-${short(clusterName)}` },
              },
              core: { cluster: { name: clusterName } },
              oidcProviderArn: `arn:aws:iam::${account}:oidc-provider/${issuer}`,
              oidcProviderUrl: `https://${issuer}`,
              oidcIssuer: issuer,
              clusterSecurityGroupId: `sg-cluster-${short(clusterName)}`,
              nodeSecurityGroupId: `sg-node-${short(clusterName)}`,
            },
          };
        }
        case "eks:index:ManagedNodeGroup":
          return { id, state: { ...inputs, nodeGroup: { nodeGroupName: name, arn } } };
        case "aws:ecr/repository:Repository":
          return {
            id,
            state: {
              ...inputs,
              arn,
              registryId: account,
              repositoryUrl: repoUrl(account, inputs.name),
            },
          };
        case "aws:s3/bucket:Bucket": {
          const bucket = inputs.bucket ?? `${name}-${short(name)}`;
          return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
        }
        case "aws:cloudwatch/logGroup:LogGroup":
          return {
            id,
            state: {
              ...inputs,
              arn: `arn:aws:logs:${region}:${account}:log-group:${inputs.name ?? id}`,
            },
          };
        case "aws:wafv2/webAcl:WebAcl":
          return {
            id,
            state: {
              ...inputs,
              arn: `arn:aws:wafv2:${region}:${account}:regional/webacl/${name}/${short(name)}`,
            },
          };
        case "aws:sqs/queue:Queue": {
          const queueName = inputs.name ?? id;
          return {
            id,
            state: {
              ...inputs,
              name: queueName,
              arn: `arn:aws:sqs:${region}:${account}:${queueName}`,
              url: `https://sqs.${region}.amazonaws.com/${account}/${queueName}`,
            },
          };
        }
        case "random:index/randomPassword:RandomPassword":
          return { id, state: { ...inputs, result: `mock-${short(name)}-password` } };
        default:
          return { id, state: { arn, name: inputs.name ?? id, ...inputs } };
      }
    },
    call(args) {
      const { token, inputs } = args;
      switch (token) {
        case "aws:ecr/getRepository:getRepository": {
          const registryId = inputs.registryId ?? account;
          return {
            name: inputs.name,
            registryId,
            repositoryUrl: repoUrl(registryId, inputs.name),
            arn: `arn:aws:ecr:${region}:${registryId}:repository/${inputs.name}`,
          };
        }
        case "aws:ecr/getImage:getImage": {
          const tag: string = inputs.imageTag;
          if (opts.images !== "any" && !opts.images.includes(tag)) {
            throw new Error(
              `reading ECR Image: ImageNotFoundException: The image with imageId {imageTag:'${tag}'} does not exist within the repository with name '${inputs.repositoryName}'`,
            );
          }
          return {
            imageDigest: digestOf(inputs.repositoryName, tag),
            imageTag: tag,
            imageTags: [tag],
            repositoryName: inputs.repositoryName,
          };
        }
        case "aws:eks/getAddonVersion:getAddonVersion": {
          const minor = String(inputs.kubernetesVersion).split(".")[1];
          return { ...inputs, version: `v1.${minor}.0-eksbuild.1` };
        }
        // A /24 per subnet, distinct per ID: the VPC layout itself is awsx's (its children never run here).
        case "aws:ec2/getSubnet:getSubnet":
          // RFC 2544's benchmarking range: never a real subnet, so the plan can show it as a placeholder.
          return { id: inputs.id, cidrBlock: `198.18.${parseInt(short(inputs.id), 16) % 256}.0/24` };
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: account, arn: `arn:aws:iam::${account}:user/mock`, userId: "mock" };
        case "aws:index/getRegion:getRegion":
          return { name: region, region };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        default:
          return inputs;
      }
    },
  };
}
