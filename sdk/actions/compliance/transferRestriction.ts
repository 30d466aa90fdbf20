import type { Address } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import {
  transferableToAnotherIdentity,
  TransferRestriction,
  transferRestrictionName,
} from "../../compliance.js";
import { trancheTokenAbi } from "../../generated/abis.js";

export interface TransferRestrictionParameters {
  /** The tranche token. */
  token: Address;
  from: Address;
  to: Address;
  amount: bigint;
}

/** Why a transfer waits for the holding period (code 14): the sender's tokens, as the rule reads them. */
export interface HoldingPeriodDetails {
  /** The sender's tokens still in their holding period (`freshTokens`). */
  fresh: bigint;
  /** When they are released (unix seconds). */
  releasedAt: bigint;
  /** What the sender may send to another identity now: balance less frozen and fresh tokens. */
  transferable: bigint;
}

export interface TransferRestrictionReturnType {
  /** ERC-1404 restriction code (`TransferRules`); 0: the transfer may go ahead now. */
  code: TransferRestriction;
  /** The code's name, e.g. `ReceiverNotRegistered`. */
  restriction: string;
  /** The token's `messageForTransferRestriction(code)`. */
  message: string;
  allowed: boolean;
  /** With code 14 (`HoldingPeriod`) only: what waits, until when, and what may go now. */
  holdingPeriod?: HoldingPeriodDetails;
}

/**
 * Whether `amount` may move from `from` to `to` now, and if not why: the token's ERC-1404
 * `detectTransferRestriction` and `messageForTransferRestriction`. A transfer refused for the holding period (14)
 * also reports the sender's fresh tokens, when they are released and how much may go to another identity now.
 * @example
 * const r = await client.transferRestriction({ token, from, to, amount });
 * if (r.holdingPeriod) console.log(`${r.holdingPeriod.transferable} may go now; the rest from ${r.holdingPeriod.releasedAt}`);
 */
export async function transferRestriction(
  client: CascadeClient,
  params: TransferRestrictionParameters,
): Promise<TransferRestrictionReturnType> {
  const token = { address: params.token, abi: trancheTokenAbi } as const;
  const code = await withErrors(() =>
    readContract(client, {
      ...token,
      functionName: "detectTransferRestriction",
      args: [params.from, params.to, params.amount],
    }),
  );
  const message = await withErrors(() =>
    readContract(client, { ...token, functionName: "messageForTransferRestriction", args: [code] }),
  );
  const result: TransferRestrictionReturnType = {
    code: code as TransferRestriction,
    restriction: transferRestrictionName(code),
    message,
    allowed: code === 0,
  };
  if (code === TransferRestriction.HoldingPeriod) {
    const [[fresh, releasedAt], balance, frozen] = await withErrors(() =>
      Promise.all([
        readContract(client, { ...token, functionName: "freshTokens", args: [params.from] }),
        readContract(client, { ...token, functionName: "balanceOf", args: [params.from] }),
        readContract(client, { ...token, functionName: "frozenTokens", args: [params.from] }),
      ]),
    );
    result.holdingPeriod = {
      fresh,
      releasedAt,
      transferable: transferableToAnotherIdentity({ balance, frozen, fresh }),
    };
  }
  return result;
}
