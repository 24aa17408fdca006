import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RegistrySettings } from "../config";
import { lifecyclePolicy } from "./registry-lifecycle";

export interface RegistryArgs {
  settings: RegistrySettings;
  /** Exactly one stack creates the repository; every other stack only looks it up. */
  isOwner: boolean;
  /** Tags the lifecycle policy never expires: deployed now, or ever promoted to prod (config/promoted.ts). */
  protectedTags: string[];
}

/**
 * The Go service's one ECR repository: build once, run everywhere. Images outlive any environment, so the owner
 * protects the repository and retains it when its stack is destroyed.
 */
export class Registry extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly repositoryName: pulumi.Output<string>;
  readonly registryId: pulumi.Output<string>;
  /**
   * Non-owner stacks: the IAM policy their deploy and preview roles need to look the repository up and resolve the
   * tag (aws.ecr.getRepository = ecr:DescribeRepositories, aws.ecr.getImage = ecr:DescribeImages). Cross-account,
   * the owner's repository policy must allow the same actions (pullAccountIds).
   */
  readonly lookupPolicy?: pulumi.Output<object>;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:registry:Registry", name, {}, opts);
    const { settings, isOwner } = args;

    if (isOwner) {
      const repo = this.create(name, settings, args.protectedTags);
      this.repositoryUrl = repo.repositoryUrl;
      this.repositoryName = repo.name;
      this.registryId = repo.registryId;
    } else {
      const repo = aws.ecr.getRepositoryOutput(
        { name: settings.name, registryId: settings.accountId },
        { parent: this },
      );
      this.repositoryUrl = repo.repositoryUrl;
      this.repositoryName = repo.name;
      this.registryId = repo.registryId;
      this.lookupPolicy = repo.arn.apply((arn) => ({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "LookUpSharedRepository",
            Effect: "Allow",
            Action: ["ecr:DescribeRepositories", "ecr:DescribeImages"],
            Resource: arn,
          },
        ],
      }));
    }
    this.registerOutputs({ repositoryUrl: this.repositoryUrl });
  }

  private create(name: string, settings: RegistrySettings, protectedTags: string[]): aws.ecr.Repository {
    const repo = new aws.ecr.Repository(
      name,
      {
        name: settings.name,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS" }],
        forceDelete: false,
      },
      { parent: this, protect: true, retainOnDelete: true },
    );
    new aws.ecr.LifecyclePolicy(
      name,
      {
        repository: repo.name,
        policy: lifecyclePolicy(settings, protectedTags),
      },
      { parent: this },
    );
    if (settings.pullAccountIds.length > 0) {
      new aws.ecr.RepositoryPolicy(
        name,
        {
          repository: repo.name,
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "CrossAccountPull",
                Effect: "Allow",
                Principal: { AWS: settings.pullAccountIds.map((id) => `arn:aws:iam::${id}:root`) },
                Action: [
                  // Nodes pull the image.
                  "ecr:BatchGetImage",
                  "ecr:GetDownloadUrlForLayer",
                  "ecr:BatchCheckLayerAvailability",
                  // The other account's stack looks the repository up and resolves the tag to its digest.
                  "ecr:DescribeRepositories",
                  "ecr:DescribeImages",
                ],
              },
            ],
          }),
        },
        { parent: this },
      );
    }
    return repo;
  }
}
