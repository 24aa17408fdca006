import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError, ENVIRONMENTS, platformSchema, resolveSettings } from "../config";
import { readProjectConfig, readStackConfig } from "../config/files";
import { REPLACED_WHOLE } from "../config/merge";
import { problems, raw } from "./config-raw";
import { evaluateStack } from "../scripts/lib/evaluate";
import { copyProject } from "./harness";

const nodeGroup = (g: Record<string, unknown>) => ({ nodeGroups: { system: g } });

describe("config model", () => {
  for (const stack of ENVIRONMENTS) {
    it(`accepts the real ${stack} stack file`, () => {
      const s = resolveSettings(stack, raw(stack));
      assert.equal(s.environment, stack);
    });
  }

  it("declares exactly the schema's keys in Pulumi.yaml, each with a type", () => {
    const project = parse(fs.readFileSync("Pulumi.yaml", "utf8"));
    const declared = Object.keys(project.config).filter((k) => !k.includes(":"));
    assert.deepEqual(declared.sort(), Object.keys(platformSchema.shape).sort());
    for (const k of declared) assert.ok(project.config[k].type, `Pulumi.yaml config ${k} has no type`);
  });

  it("holds complete, valid defaults in Pulumi.yaml", () => {
    const defaults = Object.fromEntries(
      Object.entries(readProjectConfig())
        .filter(([k]) => k.startsWith("platform:"))
        .map(([k, e]) => [k.slice("platform:".length), e.value]),
    );
    // No default for accountId or service.appUrl: no account or URL is right for every environment.
    const result = platformSchema.safeParse(defaults);
    assert.deepEqual(result.success ? [] : result.error.issues.map((i) => i.path.join(".")).sort(), [
      "accountId",
      "service.appUrl",
    ]);
  });

  it("keeps only differences in the stack files", () => {
    const defaults = readProjectConfig();
    const repeats: string[] = [];
    // A map replaced whole (node groups) is a repeat only if the whole map equals the default.
    const whole = new Set(REPLACED_WHOLE.map((p) => `platform:${p.join(".")}`));
    const walk = (stackValue: unknown, defaultValue: unknown, key: string, at: string) => {
      if (
        !whole.has(at) &&
        stackValue !== null &&
        typeof stackValue === "object" &&
        !Array.isArray(stackValue)
      ) {
        for (const [k, v] of Object.entries(stackValue))
          walk(v, (defaultValue as Record<string, unknown> | undefined)?.[k], `${key}.${k}`, `${at}.${k}`);
      } else if (JSON.stringify(stackValue) === JSON.stringify(defaultValue)) repeats.push(key);
    };
    for (const stack of ENVIRONMENTS) {
      for (const [k, e] of Object.entries(readStackConfig(stack)))
        walk(e.value, defaults[k]?.value, `Pulumi.${stack}.yaml: ${k}`, k);
    }
    assert.deepEqual(repeats, [], "these stack values repeat the Pulumi.yaml default");
  });

  it("replaces node-group maps whole, so a stack can rename or drop the default group (prod too)", () => {
    for (const stack of ENVIRONMENTS) {
      const cluster = resolveSettings(stack, raw(stack)).cluster;
      const r = raw(stack);
      // The stack's own groups, renamed: written as a stack file would hold them.
      const given = JSON.parse(r["platform:cluster"]);
      given.nodeGroups = { general: cluster.nodeGroups.system };
      r["platform:cluster"] = JSON.stringify(given);
      const s = resolveSettings(stack, r);
      assert.deepEqual(Object.keys(s.cluster.nodeGroups), ["general"], stack);
    }
  });

  describe("rejects bad input, naming the file, the key, what was found and what is allowed", () => {
    it("min size greater than max size", () => {
      const [p] = problems("uat", { "platform:cluster": nodeGroup({ minSize: 5, desiredSize: 5 }) });
      assert.match(
        p,
        /^Pulumi\.uat\.yaml: platform:cluster\.nodeGroups\.system\.minSize: found 5; allowed: at most maxSize \(4\)$/,
      );
    });

    it("a zero or negative count", () => {
      const ps = problems("alpha", {
        "platform:cluster": nodeGroup({ maxSize: 0 }),
        "platform:registry": { keepReleaseImages: -1 },
      });
      assert.ok(
        ps.includes(
          "Pulumi.alpha.yaml: platform:cluster.nodeGroups.system.maxSize: found 0; allowed: 1 to 450",
        ),
        ps.join("\n"),
      );
      assert.ok(
        ps.includes("Pulumi.alpha.yaml: platform:registry.keepReleaseImages: found -1; allowed: 1 to 1000"),
        ps.join("\n"),
      );
    });

    it("an empty instance type list", () => {
      const ps = problems("beta", { "platform:cluster": nodeGroup({ instanceTypes: [] }) });
      assert.deepEqual(ps, [
        "Pulumi.beta.yaml: platform:cluster.nodeGroups.system.instanceTypes: found an empty list; allowed: at least one instance type",
      ]);
    });

    it("an invalid CIDR", () => {
      const ps = problems("alpha", { "platform:network": { cidr: "10.300.0.0/16" } });
      assert.deepEqual(ps, [
        'Pulumi.alpha.yaml: platform:network.cidr: found "10.300.0.0/16"; allowed: an IPv4 CIDR with a /16 to /18 prefix, such as 10.0.0.0/16',
      ]);
    });

    it("a Kubernetes version outside the supported list", () => {
      const [p] = problems("prod", { "platform:cluster": { version: "1.27" } });
      assert.match(
        p,
        /^Pulumi\.prod\.yaml: platform:cluster\.version: found "1\.27"; allowed: one of 1\.\d\d(, 1\.\d\d)+$/,
      );
    });

    it("a wrong type", () => {
      const ps = problems("beta", { "platform:network": "10.20.0.0/16" });
      assert.deepEqual(ps, ['Pulumi.beta.yaml: platform:network: found "10.20.0.0/16"; expected object']);
    });

    it("an unknown key, nested or top-level, instead of falling back to a default", () => {
      const ps = problems("uat", {
        "platform:cluster": nodeGroup({ minSzie: 1 }),
        "platform:imageTga": "abc1234",
      });
      assert.ok(
        ps.some((p) =>
          /^Pulumi\.uat\.yaml: platform:cluster\.nodeGroups\.system\.minSzie: unknown key; allowed keys: .*minSize/.test(
            p,
          ),
        ),
        ps.join("\n"),
      );
      assert.ok(
        ps.some((p) => /^Pulumi\.uat\.yaml: platform:imageTga: unknown key; allowed keys: imageTag,/.test(p)),
        ps.join("\n"),
      );
    });

    it("a typo in the config namespace, instead of falling back to the defaults", () => {
      const ps = problems("uat", { "platfrom:cluster": { logRetentionDays: 90 } });
      assert.deepEqual(ps, [
        "Pulumi.uat.yaml: platfrom:cluster: unknown config namespace; allowed: platform:<key>, aws:<key>, pulumi:<key>",
      ]);
    });

    it("a stack file that is not valid YAML, naming the file, with nothing evaluated", async function () {
      this.timeout(60000);
      const dir = copyProject("config-test-");
      try {
        fs.writeFileSync(path.join(dir, "Pulumi.beta.yaml"), "config:\n  platform:network: [\n");
        const e = await evaluateStack("beta", { dir });
        assert.match(e.error ?? "", /^Pulumi\.beta\.yaml: not valid YAML at line 3, column 1: /);
        assert.deepEqual(e.resources, []);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("an environment that is not one of the four", () => {
      const ps = problems("dev", {}, "alpha");
      assert.deepEqual(ps, [
        'Pulumi.dev.yaml: stack "dev": the stack name is the environment; allowed: alpha, beta, uat, prod',
      ]);
    });

    for (const tag of ["latest", "", "main", "4F2A9C1", "1.2", "v1.2.3+build.7"]) {
      it(`the image tag ${JSON.stringify(tag)}`, () => {
        const ps = problems("beta", { "platform:imageTag": tag });
        assert.deepEqual(ps, [
          `Pulumi.beta.yaml: platform:imageTag: found ${JSON.stringify(tag)}; allowed: a git SHA of 7–40 lowercase hex characters, or a semver release such as 1.4.2 or v1.4.2-rc.1; never empty or "latest"`,
        ]);
      });
    }

    it("service settings: replicas, autoscaling bounds, URL", () => {
      const ps = problems("uat", {
        "platform:service": {
          replicas: 0,
          autoscaling: { minReplicas: 5, maxReplicas: 3 },
          appUrl: "http://api.uat.example.com",
        },
      });
      assert.deepEqual(ps.sort(), [
        'Pulumi.uat.yaml: platform:service.appUrl: found "http://api.uat.example.com"; allowed: an https URL such as https://api.example.com',
        "Pulumi.uat.yaml: platform:service.autoscaling.maxReplicas: found 3; allowed: at least minReplicas",
        "Pulumi.uat.yaml: platform:service.replicas: found 0; allowed: 1 to 100",
      ]);
    });

    it("every problem at once", () => {
      const ps = problems("alpha", {
        "platform:network": { cidr: "nope", azCount: 5 },
        "platform:cluster": nodeGroup({ instanceTypes: [] }),
        "platform:imageTag": "latest",
      });
      assert.equal(ps.length, 4, ps.join("\n"));
    });

    it("prod-only rules: on-demand nodes, three per zone, no open endpoint", () => {
      const ps = problems("prod", {
        "platform:cluster": {
          publicAccessCidrs: ["0.0.0.0/0"],
          ...nodeGroup({
            capacityType: "SPOT",
            instanceTypes: ["m6i.large", "m5.large"],
            minSize: 2,
            desiredSize: 2,
          }),
        },
      });
      assert.deepEqual(ps.sort(), [
        'Pulumi.prod.yaml: platform:cluster.nodeGroups.system.capacityType: found "SPOT"; allowed in prod: ON_DEMAND',
        "Pulumi.prod.yaml: platform:cluster.nodeGroups.system.minSize: found 2; allowed in prod: at least 3 (one node per zone)",
        'Pulumi.prod.yaml: platform:cluster.publicAccessCidrs: found ["0.0.0.0/0"]; allowed in prod: an allow-list without 0.0.0.0/0',
      ]);
    });

    it("names Pulumi.yaml for a bad value that comes from the defaults", () => {
      const r = raw("alpha");
      const defaults = readProjectConfig()["platform:cluster"].value as Record<string, unknown>;
      // A bad project default for a key the stack file does not set.
      const bad = {
        ...readProjectConfig(),
        "platform:cluster": { value: { ...defaults, logRetentionDays: 8 }, secret: false },
      };
      assert.throws(
        () => resolveSettings("alpha", r, bad),
        (e: ConfigError) =>
          e.problems.includes(
            "Pulumi.yaml: platform:cluster.logRetentionDays: found 8; allowed: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653 (CloudWatch Logs retention periods)",
          ),
      );
    });
  });
});
