import { expect } from "chai";
import type { ContractTransactionReceipt } from "ethers";
import { network } from "hardhat";

import type { HostileAggregator } from "../types/ethers-contracts/index.js";
import { DAY, submitReport } from "./helpers/fixtures.js";
import {
  INDEX_AT_ACQUISITION,
  INDEX_DECIMALS,
  IndexRejection,
  K,
  TermSheetField,
  activate,
  buildRiskDeal,
  riskTermSheet,
  runPeriod,
  standardFleet,
  statementOf,
  type RiskFixture,
  type Statement,
} from "./helpers/risk-fixtures.js";

/*
 * A deal's price feed is fixed for its life (clone arguments) and not trusted: whatever it does — revert, return
 * too little, burn its gas, return a megabyte, return words that do not decode — a distribution goes through,
 * reports the rejection and values the fleet at the last accepted index, for at most FEED_GAS_LIMIT more gas than
 * with an honest feed; a keeper cannot starve the feed by its choice of gas; and the factory refuses a feed that
 * misbehaves at creation.
 */

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

/** HostileAggregator.Mode. */
enum Mode {
  Honest,
  Reverts,
  ShortReturn,
  TruncatedReturn,
  BurnsGas,
  HugeReturn,
  GarbageWords,
  PaddedReturn,
  Slow,
}

/** PriceFeedReader.FEED_GAS_LIMIT and FEED_GAS_REQUIRED. */
const FEED_GAS_LIMIT = 100_000n;
const FEED_GAS_REQUIRED = (FEED_GAS_LIMIT * 64n) / 63n + 1n + 5_000n;
/**
 * What a rejected answer may cost beyond the feed's gas: its PriceIndexRejected event (about 2 000) and the
 * difference between the engine's handling of a rejected and of a live answer.
 */
const MARGIN = 5_000n;

const HOSTILE: { mode: Mode; what: string; reason: IndexRejection }[] = [
  { mode: Mode.Reverts, what: "reverts", reason: IndexRejection.Reverted },
  { mode: Mode.ShortReturn, what: "returns 4 bytes", reason: IndexRejection.Malformed },
  { mode: Mode.TruncatedReturn, what: "returns 128 bytes", reason: IndexRejection.Malformed },
  { mode: Mode.BurnsGas, what: "burns all its gas", reason: IndexRejection.Reverted },
  { mode: Mode.HugeReturn, what: "returns 1 MB", reason: IndexRejection.Reverted },
  {
    mode: Mode.GarbageWords,
    what: "returns a round id above uint80",
    reason: IndexRejection.Malformed,
  },
];

const REVENUE = 900n * K;
/** The index accepted at period 0: below the level at acquisition, so the fleet is marked below its book value. */
const ACCEPTED = 120_000_000n;

type HostileFixture = RiskFixture & { feed: HostileAggregator };

/** The risk deal with its fleet marked to a HostileAggregator, honest when the deal is created; active. */
async function hostileFeedDeal(): Promise<HostileFixture> {
  const feed = await ethers.deployContract("HostileAggregator", [INDEX_DECIMALS]);
  await feed.set(INDEX_AT_ACQUISITION, await time.latest());
  const feedAddress = await feed.getAddress();
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.risk.priceFeed = { feed: feedAddress, decimals: INDEX_DECIMALS, maxStaleness: Number(DAY) };
    t.risk.fleet = standardFleet(t.start, true);
  });
  await activate(networkHelpers, f);
  return { ...f, feed };
}

/**
 * Period 0 distributed with the feed answering {@link ACCEPTED}; period 1 ended, reported and collected, and the
 * feed answering {@link ACCEPTED} again, fresh: distributing it is one call away.
 */
async function periodOneDue(): Promise<HostileFixture> {
  const f = await hostileFeedDeal();
  const run0 = await runPeriod(ethers, networkHelpers, f, 0, {
    revenue: REVENUE,
    beforeDistribute: async () => {
      await f.feed.set(ACCEPTED, await time.latest());
    },
  });
  expect(run0.rejected).to.deep.equal([]);
  await time.increaseTo(await f.deal.periodEnd(1));
  await submitReport(ethers, networkHelpers, f.protocol, f.r, f.deal, 1n, REVENUE);
  await f.deal.connect(f.r.servicer).depositCollections(REVENUE);
  await f.feed.set(ACCEPTED, await time.latest());
  return f;
}

interface Distribution {
  gas: bigint;
  statement: Statement;
  rejected: { reason: number; answer: bigint; updatedAt: bigint }[];
  accepted: bigint[];
}

