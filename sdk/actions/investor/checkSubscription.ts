import { encodeErrorResult, erc20Abi, zeroAddress, type Abi, type Address } from "viem";
import { getBlock, readContract } from "viem/actions";

import { resolveAccount, withErrors, type CascadeClient } from "../../client.js";
import { eligibilityCode, unpackInvestorRecord, type InvestorRecord } from "../../compliance.js";
import {
  cascadeErrorsAbi,
  SubscriptionRefusedError,
  TransferRestrictedError,
} from "../../errors.js";
import { formatAmount } from "../../format.js";
import {
  dealAbi,
  investorRegistryAbi,
  offeringAbi,
  trancheTokenAbi,
} from "../../generated/abis.js";

export interface CheckSubscriptionParameters {
  offering: Address;
  /** Stablecoin units to subscribe. */
  assets: bigint;
  /** Who pays; defaults to the client's account. */
  owner?: Address;
  /** Who the request belongs to (and who takes delivery by default); defaults to the owner. */
  controller?: Address;
}

export interface CheckSubscriptionReturnType {
  /** Whether the request would go through and its tokens could be delivered at the close. */
  allowed: boolean;
  /** Why not (undefined when allowed). */
  error: SubscriptionRefusedError | TransferRestrictedError | undefined;
  offering: Address;
  deal: Address;
  token: Address;
  stablecoin: Address;
  symbol: string;
  decimals: number;
  owner: Address;
  controller: Address;
  opensAt: bigint;
  closesAt: bigint;
  minTicket: bigint;
  /** The controller's pending request before this one. */
  pending: bigint;
  /** Pending plus this request: what the minimum ticket is measured against. */
  requested: bigint;
  /** The owner's stablecoin balance. */
  balance: bigint;
  /** The controller's registry record; undefined when the tranche is unrestricted. */
  record: InvestorRecord | undefined;
  /** Chain time the checks were made at. */
  timestamp: bigint;
}

/**
 * What a subscription would meet, checked before anything is signed: the offering's own checks in its order (an
 * amount, not paused, the window open, the minimum ticket on the controller's whole request); on a restricted
 * tranche, whether the token would deliver to the controller: its registry record under the tranche's rules now
 * (registered, not frozen, KYC valid, country, classes) and its KYC still valid when the offering closes; then the
 * owner's stablecoin balance.
 * @example
 * const check = await client.checkSubscription({ offering, assets });
 * if (!check.allowed) console.log(check.error?.message);
 */
