import { erc20Abi, isAddressEqual, type Address, type BlockNumber, type BlockTag } from "viem";
import { getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { equityCashHeld } from "./equityCash.js";
import { dealAbi, trancheTokenAbi } from "../../generated/abis.js";
import { dealLogRange, readContractEvents, type LogReaderOptions } from "../../logs.js";
import { TrancheKind } from "../../types.js";

export interface TrancheLedgerParameters extends LogReaderOptions {
  deal: Address;
  /**
   * First block to search for events (default: the deal's creation block, found by a search over `eth_getCode`;
   * its tokens are created with it).
   */
  fromBlock?: BlockNumber | BlockTag;
  /** Reads state and events up to this block (default: latest). */
  blockNumber?: bigint;
}

export interface TrancheLedgerEntry {
  index: number;
  token: Address;
  /**
   * Cash the waterfall sent to the token: interest + principal of a note, the residual of the equity; for each class of
   * several under an equity waterfall, what the equity waterfall paid it (its token's `distributed`).
   */
  paid: bigint;
  /** Σ `Claimed` events of the token. */
  claimed: bigint;
  /** Σ `claimable` over every account that ever held the token (from `Transfer` events). */
  claimable: bigint;
  /**
   * Stablecoin the token holds; for an equity class under a waterfall, which holds every class's cash and pays their
   * claims, what it holds for this class: paid − claimed.
   */
  held: bigint;
  /** held − claimable: sub-unit rounding of accruals left in the token (a solvency buffer, never negative). */
  dust: bigint;
  holders: Address[];
  /**
   * paid = claimed + claimable + dust, i.e. the token received exactly what the statements say; for the classes under
   * a waterfall, also: the waterfall's balance covers what it holds for all of them.
   */
  balanced: boolean;
}

export type TrancheLedgerReturnType = TrancheLedgerEntry[];

/**
 * Where every unit the waterfall paid to each tranche is now: claimed by holders, claimable, or dust left in the
 * token by rounding. Built from the deal's `PeriodDistributed` events, the tokens' `Claimed` and `Transfer` events
 * (read in bounded, retried ranges, every token in the same requests) and balances at one block. (When the deal pays
 * the residual to the issuer because no equity was issued, the equity entry's `paid` counts it although the token
 * never received it.)
 *
 * @example
 * const ledger = await auditor.trancheLedger({ deal, fromBlock: record.blockNumber });
 */
export async function trancheLedger(
  client: CascadeClient,
  params: TrancheLedgerParameters,
): Promise<TrancheLedgerReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const deal = { address: params.deal, abi: dealAbi, blockNumber } as const;
    const [count, stablecoin, range] = await Promise.all([
      readContract(client, { ...deal, functionName: "trancheCount" }),
      readContract(client, { ...deal, functionName: "stablecoin" }),
      dealLogRange(client, { ...params, toBlock: blockNumber }),
    ]);
    const infos = await Promise.all(
      Array.from({ length: Number(count) }, (_, index) =>
        readContract(client, { ...deal, functionName: "tranche", args: [BigInt(index)] }),
      ),
    );
    const tokens = infos.map((t) => t.token);
    const [distributed, tokenLogs] =
      range === undefined
        ? [[], []]
        : await readContractEvents(client, {
            ...params,
            ...range,
            sources: [
              { address: params.deal, abi: dealAbi, eventName: "PeriodDistributed" },
              { address: tokens, abi: trancheTokenAbi, eventName: ["Claimed", "Transfer"] },
            ],
          });
    const statements = distributed.map((l) => l.args.statement);
    const notes = infos.filter((t) => t.kind === TrancheKind.Note).length;
    // Several equity classes: their waterfall sizes each class's share of the residual (and of capital events), the
    // deal keeps the cash and pays their claims; a class's token counts what it was paid (`distributed`).
    const waterfall = Number(count) - notes > 1;
    const waterfallHeld = waterfall
      ? await equityCashHeld(client, params.deal, stablecoin, blockNumber)
      : 0n;

    const entries = await Promise.all(
      tokens.map(async (token, index): Promise<TrancheLedgerEntry> => {
        const paid =
          index >= notes && waterfall
            ? await readContract(client, {
                address: token,
                abi: trancheTokenAbi,
                functionName: "distributed",
                blockNumber,
              })
            : statements.reduce(
                (a, s) =>
                  a +
                  (index < notes ? s.interestPaid[index] + s.principalPaid[index] : s.residualPaid),
                0n,
              );
        const own = tokenLogs.filter((l) => isAddressEqual(l.address, token));
        const claimed = own.reduce(
          (a, l) => a + (l.eventName === "Claimed" ? l.args.amount : 0n),
          0n,
        );
        const holders = [
          ...new Set(
            own.flatMap((l) => (l.eventName === "Transfer" ? [l.args.from, l.args.to] : [])),
          ),
        ].filter((a) => BigInt(a) !== 0n);
        const underWaterfall = index >= notes && waterfall;
        const [claimables, balance] = await Promise.all([
          Promise.all(
            holders.map((h) =>
              readContract(client, {
                address: token,
                abi: trancheTokenAbi,
                functionName: "claimable",
                args: [h],
                blockNumber,
              }),
            ),
          ),
          underWaterfall
            ? paid - claimed
            : readContract(client, {
                address: stablecoin,
                abi: erc20Abi,
                functionName: "balanceOf",
                args: [token],
                blockNumber,
              }),
        ]);
        const held = balance;
        const claimable = claimables.reduce((a, b) => a + b, 0n);
        const dust = held - claimable;
        return {
          index,
          token,
          paid,
          claimed,
          claimable,
          held,
          dust,
          holders,
          balanced: dust >= 0n && paid === claimed + held,
        };
      }),
    );
    if (!waterfall) return entries;
    const classesHeld = entries.slice(notes).reduce((a, e) => a + e.held, 0n);
    return entries.map((e) =>
      e.index < notes ? e : { ...e, balanced: e.balanced && waterfallHeld >= classesHeld },
    );
  });
}
