/**
 * The entry of a stress worker thread (`./parallel.ts`): for each task it is sent, runs the task's range of paths and
 * posts their per-path arrays (transferred, not copied), with progress on the way.
 */
import { parentPort } from "node:worker_threads";

import { runPaths } from "./engine.js";
import type { WorkerMessage, WorkerTask } from "./parallel.js";
import { prepareStress } from "./setup.js";

const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) =>
  parentPort?.postMessage(m, transfer);

parentPort?.on("message", ({ id, task }: { id: number; task: WorkerTask }) => {
  try {
    const setup = prepareStress(task.deal, task.scenario);
    const block = runPaths(setup, task.seed, task.from, task.count, (done) => post({ id, done }));
    const transfer = Object.values(block)
      .filter((v): v is Float64Array => typeof v === "object" && v !== null && "buffer" in v)
      .map((v) => v.buffer as ArrayBuffer);
    post({ id, block }, transfer);
  } catch (e) {
    post({ id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
