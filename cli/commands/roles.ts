/**
 * The issuer's, investors', servicer's, trustee's and compliance agent's commands: `investors add`, `subscribe`,
 * `offering close`, `claim`, `collections deposit`, `fees withdraw`, `proceeds withdraw`, `residual withdraw`.
 */
import type { Command } from "commander";
import { getAddress, isAddress } from "viem";
import { readContract } from "viem/actions";

import {
  INVESTOR_CLASSES,
  investorClassMask,
  offeringAbi,
  type CascadeClient,
} from "../../sdk/index.js";
import { UsageError } from "../lib/args.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import {
  dealTranches,
  decimalsOf,
  iso,
  parseAmount,
  parseChainTime,
  selectTranches,
  stablecoinOf,
} from "../lib/deals.js";
import { emit, money, print, table, withProgress } from "../lib/output.js";

function intOption(v: string, flag: string, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) > max)
    throw new UsageError(`${flag} "${v}" must be a whole number ≤ ${max}`);
  return Number(v);
}

async function investorsAdd(
  ctx: Context,
  wallets: string[],
  o: { country: string; classes: string; kycExpiry: string },
) {
  const { investorRegistry } = ctx.protocol();
  const investors = wallets.map((w) => {
    if (!isAddress(w, { strict: false })) throw new UsageError(`"${w}" is not an address`);
    return getAddress(w);
  });
  const country = intOption(o.country, "--country", 999);
  const classes = investorClassMask(o.classes);
  if (typeof classes === "string") throw new UsageError(`--classes: ${classes}`);
  const wallet = await ctx.wallet();
  const kycExpiry = await parseChainTime(
    wallet as unknown as CascadeClient,
    o.kycExpiry,
    "--kyc-expiry",
  );
  const results = await withProgress(
    ctx.json,
    `registering ${investors.length} investor${investors.length === 1 ? "" : "s"} in ${investorRegistry}`,
    (p) =>
      wallet.registerInvestors({
        registry: investorRegistry,
        investors: investors.map((w) => ({ wallet: w, kycExpiry, country, classes })),
        onProgress: (done, total, r) =>
          p.step(
            `${done}/${total} ${r.wallet} ${r.registered ? "registered" : "already registered"}`,
          ),
      }),
    (r) =>
      `${r.filter((x) => x.registered).length} registered, ${r.filter((x) => !x.registered).length} already there`,
  );
  emit(
    ctx.json,
    { registry: investorRegistry, kycExpiry, country, classes, investors: results },
    () =>
      print(
        table(
          ["wallet", "identity", "result", "KYC until", "country", "classes", "transaction"],
          results.map((r) => [
            r.wallet,
            r.identity,
            r.registered ? "registered" : "already registered",
            iso(kycExpiry),
            country,
            classes,
            r.transactionHash ?? "",
          ]),
        ),
      ),
  );
}

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

async function offeringClose(ctx: Context, ref: string, o: { tranche?: string }) {
  const { address: deal } = await ctx.deal(ref);
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const tranches = selectTranches(await dealTranches(client, deal), o.tranche);
  const d = await decimalsOf(client, await stablecoinOf(client, deal));
  const rows = await withProgress(
    ctx.json,
    `closing ${tranches.length} offering${tranches.length === 1 ? "" : "s"}`,
    async (p) => {
      const out = [];
      for (const t of tranches) {
        const [isClosed, failed] = await readContract(client, {
          address: t.offering,
          abi: offeringAbi,
          functionName: "closed",
        });
        if (isClosed) {
          out.push({ tranche: t.index, symbol: t.symbol, closed: "already", failed });
          continue;
        }
        p.step(`closing ${t.symbol}`);
        const r = await wallet.closeOffering({ offering: t.offering });
        out.push({ tranche: t.index, symbol: t.symbol, closed: "now", ...r });
      }
      return out;
    },
    (r) =>
      `${r.filter((x) => x.closed === "now").length} closed, ${r.filter((x) => x.closed === "already").length} already closed`,
  );
  emit(ctx.json, { deal, offerings: rows }, () =>
    print(
      table(
        ["tranche", "closed", "requested", "accepted", "to issuer", "to reserve", "result"],
        rows.map((r) =>
          "requested" in r
            ? [
                r.symbol,
                r.closed,
                money(r.requested, d),
                money(r.accepted, d),
                money(r.proceeds, d),
                money(r.reserveFunding, d),
                r.failed ? "minimum raise missed: refunds" : r.dealActivated ? "deal active" : "ok",
              ]
            : [r.symbol, r.closed, "", "", "", "", r.failed ? "failed" : ""],
        ),
      ),
    ),
  );
}

