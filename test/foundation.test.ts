import { strict as assert } from "node:assert";
import { EKS_CONTROL_PLANE, protectControlPlane } from "../components/cluster";
import { ENVIRONMENTS, effective, one, ofType, stackOf } from "./harness";

const AWS_PROVIDER = "pulumi:providers:aws";

for (const stack of ENVIRONMENTS) {
  describe(`stack ${stack}: network, cluster, registry`, () => {
    it("tags every AWS resource through one provider's default tags", async () => {
      const e = await stackOf(stack);
      const provider = one(e, AWS_PROVIDER);
      assert.deepEqual((provider.inputs.defaultTags as any).tags, {
        environment: stack,
        project: "platform",
        "managed-by": "pulumi",
      });
      for (const r of e.resources.filter((r) => r.type.startsWith("aws:") && r.custom)) {
        assert.ok(
          r.provider?.startsWith(provider.urn),
          `${r.type} ${r.name} does not use the tagged provider (${r.provider})`,
        );
      }
      for (const r of e.resources.filter((r) => r.remote && /^(eks|awsx):/.test(r.type))) {
        assert.ok(
          r.providers.aws?.startsWith(provider.urn),
          `${r.type} ${r.name} does not pass the tagged provider to its children`,
        );
      }
    });

    it("builds the VPC from config: CIDR, zones, NAT gateways, subnet roles", async () => {
      const e = await stackOf(stack);
      const cfg = effective(e).network;
      const vpc = one(e, "awsx:ec2:Vpc").inputs as any;
      assert.equal(vpc.cidrBlock, cfg.cidr);
      assert.equal(vpc.numberOfAvailabilityZones, cfg.azCount);
      assert.equal(vpc.natGateways.strategy, stack === "prod" ? "OnePerAz" : "Single");
      const spec = (type: string) => vpc.subnetSpecs.find((s: any) => s.type === type);
      assert.equal(spec("Public").tags["kubernetes.io/role/elb"], "1");
      assert.equal(spec("Private").tags["kubernetes.io/role/internal-elb"], "1");
      if (stack === "prod") assert.equal(vpc.numberOfAvailabilityZones, 3);
      assert.equal(
        ofType(e, "aws:ec2/flowLog:FlowLog").length,
        stack === "prod" ? 1 : 0,
        "flow logs in prod only",
      );
    });

    it("runs EKS with API auth, encrypted secrets, control-plane logs, private nodes and admin entries", async () => {
      const e = await stackOf(stack);
      const cfg = effective(e).cluster;
      const c = one(e, "eks:index:Cluster").inputs as any;
      assert.equal(c.version, cfg.version);
      assert.equal(c.authenticationMode, "API");
      const admins = effective(e).access.adminArns as string[];
      for (const arn of admins) {
        const entry = Object.values<any>(c.accessEntries).find((a) => a.principalArn === arn);
        assert.match(entry.accessPolicies.policy.policyArn, /AmazonEKSClusterAdminPolicy$/);
      }
      assert.equal(c.accessEntries.nodes.type, "EC2_LINUX");
      assert.match(c.encryptionConfigKeyArn, /^arn:/);
      assert.equal(one(e, "aws:kms/key:Key").inputs.enableKeyRotation, true);
      assert.deepEqual(c.enabledClusterLogTypes, ["api", "audit", "authenticator"]);
      assert.equal(
        one(e, "aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane").inputs.retentionInDays,
        cfg.logRetentionDays,
      );
      assert.equal(c.endpointPrivateAccess, true);
      assert.equal(c.endpointPublicAccess, cfg.endpointPublicAccess);
      if (c.endpointPublicAccess) assert.deepEqual(c.publicAccessCidrs, cfg.publicAccessCidrs);
      assert.equal(c.createOidcProvider, true);
      assert.equal(c.skipDefaultNodeGroup, true);
      assert.equal(c.nodeAssociatePublicIpAddress, false);
      assert.equal(
        c.vpcCniOptions.enableNetworkPolicy,
        true,
        "NetworkPolicies are enforced only with the VPC CNI policy agent",
      );
    });

    it("installs vpc-cni, kube-proxy, pod-identity agent and coredns (after the nodes)", async () => {
      const e = await stackOf(stack);
      const c = one(e, "eks:index:Cluster").inputs as any;
      assert.match(c.vpcCniOptions.addonVersion, /-eksbuild\.\d+$/);
      assert.equal(c.kubeProxyAddonOptions.enabled, true);
      const addons = ofType(e, "aws:eks/addon:Addon").map((a) => a.inputs.addonName);
      assert.ok(addons.includes("eks-pod-identity-agent"));
      const coredns = one(e, "aws:eks/addon:Addon", "cluster-coredns");
      for (const ng of ofType(e, "eks:index:ManagedNodeGroup"))
        assert.ok(coredns.dependsOn.includes(ng.urn), "coredns waits for nodes");
    });

    it("sizes managed node groups from config: AL2023, launch template, private subnets, labels", async () => {
      const e = await stackOf(stack);
      const groups = effective(e).cluster.nodeGroups as Record<string, any>;
      const mngs = ofType(e, "eks:index:ManagedNodeGroup");
      assert.equal(mngs.length, Object.keys(groups).length);
      const vpcPrivate = e.outputs.privateSubnetIds.value as string[];
      for (const [name, g] of Object.entries(groups)) {
        const ng = one(e, "eks:index:ManagedNodeGroup", `cluster-${name}`).inputs as any;
        assert.deepEqual(ng.scalingConfig, {
          minSize: g.minSize,
          desiredSize: g.desiredSize,
          maxSize: g.maxSize,
        });
        assert.deepEqual(ng.instanceTypes, g.instanceTypes);
        assert.equal(ng.capacityType, g.capacityType);
        assert.match(ng.amiType, /^AL2023_/);
        // IMDSv2 with hop limit 1 comes from our launch template (test/day2.test.ts).
        assert.ok(ng.launchTemplate?.id, "the group launches from the platform's launch template");
        // Nodes run the control plane's version, so an upgrade rolls them after it.
        assert.equal(ng.version, effective(e).cluster.version);
        // Single-zone stacks keep their nodes in the first zone, beside the volumes.
        const single = effective(e).karpenter.zones === "single";
        assert.deepEqual(ng.subnetIds, single ? vpcPrivate.slice(0, 1) : vpcPrivate);
        assert.equal(ng.labels["platform.example.com/node-group"], name);
        if (stack === "alpha" || stack === "beta") {
          assert.equal(ng.capacityType, "SPOT");
          assert.ok(ng.instanceTypes.length > 1, "spot needs several instance types");
        } else assert.equal(ng.capacityType, "ON_DEMAND");
        if (stack === "prod")
          assert.ok(ng.scalingConfig.minSize >= 3 && vpcPrivate.length === 3, "prod: ≥3 nodes over 3 zones");
      }
    });

    it("protects exactly prod's control plane and KMS key (not the eks component's other children)", async () => {
      const e = await stackOf(stack);
      const isProd = stack === "prod";
      const cluster = one(e, "eks:index:Cluster");
      // protect on the component would spread to every child it registers (access entries, add-ons, …).
      assert.equal(cluster.protect, false);
      assert.equal((cluster.inputs as any).deletionProtection, isProd);
      assert.equal(one(e, "aws:kms/key:Key").protect, isProd);
      // The eks children, passed through the component's real transforms by the evaluator.
      const children = e.resources.filter((r) => r.synthesized && r.parent?.includes("eks:index:Cluster"));
      assert.deepEqual(
        children.filter((r) => r.protect).map((r) => r.type),
        isProd ? [EKS_CONTROL_PLANE] : [],
      );
      assert.ok(children.some((r) => r.type === "aws:eks/accessEntry:AccessEntry" && !r.protect));
    });

    it("protectControlPlane protects the control plane child only", async () => {
      const child = (type: string) => ({ type, name: "c", custom: true, props: { a: 1 }, opts: {} });
      assert.deepEqual(await protectControlPlane(child(EKS_CONTROL_PLANE)), {
        props: { a: 1 },
        opts: { protect: true },
      });
      for (const type of [
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:eks/addon:Addon",
      ])
        assert.equal(await protectControlPlane(child(type)), undefined, type);
    });

    it("creates the ECR repository only in the owner stack, and looks it up elsewhere", async () => {
      const e = await stackOf(stack);
      const reg = effective(e).registry;
      const repos = ofType(e, "aws:ecr/repository:Repository");
      if (reg.ownerStack !== stack) {
        assert.equal(repos.length, 0, "a non-owner stack must never create a second repository");
      } else {
        const [repo] = repos;
        assert.equal(repos.length, 1);
        assert.ok(repo.protect && repo.retainOnDelete, "the owner protects and retains the repository");
        const i = repo.inputs as any;
        assert.equal(i.imageTagMutability, "IMMUTABLE");
        assert.equal(i.imageScanningConfiguration.scanOnPush, true);
        assert.equal(i.encryptionConfigurations[0].encryptionType, "KMS");
        const rules = JSON.parse(
          one(e, "aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs.policy as string,
        ).rules;
        assert.equal(
          rules.find((r: any) => r.selection.tagStatus === "untagged").selection.countNumber,
          reg.untaggedExpiryDays,
        );
        assert.equal(
          // The count rule; protected tags have their own rules ahead of it (test/registry-lifecycle.test.ts).
          rules.find((r: any) => r.selection.tagPatternList?.[0] === "*").selection.countNumber,
          reg.keepReleaseImages,
        );
        const policy = JSON.parse(
          one(e, "aws:ecr/repositoryPolicy:RepositoryPolicy").inputs.policy as string,
        );
        assert.deepEqual(
          policy.Statement[0].Principal.AWS,
          reg.pullAccountIds.map((id: string) => `arn:aws:iam::${id}:root`),
        );
        // Another account's stack must pull, and also resolve the shared tag to its digest.
        for (const action of ["ecr:BatchGetImage", "ecr:DescribeRepositories", "ecr:DescribeImages"])
          assert.ok(policy.Statement[0].Action.includes(action), action);
        assert.ok(!policy.Statement[0].Action.some((a: string) => /Put|Delete|\*/.test(a)), "read-only");
      }
      assert.match(
        e.outputs.ecrRepositoryUrl.value as string,
        new RegExp(`\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/${reg.name}$`),
      );
    });

    it("exports the stack outputs, with the kubeconfig as a secret", async () => {
      const e = await stackOf(stack);
      for (const k of [
        "environment",
        "region",
        "vpcId",
        "publicSubnetIds",
        "privateSubnetIds",
        "clusterName",
        "kubeconfig",
        "oidcProviderArn",
        "nodeRoleArn",
        "ecrRepositoryUrl",
      ]) {
        assert.ok(
          e.outputs[k] !== undefined && e.outputs[k].value !== "[never resolved]",
          `missing output ${k}`,
        );
      }
      assert.equal(e.outputs.environment.value, stack);
      assert.equal(e.outputs.clusterName.value, `platform-${stack}`);
      assert.equal(e.outputs.kubeconfig.secret, true);
      for (const [k, o] of Object.entries(e.outputs))
        if (k !== "kubeconfig") assert.doesNotMatch(JSON.stringify(o.value), /password|token/i, k);
    });
  });
}

describe("shared registry across stacks", () => {
  it("exactly one stack creates the repository and all stacks use the same URL", async () => {
    const all = await Promise.all(ENVIRONMENTS.map(stackOf));
    assert.equal(all.filter((e) => ofType(e, "aws:ecr/repository:Repository").length > 0).length, 1);
    assert.equal(new Set(all.map((e) => e.outputs.ecrRepositoryUrl.value)).size, 1);
  });
});
