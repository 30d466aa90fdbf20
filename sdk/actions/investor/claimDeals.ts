import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  resolveAccount,
  withErrors,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError, TransferRestrictedError, wrapContractError } from "../../errors.js";
import { offeringAbi } from "../../generated/abis.js";
import { claim } from "./claim.js";
import { claimShares } from "./claimShares.js";
import { position } from "./position.js";

export interface ClaimDealsParameters extends AccountParameter {
  /** The deals, each with the tranche indexes to claim (default: every tranche). */
  deals: readonly { deal: Address; tranches?: readonly number[] }[];
  /** Called before each step, e.g. "H100-A of 0x…: tokens from the offering". */
  onProgress?: (step: string) => void;
}

/**
 * What became of one tranche: `claimed` (something was received), `nothing to claim`, `refused` (the tranche's
 * rules refuse the holder now: the cash stays accrued, the allocation waits), `failed` (anything else: the run
 * stopped there) or `not attempted` (after a failure).
 */
export type ClaimOutcome = "claimed" | "nothing to claim" | "refused" | "failed" | "not attempted";

export interface TrancheClaim {
  deal: Address;
  /** The deal's stablecoin and its decimals (the units of `refunded` and `cash`, and of the tokens). */
  stablecoin: Address;
  decimals: number;
  index: number;
  symbol: string;
  token: Address;
  offering: Address;
  /** Tranche tokens delivered from the closed offering in this run. */
  shares: bigint;
  /** Stablecoin refunded by the offering in this run (the unallocated part of the request). */
  refunded: bigint;
  /** Coupons and principal claimed in this run. */
  cash: bigint;
  outcome: ClaimOutcome;
  /** Why it was refused or failed. */
  reason: string | undefined;
  error: CascadeError | undefined;
  transactionHashes: Hash[];
}

export interface ClaimDealsReturnType {
  claims: TrancheClaim[];
  /** Every tranche is claimed or had nothing to claim: a second run would send nothing. */
  complete: boolean;
}

/**
 * Claims everything a holder is owed in several deals, tranche by tranche: the tokens (and refund) a closed offering
 * holds for it ({@link claimShares}), then the coupons and principal accrued on the token ({@link claim}). Nothing
 * is sent where nothing is owed, so running it again finishes an interrupted run and repeats nothing. A tranche whose
 * rules refuse the holder ({@link TransferRestrictedError}) is reported `refused` and the run goes on; any other
 * failure stops the run: that tranche is `failed` and the rest `not attempted`. It never throws for a step; the
 * positions are read (and checked) before anything is sent.
 * @example
 * const { claims, complete } = await client.claimDeals({ deals: [{ deal: a }, { deal: b }] });
 */
export async function claimDeals(
  client: CascadeClient,
  params: ClaimDealsParameters,
): Promise<ClaimDealsReturnType> {
  const account = resolveAccount(client, params.account);
  const holder = account.address;
  const plans = [];
  for (const d of params.deals) {
    const p = await position(client, { deal: d.deal, investor: holder, claimed: false });
    for (const i of d.tranches ?? p.tranches.map((t) => t.index)) {
      const t = p.tranches[i];
      if (t === undefined)
        throw new CascadeError(`deal ${d.deal} has no tranche ${i}`, { deal: d.deal, tranche: i });
      plans.push({ deal: d.deal, stablecoin: p.stablecoin, decimals: p.decimals, t });
    }
  }

  const claims: TrancheClaim[] = [];
  let stopped = false;
  for (const { deal, stablecoin, decimals, t } of plans) {
    const row: TrancheClaim = {
      deal,
      stablecoin,
      decimals,
      index: t.index,
      symbol: t.symbol,
      token: t.token,
      offering: t.offering,
      shares: 0n,
      refunded: 0n,
      cash: 0n,
      outcome: "not attempted",
      reason: undefined,
      error: undefined,
      transactionHashes: [],
    };
    claims.push(row);
    if (stopped) continue;
    const fail = (e: unknown): boolean => {
      const error = wrapContractError(e);
      row.error = error;
      row.reason = error.message;
      if (error instanceof TransferRestrictedError) {
        row.outcome = "refused";
        return false;
      }
      row.outcome = "failed";
      return true;
    };
    if (t.claimableRequest > 0n || t.refundable > 0n) {
      params.onProgress?.(`${t.symbol} of ${deal}: tokens from the offering`);
      try {
        const r = await claimShares(client, { offering: t.offering, account });
        row.shares = r.shares;
        row.refunded = r.refunded;
        row.transactionHashes.push(...r.transactionHashes);
      } catch (e) {
        // A refused delivery still refunds first: count what left the offering.
        if (t.refundable > 0n) {
          const left = await withErrors(() =>
            readContract(client, {
              address: t.offering,
              abi: offeringAbi,
              functionName: "refundable",
              args: [holder],
            }),
          ).catch(() => t.refundable);
          row.refunded = t.refundable - left;
        }
        if (fail(e)) {
          stopped = true;
          continue;
        }
      }
    }
    params.onProgress?.(`${t.symbol} of ${deal}: coupons and principal`);
    try {
      const r = await claim(client, { token: t.token, account });
      row.cash = r.amount;
      if (r.transactionHash) row.transactionHashes.push(r.transactionHash);
    } catch (e) {
      // A holder refused its delivery is refused its claim for the same reason: keep the first.
      const first = row.outcome === "refused" ? row.reason : undefined;
      const stop = fail(e);
      if (first !== undefined && row.outcome === "refused") row.reason = first;
      if (stop) {
        stopped = true;
        continue;
      }
    }
    if (row.outcome === "not attempted")
      row.outcome =
        row.shares > 0n || row.refunded > 0n || row.cash > 0n ? "claimed" : "nothing to claim";
  }
  return {
    claims,
    complete: claims.every((c) => c.outcome === "claimed" || c.outcome === "nothing to claim"),
  };
}
