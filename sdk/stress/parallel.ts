/**
 * Node only: a Monte Carlo run split over worker threads (`node:worker_threads`). Each worker runs a contiguous
 * range of paths with the same per-path seeds as one thread would, hands back its flat per-path arrays, and the
 * report is aggregated in path order — the same figures for any number of workers. The worker entry is TypeScript
 * (`./worker.ts`): esbuild (a development dependency, as for the `cascade` bundle) bundles it once per process into one
 * script a worker evaluates in milliseconds; without esbuild the workers load it through tsx, which takes about a
 * second to start each. A {@link StressPool} keeps its workers between runs (their compiled code stays warm), as a
 * service that runs many analyses would; `monteCarloParallel` without a pool starts and stops its own.
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
  /** Workers to run on, kept between runs (default: started for this run and stopped after it). */
  pool?: StressPool;
}

/** What a worker is given. */
export interface WorkerTask {
  deal: StressDeal;
  scenario: Scenario;
  seed: number;
  from: number;
  count: number;
}

/** What a worker posts for a task: progress, then its block (or why it failed). */
export type WorkerMessage =
  { id: number; done: number } | { id: number; block: PathBlock } | { id: number; error: string };

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

interface Pending {
  resolve: (b: PathBlock) => void;
  reject: (e: Error) => void;
  progress: (done: number) => void;
}

/** Worker threads that run ranges of paths; they stay up until {@link StressPool.close} (idle, they keep no process alive). */
export class StressPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private busy = 0;

  /** The pool's size (it starts its workers on the first run). */
  constructor(readonly size: number = availableParallelism()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`StressPool: size ${size}`);
  }

  private async start(): Promise<void> {
    if (this.workers.length === this.size) return;
    const src = await workerSource();
    while (this.workers.length < this.size) {
      const worker =
        "code" in src
          ? new Worker(src.code, { eval: true, execArgv: [] })
          : new Worker(src.url, { execArgv: src.execArgv });
      worker.on("message", (m: WorkerMessage) => {
        const p = this.pending.get(m.id);
        if (p === undefined) return;
        if ("done" in m) p.progress(m.done);
        else {
          this.pending.delete(m.id);
          if ("block" in m) p.resolve(m.block);
          else p.reject(new Error(m.error));
          this.release();
        }
      });
      const fail = (e: Error) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      };
      worker.on("error", fail);
      worker.on("exit", (code) => {
        if (code !== 0) fail(new Error(`a stress worker exited with code ${code}`));
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  private release(): void {
    this.busy--;
    if (this.busy === 0) for (const w of this.workers) w.unref();
  }

  /** Runs `task` on worker `w` (0 ≤ w < size). */
  async run(w: number, task: WorkerTask, progress: (done: number) => void): Promise<PathBlock> {
    await this.start();
    const worker = this.workers[w % this.size];
    const id = this.nextId++;
    this.busy++;
    worker.ref();
    return new Promise<PathBlock>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      worker.postMessage({ id, task });
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
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
  const workers = Math.min(options.workers ?? options.pool?.size ?? availableParallelism(), paths);
  if (workers <= 1) {
    const block = runPaths(setup, seed, 0, paths, (d) => options.onProgress?.(d, paths));
    return aggregate(setup, block, seed);
  }
  const pool = options.pool ?? new StressPool(workers);
  const done = new Array<number>(workers).fill(0);
  try {
    const blocks = await Promise.all(
      Array.from({ length: workers }, (_, w) => {
        const from = Math.floor((paths * w) / workers);
        const to = Math.floor((paths * (w + 1)) / workers);
        return pool.run(w, { deal, scenario, seed, from, count: to - from }, (d) => {
          done[w] = d;
          options.onProgress?.(
            done.reduce((a, b) => a + b, 0),
            paths,
          );
        });
      }),
    );
    return aggregate(setup, joinBlocks(setup, blocks), seed);
  } finally {
    if (options.pool === undefined) await pool.close();
  }
}
