import type { ResourceValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, forTypes, label, listOf, peek, peekPath } from "./common";

export const ECR_REPOSITORY = "aws:ecr/repository:Repository";

/** Build once, run everywhere: a tag must always mean the same image, or promotion by tag is meaningless. */
export const ecrImmutableTags: ResourceValidationPolicy = {
  name: "ecr-immutable-tags",
  description: "ECR repositories have immutable image tags.",
  severity: "high",
  validateResource: forTypes([ECR_REPOSITORY], (props, args, report) => {
    const mutability = peek(props, "imageTagMutability");
    if (mutability !== "IMMUTABLE" && mutability !== UNKNOWN) {
      report(
        `${label(args.type, args.name)} has imageTagMutability ${JSON.stringify(mutability ?? "MUTABLE")}. ` +
          `Fix: set imageTagMutability: "IMMUTABLE" so a pushed tag can never be overwritten.`,
      );
    }
  }),
};

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "ecr-scan-on-push",
  description: "ECR repositories scan every image on push.",
  severity: "medium",
  validateResource: forTypes([ECR_REPOSITORY], (props, args, report) => {
    const scan = peekPath(props, "imageScanningConfiguration", "scanOnPush");
    if (scan !== true && scan !== UNKNOWN) {
      report(
        `${label(args.type, args.name)} does not scan images on push. ` +
          `Fix: set imageScanningConfiguration: { scanOnPush: true }.`,
      );
    }
  }),
};

export const ecrKmsEncryption: ResourceValidationPolicy = {
  name: "ecr-kms-encryption",
  description: "ECR repositories are encrypted with KMS.",
  severity: "medium",
  validateResource: forTypes([ECR_REPOSITORY], (props, args, report) => {
    const configs = listOf(peek(props, "encryptionConfigurations"));
    if (configs === UNKNOWN) return;
    const type = configs?.length ? peek(configs[0], "encryptionType") : undefined;
    if (type !== "KMS" && type !== UNKNOWN) {
      report(
        `${label(args.type, args.name)} is not KMS-encrypted (encryptionType ${JSON.stringify(type ?? "AES256")}). ` +
          `Fix: set encryptionConfigurations: [{ encryptionType: "KMS" }].`,
      );
    }
  }),
};

export const ecrPolicies = [ecrImmutableTags, ecrScanOnPush, ecrKmsEncryption];
