/**
 * Differential test of the equity waterfall: random deals with one or two notes and two to six equity classes —
 * random LP/GP waterfalls (every tier kind, in any order, with up to three hurdles), classes whose offering failed
 * (no tokens, the sponsor's included), periods of a month, a quarter or a year — run on chain through the SDK, and
 * each amount that reached equity (every period's residual, then capital events deposited once the deal is repaid)
 * through the model (`EquityWaterfallModel.distributeEquity`). Every `EquityDistributed` statement as the SDK reads
 * it (`equityDistributions`) — what each tier paid each class, the state after it, the catch-up progress, its date —
 * and the waterfall's views at the end (`equitySnapshot`) must equal the model's to the wei. Seeds are fixed (1…N).
 */
import { expect } from "chai";
import { keccak256, toHex, zeroAddress, type Address } from "viem";
import { getBlock, readContract, waitForTransactionReceipt, writeContract } from "viem/actions";

import {
  CouponType,
  DealStatus,
  EquityWaterfallModel,
  equityWaterfallAbi,
  mockStablecoinAbi,
  NO_SITE,
  NO_TRANSFER_RULES,
  PrincipalType,
  RiskTermsLib,
  TrancheKind,
  WAD,
  dealAbi,
  type EquityDistribution,
  type EquitySnapshotReturnType,
  type TermSheet,
  type TrancheTerms,
} from "../../sdk/index.js";
import { randomEquityTerms, rng, type Rng } from "../helpers/equity-model.js";
import { mockStablecoinChain, viemNetwork } from "../helpers/viem-network.js";

const { networkHelpers, publicClient, accounts, wallet } = await viemNetwork();
const [admin, issuer, servicer, trustee, guardian, r0, r1, keeper] = accounts
  .slice(0, 8)
  .map(wallet);
const investors = accounts.slice(8, 16).map(wallet);

const USDC = 10n ** 6n;
const PCT = WAD / 100n;
const DAY = 86_400;
const FLEET_GPUS = 20_000;
const MAX_PRICE = 5_000n * USDC;

const { stablecoin, mint, advanceTo } = await mockStablecoinChain(
  { publicClient, networkHelpers },
  admin,
);
const protocol = await admin.deployProtocol();

function tranche(name: string, kind: number, face: bigint): TrancheTerms {
  return {
    name,
    symbol: name,
    kind,
    faceAmount: face,
    minRaise: face / 4n,
    minTicket: USDC,
    reserveFundingBps: 0,
    coupon: {
      couponType: CouponType.Fixed,
      baseRate: 0n,
      slope: 0n,
      strike: 0n,
      floorRate: 0n,
      capRate: 0n,
    },
    principal: { scheduleType: PrincipalType.Bullet, amortStartPeriod: 0, amortPeriods: 0 },
    transfer: NO_TRANSFER_RULES,
  };
}

/**
 * A deal whose notes are small beside its revenue, so that most periods leave equity a residual: 1–2 fixed-rate
 * notes (straight-line over every period, or a bullet), 2–6 equity classes and their random waterfall.
 */
