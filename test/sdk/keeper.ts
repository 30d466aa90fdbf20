/**
 * The keeper service's logic on its own: discovery, upkeep, retries with exponential backoff, nonce resets,
 * "already distributed" as success, graceful stop and restart, against an in-memory chain on a fake clock. The
 * service against a real node is test/e2e/keeper.ts.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import {
  HttpRequestError,
  NonceTooLowError,
  encodeAbiParameters,
  encodeErrorResult,
  zeroAddress,
  type Address,
  type Hash,
  type Hex,
} from "viem";

import {
  ContractRevertError,
  dealAbi,
  DealStatus,
  decodeRevert,
  MAX_UINT256,
  type PeriodStatement,
} from "../../sdk/index.js";
import {
  backoffDelay,
  FakeClock,
  fileStateStore,
  flush,
  isNonceError,
  isTransientError,
  KeeperService,
  memoryLogger,
  memoryStateStore,
  retry,
  type BackoffPolicy,
  type CreatedDeal,
  type KeeperChain,
  type UpkeepReceipt,
} from "../../sdk/keeper/index.js";

/** The ContractRevertError a deal's custom error decodes to. */
function encodeRevertForTest(
  errorName: "WaterfallPeriodAlreadyDistributed" | "WaterfallPeriodNotReady",
  ...args: bigint[]
): ContractRevertError {
  const data = encodeErrorResult({ abi: dealAbi, errorName, args } as Parameters<
    typeof encodeErrorResult
  >[0]);
  return decodeRevert(data) as ContractRevertError;
}

const POLICY: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 1_600, factor: 2, jitter: 0 };
const KEEPER = "0x00000000000000000000000000000000000000Ee" as Address;
const BOUNTY = 25_000_000n;

const network = () =>
  new HttpRequestError({ url: "http://127.0.0.1:8545", details: "fetch failed: ECONNREFUSED" });

function statement(period: bigint): PeriodStatement {
  return {
    period,
    reported: true,
    cashIn: 100n,
    reserveReleased: 0n,
    reserveDrawn: 0n,
    keeperBountyPaid: BOUNTY,
    trusteeFeePaid: 0n,
    servicerFeePaid: 0n,
    interestPaid: [],
    reserveToppedUp: 0n,
    principalPaid: [],
    residualPaid: 0n,
    utilization: 0n,
    reserveTrapped: 0n,
    collectionsCarried: 0n,
    reserveAfter: 0n,
    mode: DealStatus.Active,
    metrics: {
      cashAvailableForDebtService: 100n,
      debtService: 0n,
      dscr: MAX_UINT256,
      trailingDscr: MAX_UINT256,
      utilization: 0n,
      collateralValue: 0n,
      notesOutstanding: 0n,
      ltv: 0n,
      seniorCurve: 0n,
      reserveLevel: MAX_UINT256,
      servicerShortfall: 0n,
      breakEvenUtilization: MAX_UINT256,
      overcollateralization: [],
      interestCoverage: [],
      breachedMask: 0n,
      activeMask: 0n,
    },
    keeper: KEEPER,
    trusteeFeeArrears: 0n,
    servicerFeeArrears: 0n,
    interestDue: [],
    outstanding: [],
    residualRecipient: zeroAddress,
    recoveriesApplied: 0n,
    rentIn: 0n,
    rentPaid: 0n,
    rentArrears: 0n,
  };
}

interface FakeDeal {
  periodCount: bigint;
  nextPeriod: bigint;
  /** Periods from `nextPeriod` on that are ready. */
  ready: number;
  /** The deal's status when set (else Active, Repaid once every period is distributed). */
  status?: DealStatus;
}

