import { getAddress, type Address, type Hash } from "viem";

import {
  deployAndWait,
  resolveAccount,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { gpuPriceIndexFeedAbi } from "../../generated/abis.js";
import { gpuPriceIndexFeedBytecode } from "../../generated/bytecode.js";

export interface DeployPriceIndexFeedParameters extends AccountParameter {
  /** Decimals of the index (what a deal's `priceFeed.decimals` must match). */
  decimals: number;
  /** e.g. "H100 rental price index, USD per GPU-hour". */
  description: string;
  /** Administers the publisher role; defaults to the deploying account. */
  admin?: Address;
  /** May publish rounds; defaults to the deploying account. */
  publisher?: Address;
}

export interface DeployPriceIndexFeedReturnType {
  feed: Address;
  /** The block the feed was deployed in. */
  blockNumber: bigint;
  transactionHash: Hash;
}

/**
 * Deploys a GPU rental-price index feed (`GpuPriceIndexFeed`, Chainlink AggregatorV3-compatible). Its
 * `latestRoundData()` reverts until the first round is published, and the factory refuses a feed that does not
 * answer: publish a round (`publishPriceIndex`) before creating a deal marked to it.
 * @example
 * const { feed } = await admin.deployPriceIndexFeed({ decimals: 8, description: "B200 rental index, USD per GPU-hour" });
 * await admin.publishPriceIndex({ feed, answer: 480_000_000n }); // $4.80
 */
export async function deployPriceIndexFeed(
  client: CascadeClient,
  params: DeployPriceIndexFeedParameters,
): Promise<DeployPriceIndexFeedReturnType> {
  const account = resolveAccount(client, params.account);
  const { address, receipt } = await deployAndWait(client, {
    abi: gpuPriceIndexFeedAbi,
    bytecode: gpuPriceIndexFeedBytecode,
    args: [
      params.admin ?? account.address,
      params.publisher ?? account.address,
      params.decimals,
      params.description,
    ],
    account,
    label: "GpuPriceIndexFeed",
  });
  return {
    feed: getAddress(address),
    blockNumber: receipt.blockNumber,
    transactionHash: receipt.transactionHash,
  };
}
