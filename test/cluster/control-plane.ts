/**
 * A real Kubernetes control plane on loopback for test/cluster: etcd, kube-apiserver, kube-scheduler and
 * kube-controller-manager (built by scripts/cluster/install-cluster-tools.sh at the cluster's version, etcd at the
 * version Kubernetes requires) and kwok, which plays the kubelets of fake nodes. Everything runs in its own process
 * group under one temp dir; stop() and every exit path of the test process kill the groups and remove the dir.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Kube } from "./kube";

export const ROOT = path.resolve(__dirname, "..", "..");
const TOOLS = path.join(ROOT, ".tools", "cluster");
const BIN = path.join(TOOLS, "bin");
const INSTALL_HINT = "run scripts/cluster/install-cluster-tools.sh (npm run test:cluster does)";

function bin(name: string): string {
  const file = path.join(BIN, name);
  if (!fs.existsSync(file)) throw new Error(`${name} not found: ${INSTALL_HINT}`);
  return file;
}

/** A free loopback port (other engineers' suites may run on the same machine). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ControlPlane {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-cluster-"));
  readonly kubeconfig = path.join(this.dir, "kubeconfig");
  private readonly processes: { name: string; child: ChildProcess }[] = [];
  private readonly token = "platform-cluster-test-admin";
  private readonly onExit = () => this.killAll();
  kube!: Kube;

  constructor() {
    process.on("exit", this.onExit);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
      process.once(signal, () => {
        this.killAll();
        process.exit(130);
      });
  }

  /** Starts every component and resolves when the API serves and kwok has a node Ready. */
  async start(): Promise<Kube> {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    this.launch("etcd", bin("etcd"), [
      "--name=test",
      `--data-dir=${path.join(this.dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
      // A test store: no fsync per write keeps the 2-core CI machine responsive.
      "--unsafe-no-fsync",
    ]);

    // One RSA key signs and verifies service-account tokens; a static token is the admin (system:masters).
    const saKey = path.join(this.dir, "sa.key");
    execFileSync("openssl", ["genrsa", "-out", saKey, "2048"], { stdio: "ignore" });
    const tokens = path.join(this.dir, "tokens.csv");
    fs.writeFileSync(tokens, `${this.token},admin,admin,"system:masters"\n`);
    this.launch("kube-apiserver", bin("kube-apiserver"), [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${path.join(this.dir, "certs")}`,
      `--token-auth-file=${tokens}`,
      "--authorization-mode=RBAC",
      `--service-account-key-file=${saKey}`,
      `--service-account-signing-key-file=${saKey}`,
      "--service-account-issuer=https://kubernetes.default.svc",
      "--service-cluster-ip-range=10.96.0.0/16",
      "--enable-priority-and-fairness=false",
      "--profiling=false",
    ]);
    const server = `https://127.0.0.1:${apiPort}`;
    fs.writeFileSync(
      this.kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        // The apiserver's self-signed serving cert, on loopback only.
        `- {name: test, cluster: {server: "${server}", insecure-skip-tls-verify: true}}`,
        `users: [{name: admin, user: {token: ${this.token}}}]`,
        "contexts: [{name: test, context: {cluster: test, user: admin}}]",
        "current-context: test",
        "",
      ].join("\n"),
    );
    this.kube = new Kube(server, this.token);
    await this.waitFor(
      "kube-apiserver /readyz",
      90_000,
      async () => (await this.kube.raw("GET", "/readyz")).status === 200,
    );

    const common = [`--kubeconfig=${this.kubeconfig}`, "--secure-port=0", "--leader-elect=false"];
    this.launch("kube-scheduler", bin("kube-scheduler"), common);
    this.launch("kube-controller-manager", bin("kube-controller-manager"), [
      ...common,
      `--service-account-private-key-file=${saKey}`,
      // Token controller needs a root CA bundle; nothing here mounts service-account tokens.
      "--controllers=*,-serviceaccount-token",
      // kwok's status heartbeat comes every 20–45s; on a loaded 2-core machine that can miss the 50s default.
      "--node-monitor-grace-period=2m",
    ]);
    const stages = path.join(TOOLS, "kwok-stages");
    this.launch("kwok", bin("kwok"), [
      `--kubeconfig=${this.kubeconfig}`,
      // Every node of this cluster is fake.
      "--manage-all-nodes=true",
      // Heartbeats by node status (the heartbeat stage), not leases: one writer per node is enough here.
      "--node-lease-duration-seconds=0",
      "--server-address=",
      `--config=${fs
        .readdirSync(stages)
        .map((f) => path.join(stages, f))
        .join(",")}`,
    ]);
    // The default ServiceAccount and the namespace controller come from the controller-manager: wait for it.
    await this.waitFor("controller-manager (default ServiceAccount)", 90_000, async () => {
      const r = await this.kube.raw("GET", "/api/v1/namespaces/default/serviceaccounts/default");
      return r.status === 200;
    });
    return this.kube;
  }

  private launch(name: string, file: string, args: string[]): void {
    const log = fs.openSync(path.join(this.dir, `${name}.log`), "a");
    // detached: its own process group, so stop() can kill it with everything it started.
    const child = spawn(file, args, {
      detached: true,
      stdio: ["ignore", log, log],
    });
    fs.closeSync(log);
    child.once("exit", (code, signal) => {
      if (!this.stopping)
        process.stderr.write(`cluster: ${name} exited (${code ?? signal}); log: ${this.logTail(name)}\n`);
    });
    this.processes.push({ name, child });
  }

  logTail(name: string, lines = 20): string {
    const file = path.join(this.dir, `${name}.log`);
    if (!fs.existsSync(file)) return "(no log)";
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  }

  async waitFor(what: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dead = this.processes.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
      if (dead) throw new Error(`${dead.name} exited while waiting for ${what}:\n${this.logTail(dead.name)}`);
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
      await sleep(500);
    }
  }

  private stopping = false;

  /** SIGTERM to every process group, then SIGKILL, then removes the temp dir. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const { child } of [...this.processes].reverse()) signalGroup(child, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (this.processes.some((p) => p.child.exitCode === null && p.child.signalCode === null)) {
      if (Date.now() > deadline) break;
      await sleep(200);
    }
    this.killAll();
    process.off("exit", this.onExit);
  }

  private killAll(): void {
    this.stopping = true;
    for (const { child } of this.processes) signalGroup(child, "SIGKILL");
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
