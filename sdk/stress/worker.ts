/**
 * The entry of a stress worker thread (`./parallel.ts`): runs its range of paths and posts its per-path arrays
 * (transferred, not copied), with progress on the way.
 */
import { parentPort, workerData } from "node:worker_threads";

import { runPaths } from "./engine.js";
import type { WorkerMessage, WorkerTask } from "./parallel.js";
import { prepareStress } from "./setup.js";

const task = workerData as WorkerTask;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) =>
  parentPort?.postMessage(m, transfer);
try {
  const setup = prepareStress(task.deal, task.scenario);
  const block = runPaths(setup, task.seed, task.from, task.count, (done) => post({ done }));
  const transfer = Object.values(block)
    .filter((v): v is Float64Array => typeof v === "object" && v !== null && "buffer" in v)
    .map((v) => v.buffer as ArrayBuffer);
  post({ block }, transfer);
} catch (e) {
  post({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