function randomDeal(r: Rng, now: bigint): TermSheet {
  const notes = r.int(1, 2);
  const classes = r.int(2, Math.min(6, 8 - notes));
  const periodCount = r.int(3, 6);
  const tranches: TrancheTerms[] = [];
  for (let i = 0; i < notes; i++) {
    const t = tranche(`N${i}`, TrancheKind.Note, r.big(500_000n, 3_000_000n) * USDC);
    t.coupon = { ...t.coupon, baseRate: r.big(2n * PCT, 12n * PCT) };
    if (r.next() < 0.6)
      t.principal = {
        scheduleType: PrincipalType.StraightLine,
        amortStartPeriod: 0,
        amortPeriods: periodCount,
      };
    tranches.push(t);
  }
  for (let j = 0; j < classes; j++)
    tranches.push(tranche(`E${j}`, TrancheKind.Equity, r.big(100_000n, 8_000_000n) * USDC));
  const opens = now + 60n;
  const closes = opens + 3n * BigInt(DAY);
  return {
    stablecoin,
    issuer: issuer.account.address,
    servicer: servicer.account.address,
    trustee: trustee.account.address,
    guardian: guardian.account.address,
    registry: zeroAddress,
    offeringOpensAt: opens,
    offeringClosesAt: closes,
    start: closes + BigInt(r.int(0, 5 * DAY)),
    periodLength: [30 * DAY, 91 * DAY, 365 * DAY][r.int(0, 2)],
    periodCount,
    pledgedShareBps: 10_000,
    servicerFeeBps: r.int(0, 200),
    trusteeFeePerPeriod: r.big(0n, 5_000n) * USDC,
    reserveTarget: 0n,
    keeperBounty: 0n,
    oracle: {
      reporters: [r0.account.address, r1.account.address],
      threshold: 2,
      disputeWindow: DAY,
      reportDeadline: 10 * DAY,
      reporterChangeDelay: DAY,
      fleetGpus: FLEET_GPUS,
      maxPricePerGpuHour: MAX_PRICE,
      maxUtilizationStep: WAD,
      unit: 0,
    },
    risk: RiskTermsLib.DEFAULT_RISK_TERMS,
    tranches,
    equity: randomEquityTerms(r, classes),
    site: NO_SITE,
  };
}

/** An `EquityDistributed` statement as `decodeEquityDistributed` reads it, without where it was logged. */
type Decoded = Omit<EquityDistribution, "blockNumber" | "transactionHash" | "logIndex">;

/** The model's statement in the event's shape. */
function asEvent(
  s: EquityWaterfallModel.EquityStatement,
  period: bigint,
  capitalEvent: boolean,
): Decoded {
  const hurdles = s.state.classes[0].hurdles.length;
  return {
    period,
    capitalEvent,
    time: s.time,
    amount: s.amount,
    paid: s.paid,
    unreturned: s.state.classes.map((c) => c.unreturned),
    prefOwed: s.state.classes.map((c) => c.prefUnpaid),
    hurdles: Array.from({ length: hurdles }, (_, k) => s.state.classes.map((c) => c.hurdles[k])),
    totalProfit: s.totalProfit,
    sponsorProfit: s.sponsorProfit,
  };
}

/** Each class of a snapshot as the model's `classes` reports it (without the token and its names). */
function viewsOf(snapshot: EquitySnapshotReturnType) {
  return snapshot?.classes.map((c) => ({
    contributed: c.contributed,
    returned: c.returned,
    prefOwed: c.prefOwed,
    distributed: c.distributed,
    multiple: c.multiple,
    hurdleBalances: c.hurdleBalances,
    hurdlesMet: c.hurdlesMet,
  }));
}

