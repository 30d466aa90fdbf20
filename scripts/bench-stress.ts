/**
 * Speed of the stress engine's Monte Carlo: 10,000 paths × 60 periods of a 4-tranche deal with 8 triggers
 * (`examples/stress/bench-60.json`: three notes and an equity class), on worker threads and on one thread. Prints
 * the wall time of each (median of `--runs`, after one untimed run) and paths·periods per second, and checks that
 * every worker count gives the same report as one thread (same seed, same numbers). Worker threads are timed two
 * ways: started for each run (`monteCarloParallel` as `cascade stress` calls it; the worker bundle is built once per
 * process, in the untimed run) and kept in a pool between runs (`StressPool`: their compiled code stays warm, as in
 * a service). Each time covers the whole call: workers, paths, aggregation into the report. The target: at most
 * 1.5 s wall on 2 cores with worker threads.
 *
 *   npm run bench:stress
 *   npm run bench:stress -- --paths 10000 --workers 2 --runs 5 --json
 */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";

import {
  DEFAULT_SCENARIO,
  monteCarlo,
  prepareStress,
  stressDealFromTermSheet,
} from "../sdk/stress/index.js";
import { monteCarloParallel, StressPool } from "../sdk/stress/parallel.js";

const { values } = parseArgs({
  options: {
    paths: { type: "string", default: "10000" },
    workers: { type: "string", default: String(Math.max(2, availableParallelism())) },
    runs: { type: "string", default: "3" },
    seed: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
  },
});
const paths = Number(values.paths);
const workers = Number(values.workers);
const runs = Number(values.runs);
const seed = Number(values.seed);
const TARGET_SECONDS = 1.5;

const deal = stressDealFromTermSheet(
  JSON.parse(readFileSync(new URL("../examples/stress/bench-60.json", import.meta.url), "utf8")),
);
const setup = prepareStress(deal, DEFAULT_SCENARIO);
const periods = setup.periods;

async function time<T>(f: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { seconds: (performance.now() - t0) / 1000, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const parallel: number[] = [];
const pooled: number[] = [];
const single: number[] = [];
const pool = new StressPool(workers);
// One untimed run of each first: the worker bundle is built and this thread's JIT warmed.
const reference = await monteCarloParallel(deal, DEFAULT_SCENARIO, { paths, seed, workers });
await monteCarloParallel(deal, DEFAULT_SCENARIO, { paths, seed, pool });
monteCarlo(setup, { paths: Math.min(paths, 1000), seed });
for (let r = 0; r < runs; r++) {
  parallel.push(
    (await time(() => monteCarloParallel(deal, DEFAULT_SCENARIO, { paths, seed, workers })))
      .seconds,
  );
  pooled.push(
    (await time(() => monteCarloParallel(deal, DEFAULT_SCENARIO, { paths, seed, pool }))).seconds,
  );
  single.push(
    (await time(() => monteCarlo(prepareStress(deal, DEFAULT_SCENARIO), { paths, seed }))).seconds,
  );
}
// Same seed, same numbers: one thread, the pool, and three other worker counts.
const same = [
  JSON.stringify(monteCarlo(setup, { paths, seed })),
  JSON.stringify(await monteCarloParallel(deal, DEFAULT_SCENARIO, { paths, seed, pool })),
];
const counts = [...new Set([2, 3, workers + 1, workers + 2])].filter((w) => w >= 2).slice(0, 3);
for (const w of counts)
  same.push(
    JSON.stringify(await monteCarloParallel(deal, DEFAULT_SCENARIO, { paths, seed, workers: w })),
  );
await pool.close();
const reproducible = same.every((x) => x === JSON.stringify(reference));

const wall = median(parallel);
const warm = median(pooled);
const one = median(single);
const result = {
  deal: deal.name,
  paths,
  periods,
  tranches: deal.terms.tranches.length,
  triggers: deal.terms.risk.triggers.length,
  workers,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
  loadAverage: loadavg()[0],
  wallSeconds: wall,
  pathPeriodsPerSecond: (paths * periods) / wall,
  pooledWallSeconds: warm,
  pooledPathPeriodsPerSecond: (paths * periods) / warm,
  singleThreadSeconds: one,
  singleThreadPathPeriodsPerSecond: (paths * periods) / one,
  targetSeconds: TARGET_SECONDS,
  meetsTarget: wall <= TARGET_SECONDS,
  pooledMeetsTarget: warm <= TARGET_SECONDS,
  reproducible,
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  const f = (x: number) => Math.round(x).toLocaleString("en-US");
  const met = (ok: boolean) => `target ≤ ${TARGET_SECONDS} s: ${ok ? "met" : "MISSED"}`;
  console.log(
    `${result.deal}: ${f(paths)} paths × ${periods} periods, ${result.tranches} tranches, ${result.triggers} triggers`,
  );
  console.log(
    `  ${workers} worker threads, started per run  ${wall.toFixed(3)} s wall  ${f(result.pathPeriodsPerSecond)} path·periods/s  (${met(result.meetsTarget)})`,
  );
  console.log(
    `  ${workers} worker threads, pooled         ${warm.toFixed(3)} s wall  ${f(result.pooledPathPeriodsPerSecond)} path·periods/s  (${met(result.pooledMeetsTarget)})`,
  );
  console.log(
    `  one thread                        ${one.toFixed(3)} s wall  ${f(result.singleThreadPathPeriodsPerSecond)} path·periods/s`,
  );
  console.log(
    `  same seed, same report on one thread, the pool and ${counts.join(", ")} workers: ${reproducible ? "yes" : "NO"}`,
  );
  console.log(
    `  ${result.cpus}, load average ${result.loadAverage.toFixed(2)}; median of ${runs} runs`,
  );
}
if (!reproducible) process.exitCode = 1;
