/**
 * The units a revert is read in (`RevertUnits`: the stablecoin's decimals and symbol, the chain's time), read from
 * the chain for the contract that reverted: a deal or a tranche token (`stablecoin()`), an offering (`asset()`), or
 * an ERC-20 itself. A tranche token's own errors are in its units, so its symbol is used; every other contract's
 * amounts are in the stablecoin's.
 */
import { erc20Abi, type Address } from "viem";
import { getBlock, readContract } from "viem/actions";

import type { CascadeClient } from "./client.js";
import { ContractRevertError } from "./errors.js";
import { dealAbi, offeringAbi } from "./generated/abis.js";
import type { RevertUnits } from "./revertFormat.js";

export interface RevertUnitsParameters {
  /** The contract that was called (`ContractRevertError.contractAddress`). */
  address?: Address;
  /** The deal the call concerned, when the caller knows it (wins over what `address` tells). */
  deal?: Address;
  /** The stablecoin to fall back on when neither tells (e.g. the address book's). */
  stablecoin?: Address;
}

/** A read that answers undefined instead of throwing (the contract may not have the function). */
async function attempt<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

/**
 * Reads the units of a revert: decimals and symbol of the stablecoin behind `deal` or `address` (or of the token at
 * `address`), and the time of the latest block. What cannot be read is left out.
 *
 * @example
 * const units = await revertUnits(client, { address: offering });
 * error.describe(units); // "BelowMinimumTicket: 10.00 < minimum 100,000.00 USDC"
 */
export async function revertUnits(
  client: CascadeClient,
  params: RevertUnitsParameters,
): Promise<RevertUnits> {
  const { address, deal } = params;
  const [block, dealCoin, ownCoin, asset, ownSymbol, ownDecimals] = await Promise.all([
    attempt(() => getBlock(client, { blockTag: "latest" })),
    deal === undefined
      ? undefined
      : attempt(() =>
          readContract(client, { address: deal, abi: dealAbi, functionName: "stablecoin" }),
        ),
    address === undefined || deal !== undefined
      ? undefined
      : attempt(() => readContract(client, { address, abi: dealAbi, functionName: "stablecoin" })),
    address === undefined || deal !== undefined
      ? undefined
      : attempt(() => readContract(client, { address, abi: offeringAbi, functionName: "asset" })),
    address === undefined
      ? undefined
      : attempt(() => readContract(client, { address, abi: erc20Abi, functionName: "symbol" })),
    address === undefined
      ? undefined
      : attempt(() => readContract(client, { address, abi: erc20Abi, functionName: "decimals" })),
  ]);
  const units: RevertUnits = {};
  if (block !== undefined) units.now = block.timestamp;
  const coin = dealCoin ?? ownCoin ?? asset;
  if (coin === undefined && ownDecimals !== undefined) {
    // An ERC-20 itself (the stablecoin, or a token called directly).
    units.decimals = ownDecimals;
    if (ownSymbol !== undefined) units.symbol = ownSymbol;
    return units;
  }
  const token = coin ?? params.stablecoin;
  if (token === undefined) return units;
  const [decimals, symbol] = await Promise.all([
    attempt(() =>
      readContract(client, { address: token, abi: erc20Abi, functionName: "decimals" }),
    ),
    attempt(() => readContract(client, { address: token, abi: erc20Abi, functionName: "symbol" })),
  ]);
  if (decimals !== undefined) units.decimals = decimals;
  // A tranche token (it has a stablecoin and a symbol of its own) counts in its own units.
  const shown = ownCoin !== undefined && ownSymbol !== undefined ? ownSymbol : symbol;
  if (shown !== undefined) units.symbol = shown;
  return units;
}

/**
 * Attaches the units of a {@link ContractRevertError} read from the chain (its contract, the deal it names, or the
 * hints given), unless it carries some already; gives up quietly after `timeoutMs`. Returns the error.
 */
export async function withRevertUnits<E>(
  client: CascadeClient,
  error: E,
  hints: Omit<RevertUnitsParameters, "address"> & { timeoutMs?: number } = {},
): Promise<E> {
  if (!(error instanceof ContractRevertError) || error.units !== undefined) return error;
  const named = error.namedArgs.deal;
  const deal =
    hints.deal ??
    (typeof named === "string" && /^0x[0-9a-fA-F]{40}$/.test(named)
      ? (named as Address)
      : undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), hints.timeoutMs ?? 3_000);
  });
  try {
    const units = await Promise.race([
      revertUnits(client, {
        address: error.contractAddress,
        deal,
        stablecoin: hints.stablecoin,
      }).catch(() => undefined),
      timeout,
    ]);
    if (units !== undefined) error.units = units;
  } finally {
    clearTimeout(timer);
  }
  return error;
}
