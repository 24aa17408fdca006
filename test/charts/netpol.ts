/**
 * Kubernetes NetworkPolicy ingress semantics (networking.k8s.io/v1), enough to ask "may this source reach this pod
 * on this port?" of the rendered manifests: a pod selected by no Ingress policy admits everything; a selected pod
 * admits a connection only if some rule of a selecting policy matches both the peer and the port.
 */
import * as ipaddr from "ipaddr.js";

export interface Pod {
  namespace: string;
  labels: Record<string, string>;
}
/** A connection's source: a pod (the namespace carries its kubernetes.io/metadata.name label), or an IP. */
export type Source = Pod | { ip: string };
export interface Port {
  number: number;
  /** The container port's name, which a policy may use instead of the number. */
  name?: string;
}

const matches = (selector: any, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector?.matchExpressions ?? []).length === 0;

const namespaceLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns });

function peerMatches(peer: any, policyNamespace: string, source: Source): boolean {
  if ("ip" in source) {
    if (!peer.ipBlock) return false;
    const ip = ipaddr.IPv4.parse(source.ip);
    const inside = (cidr: string) => ip.match(ipaddr.IPv4.parseCIDR(cidr));
    return inside(peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some(inside);
  }
  if (peer.ipBlock) return false;
  const nsOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector, namespaceLabels(source.namespace))
    : source.namespace === policyNamespace;
  const podOk = peer.podSelector ? matches(peer.podSelector, source.labels) : true;
  return nsOk && podOk;
}

const portMatches = (rulePorts: any[] | undefined, port: Port) =>
  !rulePorts?.length ||
  rulePorts.some((p) => (p.protocol ?? "TCP") === "TCP" && (p.port === port.number || p.port === port.name));

export function allowed(policies: any[], target: Pod, source: Source, port: Port): boolean {
  const selecting = policies.filter(
    (p) =>
      (p.metadata.namespace ?? "") === target.namespace &&
      matches(p.spec.podSelector, target.labels) &&
      (p.spec.policyTypes ?? ["Ingress"]).includes("Ingress"),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p.spec.ingress ?? []).some(
      (rule: any) =>
        portMatches(rule.ports, port) &&
        (!rule.from?.length ||
          rule.from.some((peer: any) => peerMatches(peer, p.metadata.namespace, source))),
    ),
  );
}
