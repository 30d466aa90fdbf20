/**
 * The investor's commands: `subscribe` (eligibility and the offering's terms checked before anything is signed),
 * `claim` (tokens from closed offerings, then coupons and principal, over several deals or `--all`), `position`,
 * `positions` (every deal of the factory) and `transfer` (the token's ERC-1404 check first).
 */
import type { Command } from "commander";
import type { Address } from "viem";
import { readContract } from "viem/actions";

import {
  TransferRestriction,
  TransferRestrictedError,
  trancheTokenAbi,
  TrancheKind,
  type CascadeClient,
  type PositionReturnType,
  type TranchePosition,
} from "../../sdk/index.js";
import { UsageError } from "../lib/args.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import {
  dealTranches,
  decimalsOf,
  iso,
  parseAmount,
  selectTranches,
  stablecoinOf,
  type TrancheRef,
} from "../lib/deals.js";
import {
  parseWallet,
  at,
  dealLabel,
  partialSummary,
  recordJson,
  recordRows,
  scanStart,
  wadDecimal,
  withUnits,
} from "../lib/holdings.js";
import { emit, keyValues, money, print, table, withProgress } from "../lib/output.js";

// ------------------------------------------------------------------ subscribe

async function subscribe(
  ctx: Context,
  ref: string,
  o: { tranche: string; amount: string; method?: "permit" | "approve" },
) {
  const { address: deal } = await ctx.deal(ref);
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const [tranche] = selectTranches(await dealTranches(client, deal), o.tranche);
  const d = await decimalsOf(client, await stablecoinOf(client, deal));
  const assets = parseAmount(o.amount, d, "--amount");
  // The SDK checks the offering's terms and the subscriber's eligibility before signing a permit or approving.
  const r = await withProgress(
    ctx.json,
    `subscribing ${money(assets, d)} to ${tranche.symbol}`,
    () => wallet.subscribe({ offering: tranche.offering, assets, method: o.method }),
    (x) =>
      `subscribed ${money(x.assets, d)} to ${tranche.symbol} (${x.method}); pending ${money(x.pending, d)}`,
  );
  emit(
    ctx.json,
    { deal, tranche: tranche.index, symbol: tranche.symbol, offering: tranche.offering, ...r },
    () =>
      print(
        table(
          ["tranche", "subscribed", "pending request", "method", "transaction"],
          [[tranche.symbol, money(r.assets, d), money(r.pending, d), r.method, r.transactionHash]],
        ),
      ),
  );
}

// ------------------------------------------------------------------ claim

async function claim(ctx: Context, refs: string[], o: { tranche?: string; all?: boolean }) {
  if (o.all && refs.length > 0) throw new UsageError("give deals or --all, not both");
  if (!o.all && refs.length === 0) throw new UsageError("name at least one deal, or --all");
  if (o.all && o.tranche !== undefined) throw new UsageError("--tranche needs named deals");
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const holder = wallet.account.address;
  let deals: { deal: Address; tranches?: number[] }[];
  if (o.all) {
    const { factory } = ctx.protocol();
    const all = await wallet.positions({ factory, investor: holder });
    deals = all.positions
      .filter((p) =>
        p.tranches.some((t) => t.claimable > 0n || t.claimableRequest > 0n || t.refundable > 0n),
      )
      .map((p) => ({ deal: p.deal }));
  } else {
    deals = [];
    const seen = new Set<string>();
    for (const ref of refs) {
      const { address } = await ctx.deal(ref);
      if (seen.has(address.toLowerCase())) continue;
      seen.add(address.toLowerCase());
      const tranches =
        o.tranche === undefined
          ? undefined
          : selectTranches(await dealTranches(client, address), o.tranche).map((t) => t.index);
      deals.push({ deal: address, tranches });
    }
  }
  const r = await withProgress(
    ctx.json,
    `claiming for ${holder} in ${deals.length} deal${deals.length === 1 ? "" : "s"}`,
    (p) => wallet.claimDeals({ deals, onProgress: (step) => p.step(step) }),
    (x) =>
      `${x.claims.filter((c) => c.outcome === "claimed").length} claimed, ` +
      `${x.claims.filter((c) => c.outcome === "nothing to claim").length} with nothing to claim` +
      (x.complete
        ? ""
        : `, ${x.claims.filter((c) => !["claimed", "nothing to claim"].includes(c.outcome)).length} not done`),
  );
  const rows = r.claims.map((c) => ({
    deal: c.deal,
    name: dealLabel(ctx, c.deal),
    tranche: c.index,
    symbol: c.symbol,
    outcome: c.outcome,
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    ...withUnits(
      { shares: c.shares, refunded: c.refunded, claimed: c.cash },
      ["shares", "refunded", "claimed"],
      c.decimals,
    ),
    transactionHashes: c.transactionHashes,
  }));
  // One deal named: the shape of its own claim (`tranches`); several: every deal's rows (`claims`).
  const json =
    !o.all && deals.length === 1
      ? { deal: deals[0].deal, investor: holder, complete: r.complete, tranches: rows }
      : { investor: holder, complete: r.complete, claims: rows };
  emit(ctx.json, json, () =>
    print(
      deals.length === 0
        ? `nothing to claim for ${holder} in any deal of the factory`
        : table(
            ["deal", "tranche", "tokens received", "refunded", "cash claimed", "result"],
            r.claims.map((c) => [
              dealLabel(ctx, c.deal),
              c.symbol,
              money(c.shares, c.decimals),
              money(c.refunded, c.decimals),
              money(c.cash, c.decimals),
              c.reason === undefined ? c.outcome : `${c.outcome}: ${c.reason}`,
            ]),
          ),
    ),
  );
  if (!r.complete) {
    const notDone = r.claims
      .filter((c) => c.outcome !== "claimed" && c.outcome !== "nothing to claim")
      .map((c) => `${dealLabel(ctx, c.deal)} ${c.symbol} (${c.outcome})`);
    process.stderr.write(
      `cascade: ${partialSummary(r.claims.length - notDone.length, r.claims.length, notDone)}\n`,
    );
    process.exitCode = 1;
  }
}

