import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  approveDealStablecoin,
  eventsOf,
  resolveAccount,
  riskEngineOf,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealAbi, riskEngineAbi } from "../../generated/abis.js";
import { CouponType } from "../../types.js";

export interface CleanUpQuoteParameters {
  deal: Address;
  blockNumber?: bigint;
}

/** `IRiskEngine.CleanUpQuote`, plus whether the call is allowed now. */
export interface CleanUpQuoteReturnType {
  callable: boolean;
  seniorOutstanding: bigint;
  /** Senior face × the term sheet's clean-up fraction. */
  threshold: bigint;
  /** Fee arrears + per note interest + principal outstanding. */
  payoff: bigint;
  /** What the issuer brings beyond the deal's collections and reserve. */
  fromIssuer: bigint;
  /** Per note: arrears + interest accrued since the current period began (linked coupons at their cap). */
  interest: readonly bigint[];
  /** Interest the notes accrue per second from now (what the payoff grows by until the call is mined). */
  accruedPerSecond: bigint;
}

/** What the issuer's clean-up call would pay now (`RiskEngine.cleanUpQuote`). */
export async function cleanUpQuote(
  client: CascadeClient,
  params: CleanUpQuoteParameters,
): Promise<CleanUpQuoteReturnType> {
  return withErrors(async () => {
    const engine = await riskEngineOf(client, params.deal);
    const at = params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber };
    const [q, callable, count] = await Promise.all([
      readContract(client, {
        address: engine,
        abi: riskEngineAbi,
        functionName: "cleanUpQuote",
        ...at,
      }),
      readContract(client, {
        address: engine,
        abi: riskEngineAbi,
        functionName: "cleanUpCallable",
        ...at,
      }),
      readContract(client, {
        address: params.deal,
        abi: dealAbi,
        functionName: "trancheCount",
        ...at,
      }),
    ]);
    let perSecondWad = 0n;
    for (let i = 0n; i + 1n < count; i++) {
      const t = await readContract(client, {
        address: params.deal,
        abi: dealAbi,
        functionName: "tranche",
        args: [i],
        ...at,
      });
      const rate = t.coupon.couponType === CouponType.Fixed ? t.coupon.baseRate : t.coupon.capRate;
      perSecondWad += t.outstanding * rate;
    }
    const YEAR_WAD = 10n ** 18n * 365n * 86_400n;
    return {
      callable,
      seniorOutstanding: q.seniorOutstanding,
      threshold: q.threshold,
      payoff: q.payoff,
      fromIssuer: q.fromIssuer,
      interest: q.interest,
      accruedPerSecond: (perSecondWad + YEAR_WAD - 1n) / YEAR_WAD,
    };
  });
}

export interface CleanUpCallParameters extends AccountParameter {
  deal: Address;
  /**
   * Seconds of further interest the approval covers, since the call is priced at the block that mines it
   * (default 3600). The deal pulls only what the quote says at that block.
   */
  slackSeconds?: bigint;
}

/** One note repaid by the call (`NoteCalled`). */
export interface NoteCalled {
  tranche: number;
  interest: bigint;
  principal: bigint;
}

export interface CleanUpCallReturnType {
  payoff: bigint;
  fromDeal: bigint;
  fromIssuer: bigint;
  /** Collections + reserve + what the issuer brought − payoff, paid to equity (or the issuer). */
  residual: bigint;
  recipient: Address;
  notes: NoteCalled[];
  approveTransactionHash: Hash | undefined;
  transactionHash: Hash;
}

/**
 * The issuer admin repays every note early once the senior balance is at or below the clean-up threshold
 * (`Deal.cleanUpCall`): reads the quote, approves the deal for what the issuer must bring (plus `slackSeconds` of
 * interest), and calls. The deal is then Repaid.
 */
export async function cleanUpCall(
  client: CascadeClient,
  params: CleanUpCallParameters,
): Promise<CleanUpCallReturnType> {
  const account = resolveAccount(client, params.account);
  const quote = await cleanUpQuote(client, { deal: params.deal });
  const slack = quote.accruedPerSecond * (params.slackSeconds ?? 3_600n);
  const approveTransactionHash =
    quote.fromIssuer === 0n && slack === 0n
      ? undefined
      : await approveDealStablecoin(client, {
          deal: params.deal,
          amount: quote.fromIssuer + slack,
          account,
        });
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "cleanUpCall",
    args: [],
    account,
  });
  const [called] = eventsOf(receipt, dealAbi, "CleanUpCalled", params.deal);
  return {
    payoff: called?.args.payoff ?? 0n,
    fromDeal: called?.args.fromDeal ?? 0n,
    fromIssuer: called?.args.fromIssuer ?? 0n,
    residual: called?.args.residual ?? 0n,
    recipient: called?.args.recipient ?? params.deal,
    notes: eventsOf(receipt, dealAbi, "NoteCalled", params.deal).map((e) => ({
      tranche: Number(e.args.tranche),
      interest: e.args.interest,
      principal: e.args.principal,
    })),
    approveTransactionHash,
    transactionHash: receipt.transactionHash,
  };
}
