/**
 * Child-process entry (Pulumi's runtime is process-global): runs deployments/index.ts under pulumi.runtime.setMocks
 * with the config of the real deployments/Pulumi.yaml + Pulumi.<stack>.yaml, and prints JSON to stdout:
 * { resources: [{ type, name, inputs, additionalSecretOutputs, deleteBeforeReplace }], outputs, error? }.
 * Secret inputs appear as { "[secret]": value }.
 * Usage: node -r ts-node/register/transpile-only deployments/test/evaluate.ts <stack> [<config overrides JSON>]
 * Overrides are { "<ns:key>": { "value": ..., "secret": bool } }: values a stack file holds encrypted (secure:),
 * which cannot be decrypted offline, as `pulumi config set --secret` would provide them.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../config";
import { DEPLOYMENTS_DIR, rawConfig, readConfig, type Entry } from "./stack-config";

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG] === SECRET_SIG) return { "[secret]": decode(o.value) };
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}

async function main(): Promise<void> {
  const [stack = "cloud", overridesJson = "{}"] = process.argv.slice(2);
  const { config, declaredSecret } = readConfig(stack);
  Object.assign(config, JSON.parse(overridesJson) as Record<string, Entry>);
  const raw = rawConfig(config);
  const secretKeys = Object.keys(config).filter((k) => config[k].secret || declaredSecret.includes(k));

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    PROJECT,
    stack,
    true,
  );
  pulumi.runtime.setAllConfig(raw, secretKeys);

  const resources: unknown[] = [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings");
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, cb: (err: unknown, resp: unknown) => void) => {
    resources.push({
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      inputs: decode(req.getObject()?.toJavaScript() ?? {}),
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
    });
    return register(req, cb);
  };

  const result: { stack: string; resources: unknown[]; outputs: Record<string, Entry>; error?: string } = {
    stack,
    resources,
    outputs: {},
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require(path.join(DEPLOYMENTS_DIR, "index.ts")) as Record<string, unknown>;
    for (const [name, value] of Object.entries(program)) {
      if (name === "default" || name === "__esModule") continue;
      const out = pulumi.output(value) as any;
      result.outputs[name] = { value: await out.promise(), secret: await out.isSecret };
    }
    await settings.waitForRPCs();
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
