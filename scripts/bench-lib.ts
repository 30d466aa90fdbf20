/**
 * The pure half of the gas benchmark (`scripts/bench.ts`): the results file format, the regression check against
 * the committed results, the targets, the code-size check and the Markdown tables. Imports nothing from Hardhat, so
 * `test/bench.ts` tests it on its own.
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

/** Runtime code size of a deployed contract: the length of its artifact's `deployedBytecode`. */
export interface CodeSize {
  contract: string;
  bytes: number;
}

/**
 * The shape of `bench/results.json`. `codeSize` came later: a file without it is still valid, and a reader that
 * knows only `results` ignores it.
 */
export interface BenchResults {
  results: BenchResult[];
  codeSize?: CodeSize[];
}

/** EIP-170: the most bytes of runtime code a contract may deploy with (24 KiB). */
export const CODE_SIZE_LIMIT = 24_576;

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
  const sizes = (data as BenchResults).codeSize;
  if (sizes !== undefined) {
    if (!Array.isArray(sizes)) throw new Error("results file: codeSize must be an array");
    const contracts = new Set<string>();
    for (const c of sizes) {
      if (typeof c.contract !== "string" || !Number.isInteger(c.bytes) || c.bytes <= 0)
        throw new Error(`results file: bad code size ${JSON.stringify(c)}`);
      if (contracts.has(c.contract))
        throw new Error(`results file: duplicate code size of ${c.contract}`);
      contracts.add(c.contract);
    }
  }
  return data as BenchResults;
}

export function formatResults(results: BenchResult[], codeSize?: CodeSize[]): string {
  return (
    JSON.stringify(codeSize === undefined ? { results } : { results, codeSize }, null, 2) + "\n"
  );
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

// ------------------------------------------------------------ code size

export interface CodeSizeCheck {
  /** Contracts above the limit: the check fails. */
  overLimit: string[];
  /** Contracts larger than committed (reported, never a failure). */
  grown: string[];
  /** Contracts smaller than committed (reported: commit the new file to record it). */
  shrunk: string[];
  /** Contracts the committed file has no size for (or no sizes at all). */
  added: string[];
  ok: boolean;
}

/**
 * Checks code sizes: a contract above `limit` bytes fails; a change against the committed sizes is reported. A
 * committed file without sizes (older than them) compares with nothing.
 */
export function checkCodeSizes(
  committed: readonly CodeSize[] | undefined,
  current: readonly CodeSize[],
  limit = CODE_SIZE_LIMIT,
): CodeSizeCheck {
  const before = new Map((committed ?? []).map((c) => [c.contract, c.bytes]));
  const overLimit: string[] = [];
  const grown: string[] = [];
  const shrunk: string[] = [];
  const added: string[] = [];
  for (const c of current) {
    if (c.bytes > limit)
      overLimit.push(
        `${c.contract}: ${int(c.bytes)} bytes, ${int(c.bytes - limit)} above ${int(limit)}`,
      );
    const was = before.get(c.contract);
    if (was === undefined) added.push(`${c.contract}: ${int(c.bytes)} bytes (no committed size)`);
    else if (c.bytes > was)
      grown.push(`${c.contract}: ${int(was)} → ${int(c.bytes)} bytes (+${int(c.bytes - was)})`);
    else if (c.bytes < was)
      shrunk.push(`${c.contract}: ${int(was)} → ${int(c.bytes)} bytes (−${int(was - c.bytes)})`);
  }
  return { overLimit, grown, shrunk, added, ok: overLimit.length === 0 };
}

/** The code sizes as a Markdown table, with each contract's headroom to the limit. */
export function codeSizeTable(sizes: readonly CodeSize[], limit = CODE_SIZE_LIMIT): string {
  const lines = [
    `| contract | bytes | headroom to ${int(limit)} | of the limit |`,
    "| --- | ---: | ---: | ---: |",
  ];
  for (const c of sizes) {
    const headroom = limit - c.bytes;
    lines.push(
      `| ${c.contract} | ${int(c.bytes)} | ${headroom < 0 ? `**${int(headroom)}**` : int(headroom)} | ${((c.bytes / limit) * 100).toFixed(1)} % |`,
    );
  }
  return lines.join("\n");
}

// ------------------------------------------------------------ targets

/** A design target from the issue; evaluated against one run. */
export type Target =
  | { id: string; kind: "max"; gas: number }
  | { id: string; kind: "ratio"; max: number; aim?: number }
  | { id: string; kind: "within"; of: string; fraction: number }
  /** At most `gas` more than `over` (what a step adds to the same operation). */
  | { id: string; kind: "added"; over: string; gas: number };

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
    if (t.kind === "added") {
      const added = r.gas - need(t.over).gas;
      return {
        target: t,
        text: `≤ ${int(t.gas)} more than ${t.over}`,
        actual: `${added >= 0 ? "+" : "−"}${int(Math.abs(added))}`,
        pass: added <= t.gas,
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
