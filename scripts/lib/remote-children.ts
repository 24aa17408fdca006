import type { RecordedResource } from "./types";

/**
 * SYNTHESIZED, not registered by the program: the children that pulumi-eks 4.3.0's provider registers for its
 * remote components, rebuilt from the component's inputs because mocks never run a component's Construct. In a
 * real `preview`/`up` these are what the engine and the policy pack see (the component itself reaches policies
 * with no inputs). Only the children that carry the settings policies judge are built, with the property names of
 * the AWS provider. Sources, pulumi/pulumi-eks v4.3.0: nodejs/eks/cluster/cluster.ts (the `${name}-eksCluster`
 * aws.eks.Cluster), cluster/authenticationMode.ts createAccessEntries, nodes/nodegroup.ts createManagedNodeGroup
 * and createMNGCustomLaunchTemplate.
 */
export interface ChildSpec {
  type: string;
  name: string;
  /** Name of a sibling spec to parent to (an access policy association's entry); the component otherwise. */
  parentName?: string;
  props: Record<string, unknown>;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function clusterChildren(name: string, inputs: Record<string, any>): ChildSpec[] {
  const clusterName = inputs.name ?? name;
  const children: ChildSpec[] = [
    {
      type: "aws:eks/cluster:Cluster",
      name: `${name}-eksCluster`,
      props: defined({
        name: clusterName,
        version: inputs.version,
        enabledClusterLogTypes: inputs.enabledClusterLogTypes,
        encryptionConfig: inputs.encryptionConfigKeyArn
          ? { provider: { keyArn: inputs.encryptionConfigKeyArn }, resources: ["secrets"] }
          : undefined,
        vpcConfig: defined({
          subnetIds: [...list(inputs.publicSubnetIds), ...list(inputs.privateSubnetIds)],
          endpointPrivateAccess: inputs.endpointPrivateAccess,
          endpointPublicAccess: inputs.endpointPublicAccess,
          publicAccessCidrs: inputs.publicAccessCidrs,
        }),
        accessConfig: inputs.authenticationMode
          ? { authenticationMode: inputs.authenticationMode, bootstrapClusterCreatorAdminPermissions: true }
          : undefined,
        bootstrapSelfManagedAddons: inputs.bootstrapSelfManagedAddons ?? true,
        deletionProtection: inputs.deletionProtection,
      }),
    },
  ];
  for (const [key, entry] of Object.entries<Record<string, any>>(inputs.accessEntries ?? {})) {
    const entryName = `${name}-${key}`;
    children.push({
      type: "aws:eks/accessEntry:AccessEntry",
      name: entryName,
      props: defined({
        clusterName,
        principalArn: entry.principalArn,
        type: entry.type,
        kubernetesGroups: entry.kubernetesGroups,
        userName: entry.username,
      }),
    });
    for (const [assoc, policy] of Object.entries<Record<string, any>>(entry.accessPolicies ?? {})) {
      children.push({
        type: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        name: `${entryName}-${assoc}`,
        parentName: entryName,
        props: {
          clusterName,
          principalArn: entry.principalArn,
          policyArn: policy.policyArn,
          accessScope: policy.accessScope,
        },
      });
    }
  }
  return children;
}

function nodeGroupChildren(name: string, inputs: Record<string, any>): ChildSpec[] {
  // The program's own launch template (components/cluster.ts) passes through as given; without one, pulumi-eks
  // builds a custom template when IMDSv2 is asked for, with hop limit 2, and that template then holds the disk.
  const own = inputs.launchTemplate;
  const built = own === undefined && inputs.enableIMDSv2 !== undefined;
  const children: ChildSpec[] = [];
  if (built) {
    children.push({
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: `${name}-launchTemplate`,
      props: defined({
        metadataOptions: {
          httpTokens: inputs.enableIMDSv2 ? "required" : "optional",
          httpPutResponseHopLimit: 2,
          httpEndpoint: "enabled",
        },
        blockDeviceMappings: inputs.diskSize
          ? [{ deviceName: "/dev/xvda", ebs: { volumeSize: inputs.diskSize } }]
          : undefined,
      }),
    });
  }
  const scaling = inputs.scalingConfig ?? {};
  children.push({
    type: "aws:eks/nodeGroup:NodeGroup",
    name,
    props: defined({
      clusterName: inputs.clusterName,
      nodeRoleArn: inputs.nodeRoleArn,
      amiType: inputs.amiType,
      capacityType: inputs.capacityType,
      instanceTypes: inputs.instanceTypes,
      diskSize: own !== undefined || built ? undefined : inputs.diskSize,
      labels: inputs.labels,
      subnetIds: inputs.subnetIds,
      version: inputs.version,
      scalingConfig: {
        desiredSize: scaling.desiredSize ?? 2,
        minSize: scaling.minSize ?? 1,
        maxSize: scaling.maxSize ?? 2,
      },
      launchTemplate: own ?? (built ? { id: "[unknown]", version: "[unknown]" } : undefined),
    }),
  });
  return children;
}

/** The synthesized children of a remote eks component; none for any other resource. */
export function remoteChildren(type: string, name: string, inputs: Record<string, any>): ChildSpec[] {
  if (type === "eks:index:Cluster") return clusterChildren(name, inputs);
  if (type === "eks:index:ManagedNodeGroup") return nodeGroupChildren(name, inputs);
  return [];
}

/** What a transform sees of a child and may change: its props and its `protect`. */
export type ChildTransform = (args: {
  type: string;
  name: string;
  custom: boolean;
  props: Record<string, unknown>;
  opts: { protect?: boolean };
}) => unknown;

/**
 * Records for the synthesized children of `component`, after the component's `transforms` (which the engine applies
 * to children of packaged components too); `protect` is the component's, as the engine lets children inherit it,
 * unless a transform sets it.
 */
export async function synthesizeChildren(
  component: RecordedResource,
  transforms: ChildTransform[],
): Promise<RecordedResource[]> {
  const out: RecordedResource[] = [];
  const urnOf = new Map<string, string>();
  // urn:pulumi:<stack>::<project>::<parent's qualified type>$<type>::<name>
  const prefix = component.urn.split("::").slice(0, 2).join("::");
  for (const spec of remoteChildren(component.type, component.name, component.inputs)) {
    let props = spec.props;
    let protect = component.protect;
    for (const t of transforms) {
      const result = (await t({
        type: spec.type,
        name: spec.name,
        custom: true,
        props,
        opts: { protect },
      })) as { props?: Record<string, unknown>; opts?: { protect?: boolean } } | undefined;
      if (!result) continue;
      props = result.props ?? props;
      if (result.opts && "protect" in result.opts) protect = result.opts.protect === true;
    }
    const parent = spec.parentName ? urnOf.get(spec.parentName)! : component.urn;
    const parentType = parent.split("::")[2];
    const urn = `${prefix}::${parentType}$${spec.type}::${spec.name}`;
    urnOf.set(spec.name, urn);
    out.push({
      urn,
      type: spec.type,
      name: spec.name,
      parent,
      custom: true,
      remote: false,
      protect,
      retainOnDelete: false,
      provider: component.providers.aws ?? component.provider,
      providers: {},
      dependsOn: [parent],
      inputs: props,
      synthesized: true,
    });
  }
  return out;
}
