import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceNamespaceArgs {
  name: string;
  /** Prod: the namespace holds the database's volumes and Secrets, so deleting it must never happen by accident. */
  isProd: boolean;
}

/**
 * The service's namespace, owned here rather than created on the side by the first Helm release into it. The AWS
 * Load Balancer Controller injects a readiness gate into pods of labelled namespaces only: a rolling update then
 * waits until the ALB reports the new pod healthy before it removes an old one, so the target group is never left
 * with only draining targets (kubernetes-sigs/aws-load-balancer-controller docs/deploy/pod_readiness_gate.md).
 */
export class ServiceNamespace extends pulumi.ComponentResource {
  readonly name: string;
  readonly namespace: k8s.core.v1.Namespace;

  constructor(name: string, args: ServiceNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:service:Namespace", name, {}, opts);
    this.name = args.name;
    this.namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: args.name,
          labels: { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" },
        },
      },
      { parent: this, protect: args.isProd, retainOnDelete: args.isProd },
    );
    this.registerOutputs({ name: this.name });
  }
}
