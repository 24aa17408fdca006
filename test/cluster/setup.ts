/**
 * Root hooks for test/cluster: one control plane for the whole suite (environments run one after another on it,
 * each starting from an empty cluster), stopped and removed however the run ends.
 */
import { ControlPlane } from "./control-plane";
import type { Kube } from "./kube";

let plane: ControlPlane | undefined;

export function cluster(): { kube: Kube; kubeconfig: string; plane: ControlPlane } {
  if (!plane) throw new Error("the control plane is not running (test/cluster/setup.ts root hook)");
  return { kube: plane.kube, kubeconfig: plane.kubeconfig, plane };
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000);
    const started = Date.now();
    plane = new ControlPlane();
    await plane.start();
    console.log(`  control plane ready in ${((Date.now() - started) / 1000).toFixed(1)}s (${plane.dir})`);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await plane?.stop();
  },
};