/** An in-memory chain: deals, a head block, and faults to inject per operation. */
class FakeChain implements KeeperChain {
  readonly address = KEEPER;
  head = 100n;
  readonly created: CreatedDeal[] = [];
  readonly deals = new Map<string, FakeDeal>();
  readonly sent: { deal: Address; firstPeriod: bigint; hash: Hash }[] = [];
  readonly calls: string[] = [];
  readonly logRanges: [bigint, bigint][] = [];
  nonceResets = 0;
  /** Errors thrown by the next calls of an operation, in order. */
  private faults = new Map<string, unknown[]>();
  /** When set, receipts wait for `release()`. */
  holdReceipts = false;
  /** Reasons the next sent transactions revert with once mined (another keeper's transaction came first). */
  readonly revertNext: Error[] = [];
  private held: { resolve: () => void }[] = [];

  addDeal(deal: Address, block: bigint, periodCount = 3n): void {
    this.created.push({ deal, dealId: BigInt(this.created.length), blockNumber: block });
    this.deals.set(deal, { periodCount, nextPeriod: 0n, ready: 0 });
  }

  makeReady(deal: Address, periods: number): void {
    (this.deals.get(deal) as FakeDeal).ready += periods;
  }

  fail(op: string, ...errors: unknown[]): void {
    this.faults.set(op, [...(this.faults.get(op) ?? []), ...errors]);
  }

  release(): void {
    for (const h of this.held.splice(0)) h.resolve();
  }

  private async op(name: string): Promise<void> {
    this.calls.push(name);
    const queue = this.faults.get(name);
    if (queue && queue.length > 0) throw queue.shift();
  }

  async chainId() {
    await this.op("chainId");
    return 31_337;
  }
  async blockNumber() {
    await this.op("blockNumber");
    return this.head;
  }
  async dealsCreated(_factory: Address, from: bigint, to: bigint) {
    await this.op("dealsCreated");
    this.logRanges.push([from, to]);
    return this.created.filter((c) => c.blockNumber >= from && c.blockNumber <= to);
  }
  async dealInfo(deal: Address) {
    await this.op("dealInfo");
    const d = this.deals.get(deal) as FakeDeal;
    const status =
      d.status ?? (d.nextPeriod >= d.periodCount ? DealStatus.Repaid : DealStatus.Active);
    return { status, periodCount: d.periodCount, nextPeriod: d.nextPeriod };
  }
  async checkUpkeep(deal: Address, maxPeriods: number) {
    await this.op("checkUpkeep");
    const d = this.deals.get(deal) as FakeDeal;
    const performData = encodeAbiParameters(
      [{ type: "uint256" }, { type: "uint256" }],
      [d.nextPeriod, BigInt(maxPeriods)],
    );
    return {
      upkeepNeeded: d.ready > 0,
      performData,
      firstPeriod: d.nextPeriod,
      maxPeriods: BigInt(maxPeriods),
    };
  }
  private receipts = new Map<Hash, UpkeepReceipt>();
  async sendPerformUpkeep(deal: Address, performData: Hex) {
    await this.op("sendPerformUpkeep");
    const d = this.deals.get(deal) as FakeDeal;
    const first = BigInt(performData.slice(0, 66));
    const max = BigInt(`0x${performData.slice(66)}`);
    if (first < d.nextPeriod) throw encodeRevertForTest("WaterfallPeriodAlreadyDistributed", first);
    const hash = `0x${(this.sent.length + 1).toString(16).padStart(64, "0")}` as Hash;
    const revert = this.revertNext.shift();
    if (revert) {
      // Mined after a competitor's distribution of the same periods: reverted, nothing paid.
      this.sent.push({ deal, firstPeriod: first, hash });
      const n = Math.min(d.ready, Number(max));
      d.nextPeriod += BigInt(n);
      d.ready -= n;
      this.receipts.set(hash, {
        transactionHash: hash,
        blockNumber: ++this.head,
        gasUsed: 40_000n,
        status: "reverted",
        statements: [],
        bountyEarned: 0n,
        revert,
      });
      return hash;
    }
    const n = Math.min(d.ready, Number(max));
    const statements = Array.from({ length: n }, (_, i) => statement(first + BigInt(i)));
    d.nextPeriod += BigInt(n);
    d.ready -= n;
    this.sent.push({ deal, firstPeriod: first, hash });
    this.receipts.set(hash, {
      transactionHash: hash,
      blockNumber: ++this.head,
      gasUsed: 250_000n,
      status: "success",
      statements,
      bountyEarned: BOUNTY * BigInt(n),
    });
    return hash;
  }
  async waitForUpkeep(_deal: Address, hash: Hash) {
    await this.op("waitForUpkeep");
    if (this.holdReceipts) await new Promise<void>((resolve) => this.held.push({ resolve }));
    return this.receipts.get(hash) as UpkeepReceipt;
  }
  async findUpkeep(_deal: Address, hash: Hash) {
    await this.op("findUpkeep");
    return this.receipts.get(hash);
  }
  resetNonce() {
    this.nonceResets++;
  }
}

