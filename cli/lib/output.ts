/**
 * Output of the `cascade` commands: a readable table by default, JSON with `--json` (bigints as decimal strings),
 * progress on stderr (a spinner on a terminal, one line per step otherwise; nothing with --json), and errors as one
 * line (every issue for a term sheet). No escape codes reach a stream that is not a terminal: colour only where
 * {@link useColor} says so (NO_COLOR and FORCE_COLOR honoured), the spinner only on a terminal.
 */
import Table from "cli-table3";
import { formatUnits } from "viem";

import {
  CascadeError,
  ContractRevertError,
  formatRate,
  ReportRefusedError,
  SubscriptionRefusedError,
  TermSheetError,
  TransferRestrictedError,
} from "../../sdk/index.js";
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

/**
 * Whether to colour what goes to `stream`: FORCE_COLOR decides when set (`0` or `false`: no colour, anything else:
 * colour, even into a pipe); otherwise no colour with NO_COLOR (non-empty) or TERM=dumb; otherwise colour on a
 * terminal that has colours.
 */
export function useColor(
  stream: NodeJS.WriteStream,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !["0", "false"].includes(force.trim().toLowerCase());
  if (env.NO_COLOR || env.TERM === "dumb") return false;
  return stream.isTTY === true && (stream.hasColors?.() ?? false);
}

export interface Progress {
  step(text: string): void;
  done(text?: string): void;
  fail(text?: string): void;
}

/** Whether `stream` takes a spinner: a terminal of known width. */
function spinnerTerminal(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && (stream.columns ?? 0) > 0;
}

type OraFactory = typeof import("ora").default;
/** ora, loaded by {@link withProgress} on a terminal only (a pipe gets plain lines and never loads it). */
let spinnerFactory: OraFactory | undefined;

async function loadSpinner(): Promise<void> {
  try {
    spinnerFactory ??= (await import("ora")).default;
  } catch {
    // plain lines instead
  }
}

/**
 * Progress of multi-transaction work on stderr, silent with --json: a spinner on a terminal (once ora is loaded, as
 * {@link withProgress} does), else one line per step (`- step`, then `✔ done` or `✖ failed`).
 */
export function progress(json: boolean, text: string): Progress {
  if (json) return { step: () => undefined, done: () => undefined, fail: () => undefined };
  const stream = process.stderr;
  const color = useColor(stream);
  const ok = color ? "\x1b[32m✔\x1b[39m" : "✔";
  const failed = color ? "\x1b[31m✖\x1b[39m" : "✖";
  // A terminal that reports no width (a pty nobody sized) gets lines: ora's redraw loops forever at 0 columns.
  if (spinnerTerminal(stream) && spinnerFactory) {
    // stdin stays as it is: ora's discarding puts it in raw mode, which has hung the command on a pty.
    const spinner = spinnerFactory({
      text,
      stream,
      color: color ? "cyan" : false,
      discardStdin: false,
    }).start();
    return {
      step: (t) => {
        if (spinner.isSpinning) spinner.text = t;
        else spinner.start(t);
      },
      done: (t) => void spinner.stopAndPersist({ symbol: ok, text: t }),
      fail: (t) => void spinner.stopAndPersist({ symbol: failed, text: t }),
    };
  }
  let current = text;
  const line = (l: string) => void stream.write(`${l}\n`);
  line(`- ${text}`);
  return {
    step: (t) => {
      current = t;
      line(`- ${t}`);
    },
    done: (t) => line(`${ok} ${t ?? current}`),
    fail: (t) => line(`${failed} ${t ?? current}`),
  };
}

/** Runs `work` under a progress line that succeeds with `doneText` or fails. */
export async function withProgress<T>(
  json: boolean,
  text: string,
  work: (p: Progress) => Promise<T>,
  doneText?: (result: T) => string,
): Promise<T> {
  if (!json && spinnerTerminal(process.stderr)) await loadSpinner();
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

/**
 * The one-line reason of a failure (every issue, one per line, for a term sheet). A contract revert reads as a
 * sentence in human units (`ContractRevertError.describe`, with the units attached to it): amounts in stablecoin
 * units with the symbol, times as UTC dates.
 */
export function describeFailure(e: unknown): string {
  if (e instanceof TermSheetError) return e.message;
  if (e instanceof ContractRevertError) {
    // A transfer restriction's message is its ERC-1404 sentence already, a refused subscription's its own sentence.
    const text =
      e instanceof TransferRestrictedError || e instanceof SubscriptionRefusedError
        ? e.message
        : e.describe();
    return e.transactionHash ? `${text} (transaction ${e.transactionHash})` : text;
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
  // Refused before sending: the error the contract would give, and what was read.
  if (e instanceof ReportRefusedError) {
    base.errorName = e.errorName;
    base.details = e.details;
  }
  if (e instanceof ContractRevertError) {
    base.errorName = e.errorName;
    base.args = e.namedArgs;
    // The decoded revert as the SDK states it, e.g. "reverted with BelowMinimumTicket(10000000, 100000000000)".
    base.revert = e.message;
    if (e.contractAddress) base.contract = e.contractAddress;
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