// ------------------------------------------------------------------ position, positions

/** The holder argument, or the signer's address when none is given. */
async function holderOf(ctx: Context, holder: string | undefined): Promise<Address> {
  if (holder !== undefined) return parseWallet(holder, "holder");
  return (await ctx.signer()).address;
}

const AMOUNTS = [
  "balance",
  "faceOutstanding",
  "claimable",
  "claimed",
  "pendingRequest",
  "claimableRequest",
  "refundable",
  "frozen",
  "fresh",
  "transferable",
] as const;

function trancheJson(t: TranchePosition, decimals: number) {
  return {
    ...withUnits(t, AMOUNTS, decimals),
    kindName: t.kind === TrancheKind.Equity ? "equity" : "note",
    factorDecimal: wadDecimal(t.factor),
    freshReleasedAtIso: t.freshReleasedAt === 0n ? undefined : iso(t.freshReleasedAt),
    voteLockedUntilIso: t.voteLockedUntil === 0n ? undefined : iso(t.voteLockedUntil),
  };
}

function positionJson(ctx: Context, p: PositionReturnType) {
  return {
    deal: p.deal,
    name: dealLabel(ctx, p.deal),
    holder: p.investor,
    blockNumber: p.blockNumber,
    timestamp: p.timestamp,
    timestampIso: iso(p.timestamp),
    stablecoin: p.stablecoin,
    symbol: p.stablecoinSymbol,
    decimals: p.decimals,
    record: p.record ? { registry: p.record.registry, ...recordJson(p.record) } : undefined,
    tranches: p.tranches.map((t) => trancheJson(t, p.decimals)),
  };
}

/** What keeps tokens in place, one line each: holding-period lots, frozen tokens, vote locks. */
function lockLines(p: PositionReturnType): string[] {
  const lines: string[] = [];
  const d = p.decimals;
  for (const t of p.tranches) {
    if (t.fresh > 0n)
      lines.push(
        `${t.symbol}: ${money(t.fresh, d)} tokens in their holding period until ${at(t.freshReleasedAt, p.timestamp)}`,
      );
    if (t.frozen > 0n)
      lines.push(`${t.symbol}: ${money(t.frozen, d)} tokens frozen by the compliance agent`);
    if (t.voteLocked)
      lines.push(
        `${t.symbol}: every token locked by a waiver vote until ${at(t.voteLockedUntil, p.timestamp)}`,
      );
  }
  return lines;
}

