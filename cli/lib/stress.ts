/**
 * What `cascade stress` and the demo print of a stress run: the Monte Carlo report, the deterministic stresses and
 * the break-evens as tables, as CSV, and the charts as SVG files. Every figure comes from the SDK's stress engine
 * (`sdk/stress`); this file only formats.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import {
  breakEvens,
  fanChartSvg,
  lossDistributionSvg,
  namedStresses,
  prepareStress,
  runStressCase,
  triggerTimingSvg,
  type BreakEven,
  type Scenario,
  type StressDeal,
  type StressOutcome,
  type StressReport,
} from "../../sdk/stress/index.js";
import { monteCarloParallel } from "../../sdk/stress/parallel.js";
import { keyValues, table } from "./output.js";

/** A stress run: the Monte Carlo report, the named deterministic stresses and each note's break-evens. */
export interface StressAnalysis {
  report: StressReport;
  stresses: StressOutcome[];
  breakEvens: BreakEven[];
}

export interface StressRunOptions {
  paths: number;
  seed: number;
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Runs the Monte Carlo (on worker threads when asked), the deterministic stresses and the break-evens. */
export async function analyzeStress(
  deal: StressDeal,
  scenario: Scenario,
  o: StressRunOptions,
): Promise<StressAnalysis> {
  const report = await monteCarloParallel(deal, scenario, {
    paths: o.paths,
    seed: o.seed,
    workers: o.workers,
    onProgress: o.onProgress,
  });
  const setup = prepareStress(deal, scenario);
  return {
    report,
    stresses: namedStresses(setup).map((s) => runStressCase(setup, s)),
    breakEvens: breakEvens(setup),
  };
}

export const pct = (x: number, digits = 2): string =>
  Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : "—";
const signedPct = (x: number, digits = 1): string =>
  !Number.isFinite(x)
    ? "—"
    : x <= -1
      ? "−100 %"
      : `${x < 0 ? "−" : ""}${Math.abs(x * 100).toFixed(digits)} %`;
const usd = (units: number, unit: number): string =>
  `$${Math.round(units / unit).toLocaleString("en-US")}`;
const years = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)} y` : "—");

/** The report as tables for people. `title` heads the first table. */
export function stressTables(a: StressAnalysis): string {
  const r = a.report;
  const out: string[] = [];
  out.push(
    keyValues(
      [
        ["deal", r.deal],
        ["scenario", `${r.scenario} (market: ${r.market})`],
        [
          "paths",
          `${r.paths.toLocaleString("en-US")} × ${r.periods} periods from period ${r.firstPeriod + 1}, seed ${r.seed}`,
        ],
        ["accelerated", pct(r.accelerationProbability)],
      ],
      "Monte Carlo",
    ),
  );
  out.push(
    table(
      [
        "note",
        "principal",
        "P(loss)",
        "expected loss",
        "LGD",
        "WAL",
        "IRR p5",
        "IRR p50",
        "IRR p95",
      ],
      r.tranches.map((t) => [
        t.name,
        usd(t.basis, r.unit),
        pct(t.defaultProbability),
        `${pct(t.expectedLoss, 3)} ± ${pct(t.expectedLossStdError, 3)}`,
        pct(t.lossGivenDefault, 1),
        years(t.wal),
        signedPct(t.irr.p5),
        signedPct(t.irr.p50),
        signedPct(t.irr.p95),
      ]),
    ),
  );
  if (r.equity !== undefined) {
    const e = r.equity;
    const rows = e.classes.map((c) => [
      c.name,
      usd(c.capital, r.unit),
      signedPct(c.irr.p5),
      signedPct(c.irr.p50),
      signedPct(c.irr.p95),
    ]);
    if (e.classes.length > 1)
      rows.push([
        "all equity",
        usd(
          e.classes.reduce((x, c) => x + c.capital, 0),
          r.unit,
        ),
        signedPct(e.irr.p5),
        signedPct(e.irr.p50),
        signedPct(e.irr.p95),
      ]);
    out.push(table(["equity", "capital", "IRR p5", "IRR p50", "IRR p95"], rows));
    out.push(
      table(
        ["equity hurdle (LP IRR)", "probability met"],
        e.hurdles.map((h) => [`${h.label} (${pct(h.rate, 1)})`, pct(h.probability, 1)]),
      ),
    );
    out.push(
      `equity cash, mean: ${e.meanMultiple.toFixed(2)}× capital; leakage before the first trigger: ` +
        `${pct(r.leakage.beforeFirstTrigger, 1)} of capital on the ${r.leakage.triggeredPaths.toLocaleString("en-US")} paths where one fired, ` +
        `${pct(r.leakage.onLossPaths, 1)} on the ${r.leakage.lossPaths.toLocaleString("en-US")} paths where a note lost principal`,
    );
  }
  out.push(
    table(
      ["trigger", "effect", "P(fires)", "median first period"],
      r.triggers.map((t) => [
        t.label,
        t.accelerates ? "accelerate" : "cash trap",
        pct(t.probability, 1),
        Number.isFinite(t.medianPeriod) ? String(r.firstPeriod + t.medianPeriod + 1) : "—",
      ]),
    ),
  );
  out.push(stressCaseTable(a));
  out.push(breakEvenTable(a.breakEvens));
  return out.join("\n");
}

/** The deterministic stresses: each note's loss, equity's IRR and multiple, when the first trigger fired. */
export function stressCaseTable(a: StressAnalysis): string {
  const names = a.report.tranches.map((t) => t.name);
  return table(
    [
      "deterministic stress",
      ...names.map((n) => `${n} loss`),
      "equity IRR",
      "equity ×",
      "first trigger",
    ],
    a.stresses.map((s) => [
      s.name,
      ...s.loss.map((x) => pct(x, 2)),
      signedPct(s.equityIrr),
      Number.isFinite(s.equityMultiple) ? `${s.equityMultiple.toFixed(2)}×` : "—",
      s.firstTrigger < 0
        ? "none"
        : `period ${a.report.firstPeriod + s.firstTrigger + 1}: ${s.firstTriggerLabel}`,
    ]),
  );
}

/** Each note's break-evens. */
export function breakEvenTable(b: readonly BreakEven[]): string {
  return table(
    ["note", "steepest price decline survived", "deepest utilization drop survived"],
    b.map((x) => [
      x.name,
      x.decline === undefined
        ? "loses with flat prices"
        : `${x.declineCapped ? "≥ " : ""}${pct(x.decline, 1)} a year`,
      x.utilizationDrop === undefined
        ? "loses at base utilization"
        : `${x.utilizationCapped ? "all " : ""}${(x.utilizationDrop * 100).toFixed(1)} points (to ${((x.baseUtilization - x.utilizationDrop) * 100).toFixed(1)} %)`,
    ]),
  );
}

/** The run as CSV: one row per figure (`section,name,figure,value`), values as plain numbers (fractions, dollars). */
export function stressCsv(a: StressAnalysis): string {
  const r = a.report;
  const rows: (string | number)[][] = [["section", "name", "figure", "value"]];
  const add = (section: string, name: string, figure: string, value: number | string) =>
    rows.push([
      section,
      name,
      figure,
      typeof value === "number" ? (Number.isFinite(value) ? value : "") : value,
    ]);
  add("run", r.deal, "paths", r.paths);
  add("run", r.deal, "seed", r.seed);
  add("run", r.deal, "accelerationProbability", r.accelerationProbability);
  for (const t of r.tranches) {
    add("note", t.name, "principalUsd", t.basis / r.unit);
    add("note", t.name, "defaultProbability", t.defaultProbability);
    add("note", t.name, "expectedLoss", t.expectedLoss);
    add("note", t.name, "expectedLossStdError", t.expectedLossStdError);
    add("note", t.name, "lossGivenDefault", t.lossGivenDefault);
    add("note", t.name, "walYears", t.wal);
    add("note", t.name, "irrP5", t.irr.p5);
    add("note", t.name, "irrP50", t.irr.p50);
    add("note", t.name, "irrP95", t.irr.p95);
  }
  if (r.equity) {
    for (const c of r.equity.classes) {
      add("equity", c.name, "irrP5", c.irr.p5);
      add("equity", c.name, "irrP50", c.irr.p50);
      add("equity", c.name, "irrP95", c.irr.p95);
    }
    for (const h of r.equity.hurdles) add("hurdle", h.label, "probability", h.probability);
    add("equity", "all", "meanMultiple", r.equity.meanMultiple);
  }
  add("leakage", "beforeFirstTrigger", "shareOfCapital", r.leakage.beforeFirstTrigger);
  add("leakage", "onLossPaths", "shareOfCapital", r.leakage.onLossPaths);
  for (const t of r.triggers) {
    add("trigger", t.label, "probability", t.probability);
    add(
      "trigger",
      t.label,
      "medianFirstPeriod",
      Number.isFinite(t.medianPeriod) ? r.firstPeriod + t.medianPeriod + 1 : "",
    );
  }
  for (const s of a.stresses) {
    s.loss.forEach((x, i) => add("stress", s.name, `${r.tranches[i].name} loss`, x));
    add("stress", s.name, "equityIrr", s.equityIrr);
    add(
      "stress",
      s.name,
      "firstTriggerPeriod",
      s.firstTrigger < 0 ? "" : r.firstPeriod + s.firstTrigger + 1,
    );
  }
  for (const b of a.breakEvens) {
    add("breakEven", b.name, "decline", b.decline ?? "");
    add("breakEven", b.name, "utilizationDrop", b.utilizationDrop ?? "");
  }
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((row) => row.map(cell).join(",")).join("\n");
}

/** Writes the three charts into `dir`; returns their paths. */
export async function writeStressCharts(
  r: StressReport,
  dir: string,
  stem: string,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    [`${stem}-loss-distribution.svg`, lossDistributionSvg(r)],
    [`${stem}-collateral-fan.svg`, fanChartSvg(r)],
    [`${stem}-trigger-timing.svg`, triggerTimingSvg(r)],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const p = join(dir, name);
    await writeFile(p, text);
    paths.push(p);
  }
  return paths;
}

/** A file-name stem of a deal's name: lower case, dashes. */
export function stemOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "deal"
  );
}

/** A short summary of a stress run (the demo's): per note, equity, the likeliest triggers, leakage, break-evens. */
export function stressSummary(a: StressAnalysis): string {
  const r = a.report;
  const lines: string[] = [
    `${r.deal}: ${r.paths.toLocaleString("en-US")} paths × ${r.periods} periods (${r.scenario}, seed ${r.seed})`,
  ];
  lines.push(
    table(
      [
        "note",
        "P(loss)",
        "expected loss",
        "IRR p5",
        "IRR p50",
        "survives a price decline of",
        "a utilization drop of",
      ],
      r.tranches.map((t, i) => {
        const b = a.breakEvens[i];
        return [
          t.name,
          pct(t.defaultProbability),
          pct(t.expectedLoss, 3),
          signedPct(t.irr.p5),
          signedPct(t.irr.p50),
          b.decline === undefined
            ? "none"
            : `${b.declineCapped ? "≥ " : ""}${pct(b.decline, 1)} a year`,
          b.utilizationDrop === undefined
            ? "none"
            : `${(b.utilizationDrop * 100).toFixed(1)} points`,
        ];
      }),
    ),
  );
  if (r.equity) {
    const e = r.equity;
    const hurdles = e.hurdles
      .filter((h) => h.rate > 0)
      .map((h) => `${pct(h.rate, 0)} ${pct(h.probability, 0)}`)
      .join(", ");
    lines.push(
      `equity IRR p5 / p50 / p95 ${signedPct(e.irr.p5)} / ${signedPct(e.irr.p50)} / ${signedPct(e.irr.p95)}; ` +
        `probability the LP IRR reaches ${hurdles}`,
    );
    lines.push(
      `leakage: equity took ${pct(r.leakage.beforeFirstTrigger, 1)} of its capital before the first trigger fired ` +
        `(mean over the ${pct(r.leakage.triggeredPaths / r.paths, 0)} of paths where one fired)`,
    );
  }
  const likely = [...r.triggers]
    .filter((t) => t.probability > 0)
    .sort((x, y) => y.probability - x.probability)
    .slice(0, 3)
    .map(
      (t) =>
        `${t.label} ${pct(t.probability, 0)} (median period ${r.firstPeriod + t.medianPeriod + 1})`,
    );
  if (likely.length > 0) lines.push(`likeliest triggers: ${likely.join(", ")}`);
  return lines.join("\n");
}
