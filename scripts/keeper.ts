/**
 * Cascade keeper: runs the waterfall of every deal of a factory as its periods become ready, for the keeper
 * bounty. Logs one JSON object per line on stdout. `cascade keeper run` runs the same code (scripts/lib/keeper-run.ts).
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

import { getAddress, isAddress } from "viem";

import { localAccount, privateKeyFromEnv, UsageError } from "./lib/cli.js";
import {
  keeperCrashLine,
  keeperOptions,
  runKeeper,
  type KeeperRunOptions,
} from "./lib/keeper-run.js";

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

function options(): KeeperRunOptions {
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
  return keeperOptions(rpcUrl, getAddress(factory), {
    state: values.state,
    fromBlock: values["from-block"],
    pollInterval: values["poll-interval"],
    maxPeriods: values["max-periods"],
    confirmations: values.confirmations,
    logRange: values["log-range"],
    receiptTimeout: values["receipt-timeout"],
    stopGrace: values["stop-grace"],
    backoffInitial: values["backoff-initial"],
    backoffMax: values["backoff-max"],
    logLevel: values["log-level"],
  });
}

async function main(): Promise<number> {
  let opts: KeeperRunOptions;
  let key: `0x${string}`;
  try {
    opts = options();
    key = privateKeyFromEnv("KEEPER_PRIVATE_KEY");
  } catch (e) {
    process.stderr.write(`keeper: ${(e as Error).message}\n`);
    return 2;
  }
  return runKeeper(opts, localAccount(key));
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stdout.write(keeperCrashLine(e));
    process.exit(1);
  },
);
