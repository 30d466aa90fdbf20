/**
 * `cascade stress <termsheet.json | deal>`: the stress and Monte Carlo engine (`sdk/stress`, docs/stress.md) on a term
 * sheet before issuance, or on a live deal read from the chain (its balances, arrears, reserve, triggers, fleet and
 * period; the periods left are simulated). Prints tables (or `--json` / `--csv`), shows a progress bar on a terminal
 * for long runs, and writes the charts as SVG files.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

import type { Command } from "commander";

import type { CascadeClient } from "../../sdk/index.js";
import {
  DEFAULT_SCENARIO,
  parseScenario,
  stressDealFromTermSheet,
  type StressDeal,
} from "../../sdk/stress/index.js";
import { parseInteger, toJson, UsageError } from "../lib/args.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import { print } from "../lib/output.js";
import {
  analyzeStress,
  stemOf,
  stressCsv,
  stressTables,
  writeStressCharts,
} from "../lib/stress.js";

interface StressOptions {
  paths: string;
  seed: string;
  scenario?: string;
  workers?: string;
  csv?: boolean;
  charts: string | false;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`the ${what} ${path} is not JSON: ${(e as Error).message}`);
  }
}

/** A progress bar on a terminal's stderr, redrawn in place; nothing elsewhere. */
function progressBar(enabled: boolean): ((done: number, total: number) => void) | undefined {
  const stream = process.stderr;
  if (!enabled || stream.isTTY !== true) return undefined;
  let last = -1;
  return (done, total) => {
    const share = done / total;
    const filled = Math.round(share * 30);
    if (filled === last && done < total) return;
    last = filled;
    stream.write(
      `\r  [${"#".repeat(filled)}${".".repeat(30 - filled)}] ${(share * 100).toFixed(0).padStart(3)} %  ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} paths`,
    );
    if (done >= total) stream.write("\n");
  };
}

export function registerStress(program: Command, globals: () => GlobalOptions): void {
  program
    .command("stress")
    .description(
      "stress a term sheet or a live deal: Monte Carlo (loss, default probability, LGD, WAL, IRR per note; equity IRR and hurdles; triggers; leakage), deterministic stresses and break-evens, charts as SVG",
    )
    .argument(
      "<termsheet|deal>",
      "a term-sheet JSON file, or a deal's name or address (read from the chain)",
    )
    .option("--paths <n>", "Monte Carlo paths", "10000")
    .option(
      "--seed <s>",
      "seed: the same seed gives the same figures on any machine and worker count",
      "1",
    )
    .option("--scenario <file>", "scenario file (default: sdk/stress/scenarios/h100-2026.json)")
    .option("--workers <n>", "worker threads (default: the machine's cores; 1: this thread)")
    .option("--csv", "print CSV (one row per figure) instead of tables")
    .option("--charts <dir>", "directory the SVG charts are written to", "stress-charts")
    .option("--no-charts", "write no charts")
    .action(async (target: string, o: StressOptions) => {
      const g = globals();
      const json = g.json === true;
      const paths = Number(parseInteger(o.paths, "--paths"));
      if (paths < 1 || paths > 10_000_000)
        throw new UsageError(`--paths: ${o.paths} is not between 1 and 10,000,000`);
      const seed = Number(parseInteger(o.seed, "--seed"));
      if (!Number.isSafeInteger(seed) || seed < 0)
        throw new UsageError(`--seed: ${o.seed} is not a non-negative integer`);
      const workers =
        o.workers === undefined ? undefined : Number(parseInteger(o.workers, "--workers"));
      const scenario =
        o.scenario === undefined
          ? DEFAULT_SCENARIO
          : parseScenario(await readJson(o.scenario, "scenario"));
      let deal: StressDeal;
      const file = resolve(target);
      if (target.toLowerCase().endsWith(".json") || existsSync(file)) {
        deal = stressDealFromTermSheet(await readJson(file, "term sheet"));
      } else {
        const ctx = await Context.open(g);
        const { address, record } = await ctx.deal(target);
        const reader = ctx.reader() as unknown as CascadeClient;
        const { stressDeal } = await import("../../sdk/actions/auditor/stressDeal.js");
        deal = await stressDeal(reader, {
          factory: ctx.protocol().factory,
          deal: address,
          name: record?.name,
          fromBlock: record ? BigInt(record.blockNumber) : undefined,
        });
      }
      const analysis = await analyzeStress(deal, scenario, {
        paths,
        seed,
        workers,
        onProgress: progressBar(!json && !o.csv && paths >= 2_000),
      });
      const charts =
        o.charts === false
          ? []
          : await writeStressCharts(analysis.report, o.charts, stemOf(deal.name));
      if (json) process.stdout.write(`${toJson({ ...analysis, charts })}\n`);
      else if (o.csv) print(stressCsv(analysis));
      else {
        print(stressTables(analysis));
        if (charts.length > 0) print(`charts: ${charts.join(", ")}`);
      }
    });
}
