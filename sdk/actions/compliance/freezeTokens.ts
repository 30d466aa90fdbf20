import type { Address, Hash } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { trancheTokenAbi } from "../../generated/abis.js";

export interface FreezeTokensParameters extends AccountParameter {
  /** The tranche token. */
  token: Address;
  /** The wallet whose balance is frozen (or released). */
  holder: Address;
  /** Tokens to freeze (or release); positive. */
  amount: bigint;
}

export interface FreezeTokensReturnType {
  /** The holder's frozen balance afterwards. */
  frozen: bigint;
  transactionHash: Hash;
}

/**
 * The compliance agent freezes `amount` more of a holder's balance (`TrancheToken.freezeTokens`): frozen tokens
 * cannot be transferred (restriction 17, AmountFrozen) but keep earning. Reverts with `FreezeExceedsBalance` above
 * the balance and `NotComplianceAgent` for an account without the registry's COMPLIANCE_AGENT_ROLE.
 */
export async function freezeTokens(
  client: CascadeClient,
  params: FreezeTokensParameters,
): Promise<FreezeTokensReturnType> {
  return setFrozen(client, params, "freezeTokens");
}

export type UnfreezeTokensParameters = FreezeTokensParameters;
export type UnfreezeTokensReturnType = FreezeTokensReturnType;

/**
 * The compliance agent releases `amount` of a holder's frozen balance (`TrancheToken.unfreezeTokens`). Reverts with
 * `UnfreezeExceedsFrozen` above what is frozen.
 */
export async function unfreezeTokens(
  client: CascadeClient,
  params: UnfreezeTokensParameters,
): Promise<UnfreezeTokensReturnType> {
  return setFrozen(client, params, "unfreezeTokens");
}

async function setFrozen(
  client: CascadeClient,
  params: FreezeTokensParameters,
  functionName: "freezeTokens" | "unfreezeTokens",
): Promise<FreezeTokensReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.token,
    abi: trancheTokenAbi,
    functionName,
    args: [params.holder, params.amount],
    account,
  });
  const [event] = eventsOf(
    receipt,
    trancheTokenAbi,
    functionName === "freezeTokens" ? "TokensFrozen" : "TokensUnfrozen",
    params.token,
  );
  return { frozen: event.args.frozen, transactionHash: receipt.transactionHash };
}
