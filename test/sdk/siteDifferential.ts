/**
 * Differential test of site rent: a data-center site deal and a GPU tenant deal that pays it rent, with random terms
 * (notes, reserves, bounties, covenants that trap cash or accelerate, rent as a share of revenue and per GPU, a site
 * shorter or longer than its tenant) and random periods (revenue, short and excess deposits, unreported periods,
 * the tenant or the site distributing first), run on chain through the SDK and in the model: the tenant's model
 * pays the rent first, the site's model receives it (`DealModel.receiveRent`) and counts it as the cash of its next
 * period (or, once the site has ended, pays it on as recoveries). Every statement of both deals, their final state and
 * the site's rent by tenant in its statements (`periodStatements`, `dealHistory`) must agree to the wei. Seeds are
 * fixed (1…N).
 */
import { expect } from "chai";
import { keccak256, toHex, zeroAddress, type Address } from "viem";
import { getBlock, readContract } from "viem/actions";

import {
  CouponType,
  DealModel,
  DealStatus,
  NO_EQUITY_WATERFALL,
  NO_SITE,
  NO_TRANSFER_RULES,
  PrincipalType,
  RiskMetric,
  TrancheKind,
  TriggerComparison,
  TriggerEffect,
  UNREPORTED,
  WAD,
  ZERO_ADDRESS,
  dealHistory,
  statementFacts,
  type DealModelState,
  type PeriodOutcome,
  type TermSheet,
  type TrancheTerms,
  type TriggerTerms,
} from "../../sdk/index.js";
import { mockStablecoinChain, viemNetwork } from "../helpers/viem-network.js";

const { networkHelpers, publicClient, accounts, wallet } = await viemNetwork();
const [admin, issuer, servicer, trustee, guardian, r0, r1, keeper] = accounts
  .slice(0, 8)
  .map(wallet);
const investors = accounts.slice(8, 16).map(wallet);

const USDC = 10n ** 6n;
const PCT = WAD / 100n;
const DAY = 86_400;
const HOUR = 3_600;
const MAX_PRICE = 5_000n * USDC;
const TENANT_GPUS = 2_048;
const SITE_KW = 10_000;

/** Deterministic PRNG (mulberry32), as test/sdk/differential.ts. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const big = (lo: bigint, hi: bigint) =>
    lo + (BigInt(Math.floor(next() * 2 ** 48)) * (hi - lo)) / 2n ** 48n;
  return { next, int, big };
}
type Rng = ReturnType<typeof rng>;

const { stablecoin, mint, advanceTo } = await mockStablecoinChain(
  { publicClient, networkHelpers },
  admin,
);
const protocol = await admin.deployProtocol();

/** A covenant two times in three: DSCR below 1.0–1.6× traps cash, or a missed report accelerates. */
function randomTriggers(r: Rng): TriggerTerms[] {
  if (r.next() < 0.33) return [];
  return [
    r.next() < 0.5
      ? {
          metric: RiskMetric.Dscr,
          comparison: TriggerComparison.Below,
          effect: TriggerEffect.CashTrap,
          periods: 1,
          cures: true,
          threshold: r.big(WAD, (16n * WAD) / 10n),
        }
      : {
          metric: RiskMetric.MissedReport,
          comparison: TriggerComparison.Above,
          effect: TriggerEffect.Accelerate,
          periods: 1,
          cures: false,
          threshold: 0n,
        },
  ];
}