const DEAL_A = "0x000000000000000000000000000000000000000A" as Address;
const DEAL_B = "0x000000000000000000000000000000000000000b" as Address;
const FACTORY = "0x00000000000000000000000000000000000000Fa" as Address;

function setUp(opts: Partial<ConstructorParameters<typeof KeeperService>[0]> = {}) {
  const chain = new FakeChain();
  const clock = new FakeClock(1_000_000);
  const logger = memoryLogger();
  const store = memoryStateStore();
  const service = new KeeperService({
    chain,
    clock,
    logger,
    store,
    factory: FACTORY,
    pollIntervalMs: 1_000,
    backoff: POLICY,
    rpcAttempts: 3,
    receiptTimeoutMs: 10_000,
    stopGraceMs: 5_000,
    logBlockRange: 10n,
    random: () => 0.5,
    ...opts,
  });
  const msgs = (msg: string) => logger.records.filter((r) => r.msg === msg);
  return { chain, clock, logger, store, service, msgs };
}

/** Advances the fake clock step by step until `done()` holds. */
async function until(clock: FakeClock, done: () => boolean, stepMs = 100, maxSteps = 2_000) {
  for (let i = 0; i < maxSteps && !done(); i++) await clock.advance(stepMs);
  if (!done()) throw new Error("condition not reached");
}

describe("Keeper: backoff and retries", () => {
  it("delays grow exponentially from the initial delay and stop at the cap; jitter stays within its spread", () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, POLICY))).to.deep.equal([
      100, 200, 400, 800, 1_600, 1_600, 1_600,
    ]);
    const jittered = { ...POLICY, jitter: 0.2 };
    expect(backoffDelay(3, jittered, () => 0)).to.equal(320);
    expect(backoffDelay(3, jittered, () => 1)).to.equal(480);
    expect(backoffDelay(9, jittered, () => 1)).to.equal(1_600); // never above the cap
  });

  it("retries network errors with exponential backoff on the fake clock, then succeeds", async () => {
    const clock = new FakeClock();
    let calls = 0;
    const seen: number[] = [];
    const result = retry(
      async () => {
        calls++;
        if (calls < 4) throw network();
        return "ok";
      },
      { clock, policy: POLICY, onRetry: ({ delayMs }) => seen.push(delayMs) },
    );
    await flush();
    expect(clock.sleeps).to.deep.equal([100]);
    await clock.advance(100);
    await clock.advance(200);
    await clock.advance(400);
    expect(await result).to.equal("ok");
    expect(calls).to.equal(4);
    expect(seen).to.deep.equal([100, 200, 400]);
    expect(clock.sleeps).to.deep.equal([100, 200, 400]);
  });

  it("does not retry a contract revert, and gives up after maxAttempts", async () => {
    const clock = new FakeClock();
    const revert = encodeRevertForTest("WaterfallPeriodNotReady", 3n, 2n);
    const refused = await retry(
      async () => {
        throw revert;
      },
      { clock, policy: POLICY },
    ).catch((e: unknown) => e);
    expect(refused).to.equal(revert);
    expect(clock.sleeps).to.deep.equal([]);

    let calls = 0;
    const exhausted = retry(
      async () => {
        calls++;
        throw network();
      },
      { clock, policy: POLICY, maxAttempts: 3 },
    ).catch((e: unknown) => e);
    await until(clock, () => calls === 3);
    expect(await exhausted).to.be.instanceOf(HttpRequestError);
    expect(clock.sleeps).to.deep.equal([100, 200]);
  });

  it("an abort ends the wait at once and rethrows", async () => {
    const clock = new FakeClock();
    const abort = new AbortController();
    const p = retry(
      async () => {
        throw network();
      },
      { clock, policy: POLICY, signal: abort.signal },
    ).catch((e: unknown) => e);
    await flush();
    abort.abort();
    expect(await p).to.be.instanceOf(HttpRequestError);
  });

  it("classifies errors: network and nonce errors are transient, reverts are not", () => {
    expect(isTransientError(network())).to.equal(true);
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), {
        code: "ECONNREFUSED",
      }),
    });
    expect(isTransientError(refused)).to.equal(true);
    const nonce = new NonceTooLowError({ nonce: 3 });
    expect([isTransientError(nonce), isNonceError(nonce)]).to.deep.equal([true, true]);
    expect(isNonceError(new Error("replacement transaction underpriced"))).to.equal(true);
    expect(isTransientError(encodeRevertForTest("WaterfallPeriodAlreadyDistributed", 1n))).to.equal(
      false,
    );
    expect(isTransientError(new Error("execution reverted"))).to.equal(false);
  });
});

