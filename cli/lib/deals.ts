/** Small reads the commands share: a deal's tranches, the stablecoin's decimals, amounts and durations. */
import { erc20Abi, parseUnits, type Address } from "viem";
import { getBlock, readContract } from "viem/actions";

import { dealAbi, trancheTokenAbi, type CascadeClient } from "../../sdk/index.js";
import { UsageError } from "./args.js";

export interface TrancheRef {
  index: number;
  token: Address;
  offering: Address;
  symbol: string;
}

/** The deal's tranches by rank (token, offering, symbol). */
export async function dealTranches(client: CascadeClient, deal: Address): Promise<TrancheRef[]> {
  const count = await readContract(client, {
    address: deal,
    abi: dealAbi,
    functionName: "trancheCount",
  });
  return Promise.all(
    Array.from({ length: Number(count) }, async (_, index) => {
      const [token, offering] = await readContract(client, {
        address: deal,
        abi: dealAbi,
        functionName: "trancheContracts",
        args: [BigInt(index)],
      });
      const symbol = await readContract(client, {
        address: token,
        abi: trancheTokenAbi,
        functionName: "symbol",
      });
      return { index, token, offering, symbol };
    }),
  );
}

/** Tranches selected by `--tranche` (an index or a symbol, case-insensitive); all of them when undefined. */
export function selectTranches(all: readonly TrancheRef[], ref: string | undefined): TrancheRef[] {
  if (ref === undefined) return [...all];
  const found = /^\d+$/.test(ref)
    ? all.find((t) => t.index === Number(ref))
    : all.find((t) => t.symbol.toLowerCase() === ref.toLowerCase());
  if (!found)
    throw new UsageError(
      `--tranche ${ref}: no such tranche (tranches: ${all.map((t) => `${t.index} ${t.symbol}`).join(", ")})`,
    );
  return [found];
}

export async function stablecoinOf(client: CascadeClient, deal: Address): Promise<Address> {
  return readContract(client, { address: deal, abi: dealAbi, functionName: "stablecoin" });
}

export async function decimalsOf(client: CascadeClient, token: Address): Promise<number> {
  return readContract(client, { address: token, abi: erc20Abi, functionName: "decimals" });
}

/** Whole stablecoin units ("100,000", "2.5") → base units. */
export function parseAmount(input: string, decimals: number, flag: string): bigint {
  const s = input.trim().replace(/,/g, "");
  const m = /^\d+(?:\.(\d+))?$/.exec(s);
  if (!m) throw new UsageError(`${flag} "${input}" is not an amount (e.g. 100000, "250,000", 2.5)`);
  if ((m[1] ?? "").replace(/0+$/, "").length > decimals)
    throw new UsageError(`${flag} "${input}" has more than ${decimals} decimal places`);
  return parseUnits(s, decimals);
}

const UNIT_SECONDS: Record<string, bigint> = { s: 1n, m: 60n, h: 3_600n, d: 86_400n, w: 604_800n };

/** Seconds from "30d", "1h30m", "90s" or a plain number of seconds. */
export function parseSeconds(input: string, flag: string): bigint {
  const s = input.trim();
  if (/^\d+$/.test(s)) return BigInt(s);
  if (!/^(\d+[smhdw])+$/.test(s))
    throw new UsageError(`${flag} "${input}" is not a duration (e.g. 7d, 1h30m, 90s)`);
  let total = 0n;
  for (const [, n, unit] of s.matchAll(/(\d+)([smhdw])/g)) total += BigInt(n) * UNIT_SECONDS[unit];
  return total;
}

/** An ISO time, unix seconds or an offset like "+365d" from the chain's time. */
export async function parseChainTime(
  client: CascadeClient,
  input: string,
  flag: string,
): Promise<bigint> {
  const s = input.trim();
  if (s.startsWith("+")) return (await chainTime(client)) + parseSeconds(s.slice(1), flag);
  if (/^\d+$/.test(s)) return BigInt(s);
  const ms = Date.parse(s);
  if (Number.isNaN(ms))
    throw new UsageError(`${flag} "${input}" is not a time (ISO-8601, unix seconds or +365d)`);
  return BigInt(Math.floor(ms / 1_000));
}

export async function chainTime(client: CascadeClient): Promise<bigint> {
  return (await getBlock(client, { blockTag: "latest" })).timestamp;
}

/** Unix seconds as an ISO time. */
export function iso(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1_000).toISOString().replace(".000Z", "Z");
}