/** 1–3 notes (fixed coupons, bullet or straight-line) and equity; terms shared by a site and its tenant. */
function randomDeal(
  r: Rng,
  window: { opens: bigint; closes: bigint; periodLength: number },
  periodCount: number,
  unit: number,
  capacity: number,
): TermSheet {
  const notes = r.int(1, 3);
  const tranches: TrancheTerms[] = [];
  for (let i = 0; i <= notes; i++) {
    const face = r.big(500_000n, 4_000_000n) * USDC;
    const note = i < notes;
    const amortizes = note && r.next() < 0.5;
    const start = r.int(0, periodCount - 1);
    tranches.push({
      name: `T${i}`,
      symbol: `T${i}`,
      kind: note ? TrancheKind.Note : TrancheKind.Equity,
      faceAmount: face,
      minRaise: face / 2n,
      minTicket: USDC,
      reserveFundingBps: r.next() < 0.5 ? 0 : r.int(0, 500),
      coupon: {
        couponType: CouponType.Fixed,
        baseRate: note ? r.big(0n, 15n * PCT) : 0n,
        slope: 0n,
        strike: 0n,
        floorRate: 0n,
        capRate: 0n,
      },
      principal: amortizes
        ? {
            scheduleType: PrincipalType.StraightLine,
            amortStartPeriod: start,
            amortPeriods: r.int(1, periodCount - start),
          }
        : { scheduleType: PrincipalType.Bullet, amortStartPeriod: 0, amortPeriods: 0 },
      transfer: NO_TRANSFER_RULES,
    });
  }
  const disputeWindow = HOUR;
  return {
    stablecoin,
    issuer: issuer.account.address,
    servicer: servicer.account.address,
    trustee: trustee.account.address,
    guardian: guardian.account.address,
    registry: zeroAddress,
    offeringOpensAt: window.opens,
    offeringClosesAt: window.closes,
    start: window.closes,
    periodLength: window.periodLength,
    periodCount,
    pledgedShareBps: r.int(5_000, 10_000),
    servicerFeeBps: r.int(0, 300),
    trusteeFeePerPeriod: r.big(0n, 5_000n) * USDC,
    reserveTarget: r.big(0n, 200_000n) * USDC,
    keeperBounty: r.next() < 0.2 ? 0n : r.big(0n, 5_000n) * USDC,
    oracle: {
      reporters: [r0.account.address, r1.account.address],
      threshold: 2,
      disputeWindow,
      reportDeadline: disputeWindow + DAY,
      reporterChangeDelay: DAY,
      fleetGpus: capacity,
      maxPricePerGpuHour: MAX_PRICE,
      maxUtilizationStep: WAD,
      unit,
    },
    risk: {
      trailingPeriods: r.int(1, 4),
      cleanUpBps: 0,
      turbo: r.next() < 0.5,
      waiverVotingPeriod: DAY,
      priceFeed: { feed: ZERO_ADDRESS, decimals: 0, maxStaleness: 0 },
      triggers: randomTriggers(r),
      fleet: [],
      appraisalMaxAge: 0,
    },
    tranches,
    equity: NO_EQUITY_WATERFALL,
    site: NO_SITE,
  };
}

/** Subscribes every tranche of `terms` in full (investor i takes tranche i) and returns the offerings to close. */
async function subscribeAll(terms: TermSheet, offerings: readonly Address[]): Promise<void> {
  for (const [t, offering] of offerings.entries()) {
    const inv = investors[t % 8];
    const face = terms.tranches[t].faceAmount;
    await mint(inv.account.address, face);
    await inv.subscribe({ offering, assets: face, method: "approve" });
  }
}

/**
 * A period's report (2 of 2 reporters) or, `undefined`, nothing (the deal's period is marked unreported later). A site
 * (`kwh`) that bills any capacity states its facility's energy at a PUE of 1.30, as the oracle requires.
 */
async function report(
  deal: Address,
  period: number,
  r: Rng,
  length: number,
  gpus: number,
  kwh: boolean,
) {
  const available = BigInt(r.int(0, Math.floor((gpus * length) / HOUR)));
  const billed = available === 0n ? 0n : r.big(0n, available);
  const drawn = r.big(0n, 2_000_000n) * USDC;
  const revenue = drawn < billed * MAX_PRICE ? drawn : billed * MAX_PRICE;
  const content = {
    deal,
    period: BigInt(period),
    gpuHoursAvailable: available,
    gpuHoursBilled: billed,
    revenue,
    ...(kwh && billed > 0n ? { energyKwh: (billed * 13n) / 10n, pue: 13_000 } : {}),
    reportHash: keccak256(toHex(`${deal}-${period}`)),
  };
  const signatures = await Promise.all([r0, r1].map((w) => w.signReport({ report: content })));
  await keeper.submitReport({ report: signatures[0].report, signatures });
  return content;
}

