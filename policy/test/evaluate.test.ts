import * as assert from "node:assert/strict";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { checkStack, type RecordedResource } from "../evaluate";
import { policies } from "../policies";

const PROVIDER_TYPE = "pulumi:providers:aws";

/** Records shaped like the lead's mock harness output (scripts/lib/evaluate-worker.ts). */
function records(stack: string, bad: boolean): RecordedResource[] {
  const urn = (type: string, name: string) => `urn:pulumi:${stack}::platform::${type}::${name}`;
  const providerUrn = urn(PROVIDER_TYPE, "aws");
  const rec = (
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<RecordedResource> = {},
  ) => ({
    urn: urn(type, name),
    type,
    name,
    custom: !type.startsWith("eks:index:"),
    protect: !bad,
    provider:
      type.startsWith("aws:") || type.startsWith("kubernetes:") ? `${providerUrn}::provider-id` : undefined,
    dependsOn: [],
    inputs,
    ...extra,
  });
  const tags = { environment: stack, project: "platform", "managed-by": "pulumi" };
  const bucketUrn = urn("aws:s3/bucket:Bucket", "backups");
  return [
    rec(
      PROVIDER_TYPE,
      "aws",
      { region: "us-east-1", defaultTags: { tags: bad ? {} : tags } },
      { protect: false },
    ),
    rec("aws:ecr/repository:Repository", "registry", {
      imageTagMutability: bad ? "MUTABLE" : "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: !bad },
      encryptionConfigurations: [{ encryptionType: bad ? "AES256" : "KMS" }],
    }),
    rec("aws:kms/key:Key", "secrets", { enableKeyRotation: !bad }),
    rec("aws:cloudwatch/logGroup:LogGroup", "logs", { retentionInDays: bad ? 0 : 30 }, { protect: false }),
    // The eks components' children, as the eks provider registers them in a real run (the components send {}).
    rec("eks:index:Cluster", "cluster", {}, { protect: false }),
    rec("aws:eks/cluster:Cluster", "cluster-eksCluster", {
      encryptionConfig: bad
        ? undefined
        : { provider: { keyArn: "arn:aws:kms:us-east-1:1:key/k" }, resources: ["secrets"] },
      enabledClusterLogTypes: bad ? ["api"] : ["api", "audit", "authenticator"],
      vpcConfig: {
        subnetIds: ["subnet-private-0", "subnet-public-0"],
        endpointPublicAccess: true,
        publicAccessCidrs: bad ? ["0.0.0.0/0"] : ["203.0.113.0/24"],
      },
      deletionProtection: !bad,
    }),
    rec(
      "aws:ec2/subnet:Subnet",
      "public-0",
      { id: "subnet-public-0", mapPublicIpOnLaunch: true },
      { protect: false },
    ),
    rec(
      "aws:ec2/launchTemplate:LaunchTemplate",
      "system-launchTemplate",
      {
        metadataOptions: { httpTokens: bad ? "optional" : "required", httpPutResponseHopLimit: 1 },
        networkInterfaces: bad ? [{ associatePublicIpAddress: "true" }] : undefined,
      },
      { protect: false },
    ),
    rec(
      "aws:eks/nodeGroup:NodeGroup",
      "system",
      {
        capacityType: bad ? "SPOT" : "ON_DEMAND",
        scalingConfig: { minSize: bad ? 1 : 3, desiredSize: 3, maxSize: 6 },
        launchTemplate: { id: "[unknown]", version: "[unknown]" },
        subnetIds: [bad ? "subnet-public-0" : "subnet-private-0"],
      },
      { protect: false },
    ),
    rec("aws:s3/bucket:Bucket", "backups", { bucket: "platform-backups" }),
    rec(
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "backups",
      {
        bucket: "platform-backups",
        blockPublicAcls: true,
        blockPublicPolicy: !bad,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { protect: false, dependsOn: [bucketUrn] },
    ),
    ...(bad
      ? []
      : [
          rec(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "backups",
            {
              bucket: "[unknown]",
              rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
            },
            { protect: false, dependsOn: [bucketUrn] },
          ),
        ]),
    rec(
      "kubernetes:helm.sh/v3:Release",
      "grafana",
      {
        chart: "grafana",
        namespace: "monitoring",
        version: bad ? "^8.5" : "8.5.1",
        repositoryOpts: {
          repo: bad ? "http://grafana.github.io/helm-charts" : "https://grafana.github.io/helm-charts",
        },
        values: {
          image: { repository: "grafana/grafana", tag: bad ? "latest" : "11.2.0" },
          admin: bad ? { password: { "[secret]": "hunter2" } } : { existingSecret: "grafana-admin" },
          ingress: {
            enabled: true,
            annotations: {
              "alb.ingress.kubernetes.io/scheme": bad ? "internet-facing" : "internal",
              ...(bad
                ? {}
                : { "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06" }),
            },
          },
        },
      },
      { protect: false },
    ),
    rec("kubernetes:helm.sh/v3:Release", "postgres", { chart: "cluster", version: "0.1.0", values: {} }),
    ...(bad
      ? []
      : [
          rec(
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "monitoring-default-deny",
            {
              metadata: { name: "default-deny-ingress", namespace: "monitoring" },
              spec: { podSelector: {} },
            },
            { protect: false },
          ),
        ]),
    rec(
      "aws:iam/rolePolicy:RolePolicy",
      "controller",
      {
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["ec2:CreateSecurityGroup"],
              Resource: "*",
              ...(bad
                ? {}
                : { Condition: { StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "c" } } }),
            },
          ],
        }),
      },
      { protect: false },
    ),
    // The default provider: no provider reference at all.
    rec(
      "aws:iam/role:Role",
      "orphan",
      {},
      { protect: false, provider: bad ? undefined : `${providerUrn}::provider-id` },
    ),
  ];
}

