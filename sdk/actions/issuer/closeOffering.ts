import type { Address, Hash } from "viem";
import { getBlock, readContract } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError, NotReadyError } from "../../errors.js";
import { dealAbi, offeringAbi } from "../../generated/abis.js";
import { DealStatus } from "../../types.js";

export interface CloseOfferingParameters extends AccountParameter {
  offering: Address;
}

export interface CloseOfferingReturnType {
  requested: bigint;
  accepted: bigint;
  /** Stablecoin paid to the issuer. */
  proceeds: bigint;
  /** Stablecoin paid into the deal's reserve. */
  reserveFunding: bigint;
  /** The minimum raise was missed: every request is refundable. */
  failed: boolean;
  /** This close settled the last open offering and moved the deal to Active. */
  dealActivated: boolean;
  transactionHash: Hash;
}

/**
 * Closes an offering once its window has ended (anyone may): allocates pro rata when oversubscribed, mints the
 * tranche, pays the proceeds and the reserve funding.
 * @throws NotReadyError while the window is open.
 */
export async function closeOffering(
  client: CascadeClient,
  params: CloseOfferingParameters,
): Promise<CloseOfferingReturnType> {
  const account = resolveAccount(client, params.account);
  const config = await readContract(client, {
    address: params.offering,
    abi: offeringAbi,
    functionName: "config",
  });
  const { timestamp } = await getBlock(client, { blockTag: "latest" });
  if (timestamp < config.closesAt) {
    throw new NotReadyError(`offering open until ${config.closesAt} (chain time ${timestamp})`, {
      offering: params.offering,
      closesAt: config.closesAt,
      now: timestamp,
    });
  }
  const receipt = await writeAndWait(client, {
    address: params.offering,
    abi: offeringAbi,
    functionName: "close",
    args: [],
    account,
  });
  const [closed] = eventsOf(receipt, offeringAbi, "OfferingClosed", params.offering);
  if (!closed) {
    throw new CascadeError("closeOffering: no OfferingClosed event", {
      transactionHash: receipt.transactionHash,
    });
  }
  const activated = eventsOf(receipt, dealAbi, "StatusChanged", config.deal).some(
    (e) => e.args.current === DealStatus.Active,
  );
  return {
    requested: closed.args.requested,
    accepted: closed.args.accepted,
    proceeds: closed.args.proceeds,
    reserveFunding: closed.args.reserveFunding,
    failed: closed.args.failed,
    dealActivated: activated,
    transactionHash: receipt.transactionHash,
  };
}