describe("SDK differential: a site and its tenant, model vs chain", function () {
  this.timeout(300_000);

  const seeds = Number(process.env.SDK_DIFF_SEEDS ?? 10);
  const seen = { arrears: false, pending: false, ended: false, trap: false, accelerated: false };
  for (let seed = 1; seed <= seeds; seed++) {
    it(`seed ${seed}: both deals' statements, their state and the rent between them agree to the wei`, async () => {
      const r = rng(seed);
      const now = (await getBlock(publicClient)).timestamp;
      const window = {
        opens: now + 60n,
        closes: now + 60n + 3n * BigInt(DAY),
        periodLength: r.int(7, 20) * DAY,
      };
      const tenantCount = r.int(3, 8);
      const siteCount = r.int(2, 8);
      const siteTerms = randomDeal(r, window, siteCount, 1, SITE_KW);
      const site = await issuer.createDeal({ factory: protocol.factory, terms: siteTerms });
      const base = randomDeal(r, window, tenantCount, 0, TENANT_GPUS);
      const rentBps = r.next() < 0.2 ? 0 : r.int(1, Math.min(2_000, base.pledgedShareBps));
      const rentPerUnit = r.next() < 0.2 && rentBps > 0 ? 0n : r.big(1n, 60n * USDC);
      const tenantTerms: TermSheet = { ...base, site: { site: site.deal, rentBps, rentPerUnit } };
      const tenant = await issuer.createDeal({ factory: protocol.factory, terms: tenantTerms });

      expect(await keeper.siteOf({ deal: tenant.deal })).to.deep.equal({
        site: site.deal,
        rentBps,
        rentPerUnit,
        capacity: BigInt(TENANT_GPUS),
        fixedRentPerPeriod: rentPerUnit * BigInt(TENANT_GPUS),
        rentArrears: 0n,
      });
      expect(await keeper.siteOf({ deal: site.deal })).to.equal(undefined);
      expect(await keeper.tenantsOf({ deal: site.deal })).to.deep.equal({
        tenants: [tenant.deal],
        pendingRent: 0n,
      });

      await advanceTo(window.opens);
      await subscribeAll(siteTerms, site.offerings);
      await subscribeAll(tenantTerms, tenant.offerings);
      await advanceTo(window.closes);
      const issued = async (offerings: readonly Address[]) => {
        const out: bigint[] = [];
        for (const offering of offerings)
          out.push((await keeper.closeOffering({ offering })).accepted);
        return out;
      };
      const siteIssued = await issued(site.offerings);
      const tenantIssued = await issued(tenant.offerings);
      let siteState: DealModelState = DealModel.initialDealState(siteTerms, siteIssued);
      let tenantState: DealModelState = DealModel.initialDealState(tenantTerms, tenantIssued);
      const market = (tokens: readonly Address[]) => ({
        keeper: keeper.account.address,
        equityToken: tokens[tokens.length - 1],
      });

      let rentPaid = 0n;
      let rentCounted = 0n;
      let rentAfterEnd = 0n;
      for (let p = 0; p < Math.max(tenantCount, siteCount); p++) {
        const end = window.closes + BigInt((p + 1) * window.periodLength);
        await advanceTo(end);
        const deals = [
          { h: tenant, terms: tenantTerms, count: tenantCount, gpus: TENANT_GPUS },
          { h: site, terms: siteTerms, count: siteCount, gpus: SITE_KW },
        ].filter((d) => p < d.count);
        const outcomes = new Map<Address, PeriodOutcome>();
        const deposits = new Map<Address, bigint>();
        const unreported: Address[] = [];
        for (const d of deals) {
          const deposit = r.next() < 0.2 ? 0n : r.big(0n, 1_500_000n) * USDC;
          deposits.set(d.h.deal, deposit);
          if (deposit > 0n) {
            await mint(servicer.account.address, deposit);
            await servicer.depositCollections({ deal: d.h.deal, amount: deposit });
          }
          if (r.next() < 0.2) unreported.push(d.h.deal);
          else
            outcomes.set(
              d.h.deal,
              await report(d.h.deal, p, r, window.periodLength, d.gpus, d.h === site),
            );
        }
        if (unreported.length > 0) {
          await advanceTo(end + BigInt(DAY + HOUR));
          for (const deal of unreported) {
            await keeper.markUnreported({ deal, period: BigInt(p) });
            outcomes.set(deal, UNREPORTED);
          }
        } else {
          await advanceTo(end + BigInt(2 * HOUR));
        }
        // The tenant distributes first (its rent is cash of the site's same period) or after the site (of the next).
        const tenantFirst = r.next() < 0.6;
        const order = tenantFirst ? deals : [...deals].reverse();
        for (const d of order) {
          const { statements } = await keeper.distributeReady({ deal: d.h.deal });
          if (d.h === tenant) {
            const siteEnded = siteState.status >= DealStatus.Repaid;
            const sim = DealModel.distribute(
              tenantState,
              tenantTerms,
              outcomes.get(tenant.deal)!,
              deposits.get(tenant.deal)!,
              market(tenant.tokens),
            );
            expect(statements, `tenant period ${p}`).to.deep.equal([sim.statement]);
            tenantState = sim.next;
            const paid = sim.statement.rentPaid;
            rentPaid += paid;
            if (sim.statement.rentArrears > 0n) seen.arrears = true;
            if (sim.statement.mode === DealStatus.CashTrap) seen.trap = true;
            if (sim.statement.mode === DealStatus.Accelerated) seen.accelerated = true;
            if (paid > 0n) {
              if (siteEnded) {
                rentAfterEnd += paid;
                seen.ended = true;
              }
              siteState = DealModel.receiveRent(siteState, paid).next;
            }
          } else {
            if (siteState.rentPending > 0n) seen.pending = true;
            const sim = DealModel.distribute(
              siteState,
              siteTerms,
              outcomes.get(site.deal)!,
              deposits.get(site.deal)!,
              market(site.tokens),
            );
            expect(statements, `site period ${p}`).to.deep.equal([sim.statement]);
            siteState = sim.next;
            rentCounted += sim.statement.rentIn;
          }
        }
        const pending = (await keeper.tenantsOf({ deal: site.deal })).pendingRent;
        expect(pending, `site's pending rent after period ${p}`).to.equal(siteState.rentPending);
        expect(rentPaid, "rent paid = rent counted + pending + paid on once ended").to.equal(
          rentCounted + pending + rentAfterEnd,
        );
      }

      for (const [h, state] of [
        [tenant, tenantState],
        [site, siteState],
      ] as const) {
        const snapshot = await keeper.dealSnapshot({ deal: h.deal });
        expect(snapshot.status).to.equal(state.status);
        expect([snapshot.collections, snapshot.pendingRent, snapshot.residualOwed]).to.deep.equal([
          state.collections + state.rentPending,
          state.rentPending,
          state.residualOwed,
        ]);
        expect(snapshot.reserve.balance).to.equal(state.reserve);
        expect(
          snapshot.tranches.map((t) => [t.outstanding, t.arrears, t.writtenDown]),
        ).to.deep.equal(state.tranches.map((t) => [t.outstanding, t.arrears, t.writtenDown]));
      }
      expect((await keeper.siteOf({ deal: tenant.deal }))?.rentArrears).to.equal(
        tenantState.rentArrears,
      );

      // The statements: the site's show its rent by tenant, the tenant's its rent to the site; every period balances.
      const siteRecords = await keeper.periodStatements({ deal: site.deal });
      const siteHistory = dealHistory(
        siteRecords,
        statementFacts(siteTerms, siteIssued, site.tokens[site.tokens.length - 1]),
      );
      for (const v of siteHistory.periods) {
        expect(v.reconciliation.balances, `site period ${v.number} balances`).to.equal(true);
        const rows = v.rows.filter((x) => x.kind === "rentIn");
        expect(rows.every((x) => x.deal === tenant.deal)).to.equal(true);
        expect(rows.reduce((a, x) => a + x.paid, 0n)).to.equal(v.record.statement.rentIn);
      }
      const tenantHistory = dealHistory(await keeper.periodStatements({ deal: tenant.deal }), {
        ...statementFacts(tenantTerms, tenantIssued, tenant.tokens[tenant.tokens.length - 1]),
        site: site.deal,
      });
      for (const v of tenantHistory.periods) {
        expect(v.reconciliation.balances, `tenant period ${v.number} balances`).to.equal(true);
        const rent = v.rows.find((x) => x.kind === "siteRent");
        const s = v.record.statement;
        if (s.rentPaid + s.rentArrears > 0n) {
          expect([rent?.deal, rent?.paid, rent?.unpaid]).to.deep.equal([
            site.deal,
            s.rentPaid,
            s.rentArrears,
          ]);
          // First of the payments: straight after the period's cash in.
          expect(v.rows.indexOf(rent!)).to.be.lessThan(
            v.rows.findIndex((x) => x.kind === "keeperBounty"),
          );
        }
      }
    });
  }

  it("the seeds ran rent arrears, rent pending at the site, a site that ended first, a cash trap and an acceleration", () => {
    if (seeds < 10) return;
    expect(seen).to.deep.equal({
      arrears: true,
      pending: true,
      ended: true,
      trap: true,
      accelerated: true,
    });
  });
});
