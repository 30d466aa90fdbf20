/**
 * The client type actions take, and the shared plumbing of write actions: send, wait for the receipt, turn
 * failures into typed errors. Actions take any viem Client (public, wallet, or a wallet client extended with
 * public actions) and call viem's tree-shakable actions on it, as viem's own actions do.
 */
import type {
  Abi,
  Account,
  Address,
  Chain,
  Client,
  ContractEventName,
  ContractFunctionArgs,
  ContractFunctionName,
  Hash,
  Hex,
  TransactionReceipt,
  Transport,
} from "viem";
import {
  call,
  deployContract,
  getBlock,
  getTransaction,
  readContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";
import { erc20Abi, isAddressEqual, parseEventLogs } from "viem";
import { parseAccount } from "viem/utils";

import { CascadeError, decodeRevert, findRevertData, wrapContractError } from "./errors.js";
import { dealAbi } from "./generated/abis.js";

/** Any viem client on any transport; write actions also need an account (on the client or as a parameter). */
export type CascadeClient = Client<Transport, Chain | undefined, Account | undefined>;

/** The `account` parameter of write actions: a local account, or the address of a JSON-RPC account. */
export interface AccountParameter {
  /** Signs and sends the transactions; defaults to the client's account. */
  account?: Account | Address | undefined;
}

/** Resolves the account of a write action; throws when neither the call nor the client has one. */
export function resolveAccount(
  client: CascadeClient,
  account: Account | Address | undefined,
): Account {
  const a = account ?? client.account;
  if (a === undefined) {
    throw new CascadeError("no account: pass `account` or use a client created with one", {
      action: "write",
    });
  }
  return parseAccount(a);
}

/** Runs `fn`, converting anything it throws into a CascadeError. */
export async function withErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw wrapContractError(e);
  }
}

export interface WriteParameters<
  abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
> {
  address: Address;
  abi: abi;
  functionName: functionName;
  args: ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>;
  account: Account;
}

/**
 * Sends a contract write and waits for its receipt. A revert at estimation or inclusion becomes a
 * ContractRevertError (for a transaction mined as reverted, the call is replayed at its block to get the data).
 */
export async function writeAndWait<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(client: CascadeClient, params: WriteParameters<abi, functionName>): Promise<TransactionReceipt> {
  return withErrors(async () => {
    // viem's parameter types depend on the client's chain and account generics; they are checked by the
    // typed `WriteParameters` above, so the call here is made on the erased type.
    const hash = await (writeContract as (c: CascadeClient, p: unknown) => Promise<Hash>)(client, {
      address: params.address,
      abi: params.abi,
      functionName: params.functionName,
      args: params.args,
      account: params.account,
      chain: client.chain ?? null,
    });
    return waitForSuccess(client, hash);
  });
}

/** Deploys a contract and returns its address and receipt. */
export async function deployAndWait(
  client: CascadeClient,
  params: { abi: Abi; bytecode: Hex; args: readonly unknown[]; account: Account; label: string },
): Promise<{ address: Address; receipt: TransactionReceipt }> {
  return withErrors(async () => {
    const hash = await (deployContract as (c: CascadeClient, p: unknown) => Promise<Hash>)(client, {
      abi: params.abi,
      bytecode: params.bytecode,
      args: params.args,
      account: params.account,
      chain: client.chain ?? null,
    });
    const receipt = await waitForSuccess(client, hash);
    if (!receipt.contractAddress) {
      throw new CascadeError(`deploying ${params.label} created no contract`, {
        transactionHash: hash,
      });
    }
    return { address: receipt.contractAddress, receipt };
  });
}

/** Waits for `hash`; if it reverted, throws the reason {@link explainRevert} recovers. */
async function waitForSuccess(client: CascadeClient, hash: Hash): Promise<TransactionReceipt> {
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status === "success") return receipt;
  throw await explainRevert(client, receipt);
}

/**
 * Why a mined transaction reverted. It is replayed on the state before its block, with its block's number and
 * time (so a time-dependent check sees what the transaction saw; nodes without block overrides get the previous
 * block's); when that succeeds, a transaction earlier in the same block changed the outcome (e.g. another keeper
 * distributed the same period), so it is replayed on the state after its block. Returns a ContractRevertError when
 * the reason decodes, else a CascadeError.
 */
export async function explainRevert(
  client: CascadeClient,
  receipt: TransactionReceipt,
): Promise<CascadeError> {
  const hash = receipt.transactionHash;
  const [tx, block] = await Promise.all([
    getTransaction(client, { hash }),
    getBlock(client, { blockNumber: receipt.blockNumber }),
  ]);
  const replay = {
    account: tx.from,
    to: tx.to ?? undefined,
    data: tx.input,
    value: tx.value,
    gas: tx.gas,
  };
  const before = receipt.blockNumber - 1n;
  const attempts = [
    {
      ...replay,
      blockNumber: before,
      blockOverrides: { number: block.number, time: block.timestamp },
    },
    { ...replay, blockNumber: before },
    { ...replay, blockNumber: receipt.blockNumber },
  ];
  for (const [i, attempt] of attempts.entries()) {
    try {
      await call(client, attempt);
      // It succeeds on the state before its block: only the state after it can tell (skip the plain replay).
      if (i === 0) attempts.splice(1, 1);
    } catch (e) {
      const data = findRevertData(e);
      const decoded = data === undefined ? undefined : decodeRevert(data, e, hash);
      if (decoded) return decoded;
    }
  }
  return new CascadeError("transaction reverted", {
    transactionHash: hash,
    blockNumber: receipt.blockNumber,
  });
}

/** Decoded logs of `eventName` emitted by `address` in a receipt. */
export function eventsOf<const abi extends Abi, eventName extends ContractEventName<abi>>(
  receipt: TransactionReceipt,
  abi: abi,
  eventName: eventName,
  address: Address,
) {
  return parseEventLogs({ abi, logs: receipt.logs, eventName }).filter((log) =>
    isAddressEqual(log.address, address),
  );
}

/** The risk engine of `deal` (`Deal.riskEngine`). */
export async function riskEngineOf(client: CascadeClient, deal: Address): Promise<Address> {
  return withErrors(() =>
    readContract(client, { address: deal, abi: dealAbi, functionName: "riskEngine" }),
  );
}

/**
 * Approves `spender` for `amount` of the deal's stablecoin when the account's allowance is short; returns the
 * approval's hash, if one was sent.
 */
export async function approveDealStablecoin(
  client: CascadeClient,
  params: { deal: Address; spender?: Address; amount: bigint; account: Account },
): Promise<Hash | undefined> {
  if (params.amount === 0n) return undefined;
  const spender = params.spender ?? params.deal;
  const stablecoin = await withErrors(() =>
    readContract(client, { address: params.deal, abi: dealAbi, functionName: "stablecoin" }),
  );
  const allowance = await withErrors(() =>
    readContract(client, {
      address: stablecoin,
      abi: erc20Abi,
      functionName: "allowance",
      args: [params.account.address, spender],
    }),
  );
  if (allowance >= params.amount) return undefined;
  const receipt = await writeAndWait(client, {
    address: stablecoin,
    abi: erc20Abi,
    functionName: "approve",
    args: [spender, params.amount],
    account: params.account,
  });
  return receipt.transactionHash;
}