async function claim(ctx: Context, ref: string, o: { tranche?: string }) {
  const { address: deal } = await ctx.deal(ref);
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const tranches = selectTranches(await dealTranches(client, deal), o.tranche);
  const d = await decimalsOf(client, await stablecoinOf(client, deal));
  const investor = wallet.account.address;
  const rows = await withProgress(
    ctx.json,
    `claiming for ${investor}`,
    async (p) => {
      const pos = await wallet.position({ deal, investor });
      const out = [];
      for (const t of tranches) {
        const tp = pos.tranches[t.index];
        let shares = 0n;
        let refunded = 0n;
        if (tp.claimableRequest > 0n || tp.refundable > 0n) {
          p.step(`claiming ${t.symbol} tokens from the offering`);
          ({ shares, refunded } = await wallet.claimShares({ offering: t.offering }));
        }
        p.step(`claiming ${t.symbol} coupons and principal`);
        const cash = await wallet.claim({ token: t.token });
        out.push({
          tranche: t.index,
          symbol: t.symbol,
          shares,
          refunded,
          claimed: cash.amount,
          transactionHash: cash.transactionHash,
        });
      }
      return out;
    },
    (r) =>
      `claimed ${money(
        r.reduce((a, x) => a + x.claimed, 0n),
        d,
      )} in cash, ${money(
        r.reduce((a, x) => a + x.shares, 0n),
        d,
      )} in tokens`,
  );
  emit(ctx.json, { deal, investor, tranches: rows }, () =>
    print(
      table(
        ["tranche", "tokens received", "refunded", "cash claimed"],
        rows.map((r) => [r.symbol, money(r.shares, d), money(r.refunded, d), money(r.claimed, d)]),
      ),
    ),
  );
}

/** The deal named `ref`, the sender's wallet and the deal stablecoin's decimals. */
async function dealWallet(ctx: Context, ref: string) {
  const { address: deal } = await ctx.deal(ref);
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const d = await decimalsOf(client, await stablecoinOf(client, deal));
  return { deal, wallet, d };
}

async function collectionsDeposit(ctx: Context, ref: string, o: { amount: string }) {
  const { deal, wallet, d } = await dealWallet(ctx, ref);
  const amount = parseAmount(o.amount, d, "--amount");
  const r = await withProgress(
    ctx.json,
    `depositing ${money(amount, d)} of collections`,
    () => wallet.depositCollections({ deal, amount }),
    (x) =>
      `deposited ${money(x.amount, d)}; the deal holds ${money(x.undistributed, d)} undistributed`,
  );
  emit(ctx.json, { deal, ...r }, () =>
    print(
      table(
        ["deposited", "undistributed", "transaction"],
        [[money(r.amount, d), money(r.undistributed, d), r.transactionHash]],
      ),
    ),
  );
}

async function feesWithdraw(ctx: Context, ref: string) {
  const { deal, wallet, d } = await dealWallet(ctx, ref);
  const r = await withProgress(
    ctx.json,
    `withdrawing the fees ${wallet.account.address} is owed`,
    () => wallet.withdrawFees({ deal }),
    (x) => `withdrew ${money(x.amount, d)}`,
  );
  emit(ctx.json, { deal, recipient: wallet.account.address, ...r }, () =>
    print(
      table(
        ["as trustee", "as servicer", "withdrawn", "transaction"],
        [
          [
            money(r.trusteeFees, d),
            money(r.servicerFees, d),
            money(r.amount, d),
            r.transactionHash,
          ],
        ],
      ),
    ),
  );
}

