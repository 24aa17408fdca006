import * as assert from "node:assert/strict";
import {
  EKS_CLUSTER,
  EKS_MANAGED_NODE_GROUP,
  eksControlPlaneLogs,
  eksNodeGroupsPrivateSubnets,
  eksNodeImdsV2,
  eksPrivateNodes,
  eksProdNodeCapacity,
  eksPublicEndpointAllowlist,
  eksSecretsEncryption,
} from "../rules/eks";
import { UNKNOWN, resourceOutcome, runResourcePolicy, runStackPolicy } from "./util";

const PRIVATE = ["subnet-private-a", "subnet-private-b", "subnet-private-c"];
const PUBLIC = ["subnet-public-a", "subnet-public-b", "subnet-public-c"];
const CLUSTER = `${EKS_CLUSTER} "cluster"`;
const NODES = `${EKS_MANAGED_NODE_GROUP} "cluster-system"`;

const cluster = (over: Record<string, unknown> = {}, stack = "alpha") => ({
  type: EKS_CLUSTER,
  name: "cluster",
  stack,
  props: {
    authenticationMode: "API",
    encryptionConfigKeyArn: "arn:aws:kms:us-east-1:111122223333:key/abc",
    enabledClusterLogTypes: ["api", "audit", "authenticator"],
    endpointPrivateAccess: true,
    endpointPublicAccess: true,
    publicAccessCidrs: ["203.0.113.0/24"],
    nodeAssociatePublicIpAddress: false,
    skipDefaultNodeGroup: true,
    deletionProtection: true,
    privateSubnetIds: PRIVATE,
    publicSubnetIds: PUBLIC,
    ...over,
  },
});

const nodeGroup = (over: Record<string, unknown> = {}, stack = "alpha") => ({
  type: EKS_MANAGED_NODE_GROUP,
  name: "cluster-system",
  stack,
  props: {
    cluster: "urn:pulumi:alpha::platform::eks:index:Cluster::cluster",
    capacityType: "ON_DEMAND",
    scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 },
    instanceTypes: ["m6i.xlarge"],
    amiType: "AL2023_x86_64_STANDARD",
    launchTemplate: { id: "lt-0123", version: "1" },
    subnetIds: PRIVATE,
    labels: { workload: "general" },
    ...over,
  },
});

