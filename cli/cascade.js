#!/usr/bin/env node
// The `cascade` command (package.json "bin"). It runs dist/cli/cascade.mjs, one JavaScript file that esbuild bundles
// from the TypeScript of cli/ and sdk/ (cli/bundle.js), rebuilt here first whenever one of its sources is newer than
// the bundle; if building fails it runs cli/main.ts through tsx instead. Needs Node 22, which `npx cascade` /
// `npm run cascade` inside the project provide (the node@22 dev dependency).
import { readFileSync, statSync } from "node:fs";
import module from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUNDLE = join(ROOT, "dist/cli/cascade.mjs");
const INPUTS = join(ROOT, "dist/cli/inputs.json");

/** Whether the bundle exists and every file it was built from is as it was then (by modification time). */
function fresh() {
  try {
    const { started, finished, inputs } = JSON.parse(readFileSync(INPUTS, "utf8"));
    if (statSync(BUNDLE).size === 0) return false;
    for (const [f, mtimeMs] of Object.entries(inputs)) {
      const now = statSync(join(ROOT, f), { throwIfNoEntry: false })?.mtimeMs ?? null;
      if (now !== mtimeMs || (now !== null && now >= started && now <= finished)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

// V8's compiled code for the bundle is kept between runs (Node 22.1+), in dist/ beside it.
module.enableCompileCache?.(join(ROOT, "dist/compile-cache"));

let built = fresh();
if (!built) {
  try {
    await (await import("./bundle.js")).bundle();
    built = true;
  } catch {
    // No esbuild, a read-only checkout, or a source esbuild cannot parse: tsx runs (and reports) the sources.
  }
}
if (built) {
  await import(pathToFileURL(BUNDLE).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./main.ts");
}
