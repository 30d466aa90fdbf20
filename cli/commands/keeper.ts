/**
 * `cascade keeper run`: the keeper service of `npm run keeper` (scripts/lib/keeper-run.ts) for the recorded factory,
 * or with `--once` one pass over the deals that runs every ready period and exits (for cron jobs and scripts).
 */
import type { Command } from "commander";
import { getAddress, isAddress } from "viem";

import type { CascadeClient, DistributeReadyReturnType } from "../../sdk/index.js";
import { UsageError } from "../../scripts/lib/cli.js";
import { keeperOptions, runKeeper, type KeeperFlags } from "../../scripts/lib/keeper-run.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import { decimalsOf, stablecoinOf } from "../lib/deals.js";
import { emit, money, print, table, withProgress } from "../lib/output.js";

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
        const { address, record } = ctx.deal(ref);
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
            r.statements.length ? r.statements.map((s) => s.period).join(", ") : "none ready",
            r.nextPeriod,
            money(r.bountyEarned, r.decimals),
            r.transactionHashes.length,
          ]),
        ),
      ),
  );
}

async function service(ctx: Context, o: KeeperCommandOptions): Promise<number> {
  let factory = ctx.deployment.protocol?.factory;
  if (o.factory !== undefined) {
    if (!isAddress(o.factory, { strict: false }))
      throw new UsageError("--factory must be an address");
    factory = getAddress(o.factory);
  }
  if (!factory) factory = ctx.protocol().factory;
  const opts = keeperOptions(ctx.endpoint.url, factory, {
    ...o,
    fromBlock: o.fromBlock ?? ctx.deployment.protocol?.blockNumber,
  });
  return runKeeper(opts, await ctx.signer());
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
    .option("--factory <address>", "keep this factory's deals (default: the recorded one)")
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
      const ctx = await Context.open(globals());
      if (o.once) return once(ctx, o);
      process.exitCode = await service(ctx, o);
    });
}
