import { isAddressEqual, type Address, type Hash } from "viem";
import { readContract } from "viem/actions";

import {
  approveDealStablecoin,
  eventsOf,
  resolveAccount,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { decodeEquityStatement } from "../../equity.js";
import { dealAbi, equityWaterfallAbi, trancheTokenAbi } from "../../generated/abis.js";

export interface DepositCapitalEventParameters extends AccountParameter {
  /** A repaid deal with an equity waterfall. */
  deal: Address;
  /** Sale or refinancing proceeds for equity, in stablecoin units; the waterfall is approved first if needed. */
  amount: bigint;
}

export interface DepositCapitalEventReturnType {
  waterfall: Address;
  /** When the amount is dated: the block that mined the deposit. */
  time: bigint;
  /** `paid[t][j]`: what tier t paid equity class j; the last row is what the tiers left. */
  paid: bigint[][];
  /** What each class received (sums to `amount`). */
  toClass: bigint[];
  approveTransactionHash: Hash | undefined;
  transactionHash: Hash;
}

/**
 * The issuer (or the servicer) deposits a capital event — the net proceeds of a sale or a refinancing — into the
 * equity waterfall of its repaid deal (`EquityWaterfall.depositCapitalEvent`): the amount, dated at its block, runs
 * through the same tiers as the deal's cash (return of capital, preferred return, catch-up, splits) and is paid to the
 * equity classes' tokens, where their holders claim it.
 *
 * @example
 * await issuer.cleanUpCall({ deal }); // the sale's buyer repays the notes first
 * const { toClass } = await issuer.depositCapitalEvent({ deal, amount: netProceeds });
 */
export async function depositCapitalEvent(
  client: CascadeClient,
  params: DepositCapitalEventParameters,
): Promise<DepositCapitalEventReturnType> {
  const account = resolveAccount(client, params.account);
  const waterfall = await waterfallOf(client, params.deal);
  const approveTransactionHash = await approveDealStablecoin(client, {
    deal: params.deal,
    spender: waterfall,
    amount: params.amount,
    account,
  });
  const receipt = await writeAndWait(client, {
    address: waterfall,
    abi: equityWaterfallAbi,
    functionName: "depositCapitalEvent",
    args: [params.amount],
    account,
  });
  const [distributed] = eventsOf(receipt, equityWaterfallAbi, "EquityDistributed", waterfall);
  const { paid, unreturned } = decodeEquityStatement(distributed.args.statement);
  const n = unreturned.length;
  return {
    waterfall,
    time: BigInt(distributed.args.time),
    paid,
    toClass: Array.from({ length: n }, (_, j) => paid.reduce((a, row) => a + row[j], 0n)),
    approveTransactionHash,
    transactionHash: receipt.transactionHash,
  };
}

/** The deal's equity waterfall: the distributor of its last tranche's token (the deal itself with one equity class). */
async function waterfallOf(client: CascadeClient, deal: Address): Promise<Address> {
  const distributor = await withErrors(async () => {
    const count = await readContract(client, {
      address: deal,
      abi: dealAbi,
      functionName: "trancheCount",
    });
    const [token] = await readContract(client, {
      address: deal,
      abi: dealAbi,
      functionName: "trancheContracts",
      args: [count - 1n],
    });
    return readContract(client, {
      address: token,
      abi: trancheTokenAbi,
      functionName: "distributor",
    });
  });
  if (isAddressEqual(distributor, deal))
    throw new RangeError(`deal ${deal} has one equity class: no equity waterfall`);
  return distributor;
}
