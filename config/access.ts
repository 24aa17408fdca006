import { z } from "zod";

const principalArn = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, "allowed: an IAM role or user ARN");
const roleArn = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, "allowed: an IAM role ARN (not a session ARN)");

/**
 * Who may reach the cluster's Kubernetes API, per environment (EKS access entries, authenticationMode API).
 * pulumi-eks 4.3.0 creates the control plane with bootstrapClusterCreatorAdminPermissions: true (hard-coded), so
 * EKS itself gives the identity that runs the first `up` cluster-admin. That must be `deployRoleArn`, which then gets
 * no explicit entry: a second entry for the same principal fails with ResourceInUseException.
 */
export const accessSchema = z
  .object({
    /** The role Pulumi Deployments assumes for this stack (deployments/: stacks.<env>.roleArn); runs the first `up`. */
    deployRoleArn: roleArn,
    /** The read-only role PR previews assume (.github/workflows/pr.yml): EKS view policy. */
    previewRoleArn: roleArn,
    /** Break-glass admins (humans' roles): cluster-admin through explicit access entries. */
    adminArns: z.array(principalArn).min(1, "allowed: at least one break-glass admin"),
  })
  .strict()
  .superRefine((a, ctx) => {
    a.adminArns.forEach((arn, i) => {
      if (arn === a.deployRoleArn || arn === a.previewRoleArn || a.adminArns.indexOf(arn) !== i) {
        ctx.addIssue({
          code: "custom",
          path: ["adminArns", i],
          message:
            "allowed: a principal listed once, and neither deployRoleArn (EKS already made it admin as the creator) " +
            "nor previewRoleArn",
        });
      }
    });
    if (a.previewRoleArn === a.deployRoleArn) {
      ctx.addIssue({
        code: "custom",
        path: ["previewRoleArn"],
        message:
          "allowed: a read-only role other than deployRoleArn (PR code must not run with the deploy role)",
      });
    }
  });

export type AccessSettings = z.infer<typeof accessSchema>;
