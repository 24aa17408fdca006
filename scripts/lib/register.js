// Loads the program's TypeScript for `pulumi preview`/`up` (through entry.js, Pulumi.yaml `main`), the offline plan
// and every evaluation in the tests. Transpile-only: CI type-checks with tsconfig.json (npm run typecheck). swc emits
// what ts-node's swc mode derives from tsconfig.json (ts-node/dist/transpilers/swc.js createSwcOptions;
// test/cli-loader.test.ts compares the output file by file). Stack frames in project files are mapped back to their
// TypeScript lines here, because Pulumi records each resource's source position from `new Error().stack`
// (@pulumi/pulumi resource.js Resource.callsites); source-map-support, as ts-node installs it, made a whole
// evaluation about 60% slower.
"use strict";
const fs = require("node:fs");
const swc = require("@swc/core");
const { TraceMap, originalPositionFor } = require("@jridgewell/trace-mapping");
const SWC_OPTIONS = require("./swc-options");

/** Source map per transpiled file: the JSON text until a stack frame in that file needs it decoded. */
const maps = new Map();

require.extensions[".ts"] = (module, filename) => {
  const { code, map } = swc.transformSync(fs.readFileSync(filename, "utf8"), { ...SWC_OPTIONS, filename });
  maps.set(filename, map);
  module._compile(code, filename);
};

function tracer(file) {
  let map = maps.get(file);
  if (typeof map === "string") maps.set(file, (map = new TraceMap(map)));
  return map;
}

const POSITION = /:(\d+):(\d+)(\)?)$/;

/** The stack's first line as Node writes it: its own errors name their code (lib/internal/errors.js). */
function header(error) {
  try {
    for (let o = error; o; o = Object.getPrototypeOf(o))
      if (Object.getOwnPropertySymbols(o).some((s) => s.description === "kIsNodeError"))
        return `${error.name} [${error.code}]: ${error.message}`;
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}

// V8's own frame text (CallSite#toString), with the line and column of a project file taken from its source map.
Error.prepareStackTrace = (error, sites) => {
  let stack = header(error);
  for (const site of sites) {
    let frame = site.toString();
    const map = tracer(site.getFileName());
    if (map && site.getLineNumber() !== null) {
      const { line, column } = originalPositionFor(map, {
        line: site.getLineNumber(),
        column: site.getColumnNumber() - 1,
      });
      if (line !== null) frame = frame.replace(POSITION, `:${line}:${column + 1}$3`);
    }
    stack += `\n    at ${frame}`;
  }
  return stack;
};
