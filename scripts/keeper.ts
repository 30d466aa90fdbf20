/**
 * Cascade keeper: runs the waterfall of every deal of a factory as its periods become ready, for the keeper
 * bounty. Logs one JSON object per line on stdout.
 *
 *   KEEPER_PRIVATE_KEY=0x… npm run keeper -- --rpc-url http://127.0.0.1:8545 --factory 0x… [options]
 *
 * Options:
 *   --rpc-url URL           JSON-RPC endpoint (required)
 *   --factory ADDRESS       the DealFactory whose deals to keep (required)
 *   --state FILE            keep the scan cursor and the deals found in FILE between runs (optional)
 *   --from-block N          first block to scan when there is no state (default 0)
 *   --poll-interval D       pause between polls, e.g. 5s, 500ms (default 5s)
 *   --max-periods N         periods one performUpkeep may catch up (default 4)
 *   --confirmations N       blocks behind the head to scan to (default 0)
 *   --log-range N           largest eth_getLogs block range (default 5000)
 *   --receipt-timeout D     wait for a receipt before asking the chain again (default 60s)
 *   --stop-grace D          on SIGINT/SIGTERM, wait this long for a transaction in flight (default 15s)
 *   --backoff-initial D     first retry delay (default 250ms); doubles up to --backoff-max (default 30s)
 *   --log-level L           debug | info | warn | error (default info)
 *
 * The key comes only from the KEEPER_PRIVATE_KEY environment variable. SIGINT/SIGTERM stop it cleanly (exit 0);
 * a second signal exits at once.
 */
import { parseArgs } from "node:util";

import { getAddress, isAddress, type Address } from "viem";
import { getChainId } from "viem/actions";
import { createPublicClient } from "viem";

import type { CascadeClient } from "../sdk/index.js";
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  describeError,
  fileStateStore,
  jsonLogger,
  KeeperService,
  systemClock,
  viemKeeperChain,
  type LogLevel,
} from "../sdk/keeper/index.js";
import {
  chainFor,
  localAccount,
  parseInteger,
  parseMs,
  privateKeyFromEnv,
  rpcTransport,
  UsageError,
  walletFor,
} from "./lib/cli.js";

/** Printed by --help. */
const USAGE = `Cascade keeper: runs the waterfall of every deal of a factory as its periods become ready, for the keeper
bounty. Logs one JSON object per line on stdout.

  KEEPER_PRIVATE_KEY=0x… npm run keeper -- --rpc-url http://127.0.0.1:8545 --factory 0x… [options]

Options:
  --rpc-url URL           JSON-RPC endpoint (required)
  --factory ADDRESS       the DealFactory whose deals to keep (required)
  --state FILE            keep the scan cursor and the deals found in FILE between runs (optional)
  --from-block N          first block to scan when there is no state (default 0)
  --poll-interval D       pause between polls, e.g. 5s, 500ms (default 5s)
  --max-periods N         periods one performUpkeep may catch up (default 4)
  --confirmations N       blocks behind the head to scan to (default 0)
  --log-range N           largest eth_getLogs block range (default 5000)
  --receipt-timeout D     wait for a receipt before asking the chain again (default 60s)
  --stop-grace D          on SIGINT/SIGTERM, wait this long for a transaction in flight (default 15s)
  --backoff-initial D     first retry delay (default 250ms); doubles up to --backoff-max (default 30s)
  --log-level L           debug | info | warn | error (default info)

The key comes only from the KEEPER_PRIVATE_KEY environment variable. SIGINT/SIGTERM stop it cleanly (exit 0);
a second signal exits at once.
`;

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

function options() {
  const { values } = parseArgs({
    options: {
      "rpc-url": { type: "string" },
      factory: { type: "string" },
      state: { type: "string" },
      "from-block": { type: "string" },
      "poll-interval": { type: "string" },
      "max-periods": { type: "string" },
      confirmations: { type: "string" },
      "log-range": { type: "string" },
      "receipt-timeout": { type: "string" },
      "stop-grace": { type: "string" },
      "backoff-initial": { type: "string" },
      "backoff-max": { type: "string" },
      "log-level": { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const rpcUrl = values["rpc-url"];
  if (!rpcUrl) throw new UsageError("--rpc-url is required");
  const factory = values.factory;
  if (!factory || !isAddress(factory, { strict: false }))
    throw new UsageError("--factory must be the DealFactory's address");
  const level = (values["log-level"] ?? "info") as LogLevel;
  if (!LEVELS.includes(level))
    throw new UsageError(`--log-level must be one of ${LEVELS.join(", ")}`);
  const maxPeriods = Number(parseInteger(values["max-periods"] ?? "4", "--max-periods"));
  if (maxPeriods < 1) throw new UsageError("--max-periods must be at least 1");
  return {
    rpcUrl,
    factory: getAddress(factory) as Address,
    state: values.state,
    fromBlock: parseInteger(values["from-block"] ?? "0", "--from-block"),
    pollIntervalMs: parseMs(values["poll-interval"] ?? "5s", "--poll-interval"),
    maxPeriods,
    confirmations: parseInteger(values.confirmations ?? "0", "--confirmations"),
    logBlockRange: parseInteger(values["log-range"] ?? "5000", "--log-range"),
    receiptTimeoutMs: parseMs(values["receipt-timeout"] ?? "60s", "--receipt-timeout"),
    stopGraceMs: parseMs(values["stop-grace"] ?? "15s", "--stop-grace"),
    backoff: {
      ...DEFAULT_BACKOFF,
      initialDelayMs: parseMs(values["backoff-initial"] ?? "250ms", "--backoff-initial"),
      maxDelayMs: parseMs(values["backoff-max"] ?? "30s", "--backoff-max"),
    },
    level,
  };
}

async function main(): Promise<number> {
  let opts: ReturnType<typeof options>;
  let key: `0x${string}`;
  try {
    opts = options();
    key = privateKeyFromEnv("KEEPER_PRIVATE_KEY");
  } catch (e) {
    process.stderr.write(`keeper: ${(e as Error).message}\n`);
    return 2;
  }
  const log = jsonLogger((line) => process.stdout.write(`${line}\n`), { minLevel: opts.level });
  const account = localAccount(key);

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
    store: opts.state === undefined ? undefined : fileStateStore(opts.state),
  });
  if (startup.signal.aborted) void service.stop("signal during startup");
  await service.run();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stdout.write(
      `${JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "keeper crashed", error: describeError(e) })}\n`,
    );
    process.exit(1);
  },
);
