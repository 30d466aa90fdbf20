/**
 * The servicing of a deal by its issuer, servicer and trustee (and anyone, for closing offerings): `offering close`,
 * `collections deposit`, `fees withdraw`, `proceeds withdraw`, `residual withdraw`. Investors' commands are in
 * investor.ts, the compliance agent's in compliance.ts.
 */
import type { Command } from "commander";
import { readContract } from "viem/actions";

import { CascadeError, offeringAbi, type CascadeClient } from "../../sdk/index.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import {
  dealTranches,
  decimalsOf,
  parseAmount,
  selectTranches,
  stablecoinOf,
} from "../lib/deals.js";
import { partialSummary } from "../lib/holdings.js";
import { describeFailure, emit, money, print, table, withProgress } from "../lib/output.js";

async function offeringClose(ctx: Context, ref: string, o: { tranche?: string }) {
  const { address: deal } = await ctx.deal(ref);
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const tranches = selectTranches(await dealTranches(client, deal), o.tranche);
  const d = await decimalsOf(client, await stablecoinOf(client, deal));
  type Row =
    | { tranche: number; symbol: string; closed: "already"; failed: boolean }
    | ({ tranche: number; symbol: string; closed: "now" } & Awaited<
        ReturnType<typeof wallet.closeOffering>
      >);
  const out: Row[] = [];
  let failure: Error | undefined;
  const rows = await withProgress(
    ctx.json,
    `closing ${tranches.length} offering${tranches.length === 1 ? "" : "s"}`,
    async (p) => {
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
        try {
          const r = await wallet.closeOffering({ offering: t.offering });
          out.push({ tranche: t.index, symbol: t.symbol, closed: "now", ...r });
        } catch (e) {
          // Nothing done yet: the failure alone says it. Otherwise the table below shows what was closed.
          if (out.length === 0) throw e;
          failure = e as Error;
          break;
        }
      }
      return out;
    },
    (r) =>
      `${r.filter((x) => x.closed === "now").length} closed, ${r.filter((x) => x.closed === "already").length} already closed`,
  );
  emit(ctx.json, { deal, complete: failure === undefined, offerings: rows }, () =>
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
  if (failure !== undefined) {
    const notDone = tranches.slice(rows.length).map((t) => t.symbol);
    throw new CascadeError(
      `${describeFailure(failure)} — ${partialSummary(rows.length, tranches.length, notDone)}`,
    );
  }
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

export function registerServicing(program: Command, globals: () => GlobalOptions): void {
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
