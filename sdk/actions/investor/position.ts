import { erc20Abi, zeroAddress, type Address } from "viem";
import { getBlock, getBlockNumber, getContractEvents, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import {
  investorClassNames,
  transferableToAnotherIdentity,
  transferRestrictionName,
  unpackInvestorRecord,
  type InvestorClassName,
  type InvestorRecord,
  type TransferRestriction,
} from "../../compliance.js";
import {
  dealAbi,
  investorRegistryAbi,
  offeringAbi,
  trancheTokenAbi,
} from "../../generated/abis.js";
import { mulDivDown, WAD } from "../../models/math.js";
import type { TrancheKind } from "../../types.js";

export interface PositionParameters {
  deal: Address;
  investor: Address;
  /** Reads at this block (default: latest), so every figure is consistent. */
  blockNumber?: bigint;
  /**
   * Sum the investor's `Claimed` events into `claimed` (default true). The scan starts at `fromBlock` and reads in
   * ranges of `logRange` blocks, as JSON-RPC providers cap `eth_getLogs`.
   */
  claimed?: boolean;
  /** First block of the `Claimed` scan (default 0; the deal's creation block on long chains). */
  fromBlock?: bigint;
  /** Blocks per `eth_getLogs` call of the scan (default 10,000). */
  logRange?: bigint;
}

/** Whether the tranche's rules let the investor send and claim now (`detectClaimRestriction`: paused, 4 – 8). */
export interface TrancheEligibility {
  /** ERC-1404 code; 0: the investor may claim and send (transfers still face the receiver's checks). */
  code: TransferRestriction;
  restriction: string;
  /** The token's `messageForTransferRestriction(code)`. */
  message: string;
}

export interface TranchePosition {
  index: number;
  token: Address;
  offering: Address;
  symbol: string;
  kind: TrancheKind;
  /** Tranche tokens held. */
  balance: bigint;
  /** Outstanding face per token (WAD; 1e18 for equity once issued). */
  factor: bigint;
  /** Face outstanding of the holding: balance × factor, rounded down (stablecoin units). */
  faceOutstanding: bigint;
  /**
   * Of `balance`, the tokens still in their holding period (received from another investor less than the tranche's
   * `minHoldingPeriod` ago): they may not go to another investor before `freshReleasedAt`. 0 on a tranche without a
   * holding period.
   */
  fresh: bigint;
  /** When `fresh` is released (unix seconds; 0 when nothing is fresh). */
  freshReleasedAt: bigint;
  /** The tranche's minimum holding period for tokens received from another investor (seconds; 0: none). */
  minHoldingPeriod: number;
  /** Tokens a compliance agent froze (they cannot move; they keep earning). */
  frozen: bigint;
  /** End of the waiver-vote lock (unix seconds; 0: never voted): the tokens cannot move until then, inclusive. */
  voteLockedUntil: bigint;
  /** Whether the vote lock holds at the position's block. */
  voteLocked: boolean;
  /** What may go to another investor now: balance less frozen and fresh tokens, 0 while vote-locked. */
  transferable: bigint;
  /** Stablecoin claimable now on the token (accrued coupons and principal). */
  claimable: bigint;
  /** Stablecoin claimed to date (Σ the investor's `Claimed` events); undefined when not scanned. */
  claimed: bigint | undefined;
  /** Request still pending in an open offering. */
  pendingRequest: bigint;
  /** Allocated shares not yet claimed from a closed offering. */
  claimableRequest: bigint;
  /** Unallocated stablecoin refundable from a closed offering. */
  refundable: bigint;
  /** Whether the tranche lets the investor claim and send now. */
  eligibility: TrancheEligibility;
}

/** The investor's record in the deal's investor registry, as a holder reads it. */
export interface RegistryRecord extends InvestorRecord {
  registry: Address;
  /** Class flags by name (other bits as one number). */
  classNames: (InvestorClassName | number)[];
  registered: boolean;
  /** Identity or wallet frozen: nothing moves and nothing is claimed until released. */
  frozen: boolean;
  /** KYC past its expiry at the position's block. */
  kycExpired: boolean;
}

export interface PositionReturnType {
  deal: Address;
  investor: Address;
  blockNumber: bigint;
  /** Chain time of `blockNumber` (unix seconds). */
  timestamp: bigint;
  stablecoin: Address;
  stablecoinSymbol: string;
  decimals: number;
  /** The registry record; undefined for a deal whose tokens are unrestricted. */
  record: RegistryRecord | undefined;
  tranches: TranchePosition[];
}

/**
 * An investor's position in every tranche of a deal: tokens, factor and face outstanding, claimable and claimed
 * cash, what the offerings still hold for it, its registry record, and what keeps its tokens in place (holding-period
 * lot, vote lock, frozen tokens).
 * @example
 * const { tranches, record } = await client.position({ deal, investor, fromBlock: creationBlock });
 */
export async function position(
  client: CascadeClient,
  params: PositionParameters,
): Promise<PositionReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const at = { blockNumber };
    const dealRead = { address: params.deal, abi: dealAbi, ...at } as const;
    const [count, stablecoin, block] = await Promise.all([
      readContract(client, { ...dealRead, functionName: "trancheCount" }),
      readContract(client, { ...dealRead, functionName: "stablecoin" }),
      getBlock(client, { blockNumber }),
    ]);
    const now = block.timestamp;
    const [decimals, stablecoinSymbol] = await Promise.all([
      readContract(client, { address: stablecoin, abi: erc20Abi, functionName: "decimals" }),
      readContract(client, { address: stablecoin, abi: erc20Abi, functionName: "symbol" }),
    ]);
    const investor = params.investor;
    const tranches = await Promise.all(
      Array.from({ length: Number(count) }, async (_, index): Promise<TranchePosition> => {
        const info = await readContract(client, {
          ...dealRead,
          functionName: "tranche",
          args: [BigInt(index)],
        });
        const token = { address: info.token, abi: trancheTokenAbi, ...at } as const;
        const offering = { address: info.offering, abi: offeringAbi, ...at } as const;
        const [
          symbol,
          balance,
          [fresh, freshReleasedAt],
          rules,
          frozen,
          voteLockedUntil,
          claimable,
          factor,
          pendingRequest,
          claimableRequest,
          refundable,
          code,
        ] = await Promise.all([
          readContract(client, { ...token, functionName: "symbol" }),
          readContract(client, { ...token, functionName: "balanceOf", args: [investor] }),
          readContract(client, { ...token, functionName: "freshTokens", args: [investor] }),
          readContract(client, { ...token, functionName: "transferRules" }),
          readContract(client, { ...token, functionName: "frozenTokens", args: [investor] }),
          readContract(client, { ...token, functionName: "lockedUntil", args: [investor] }),
          readContract(client, { ...token, functionName: "claimable", args: [investor] }),
          readContract(client, { ...dealRead, functionName: "factor", args: [BigInt(index)] }),
          readContract(client, {
            ...offering,
            functionName: "pendingDepositRequest",
            args: [0n, investor],
          }),
          readContract(client, {
            ...offering,
            functionName: "claimableDepositRequest",
            args: [0n, investor],
          }),
          readContract(client, { ...offering, functionName: "refundable", args: [investor] }),
          readContract(client, {
            ...token,
            functionName: "detectClaimRestriction",
            args: [investor],
          }),
        ]);
        const message = await readContract(client, {
          ...token,
          functionName: "messageForTransferRestriction",
          args: [code],
        });
        // The token refuses a move while `lockedUntil >= block.timestamp`.
        const voteLocked = voteLockedUntil !== 0n && voteLockedUntil >= now;
        return {
          index,
          token: info.token,
          offering: info.offering,
          symbol,
          kind: info.kind as TrancheKind,
          balance,
          factor,
          faceOutstanding: mulDivDown(balance, factor, WAD),
          fresh,
          freshReleasedAt,
          minHoldingPeriod: rules.minHoldingPeriod,
          frozen,
          voteLockedUntil,
          voteLocked,
          transferable: voteLocked ? 0n : transferableToAnotherIdentity({ balance, frozen, fresh }),
          claimable,
          claimed: undefined,
          pendingRequest,
          claimableRequest,
          refundable,
          eligibility: {
            code: code as TransferRestriction,
            restriction: transferRestrictionName(code),
            message,
          },
        };
      }),
    );

    if (params.claimed ?? true) {
      const claimed = await claimedByToken(
        client,
        tranches.map((t) => t.token),
        investor,
        params.fromBlock ?? 0n,
        blockNumber,
        params.logRange ?? 10_000n,
      );
      for (const t of tranches) t.claimed = claimed.get(t.token.toLowerCase()) ?? 0n;
    }

    let record: RegistryRecord | undefined;
    const registry =
      tranches.length === 0
        ? zeroAddress
        : await readContract(client, {
            address: tranches[0].token,
            abi: trancheTokenAbi,
            functionName: "registry",
            ...at,
          });
    if (registry !== zeroAddress) {
      const packed = await readContract(client, {
        address: registry,
        abi: investorRegistryAbi,
        functionName: "walletRecord",
        args: [investor],
        ...at,
      });
      const r = unpackInvestorRecord(packed);
      record = {
        registry,
        ...r,
        classNames: investorClassNames(r.classes),
        registered: r.identity !== 0,
        frozen: r.identityFrozen || r.walletFrozen,
        kycExpired: r.identity !== 0 && r.kycExpiry <= now,
      };
    }
    return {
      deal: params.deal,
      investor,
      blockNumber,
      timestamp: now,
      stablecoin,
      stablecoinSymbol,
      decimals,
      record,
      tranches,
    };
  });
}

