/**
 * The keeper service: finds every deal of a factory from its `DealCreated` events (incrementally, from a cursor
 * it can persist), polls each deal with `checkUpkeep`, and sends `performUpkeep` for whatever is ready, earning
 * the keeper bounty.
 *
 * - Chain state decides: a period is run when `checkUpkeep` says so, whatever the cursor or an earlier process
 *   did. `WaterfallPeriodAlreadyDistributed` (another keeper, or an earlier transaction of this one) is a success;
 *   the contract never pays a period twice.
 * - Network and node errors are retried with exponential backoff, first per call (`rpcAttempts`), then by the
 *   main loop, without limit: the service outlives an RPC outage. Nonce conflicts reset the nonce manager.
 * - `stop()` ends the loop: no new transaction is sent; a transaction in flight is waited for up to `stopGraceMs`,
 *   then abandoned (it may still be mined; the next run sees it on chain).
 * - Every event is one structured log record (see `log.ts`).
 */
import type { Address, Hash } from "viem";
import { getAddress } from "viem";

import { ContractRevertError } from "../errors.js";
import { DealStatus, dealEnded, dealStatusName } from "../types.js";
import { isAlreadyDistributed } from "../actions/keeper/performUpkeep.js";
import type { KeeperChain, UpkeepReceipt } from "./chain.js";
import { systemClock, type Clock } from "../clock.js";
import type { Logger } from "./log.js";
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  describeError,
  isNonceError,
  isTransientError,
  retry,
  type BackoffPolicy,
} from "../retry.js";
import type { KeeperState, KeeperStateStore } from "./state.js";

export interface KeeperServiceOptions {
  chain: KeeperChain;
  /** The DealFactory whose deals to keep. */
  factory: Address;
  logger: Logger;
  clock?: Clock;
  /** Pause between two polls of every deal (ms, default 5 000). */
  pollIntervalMs?: number;
  /** Periods one `performUpkeep` may catch up (default 4). */
  maxPeriods?: number;
  /** First block to scan for `DealCreated` when there is no saved cursor (default 0). */
  fromBlock?: bigint;
  /** Largest block range of one `eth_getLogs` (default 5 000; split further while the provider refuses it). */
  logBlockRange?: bigint;
  /** Blocks behind the head to scan to, against reorgs (default 0). */
  confirmations?: bigint;
  /** How long to wait for an upkeep's receipt before asking the chain again (ms, default 60 000). */
  receiptTimeoutMs?: number;
  /** After `stop()`, how long to wait for a transaction in flight (ms, default 15 000). */
  stopGraceMs?: number;
  /** Backoff of retried calls and of the main loop. */
  backoff?: BackoffPolicy;
  /** Attempts of one RPC call before the loop backs off (default 4). */
  rpcAttempts?: number;
  /** Persists the scan cursor and the deals found (optional). */
  store?: KeeperStateStore;
  /** Random source of the backoff jitter. */
  random?: () => number;
}

/** What a run did. */
export interface KeeperSummary {
  deals: number;
  periodsDistributed: number;
  transactions: number;
  /** Keeper bounty earned by this run. */
  bountyEarned: bigint;
  /** Upkeeps another keeper (or an earlier transaction) had done already. */
  alreadyDistributed: number;
  /** Transactions abandoned in flight at shutdown. */
  abandoned: number;
}

interface WatchedDeal {
  deal: Address;
  dealId: bigint;
  blockNumber: bigint;
  periodCount: bigint | undefined;
  /** The deal was still in its offering when last read. */
  offering: boolean;
  finished: boolean;
  /** A transaction sent whose receipt was not seen yet. */
  pending: { hash: Hash; firstPeriod: bigint; sentAt: number } | undefined;
}

const ABANDONED = Symbol("abandoned");

/** A read was cut short because the service is stopping. */
export class KeeperStoppedError extends Error {
  override name = "KeeperStoppedError";
  constructor() {
    super("keeper stopping");
  }
}

export class KeeperService {
  private readonly chain: KeeperChain;
  private readonly factory: Address;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly maxPeriods: number;
  private readonly fromBlock: bigint;
  private readonly logBlockRange: bigint;
  private readonly confirmations: bigint;
  private readonly receiptTimeoutMs: number;
  private readonly stopGraceMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly rpcAttempts: number;
  private readonly store: KeeperStateStore | undefined;
  private readonly random: () => number;

