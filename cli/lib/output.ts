/**
 * Output of the `cascade` commands: a readable table by default, JSON with `--json` (bigints as decimal strings),
 * progress on stderr (a spinner on a terminal, one line per step otherwise; nothing with --json), and errors as one
 * line (every issue for a term sheet).
 */
import Table from "cli-table3";
import ora, { type Ora } from "ora";
import { formatUnits } from "viem";

import { CascadeError, ContractRevertError, formatRate, TermSheetError } from "../../sdk/index.js";
import { toJson, UsageError } from "./args.js";

/** Prints `value` as JSON (with --json) or runs `human` to print it for people. */
export function emit(json: boolean, value: unknown, human: () => void): void {
  if (json) process.stdout.write(`${toJson(value)}\n`);
  else human();
}

/** Box drawing without a rule between rows. */
const CHARS = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };

/** A two-column table of labelled values. */
export function keyValues(rows: readonly (readonly [string, unknown])[], title?: string): string {
  const t = new Table({ chars: CHARS, style: { head: [], border: [] } });
  for (const [k, v] of rows) t.push({ [k]: String(v ?? "") });
  return title ? `${title}\n${t.toString()}` : t.toString();
}

/** A table with a header row. */
export function table(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const t = new Table({ head: [...head], chars: CHARS, style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map((c) => String(c ?? "")));
  return t.toString();
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Stablecoin units as a decimal with thousands separators: 1234567890000 (6 decimals) → "1,234,567.89". */
export function money(units: bigint, decimals: number): string {
  const [whole, fraction = ""] = formatUnits(units, decimals).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction ? `${grouped}.${fraction.slice(0, 2).padEnd(2, "0")}` : grouped;
}

/** WAD (1e18) as a percentage, by the one printing rule of ratios (`formatRate`, docs/statements.md). */
export function wadPct(wad: bigint): string {
  return formatRate(wad);
}

export interface Progress {
  step(text: string): void;
  done(text?: string): void;
  fail(text?: string): void;
}

/** Progress of multi-transaction work on stderr; silent with --json. */
export function progress(json: boolean, text: string): Progress {
  const spinner: Ora = ora({ text, stream: process.stderr, isSilent: json }).start();
  return {
    step: (t) => {
      if (spinner.isSpinning) spinner.text = t;
      else spinner.start(t);
    },
    done: (t) => void spinner.succeed(t),
    fail: (t) => void spinner.fail(t),
  };
}

/** Runs `work` under a progress line that succeeds with `doneText` or fails. */
export async function withProgress<T>(
  json: boolean,
  text: string,
  work: (p: Progress) => Promise<T>,
  doneText?: (result: T) => string,
): Promise<T> {
  const p = progress(json, text);
  try {
    const result = await work(p);
    p.done(doneText?.(result));
    return result;
  } catch (e) {
    p.fail();
    throw e;
  }
}

/** The one-line reason of a failure (every issue, one per line, for a term sheet). */
export function describeFailure(e: unknown): string {
  if (e instanceof TermSheetError) return e.message;
  if (e instanceof ContractRevertError) {
    return e.transactionHash ? `${e.message} (transaction ${e.transactionHash})` : e.message;
  }
  if (e instanceof CascadeError || e instanceof UsageError) return firstLine(e.message);
  if (e instanceof Error) return firstLine(e.message);
  return String(e);
}

/** The failure as JSON for --json callers. */
export function failureJson(e: unknown): Record<string, unknown> {
  const base: Record<string, unknown> = {
    error: e instanceof Error ? e.name : "Error",
    message: describeFailure(e),
  };
  if (e instanceof TermSheetError) base.issues = e.issues;
  if (e instanceof ContractRevertError) {
    base.errorName = e.errorName;
    base.args = e.namedArgs;
    if (e.transactionHash) base.transactionHash = e.transactionHash;
  }
  return base;
}

function firstLine(s: string): string {
  return (
    s
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? s
  );
}
