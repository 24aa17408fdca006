/**
 * Child-process entry: evaluates the real index.ts of one stack under Pulumi's mock runtime, entered as `pulumi up`
 * enters it, and writes an Evaluation as JSON. A separate process per stack, because Pulumi's runtime state is
 * process-global.
 * argv: <projectDir> <stack> <resultFile> <optionsJson>
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { mergeLikeCli } from "../../config/files";
import { aliasUrns, createUrn, parseUrn, type AliasRequest } from "./aliases";
import { platformMocks, type MockImages } from "./mocks";
import { synthesizeChildren } from "./remote-children";
import { SECRET, type Evaluation, type RecordedResource } from "./types";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * What the CLI's nodejs host requires (@pulumi/pulumi cmd/run/run.js): Pulumi.yaml `main`, else the directory, which
 * Node resolves through package.json `main` (a checkout from before entry.js names index.ts there).
 */
function programEntry(projectDir: string): string {
  const main = (parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { main?: string })
    .main;
  return main ? path.join(projectDir, main) : `${projectDir}/`;
}

/**
 * Project files in a module's require graph (Node records a cached module as a child of each later requirer too),
 * and those read while the program ran (scripts/lib/record-reads.js, preloaded).
 */
function sources(projectDir: string, entry: NodeJS.Module | undefined, reads: Set<string>): string[] {
  const seen = new Set<NodeJS.Module>();
  const visit = (m: NodeJS.Module) => {
    if (seen.has(m)) return;
    seen.add(m);
    m.children.forEach(visit);
  };
  if (entry) visit(entry);
  return [...new Set([...[...seen].map((m) => m.filename), ...reads])]
    .map((f) => path.relative(projectDir, f))
    .filter((f) => !f.startsWith("..") && !f.split(path.sep).includes("node_modules"))
    .sort();
}

/** Engine wire values to plain JSON; secrets stay marked so tests and the plan can see and mask them. */
function decode(v: unknown): unknown {
  if (v === UNKNOWN) return "[unknown]";
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG] === SECRET_SIG) return { [SECRET]: decode(o.value) };
    if (o[SIG] === RESOURCE_SIG) return { "[resource]": o.urn };
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}

function resourceRefs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => resourceRefs(x, out));
  else if (v !== null && typeof v === "object") {
    const ref = (v as Record<string, unknown>)["[resource]"];
    if (typeof ref === "string") out.push(ref);
    else Object.values(v).forEach((x) => resourceRefs(x, out));
  }
  return out;
}

/** Provider inputs travel JSON-encoded (e.g. defaultTags); decode them so they read like any other input. */
function providerInputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  if (!type.startsWith("pulumi:providers:")) return inputs;
  const parse = (v: unknown) => {
    if (typeof v !== "string" || !/^[[{]/.test(v)) return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  };
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, parse(v)]));
}

/** The request's aliases: structured specs (what the SDK sends a monitor that supports them) or plain URNs. */
function requestedAliases(req: any): AliasRequest[] {
  const specs: AliasRequest[] = req.getAliasesList().map((a: any) => {
    if (!a.hasSpec()) return { urn: a.getUrn() };
    const s = a.getSpec();
    const [name, type, project, stack] = [s.getName(), s.getType(), s.getProject(), s.getStack()];
    return { name, type, project, stack, parentUrn: s.getParenturn(), noParent: s.getNoparent() };
  });
  return [...specs, ...req.getAliasurnsList().map((urn: string) => ({ urn }))];
}