  private readonly deals = new Map<string, WatchedDeal>();
  private chainId: number | undefined;
  private nextBlock: bigint;
  private initialized = false;
  private stopping = false;
  private readonly abort = new AbortController();
  private stopRequested!: () => void;
  private readonly stopSignal = new Promise<void>((resolve) => (this.stopRequested = resolve));
  /** Rejects once stopping; reads race it so that shutdown never waits on a slow node. */
  private readonly stoppedRejection: Promise<never> = this.stopSignal.then(() => {
    throw new KeeperStoppedError();
  });
  private runPromise: Promise<KeeperSummary> | undefined;
  private readonly summary: KeeperSummary = {
    deals: 0,
    periodsDistributed: 0,
    transactions: 0,
    bountyEarned: 0n,
    alreadyDistributed: 0,
    abandoned: 0,
  };

  constructor(opts: KeeperServiceOptions) {
    this.chain = opts.chain;
    this.factory = getAddress(opts.factory);
    this.log = opts.logger;
    this.clock = opts.clock ?? systemClock;
    this.pollIntervalMs = opts.pollIntervalMs ?? 5_000;
    this.maxPeriods = opts.maxPeriods ?? 4;
    this.fromBlock = opts.fromBlock ?? 0n;
    this.logBlockRange = opts.logBlockRange ?? 5_000n;
    this.confirmations = opts.confirmations ?? 0n;
    this.receiptTimeoutMs = opts.receiptTimeoutMs ?? 60_000;
    this.stopGraceMs = opts.stopGraceMs ?? 15_000;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.rpcAttempts = opts.rpcAttempts ?? 4;
    this.store = opts.store;
    this.random = opts.random ?? Math.random;
    this.nextBlock = this.fromBlock;
    // Handled here so that a stop with no read in progress is not an unhandled rejection.
    this.stoppedRejection.catch(() => undefined);
    if (this.maxPeriods < 1) throw new RangeError("maxPeriods must be at least 1");
  }

  /** Runs until `stop()`; resolves with what the run did. Calling it twice returns the same run. */
  run(): Promise<KeeperSummary> {
    this.runPromise ??= this.loop();
    return this.runPromise;
  }

  /** Asks the service to stop; resolves when it has (the in-flight transaction finished or was abandoned). */
  async stop(reason = "stop requested"): Promise<KeeperSummary> {
    if (!this.stopping) {
      this.stopping = true;
      this.log.info("stopping", { reason });
      this.abort.abort();
      this.stopRequested();
    }
    return this.run();
  }

  /** Deals being watched (addresses), in discovery order. */
  get watchedDeals(): Address[] {
    return [...this.deals.values()].map((d) => d.deal);
  }

  // ---------------------------------------------------------------- main loop

  private async loop(): Promise<KeeperSummary> {
    this.log.info("keeper started", {
      keeper: this.chain.address,
      factory: this.factory,
      pollIntervalMs: this.pollIntervalMs,
      maxPeriods: this.maxPeriods,
      state: this.store?.description,
    });
    let failures = 0;
    while (!this.stopping) {
      try {
        await this.tick();
        failures = 0;
      } catch (e) {
        if (this.stopping) break;
        failures++;
        if (isNonceError(e)) this.resetNonce("nonce conflict");
        const delayMs = backoffDelay(failures, this.backoff, this.random);
        this.log.warn("poll failed", {
          error: describeError(e),
          transient: isTransientError(e),
          failures,
          retryInMs: delayMs,
        });
        await this.clock.sleep(delayMs, this.abort.signal);
        continue;
      }
      await this.clock.sleep(this.pollIntervalMs, this.abort.signal);
    }
    await this.saveState();
    this.summary.deals = this.deals.size;
    this.log.info("keeper stopped", { ...this.summary });
    return { ...this.summary };
  }

  /** One pass: initialize once, scan for new deals, service every unfinished deal. */
  private async tick(): Promise<void> {
    if (!this.initialized) await this.initialize();
    await this.scan();
    for (const d of this.deals.values()) {
      if (this.stopping) return;
      if (d.finished) continue;
      try {
        await this.serviceDeal(d);
      } catch (e) {
        // The node is failing: the whole pass backs off. Anything else concerns this deal only.
        if (this.stopping || isTransientError(e) || isNonceError(e)) throw e;
        this.log.warn("deal skipped this poll", { deal: d.deal, error: describeError(e) });
      }
    }
  }

  private async initialize(): Promise<void> {
    this.chainId = await this.rpc("chainId", () => this.chain.chainId());
    if (this.store) {
      let saved: KeeperState | undefined;
      try {
        saved = await this.store.load();
      } catch (e) {
        this.log.warn("state ignored", { state: this.store.description, error: describeError(e) });
      }
      if (saved && (saved.chainId !== this.chainId || getAddress(saved.factory) !== this.factory)) {
        this.log.warn("state ignored", {
          state: this.store.description,
          error: `it is for chain ${saved.chainId} and factory ${saved.factory}`,
        });
        saved = undefined;
      }
      if (saved) {
        this.nextBlock = BigInt(saved.nextBlock);
        for (const d of saved.deals)
          this.addDeal(getAddress(d.deal), BigInt(d.dealId), BigInt(d.blockNumber));
        this.log.info("state loaded", {
          state: this.store.description,
          nextBlock: this.nextBlock,
          deals: saved.deals.length,
        });
      }
    }
    this.initialized = true;
  }