describe("SDK differential: random equity waterfalls, model vs chain", function () {
  this.timeout(300_000);

  // Few seeds by default; a deep run: SDK_EQUITY_SEEDS=100 npx hardhat test mocha test/sdk/equityDifferential.ts
  const seeds = Number(process.env.SDK_EQUITY_SEEDS ?? 8);
  let distributions = 0;
  let capitalEvents = 0;
  let classesWithoutTokens = 0;
  let hurdlesMet = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    it(`seed ${seed}: every equity statement and the final views agree to the wei`, async () => {
      const r = rng(seed);
      const terms = randomDeal(r, (await getBlock(publicClient)).timestamp);
      const { deal, offerings } = await issuer.createDeal({ factory: protocol.factory, terms });
      const notes = terms.tranches.filter((t) => t.kind === TrancheKind.Note).length;

      // Subscriptions: every note filled; an equity class missed its minimum raise one time in six (no tokens),
      // else a random part of its face — at least one class holds tokens.
      await advanceTo(terms.offeringOpensAt);
      const empty = terms.tranches.map(
        (t, i) => t.kind === TrancheKind.Equity && i > notes && r.next() < 1 / 6,
      );
      for (const [i, offering] of offerings.entries()) {
        if (empty[i]) continue;
        const face = terms.tranches[i].faceAmount;
        const amount = terms.tranches[i].kind === TrancheKind.Note ? face : r.big(face / 4n, face);
        const investor = investors[i % investors.length];
        await mint(investor.account.address, amount);
        await investor.subscribe({ offering, assets: amount, method: "approve" });
      }
      await advanceTo(terms.offeringClosesAt);
      const issued: bigint[] = [];
      for (const offering of offerings)
        issued.push((await keeper.closeOffering({ offering })).accepted);
      const contributed = issued.slice(notes);
      classesWithoutTokens += contributed.filter((c) => c === 0n).length;
      const waterfall = (await keeper.equitySnapshot({ deal }))?.waterfall as Address;
      expect(waterfall, "the deal's equity waterfall").to.not.equal(undefined);

      const equity = terms.equity;
      let state = EquityWaterfallModel.initialEquityState(equity, contributed, terms.start);
      const expected: Decoded[] = [];
      const run = (amount: bigint, time: bigint, period: bigint, capitalEvent: boolean) => {
        const s = EquityWaterfallModel.distributeEquity(equity, contributed, state, amount, time);
        expected.push(asEvent(s, period, capitalEvent));
        state = s.state;
      };

      for (let p = 0; p < terms.periodCount; p++) {
        const hours = BigInt(terms.periodLength / 3_600);
        const available = BigInt(FLEET_GPUS) * hours;
        const billed = r.big(0n, available);
        // One period in five brings nothing; the others up to 12 million.
        const revenue = r.next() < 0.2 ? 0n : r.big(0n, 12_000_000n) * USDC;
        const bounded = revenue < billed * MAX_PRICE ? revenue : billed * MAX_PRICE;
        if (bounded > 0n) {
          await mint(servicer.account.address, bounded);
          await servicer.depositCollections({ deal, amount: bounded });
        }
        const end = terms.start + BigInt((p + 1) * terms.periodLength);
        await advanceTo(end);
        const report = {
          deal,
          period: BigInt(p),
          gpuHoursAvailable: available,
          gpuHoursBilled: billed,
          revenue: bounded,
          energyKwh: 0n,
          pue: 0,
          appraisal: 0n,
          reportHash: keccak256(toHex(`equity-seed-${seed}-period-${p}`)),
        };
        const signatures = await Promise.all([r0, r1].map((w) => w.signReport({ report })));
        const { finalAt } = await keeper.submitReport({ report: signatures[0].report, signatures });
        await advanceTo(finalAt);
        const { statements } = await keeper.distributeReady({ deal });
        expect(statements, `period ${p}`).to.have.length(1);
        const [statement] = statements;
        // The residual reaches the waterfall, dated at the end of the period it closes.
        if (statement.residualPaid > 0n) {
          expect(statement.residualRecipient, `period ${p}`).to.equal(waterfall);
          run(statement.residualPaid, end, BigInt(p), false);
        }
      }

      // Capital events once the deal is repaid, months apart: sale or refinancing proceeds.
      const status = await readContract(publicClient, {
        address: deal,
        abi: dealAbi,
        functionName: "status",
      });
      if (status === DealStatus.Repaid) {
        for (let e = r.int(0, 2); e > 0; e--) {
          await networkHelpers.time.increase(r.int(1, 400) * DAY);
          const amount = r.big(1n, 30_000_000n) * USDC;
          await mint(issuer.account.address, amount);
          const approve = await writeContract(issuer, {
            address: stablecoin,
            abi: mockStablecoinAbi,
            functionName: "approve",
            args: [waterfall, amount],
          });
          await waitForTransactionReceipt(publicClient, { hash: approve });
          const hash = await writeContract(issuer, {
            address: waterfall,
            abi: equityWaterfallAbi,
            functionName: "depositCapitalEvent",
            args: [amount],
          });
          const receipt = await waitForTransactionReceipt(publicClient, { hash });
          const { timestamp } = await getBlock(publicClient, { blockNumber: receipt.blockNumber });
          run(amount, timestamp, BigInt(terms.periodCount - 1), true);
          capitalEvents++;
        }
      }

      // Every statement, as the SDK reads it from the waterfall's events.
      const read = await keeper.equityDistributions({ waterfall });
      expect(read.started?.contributed ?? [], "EquityStarted").to.deep.equal(
        expected.length === 0 ? [] : contributed,
      );
      expect(read.started?.startedAt ?? terms.start).to.equal(terms.start);
      expect(
        read.distributions.map(({ blockNumber: _b, transactionHash: _t, logIndex: _l, ...s }) => s),
      ).to.deep.equal(expected);
      expect(read.capitalEvents.map((e) => e.depositor)).to.deep.equal(
        expected.filter((e) => e.capitalEvent).map(() => issuer.account.address),
      );
      distributions += expected.length;

      // The waterfall's views and the tokens' distributions; the preferred return owed now, accrued as a
      // distribution now would accrue it.
      const snapshot = await keeper.equitySnapshot({ deal });
      expect(snapshot?.terms).to.deep.equal(equity);
      expect(snapshot?.classes[0].tranche).to.equal(notes);
      const model = EquityWaterfallModel.classes(equity, contributed, state);
      expect(viewsOf(snapshot)).to.deep.equal(model);
      expect(snapshot?.classes.map((c) => c.prefOwedNow)).to.deep.equal(
        contributed.map((_, j) =>
          EquityWaterfallModel.prefOwedDown(equity, state, j, snapshot?.time ?? 0n),
        ),
      );
      expect(snapshot?.profit).to.deep.include(
        EquityWaterfallModel.profit(equity, contributed, state),
      );
      expect(snapshot?.lastAccrual).to.equal(expected.length > 0 ? state.lastAccrual : 0n);
      hurdlesMet += model.flatMap((c) => c.hurdlesMet).filter(Boolean).length;
    });
  }

  it("reads a waterfall before its first distribution, and no waterfall for a single equity class", async () => {
    const r = rng(1_000);
    const terms = randomDeal(r, (await getBlock(publicClient)).timestamp);
    const { deal, offerings } = await issuer.createDeal({ factory: protocol.factory, terms });
    await advanceTo(terms.offeringOpensAt);
    for (const [i, offering] of offerings.entries()) {
      const amount = terms.tranches[i].faceAmount;
      await mint(investors[i].account.address, amount);
      await investors[i].subscribe({ offering, assets: amount, method: "approve" });
    }
    await advanceTo(terms.offeringClosesAt);
    for (const offering of offerings) await keeper.closeOffering({ offering });
    const notes = terms.tranches.filter((t) => t.kind === TrancheKind.Note).length;
    const contributed = terms.tranches.slice(notes).map((t) => t.faceAmount);
    // Before any distribution the views read the start: U = H = C, nothing accrued or paid.
    const snapshot = await keeper.equitySnapshot({ deal });
    expect(snapshot?.lastAccrual).to.equal(0n);
    expect(snapshot?.terms).to.deep.equal(terms.equity);
    const start = EquityWaterfallModel.initialEquityState(terms.equity, contributed, terms.start);
    expect(viewsOf(snapshot)).to.deep.equal(
      EquityWaterfallModel.classes(terms.equity, contributed, start),
    );
    expect(snapshot?.classes.map((c) => c.symbol)).to.deep.equal(
      terms.tranches.slice(notes).map((t) => t.symbol),
    );
    expect(
      await keeper.equityDistributions({ waterfall: snapshot?.waterfall as Address }),
    ).to.deep.equal({ started: undefined, distributions: [], capitalEvents: [] });

    // A deal whose single equity class takes the residual has no waterfall.
    const single: TermSheet = {
      ...randomDeal(r, (await getBlock(publicClient)).timestamp),
      equity: { sponsorClass: 0, tiers: [] },
    };
    single.tranches = single.tranches.filter(
      (t, i) => t.kind === TrancheKind.Note || i === single.tranches.length - 1,
    );
    const plain = await issuer.createDeal({ factory: protocol.factory, terms: single });
    expect(await keeper.equitySnapshot({ deal: plain.deal })).to.equal(undefined);
  });

  it("exercised distributions, capital events, classes without tokens and met hurdles", () => {
    expect(distributions).to.be.greaterThan(seeds);
    expect(capitalEvents).to.be.greaterThan(0);
    expect(classesWithoutTokens).to.be.greaterThan(0);
    expect(hurdlesMet).to.be.greaterThan(0);
  });
});