async function showPosition(ctx: Context, ref: string, holderArg: string | undefined) {
  const holder = await holderOf(ctx, holderArg);
  const { address: deal } = await ctx.deal(ref);
  const p = await ctx
    .reader()
    .position({ deal, investor: holder, fromBlock: scanStart(ctx, deal) });
  emit(ctx.json, positionJson(ctx, p), () => {
    const d = p.decimals;
    print(
      keyValues(
        [
          ["deal", `${dealLabel(ctx, deal)} (${deal})`],
          ["holder", holder],
          ["as of", `block ${p.blockNumber}, ${iso(p.timestamp)}`],
          ["amounts in", p.stablecoinSymbol],
          ...(p.record
            ? recordRows(p.record, p.timestamp)
            : [["registry", "none (unrestricted tokens)"] as [string, string]]),
        ],
        "position",
      ),
    );
    print(
      table(
        [
          "tranche",
          "tokens",
          "factor",
          "face outstanding",
          "claimable",
          "claimed to date",
          "may claim and send",
        ],
        p.tranches.map((t) => [
          t.symbol,
          money(t.balance, d),
          wadDecimal(t.factor),
          money(t.faceOutstanding, d),
          money(t.claimable, d),
          money(t.claimed ?? 0n, d),
          t.eligibility.code === 0 ? "yes" : `no: ${t.eligibility.message}`,
        ]),
      ),
    );
    const offered = p.tranches.filter(
      (t) => t.pendingRequest > 0n || t.claimableRequest > 0n || t.refundable > 0n,
    );
    if (offered.length > 0)
      print(
        table(
          ["offering", "request pending", "tokens to claim", "refundable"],
          offered.map((t) => [
            t.symbol,
            money(t.pendingRequest, d),
            money(t.claimableRequest, d),
            money(t.refundable, d),
          ]),
        ),
      );
    const locks = lockLines(p);
    print(locks.length === 0 ? "locks: none" : `locks:\n  ${locks.join("\n  ")}`);
  });
}

async function showPositions(ctx: Context, holderArg: string | undefined) {
  const holder = await holderOf(ctx, holderArg);
  const { factory } = ctx.protocol();
  const r = await ctx.reader().positions({ factory, investor: holder });
  emit(
    ctx.json,
    {
      holder,
      factory,
      blockNumber: r.blockNumber,
      dealCount: r.dealCount,
      positions: r.positions.map((p) => positionJson(ctx, p)),
      totals: r.totals.map((t) =>
        withUnits(
          t,
          ["faceOutstanding", "claimable", "pendingRequest", "claimableRequest", "refundable"],
          t.decimals,
        ),
      ),
    },
    () => {
      if (r.positions.length === 0) {
        print(`${holder} holds nothing in the ${r.dealCount} deals of factory ${factory}`);
        return;
      }
      print(
        table(
          [
            "deal",
            "tranche",
            "tokens",
            "factor",
            "face outstanding",
            "claimable",
            "in offering",
            "may claim and send",
          ],
          r.positions.flatMap((p) =>
            p.tranches.map((t) => [
              dealLabel(ctx, p.deal),
              t.symbol,
              money(t.balance, p.decimals),
              wadDecimal(t.factor),
              money(t.faceOutstanding, p.decimals),
              money(t.claimable, p.decimals),
              money(t.pendingRequest + t.claimableRequest + t.refundable, p.decimals),
              t.eligibility.code === 0 ? "yes" : `no: ${t.eligibility.message}`,
            ]),
          ),
        ),
      );
      print(
        table(
          [
            "totals",
            "face outstanding",
            "claimable",
            "request pending",
            "tokens to claim",
            "refundable",
          ],
          r.totals.map((t) => [
            t.symbol,
            money(t.faceOutstanding, t.decimals),
            money(t.claimable, t.decimals),
            money(t.pendingRequest, t.decimals),
            money(t.claimableRequest, t.decimals),
            money(t.refundable, t.decimals),
          ]),
        ),
      );
    },
  );
}

// ------------------------------------------------------------------ transfer

/** Adds what a person needs to the token's sentence: when held tokens are released, until when a vote locks them. */
async function explainRefusal(
  e: TransferRestrictedError,
  client: CascadeClient,
  t: TrancheRef,
  from: Address,
  d: number,
): Promise<void> {
  const held = e.details.holdingPeriod as
    { fresh: bigint; releasedAt: bigint; transferable: bigint } | undefined;
  if (e.code === TransferRestriction.HoldingPeriod && held)
    e.message +=
      ` ${money(held.transferable, d)} may go to another investor now; ${money(held.fresh, d)} from ` +
      `${iso(held.releasedAt)}.`;
  if (e.code === TransferRestriction.TokensLocked) {
    const until = await readContract(client, {
      address: t.token,
      abi: trancheTokenAbi,
      functionName: "lockedUntil",
      args: [from],
    });
    e.message += ` They are locked until ${iso(until)}.`;
  }
}

