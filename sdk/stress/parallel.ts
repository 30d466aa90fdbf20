/**
 * Node only: a Monte Carlo run split over worker threads (`node:worker_threads`). Each worker runs a contiguous
 * range of paths with the same per-path seeds as one thread would, hands back its flat per-path arrays, and the
 * report is aggregated in path order — the same figures for any number of workers. The worker entry is TypeScript
 * (`./worker.ts`): esbuild (a development dependency, as for the `cascade` bundle) bundles it once per process into one
 * script a worker evaluates in milliseconds; without esbuild the workers load it through tsx, which takes about a
 * second to start each.
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import {
  aggregate,
  joinBlocks,
  runPaths,
  type MonteCarloOptions,
  type StressReport,
} from "./engine.js";
import type { Scenario } from "./scenario.js";
import { prepareStress, type StressDeal } from "./setup.js";
import type { PathBlock } from "./summary.js";

export interface ParallelOptions extends MonteCarloOptions {
  /** Worker threads (default: the machine's available parallelism); 0 or 1 runs on this thread. */
  workers?: number;
  /** Called as paths complete: paths done so far and in all. */
  onProgress?: (done: number, total: number) => void;
}

/** What a worker is given. */
export interface WorkerTask {
  deal: StressDeal;
  scenario: Scenario;
  seed: number;
  from: number;
  count: number;
}

/** What a worker posts: progress, then its block. */
export type WorkerMessage = { done: number } | { block: PathBlock } | { error: string };

const WORKER_URL = new URL("./worker.ts", import.meta.url);

/** How a worker is started: a bundled script to evaluate, or the TypeScript entry with tsx loaded. */
type WorkerSource = { code: string } | { url: URL; execArgv: string[] };

let source: Promise<WorkerSource> | undefined;

/** The worker's code, bundled once per process by esbuild; the TypeScript entry through tsx when esbuild is missing. */
function workerSource(): Promise<WorkerSource> {
  source ??= (async () => {
    try {
      const { build } = await import("esbuild");
      const r = await build({
        entryPoints: [fileURLToPath(WORKER_URL)],
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        write: false,
        logLevel: "silent",
      });
      return { code: r.outputFiles[0].text };
    } catch {
      const argv = process.execArgv;
      const execArgv = argv.some((a) => a.includes("tsx"))
        ? argv
        : [...argv, "--import", import.meta.resolve("tsx")];
      return { url: WORKER_URL, execArgv };
    }
  })();
  return source;
}

/** Runs `paths` split into `workers` ranges, each on a worker thread, and aggregates them in path order. */
export async function monteCarloParallel(
  deal: StressDeal,
  scenario: Scenario,
  options: ParallelOptions = {},
): Promise<StressReport> {
  const paths = options.paths ?? 10_000;
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(paths) || paths < 1)
    throw new RangeError(`paths: ${paths} (a positive integer)`);
  const setup = prepareStress(deal, scenario);
  const workers = Math.min(options.workers ?? availableParallelism(), paths);
  if (workers <= 1) {
    const block = runPaths(setup, seed, 0, paths, (d) => options.onProgress?.(d, paths));
    return aggregate(setup, block, seed);
  }
  const done = new Array<number>(workers).fill(0);
  const src = await workerSource();
  const blocks = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const from = Math.floor((paths * w) / workers);
      const to = Math.floor((paths * (w + 1)) / workers);
      const task: WorkerTask = { deal, scenario, seed, from, count: to - from };
      return new Promise<PathBlock>((resolve, reject) => {
        const worker =
          "code" in src
            ? new Worker(src.code, { eval: true, workerData: task, execArgv: [] })
            : new Worker(src.url, { workerData: task, execArgv: src.execArgv });
        worker.on("message", (m: WorkerMessage) => {
          if ("done" in m) {
            done[w] = m.done;
            options.onProgress?.(
              done.reduce((a, b) => a + b, 0),
              paths,
            );
          } else if ("block" in m) resolve(m.block);
          else reject(new Error(m.error));
        });
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (code !== 0) reject(new Error(`stress worker ${w} exited with code ${code}`));
        });
      });
    }),
  );
  return aggregate(setup, joinBlocks(setup, blocks), seed);
}
