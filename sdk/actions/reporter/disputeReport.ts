import {
  isHex,
  keccak256,
  size,
  stringToHex,
  toHex,
  type Address,
  type Hash,
  type Hex,
} from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError } from "../../errors.js";
import { utilizationOracleAbi } from "../../generated/abis.js";
import { oracleOf } from "./prepareReport.js";

export interface DisputeReportParameters extends AccountParameter {
  deal: Address;
  period: bigint;
  /**
   * Why: 32 bytes of hex (e.g. the hash of a written objection), or a short text stored as a right-padded bytes32
   * (at most 32 bytes of UTF-8; hash longer texts with {@link disputeReason}).
   */
  reason: Hex | string;
  /** The oracle (default: the deal's). */
  oracle?: Address;
}

export interface DisputeReportReturnType {
  /** The round the dispute voided. */
  round: bigint;
  /** The round a new report must name. */
  nextRound: bigint;
  reason: Hex;
  transactionHash: Hash;
}

/** The bytes32 `reason` of a dispute: 32-byte hex as is, a short text right-padded, a long text hashed. */
export function disputeReason(reason: Hex | string, opts: { hashLong?: boolean } = {}): Hex {
  if (isHex(reason) && size(reason) === 32) return reason;
  const bytes = size(toHex(reason));
  if (bytes <= 32) return stringToHex(reason, { size: 32 });
  if (opts.hashLong) return keccak256(toHex(reason));
  throw new CascadeError("dispute reason longer than 32 bytes: pass its hash", { bytes });
}

/**
 * A reporter of the deal (or its guardian) disputes the pending report of a period within the dispute window: the
 * report is void and the period needs a new quorum report in the next round.
 */
export async function disputeReport(
  client: CascadeClient,
  params: DisputeReportParameters,
): Promise<DisputeReportReturnType> {
  const account = resolveAccount(client, params.account);
  const oracle = params.oracle ?? (await oracleOf(client, params.deal));
  const reason = disputeReason(params.reason);
  const receipt = await writeAndWait(client, {
    address: oracle,
    abi: utilizationOracleAbi,
    functionName: "dispute",
    args: [params.deal, params.period, reason],
    account,
  });
  const [disputed] = eventsOf(receipt, utilizationOracleAbi, "ReportDisputed", oracle);
  if (!disputed) {
    throw new CascadeError("disputeReport: no ReportDisputed event", {
      transactionHash: receipt.transactionHash,
    });
  }
  return {
    round: disputed.args.round,
    nextRound: disputed.args.round + 1n,
    reason,
    transactionHash: receipt.transactionHash,
  };
}
