// Preloaded by the evaluation worker (`node -r`), before any module takes its own reference to fs.readFileSync, so
// that the files a program reads (stack files, promoted-images.txt, the chart) join the files it requires in
// Evaluation.sources: a change to any of them must start a deploy (test/deploy-triggers.test.ts).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const recorder = { recording: false, reads: new Set() };
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (recorder.recording && (typeof file === "string" || file instanceof URL))
    recorder.reads.add(path.resolve(file instanceof URL ? file.pathname : file));
  return readFileSync.call(this, file, ...rest);
};

module.exports = recorder;
