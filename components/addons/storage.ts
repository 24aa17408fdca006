import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "../cluster";
import { IAM_MANAGED_POLICY } from "../aws-managed";
import { RETAIN_STORAGE_CLASS, STORAGE_CLASS, podIdentityRole } from "./common";

export interface StorageArgs {
  cluster: Cluster;
}

/** The driver's controller ServiceAccount, created by the managed add-on. */
const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";

/**
 * Block storage: the EBS CSI driver (EKS managed add-on, IAM through Pod Identity) and the default gp3
 * StorageClass. EKS no longer creates a default class; without one every PVC stays Pending.
 */
export class Storage extends pulumi.ComponentResource {
  readonly storageClassName: string = STORAGE_CLASS;
  /** Releases with PVCs depend on this (and on nodes); the driver comes up alongside them. */
  readonly storageClass: k8s.storage.v1.StorageClass;
  /** The same volumes with reclaimPolicy Retain: deleting the PVC (or its namespace) keeps the EBS volume. */
  readonly retainStorageClass: k8s.storage.v1.StorageClass;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:addons:Storage", name, {}, opts);
    const { cluster } = args;

    // V2 limits the driver to volumes and snapshots it tagged itself (dynamic provisioning).
    const { role, grants } = podIdentityRole(
      `${name}-ebs-csi`,
      {
        clusterName: cluster.clusterName,
        namespace: "kube-system",
        serviceAccount: EBS_CSI_SERVICE_ACCOUNT,
        managedPolicyArns: [IAM_MANAGED_POLICY.AmazonEBSCSIDriverPolicyV2],
      },
      this,
    );
    // The add-on's own association (not a separate one): the add-on replaces it on upgrade, and the controller
    // reports healthy only with nodes to run on and the pod-identity agent to get credentials from.
    cluster.addon(name, "aws-ebs-csi-driver", [...cluster.workloadsReady, ...grants], {
      podIdentityAssociations: [{ roleArn: role.arn, serviceAccount: EBS_CSI_SERVICE_ACCOUNT }],
    });

    const storageClass = (
      resourceName: string,
      className: string,
      reclaimPolicy: "Delete" | "Retain",
      isDefault: boolean,
    ) =>
      new k8s.storage.v1.StorageClass(
        resourceName,
        {
          metadata: {
            name: className,
            annotations: isDefault ? { "storageclass.kubernetes.io/is-default-class": "true" } : {},
          },
          provisioner: "ebs.csi.aws.com",
          // Bind where the pod lands: an EBS volume lives in one zone, so a PVC is never bound in a zone without a
          // node for its pod (an Immediate binding could pick one).
          volumeBindingMode: "WaitForFirstConsumer",
          allowVolumeExpansion: true,
          reclaimPolicy,
          parameters: {
            type: "gp3",
            encrypted: "true",
            "csi.storage.k8s.io/fstype": "ext4",
          },
        },
        // An API object only: it needs no driver to exist. A PVC stays Pending until the driver (created alongside, in
        // about a minute) provisions it, well within the waiting release's timeout; serializing them adds that minute.
        { parent: this, provider: cluster.provider },
      );
    this.storageClass = storageClass(name, STORAGE_CLASS, "Delete", true);
    this.retainStorageClass = storageClass(`${name}-retain`, RETAIN_STORAGE_CLASS, "Retain", false);
    this.registerOutputs({ storageClassName: this.storageClassName });
  }
}
