/**
 * The published pack starts: `npm pack` it, install the tarball's declared dependencies alone into a temporary
 * directory (what the CLI does with a downloaded pack), start it exactly as the CLI does (node
 * @pulumi/pulumi/cmd/run-policy-pack <engine> <dir>, with the stack in PULUMI_NODEJS_STACK), and ask the running
 * analyzer for its policies over gRPC (GetAnalyzerInfo), as the engine does before the first analysis.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { policies } from "../policies";

const DIR = path.join(__dirname, "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

describe("policy: the published pack", function () {
  this.timeout(10 * 60 * 1000); // npm pack builds; the install comes from the npm cache where it can
  let tmp: string;
  let pack: string;
  let runner: ChildProcess | undefined;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
    const [{ filename }] = JSON.parse(
      execFileSync(NPM, ["pack", "--json", "--pack-destination", tmp], {
        cwd: DIR,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as { filename: string }[];
    execFileSync("tar", ["-xzf", path.join(tmp, filename), "-C", tmp]);
    pack = path.join(tmp, "package");
    execFileSync(
      NPM,
      [
        "install",
        "--omit=dev",
        "--no-package-lock",
        "--ignore-scripts",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
      ],
      { cwd: pack, stdio: "ignore" },
    );
  });

  after(() => {
    runner?.kill();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("ships the compiled pack and its manifest, no tests and no TypeScript sources", () => {
    const files = execFileSync(
      "find",
      [".", "-path", "./node_modules", "-prune", "-o", "-type", "f", "-print"],
      {
        cwd: pack,
        encoding: "utf8",
      },
    )
      .split("\n")
      .filter(Boolean);
    assert.ok(files.includes("./PulumiPolicy.yaml"));
    assert.ok(
      files.includes(`./${JSON.parse(fs.readFileSync(path.join(pack, "package.json"), "utf8")).main}`),
    );
    assert.deepEqual(
      files.filter((f) => /\/test\/|\.ts$/.test(f)),
      [],
    );
  });

  it("starts under the CLI's policy runner and serves every policy, mandatory in prod", async () => {
    const child = spawn(
      process.execPath,
      [path.join(pack, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."],
      { cwd: pack, env: { ...process.env, PULUMI_NODEJS_STACK: "prod" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    runner = child;
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", (d) => resolve(String(d).trim()));
      child.on("exit", (code) => reject(new Error(`the pack exited (${code}) without serving:\n${stderr}`)));
    });
    assert.match(port, /^\d+$/);

    // The pack's own installed gRPC stack, as the engine's client would reach it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const req = (m: string) => require(path.join(pack, "node_modules", m));
    const grpc = req("@grpc/grpc-js");
    const { AnalyzerClient } = req("@pulumi/pulumi/proto/analyzer_grpc_pb");
    const { Empty } = req("google-protobuf/google/protobuf/empty_pb");
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const info = await new Promise<any>((resolve, reject) =>
      client.getAnalyzerInfo(new Empty(), (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))),
    );
    client.close();
    assert.equal(info.getName(), "platform");
    const served = info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]);
    // EnforcementLevel 1 is MANDATORY (pulumi/pulumi proto/pulumi/analyzer.proto).
    assert.deepEqual(
      served,
      policies.map((p) => [p.name, 1]),
    );
  });
});