/** Distributes period 1 as the keeper; what it cost, its statement and the engine's index events. */
async function distributePeriodOne(f: HostileFixture): Promise<Distribution> {
  const receipt = (await (
    await f.deal.connect(f.keeper).distribute(1n)
  ).wait()) as ContractTransactionReceipt;
  const engineAddress = await f.engine.getAddress();
  const logs = receipt.logs.map((l) =>
    l.address === engineAddress
      ? f.engine.interface.parseLog(l)
      : l.address === f.dealAddress
        ? f.deal.interface.parseLog(l)
        : null,
  );
  const distributed = logs.find((l) => l?.name === "PeriodDistributed")!;
  return {
    gas: receipt.gasUsed,
    statement: statementOf(distributed.args[1]),
    rejected: logs
      .filter((l) => l?.name === "PriceIndexRejected")
      .map((l) => ({
        reason: Number(l!.args[1] as bigint),
        answer: l!.args[2] as bigint,
        updatedAt: l!.args[3] as bigint,
      })),
    accepted: logs.filter((l) => l?.name === "PriceIndexAccepted").map((l) => l!.args[1] as bigint),
  };
}

/** The revert data of a failed call, whatever layer of the error carries it. */
function revertData(e: unknown): string | undefined {
  for (let x = e as { data?: unknown; cause?: unknown } | undefined; x; x = x.cause as typeof x) {
    if (typeof x.data === "string" && x.data.startsWith("0x") && x.data.length >= 10) return x.data;
  }
  return undefined;
}