describe("policy: EKS", () => {
  it("accepts the platform's cluster and node group", async () => {
    for (const p of [
      eksSecretsEncryption,
      eksControlPlaneLogs,
      eksPrivateNodes,
      eksPublicEndpointAllowlist,
    ]) {
      assert.deepEqual(await runResourcePolicy(p, cluster({}, "prod")), [], p.name);
    }
    for (const p of [eksPrivateNodes, eksNodeImdsV2, eksProdNodeCapacity]) {
      assert.deepEqual(await runResourcePolicy(p, nodeGroup({}, "prod")), [], p.name);
    }
  });

  it("eks-secrets-encryption requires a key, and counts an unknown (preview) key as set", async () => {
    assert.deepEqual(
      await runResourcePolicy(eksSecretsEncryption, cluster({ encryptionConfigKeyArn: undefined })),
      [
        `${CLUSTER} does not encrypt Kubernetes secrets. Fix: set encryptionConfigKeyArn to a KMS key ARN (with key rotation enabled).`,
      ],
    );
    assert.deepEqual(
      await runResourcePolicy(eksSecretsEncryption, cluster({ encryptionConfigKeyArn: UNKNOWN })),
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

  it("eks-private-nodes rejects public node IPs and node groups without subnets", async () => {
    assert.deepEqual(
      await runResourcePolicy(eksPrivateNodes, cluster({ nodeAssociatePublicIpAddress: undefined })),
      [`${CLUSTER} may give nodes public IP addresses. Fix: set nodeAssociatePublicIpAddress: false.`],
    );
    const [msg] = await runResourcePolicy(eksPrivateNodes, nodeGroup({ subnetIds: undefined }));
    assert.equal(
      msg,
      `${NODES} does not set subnetIds, so it would use every cluster subnet, public ones included. ` +
        `Fix: set subnetIds to the VPC's private subnet IDs.`,
    );
    assert.equal((await runResourcePolicy(eksPrivateNodes, nodeGroup({ subnetIds: [] }))).length, 1);
    assert.deepEqual(await runResourcePolicy(eksPrivateNodes, nodeGroup({ subnetIds: UNKNOWN })), []);
  });

  it("eks-node-groups-private-subnets compares node group subnets with the cluster's", async () => {
    assert.deepEqual(await runStackPolicy(eksNodeGroupsPrivateSubnets, [cluster(), nodeGroup()]), []);
    assert.deepEqual(
      await runStackPolicy(eksNodeGroupsPrivateSubnets, [
        cluster(),
        nodeGroup({ subnetIds: [PRIVATE[0], PUBLIC[1]] }),
      ]),
      [`${NODES} runs in public subnet ${PUBLIC[1]}. Fix: set subnetIds to private subnets only.`],
    );
    const [other] = await runStackPolicy(eksNodeGroupsPrivateSubnets, [
      cluster(),
      nodeGroup({ subnetIds: ["subnet-x"] }),
    ]);
    assert.match(other, /uses subnet subnet-x, which is not one of the cluster's privateSubnetIds/);
  });

  it("eks-node-groups-private-subnets sees public subnets of a real deployment", async () => {
    const subnet = {
      type: "aws:ec2/subnet:Subnet",
      name: "public-1",
      props: { id: "subnet-9", mapPublicIpOnLaunch: true },
    };
    const child = { type: "aws:eks/nodeGroup:NodeGroup", name: "ng", props: { subnetIds: ["subnet-9"] } };
    assert.deepEqual(await runStackPolicy(eksNodeGroupsPrivateSubnets, [subnet, child]), [
      `aws:eks/nodeGroup:NodeGroup "ng" runs in public subnet subnet-9. Fix: set subnetIds to private subnets only.`,
    ]);
  });

  it("eks-public-endpoint-allowlist requires CIDRs, and bans 0.0.0.0/0 in prod only", async () => {
    const [none] = await runResourcePolicy(eksPublicEndpointAllowlist, cluster({ publicAccessCidrs: [] }));
    assert.equal(
      none,
      `${CLUSTER} has a public API endpoint without publicAccessCidrs, so it is open to 0.0.0.0/0. ` +
        `Fix: set publicAccessCidrs to the allowed CIDRs, or endpointPublicAccess: false.`,
    );
    // EKS defaults the public endpoint on.
    const unset = cluster({ endpointPublicAccess: undefined, publicAccessCidrs: undefined });
    assert.equal((await runResourcePolicy(eksPublicEndpointAllowlist, unset)).length, 1);
    assert.deepEqual(
      await runResourcePolicy(
        eksPublicEndpointAllowlist,
        cluster({ endpointPublicAccess: false, publicAccessCidrs: undefined }),
      ),
      [],
    );
    const open = { publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] };
    assert.deepEqual(await runResourcePolicy(eksPublicEndpointAllowlist, cluster(open, "alpha")), []);
    assert.deepEqual(await runResourcePolicy(eksPublicEndpointAllowlist, cluster(open, "prod")), [
      `${CLUSTER} allows the public API endpoint from anywhere (203.0.113.0/24, 0.0.0.0/0) in prod. ` +
        `Fix: list only the office/VPN/CI CIDRs in publicAccessCidrs.`,
    ]);
  });

  it("eks-node-imdsv2 requires a launch template with IMDSv2 and hop limit 1", async () => {
    assert.deepEqual(await runResourcePolicy(eksNodeImdsV2, nodeGroup()), []);
    const viaEnable = nodeGroup({ launchTemplate: undefined, enableIMDSv2: true });
    assert.deepEqual(await runResourcePolicy(eksNodeImdsV2, viaEnable), [
      `${NODES} does not launch from a launch template with IMDSv2 and hop limit 1 (enableIMDSv2 sets hop limit 2), ` +
        `so pods can reach node credentials. Fix: pass launchTemplate with metadataOptions ` +
        `{ httpTokens: "required", httpPutResponseHopLimit: 1 } and drop enableIMDSv2.`,
    ]);
    const template = (metadataOptions: Record<string, unknown>) => ({
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: "cluster-system",
      stack: "alpha",
      props: { metadataOptions },
    });
    const good = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };
    assert.deepEqual(await runResourcePolicy(eksNodeImdsV2, template(good)), []);
    const hops = await runResourcePolicy(eksNodeImdsV2, template({ ...good, httpPutResponseHopLimit: 2 }));
    assert.equal(hops.length, 1);
    assert.match(hops[0], /hop limit 2, so pods can reach node credentials/);
    const v1 = await runResourcePolicy(eksNodeImdsV2, template({ ...good, httpTokens: "optional" }));
    assert.match(v1[0], /allows IMDSv1/);
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
    const [unset] = await runResourcePolicy(
      eksProdNodeCapacity,
      nodeGroup({ scalingConfig: undefined }, "prod"),
    );
    assert.match(unset, /minSize unset \(EKS default 1\)/);
    assert.equal(
      resourceOutcome(eksProdNodeCapacity, nodeGroup({ capacityType: "SPOT" }, "alpha")).kind,
      "not-applicable",
    );
  });
});