  // ---------------------------------------------------------------- discovery

  private async scan(): Promise<void> {
    const head = await this.rpc("blockNumber", () => this.chain.blockNumber());
    const safe = head - this.confirmations;
    if (this.nextBlock > head + 1n) {
      // The node is behind the cursor: it was restarted from an older state, or it is another chain.
      // Forget what was found: the deals of the chain as it is now are rediscovered.
      this.log.warn("chain head behind the scan cursor; rescanning", {
        head,
        nextBlock: this.nextBlock,
      });
      this.nextBlock = this.fromBlock;
      this.deals.clear();
    }
    while (this.nextBlock <= safe && !this.stopping) {
      const from = this.nextBlock;
      const to = safe < from + this.logBlockRange - 1n ? safe : from + this.logBlockRange - 1n;
      const created = await this.rpc("getLogs", () =>
        this.chain.dealsCreated(this.factory, from, to),
      );
      for (const c of created) {
        if (this.deals.has(c.deal.toLowerCase())) continue;
        this.addDeal(c.deal, c.dealId, c.blockNumber);
        this.log.info("deal discovered", {
          deal: c.deal,
          dealId: c.dealId,
          blockNumber: c.blockNumber,
        });
      }
      this.nextBlock = to + 1n;
      this.log.debug("scanned", { fromBlock: from, toBlock: to, found: created.length });
      await this.saveState();
    }
  }

  private addDeal(deal: Address, dealId: bigint, blockNumber: bigint): void {
    this.deals.set(deal.toLowerCase(), {
      deal,
      dealId,
      blockNumber,
      periodCount: undefined,
      offering: false,
      finished: false,
      pending: undefined,
    });
  }

  // ---------------------------------------------------------------- upkeep

  private async serviceDeal(d: WatchedDeal): Promise<void> {
    // Read once, and again while the deal is still in its offering: it becomes Active, or Cancelled when every
    // offering missed its minimum raise (then it never has a period to run).
    if (d.periodCount === undefined || d.offering) {
      let info;
      try {
        info = await this.rpc("dealInfo", () => this.chain.dealInfo(d.deal));
      } catch (e) {
        if (isTransientError(e)) throw e;
        this.log.warn("not a deal; dropped", { deal: d.deal, error: describeError(e) });
        d.finished = true;
        return;
      }
      d.periodCount = info.periodCount;
      d.offering = info.status === DealStatus.Offering;
      if (dealEnded(info.status)) {
        d.finished = true;
        this.log.info("deal finished", {
          deal: d.deal,
          status: info.status,
          statusName: dealStatusName(info.status),
          nextPeriod: info.nextPeriod,
        });
        return;
      }
      if (d.offering) return;
    }

    // A transaction of an earlier pass whose receipt was not seen (the wait failed): look for it first.
    if (d.pending) {
      const pending = d.pending;
      const receipt = await this.rpc("getTransactionReceipt", () =>
        this.chain.findUpkeep(d.deal, pending.hash),
      );
      if (receipt) {
        d.pending = undefined;
        this.record(d, pending.firstPeriod, receipt);
      } else if (this.clock.now() - pending.sentAt >= this.receiptTimeoutMs) {
        this.log.warn("upkeep transaction not mined; dropped", {
          deal: d.deal,
          period: pending.firstPeriod,
          txHash: pending.hash,
        });
        d.pending = undefined;
        this.resetNonce("transaction not mined");
      } else {
        return;
      }
    }

    // Bounded by the deal's periods: each pass distributes at least one or leaves.
    for (let guard = 0; guard <= Number(d.periodCount) && !d.finished; guard++) {
      if (this.stopping) return;
      const check = await this.rpc("checkUpkeep", () =>
        this.chain.checkUpkeep(d.deal, this.maxPeriods),
      );
      if (!check.upkeepNeeded || this.stopping) return;

      let hash: Hash;
      try {
        hash = await this.rpc("sendTransaction", () =>
          this.chain.sendPerformUpkeep(d.deal, check.performData),
        );
      } catch (e) {
        if (isAlreadyDistributed(e)) {
          // Another transaction got there first. If it is still pending (the check reads the last block, the
          // estimate the pending state) asking again now would only repeat this: the next poll looks again.
          this.summary.alreadyDistributed++;
          this.log.info("period already distributed", { deal: d.deal, period: check.firstPeriod });
          return;
        }
        if (e instanceof ContractRevertError) {
          // E.g. paused between the check and the send: the next poll looks again.
          this.log.warn("upkeep refused", {
            deal: d.deal,
            period: check.firstPeriod,
            error: describeError(e),
          });
          return;
        }
        throw e;
      }
      d.pending = { hash, firstPeriod: check.firstPeriod, sentAt: this.clock.now() };
      this.log.info("upkeep sent", {
        deal: d.deal,
        period: check.firstPeriod,
        maxPeriods: check.maxPeriods,
        txHash: hash,
      });

      const receipt = await this.waitForReceipt(d, hash);
      if (receipt === ABANDONED) return;
      d.pending = undefined;
      this.record(d, check.firstPeriod, receipt);
      if (receipt.status === "reverted") return;
    }
  }

