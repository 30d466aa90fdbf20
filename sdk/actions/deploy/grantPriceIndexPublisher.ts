import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  resolveAccount,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { gpuPriceIndexFeedAbi } from "../../generated/abis.js";

export interface GrantPriceIndexPublisherParameters extends AccountParameter {
  feed: Address;
  /** The account that may publish rounds from now on. */
  publisher: Address;
}

export interface GrantPriceIndexPublisherReturnType {
  /** Undefined when the account held the role already (nothing sent). */
  transactionHash: Hash | undefined;
}

/**
 * The feed's admin lets another account publish rounds of a `GpuPriceIndexFeed` (its publisher role); nothing is
 * sent when it may already.
 * @throws ContractRevertError `AccessControlUnauthorizedAccount(account, role)` when the sender is not the feed's admin.
 * @example
 * await admin.grantPriceIndexPublisher({ feed, publisher: "0x…" });
 */
export async function grantPriceIndexPublisher(
  client: CascadeClient,
  params: GrantPriceIndexPublisherParameters,
): Promise<GrantPriceIndexPublisherReturnType> {
  const account = resolveAccount(client, params.account);
  const role = await withErrors(() =>
    readContract(client, {
      address: params.feed,
      abi: gpuPriceIndexFeedAbi,
      functionName: "PUBLISHER_ROLE",
    }),
  );
  const has = await withErrors(() =>
    readContract(client, {
      address: params.feed,
      abi: gpuPriceIndexFeedAbi,
      functionName: "hasRole",
      args: [role, params.publisher],
    }),
  );
  if (has) return { transactionHash: undefined };
  const receipt = await writeAndWait(client, {
    address: params.feed,
    abi: gpuPriceIndexFeedAbi,
    functionName: "grantRole",
    args: [role, params.publisher],
    account,
  });
  return { transactionHash: receipt.transactionHash };
}
