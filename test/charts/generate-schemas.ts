/**
 * Builds kubeconform's offline JSON schemas from pinned upstream sources that the Go module proxy serves
 * (see scripts/install-chart-tools.sh):
 *  - built-in kinds from the Kubernetes OpenAPI v2 spec (k8s.io/kubernetes api/openapi-spec/swagger.json);
 *  - custom resources from CRD manifests (openAPIV3Schema of each served version).
 * Output layout matches the kubeconform location template `{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`
 * (core kinds sit under `v1/`). Schemas are "strict": objects with declared properties reject unknown fields,
 * like kubeconform's own -strict schemas, so a misspelt field fails instead of being ignored.
 *
 * Usage: generate-schemas.ts <swagger.json> <crd-dir> <out-dir>
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";

type Schema = { [key: string]: any };

const REF_PREFIX = "#/definitions/";
// Resource quantities are strings in the spec, but YAML writes `cpu: 1` as a number; the API server accepts both.
const NUMBER_OR_STRING = ["io.k8s.apimachinery.pkg.api.resource.Quantity"];

/** Deep copy that applies the strictness and int-or-string rules to every sub-schema. */
function tighten(node: any): any {
  if (Array.isArray(node)) return node.map(tighten);
  if (node === null || typeof node !== "object") return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    // Keys under "properties" are field names, not keywords: copy them one level down untouched.
    out[key] =
      key === "properties" || key === "definitions"
        ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, tighten(v)]))
        : tighten(value);
  }
  if (out.format === "int-or-string" || out["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    delete out.format;
    out.anyOf ??= [{ type: "integer" }, { type: "string" }];
  }
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out["x-kubernetes-preserve-unknown-fields"]
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function refsOf(node: any, found: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => refsOf(n, found));
  else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith(REF_PREFIX)) {
        found.add(value.slice(REF_PREFIX.length));
      } else refsOf(value, found);
    }
  }
}

/** Every definition reachable from `root`, so each output file is self-contained. */
function closure(root: string, definitions: Record<string, Schema>): string[] {
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    if (!definitions[name]) throw new Error(`missing definition ${name}`);
    seen.add(name);
    const refs = new Set<string>();
    refsOf(definitions[name], refs);
    queue.push(...refs);
  }
  return [...seen].sort();
}

function write(outDir: string, group: string, version: string, kind: string, schema: Schema): void {
  const file = path.join(outDir, group || version, `${kind.toLowerCase()}_${version}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify({
      $schema: "http://json-schema.org/draft-07/schema#",
      ...schema,
    }),
  );
}

export function fromOpenApi(swaggerFile: string, outDir: string): number {
  const spec = JSON.parse(fs.readFileSync(swaggerFile, "utf8"));
  const definitions: Record<string, Schema> = { ...spec.definitions };
  for (const name of NUMBER_OR_STRING) {
    const { type: _string, ...rest } = definitions[name];
    definitions[name] = {
      ...rest,
      anyOf: [{ type: "string" }, { type: "number" }],
    };
  }
  let count = 0;
  for (const [name, def] of Object.entries(definitions)) {
    const gvks: { group: string; version: string; kind: string }[] =
      def["x-kubernetes-group-version-kind"] ?? [];
    // Only real objects: lists and shared option types (DeleteOptions, WatchEvent, …) carry several GVKs.
    if (gvks.length !== 1 || gvks[0].kind.endsWith("List")) continue;
    const { group, version, kind } = gvks[0];
    const deps = closure(name, definitions).filter((d) => d !== name);
    const schema = tighten(JSON.parse(JSON.stringify(def)));
    if (deps.length > 0)
      schema.definitions = Object.fromEntries(deps.map((d) => [d, tighten(definitions[d])]));
    write(outDir, group, version, kind, schema);
    count++;
  }
  return count;
}

export function fromCrds(crdDir: string, outDir: string): number {
  let count = 0;
  for (const file of fs.readdirSync(crdDir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(crdDir, file), "utf8"))) {
      const crd = doc.toJS();
      if (crd?.kind !== "CustomResourceDefinition") continue;
      for (const v of crd.spec.versions ?? []) {
        const schema = v.schema?.openAPIV3Schema;
        if (!v.served || !schema) continue;
        write(outDir, crd.spec.group, v.name, crd.spec.names.kind, tighten(schema));
        count++;
      }
    }
  }
  return count;
}

if (require.main === module) {
  const [swagger, crdDir, outDir] = process.argv.slice(2);
  if (!swagger || !crdDir || !outDir) {
    console.error("usage: generate-schemas.ts <swagger.json> <crd-dir> <out-dir>");
    process.exit(2);
  }
  const kinds = fromOpenApi(swagger, path.join(outDir, "kubernetes"));
  const crds = fromCrds(crdDir, path.join(outDir, "crds"));
  console.log(`generate-schemas: ${kinds} Kubernetes kinds, ${crds} CRD versions -> ${outDir}`);
}