describe("Keeper service", () => {
  it("discovers deals in bounded log ranges, runs what is ready and logs one record per period", async () => {
    const { chain, clock, service, store, msgs } = setUp();
    chain.addDeal(DEAL_A, 5n);
    chain.addDeal(DEAL_B, 17n, 2n);
    chain.head = 25n;
    chain.makeReady(DEAL_A, 2);
    const run = service.run();
    await until(clock, () => msgs("period distributed").length === 2);
    // Blocks 0–25 in ranges of 10.
    expect(chain.logRanges).to.deep.equal([
      [0n, 9n],
      [10n, 19n],
      [20n, 25n],
    ]);
    expect(msgs("deal discovered").map((r) => r.deal)).to.deep.equal([DEAL_A, DEAL_B]);
    // One transaction caught up both periods.
    expect(chain.sent).to.have.length(1);
    const [p0, p1] = msgs("period distributed");
    expect([p0.period, p1.period]).to.deep.equal([0n, 1n]);
    expect(p0.txHash).to.equal(chain.sent[0].hash);
    expect(p0.gasUsed).to.equal(250_000n);
    expect(p0.bounty).to.equal(BOUNTY);

    // Later: deal B's two periods, then deal A's last one, which finishes it.
    chain.makeReady(DEAL_B, 2);
    chain.makeReady(DEAL_A, 1);
    await until(clock, () => msgs("deal finished").length === 2);
    expect(BigInt(store.state?.nextBlock ?? 0) > 25n).to.equal(true);
    const summary = await service.stop("test");
    expect(summary).to.deep.include({ periodsDistributed: 5, transactions: 3, deals: 2 });
    expect(summary.bountyEarned).to.equal(5n * BOUNTY);
    expect(await run).to.deep.equal(summary);
    expect(msgs("keeper stopped")).to.have.length(1);
    // Finished deals are not polled any more.
    const checks = chain.calls.filter((c) => c === "checkUpkeep").length;
    await clock.advance(5_000);
    expect(chain.calls.filter((c) => c === "checkUpkeep").length).to.equal(checks);
  });

  it("skips a cancelled deal: it watches a deal in its offering until it is cancelled, and never runs it", async () => {
    const { chain, clock, service, msgs } = setUp();
    chain.addDeal(DEAL_A, 1n);
    chain.addDeal(DEAL_B, 2n);
    const a = chain.deals.get(DEAL_A) as FakeDeal;
    const b = chain.deals.get(DEAL_B) as FakeDeal;
    a.status = DealStatus.Offering;
    b.status = DealStatus.Cancelled;
    // Whatever checkUpkeep would say, a deal that is not running is not asked.
    chain.makeReady(DEAL_A, 1);
    chain.makeReady(DEAL_B, 1);
    void service.run();
    await until(clock, () => msgs("deal finished").length === 1);
    expect(msgs("deal finished")[0]).to.deep.include({
      deal: DEAL_B,
      status: DealStatus.Cancelled,
      statusName: "Cancelled",
    });
    // Still in its offering: read again at every poll, never checked for upkeep.
    const infos = chain.calls.filter((c) => c === "dealInfo").length;
    await clock.advance(3_000);
    expect(chain.calls.filter((c) => c === "dealInfo").length).to.be.greaterThan(infos);
    a.status = DealStatus.Cancelled;
    await until(clock, () => msgs("deal finished").length === 2);
    expect(msgs("deal finished")[1]).to.deep.include({ deal: DEAL_A, statusName: "Cancelled" });
    const calls = chain.calls.length;
    await clock.advance(5_000);
    expect(chain.calls.slice(calls).filter((c) => c === "dealInfo")).to.deep.equal([]);
    expect(chain.calls.filter((c) => c === "checkUpkeep")).to.deep.equal([]);
    expect(chain.sent).to.deep.equal([]);
    await service.stop();
  });

  it("survives an RPC outage: per-call retries, then the loop backs off exponentially until the node is back", async () => {
    const { chain, clock, service, msgs } = setUp();
    chain.addDeal(DEAL_A, 1n);
    chain.makeReady(DEAL_A, 1);
    // The node is down for 9 calls: three polls of three attempts each.
    chain.fail("blockNumber", ...Array.from({ length: 9 }, network));
    void service.run();
    await until(clock, () => msgs("period distributed").length === 1);
    const failed = msgs("poll failed");
    expect(failed.map((r) => r.retryInMs)).to.deep.equal([100, 200, 400]);
    expect(failed.every((r) => r.transient === true)).to.equal(true);
    expect(msgs("rpc retry").map((r) => r.retryInMs)).to.deep.equal([100, 200, 100, 200, 100, 200]);
    // After a good poll the loop is back to its normal interval.
    const before = clock.sleeps.length;
    await clock.advance(1_000);
    expect(clock.sleeps.slice(before)).to.include(1_000);
    await service.stop();
  });

  it("treats WaterfallPeriodAlreadyDistributed as success and moves on", async () => {
    const { chain, clock, service, msgs } = setUp();
    chain.addDeal(DEAL_A, 1n);
    chain.makeReady(DEAL_A, 1);
    chain.fail("sendPerformUpkeep", encodeRevertForTest("WaterfallPeriodAlreadyDistributed", 0n));
    void service.run();
    await until(clock, () => msgs("period already distributed").length === 1);
    await until(clock, () => msgs("period distributed").length === 1);
    expect(msgs("poll failed")).to.have.length(0);
    const summary = await service.stop();
    expect(summary.alreadyDistributed).to.equal(1);
  });

  it("a mined upkeep that lost the race is logged as already distributed; other reverts are warnings", async () => {
    const { chain, clock, service, msgs } = setUp();
    chain.addDeal(DEAL_A, 1n);
    chain.addDeal(DEAL_B, 2n);
    chain.makeReady(DEAL_A, 1);
    chain.revertNext.push(encodeRevertForTest("WaterfallPeriodAlreadyDistributed", 0n));
    void service.run();
    await until(clock, () => msgs("period already distributed").length === 1);
    const [lost] = msgs("period already distributed");
    expect([lost.deal, lost.period, lost.txHash, lost.gasUsed]).to.deep.equal([
      DEAL_A,
      0n,
      chain.sent[0].hash,
      40_000n,
    ]);
    chain.makeReady(DEAL_B, 1);
    chain.revertNext.push(encodeRevertForTest("WaterfallPeriodNotReady", 0n, 1n));
    await until(clock, () => msgs("upkeep reverted").length === 1);
    expect(msgs("upkeep reverted")[0]).to.deep.include({ level: "warn", deal: DEAL_B });
    expect(String(msgs("upkeep reverted")[0].error)).to.contain("WaterfallPeriodNotReady");
    const summary = await service.stop();
    expect(summary).to.deep.include({
      periodsDistributed: 0,
      alreadyDistributed: 1,
      transactions: 2,
    });
  });

  it("resets the nonce manager on a nonce conflict and retries the send", async () => {
    const { chain, clock, service, msgs } = setUp();
    chain.addDeal(DEAL_A, 1n);
    chain.makeReady(DEAL_A, 1);
    chain.fail("sendPerformUpkeep", new NonceTooLowError({ nonce: 7 }));
    void service.run();
    await until(clock, () => msgs("period distributed").length === 1);
    expect(chain.nonceResets).to.equal(1);
    expect(msgs("nonce reset")[0].reason).to.equal("nonce conflict");
    expect(chain.sent).to.have.length(1);
    await service.stop();
  });

  it("a receipt that cannot be fetched is looked up on the next poll, not sent again", async () => {
    const { chain, clock, service, msgs } = setUp();
    chain.addDeal(DEAL_A, 1n);
    chain.makeReady(DEAL_A, 1);
    chain.fail("waitForUpkeep", network());
    void service.run();
    await until(clock, () => msgs("period distributed").length === 1);
    expect(chain.sent).to.have.length(1);
    expect(chain.calls).to.include("findUpkeep");
    await service.stop();
  });

  it("stops at once when idle (the poll sleep is aborted) and saves its cursor", async () => {
    const { chain, clock, service, store, msgs } = setUp({ pollIntervalMs: 60_000 });
    chain.addDeal(DEAL_A, 3n);
    const run = service.run();
    await until(clock, () => clock.pending === 1 && msgs("deal discovered").length === 1);
    await service.stop("SIGTERM");
    expect(await run).to.deep.include({ periodsDistributed: 0, abandoned: 0 });
    expect(msgs("stopping")[0].reason).to.equal("SIGTERM");
    expect(store.state?.nextBlock).to.equal("101");
  });

  it("on stop, waits for the transaction in flight, records it and sends nothing more", async () => {
    const { chain, clock, service, msgs } = setUp();
    chain.addDeal(DEAL_A, 1n);
    chain.addDeal(DEAL_B, 2n);
    chain.makeReady(DEAL_A, 1);
    chain.makeReady(DEAL_B, 1);
    chain.holdReceipts = true;
    const run = service.run();
    await until(clock, () => msgs("upkeep sent").length === 1);
    const stopped = service.stop("SIGINT");
    await clock.advance(1_000); // within the 5 s grace
    chain.release();
    const summary = await stopped;
    expect(summary).to.deep.include({ periodsDistributed: 1, abandoned: 0 });
    expect(await run).to.deep.equal(summary);
    expect(chain.sent).to.have.length(1); // deal B's period waits for the next run
    expect(msgs("period distributed")).to.have.length(1);
  });

  it("abandons a transaction whose receipt does not come within the grace period", async () => {
    const { chain, clock, service, msgs } = setUp();
    chain.addDeal(DEAL_A, 1n);
    chain.makeReady(DEAL_A, 1);
    chain.holdReceipts = true;
    void service.run();
    await until(clock, () => msgs("upkeep sent").length === 1);
    const stopped = service.stop();
    await clock.advance(4_999);
    expect(msgs("keeper stopped")).to.have.length(0);
    await clock.advance(1);
    const summary = await stopped;
    expect(summary.abandoned).to.equal(1);
    expect(msgs("in-flight transaction abandoned")[0].txHash).to.equal(chain.sent[0].hash);
  });

  it("resumes from its saved cursor after a restart; chain state decides what is ready", async () => {
    const first = setUp();
    first.chain.addDeal(DEAL_A, 40n);
    first.chain.makeReady(DEAL_A, 1);
    void first.service.run();
    await until(first.clock, () => first.msgs("period distributed").length === 1);
    await first.service.stop();

    // A new process on the same chain and store: it scans only new blocks and still finds deal A.
    const chain = first.chain;
    const cursor = BigInt(first.store.state?.nextBlock ?? 0);
    expect(cursor > 40n).to.equal(true);
    chain.logRanges.length = 0;
    chain.addDeal(DEAL_B, 105n, 1n);
    chain.head = 110n;
    chain.makeReady(DEAL_A, 1);
    chain.makeReady(DEAL_B, 1);
    const clock = new FakeClock();
    const logger = memoryLogger();
    const second = new KeeperService({
      chain,
      clock,
      logger,
      store: first.store,
      factory: FACTORY,
      pollIntervalMs: 1_000,
      backoff: POLICY,
      logBlockRange: 10n,
    });
    void second.run();
    await until(
      clock,
      () => logger.records.filter((r) => r.msg === "period distributed").length === 2,
    );
    expect(chain.logRanges[0][0]).to.equal(cursor);
    expect(logger.records.find((r) => r.msg === "state loaded")?.deals).to.equal(1);
    expect(second.watchedDeals).to.deep.equal([DEAL_A, DEAL_B]);
    await second.stop();
  });

  it("ignores a state of another chain or factory, and rescans when the node is behind its cursor", async () => {
    const { chain, clock, service, store, msgs } = setUp();
    store.state = { version: 1, chainId: 1, factory: FACTORY, nextBlock: "50", deals: [] };
    chain.addDeal(DEAL_A, 7n);
    void service.run();
    await until(clock, () => msgs("deal discovered").length === 1);
    expect(msgs("state ignored")).to.have.length(1);
    expect(chain.logRanges[0]).to.deep.equal([0n, 9n]);
    await service.stop();

    const behind = setUp();
    behind.store.state = {
      version: 1,
      chainId: 31_337,
      factory: FACTORY,
      nextBlock: "500",
      deals: [],
    };
    behind.chain.addDeal(DEAL_A, 7n);
    void behind.service.run();
    await until(behind.clock, () => behind.msgs("deal discovered").length === 1);
    expect(behind.msgs("chain head behind the scan cursor; rescanning")).to.have.length(1);
    await behind.service.stop();
  });
});

