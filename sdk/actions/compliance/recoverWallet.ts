import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError } from "../../errors.js";
import { investorRegistryAbi, trancheTokenAbi } from "../../generated/abis.js";

export interface RecoverWalletParameters extends AccountParameter {
  /** The tranche tokens to recover the position in; tokens where the lost wallet holds nothing are skipped. */
  tokens: readonly Address[];
  lostWallet: Address;
  newWallet: Address;
  /**
   * The investor registry: when given and `newWallet` is not registered yet, the registry's `recoverWallet` first
   * moves the lost wallet's identity membership to it.
   */
  registry?: Address;
  /** Called after each step that sent a transaction: the registry's, then each token's. */
  onProgress?: (step: { registryTransactionHash: Hash } | RecoveredPosition) => void;
}

export interface RecoveredPosition {
  token: Address;
  /** Tokens, unclaimed cash and frozen tokens moved to the new wallet. */
  balance: bigint;
  accrued: bigint;
  frozen: bigint;
  transactionHash: Hash;
}

export interface RecoverWalletReturnType {
  /** The registry's `recoverWallet`, when it was sent. */
  registryTransactionHash: Hash | undefined;
  positions: RecoveredPosition[];
}

/**
 * The compliance agent moves a lost wallet's positions to a new wallet of the same investor: optionally the
 * registry's identity membership (`InvestorRegistry.recoverWallet`), then, per token, the whole position
 * (`TrancheToken.recoverWallet`: balance, unclaimed cash, frozen tokens, the tokens still in their holding period
 * with their clock, and the vote lock). The new wallet must be eligible for each tranche (otherwise a
 * {@link TransferRestrictedError}, receiver codes 9 – 13). Tokens where the lost wallet holds nothing are skipped and
 * the registry step is skipped once the new wallet is registered, so running it again after a failure finishes the
 * job; a new wallet registered to another identity is refused (a CascadeError) before anything is sent.
 * @example
 * const { positions } = await agent.recoverWallet({ registry, tokens, lostWallet, newWallet });
 */
export async function recoverWallet(
  client: CascadeClient,
  params: RecoverWalletParameters,
): Promise<RecoverWalletReturnType> {
  const account = resolveAccount(client, params.account);
  let registryTransactionHash: Hash | undefined;
  if (params.registry !== undefined) {
    const registry = params.registry;
    const identity = await withErrors(() =>
      readContract(client, {
        address: registry,
        abi: investorRegistryAbi,
        functionName: "identityOf",
        args: [params.newWallet],
      }),
    );
    const lostIdentity = await withErrors(() =>
      readContract(client, {
        address: registry,
        abi: investorRegistryAbi,
        functionName: "identityOf",
        args: [params.lostWallet],
      }),
    );
    // A new wallet of another investor would take this one's positions: refused before anything is sent.
    if (identity !== 0 && lostIdentity !== 0 && identity !== lostIdentity)
      throw new CascadeError(
        `${params.newWallet} belongs to another investor (identity ${identity}) than ${params.lostWallet} ` +
          `(identity ${lostIdentity}): recover into a new wallet or one of the same investor`,
        { registry, lostWallet: params.lostWallet, newWallet: params.newWallet },
      );
    if (identity === 0) {
      const receipt = await writeAndWait(client, {
        address: registry,
        abi: investorRegistryAbi,
        functionName: "recoverWallet",
        args: [params.lostWallet, params.newWallet],
        account,
      });
      registryTransactionHash = receipt.transactionHash;
      params.onProgress?.({ registryTransactionHash });
    }
  }
  const positions: RecoveredPosition[] = [];
  for (const token of params.tokens) {
    const read = (functionName: "balanceOf" | "claimable") =>
      withErrors(() =>
        readContract(client, {
          address: token,
          abi: trancheTokenAbi,
          functionName,
          args: [params.lostWallet],
        }),
      );
    if ((await read("balanceOf")) === 0n && (await read("claimable")) === 0n) continue;
    const receipt = await writeAndWait(client, {
      address: token,
      abi: trancheTokenAbi,
      functionName: "recoverWallet",
      args: [params.lostWallet, params.newWallet],
      account,
    });
    const [event] = eventsOf(receipt, trancheTokenAbi, "WalletRecovered", token);
    const recovered = {
      token,
      balance: event.args.balance,
      accrued: event.args.accrued,
      frozen: event.args.frozen,
      transactionHash: receipt.transactionHash,
    };
    positions.push(recovered);
    params.onProgress?.(recovered);
  }
  return { registryTransactionHash, positions };
}
