import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, ENVIRONMENTS, resolveSettings } from "../config";
import { mergeLikeCli, readProjectConfig } from "../config/files";

const FILES = ["Pulumi.yaml", ...ENVIRONMENTS.map((s) => `Pulumi.${s}.yaml`)];

/** Reading the real project and stack files after an operator's edit, in a temporary copy. */
describe("stack files as operators edit them", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "files-test-"));
    for (const f of FILES) fs.copyFileSync(f, path.join(dir, f));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const edit = (file: string, change: (text: string) => string) =>
    fs.writeFileSync(path.join(dir, file), change(fs.readFileSync(path.join(dir, file), "utf8")));
  const errorOf = (stack: string): string => {
    try {
      const merged = mergeLikeCli(stack, dir);
      const raw: Record<string, string> = {};
      for (const [k, e] of Object.entries(merged))
        raw[k] = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
      resolveSettings(stack, raw, readProjectConfig(dir));
    } catch (e) {
      return e instanceof ConfigError ? e.problems.join("\n") : (e as Error).message;
    }
    return assert.fail(`expected ${stack}'s files to be rejected`);
  };

  it("points an unclosed quote at its own line, without a dangling colon", () => {
    const lines = fs.readFileSync(path.join(dir, "Pulumi.beta.yaml"), "utf8").split("\n");
    const at = lines.findIndex((l) => /^\s+cidr: /.test(l));
    lines[at] = lines[at].replace("cidr: ", 'cidr: "');
    fs.writeFileSync(path.join(dir, "Pulumi.beta.yaml"), lines.join("\n"));
    const message = errorOf("beta");
    assert.match(
      message,
      new RegExp(`^Pulumi\\.beta\\.yaml: not valid YAML at line ${at + 1}, column \\d+: `),
    );
    assert.match(message, /missing closing " quote$/);
  });

  it('says to quote a version YAML reads as a different number ("1.30" is 1.3)', () => {
    edit("Pulumi.uat.yaml", (t) =>
      t.replace("platform:cluster:\n", "platform:cluster:\n    version: 1.30\n"),
    );
    assert.match(
      errorOf("uat"),
      /^Pulumi\.uat\.yaml: 1\.30 at line \d+, column \d+ is read by YAML as the number 1\.3; quote it: "1\.30"$/,
    );
  });

  it("refuses a misspelt top-level key instead of planning on defaults", () => {
    edit("Pulumi.beta.yaml", (t) => t.replace(/^config:/m, "confg:"));
    assert.match(errorOf("beta"), /^Pulumi\.beta\.yaml: confg: unknown top-level key; allowed: config, /);
  });

  for (const [what, text] of [
    ["an empty stack file", ""],
    ["a stack file with only config:", "config:\n"],
    ["a stack file with only comments", "# beta\n"],
  ]) {
    it(`refuses ${what}`, () => {
      fs.writeFileSync(path.join(dir, "Pulumi.beta.yaml"), text);
      assert.match(errorOf("beta"), /^Pulumi\.beta\.yaml: sets no config/);
    });
  }

  it("requires each stack to set its own service URL (no project default fits every environment)", () => {
    edit("Pulumi.beta.yaml", (t) => t.replace(/^ {4}appUrl: .*\n/m, ""));
    assert.match(errorOf("beta"), /^Pulumi\.beta\.yaml: platform:service\.appUrl: /m);
  });

  it("blames a typo in Pulumi.yaml on Pulumi.yaml", () => {
    edit("Pulumi.yaml", (t) => t.replace(/(\n {2}service:\n(?: {4}.*\n)*? {4})default:/, "$1defualt:"));
    assert.match(
      errorOf("alpha"),
      /^Pulumi\.yaml: config\.service\.defualt: unknown key; allowed keys: type, /,
    );
  });
});
