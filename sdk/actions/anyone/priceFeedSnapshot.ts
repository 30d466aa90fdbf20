import type { Address } from "viem";
import { getBlock, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { gpuPriceIndexFeedAbi } from "../../generated/abis.js";

export interface PriceFeedSnapshotParameters {
  /** Any Chainlink AggregatorV3Interface feed (a `GpuPriceIndexFeed` or another). */
  feed: Address;
  /** Also says whether this account may publish (a `GpuPriceIndexFeed`'s publisher role). */
  publisher?: Address;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
}

/** The feed's latest round (`latestRoundData`). */
export interface PriceFeedRound {
  roundId: bigint;
  /** In the feed's decimals. */
  answer: bigint;
  /** When the answer was observed (unix seconds). */
  updatedAt: bigint;
  /** Seconds between the observation and the block read. */
  age: bigint;
}

export interface PriceFeedSnapshotReturnType {
  feed: Address;
  description: string;
  decimals: number;
  version: bigint;
  /** Undefined while no round has been published (a `GpuPriceIndexFeed` then reverts `NoSuchRound(0)`). */
  latest: PriceFeedRound | undefined;
  /** Whether `publisher` holds the publisher role; undefined when not asked or the feed has no such role. */
  isPublisher: boolean | undefined;
  blockNumber: bigint;
  blockTimestamp: bigint;
}

/**
 * Reads a GPU rental-price index feed: its description, decimals and latest round, with the round's age at the block
 * read (what a deal compares with its `maxStaleness`).
 * @example
 * const { latest, decimals } = await anyone.priceFeedSnapshot({ feed });
 * console.log(formatUnits(latest!.answer, decimals), "USD per GPU-hour");
 */
export async function priceFeedSnapshot(
  client: CascadeClient,
  params: PriceFeedSnapshotParameters,
): Promise<PriceFeedSnapshotReturnType> {
  return withErrors(async () => {
    const block = await getBlock(
      client,
      params.blockNumber === undefined
        ? { blockTag: "latest" }
        : { blockNumber: params.blockNumber },
    );
    const at = {
      address: params.feed,
      abi: gpuPriceIndexFeedAbi,
      blockNumber: block.number,
    } as const;
    const [description, decimals, version] = await Promise.all([
      readContract(client, { ...at, functionName: "description" }),
      readContract(client, { ...at, functionName: "decimals" }),
      readContract(client, { ...at, functionName: "version" }),
    ]);
    let latest: PriceFeedRound | undefined;
    try {
      const [roundId, answer, , updatedAt] = await readContract(client, {
        ...at,
        functionName: "latestRoundData",
      });
      latest = {
        roundId,
        answer,
        updatedAt,
        age: block.timestamp > updatedAt ? block.timestamp - updatedAt : 0n,
      };
    } catch {
      latest = undefined;
    }
    let isPublisher: boolean | undefined;
    if (params.publisher !== undefined) {
      try {
        const role = await readContract(client, { ...at, functionName: "PUBLISHER_ROLE" });
        isPublisher = await readContract(client, {
          ...at,
          functionName: "hasRole",
          args: [role, params.publisher],
        });
      } catch {
        isPublisher = undefined;
      }
    }
    return {
      feed: params.feed,
      description,
      decimals,
      version,
      latest,
      isPublisher,
      blockNumber: block.number,
      blockTimestamp: block.timestamp,
    };
  });
}