describe("policy: checkStack", () => {
  it("finds nothing in a compliant stack, prod or not", () => {
    for (const stack of ["alpha", "prod"])
      assert.deepEqual(checkStack(records(stack, false), stack), [], stack);
  });

  it("runs every policy of the pack: a stack that breaks each rule violates each policy", () => {
    const violated = new Set(checkStack(records("prod", true), "prod").map((v) => v.policy));
    assert.deepEqual([...violated].sort(), policies.map((p) => p.name).sort());
  });

  it("reports mandatory violations in prod and advisory ones elsewhere", () => {
    const prod = checkStack(records("prod", true), "prod");
    assert.ok(prod.length > 0 && prod.every((v) => v.enforcementLevel === "mandatory"));
    const alpha = checkStack(records("alpha", true), "alpha");
    assert.ok(alpha.length > 0 && alpha.every((v) => v.enforcementLevel === "advisory"));
    // Prod-only rules stay silent outside prod.
    assert.ok(!alpha.some((v) => v.policy.startsWith("prod-") || v.policy === "eks-prod-node-capacity"));
  });

  it("unwraps secrets, resolves providers by URN and falls back to the default provider", () => {
    const found = checkStack(records("prod", true), "prod");
    const password = found.find((v) => v.policy === "helm-no-plaintext-passwords");
    assert.match(password!.message, /values\.admin\.password key "password" holds a literal value/);
    const tags = found.filter((v) => v.policy === "aws-environment-tags").map((v) => v.message);
    assert.ok(
      tags.some((m) => m.startsWith(`aws:iam/role:Role "orphan" uses the default AWS provider.`)),
      tags.join("\n"),
    );
    assert.ok(
      tags.some((m) =>
        m.startsWith(`aws:kms/key:Key "secrets" is not tagged for its environment (no "environment"`),
      ),
    );
    const protect = found.filter((v) => v.policy === "prod-protect-stateful");
    assert.ok(protect.every((v) => v.urn?.startsWith("urn:pulumi:prod::platform::")));
  });

  it("turns an unknown value a rule does not handle into an advisory, as the runtime does", () => {
    const strict: ResourceValidationPolicy = {
      name: "strict",
      description: "reads an input without handling unknowns",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => {
        if (args.props.bucket !== "x") report("wrong bucket");
      },
    };
    const resources = records("prod", false).filter((r) => r.inputs.bucket === "[unknown]");
    assert.deepEqual(checkStack(resources, "prod", [strict]), [
      {
        policy: "strict",
        enforcementLevel: "advisory",
        message:
          "can't run policy 'strict' during preview: string value at .bucket can't be known during preview",
        urn: resources[0].urn,
      },
    ]);
  });
});
