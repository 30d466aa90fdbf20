/**
 * The issuer's side of the SDK on the in-process network: relative acquisition times and fleet files
 * (`parseTermSheet`, `parseFleetEntries`), the price-index feed actions (`priceFeedSnapshot`,
 * `grantPriceIndexPublisher`), the fleet valued entry by entry (`fleetValuation`) against the risk engine's own views,
 * the waiver ballot's state (`waiverBallot`), and the shipped examples' notes checked against the chain: the B200
 * fleet bought before the deal, its LTV path and its first period; the H100 fleet's book value at final maturity.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { artifacts } from "hardhat";
import { keccak256, toHex, type Address, type Hex } from "viem";
import {
  deployContract,
  getBlock,
  readContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

import {
  CollateralMath,
  ContractRevertError,
  DealStatus,
  dealAbi,
  EquityWaterfallModel,
  FleetEntryStatus,
  INVESTOR_CLASSES,
  mockStablecoinAbi,
  parseFleetEntries,
  parseTermSheet,
  parseTime,
  RiskMetric,
  TermSheetError,
  type TermSheet,
  type TermSheetJson,
} from "../../sdk/index.js";
import { viemNetwork } from "../helpers/viem-network.js";

const { networkHelpers, publicClient, accounts, wallet } = await viemNetwork();
const [admin, issuer, servicer, trustee, guardian, r0, r1, r2, r3, investor, other] = accounts
  .slice(0, 11)
  .map(wallet);

const USDC = 10n ** 6n;
const WAD = 10n ** 18n;
const DAY = 86_400n;
const readExample = (file: string): TermSheetJson =>
  JSON.parse(readFileSync(new URL(`../../examples/${file}`, import.meta.url), "utf8"));

/** A WAD ratio in percent with one decimal, rounded half up: 0.69384e18 → "69.4". */
function pct1(wad: bigint): string {
  const tenths = (wad * 1_000n + WAD / 2n) / WAD;
  return `${tenths / 10n}.${tenths % 10n}`;
}

/** Stablecoin units in millions with one decimal, rounded half up: 44_972_261.56 USDC → "45.0". */
function millions(units: bigint): string {
  const tenths = (units + 50_000n * USDC) / (100_000n * USDC);
  return `${tenths / 10n}.${tenths % 10n}`;
}

async function now(): Promise<bigint> {
  return (await getBlock(publicClient)).timestamp;
}

async function advanceTo(ts: bigint): Promise<void> {
  if ((await now()) < ts) await networkHelpers.time.increaseTo(ts);
}

async function deployStablecoin(): Promise<Address> {
  const { bytecode } = await artifacts.readArtifact("MockStablecoin");
  const hash = await deployContract(admin, {
    abi: mockStablecoinAbi,
    bytecode: bytecode as Hex,
    args: ["USD Coin", "USDC", 6],
  });
  return (await waitForTransactionReceipt(publicClient, { hash })).contractAddress as Address;
}

async function mint(token: Address, to: Address, amount: bigint): Promise<void> {
  const hash = await writeContract(admin, {
    address: token,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [to, amount],
  });
  await waitForTransactionReceipt(publicClient, { hash });
}

async function periodEnd(deal: Address, period: number): Promise<bigint> {
  return readContract(publicClient, {
    address: deal,
    abi: dealAbi,
    functionName: "periodEnd",
    args: [BigInt(period)],
  });
}

const stablecoin = await deployStablecoin();
const protocol = await admin.deployProtocol();
const { investorRegistry } = await admin.deployAdministration({ oracle: protocol.oracle });

function roles(extra: Record<string, Address> = {}): Record<string, Address> {
  return {
    stablecoin,
    registry: investorRegistry,
    issuer: issuer.account.address,
    servicer: servicer.account.address,
    trustee: trustee.account.address,
    guardian: guardian.account.address,
    reporter0: r0.account.address,
    reporter1: r1.account.address,
    reporter2: r2.account.address,
    reporter3: r3.account.address,
    ...extra,
  };
}

