/**
 * The EKS rules judge what the engine really sends: the children the eks provider registers (aws:eks/cluster:Cluster,
 * aws:eks/nodeGroup:NodeGroup, aws:ec2/launchTemplate:LaunchTemplate), with the AWS provider's property names.
 * Fixtures are typed with @pulumi/aws's Args, so a property name the provider does not have fails `tsc`.
 */
import * as assert from "node:assert/strict";
import type * as aws from "@pulumi/aws";
import {
  EKS_CLUSTER,
  EKS_NODE_GROUP,
  LAUNCH_TEMPLATE,
  eksControlPlaneLogs,
  eksNodeGroupsPrivateSubnets,
  eksNodeImdsV2,
  eksPolicies,
  eksPrivateNodes,
  eksProdNodeCapacity,
  eksPublicEndpointAllowlist,
  eksSecretsEncryption,
} from "../rules/eks";
import { UNKNOWN, resourceOutcome, runResourcePolicy, runStackPolicy } from "./util";

const PRIVATE = ["subnet-private-a", "subnet-private-b", "subnet-private-c"];
const PUBLIC = ["subnet-public-a", "subnet-public-b", "subnet-public-c"];
const CLUSTER = `${EKS_CLUSTER} "cluster-eksCluster"`;
const NODES = `${EKS_NODE_GROUP} "cluster-system"`;
const TEMPLATE = `${LAUNCH_TEMPLATE} "cluster-system-launchTemplate"`;

type Props<T> = { [K in keyof T]?: unknown };

/** aws.eks.Cluster as pulumi-eks 4.3.0 registers it (nodejs/eks/cluster/cluster.ts, `${name}-eksCluster`). */
const cluster = (over: Props<aws.eks.ClusterArgs> = {}, stack = "alpha") => {
  const props: Props<aws.eks.ClusterArgs> = {
    name: "platform-alpha",
    roleArn: "arn:aws:iam::111122223333:role/cluster-eksRole",
    version: "1.35",
    encryptionConfig: {
      provider: { keyArn: "arn:aws:kms:us-east-1:111122223333:key/abc" },
      resources: ["secrets"],
    },
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
    vpcConfig: {
      subnetIds: [...PUBLIC, ...PRIVATE],
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    },
    accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
    deletionProtection: true,
    ...over,
  };
  return { type: EKS_CLUSTER, name: "cluster-eksCluster", stack, props };
};
const vpc = (over: Record<string, unknown>) => ({ vpcConfig: { ...cluster().props.vpcConfig!, ...over } });

/** aws.eks.NodeGroup as createManagedNodeGroup registers it, with its custom launch template (enableIMDSv2). */
const nodeGroup = (over: Props<aws.eks.NodeGroupArgs> = {}, stack = "alpha") => {
  const props: Props<aws.eks.NodeGroupArgs> = {
    clusterName: "platform-alpha",
    nodeRoleArn: "arn:aws:iam::111122223333:role/cluster-node",
    capacityType: "ON_DEMAND",
    scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 },
    instanceTypes: ["m6i.xlarge"],
    amiType: "AL2023_x86_64_STANDARD",
    subnetIds: PRIVATE,
    labels: { workload: "general" },
    launchTemplate: { id: "lt-0abc", version: "1" },
    ...over,
  };
  return { type: EKS_NODE_GROUP, name: "cluster-system", stack, props };
};

const launchTemplate = (over: Props<aws.ec2.LaunchTemplateArgs> = {}) => {
  const props: Props<aws.ec2.LaunchTemplateArgs> = {
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 50 } }],
    ...over,
  };
  return { type: LAUNCH_TEMPLATE, name: "cluster-system-launchTemplate", props };
};