async function proceedsWithdraw(ctx: Context, ref: string) {
  const { deal, wallet, d } = await dealWallet(ctx, ref);
  const r = await withProgress(
    ctx.json,
    "withdrawing the offerings' proceeds",
    () => wallet.withdrawProceeds({ deal }),
    (x) => `withdrew ${money(x.total, d)} from ${x.withdrawals.length} offering(s)`,
  );
  emit(ctx.json, { deal, issuer: wallet.account.address, ...r }, () =>
    print(
      table(
        ["tranche", "offering", "withdrawn", "transaction"],
        r.withdrawals.map((w) => [w.tranche, w.offering, money(w.proceeds, d), w.transactionHash]),
      ),
    ),
  );
}

async function residualWithdraw(ctx: Context, ref: string) {
  const { deal, wallet, d } = await dealWallet(ctx, ref);
  const r = await withProgress(
    ctx.json,
    "withdrawing the residual credited to the issuer",
    () => wallet.withdrawResidual({ deal }),
    (x) => `withdrew ${money(x.amount, d)}`,
  );
  emit(ctx.json, { deal, issuer: wallet.account.address, ...r }, () =>
    print(table(["withdrawn", "transaction"], [[money(r.amount, d), r.transactionHash]])),
  );
}

export function registerRoles(program: Command, globals: () => GlobalOptions): void {
  const investors = program
    .command("investors")
    .description("the investor registry (compliance agent)");
  investors
    .command("add <wallet...>")
    .description(
      "register investors (one identity per wallet); wallets registered already are skipped",
    )
    .option("--country <code>", "ISO 3166-1 numeric country code", "840")
    .option(
      "--classes <names|flags>",
      `investor classes, comma-separated names (${Object.keys(INVESTOR_CLASSES).join(", ")}) or a flag mask`,
      "accredited",
    )
    .option("--kyc-expiry <time>", "KYC valid until (ISO time, unix seconds or +365d)", "+365d")
    .action(async (wallets: string[], o: { country: string; classes: string; kycExpiry: string }) =>
      investorsAdd(await Context.open(globals()), wallets, o),
    );

  program
    .command("subscribe <deal>")
    .description(
      "request a subscription to a tranche's offering (EIP-2612 permit, or approve + request)",
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
    .command("offering")
    .description("offerings of a deal")
    .command("close <deal>")
    .description(
      "close the deal's offerings once their window has ended (allocates, funds the reserve, credits the issuer's proceeds)",
    )
    .option("--tranche <index|symbol>", "only this tranche's offering")
    .action(async (ref: string, o: { tranche?: string }) =>
      offeringClose(await Context.open(globals()), ref, o),
    );

  program
    .command("claim <deal>")
    .description(
      "claim tranche tokens (and refunds) from closed offerings, then coupons and principal",
    )
    .option("--tranche <index|symbol>", "only this tranche")
    .action(async (ref: string, o: { tranche?: string }) =>
      claim(await Context.open(globals()), ref, o),
    );

  program
    .command("collections")
    .description("the servicer's collections")
    .command("deposit <deal>")
    .description("deposit collected revenue into the deal (approves first if needed)")
    .requiredOption("--amount <units>", "stablecoin, in whole units")
    .action(async (ref: string, o: { amount: string }) =>
      collectionsDeposit(await Context.open(globals()), ref, o),
    );

  program
    .command("fees")
    .description("the trustee's and the servicer's fees")
    .command("withdraw <deal>")
    .description(
      "withdraw the fees the deal credited to the sender as trustee and/or servicer (fails with NoFeesOwed when none)",
    )
    .action(async (ref: string) => feesWithdraw(await Context.open(globals()), ref));

  program
    .command("proceeds")
    .description("the issuer's offering proceeds")
    .command("withdraw <deal>")
    .description(
      "withdraw the proceeds the deal's closed offerings credited to the issuer (the sender must be the issuer)",
    )
    .action(async (ref: string) => proceedsWithdraw(await Context.open(globals()), ref));

  program
    .command("residual")
    .description("the issuer's residual, while no equity is issued")
    .command("withdraw <deal>")
    .description(
      "withdraw the residual the deal credited to the issuer (fails with NoResidualOwed when none)",
    )
    .action(async (ref: string) => residualWithdraw(await Context.open(globals()), ref));
}
