/**
 * Every identity that deploys or previews a stack can reach its Kubernetes API, with the right EKS access policy:
 * the Deployments role named in deployments/Pulumi.cloud.yaml (cluster-admin as the cluster's creator: pulumi-eks
 * 4.3.0 hard-codes bootstrapClusterCreatorAdminPermissions), the preview role the PR workflow assumes (view), and the
 * break-glass admins (cluster-admin). Read from the real files; the entries are the eks component's children as the
 * evaluator synthesizes them from its inputs.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { EKS_ACCESS_POLICY } from "../components/aws-managed";
import { ENVIRONMENTS, effective, ofType, stackOf, type Evaluation } from "./harness";

const ROOT = path.resolve(__dirname, "..");
const deployRoles = parse(fs.readFileSync(path.join(ROOT, "deployments", "Pulumi.cloud.yaml"), "utf8"))
  .config["platform-deployments:stacks"] as Record<string, { roleArn: string; agentPoolId?: string }>;

/** The role the PR workflow's preview job assumes for `stack`: it runs the step that computes it. */
function prPreviewRole(stack: string): string {
  const pr = parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "pr.yml"), "utf8"));
  const steps: Record<string, any>[] = pr.jobs.preview.steps;
  const creds = steps.find((s) => /^aws-actions\/configure-aws-credentials@/.test(s.uses ?? ""))!;
  const ref = /^\$\{\{ steps\.([\w-]+)\.outputs\.arn \}\}$/.exec(creds.with["role-to-assume"]);
  assert.ok(ref, `role-to-assume must come from a step of the workflow, not a repository variable`);
  const step = steps.find((s) => s.id === ref[1])!;
  const command = /\$\(([^)]+)\)/
    .exec(step.run)![1]
    .replace(/"\$STACK"/, stack)
    .split(/\s+/);
  assert.equal(step.env.STACK, "${{ matrix.stack }}");
  return execFileSync(command[0], command.slice(1), { cwd: ROOT, encoding: "utf8" }).trim();
}

/** Access policies of a principal in the stack: its entries' associations (the eks component's children). */
function policiesOf(e: Evaluation, principal: string): string[] {
  const entries = ofType(e, "aws:eks/accessEntry:AccessEntry").filter(
    (r) => r.inputs.principalArn === principal,
  );
  return ofType(e, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    .filter((a) => entries.some((en) => a.parent === en.urn))
    .map((a) => {
      assert.deepEqual(a.inputs.accessScope, { type: "cluster" });
      return a.inputs.policyArn as string;
    });
}

describe("cluster access for every identity that deploys or previews a stack", () => {
  for (const stack of ENVIRONMENTS) {
    describe(stack, () => {
      it("the Deployments role is the stack's deploy role: admin as the cluster's creator, with no entry of its own", async () => {
        const e = await stackOf(stack);
        const deployRole = deployRoles[stack].roleArn;
        assert.equal(
          effective(e).access.deployRoleArn,
          deployRole,
          "deployments/ and the stack name one role",
        );
        const [controlPlane] = ofType(e, "aws:eks/cluster:Cluster");
        assert.deepEqual(controlPlane.inputs.accessConfig, {
          authenticationMode: "API",
          bootstrapClusterCreatorAdminPermissions: true,
        });
        // A second entry for the creator fails the first `up` with ResourceInUseException.
        assert.deepEqual(policiesOf(e, deployRole), []);
        assert.equal(
          ofType(e, "aws:eks/accessEntry:AccessEntry").filter((r) => r.inputs.principalArn === deployRole)
            .length,
          0,
        );
      });

      it("the role the PR workflow previews with has exactly EKS view", async function () {
        this.timeout(120000);
        const e = await stackOf(stack);
        assert.deepEqual(policiesOf(e, prPreviewRole(stack)), [EKS_ACCESS_POLICY.AmazonEKSViewPolicy]);
      });

      it("every break-glass admin has exactly cluster-admin", async () => {
        const e = await stackOf(stack);
        for (const admin of effective(e).access.adminArns as string[])
          assert.deepEqual(policiesOf(e, admin), [EKS_ACCESS_POLICY.AmazonEKSClusterAdminPolicy], admin);
      });

      it("Deployments runs on a customer-managed agent pool when the API endpoint is allow-listed or private", async () => {
        const c = effective(await stackOf(stack)).cluster;
        const reachableFromPulumiHosted = c.endpointPublicAccess && c.publicAccessCidrs.includes("0.0.0.0/0");
        if (!reachableFromPulumiHosted)
          assert.ok(
            deployRoles[stack].agentPoolId,
            `deployments/Pulumi.cloud.yaml: stacks.${stack}.agentPoolId (Pulumi-hosted runners cannot reach ` +
              `${c.endpointPublicAccess ? c.publicAccessCidrs.join(", ") : "a private endpoint"})`,
          );
      });

      it("every identity with an entry is one of these (or the nodes)", async () => {
        const e = await stackOf(stack);
        const a = effective(e).access;
        const known = new Set([a.previewRoleArn, ...a.adminArns]);
        for (const en of ofType(e, "aws:eks/accessEntry:AccessEntry"))
          if (en.inputs.type !== "EC2_LINUX") assert.ok(known.has(en.inputs.principalArn as string), en.name);
      });
    });
  }
});

describe("the registry look-up policy for deploy and preview roles", () => {
  for (const stack of ENVIRONMENTS) {
    it(`${stack}: outputs exactly the ECR reads the look-up makes, on the owner's repository`, async () => {
      const e = await stackOf(stack);
      const reg = effective(e).registry;
      const out = e.outputs.registryLookupPolicy.value as { Statement: any[] } | null;
      if (reg.ownerStack === stack) return assert.equal(out, null);
      const [statement] = out!.Statement;
      assert.deepEqual(statement.Action, ["ecr:DescribeRepositories", "ecr:DescribeImages"]);
      assert.match(
        statement.Resource,
        new RegExp(`^arn:aws:ecr:[a-z0-9-]+:${reg.accountId}:repository/${reg.name}$`),
      );
    });
  }
});