describe("Keeper state file", () => {
  const state = {
    version: 1 as const,
    chainId: 31_337,
    factory: FACTORY,
    nextBlock: "12",
    deals: [{ deal: DEAL_A, dealId: "0", blockNumber: "5" }],
  };

  it("is replaced atomically and leaves no temporary file: after a save, a failed save, or a process gone mid-write", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cascade-keeper-state-"));
    try {
      const path = join(dir, "state.json");
      // The temporary file of a process killed while writing (it is gone), and one of a live process (this one's
      // parent, as another keeper sharing the directory would be).
      const gone = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
      await new Promise((r) => gone.once("exit", r));
      await writeFile(`${path}.${gone.pid}.tmp`, "{");
      await writeFile(`${path}.${process.ppid}.tmp`, "{");
      const store = fileStateStore(path);
      expect(await store.load()).to.equal(undefined);
      expect(await readdir(dir)).to.deep.equal([`state.json.${process.ppid}.tmp`]);
      await store.save(state);
      expect(await store.load()).to.deep.equal(state);
      expect((await readdir(dir)).sort()).to.deep.equal([
        `state.json`,
        `state.json.${process.ppid}.tmp`,
      ]);

      // A save that cannot rename (the target is a directory that is not empty) removes its temporary file.
      const blocked = join(dir, "blocked");
      await mkdir(blocked);
      await writeFile(join(blocked, "x"), "");
      const error = await fileStateStore(blocked)
        .save(state)
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
      expect((await readdir(dir)).sort()).to.deep.equal([
        "blocked",
        "state.json",
        `state.json.${process.ppid}.tmp`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
