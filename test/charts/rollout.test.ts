import * as assert from "node:assert/strict";
import { ciValues, kubeconform, render, type K8sObject } from "./tools";

const canary = () => ciValues("full-values.yaml");
const withRollout = (change: Record<string, unknown>) => {
  const v = canary();
  v.rollout = { ...v.rollout, ...change };
  return v;
};
const kind = (objects: K8sObject[], k: string, name?: string) =>
  objects.filter((o) => o.kind === k && (name === undefined || o.metadata.name === name));
const only = (objects: K8sObject[], k: string, name?: string) => {
  const found = kind(objects, k, name);
  assert.equal(found.length, 1, `${k} ${name ?? ""}: ${found.length} rendered`);
  return found[0];
};

describe("charts/go-service: rollout strategies", () => {
  it("rolling: the Deployment rolls itself; no Argo Rollouts objects, no wait hook", () => {
    const { objects } = render(withRollout({ strategy: "rolling" }));
    for (const k of ["Rollout", "AnalysisTemplate", "Job"]) assert.equal(kind(objects, k).length, 0, k);
    assert.equal(only(objects, "HorizontalPodAutoscaler").spec.scaleTargetRef.kind, "Deployment");
    const backend = only(objects, "Ingress").spec.rules[0].http.paths[0].backend.service;
    assert.deepEqual(backend, { name: "go-service", port: { name: "http" } });
  });

  it("canary: a Rollout takes over the Deployment's pods and steps the ALB weights with analysis", () => {
    const { objects } = render(canary());
    const rollout = only(objects, "Rollout");
    assert.deepEqual(rollout.spec.workloadRef, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "go-service",
      scaleDown: "progressively",
    });
    const c = rollout.spec.strategy.canary;
    assert.deepEqual(
      c.steps.filter((s: any) => s.setWeight).map((s: any) => s.setWeight),
      [10, 30, 60],
    );
    assert.deepEqual(c.trafficRouting, { alb: { ingress: "go-service", servicePort: 80 } });
    assert.equal(c.analysis.templates[0].templateName, only(objects, "AnalysisTemplate").metadata.name);
    assert.equal(rollout.spec.progressDeadlineAbort, true);
    // The Rollout owns the replicas and the HPA scales it.
    assert.equal(only(objects, "Deployment").spec.replicas, undefined);
    assert.equal(only(objects, "HorizontalPodAutoscaler").spec.scaleTargetRef.kind, "Rollout");
    const ingress = only(objects, "Ingress");
    assert.deepEqual(ingress.spec.rules[0].http.paths[0].backend.service, {
      name: "go-service-stable",
      port: { name: "use-annotation" },
    });
    const action = JSON.parse(
      ingress.metadata.annotations["alb.ingress.kubernetes.io/actions.go-service-stable"],
    );
    assert.deepEqual(
      action.ForwardConfig.TargetGroups.map((t: any) => [t.ServiceName, t.Weight]),
      [
        ["go-service-canary", 0],
        ["go-service-stable", 100],
      ],
    );
  });

  it("canary: the stable and canary Services are not scraped twice (the ServiceMonitor does not select them)", () => {
    const { objects } = render(canary());
    const selector = only(objects, "ServiceMonitor").spec.selector.matchLabels as Record<string, string>;
    for (const name of ["go-service-stable", "go-service-canary"]) {
      const labels = only(objects, "Service", name).metadata.labels as Record<string, string>;
      assert.ok(
        Object.entries(selector).some(([k, v]) => labels[k] !== v),
        `${name} matches the ServiceMonitor`,
      );
    }
    assert.equal(
      only(objects, "Service", "go-service").spec.selector["app.kubernetes.io/name"],
      "go-service",
    );
  });

  it("no traffic passes a canary's analysis but fails a blue-green preview's, which only previewHost reaches", () => {
    const metrics = (r: Record<string, unknown>) =>
      only(render(withRollout(r)).objects, "AnalysisTemplate").spec.metrics as any[];
    for (const m of metrics({ strategy: "canary" })) {
      assert.match(m.successCondition, /^len\(result\) == 0 \|\| isNaN\(result\[0\]\) \|\| /);
      assert.equal(m.initialDelay, undefined);
    }
    // A failed measurement, not an Error: argo-rollouts retries an Error every 10s and aborts after five, before the
    // preview's series exist (checked with its utils/evaluate at v1.9.0).
    const blueGreen = metrics({ strategy: "blueGreen", previewHost: "preview.example.com" });
    assert.deepEqual(
      blueGreen.map((m) => [m.successCondition, m.initialDelay]),
      [
        ["len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.99", "2m"],
        ["len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.5", "2m"],
      ],
    );
  });

  it("waits for full promotion in a hook Job bounded by timeoutMinutes", () => {
    const { objects } = render(withRollout({ timeoutMinutes: 25 }));
    const job = only(objects, "Job");
    assert.equal(job.metadata.annotations["helm.sh/hook"], "post-install,post-upgrade");
    assert.equal(job.spec.backoffLimit, 0);
    const c = job.spec.template.spec.containers[0];
    assert.deepEqual(c.args, ["status", "go-service", "--namespace", "apps", "--timeout", "25m"]);
    assert.equal(c.image, "quay.io/argoproj/kubectl-argo-rollouts:v1.9.0");
    assert.ok(job.spec.activeDeadlineSeconds > 25 * 60);
  });

  it("blueGreen: the preview gets its own ALB rule and is analysed before promotion", () => {
    const { objects } = render(
      withRollout({ strategy: "blueGreen", pause: "10m", previewHost: "preview.example.com" }),
    );
    const bg = only(objects, "Rollout").spec.strategy.blueGreen;
    assert.equal(bg.activeService, "go-service-stable");
    assert.equal(bg.previewService, "go-service-preview");
    assert.equal(bg.autoPromotionSeconds, 600);
    assert.equal(bg.prePromotionAnalysis.templates[0].templateName, "go-service");
    const rules = only(objects, "Ingress").spec.rules;
    assert.deepEqual(
      rules.map((r: any) => [r.host, r.http.paths[0].backend.service.name]),
      [
        ["api.example.com", "go-service-stable"],
        ["preview.example.com", "go-service-preview"],
      ],
    );
    for (const m of only(objects, "AnalysisTemplate").spec.metrics) assert.equal(m.count, 5, m.name);
  });

  it("kubeconform checks Rollouts against Argo Rollouts' CRD schema (an unknown field fails)", () => {
    const { manifest } = render(canary());
    assert.throws(() =>
      kubeconform(manifest.replace("progressDeadlineAbort: true", "progressDeadlineAbrt: true")),
    );
  });
});