  /** The receipt, or ABANDONED when the service is stopping and the grace period ran out first. */
  private async waitForReceipt(
    d: WatchedDeal,
    hash: Hash,
  ): Promise<UpkeepReceipt | typeof ABANDONED> {
    const wait = this.chain.waitForUpkeep(d.deal, hash, this.receiptTimeoutMs);
    // An abandoned wait may still settle later; nobody listens then.
    wait.catch(() => undefined);
    let settled = false;
    const grace = this.stopSignal.then(async (): Promise<typeof ABANDONED> => {
      // A wait that ended before the stop leaves no timer behind.
      if (!settled) await this.clock.sleep(this.stopGraceMs);
      return ABANDONED;
    });
    const outcome = await Promise.race([wait, grace]).finally(() => (settled = true));
    if (outcome === ABANDONED) {
      this.summary.abandoned++;
      this.log.warn("in-flight transaction abandoned", {
        deal: d.deal,
        period: d.pending?.firstPeriod,
        txHash: hash,
        graceMs: this.stopGraceMs,
      });
    }
    return outcome;
  }

  private record(d: WatchedDeal, firstPeriod: bigint, r: UpkeepReceipt): void {
    this.summary.transactions++;
    if (r.status === "reverted") {
      if (isAlreadyDistributed(r.revert)) {
        this.summary.alreadyDistributed++;
        this.log.info("period already distributed", {
          deal: d.deal,
          period: firstPeriod,
          txHash: r.transactionHash,
          gasUsed: r.gasUsed,
        });
      } else {
        this.log.warn("upkeep reverted", {
          deal: d.deal,
          period: firstPeriod,
          txHash: r.transactionHash,
          gasUsed: r.gasUsed,
          error: r.revert === undefined ? "unknown" : describeError(r.revert),
        });
      }
      return;
    }
    for (const s of r.statements) {
      this.log.info("period distributed", {
        deal: d.deal,
        period: s.period,
        reported: s.reported,
        bounty: s.keeperBountyPaid,
        txHash: r.transactionHash,
        blockNumber: r.blockNumber,
        gasUsed: r.gasUsed,
      });
    }
    this.summary.periodsDistributed += r.statements.length;
    this.summary.bountyEarned += r.bountyEarned;
    const last = r.statements.at(-1);
    if (last !== undefined && d.periodCount !== undefined && last.period + 1n >= d.periodCount) {
      d.finished = true;
      this.log.info("deal finished", { deal: d.deal, periods: d.periodCount });
    }
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * One RPC call with retries on network errors; nonce conflicts reset the nonce manager first. Reads give up as
   * soon as the service stops; a send runs to its end (its transaction may have reached the node).
   */
  private rpc<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const call = retry(fn, {
      clock: this.clock,
      policy: this.backoff,
      maxAttempts: this.rpcAttempts,
      signal: this.abort.signal,
      random: this.random,
      onRetry: ({ attempt, delayMs, error }) => {
        if (isNonceError(error)) this.resetNonce("nonce conflict");
        this.log.warn("rpc retry", {
          op,
          attempt,
          retryInMs: delayMs,
          error: describeError(error),
        });
      },
    });
    if (op === "sendTransaction") return call;
    call.catch(() => undefined);
    return Promise.race([call, this.stoppedRejection]);
  }

  private resetNonce(reason: string): void {
    this.chain.resetNonce();
    this.log.info("nonce reset", { reason });
  }

  private async saveState(): Promise<void> {
    if (!this.store || this.chainId === undefined) return;
    try {
      await this.store.save({
        version: 1,
        chainId: this.chainId,
        factory: this.factory,
        nextBlock: this.nextBlock.toString(),
        deals: [...this.deals.values()].map((d) => ({
          deal: d.deal,
          dealId: d.dealId.toString(),
          blockNumber: d.blockNumber.toString(),
        })),
      });
    } catch (e) {
      this.log.warn("state not saved", { state: this.store.description, error: describeError(e) });
    }
  }
}
