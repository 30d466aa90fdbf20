/**
 * The pure half of the gas benchmark (`scripts/bench.ts`): the results file format, the regression check against
 * the committed results, the targets and the Markdown table. Imports nothing from Hardhat, so `test/bench.ts` tests
 * it on its own.
 */

/** One measured operation: `gas` is the receipt's gasUsed of its own transaction. */
export interface BenchResult {
  id: string;
  gas: number;
  /** Id of the OpenZeppelin yardstick this operation is compared with, if any. */
  reference: string | null;
  /** gas / reference gas, rounded to 4 decimals; null without a reference. */
  ratio: number | null;
}

/** The shape of `bench/results.json`. */
export interface BenchResults {
  results: BenchResult[];
}

/** A rise above this fraction of the committed gas fails the check; exactly this much is allowed. */
export const DEFAULT_TOLERANCE_BPS = 100;

/** Ratio of `gas` to `referenceGas`, 4 decimals. */
export function ratioOf(gas: number, referenceGas: number): number {
  return Math.round((gas / referenceGas) * 10_000) / 10_000;
}

/** Fills `ratio` from each entry's reference (which must be measured in the same run). */
export function withRatios(
  measured: { id: string; gas: number; reference: string | null }[],
): BenchResult[] {
  const byId = new Map(measured.map((m) => [m.id, m.gas]));
  return measured.map((m) => {
    if (m.reference === null) return { ...m, ratio: null };
    const ref = byId.get(m.reference);
    if (ref === undefined)
      throw new Error(`${m.id}: reference ${m.reference} was not measured in this run`);
    return { ...m, ratio: ratioOf(m.gas, ref) };
  });
}

/** Parses and validates a results file's text. */
export function parseResults(text: string): BenchResults {
  const data = JSON.parse(text) as unknown;
  if (typeof data !== "object" || data === null || !Array.isArray((data as BenchResults).results))
    throw new Error('results file: expected { "results": [...] }');
  const seen = new Set<string>();
  for (const r of (data as BenchResults).results) {
    if (typeof r.id !== "string" || !Number.isInteger(r.gas) || r.gas <= 0)
      throw new Error(`results file: bad entry ${JSON.stringify(r)}`);
    if (seen.has(r.id)) throw new Error(`results file: duplicate id ${r.id}`);
    seen.add(r.id);
  }
  return data as BenchResults;
}

export function formatResults(results: BenchResult[]): string {
  return JSON.stringify({ results }, null, 2) + "\n";
}

export interface Comparison {
  /** One line per offending id: a rise above the tolerance, or an id that disappeared. */
  failures: string[];
  /** Ids measured now that the committed file does not have (reported, never a failure). */
  added: string[];
  /** Ids whose gas fell (reported: commit the new file to lock the gain in). */
  improved: string[];
  ok: boolean;
}

/**
 * Compares a run with the committed results. An id fails when its gas rises more than `toleranceBps` (basis points)
 * above the committed gas — exactly the tolerance passes — or when it is no longer measured.
 */
export function compareResults(
  committed: BenchResult[],
  current: BenchResult[],
  toleranceBps = DEFAULT_TOLERANCE_BPS,
): Comparison {
  const now = new Map(current.map((r) => [r.id, r.gas]));
  const before = new Set(committed.map((r) => r.id));
  const failures: string[] = [];
  const improved: string[] = [];
  for (const c of committed) {
    const gas = now.get(c.id);
    if (gas === undefined) {
      failures.push(`${c.id}: disappeared (committed ${c.gas} gas, not measured any more)`);
      continue;
    }
    // Integer comparison: gas > committed × (1 + tolerance) without floating point.
    if (BigInt(gas) * 10_000n > BigInt(c.gas) * BigInt(10_000 + toleranceBps)) {
      failures.push(
        `${c.id}: ${c.gas} → ${gas} gas (+${percent(gas, c.gas)}, allowed +${toleranceBps / 100} %)`,
      );
    } else if (gas < c.gas) {
      improved.push(`${c.id}: ${c.gas} → ${gas} gas (${percent(gas, c.gas)})`);
    }
  }
  const added = current.filter((r) => !before.has(r.id)).map((r) => `${r.id}: ${r.gas} gas (new)`);
  return { failures, added, improved, ok: failures.length === 0 };
}

function percent(gas: number, base: number): string {
  const p = ((gas - base) / base) * 100;
  return `${p >= 0 ? "" : "−"}${Math.abs(p).toFixed(2)} %`;
}

// ------------------------------------------------------------ targets

/** A design target from the issue; evaluated against one run. */
export type Target =
  | { id: string; kind: "max"; gas: number }
  | { id: string; kind: "ratio"; max: number; aim?: number }
  | { id: string; kind: "within"; of: string; fraction: number };

export interface TargetOutcome {
  target: Target;
  text: string;
  actual: string;
  pass: boolean;
}

export function evaluateTargets(targets: Target[], results: BenchResult[]): TargetOutcome[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const need = (id: string) => {
    const r = byId.get(id);
    if (r === undefined) throw new Error(`target on ${id}, which was not measured`);
    return r;
  };
  return targets.map((t) => {
    const r = need(t.id);
    if (t.kind === "max") {
      return { target: t, text: `≤ ${int(t.gas)}`, actual: int(r.gas), pass: r.gas <= t.gas };
    }
    if (t.kind === "ratio") {
      if (r.ratio === null || r.reference === null) throw new Error(`${t.id} has no reference`);
      const aim = t.aim === undefined ? "" : ` (aim ${t.aim} ×)`;
      return {
        target: t,
        text: `≤ ${t.max} × ${r.reference}${aim}`,
        actual: `${r.ratio.toFixed(3)} ×`,
        pass: r.ratio <= t.max,
      };
    }
    const base = need(t.of).gas;
    const deviation = Math.abs(r.gas - base) / base;
    return {
      target: t,
      text: `within ${t.fraction * 100} % of ${t.of}`,
      actual: `${r.gas >= base ? "+" : "−"}${(deviation * 100).toFixed(3)} %`,
      pass: Math.abs(r.gas - base) * 1_000_000 <= Math.round(t.fraction * 1_000_000) * base,
    };
  });
}

// ------------------------------------------------------------ tables

export function int(n: number): string {
  return n.toLocaleString("en-US");
}

/** The results as a Markdown table (also what the script prints). */
export function resultsTable(results: BenchResult[]): string {
  const byId = new Map(results.map((r) => [r.id, r.gas]));
  const lines = [
    "| id | gas | reference | reference gas | ratio |",
    "| --- | ---: | --- | ---: | ---: |",
  ];
  for (const r of results) {
    const refGas = r.reference === null ? "" : int(byId.get(r.reference) ?? 0);
    lines.push(
      `| ${r.id} | ${int(r.gas)} | ${r.reference ?? ""} | ${refGas} | ${r.ratio === null ? "" : r.ratio.toFixed(3) + " ×"} |`,
    );
  }
  return lines.join("\n");
}

export function targetsTable(outcomes: TargetOutcome[]): string {
  const lines = ["| id | target | measured | |", "| --- | --- | ---: | --- |"];
  for (const o of outcomes) {
    lines.push(`| ${o.target.id} | ${o.text} | ${o.actual} | ${o.pass ? "pass" : "**MISS**"} |`);
  }
  return lines.join("\n");
}
