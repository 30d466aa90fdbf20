/**
 * The keeper service of `cascade keeper run` (and `npm run keeper`, its alias): waits for the node, runs a
 * {@link KeeperService} until SIGINT/SIGTERM (a second signal exits at once), logging JSON lines.
 */
import { createPublicClient, type Address, type LocalAccount } from "viem";
import { getChainId } from "viem/actions";

import type { CascadeClient } from "../../sdk/index.js";
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  describeError,
  fileStateStore,
  jsonLogger,
  KeeperService,
  systemClock,
  viemKeeperChain,
  type BackoffPolicy,
  type LogLevel,
} from "../../sdk/keeper/index.js";
import { parseInteger, parseMs, UsageError } from "./args.js";
import { chainFor, rpcTransport, walletFor } from "./clients.js";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export interface KeeperRunOptions {
  rpcUrl: string;
  factory: Address;
  state: string | undefined;
  fromBlock: bigint;
  pollIntervalMs: number;
  maxPeriods: number;
  confirmations: bigint;
  logBlockRange: bigint;
  receiptTimeoutMs: number;
  stopGraceMs: number;
  backoff: BackoffPolicy;
  level: LogLevel;
}

/** The keeper's tuning flags as strings, with their defaults. */
export interface KeeperFlags {
  state?: string;
  fromBlock?: string;
  pollInterval?: string;
  maxPeriods?: string;
  confirmations?: string;
  logRange?: string;
  receiptTimeout?: string;
  stopGrace?: string;
  backoffInitial?: string;
  backoffMax?: string;
  logLevel?: string;
}

export function keeperOptions(rpcUrl: string, factory: Address, f: KeeperFlags): KeeperRunOptions {
  const level = (f.logLevel ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(level))
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}`);
  const maxPeriods = Number(parseInteger(f.maxPeriods ?? "4", "--max-periods"));
  if (maxPeriods < 1) throw new UsageError("--max-periods must be at least 1");
  return {
    rpcUrl,
    factory,
    state: f.state,
    fromBlock: parseInteger(f.fromBlock ?? "0", "--from-block"),
    pollIntervalMs: parseMs(f.pollInterval ?? "5s", "--poll-interval"),
    maxPeriods,
    confirmations: parseInteger(f.confirmations ?? "0", "--confirmations"),
    logBlockRange: parseInteger(f.logRange ?? "5000", "--log-range"),
    receiptTimeoutMs: parseMs(f.receiptTimeout ?? "60s", "--receipt-timeout"),
    stopGraceMs: parseMs(f.stopGrace ?? "15s", "--stop-grace"),
    backoff: {
      ...DEFAULT_BACKOFF,
      initialDelayMs: parseMs(f.backoffInitial ?? "250ms", "--backoff-initial"),
      maxDelayMs: parseMs(f.backoffMax ?? "30s", "--backoff-max"),
    },
    level,
  };
}

/** Runs the keeper for `account` (a local account with a nonce manager) until a signal stops it; resolves with the exit code. */
export async function runKeeper(opts: KeeperRunOptions, account: LocalAccount): Promise<number> {
  const log = jsonLogger((line) => process.stdout.write(`${line}\n`), { minLevel: opts.level });

  // Signals: the first stops cleanly, a second exits at once.
  let service: KeeperService | undefined;
  const startup = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      log.warn("second signal; exiting now", { signal });
      process.exit(1);
    }
    startup.abort();
    void service?.stop(signal);
    // Whatever happens, do not outlive the grace period by much.
    setTimeout(() => {
      log.error("shutdown timed out", { graceMs: opts.stopGraceMs });
      process.exit(1);
    }, opts.stopGraceMs + 10_000).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  // The node may not be up yet: wait for it with the same backoff as everything else.
  let chainId: number | undefined;
  for (let attempt = 1; chainId === undefined && !startup.signal.aborted; attempt++) {
    try {
      chainId = await getChainId(createPublicClient({ transport: rpcTransport(opts.rpcUrl) }));
    } catch (e) {
      const delayMs = backoffDelay(attempt, opts.backoff);
      log.warn("rpc retry", {
        op: "chainId",
        attempt,
        retryInMs: delayMs,
        error: describeError(e),
      });
      await systemClock.sleep(delayMs, startup.signal);
    }
  }
  if (chainId === undefined) {
    log.info("keeper stopped", { reason: "stopped before the node answered" });
    return 0;
  }
  const chain = chainFor(opts.rpcUrl, chainId);
  // However the process ends (a second signal, the shutdown timeout), no temporary state file stays behind.
  const store = opts.state === undefined ? undefined : fileStateStore(opts.state);
  if (store) process.on("exit", () => store.dispose?.());
  const client = walletFor(opts.rpcUrl, chain, account, Math.min(1_000, opts.pollIntervalMs));

  service = new KeeperService({
    chain: viemKeeperChain({
      client: client as unknown as CascadeClient,
      account,
      pollingInterval: Math.min(1_000, opts.pollIntervalMs),
    }),
    factory: opts.factory,
    logger: log,
    pollIntervalMs: opts.pollIntervalMs,
    maxPeriods: opts.maxPeriods,
    fromBlock: opts.fromBlock,
    logBlockRange: opts.logBlockRange,
    confirmations: opts.confirmations,
    receiptTimeoutMs: opts.receiptTimeoutMs,
    stopGraceMs: opts.stopGraceMs,
    backoff: opts.backoff,
    store,
  });
  if (startup.signal.aborted) void service.stop("signal during startup");
  await service.run();
  return 0;
}

/** Crash line in the keeper's JSON log format. */
export function keeperCrashLine(e: unknown): string {
  return `${JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "keeper crashed", error: describeError(e) })}\n`;
}
