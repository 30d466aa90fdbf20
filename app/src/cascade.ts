/**
 * The SDK in React: a reading client and the connected wallet's client, both extended with the SDK's actions
 * (`cascadeActions`); the human sentence of a failure; amounts, ratios and dates for the screen.
 */
import { createContext, useContext, useMemo } from "react";
import { createPublicClient, http, type Address } from "viem";
import { useAccount, useConnectorClient } from "wagmi";

import {
  cascadeActions,
  ContractRevertError,
  CascadeError,
  exactAmount,
  formatAmount,
  TermSheetError,
  TransferRestrictedError,
  withRevertUnits,
  wrapContractError,
  type CascadeClient,
} from "../../sdk/index.js";
import { chainOf } from "./chain.js";
import type { AppConfig } from "./config.js";

export const ConfigContext = createContext<AppConfig | undefined>(undefined);

export function useConfig(): AppConfig {
  const config = useContext(ConfigContext);
  if (config === undefined) throw new Error("no configuration: wrap the app in ConfigContext");
  return config;
}

export function readerFor(config: AppConfig) {
  return createPublicClient({
    chain: chainOf(config),
    transport: http(config.rpcUrl, { batch: { wait: 0 } }),
    pollingInterval: 500,
  }).extend(cascadeActions);
}
export type Reader = ReturnType<typeof readerFor>;

/** The client every read goes through: the configured node. */
export function useReader(): Reader {
  const config = useConfig();
  return useMemo(() => readerFor(config), [config]);
}

/**
 * The connected wallet's client with the SDK's actions, or undefined while no wallet is connected or the wallet is
 * on another chain than the app's.
 */
export function useWriter() {
  const config = useConfig();
  const { address } = useAccount();
  const { data } = useConnectorClient({ chainId: config.chainId });
  return useMemo(() => {
    if (data === undefined || address === undefined) return undefined;
    const client = data.extend(cascadeActions);
    return { client, address: address as Address };
  }, [data, address]);
}
export type Writer = NonNullable<ReturnType<typeof useWriter>>;

/**
 * A failure as one sentence for people: a refused transfer or subscription as the token or offering words it, a
 * revert of a Cascade contract in stablecoin units and dates (`describe`), a term sheet's problems by field, a
 * wallet's refusal as it said it.
 */
export async function failureSentence(e: unknown, client?: CascadeClient): Promise<string> {
  const error = e instanceof CascadeError ? e : wrapContractError(e);
  if (error instanceof TransferRestrictedError) return error.message;
  if (error instanceof TermSheetError)
    return error.issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  if (error instanceof ContractRevertError) {
    const withUnits = client ? await withRevertUnits(client, error).catch(() => error) : error;
    return withUnits.describe();
  }
  const text = error.message || String(e);
  if (/user rejected|denied/i.test(text)) return "The wallet declined the request.";
  return text.split("\n")[0];
}

/** Base units as an amount with the stablecoin's symbol: `1,234.57 USDC`. */
export function money(units: bigint, decimals: number, symbol: string): string {
  return `${formatAmount(units, decimals)} ${symbol}`;
}

/** Base units exactly: `1,234.567891 USDC`. */
export function exactMoney(units: bigint, decimals: number, symbol: string): string {
  return `${exactAmount(units, decimals)} ${symbol}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** Unix seconds as a date and time in the user's time zone. */
export function when(seconds: bigint | number): string {
  return dateTime.format(new Date(Number(seconds) * 1_000));
}

/** Unix seconds as a date in the user's time zone. */
export function day(seconds: bigint | number): string {
  return dateOnly.format(new Date(Number(seconds) * 1_000));
}

/** An address shortened for a table: `0x1234…abcd`. */
export function short(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** A WAD fraction as a number (for charts only; every figure shown as text comes from the SDK's printing rule). */
export function wadNumber(wad: bigint): number | null {
  if (wad >= 2n ** 255n) return null;
  return Number(wad) / 1e18;
}

/** Base units as a number of whole units (for charts only). */
export function unitsNumber(units: bigint, decimals: number): number {
  return Number(units) / 10 ** decimals;
}
