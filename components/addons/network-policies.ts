import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

const tcp = (ports: number[]) => ports.map((port) => ({ port, protocol: "TCP" }));

/** Pods of another namespace (by its kubernetes.io/metadata.name label), optionally only those with `labels`. */
export const fromNamespace = (namespace: pulumi.Input<string>, labels?: Record<string, string>): Peer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
  ...(labels ? { podSelector: { matchLabels: labels } } : {}),
});
/** Pods of the policy's own namespace. */
export const fromSameNamespace: Peer = { podSelector: {} };
export const fromCidrs = (cidrs: pulumi.Input<string>[]): Peer[] =>
  cidrs.map((cidr) => ({ ipBlock: { cidr } }));

export const allow = (from: Peer[] | pulumi.Input<Peer[]>, ports?: number[]): IngressRule => ({
  from: from as IngressRule["from"],
  ...(ports ? { ports: tcp(ports) } : {}),
});

export interface IngressPolicyArgs {
  namespace: pulumi.Input<string>;
  /** Pods the policy selects; all pods of the namespace when omitted (then a default-deny comes with it). */
  podLabels?: Record<string, string>;
  rules: IngressRule[];
}

/**
 * Ingress allow-list for a namespace or some of its pods. For a whole namespace it adds a default-deny (no ingress
 * unless a policy allows it), so a pod added later is closed until someone allows its traffic. The VPC CNI enforces
 * both (vpcCniOptions.enableNetworkPolicy). Egress stays open: add-ons reach the API server, AWS APIs and CloudWatch.
 */
export function ingressPolicies(
  name: string,
  args: IngressPolicyArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy[] {
  const podSelector = args.podLabels ? { matchLabels: args.podLabels } : {};
  const policies: k8s.networking.v1.NetworkPolicy[] = [];
  if (args.rules.length > 0) {
    policies.push(
      new k8s.networking.v1.NetworkPolicy(
        `${name}-allow`,
        {
          metadata: { name: `${name}-allow`, namespace: args.namespace },
          spec: { podSelector, policyTypes: ["Ingress"], ingress: args.rules },
        },
        opts,
      ),
    );
  }
  if (!args.podLabels) {
    policies.push(
      new k8s.networking.v1.NetworkPolicy(
        `${name}-default-deny`,
        {
          metadata: { name: "default-deny-ingress", namespace: args.namespace },
          spec: { podSelector: {}, policyTypes: ["Ingress"] },
        },
        opts,
      ),
    );
  }
  return policies;
}
