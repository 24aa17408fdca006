// Loads the program's TypeScript for the offline evaluator: transpile-only (tsc --noEmit type-checks separately),
// cached on disk by content, so a repeated evaluation loads no compiler at all. ts-node, by contrast, loads the
// TypeScript compiler and source-map support on every start, which doubles an evaluation's time.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const cacheDir = path.join(__dirname, "..", "..", "node_modules", ".cache", "platform-ts");
let ts;

require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  // Keyed by content, not path: the copies of the project that tests and `plan --diff` evaluate share the cache.
  const fileName = path.basename(filename);
  const key = crypto.createHash("sha1").update(fileName).update("\0").update(source).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  let code;
  try {
    code = fs.readFileSync(cached, "utf8");
  } catch {
    ts ??= require("typescript");
    code = ts.transpileModule(source, {
      fileName,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        inlineSourceMap: true,
      },
    }).outputText;
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(`${cached}.${process.pid}`, code);
    fs.renameSync(`${cached}.${process.pid}`, cached);
  }
  module._compile(code, filename);
};