describe("SDK issuer: relative times and fleet files", () => {
  it('resolves "-30d" to 30 days before now and refuses one before 1970', () => {
    expect(parseTime("-30d", 10_000_000n)).to.equal(10_000_000n - 30n * DAY);
    expect(parseTime("+1h30m", 100n)).to.equal(100n + 5_400n);
    expect(parseTime("-2d", 100n)).to.equal('"-2d" is before 1970 (now is 100)');
    expect(parseTime("-2d", undefined)).to.equal('relative time "-2d" needs options.now');
  });

  it("parses fleet entries in the term sheet's format, relative times included", () => {
    const entries = parseFleetEntries(
      {
        fleet: [
          {
            model: "H200-SXM",
            count: 64,
            unitCost: "30,000",
            unitResidual: "3,000",
            acquired: "-10d",
            usefulLifeMonths: 48,
            method: "decliningBalance",
            yearlyRatePercent: 25,
            indexAtAcquisition: "3.10",
          },
        ],
      },
      { now: 2_000_000_000n, decimals: 6, feedDecimals: 8 },
    );
    expect(entries).to.have.length(1);
    expect(entries[0]).to.deep.include({
      count: 64,
      unitCost: 30_000n * USDC,
      unitResidual: 3_000n * USDC,
      acquiredAt: 2_000_000_000n - 10n * DAY,
      usefulLife: 48 * 2_628_000,
      method: 1,
      yearlyRate: (25n * WAD) / 100n,
      indexAtAcquisition: 310_000_000n,
    });
  });

  it("lists every problem of a fleet file at its path, and refuses an index without a feed", () => {
    let error: unknown;
    try {
      parseFleetEntries(
        [
          {
            model: "H200",
            count: 0,
            unitCost: "1.1234567",
            unitResidual: "0",
            acquired: "-1d",
            usefulLife: "1000d",
            method: "straightLine",
            indexAtAcquisition: "2.5",
          },
        ],
        { now: 1_000_000n, decimals: 6 },
      );
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(TermSheetError);
    const issues = (error as TermSheetError).issues;
    expect(issues).to.deep.equal([
      {
        path: "fleet[0].count",
        message: "expected the number of GPUs: an integer from 1 to 4294967295, got 0",
      },
      { path: "fleet[0].unitCost", message: '"1.1234567" has more than 6 decimal places' },
      {
        path: "fleet[0].indexAtAcquisition",
        message: "the deal has no price feed to mark the entry to",
      },
    ]);
    expect((error as TermSheetError).message).to.match(/^invalid fleet entries \(3 problems\):/);
    expect(() => parseFleetEntries({ entries: [] }, { decimals: 6 })).to.throw(
      'invalid fleet entries (1 problem):\n  - : expected an array of fleet entries (or { "fleet": [...] }), got {"entries":[]}',
    );
  });
});

describe("SDK issuer: price-index feeds", () => {
  it("reads a feed before and after its first round, and grants the publisher role once", async () => {
    const { feed, blockNumber } = await admin.deployPriceIndexFeed({
      decimals: 8,
      description: "B200 rental price index, USD per GPU-hour",
    });
    expect(blockNumber > 0n).to.equal(true);
    const empty = await other.priceFeedSnapshot({ feed, publisher: other.account.address });
    expect(empty).to.deep.include({
      description: "B200 rental price index, USD per GPU-hour",
      decimals: 8,
      latest: undefined,
      isPublisher: false,
    });
    const t = await now();
    await admin.publishPriceIndex({ feed, answer: 480_000_000n, updatedAt: t - 3_600n });
    const first = await other.priceFeedSnapshot({ feed });
    expect(first.latest).to.deep.include({
      roundId: 1n,
      answer: 480_000_000n,
      updatedAt: t - 3_600n,
    });
    expect(first.latest?.age).to.equal(first.blockTimestamp - (t - 3_600n));
    expect(first.isPublisher).to.equal(undefined);

    const granted = await admin.grantPriceIndexPublisher({
      feed,
      publisher: other.account.address,
    });
    expect(granted.transactionHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(
      (await admin.grantPriceIndexPublisher({ feed, publisher: other.account.address }))
        .transactionHash,
    ).to.equal(undefined);
    const pushed = await other.publishPriceIndex({ feed, answer: 465_000_000n });
    expect(pushed.roundId).to.equal(2n);
    expect(
      (await other.priceFeedSnapshot({ feed, publisher: other.account.address })).isPublisher,
    ).to.equal(true);
  });
});

describe("SDK issuer: the B200 example, its fleet bought before the deal", () => {
  let terms: TermSheet;
  let deal: Address;
  let feed: Address;
  let campus: Address;

  before(async () => {
    feed = (
      await admin.deployPriceIndexFeed({ decimals: 8, description: "B200 rental price index" })
    ).feed;
    await admin.publishPriceIndex({ feed, answer: 480_000_000n });
    // The hall's site, which its term sheet names ("$campus"): the campus deal, created first.
    campus = (
      await issuer.createDeal({
        factory: protocol.factory,
        terms: parseTermSheet(readExample("campus-10mw.json"), {
          now: await now(),
          addresses: roles(),
        }).terms,
      })
    ).deal;
    terms = parseTermSheet(readExample("b200-datacenter.json"), {
      now: await now(),
      addresses: roles({ b200Index: feed, campus }),
    }).terms;
    deal = (await issuer.createDeal({ factory: protocol.factory, terms })).deal;
  });

  it("depreciates the delivered GPUs from 30 days before creation and values the fleet as the chain does", async () => {
    const created = await now();
    expect(terms.risk.fleet[0].acquiredAt).to.be.within(
      created - 30n * DAY - 5n,
      created - 30n * DAY,
    );
    const end0 = await periodEnd(deal, 0);
    const v = await other.fleetValuation({ deal, at: end0 });
    expect(v.at).to.equal(end0);
    expect(v.entries.map((e) => e.statusName)).to.deep.equal(["Confirmed", "Confirmed"]);
    expect(v.entries[0].age).to.equal(end0 - terms.risk.fleet[0].acquiredAt);
    // The model's figures are the risk engine's.
    expect(v.bookValue).to.equal(v.chain.bookValue);
    expect(v.collateralValue).to.equal(v.chain.collateralValue);
    // At $4.80 the index-implied value of the delivered GPUs is their cost: the book value binds.
    expect(v.entries[0].indexImpliedValue).to.equal(v.entries[0].cost);
    expect(v.entries[0].collateralValue).to.equal(v.entries[0].bookValue);
    // The notes: fleet $45.0M at the end of period 0, 94 % of cost.
    expect(millions(v.collateralValue)).to.equal("45.0");
    const cost = v.entries.reduce((a, e) => a + e.cost, 0n);
    expect(pct1((v.collateralValue * WAD) / cost)).to.equal("94.1");
    // The notes at face over that value: the LTV period 0 measures.
    expect(v.notesFace).to.equal(31_200_000n * USDC);
    expect(pct1(v.ltvAtFace)).to.equal("69.4");
  });

  it("follows the LTV path its notes state (69.4 %, peak 82.3 % at period 6, 75.6, 50.1, 37.4) under its 85 % cap", async () => {
    const notes = terms.tranches.slice(0, 2);
    const [a, b] = notes.map((t) => t.faceAmount);
    const installments = (p: number) => {
      const { amortStartPeriod: s, amortPeriods: n } = notes[0].principal;
      return p <= s ? 0n : (a * BigInt(Math.min(p - s, n))) / BigInt(n);
    };
    const path: Record<number, string> = {};
    let peak = 0n;
    for (let p = 0; p < terms.periodCount; p++) {
      const v = await other.fleetValuation({ deal, at: await periodEnd(deal, p) });
      expect(v.collateralValue).to.equal(v.chain.collateralValue);
      const ltv = CollateralMath.ltvUp(a - installments(p) + b, v.collateralValue);
      if (ltv > peak) peak = ltv;
      path[p] = pct1(ltv);
    }
    expect([0, 6, 11, 20, 23].map((p) => path[p])).to.deep.equal([
      "69.4",
      "82.3",
      "75.6",
      "50.1",
      "37.4",
    ]);
    expect(pct1(peak)).to.equal("82.3");
    const cap = terms.risk.triggers.find((t) => t.metric === RiskMetric.Ltv)?.threshold;
    expect(cap).to.equal((85n * WAD) / 100n);
    expect(peak < (cap as bigint)).to.equal(true);
    // The index binds at period 6 below book / cost × 4.80 ≈ $3.80.
    const v6 = await other.fleetValuation({ deal, at: await periodEnd(deal, 6) });
    const e0 = v6.entries[0];
    const binds = Number((e0.bookValue * 480_000n) / e0.cost) / 100_000;
    expect(Math.abs(binds - 3.8) < 0.005, `binds below ${binds}`).to.equal(true);
  });

  it("runs period 0 without tripping a covenant: LTV 69.4 % in the statement", async () => {
    await admin.registerInvestors({
      registry: investorRegistry,
      investors: [
        {
          wallet: investor.account.address,
          kycExpiry: (await now()) + 400n * DAY,
          country: 840,
          classes: 2,
        },
      ],
    });
    await advanceTo(terms.offeringOpensAt);
    const created = await other.dealSnapshot({ deal });
    for (const [i, t] of created.tranches.entries()) {
      await mint(stablecoin, investor.account.address, terms.tranches[i].faceAmount);
      await investor.subscribe({ offering: t.offering, assets: terms.tranches[i].faceAmount });
    }
    await advanceTo(terms.offeringClosesAt);
    for (const t of created.tranches) await other.closeOffering({ offering: t.offering });
    const end0 = await periodEnd(deal, 0);
    const available = 1_152n * 720n;
    const billed = (available * 80n) / 100n;
    const revenue = (billed * 420n * USDC) / 100n;
    // The servicer deposits the pledged 94 %; the deal pays the campus its rent out of it, first.
    const deposit = (revenue * BigInt(terms.pledgedShareBps)) / 10_000n;
    await mint(stablecoin, servicer.account.address, deposit);
    await servicer.depositCollections({ deal, amount: deposit });
    await advanceTo(end0);
    const report = {
      deal,
      period: 0n,
      gpuHoursAvailable: available,
      gpuHoursBilled: billed,
      revenue,
      reportHash: keccak256(toHex("b200 meter export, period 0")),
    };
    const signatures = await Promise.all([r0, r1, r3].map((r) => r.signReport({ report })));
    await other.submitReport({ report: signatures[0].report, signatures });
    await networkHelpers.time.increase(terms.oracle.disputeWindow + 60);
    await admin.publishPriceIndex({ feed, answer: 480_000_000n });
    const run = await other.distributeReady({ deal });
    expect(run.statements).to.have.length(1);
    const m = run.statements[0].metrics;
    expect(pct1(m.ltv)).to.equal("69.4");
    // The rent: 3.2 % of the revenue and $261 for each of the 1,152 GPUs, waiting for the campus's next period; what
    // is left for the notes is 80 % of revenue, as the term sheet's notes say.
    const rent = (revenue * 320n) / 10_000n + 261n * USDC * 1_152n;
    expect(run.statements[0].rentPaid).to.equal(rent);
    expect((await other.tenantsOf({ deal: campus })).pendingRent).to.equal(rent);
    expect(pct1(((deposit - rent) * WAD) / revenue)).to.equal("80.0");
    expect(m.breachedMask).to.equal(0n);
    expect(m.activeMask).to.equal(0n);
    expect((await other.dealSnapshot({ deal })).status).to.equal(DealStatus.Active);
    // Valued at the period's end, as fleetValuation says.
    expect(m.collateralValue).to.equal(
      (await other.fleetValuation({ deal, at: end0 })).collateralValue,
    );
  });
});

describe("SDK issuer: the campus example's sale proceeds into its equity waterfall (depositCapitalEvent)", () => {
  const lp = wallet(accounts[12]);

  it("is refused until the deal is repaid, then pays the proceeds through the tiers exactly as the model does", async () => {
    const terms = parseTermSheet(readExample("campus-10mw.json"), {
      now: await now(),
      addresses: roles(),
    }).terms;
    const { deal, offerings, blockNumber } = await issuer.createDeal({
      factory: protocol.factory,
      terms,
    });
    await admin.registerInvestors({
      registry: investorRegistry,
      investors: [
        {
          wallet: lp.account.address,
          kycExpiry: (await now()) + 400n * DAY,
          country: 840,
          classes: INVESTOR_CLASSES.institutional | INVESTOR_CLASSES["qualified-purchaser"],
        },
      ],
    });
    await advanceTo(terms.offeringOpensAt);
    for (const [i, offering] of offerings.entries()) {
      await mint(stablecoin, lp.account.address, terms.tranches[i].faceAmount);
      await lp.subscribe({ offering, assets: terms.tranches[i].faceAmount });
    }
    await advanceTo(terms.offeringClosesAt);
    for (const offering of offerings) await other.closeOffering({ offering });
    const amount = 60_000_000n * USDC;
    await mint(stablecoin, issuer.account.address, 200_000_000n * USDC);

    // Running, the deal takes sale proceeds through the clean-up call, not as a capital event.
    const refusal = await issuer.depositCapitalEvent({ deal, amount }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).to.be.instanceOf(ContractRevertError);
    expect((refusal as ContractRevertError).errorName).to.equal("DealNotRepaid");

    // The sale: the clean-up call repays the notes (the campus may call them at par at any time), then the net
    // proceeds reach the equity classes.
    const called = await issuer.cleanUpCall({ deal });
    expect((await other.dealSnapshot({ deal })).status).to.equal(DealStatus.Repaid);
    const deposited = await issuer.depositCapitalEvent({ deal, amount });

    // The reserve the deal held went to the payoff: nothing was left for equity before the proceeds.
    expect(called.residual).to.equal(0n);
    const contributed = terms.tranches.slice(1).map((t) => t.faceAmount);
    const sale = EquityWaterfallModel.distributeEquity(
      terms.equity,
      contributed,
      EquityWaterfallModel.initialEquityState(terms.equity, contributed, terms.start),
      amount,
      deposited.time,
    );
    expect(deposited.paid).to.deep.equal(sale.paid);
    expect(deposited.toClass).to.deep.equal(sale.toClass);
    expect(deposited.toClass.reduce((a, b) => a + b, 0n)).to.equal(amount);
    expect(deposited.time).to.equal(await now());
    const { distributions, capitalEvents } = await other.equityDistributions({
      waterfall: deposited.waterfall,
      fromBlock: blockNumber,
    });
    expect(distributions.map((d) => [d.capitalEvent, d.amount])).to.deep.equal([[true, amount]]);
    expect(capitalEvents.map((c) => [c.depositor, c.amount])).to.deep.equal([
      [issuer.account.address, amount],
    ]);
    // The proceeds return the classes' capital, pay their preferred return and reach the catch-up.
    const classes = (await other.equitySnapshot({ deal }))?.classes ?? [];
    expect(classes.map((c) => c.unreturned)).to.deep.equal([0n, 0n, 0n]);
    expect(classes.map((c) => c.distributed)).to.deep.equal(
      sale.state.classes.map((c) => c.distributed),
    );
  });

  it("is refused for a deal with one equity class, before anything is sent", async () => {
    const terms = parseTermSheet(readExample("h100-fleet.json"), {
      now: await now(),
      addresses: roles(),
    }).terms;
    const { deal } = await issuer.createDeal({ factory: protocol.factory, terms });
    const refusal = await issuer.depositCapitalEvent({ deal, amount: USDC }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).to.be.instanceOf(RangeError);
    expect((refusal as Error).message).to.contain("one equity class");
  });
});

describe("SDK issuer: the H100 example's fleet, and the waiver ballot", () => {
  let terms: TermSheet;
  let deal: Address;

  before(async () => {
    const sheet = readExample("h100-fleet.json");
    terms = parseTermSheet(sheet, { now: await now(), addresses: roles() }).terms;
    deal = (await issuer.createDeal({ factory: protocol.factory, terms })).deal;
  });

  it("is worth $18.0M, 72 % of cost, at final maturity as its notes say", async () => {
    const maturity = await periodEnd(deal, terms.periodCount - 1);
    const v = await other.fleetValuation({ deal, at: maturity });
    expect(v.bookValue).to.equal(v.chain.bookValue);
    expect(millions(v.bookValue)).to.equal("18.0");
    expect(pct1((v.bookValue * WAD) / v.entries[0].cost)).to.equal("72.1");
    // Bought when the deal starts: no age before it.
    expect(terms.risk.fleet[0].acquiredAt).to.equal(terms.start);
  });

  it("values added entries only once confirmed, and a rejected one never", async () => {
    const [entry] = parseFleetEntries(
      [
        {
          model: "H100-spare",
          count: 16,
          unitCost: "12,000",
          unitResidual: "1,800",
          acquired: "-90d",
          usefulLifeMonths: 36,
          method: "straightLine",
        },
      ],
      { now: await now(), decimals: 6 },
    );
    const { ids } = await issuer.addFleetEntries({ deal, entries: [entry, entry] });
    const pending = await other.fleetValuation({ deal });
    expect(pending.entries.map((e) => e.statusName)).to.deep.equal([
      "Confirmed",
      "Pending",
      "Pending",
    ]);
    expect(pending.entries[1].bookValue > 0n).to.equal(true);
    expect(pending.entries[1].collateralValue).to.equal(0n);
    await trustee.confirmFleetEntry({ deal, id: ids[0] });
    await guardian.rejectFleetEntry({ deal, id: ids[1] });
    const after = await other.fleetValuation({ deal });
    expect(after.entries.map((e) => e.status)).to.deep.equal([
      FleetEntryStatus.Confirmed,
      FleetEntryStatus.Confirmed,
      FleetEntryStatus.Rejected,
    ]);
    expect(after.entries[1].collateralValue).to.equal(after.entries[1].bookValue);
    expect(after.entries[2].collateralValue).to.equal(0n);
    expect(after.collateralValue).to.equal(after.chain.collateralValue);
    expect(after.bookValue).to.equal(after.chain.bookValue);
  });

  it("follows a ballot from none to open, approved and executed", async () => {
    expect((await other.waiverBallot({ deal })).state).to.equal("none");
    await advanceTo(terms.offeringOpensAt);
    const created = await other.dealSnapshot({ deal });
    for (const [i, t] of created.tranches.entries()) {
      await mint(stablecoin, investor.account.address, terms.tranches[i].faceAmount);
      await investor.subscribe({ offering: t.offering, assets: terms.tranches[i].faceAmount });
    }
    await advanceTo(terms.offeringClosesAt);
    for (const t of created.tranches) await other.closeOffering({ offering: t.offering });
    await investor.claimShares({ offering: created.tranches[0].offering });
    // Two periods nobody reports: the missed-report covenant accelerates the deal.
    await advanceTo((await periodEnd(deal, 1)) + BigInt(terms.oracle.reportDeadline));
    await other.distributeReady({ deal });
    expect((await other.dealSnapshot({ deal })).status).to.equal(DealStatus.Accelerated);

    await issuer.proposeWaiver({ deal });
    const open = await other.waiverBallot({ deal, voter: investor.account.address });
    expect(open).to.deep.include({
      id: 1n,
      state: "open",
      yes: 0n,
      eligible: terms.tranches[0].faceAmount,
      needed: terms.tranches[0].faceAmount / 2n + 1n,
    });
    expect(open.voter).to.deep.include({ voted: false, weight: terms.tranches[0].faceAmount });
    await investor.voteWaiver({ deal, support: true });
    const approved = await other.waiverBallot({ deal, voter: investor.account.address });
    expect(approved.state).to.equal("approved");
    expect(approved.voter?.voted).to.equal(true);
    expect(approved.voter?.lockedUntil).to.equal(approved.deadline);
    const executed = await other.executeWaiver({ deal });
    expect((await other.waiverBallot({ deal })).state).to.equal("executed");
    expect(executed.statusName).to.not.equal("Accelerated");
  });
});
