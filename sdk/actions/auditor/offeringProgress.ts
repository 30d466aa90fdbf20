import type { Address } from "viem";
import { getBlock, getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, offeringAbi, trancheTokenAbi } from "../../generated/abis.js";

export interface OfferingProgressParameters {
  deal: Address;
  /** Reads at this block (default: latest). */
  blockNumber?: bigint;
}

/**
 * Where an offering stands: `upcoming` (its window has not opened), `open` (taking requests), `ended` (the window
 * passed and nobody closed it yet), `closed` (settled) or `failed` (closed below its minimum raise: everyone refunded).
 */
export type OfferingPhase = "upcoming" | "open" | "ended" | "closed" | "failed";

/** One tranche's offering: its window, what was requested against its minimum raise and cap, and where it stands. */
export interface OfferingProgress {
  tranche: number;
  symbol: string;
  offering: Address;
  opensAt: bigint;
  closesAt: bigint;
  /** The tranche's face: at most this is accepted. */
  cap: bigint;
  /** Below this at close, every request is refunded. */
  minRaise: bigint;
  minTicket: bigint;
  /** Sum of every request so far (`Offering.totalRequested`). */
  requested: bigint;
  /** Accepted at close (0 before, or when the minimum raise was missed). */
  accepted: bigint;
  phase: OfferingPhase;
  /** Whether the requests reach the minimum raise. */
  minRaiseMet: boolean;
  /** Requested beyond the cap (allocated pro rata at close, the rest refunded). */
  oversubscribed: bigint;
}

export interface OfferingProgressReturnType {
  deal: Address;
  blockNumber: bigint;
  /** The chain's time at `blockNumber`. */
  now: bigint;
  offerings: OfferingProgress[];
}

/**
 * The offerings of a deal, tranche by tranche, at one block.
 *
 * @example
 * const { offerings } = await offeringProgress(client, { deal });
 * for (const o of offerings) console.log(o.symbol, o.phase, o.requested, "of", o.minRaise, "to", o.cap);
 */
export async function offeringProgress(
  client: CascadeClient,
  params: OfferingProgressParameters,
): Promise<OfferingProgressReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const { timestamp: now } = await getBlock(client, { blockNumber });
    const count = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "trancheCount",
      blockNumber,
    });
    const offerings = await Promise.all(
      Array.from({ length: Number(count) }, async (_, tranche): Promise<OfferingProgress> => {
        const [token, offering] = await readContract(client, {
          address: params.deal,
          abi: dealAbi,
          functionName: "trancheContracts",
          args: [BigInt(tranche)],
          blockNumber,
        });
        const at = { address: offering, abi: offeringAbi, blockNumber } as const;
        const [config, requested, accepted, [isClosed, failed], symbol] = await Promise.all([
          readContract(client, { ...at, functionName: "config" }),
          readContract(client, { ...at, functionName: "totalRequested" }),
          readContract(client, { ...at, functionName: "accepted" }),
          readContract(client, { ...at, functionName: "closed" }),
          readContract(client, {
            address: token,
            abi: trancheTokenAbi,
            functionName: "symbol",
            blockNumber,
          }),
        ]);
        const phase: OfferingPhase = isClosed
          ? failed
            ? "failed"
            : "closed"
          : now < config.opensAt
            ? "upcoming"
            : now < config.closesAt
              ? "open"
              : "ended";
        return {
          tranche,
          symbol,
          offering,
          opensAt: BigInt(config.opensAt),
          closesAt: BigInt(config.closesAt),
          cap: config.cap,
          minRaise: config.minRaise,
          minTicket: config.minTicket,
          requested,
          accepted,
          phase,
          minRaiseMet: requested >= config.minRaise,
          oversubscribed: requested > config.cap ? requested - config.cap : 0n,
        };
      }),
    );
    return { deal: params.deal, blockNumber, now, offerings };
  });
}
