/**
 * Structured logs of the keeper: one JSON object per line (`ts`, `level`, `msg`, then fields such as `deal`,
 * `period`, `txHash`, `gasUsed`, `error`). Bigints are written as decimal strings.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** One log line as written: `{"ts":"…","level":"info","msg":"…",…}`. */
export interface LogRecord extends LogFields {
  ts: string;
  level: LogLevel;
  msg: string;
}

/** Serializes a record to one line of JSON (bigints as strings, errors as their message). */
export function formatLogLine(record: LogRecord): string {
  return JSON.stringify(record, (_k, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Error) return v.message;
    return v;
  });
}

/**
 * A logger writing JSON lines to `write` (e.g. `(line) => process.stdout.write(line + "\n")`). Records below
 * `minLevel` are dropped. `now` gives the timestamp (ms since the epoch).
 */
export function jsonLogger(
  write: (line: string) => void,
  opts: { minLevel?: LogLevel; now?: () => number; base?: LogFields } = {},
): Logger {
  const min = LEVELS[opts.minLevel ?? "info"];
  const now = opts.now ?? Date.now;
  const emit =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      if (LEVELS[level] < min) return;
      write(
        formatLogLine({ ts: new Date(now()).toISOString(), level, msg, ...opts.base, ...fields }),
      );
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that keeps records in memory (for tests). */
export function memoryLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const emit =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      records.push({ ts: new Date(0).toISOString(), level, msg, ...fields });
    };
  return {
    records,
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
  };
}
