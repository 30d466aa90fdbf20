/**
 * `cascade keeper run`: the keeper service (cli/lib/keeper-run.ts) for a factory's deals, or with `--once` one pass
 * over the recorded deals that runs every ready period and exits (for cron jobs and scripts). `npm run keeper` is
 * this command with the key in KEEPER_PRIVATE_KEY.
 */
import type { Command } from "commander";
import type { LocalAccount } from "viem";

import type { CascadeClient, DistributeReadyReturnType } from "../../sdk/index.js";
import { parseAddress, UsageError } from "../lib/args.js";
import {
  keeperCrashLine,
  keeperOptions,
  runKeeper,
  type KeeperFlags,
  type KeeperRunOptions,
} from "../lib/keeper-run.js";
import { Context, endpointOf, loadSigner, type GlobalOptions } from "../lib/context.js";
import { decimalsOf, stablecoinOf } from "../lib/deals.js";
import { emit, money, print, table, withProgress } from "../lib/output.js";

/** Statuses in which a deal runs periods; a deal in any other (its offering, or ended) is skipped. */
const RUNNING = new Set(["Active", "CashTrap", "Accelerated"]);

interface KeeperCommandOptions extends KeeperFlags {
  once?: boolean;
  deal: string[];
  factory?: string;
}

async function once(ctx: Context, o: KeeperCommandOptions) {
  const refs = o.deal.length > 0 ? o.deal : Object.keys(ctx.deployment.deals);
  if (refs.length === 0)
    throw new UsageError(`no deals recorded for chain ${ctx.chain.id}: give --deal <address>`);
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const maxPeriods = Number(o.maxPeriods ?? "4");
  const rows = await withProgress(
    ctx.json,
    `keeping ${refs.length} deal${refs.length === 1 ? "" : "s"}`,
    async (p) => {
      const out: (DistributeReadyReturnType & { deal: string; name: string; decimals: number })[] =
        [];
      for (const ref of refs) {
        const { address, record } = await ctx.deal(ref);
        p.step(`${record?.name ?? address}: running ready periods`);
        const r = await wallet.distributeReady({
          deal: address,
          periodsPerTransaction: maxPeriods,
        });
        const decimals = await decimalsOf(client, await stablecoinOf(client, address));
        out.push({ ...r, deal: address, name: record?.name ?? address, decimals });
      }
      return out;
    },
    (r) => `${r.reduce((a, x) => a + x.statements.length, 0)} period(s) distributed`,
  );
  emit(
    ctx.json,
    rows.map((r) => ({
      deal: r.deal,
      name: r.name,
      periods: r.statements.map((s) => s.period),
      nextPeriod: r.nextPeriod,
      status: r.statusName,
      skipped: !RUNNING.has(r.statusName),
      bountyEarned: r.bountyEarned,
      distributedByOthers: r.distributedByOthers,
      transactionHashes: r.transactionHashes,
      statements: r.statements,
    })),
    () =>
      print(
        table(
          ["deal", "periods distributed", "next period", "bounty earned", "transactions"],
          rows.map((r) => [
            r.name,
            r.statements.length
              ? r.statements.map((s) => s.period).join(", ")
              : RUNNING.has(r.statusName)
                ? "none ready"
                : `none: ${r.statusName}, skipped`,
            r.nextPeriod,
            money(r.bountyEarned, r.decimals),
            r.transactionHashes.length,
          ]),
        ),
      ),
  );
}

/**
 * The keeper service. With `--factory` it needs neither the address book nor a node that answers yet (it waits for
 * the node with its back-off); without it, the recorded factory and its deployment block. A crash is logged as a
 * JSON line, like everything the service says, and exits 1.
 */
async function service(g: GlobalOptions, o: KeeperCommandOptions): Promise<number> {
  let opts: KeeperRunOptions;
  let account: LocalAccount;
  if (o.factory !== undefined) {
    const endpoint = endpointOf(g);
    opts = keeperOptions(endpoint.url, parseAddress(o.factory, "--factory"), o);
    account = await loadSigner(g, endpoint);
  } else {
    const ctx = await Context.open(g);
    opts = keeperOptions(ctx.endpoint.url, ctx.protocol().factory, {
      ...o,
      fromBlock: o.fromBlock ?? ctx.deployment.protocol?.blockNumber,
    });
    account = await ctx.signer();
  }
  try {
    return await runKeeper(opts, account);
  } catch (e) {
    process.stdout.write(keeperCrashLine(e));
    return 1;
  }
}

export function registerKeeper(program: Command, globals: () => GlobalOptions): void {
  program
    .command("keeper")
    .description("keepers run the waterfall of every ready period, for the keeper bounty")
    .command("run")
    .description(
      "run the keeper service for the recorded factory (JSON log lines; Ctrl-C stops it cleanly), or with --once " +
        "run every ready period of the recorded deals and exit",
    )
    .option("--once", "one pass over the deals, then exit")
    .option(
      "--deal <deal>",
      "with --once: only this deal (name or address; repeatable)",
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option(
      "--factory <address>",
      "keep this factory's deals (default: the recorded one); needs no address book",
    )
    .option("--state <file>", "keep the scan cursor and the deals found in this file between runs")
    .option(
      "--from-block <n>",
      "first block to scan without state (default: the protocol's deployment block)",
    )
    .option("--poll-interval <d>", "pause between polls, e.g. 5s, 500ms", "5s")
    .option("--max-periods <n>", "periods one transaction may catch up", "4")
    .option("--confirmations <n>", "blocks behind the head to scan to", "0")
    .option("--log-range <n>", "largest eth_getLogs block range", "5000")
    .option("--receipt-timeout <d>", "wait for a receipt before asking the chain again", "60s")
    .option(
      "--stop-grace <d>",
      "on SIGINT/SIGTERM, wait this long for a transaction in flight",
      "15s",
    )
    .option("--backoff-initial <d>", "first retry delay (doubles up to --backoff-max)", "250ms")
    .option("--backoff-max <d>", "longest retry delay", "30s")
    .option("--log-level <level>", "debug | info | warn | error", "info")
    .action(async (o: KeeperCommandOptions) => {
      if (o.once) return once(await Context.open(globals()), o);
      process.exitCode = await service(globals(), o);
    });
}