async function transfer(
  ctx: Context,
  ref: string,
  o: { tranche: string; to: string; amount: string },
) {
  const to = parseWallet(o.to, "--to");
  const { address: deal } = await ctx.deal(ref);
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const [t] = selectTranches(await dealTranches(client, deal), o.tranche);
  const d = await decimalsOf(client, await stablecoinOf(client, deal));
  const amount = parseAmount(o.amount, d, "--amount");
  const from = wallet.account.address;
  if (amount === 0n) throw new UsageError("--amount must be positive");
  const r = await withProgress(
    ctx.json,
    `transferring ${money(amount, d)} ${t.symbol} to ${to}`,
    async () => {
      try {
        return await wallet.transfer({ token: t.token, to, amount });
      } catch (e) {
        if (e instanceof TransferRestrictedError) await explainRefusal(e, client, t, from, d);
        throw e;
      }
    },
    () => `transferred ${money(amount, d)} ${t.symbol} to ${to}`,
  );
  const balance = (who: Address) =>
    readContract(client, {
      address: t.token,
      abi: trancheTokenAbi,
      functionName: "balanceOf",
      args: [who],
    });
  const [fromBalance, toBalance] = await Promise.all([balance(from), balance(to)]);
  emit(
    ctx.json,
    {
      deal,
      tranche: t.index,
      symbol: t.symbol,
      token: t.token,
      from,
      to,
      ...withUnits({ amount, fromBalance, toBalance }, ["amount", "fromBalance", "toBalance"], d),
      transactionHash: r.transactionHash,
    },
    () =>
      print(
        keyValues([
          ["tranche", t.symbol],
          ["from", `${from} (now ${money(fromBalance, d)})`],
          ["to", `${to} (now ${money(toBalance, d)})`],
          ["amount", money(amount, d)],
          ["transaction", r.transactionHash],
        ]),
      ),
  );
}

export function registerInvestor(program: Command, globals: () => GlobalOptions): void {
  program
    .command("subscribe <deal>")
    .description(
      "request a subscription to a tranche's offering (EIP-2612 permit, or approve + request); the offering's " +
        "window and minimum ticket, the balance and the subscriber's eligibility are checked before anything is signed",
    )
    .requiredOption("--tranche <index|symbol>", "the tranche")
    .requiredOption("--amount <units>", "stablecoin to subscribe, in whole units (e.g. 250,000)")
    .option("--method <permit|approve>", "force the permit or the approve path")
    .action(
      async (
        ref: string,
        o: { tranche: string; amount: string; method?: "permit" | "approve" },
      ) => {
        if (o.method !== undefined && o.method !== "permit" && o.method !== "approve")
          throw new UsageError("--method must be permit or approve");
        await subscribe(await Context.open(globals()), ref, o);
      },
    );

  program
    .command("claim [deals...]")
    .description(
      "claim tranche tokens (and refunds) from closed offerings, then coupons and principal, in each deal named " +
        "(or --all); a run stopped half-way says what was not done and exits 1, and running it again finishes the job",
    )
    .option("--tranche <index|symbol>", "only this tranche of each deal")
    .option("--all", "every deal of the factory where the sender has something to claim")
    .action(async (refs: string[], o: { tranche?: string; all?: boolean }) =>
      claim(await Context.open(globals()), refs, o),
    );

  program
    .command("position <deal> [holder]")
    .description(
      "a holder's position in a deal (default: the signer's): tokens, factor, face outstanding, claimable and " +
        "claimed cash, offering requests, registry record and locks; no key needed when the holder is given",
    )
    .action(async (ref: string, holder: string | undefined) =>
      showPosition(await Context.open(globals()), ref, holder),
    );

  program
    .command("positions [holder]")
    .description(
      "a holder's positions in every deal of the factory (default: the signer's), with totals per stablecoin",
    )
    .action(async (holder: string | undefined) =>
      showPositions(await Context.open(globals()), holder),
    );

  program
    .command("transfer <deal>")
    .description(
      "transfer tranche tokens; the token's ERC-1404 check runs first and a refusal prints its reason, sending nothing",
    )
    .requiredOption("--tranche <index|symbol>", "the tranche")
    .requiredOption("--to <address>", "the receiver")
    .requiredOption("--amount <units>", "tokens, in whole units (one per unit of face at issue)")
    .action(async (ref: string, o: { tranche: string; to: string; amount: string }) =>
      transfer(await Context.open(globals()), ref, o),
    );
}