/** Σ `Claimed(account = investor)` per token over [from, to], in ranges of `range` blocks. */
async function claimedByToken(
  client: CascadeClient,
  tokens: readonly Address[],
  investor: Address,
  from: bigint,
  to: bigint,
  range: bigint,
): Promise<Map<string, bigint>> {
  if (range <= 0n) throw new RangeError(`logRange must be positive, got ${range}`);
  const sums = new Map<string, bigint>();
  if (tokens.length === 0) return sums;
  for (let start = from; start <= to; start += range) {
    const end = start + range - 1n < to ? start + range - 1n : to;
    const logs = await getContractEvents(client, {
      address: [...tokens],
      abi: trancheTokenAbi,
      eventName: "Claimed",
      args: { account: investor },
      fromBlock: start,
      toBlock: end,
      strict: true,
    });
    for (const log of logs) {
      const key = log.address.toLowerCase();
      sums.set(key, (sums.get(key) ?? 0n) + log.args.amount);
    }
  }
  return sums;
}

/** Whether a tranche position holds anything: tokens, cash to claim, or a request in its offering. */
export function hasPosition(t: TranchePosition): boolean {
  return (
    t.balance !== 0n ||
    t.claimable !== 0n ||
    t.pendingRequest !== 0n ||
    t.claimableRequest !== 0n ||
    t.refundable !== 0n
  );
}