describe("policy: EKS", () => {
  it("targets the provider's real resource types, never the remote eks components", async () => {
    const provider = await import("@pulumi/aws");
    // __pulumiType is the token the engine sees (@internal, so not in the .d.ts).
    const token = (cls: unknown) => (cls as { __pulumiType: string }).__pulumiType;
    const real = new Set([
      token(provider.eks.Cluster),
      token(provider.eks.NodeGroup),
      token(provider.ec2.LaunchTemplate),
    ]);
    assert.deepEqual(new Set([EKS_CLUSTER, EKS_NODE_GROUP, LAUNCH_TEMPLATE]), real);
    // What a real run sends for the remote components: their type and no inputs. No rule may judge (and block) that.
    for (const type of ["eks:index:Cluster", "eks:index:ManagedNodeGroup"]) {
      for (const p of eksPolicies.filter((p) => "validateResource" in p)) {
        const o = resourceOutcome(p as never, { type, name: "cluster", stack: "prod", props: {} });
        assert.equal(o.kind, "not-applicable", `${p.name} on ${type}`);
      }
    }
  });

  it("accepts the platform's control plane, node group and launch template", async () => {
    for (const p of [eksSecretsEncryption, eksControlPlaneLogs, eksPublicEndpointAllowlist]) {
      assert.deepEqual(await runResourcePolicy(p, cluster({}, "prod")), [], p.name);
    }
    for (const p of [eksPrivateNodes, eksNodeImdsV2, eksProdNodeCapacity]) {
      assert.deepEqual(await runResourcePolicy(p, nodeGroup({}, "prod")), [], p.name);
    }
    for (const p of [eksPrivateNodes, eksNodeImdsV2]) {
      assert.deepEqual(await runResourcePolicy(p, launchTemplate()), [], p.name);
    }
  });

  it("eks-secrets-encryption requires a key for secrets, and counts an unknown (preview) key as set", async () => {
    const [msg] = await runResourcePolicy(eksSecretsEncryption, cluster({ encryptionConfig: undefined }));
    assert.match(msg, new RegExp(`^${CLUSTER} does not encrypt Kubernetes secrets\\. Fix: `));
    const noSecrets = { provider: { keyArn: "arn:aws:kms:us-east-1:1:key/x" }, resources: [] };
    assert.equal(
      (await runResourcePolicy(eksSecretsEncryption, cluster({ encryptionConfig: noSecrets }))).length,
      1,
    );
    const unknownKey = { provider: { keyArn: UNKNOWN }, resources: ["secrets"] };
    assert.deepEqual(
      await runResourcePolicy(eksSecretsEncryption, cluster({ encryptionConfig: unknownKey })),
      [],
    );
  });

  it("eks-control-plane-logs names the missing log types", async () => {
    assert.deepEqual(
      await runResourcePolicy(eksControlPlaneLogs, cluster({ enabledClusterLogTypes: ["api"] })),
      [
        `${CLUSTER} does not ship control-plane logs audit, authenticator. ` +
          `Fix: include ["api","audit","authenticator"] in enabledClusterLogTypes.`,
      ],
    );
    const [none] = await runResourcePolicy(
      eksControlPlaneLogs,
      cluster({ enabledClusterLogTypes: undefined }),
    );
    assert.match(none, /logs api, audit, authenticator/);
  });

  it("eks-private-nodes rejects node groups without subnets and launch templates with public IPs", async () => {
    assert.deepEqual(await runResourcePolicy(eksPrivateNodes, nodeGroup({ subnetIds: [] })), [
      `${NODES} does not set subnetIds. Fix: set subnetIds to the VPC's private subnet IDs.`,
    ]);
    assert.deepEqual(await runResourcePolicy(eksPrivateNodes, nodeGroup({ subnetIds: UNKNOWN })), []);
    const publicNic = launchTemplate({ networkInterfaces: [{ associatePublicIpAddress: "true" }] });
    assert.deepEqual(await runResourcePolicy(eksPrivateNodes, publicNic), [
      `${TEMPLATE} gives nodes public IP addresses. Fix: do not set associatePublicIpAddress on its network interfaces.`,
    ]);
  });

  it("eks-node-groups-private-subnets flags node groups in subnets that map public IPs", async () => {
    const subnet = (id: string, isPublic: boolean) => ({
      type: "aws:ec2/subnet:Subnet",
      name: id,
      props: { id, mapPublicIpOnLaunch: isPublic },
    });
    const subnets = [...PUBLIC.map((id) => subnet(id, true)), ...PRIVATE.map((id) => subnet(id, false))];
    assert.deepEqual(await runStackPolicy(eksNodeGroupsPrivateSubnets, [...subnets, nodeGroup()]), []);
    assert.deepEqual(
      await runStackPolicy(eksNodeGroupsPrivateSubnets, [
        ...subnets,
        nodeGroup({ subnetIds: [PRIVATE[0], PUBLIC[1]] }),
      ]),
      [`${NODES} runs in public subnet ${PUBLIC[1]}. Fix: set subnetIds to private subnets only.`],
    );
  });

  it("eks-public-endpoint-allowlist requires CIDRs, and bans 0.0.0.0/0 in prod only", async () => {
    const [none] = await runResourcePolicy(
      eksPublicEndpointAllowlist,
      cluster(vpc({ publicAccessCidrs: [] })),
    );
    assert.equal(
      none,
      `${CLUSTER} has a public API endpoint without vpcConfig.publicAccessCidrs, so it is open to 0.0.0.0/0. ` +
        `Fix: set publicAccessCidrs to the allowed CIDRs, or endpointPublicAccess: false.`,
    );
    // EKS defaults the public endpoint on.
    const unset = cluster(vpc({ endpointPublicAccess: undefined, publicAccessCidrs: undefined }));
    assert.equal((await runResourcePolicy(eksPublicEndpointAllowlist, unset)).length, 1);
    const off = cluster(vpc({ endpointPublicAccess: false, publicAccessCidrs: undefined }));
    assert.deepEqual(await runResourcePolicy(eksPublicEndpointAllowlist, off), []);
    const open = vpc({ publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] });
    assert.deepEqual(await runResourcePolicy(eksPublicEndpointAllowlist, cluster(open, "alpha")), []);
    assert.deepEqual(await runResourcePolicy(eksPublicEndpointAllowlist, cluster(open, "prod")), [
      `${CLUSTER} allows the public API endpoint from anywhere (203.0.113.0/24, 0.0.0.0/0) in prod. ` +
        `Fix: list only the office/VPN/CI CIDRs in publicAccessCidrs.`,
    ]);
  });

  it("eks-node-imdsv2 requires a launch template with IMDSv2 and hop limit 1", async () => {
    assert.deepEqual(await runResourcePolicy(eksNodeImdsV2, launchTemplate()), []);
    assert.deepEqual(await runResourcePolicy(eksNodeImdsV2, nodeGroup()), []);
    const optional = launchTemplate({
      metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 },
    });
    assert.deepEqual(await runResourcePolicy(eksNodeImdsV2, optional), [
      `${TEMPLATE} allows IMDSv1 (metadataOptions.httpTokens optional), so pods can reach node credentials. ` +
        `Fix: set metadataOptions.httpTokens: "required".`,
    ]);
    // What pulumi-eks's enableIMDSv2 builds: IMDSv2, but a hop limit of 2 lets pods reach it.
    const eksDefault = launchTemplate({
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 },
    });
    const [hops] = await runResourcePolicy(eksNodeImdsV2, eksDefault);
    assert.match(hops, /has IMDS hop limit 2, so pods can reach node credentials/);
    assert.equal(
      (await runResourcePolicy(eksNodeImdsV2, launchTemplate({ metadataOptions: undefined }))).length,
      2,
    );
    const [bare] = await runResourcePolicy(eksNodeImdsV2, nodeGroup({ launchTemplate: undefined }));
    assert.match(bare, new RegExp(`^${NODES} has no launch template, so nothing requires IMDSv2`));
  });

  it("eks-prod-node-capacity: prod node groups are on-demand with min >= 3; other stacks are not checked", async () => {
    const spot = nodeGroup(
      { capacityType: "SPOT", scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 3 } },
      "prod",
    );
    assert.deepEqual(await runResourcePolicy(eksProdNodeCapacity, spot), [
      `${NODES} uses SPOT capacity in prod. Fix: set capacityType: "ON_DEMAND".`,
      `${NODES} has scalingConfig.minSize 1 in prod. Fix: set scalingConfig.minSize to at least 3, one node per availability zone.`,
    ]);
    assert.equal(
      resourceOutcome(eksProdNodeCapacity, nodeGroup({ capacityType: "SPOT" }, "alpha")).kind,
      "not-applicable",
    );
  });
});
