// The `cascade` command as one JavaScript file: esbuild bundles cli/main.ts, the SDK and their packages into
// dist/cli/cascade.mjs, and lists the project files it read with their modification times in dist/cli/inputs.json.
// cli/cascade.js runs the bundle while every input keeps its time (and none changed during the build), and calls
// `bundle()` otherwise.
import { statSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const OUT_DIR = join(ROOT, "dist/cli");
export const BUNDLE = join(OUT_DIR, "cascade.mjs");
export const INPUTS = join(OUT_DIR, "inputs.json");

/**
 * Loaded where used, not bundled: ethers (only to decrypt a `--keystore` file), and the build tools themselves.
 */
const EXTERNAL = ["ethers", "esbuild", "tsx", "hardhat", "@nomicfoundation/*"];

/** Files whose change also calls for a new bundle besides the sources esbuild reads. */
const ALSO = ["package.json", "cli/bundle.js", "node_modules/.package-lock.json"];

/**
 * `import.meta.url` of each project source as the source's own URL, resolved against the bundle's at run time:
 * paths relative to a source file (artifacts, the repository root) stay right inside the bundle.
 */
const sourceUrls = {
  name: "source-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes("/node_modules/")) return undefined;
      const text = await readFile(args.path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const fromBundle = relative(OUT_DIR, args.path).split("\\").join("/");
      const expression = `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`;
      return { contents: text.replaceAll("import.meta.url", expression), loader: "ts" };
    });
  },
};

/** Builds the bundle; resolves with the milliseconds it took. Throws when esbuild is missing or the build fails. */
export async function bundle() {
  const started = Date.now();
  const { build } = await import("esbuild");
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, "cli/main.ts")],
    outfile: BUNDLE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: EXTERNAL,
    // Packages written as CommonJS call `require` for Node's built-in modules.
    banner: {
      js: 'import { createRequire as __cascadeRequire } from "node:module"; const require = __cascadeRequire(import.meta.url);',
    },
    plugins: [sourceUrls],
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const files = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes("node_modules/") && !f.startsWith("<"))
    .concat(ALSO)
    .sort();
  // Each file's modification time (null: absent), read after the build; one changed while esbuild read it has a
  // time between `started` and `finished`, and calls for the next build.
  const inputs = Object.fromEntries(
    files.map((f) => [f, statSync(join(ROOT, f), { throwIfNoEntry: false })?.mtimeMs ?? null]),
  );
  const finished = Date.now();
  await mkdir(OUT_DIR, { recursive: true });
  // Written next to the target and renamed over it: a `cascade` started meanwhile reads the old or the new file whole.
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  await writeFile(tmp, result.outputFiles[0].contents);
  await rename(tmp, BUNDLE);
  const inputsTmp = `${INPUTS}.${process.pid}.tmp`;
  await writeFile(inputsTmp, `${JSON.stringify({ started, finished, inputs }, null, 1)}\n`);
  await rename(inputsTmp, INPUTS);
  return Date.now() - started;
}

// `node cli/bundle.js` builds it once (e.g. after installing, to take the first build off the first command).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const ms = await bundle();
  process.stdout.write(`${relative(process.cwd(), BUNDLE)} (${ms} ms)\n`);
}
