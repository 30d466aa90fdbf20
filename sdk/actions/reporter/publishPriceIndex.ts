import type { Address, Hash } from "viem";
import { getBlock } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { gpuPriceIndexFeedAbi } from "../../generated/abis.js";

export interface PublishPriceIndexParameters extends AccountParameter {
  feed: Address;
  /** The index in the feed's decimals (positive). */
  answer: bigint;
  /** When it was observed (unix seconds, not in the future); defaults to the latest block's time. */
  updatedAt?: bigint;
}

export interface PublishPriceIndexReturnType {
  roundId: bigint;
  answer: bigint;
  updatedAt: bigint;
  transactionHash: Hash;
}

/**
 * Publishes a round of a GPU rental-price index feed (publisher role).
 * @throws ContractRevertError `NonPositiveAnswer(answer)`, `InvalidObservationTime(updatedAt, latest)` (zero, in the
 * future or older than the latest round), `AccessControlUnauthorizedAccount(account, role)`.
 * @example
 * await publisher.publishPriceIndex({ feed, answer: parseUnits("4.65", 8) });
 */
export async function publishPriceIndex(
  client: CascadeClient,
  params: PublishPriceIndexParameters,
): Promise<PublishPriceIndexReturnType> {
  const account = resolveAccount(client, params.account);
  const updatedAt = params.updatedAt ?? (await withErrors(() => getBlock(client))).timestamp;
  const receipt = await writeAndWait(client, {
    address: params.feed,
    abi: gpuPriceIndexFeedAbi,
    functionName: "publish",
    args: [params.answer, updatedAt],
    account,
  });
  const [published] = eventsOf(receipt, gpuPriceIndexFeedAbi, "AnswerPublished", params.feed);
  return {
    roundId: published?.args.roundId ?? 0n,
    answer: params.answer,
    updatedAt,
    transactionHash: receipt.transactionHash,
  };
}