async function settle<T>(p: Promise<T>, ms: number): Promise<T | "[never resolved]"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"[never resolved]">(
    (r) => (timer = setTimeout(() => r("[never resolved]"), ms)),
  );
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const [projectDir, stack, resultFile, optionsJson] = process.argv.slice(2);
  const { images, decrypted, policy, previous } = JSON.parse(optionsJson) as {
    images: MockImages;
    decrypted: Record<string, string>;
    policy: boolean;
    previous?: string[];
  };
  const errors: string[] = [];
  const fail = (e: unknown) => errors.push(e instanceof Error ? e.message : String(e));
  process.on("unhandledRejection", fail);
  process.on("uncaughtException", fail);

  let config: ReturnType<typeof mergeLikeCli>;
  try {
    config = mergeLikeCli(stack, projectDir);
  } catch (e) {
    // An unreadable project or stack file: report it like invalid config, and run nothing.
    const failed: Evaluation = { stack, config: {}, resources: [], outputs: {}, error: (e as Error).message };
    fs.writeFileSync(resultFile, JSON.stringify(failed));
    process.exit(0);
  }
  const raw: Record<string, string> = {};
  for (const [k, e] of Object.entries(config))
    raw[k] =
      e.secret && k in decrypted
        ? decrypted[k]
        : typeof e.value === "string"
          ? e.value
          : JSON.stringify(e.value);
  const secretKeys = Object.keys(config).filter((k) => config[k].secret);
  const region = raw["aws:region"] ?? "us-east-1";

  // A resource renamed through an alias keeps its cloud identity (ID, ARN): the mocks build it from the old name, so
  // dependents do not show a mock-only change. Keyed by type and new name; the mock takes it as it runs.
  const identities = new Map<string, string>();
  const account = /^\d{12}$/.test(raw["platform:accountId"] ?? "") ? raw["platform:accountId"] : undefined;
  const mocks = platformMocks({ region, images, account });
  const newResource = mocks.newResource.bind(mocks);
  mocks.newResource = (args) => {
    const key = `${args.type}\0${args.name}`;
    const name = identities.get(key) ?? args.name;
    identities.delete(key);
    return newResource({ ...args, name });
  };
  await pulumi.runtime.setMocks(mocks, "platform", stack, true);
  pulumi.runtime.setAllConfig(raw, secretKeys);

  const resources: RecordedResource[] = [];
  // A parent registers before its children, so its aliases are known when theirs are computed.
  const aliasesOf = new Map<string, string[]>();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
  const register = monitor.registerResource.bind(monitor);
  const before = previous ? new Set(previous) : undefined;
  monitor.registerResource = (req: any, cb: (err: unknown, resp: any) => void) => {
    const [type, name, parent] = [req.getType(), req.getName(), req.getParent() || undefined];
    const urn = createUrn(name, type, parent, pulumi.getProject(), pulumi.getStack());
    const aliases = aliasUrns({ urn, name, type, parent }, requestedAliases(req), aliasesOf);
    const was = before && !before.has(urn) ? aliases.find((a) => before.has(a)) : undefined;
    if (was) identities.set(`${type}\0${name}`, parseUrn(was).name);
    return register(req, (err: unknown, resp: any) => {
      if (!err) {
        const deps = new Set<string>(req.getDependenciesList());
        req
          .getPropertydependenciesMap()
          .forEach((v: any) => v.getUrnsList().forEach((u: string) => deps.add(u)));
        const inputs = providerInputs(
          req.getType(),
          decode(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        );
        // A resource passed as an input (e.g. the cluster to a node group) is a dependency too.
        resourceRefs(inputs).forEach((u) => deps.add(u));
        if (aliases.length > 0) aliasesOf.set(urn, aliases);
        const record: RecordedResource = {
          urn: resp.getUrn(),
          type,
          name,
          parent,
          custom: req.getCustom(),
          remote: req.getRemote(),
          protect: req.getProtect() === true,
          retainOnDelete: req.getRetainondelete() === true,
          provider: req.getProvider() || undefined,
          providers: Object.fromEntries(req.getProvidersMap().toArray()),
          dependsOn: [...deps].filter(Boolean),
          inputs,
          ...(aliases.length > 0 ? { aliases } : {}),
        };
        resources.push(record);
        // A remote component's real children, rebuilt and passed through its transforms (marked synthesized).
        const transforms = req
          .getTransformsList()
          .map((t: any) => monitor.transformCallbacks.get(t.getToken()));
        return void synthesizeChildren(record, transforms.filter(Boolean)).then(
          (children) => {
            resources.push(...children);
            cb(err, resp);
          },
          (e) => cb(e, resp),
        );
      }
      cb(err, resp);
    });
  };

  const result: Evaluation = { stack, config: {}, resources, outputs: {} };
  for (const [k, e] of Object.entries(config))
    result.config[k] = { value: e.secret ? SECRET : e.value, secret: e.secret };
  try {
    // The checkout's own config model, so `--diff <ref>` shows the settings as that ref understood them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const model = require(path.join(projectDir, "config"));
    const {
      stack: _s,
      environment: _e,
      isProd: _p,
      region: _r,
      project: _j,
      secretKeys: secretPlatformKeys = [],
      warnings,
      ...platform
    } = model.resolveSettings(stack, raw, undefined, new Set(secretKeys));
    for (const k of secretPlatformKeys as string[]) platform[k] = { [SECRET]: SECRET };
    result.effective = platform;
    result.warnings = warnings;
  } catch {
    // Invalid config: the program below reports it.
  }
  try {
    const entry = require.resolve(programEntry(projectDir));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const reads = require("./record-reads") as { recording: boolean; reads: Set<string> };
    reads.recording = true;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(entry);
    for (const [name, value] of Object.entries(program as Record<string, unknown>)) {
      if (pulumi.Output.isInstance(value)) {
        const out = value as any;
        const resolved = await settle<unknown>(out.promise(), 15000);
        result.outputs[name] = {
          value: resolved,
          secret: (await settle<boolean>(out.isSecret, 15000)) === true,
        };
      } else if (name !== "default" && name !== "__esModule") {
        result.outputs[name] = { value: await value, secret: false };
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await settle(require("@pulumi/pulumi/runtime/settings").waitForRPCs(), 15000);
    reads.recording = false;
    result.sources = sources(projectDir, require.cache[entry], reads.reads);
  } catch (e) {
    fail(e);
  }
  if (errors.length > 0) result.error = [...new Set(errors)].join("\n");
  else if (policy) {
    // The checkout's own pack, through the entry point its tests use; a checkout from before the pack has none.
    const entry = path.join(projectDir, "policy", "evaluate.ts");
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      result.violations = fs.existsSync(entry) ? require(entry).checkStack(resources, stack) : [];
    } catch (e) {
      result.error = `the policy pack failed: ${e instanceof Error ? e.message : e}`;
    }
  }
  fs.writeFileSync(resultFile, JSON.stringify(result));
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
