/**
 * What the keeper service needs of the chain, and its implementation on viem. The service only talks to this
 * interface, so its retry, nonce and shutdown logic can be tested against an in-memory fake.
 */
import type { Address, Hash, Hex, LocalAccount, TransactionReceipt } from "viem";
import {
  getBlockNumber,
  getChainId,
  getTransactionReceipt,
  readContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

import { explainRevert, type CascadeClient } from "../client.js";
import { wrapContractError } from "../errors.js";
import { dealAbi, dealFactoryAbi } from "../generated/abis.js";
import { readContractEvents } from "../logs.js";
import type { PeriodStatement } from "../types.js";
import { checkUpkeep, type CheckUpkeepReturnType } from "../actions/keeper/checkUpkeep.js";
import { upkeepOutcome } from "../actions/keeper/performUpkeep.js";

export interface CreatedDeal {
  deal: Address;
  dealId: bigint;
  blockNumber: bigint;
}

export interface DealInfo {
  status: number;
  periodCount: bigint;
  nextPeriod: bigint;
}

/** A mined upkeep transaction. */
export interface UpkeepReceipt {
  transactionHash: Hash;
  blockNumber: bigint;
  gasUsed: bigint;
  status: "success" | "reverted";
  /** Statements of the periods it distributed, in order. */
  statements: PeriodStatement[];
  /** Bounty paid to the keeper's account. */
  bountyEarned: bigint;
  /** For a reverted transaction: the decoded reason (e.g. `WaterfallPeriodAlreadyDistributed`), when known. */
  revert?: Error;
}

export interface KeeperChain {
  /** The keeper's account (what `performUpkeep` pays the bounty to). */
  readonly address: Address;
  chainId(): Promise<number>;
  blockNumber(): Promise<bigint>;
  /** `DealCreated` events of `factory` in [fromBlock, toBlock]. */
  dealsCreated(factory: Address, fromBlock: bigint, toBlock: bigint): Promise<CreatedDeal[]>;
  dealInfo(deal: Address): Promise<DealInfo>;
  checkUpkeep(deal: Address, maxPeriods: number): Promise<CheckUpkeepReturnType>;
  /** Sends `performUpkeep(performData)`; resolves with the hash once the node accepted it. */
  sendPerformUpkeep(deal: Address, performData: Hex): Promise<Hash>;
  /** Waits for the receipt of `hash` (rejects after `timeoutMs`). */
  waitForUpkeep(deal: Address, hash: Hash, timeoutMs: number): Promise<UpkeepReceipt>;
  /** The receipt of `hash` if it was mined, without waiting. */
  findUpkeep(deal: Address, hash: Hash): Promise<UpkeepReceipt | undefined>;
  /** Forgets the locally tracked nonce: the next transaction reads the account's pending nonce from the node. */
  resetNonce(): void;
}

export interface ViemKeeperChainParameters {
  /** A client with a transport to the node (wallet and public actions are called on it). */
  client: CascadeClient;
  /** The keeper's local account; give it a nonce manager (`privateKeyToAccount(key, { nonceManager })`). */
  account: LocalAccount;
  /** How often to poll for receipts (ms). */
  pollingInterval?: number;
}

/** The keeper's chain on viem: a local account with a nonce manager, reads and writes over the client's transport. */
export function viemKeeperChain(params: ViemKeeperChainParameters): KeeperChain {
  const { client, account } = params;
  const pollingInterval = params.pollingInterval ?? 1_000;
  let chainId: number | undefined;

  const toUpkeep = async (deal: Address, receipt: TransactionReceipt): Promise<UpkeepReceipt> => {
    const base = {
      transactionHash: receipt.transactionHash,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
    };
    if (receipt.status === "success") {
      return { ...base, status: "success", ...upkeepOutcome(receipt, deal, account.address) };
    }
    return {
      ...base,
      status: "reverted",
      statements: [],
      bountyEarned: 0n,
      revert: await explainRevert(client, receipt),
    };
  };

  return {
    address: account.address,
    async chainId() {
      chainId ??= await getChainId(client);
      return chainId;
    },
    blockNumber: () => getBlockNumber(client, { cacheTime: 0 }),
    async dealsCreated(factory, fromBlock, toBlock) {
      // The service bounds the range and retries; a provider that refuses the range gets it split (`logs.ts`).
      const [logs] = await readContractEvents(client, {
        sources: [{ address: factory, abi: dealFactoryAbi, eventName: "DealCreated" }],
        fromBlock,
        toBlock,
        maxBlockRange: toBlock - fromBlock + 1n,
        rpcAttempts: 1,
      });
      return logs
        .filter((l) => l.blockNumber !== null)
        .map((l) => ({
          deal: l.args.deal,
          dealId: l.args.dealId,
          blockNumber: l.blockNumber as bigint,
        }));
    },
    async dealInfo(deal) {
      const read = <const fn extends "status" | "periodCount" | "nextPeriod">(functionName: fn) =>
        readContract(client, { address: deal, abi: dealAbi, functionName });
      const [status, periodCount, nextPeriod] = await Promise.all([
        read("status"),
        read("periodCount"),
        read("nextPeriod"),
      ]);
      return { status, periodCount, nextPeriod };
    },
    checkUpkeep: (deal, maxPeriods) => checkUpkeep(client, { deal, maxPeriods }),
    async sendPerformUpkeep(deal, performData) {
      try {
        // viem's parameter types depend on the client's generics; the call is checked by the ABI.
        return await (writeContract as (c: CascadeClient, p: unknown) => Promise<Hash>)(client, {
          address: deal,
          abi: dealAbi,
          functionName: "performUpkeep",
          args: [performData],
          account,
          chain: client.chain ?? null,
        });
      } catch (e) {
        throw wrapContractError(e);
      }
    },
    async waitForUpkeep(deal, hash, timeoutMs) {
      const receipt = await waitForTransactionReceipt(client, {
        hash,
        timeout: timeoutMs,
        pollingInterval,
        retryCount: 0,
      });
      return toUpkeep(deal, receipt);
    },
    async findUpkeep(deal, hash) {
      try {
        return await toUpkeep(deal, await getTransactionReceipt(client, { hash }));
      } catch (e) {
        if ((e as { name?: string }).name === "TransactionReceiptNotFoundError") return undefined;
        throw e;
      }
    },
    resetNonce() {
      if (chainId !== undefined) account.nonceManager?.reset({ address: account.address, chainId });
    },
  };
}