describe("Hostile price feeds", function () {
  it("test_distribute_feedTurnedHostileAfterCreation_fallsBackToTheLastAcceptedIndex", async function () {
    const f = await networkHelpers.loadFixture(periodOneDue);
    const end = await f.deal.periodEnd(1);
    const snapshot = await networkHelpers.takeSnapshot();
    const honest = await distributePeriodOne(f);
    expect([honest.rejected, honest.accepted]).to.deep.equal([[], []]);
    const markedValue = honest.statement.metrics.collateralValue;
    // The accepted index marks the fleet below its book value.
    expect(markedValue < (await f.engine.bookValueAt(end))).to.equal(true);

    for (const { mode, what, reason } of HOSTILE) {
      await snapshot.restore();
      await f.feed.setLatestRoundDataMode(mode);
      // The views read the feed the same way: the last accepted index, not live.
      expect(await f.engine.priceIndex(), what).to.deep.equal([ACCEPTED, false]);
      const snap = await f.engine.riskSnapshot();
      expect([snap.priceIndex, snap.priceIndexLive], what).to.deep.equal([ACCEPTED, false]);
      expect(await f.engine.collateralValue(), what).to.equal(snap.collateralValue);
      // The distribution goes through, reports the rejection and values the fleet at the accepted index.
      const d = await distributePeriodOne(f);
      expect(d.rejected, what).to.deep.equal([{ reason, answer: 0n, updatedAt: 0n }]);
      expect(d.accepted, what).to.deep.equal([]);
      expect(d.statement.metrics.collateralValue, what).to.equal(markedValue);
      expect(await f.deal.nextPeriod(), what).to.equal(2n);
    }

    // An answer padded with 8 KB is still the answer: live (the engine copies only its five words).
    await snapshot.restore();
    await f.feed.setLatestRoundDataMode(Mode.PaddedReturn);
    await f.feed.set(ACCEPTED / 2n, await time.latest());
    expect(await f.engine.priceIndex()).to.deep.equal([ACCEPTED / 2n, true]);
    const padded = await distributePeriodOne(f);
    expect([padded.rejected, padded.accepted]).to.deep.equal([[], [ACCEPTED / 2n]]);
  });

  it("test_distribute_hostileFeedCostsAtMostFeedGasLimitMore", async function () {
    const f = await networkHelpers.loadFixture(periodOneDue);
    expect(await f.engine.FEED_GAS_LIMIT()).to.equal(FEED_GAS_LIMIT);
    const snapshot = await networkHelpers.takeSnapshot();
    const normal = (await distributePeriodOne(f)).gas;
    const bound = normal + FEED_GAS_LIMIT + MARGIN;
    const lines = [`normal ${normal}`];
    const behaviours = [
      ...HOSTILE.map((h) => ({ mode: h.mode, what: h.what })),
      { mode: Mode.PaddedReturn, what: "pads its answer with 8 KB" },
      { mode: Mode.Slow, what: "spends 90 000 gas, then answers" },
    ];
    for (const { mode, what } of behaviours) {
      await snapshot.restore();
      await f.feed.setLatestRoundDataMode(mode);
      const { gas } = await distributePeriodOne(f);
      lines.push(`${what} ${gas} (+${gas - normal})`);
      expect(gas <= bound, `${what}: ${gas} gas, above ${bound}`).to.equal(true);
    }
    console.log(`      distribute gas with the feed: ${lines.join(", ")}`);
  });

  it("test_distribute_insufficientGasForFeed", async function () {
    // A feed that needs 90 000 of its 100 000 gas answers a new, lower level. At every gas limit a keeper may
    // choose, the distribution either reverts or reads the live answer: it never goes through on the old index.
    const f = await networkHelpers.loadFixture(periodOneDue);
    const live = ACCEPTED / 2n;
    await f.feed.set(live, await time.latest());
    await f.feed.setLatestRoundDataMode(Mode.Slow);
    const keeperDeal = f.deal.connect(f.keeper);
    const liveValue = statementOf(await keeperDeal.distribute.staticCall(1n)).metrics
      .collateralValue;
    const estimate = await keeperDeal.distribute.estimateGas(1n);

    let starved: bigint | undefined;
    let succeeded = 0;
    for (let gasLimit = estimate + 20_000n; gasLimit >= 60_000n; gasLimit -= 1_000n) {
      try {
        const s = statementOf(await keeperDeal.distribute.staticCall(1n, { gasLimit }));
        expect(s.metrics.collateralValue, `gas limit ${gasLimit}`).to.equal(liveValue);
        succeeded++;
      } catch (e) {
        const data = revertData(e);
        const error = data === undefined ? null : f.engine.interface.parseError(data);
        if (error?.name === "InsufficientGasForFeed") {
          expect(error.args[0] < FEED_GAS_REQUIRED).to.equal(true);
          expect(error.args[1]).to.equal(FEED_GAS_REQUIRED);
          starved ??= gasLimit;
        }
      }
    }
    expect(succeeded > 0).to.equal(true);
    expect(starved !== undefined, "some gas limit reaches the feed with too little gas").to.equal(
      true,
    );

    // Sent with that gas limit: refused with the exact error, and nothing is distributed.
    await expect(keeperDeal.distribute(1n, { gasLimit: starved }))
      .to.be.revertedWithCustomError(f.engine, "InsufficientGasForFeed")
      .withArgs((left: bigint) => left < FEED_GAS_REQUIRED, FEED_GAS_REQUIRED);
    expect(await f.deal.nextPeriod()).to.equal(1n);
    // With enough gas, the live answer is accepted.
    const d = await distributePeriodOne(f);
    expect([d.rejected, d.accepted]).to.deep.equal([[], [live]]);
    expect(d.statement.metrics.collateralValue).to.equal(liveValue);
  });

  it("test_createDeal_refusesAFeedHostileAtCreation", async function () {
    const s = await riskTermSheet(ethers, networkHelpers, "none");
    const factory = s.protocol.factory.connect(s.r.issuer);
    const feed = await ethers.deployContract("HostileAggregator", [INDEX_DECIMALS]);
    const terms = structuredClone(s.terms);
    terms.risk.priceFeed = {
      feed: await feed.getAddress(),
      decimals: INDEX_DECIMALS,
      maxStaleness: Number(DAY),
    };
    terms.risk.fleet = standardFleet(terms.start, true);
    const refused = async (what: string) =>
      expect(factory.createDeal(terms), what)
        .to.be.revertedWithCustomError(factory, "InvalidTermSheet")
        .withArgs(TermSheetField.PriceFeed, 0n);

    for (const { mode, what } of HOSTILE) {
      await feed.setLatestRoundDataMode(mode);
      await refused(`latestRoundData ${what}`);
      await feed.setLatestRoundDataMode(Mode.Honest);
      await feed.setDecimalsMode(mode);
      await refused(`decimals ${what}`);
      await feed.setDecimalsMode(Mode.Honest);
    }
    expect(await s.protocol.factory.dealCount()).to.equal(0n);

    // Well-formed within the bound is enough: the answer's value and age are judged at each read, not here.
    await feed.set(0n, 0n);
    await feed.setLatestRoundDataMode(Mode.Slow);
    await feed.setDecimalsMode(Mode.PaddedReturn);
    await expect(factory.createDeal(terms)).to.emit(factory, "DealCreated");
  });
});
