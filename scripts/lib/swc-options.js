// swc's options for the program (scripts/lib/register.js), as ts-node's swc mode derives them from tsconfig.json:
// target ES2022, module nodenext in a CommonJS package (so CommonJS, dynamic import() kept), esModuleInterop, strict.
// A module of its own, without register.js's side effects, so test/cli-loader.test.ts can compare the output.
"use strict";
module.exports = {
  swcrc: false,
  configFile: false,
  sourceMaps: true,
  module: { type: "commonjs", noInterop: false, strictMode: true, ignoreDynamic: true },
  jsc: {
    parser: { syntax: "typescript", tsx: false, dynamicImport: true },
    target: "es2022",
    keepClassNames: true,
    transform: { useDefineForClassFields: true },
  },
};