export async function checkSubscription(
  client: CascadeClient,
  params: CheckSubscriptionParameters,
): Promise<CheckSubscriptionReturnType> {
  return withErrors(async () => {
    const owner = params.owner ?? resolveAccount(client, undefined).address;
    const controller = params.controller ?? owner;
    const offering = { address: params.offering, abi: offeringAbi } as const;
    const [config, [isClosed], pending, token, block] = await Promise.all([
      readContract(client, { ...offering, functionName: "config" }),
      readContract(client, { ...offering, functionName: "closed" }),
      readContract(client, {
        ...offering,
        functionName: "pendingDepositRequest",
        args: [0n, controller],
      }),
      readContract(client, { ...offering, functionName: "share" }),
      getBlock(client, { blockTag: "latest" }),
    ]);
    const stablecoin = config.asset;
    const [decimals, symbol, balance, paused, registry] = await Promise.all([
      readContract(client, { address: stablecoin, abi: erc20Abi, functionName: "decimals" }),
      readContract(client, { address: stablecoin, abi: erc20Abi, functionName: "symbol" }),
      readContract(client, {
        address: stablecoin,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [owner],
      }),
      readContract(client, { address: config.deal, abi: dealAbi, functionName: "paused" }),
      readContract(client, { address: token, abi: trancheTokenAbi, functionName: "registry" }),
    ]);
    const now = block.timestamp;
    const opensAt = BigInt(config.opensAt);
    const closesAt = BigInt(config.closesAt);
    const minTicket = config.minTicket;
    const requested = pending + params.assets;
    const units = (v: bigint) => `${amountText(v, decimals)} ${symbol}`;

    let record: InvestorRecord | undefined;
    let rules: Awaited<ReturnType<typeof readRules>> | undefined;
    if (registry !== zeroAddress) {
      [record, rules] = await Promise.all([
        readContract(client, {
          address: registry,
          abi: investorRegistryAbi,
          functionName: "walletRecord",
          args: [controller],
        }).then(unpackInvestorRecord),
        readRules(client, token),
      ]);
    }

    const refuse = (errorName: string, args: readonly unknown[], reason: string) => {
      const abiItem = cascadeErrorsAbi.find((e) => e.name === errorName);
      const namedArgs: Record<string, unknown> = {};
      abiItem?.inputs.forEach((input, i) => (namedArgs[input.name || String(i)] = args[i]));
      return new SubscriptionRefusedError({
        errorName,
        args,
        namedArgs,
        data: encodeErrorResult({ abi: cascadeErrorsAbi as Abi, errorName, args }),
        reason,
      });
    };

    let error: SubscriptionRefusedError | TransferRestrictedError | undefined;
    if (params.assets <= 0n) error = refuse("ZeroAmount", [], "the amount must be positive");
    else if (paused)
      error = refuse(
        "OfferingPaused",
        [],
        `the deal's guardian has paused it: the offering takes no subscriptions until it is unpaused`,
      );
    else if (now < opensAt)
      error = refuse(
        "OfferingNotOpen",
        [config.opensAt, config.closesAt],
        `the offering opens at ${isoTime(opensAt)} (chain time ${isoTime(now)}) and closes at ${isoTime(closesAt)}`,
      );
    else if (now >= closesAt || isClosed)
      error = refuse(
        "OfferingNotOpen",
        [config.opensAt, config.closesAt],
        `the offering closed at ${isoTime(closesAt)} (chain time ${isoTime(now)})`,
      );
    else if (requested < minTicket)
      error = refuse(
        "BelowMinimumTicket",
        [requested, minTicket],
        pending === 0n
          ? `${amountText(requested, decimals)} < minimum ${units(minTicket)}`
          : `${amountText(requested, decimals)} (${amountText(pending, decimals)} pending + ` +
              `${amountText(params.assets, decimals)}) < minimum ${units(minTicket)}`,
      );
    else if (record !== undefined && rules !== undefined) {
      // The token screens the controller when it delivers the tokens after the close.
      const code = eligibilityCode(record, rules, now, "receiver");
      const atClose = code === 0 ? eligibilityCode(record, rules, closesAt, "receiver") : 0;
      if (code !== 0 || atClose !== 0) {
        const c = code !== 0 ? code : atClose;
        const message = await readContract(client, {
          address: token,
          abi: trancheTokenAbi,
          functionName: "messageForTransferRestriction",
          args: [c],
        });
        error = new TransferRestrictedError({
          code: c,
          reason:
            code !== 0
              ? message
              : `The receiver's KYC expires at ${isoTime(record.kycExpiry)}, before the offering closes at ` +
                `${isoTime(closesAt)} and delivers the tokens.`,
          operation: "subscription",
          details: { offering: params.offering, token, controller, assets: params.assets },
        });
      }
    }
    if (error === undefined && balance < params.assets)
      error = refuse(
        "ERC20InsufficientBalance",
        [owner, balance, params.assets],
        `${owner} holds ${units(balance)}, less than the ${units(params.assets)} subscribed`,
      );
    return {
      allowed: error === undefined,
      error,
      offering: params.offering,
      deal: config.deal,
      token,
      stablecoin,
      symbol,
      decimals,
      owner,
      controller,
      opensAt,
      closesAt,
      minTicket,
      pending,
      requested,
      balance,
      record,
      timestamp: now,
    };
  });
}

function readRules(client: CascadeClient, token: Address) {
  return readContract(client, {
    address: token,
    abi: trancheTokenAbi,
    functionName: "transferRules",
  });
}

/**
 * Stablecoin units for a refusal's sentence (sdk/format.ts): two decimals, or every decimal when the amount has
 * finer ones, so that a comparison never prints two equal figures.
 */
function amountText(units: bigint, decimals: number): string {
  const exact = decimals > 2 && units % 10n ** BigInt(decimals - 2) !== 0n;
  return formatAmount(units, decimals, exact ? decimals : 2);
}

function isoTime(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}
