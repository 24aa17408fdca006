import * as assert from "node:assert/strict";
import { ENVIRONMENTS, one, stackOf } from "../harness";
import { checkRenderedChart } from "./tools";

/**
 * The chart with exactly the values the program hands each stack's go-service release (config merged as the CLI
 * does, the tag resolved to a digest): helm lint --strict, helm template, kubeconform and kube-score.
 */
describe("charts/go-service with each environment's effective values", function () {
  this.timeout(120000);
  for (const stack of ENVIRONMENTS) {
    it(stack, async () => {
      const e = await stackOf(stack);
      const values = one(e, "kubernetes:helm.sh/v3:Release", "go-service").inputs.values as Record<
        string,
        any
      >;
      // One pod is a choice only outside prod (alpha's cost floor); prod must pass the replica checks.
      const minPods = values.autoscaling.enabled ? values.autoscaling.minReplicas : values.replicaCount;
      if (stack === "prod") assert.ok(minPods >= 2, `prod runs ${minPods} pod(s)`);
      const { objects } = checkRenderedChart(values, stack, {
        allowSingleReplica: stack !== "prod" && minPods === 1,
      });
      const image = objects.find((o) => o.kind === "Deployment")!.spec.template.spec.containers[0].image;
      assert.equal(image, `${values.image.repository}@${values.image.digest}`);
      // Grafana's sidecar reads ConfigMaps of the monitoring namespace only (components/addons/grafana.ts).
      const dashboards = objects.filter((o) => o.metadata?.labels?.grafana_dashboard === "1");
      assert.deepEqual(
        dashboards.map((o) => o.metadata.namespace),
        ["monitoring"],
      );
    });
  }
});
