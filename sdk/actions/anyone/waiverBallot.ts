import type { Address } from "viem";
import { getBlock, readContract } from "viem/actions";

import { riskEngineOf, withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, riskEngineAbi, trancheTokenAbi } from "../../generated/abis.js";
import { DealStatus, dealStatusName } from "../../types.js";

export interface WaiverBallotParameters {
  deal: Address;
  /** Also reports this senior holder's vote and voting weight. */
  voter?: Address;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
}

/**
 * Where the last ballot stands: `none` (never opened), `open` (votes accepted, the majority not yet reached),
 * `approved` (open, and more than half of the eligible senior tokens voted for it: anyone may execute it),
 * `executed`, or `expired` (its deadline passed unexecuted).
 */
export type WaiverBallotState = "none" | "open" | "approved" | "executed" | "expired";

export interface WaiverBallotReturnType {
  deal: Address;
  /** The deal's status (a ballot is proposed, and executed, only while it is Accelerated). */
  status: number;
  statusName: string;
  /** The last ballot (`id` 0: none was ever opened). */
  id: bigint;
  deadline: bigint;
  yes: bigint;
  no: bigint;
  executed: boolean;
  state: WaiverBallotState;
  /** Senior tokens held by investors (supply less the shares the offering has not delivered): the electorate. */
  eligible: bigint;
  /** Yes votes a waiver needs: more than half of `eligible`. */
  needed: bigint;
  /** The voter's vote on this ballot and what it would weigh now (balance less frozen tokens). */
  voter?: { address: Address; voted: boolean; weight: bigint; lockedUntil: bigint };
  blockTimestamp: bigint;
}

/**
 * The senior holders' waiver ballot of an accelerated deal: its tally, deadline, electorate and state, and optionally
 * one holder's vote.
 * @example
 * const b = await anyone.waiverBallot({ deal });
 * if (b.state === "approved") await anyone.executeWaiver({ deal });
 */
export async function waiverBallot(
  client: CascadeClient,
  params: WaiverBallotParameters,
): Promise<WaiverBallotReturnType> {
  return withErrors(async () => {
    const block = await getBlock(
      client,
      params.blockNumber === undefined
        ? { blockTag: "latest" }
        : { blockNumber: params.blockNumber },
    );
    const blockNumber = block.number;
    const engine = await riskEngineOf(client, params.deal);
    const [b, status, [senior, offering]] = await Promise.all([
      readContract(client, {
        address: engine,
        abi: riskEngineAbi,
        functionName: "ballot",
        blockNumber,
      }),
      readContract(client, {
        address: params.deal,
        abi: dealAbi,
        functionName: "status",
        blockNumber,
      }),
      readContract(client, {
        address: params.deal,
        abi: dealAbi,
        functionName: "trancheContracts",
        args: [0n],
        blockNumber,
      }),
    ]);
    const token = { address: senior, abi: trancheTokenAbi, blockNumber } as const;
    const [supply, undelivered] = await Promise.all([
      readContract(client, { ...token, functionName: "totalSupply" }),
      readContract(client, { ...token, functionName: "balanceOf", args: [offering] }),
    ]);
    const eligible = supply - undelivered;
    const needed = eligible / 2n + 1n;
    const open = b.id !== 0n && !b.executed && block.timestamp <= b.deadline;
    const state: WaiverBallotState =
      b.id === 0n
        ? "none"
        : b.executed
          ? "executed"
          : !open
            ? "expired"
            : 2n * b.yes > eligible && status === DealStatus.Accelerated
              ? "approved"
              : "open";
    let voter: WaiverBallotReturnType["voter"];
    if (params.voter !== undefined) {
      const [voted, balance, frozen, lockedUntil] = await Promise.all([
        b.id === 0n
          ? Promise.resolve(false)
          : readContract(client, {
              address: engine,
              abi: riskEngineAbi,
              functionName: "hasVoted",
              args: [b.id, params.voter],
              blockNumber,
            }),
        readContract(client, { ...token, functionName: "balanceOf", args: [params.voter] }),
        readContract(client, { ...token, functionName: "frozenTokens", args: [params.voter] }),
        readContract(client, { ...token, functionName: "lockedUntil", args: [params.voter] }),
      ]);
      voter = {
        address: params.voter,
        voted,
        weight: balance > frozen ? balance - frozen : 0n,
        lockedUntil,
      };
    }
    return {
      deal: params.deal,
      status,
      statusName: dealStatusName(status),
      id: b.id,
      deadline: b.deadline,
      yes: b.yes,
      no: b.no,
      executed: b.executed,
      state,
      eligible,
      needed,
      voter,
      blockTimestamp: block.timestamp,
    };
  });
}
