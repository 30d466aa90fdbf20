import { expect } from "chai";
import type { ContractTransactionReceipt } from "ethers";

import {
  DealStatus,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  USDC,
  WAD,
  activateDeals,
  createDeal,
  dealAt,
  deployProtocol,
  equity,
  fixedNote,
  markUnreported,
  PERIOD,
  roles,
  siteTermSheet,
  standardTermSheet,
  submitReport,
  tenantTermSheet,
  type DealHandles,
  type Protocol,
  type Roles,
  type TermSheetInput,
} from "../helpers/fixtures.js";
import { statementsIn } from "../helpers/deal-scenario.js";
import { ethers, networkHelpers, K, M, extraSigners, fundServicer } from "../helpers/deal-fixtures.js";
import { trigger } from "../helpers/risk-fixtures.js";
import type { RefStatement } from "../helpers/waterfall-reference.js";

/** `IDeal.TermSheetField.Site`. */
const SITE_FIELD = 33;
/** The tenant's rent: 5 % of its reported revenue and 10 USDC per GPU a period (2 048 GPUs: 20 480 a period). */
const RENT_BPS = 500;
const RENT_PER_GPU = 10n * USDC;
const FIXED_RENT = 2_048n * RENT_PER_GPU;
const rentOn = (revenue: bigint) => (revenue * BigInt(RENT_BPS)) / 10_000n + FIXED_RENT;

interface PairOptions {
  /** Edits the site's term sheet (a data-center deal of 10 MW) before it is created. */
  site?: (t: TermSheetInput) => void;
  /** Edits the tenant's term sheet (the standard GPU deal, paying the rent above) before it is created. */
  tenant?: (t: TermSheetInput) => void;
  /** Leaves both deals offering (nothing subscribed). */
  offering?: boolean;
}

/** A site (a data-center deal) and a tenant GPU deal of the same factory, one offering window, both active. */
async function buildPair(o: PairOptions = {}) {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const base = await standardTermSheet(networkHelpers, protocol, r);
  const siteTerms = siteTermSheet(base);
  o.site?.(siteTerms);
  const site = await createDeal(ethers, protocol, siteTerms);
  const tenantTerms = tenantTermSheet(base, await site.deal.getAddress(), RENT_BPS, RENT_PER_GPU);
  o.tenant?.(tenantTerms);
  const tenant = await createDeal(ethers, protocol, tenantTerms);
  await fundServicer(protocol, r, site);
  await fundServicer(protocol, r, tenant);
  if (!o.offering) await activateDeals(networkHelpers, protocol, r, [site, tenant]);
  return {
    protocol,
    r,
    site,
    tenant,
    siteAddress: await site.deal.getAddress(),
    tenantAddress: await tenant.deal.getAddress(),
    ...(await extraSigners()),
  };
}

type Pair = Awaited<ReturnType<typeof buildPair>>;

/** A one-period site: a 1 M senior bullet note at 8 % and 1 M of equity. */
function oneShortPeriod(t: TermSheetInput) {
  t.periodCount = 1;
  t.tranches = [fixedNote("Senior", M, (8n * WAD) / 100n), equity("Equity", M)];
}

async function pairFixture() {
  return buildPair();
}

/**
 * Deposits `deposit` into `h`'s deal, reports `revenue` for `period` at its end (`undefined`: marks it unreported)
 * and distributes it; returns the statement and the receipt.
 */
async function runPeriod(
  f: Pair,
  h: DealHandles,
  period: bigint,
  revenue: bigint | undefined,
  deposit: bigint,
): Promise<{ s: RefStatement; receipt: ContractTransactionReceipt }> {
  const deal = h.deal;
  if (deposit > 0n) await deal.connect(f.r.servicer).depositCollections(deposit);
  const end = await deal.periodEnd(period);
  if (BigInt(await networkHelpers.time.latest()) < end) await networkHelpers.time.increaseTo(end);
  if (revenue === undefined) await markUnreported(networkHelpers, f.protocol, deal, period);
  else await submitReport(ethers, networkHelpers, f.protocol, f.r, deal, period, revenue);
  const receipt = (await (await deal.connect(f.keeper).distribute(period)).wait())!;
  const [s] = statementsIn(deal, await deal.getAddress(), receipt);
  return { s, receipt };
}

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

/** cashIn + recoveriesApplied + reserveReleased + reserveDrawn == rent paid + every payment. */
function expectConservation(s: RefStatement) {
  expect(s.cashIn + s.recoveriesApplied + s.reserveReleased + s.reserveDrawn).to.equal(
    s.rentPaid +
      s.keeperBountyPaid +
      s.trusteeFeePaid +
      s.servicerFeePaid +
      sum(s.interestPaid) +
      s.reserveToppedUp +
      sum(s.principalPaid) +
      s.reserveTrapped +
      s.residualPaid,
  );
}

/** Creates `terms` and expects the factory to refuse it at the site. */
async function expectSiteRefused(protocol: Protocol, r: Roles, terms: TermSheetInput) {
  const factory = protocol.factory.connect(r.issuer);
  const count = await factory.dealCount();
  await expect(factory.createDeal(terms))
    .to.be.revertedWithCustomError(factory, "InvalidTermSheet")
    .withArgs(SITE_FIELD, 0n);
  expect(await factory.dealCount()).to.equal(count);
}

describe("Deal", function () {
  describe("site rent", function () {
    it("test_createDeal_registersTheTenantWithItsSite", async function () {
      const protocol = await deployProtocol(ethers);
      const r = await roles(ethers);
      const base = await standardTermSheet(networkHelpers, protocol, r);
      const site = await createDeal(ethers, protocol, siteTermSheet(base));
      const siteAddress = await site.deal.getAddress();
      const terms = tenantTermSheet(base, siteAddress, RENT_BPS, RENT_PER_GPU);
      const tenantAddress = await protocol.factory.connect(r.issuer).createDeal.staticCall(terms);
      await expect(protocol.factory.connect(r.issuer).createDeal(terms))
        .to.emit(site.deal, "TenantRegistered")
        .withArgs(tenantAddress, 1n);
      const tenant = await dealAt(ethers, tenantAddress);
      expect(await site.deal.tenants()).to.deep.equal([tenantAddress]);
      expect(await site.deal.isTenant(tenantAddress)).to.equal(true);
      expect(await site.deal.isTenant(r.issuer.address)).to.equal(false);
      expect(await site.deal.pendingRent()).to.equal(0n);
      expect(await tenant.site()).to.deep.equal([siteAddress, BigInt(RENT_BPS), RENT_PER_GPU, 2_048n]);
      expect(await tenant.rentArrears()).to.equal(0n);
      expect(await tenant.tenants()).to.deep.equal([]);
      expect(await site.deal.site()).to.deep.equal([ethers.ZeroAddress, 0n, 0n, 0n]);
      const factory = await protocol.factory.getAddress();
      expect([await site.deal.factory(), await tenant.factory()]).to.deep.equal([factory, factory]);
      // The oracle keeps each deal's capacity unit.
      expect((await protocol.oracle.terms(siteAddress)).unit).to.equal(1n);
      expect((await protocol.oracle.terms(tenantAddress)).unit).to.equal(0n);
    });

    it("test_distribute_tenantPaysRentFirst_siteCountsItAsCash", async function () {
      const f = await networkHelpers.loadFixture(pairFixture);
      const coin = f.protocol.stablecoin;
      const revenue = 300n * K;
      const rent = rentOn(revenue);
      const siteBefore = await coin.balanceOf(f.siteAddress);
      const { s, receipt } = await runPeriod(f, f.tenant, 0n, revenue, 400n * K);
      // Rent first, before the keeper bounty; the servicer's fee is a share of the cash after it.
      expect([s.cashIn, s.rentPaid, s.rentArrears, s.rentIn]).to.deep.equal([revenue, rent, 0n, 0n]);
      expect(s.keeperBountyPaid).to.equal(50n * USDC);
      expect(s.servicerFeePaid).to.equal((revenue - rent) / 100n);
      // The covenants see the cash net of rent: rent is due ahead of the fees.
      expect(s.metrics.cashAvailableForDebtService).to.equal(
        revenue - rent - 50n * USDC - 2n * K - s.servicerFeePaid,
      );
      expectConservation(s);
      await expect(receipt)
        .to.emit(f.site.deal, "RentReceived")
        .withArgs(f.tenantAddress, 0n, 0n, rent);
      expect((await coin.balanceOf(f.siteAddress)) - siteBefore).to.equal(rent);
      expect(await f.tenant.deal.rentArrears()).to.equal(0n);
      expect(await f.site.deal.pendingRent()).to.equal(rent);
      expect(await f.site.deal.undistributedCollections()).to.equal(rent);

      // The site's period counts the rent as cash, beside its own collections capped by its report.
      const site = (await runPeriod(f, f.site, 0n, 100n * K, 150n * K)).s;
      expect([site.rentIn, site.cashIn, site.rentPaid]).to.deep.equal([rent, 100n * K + rent, 0n]);
      expect(site.collectionsCarried).to.equal(50n * K);
      expect(site.servicerFeePaid).to.equal((100n * K + rent) / 100n);
      // Rent is not reported revenue: no servicer shortfall.
      expect(site.metrics.servicerShortfall).to.equal(0n);
      expectConservation(site);
      expect(await f.site.deal.pendingRent()).to.equal(0n);
      expect(await f.site.deal.undistributedCollections()).to.equal(50n * K);
    });

    it("test_distribute_siteShortfallIsMeasuredWithoutItsTenantsRent", async function () {
      const f = await networkHelpers.loadFixture(pairFixture);
      const rent = rentOn(300n * K);
      await runPeriod(f, f.tenant, 0n, 300n * K, 300n * K);
      // The site's servicer deposits 40 000 of a reported 100 000: its shortfall is 60 000 whatever the rent.
      const s = (await runPeriod(f, f.site, 0n, 100n * K, 40n * K)).s;
      expect(s.cashIn).to.equal(40n * K + rent);
      expect(s.metrics.servicerShortfall).to.equal(60n * K);
    });

    it("test_distribute_unreportedPeriod_paysTheFixedRentOnly", async function () {
      const f = await networkHelpers.loadFixture(pairFixture);
      const { s, receipt } = await runPeriod(f, f.tenant, 0n, undefined, 100n * K);
      expect([s.reported, s.cashIn, s.rentPaid, s.rentArrears]).to.deep.equal([
        false,
        100n * K,
        FIXED_RENT,
        0n,
      ]);
      expectConservation(s);
      await expect(receipt)
        .to.emit(f.site.deal, "RentReceived")
        .withArgs(f.tenantAddress, 0n, 0n, FIXED_RENT);
    });

    it("test_distribute_rentArrearsCarried_andPaidFirstNextPeriod", async function () {
      const f = await networkHelpers.loadFixture(pairFixture);
      const rent = rentOn(300n * K);
      // 30 000 deposited of a reported 300 000: the cash pays rent only, and not all of it.
      const first = (await runPeriod(f, f.tenant, 0n, 300n * K, 30n * K)).s;
      expect([first.rentPaid, first.rentArrears]).to.deep.equal([30n * K, rent - 30n * K]);
      expect([first.keeperBountyPaid, first.trusteeFeePaid, first.servicerFeePaid]).to.deep.equal([
        0n,
        0n,
        0n,
      ]);
      expect(sum(first.interestPaid)).to.equal(0n);
      expectConservation(first);
      expect(await f.tenant.deal.rentArrears()).to.equal(rent - 30n * K);
      // The next period owes its own rent and the arrears, first.
      const next = rentOn(200n * K) + rent - 30n * K;
      const { s, receipt } = await runPeriod(f, f.tenant, 1n, 200n * K, 200n * K);
      expect([s.rentPaid, s.rentArrears]).to.deep.equal([next, 0n]);
      expectConservation(s);
      await expect(receipt)
        .to.emit(f.site.deal, "RentReceived")
        .withArgs(f.tenantAddress, 0n, 1n, next);
      expect(await f.tenant.deal.rentArrears()).to.equal(0n);
      // Both receipts wait for the site's first distribution.
      expect(await f.site.deal.pendingRent()).to.equal(30n * K + next);
    });

    it("test_distribute_cashTrap_rentStillFirst", async function () {
      const f = await buildPair({
        tenant: (t) => {
          t.risk = {
            ...t.risk,
            triggers: [
              trigger(
                RiskMetric.Utilization,
                TriggerComparison.Below,
                (90n * WAD) / 100n,
                TriggerEffect.CashTrap,
              ),
            ],
          };
        },
      });
      const { s } = await runPeriod(f, f.tenant, 0n, 300n * K, 300n * K);
      expect(s.mode).to.equal(BigInt(DealStatus.CashTrap));
      expect(s.rentPaid).to.equal(rentOn(300n * K));
      expect(s.reserveTrapped).to.be.greaterThan(0n);
      expect(s.residualPaid).to.equal(0n);
      expectConservation(s);
    });

    it("test_distribute_accelerated_rentFirstFromThePeriodsCash_thenTheSweep", async function () {
      const f = await buildPair({
        tenant: (t) => {
          t.risk = {
            ...t.risk,
            triggers: [
              trigger(RiskMetric.MissedReport, TriggerComparison.Above, 0n, TriggerEffect.Accelerate),
            ],
          };
        },
      });
      // Unreported: the period's cash is every collection held; the rent (its fixed part) comes first, then the
      // Accelerated order pays the notes.
      const { s } = await runPeriod(f, f.tenant, 0n, undefined, 500n * K);
      expect(s.mode).to.equal(BigInt(DealStatus.Accelerated));
      expect([s.cashIn, s.rentPaid, s.rentArrears]).to.deep.equal([500n * K, FIXED_RENT, 0n]);
      expectConservation(s);
      // A reported period in the Accelerated order: rent from the reported share, the collections held beyond it are
      // swept into the paydown after it.
      const next = (await runPeriod(f, f.tenant, 1n, 100n * K, 400n * K)).s;
      expect(next.mode).to.equal(BigInt(DealStatus.Accelerated));
      expect([next.cashIn, next.rentPaid, next.collectionsCarried]).to.deep.equal([
        400n * K,
        rentOn(100n * K),
        0n,
      ]);
      expectConservation(next);
    });

    it("test_receiveRent_pausedSite_takesTheRent_tenantNotStopped", async function () {
      const f = await networkHelpers.loadFixture(pairFixture);
      await f.site.deal.connect(f.r.guardian).pause();
      const { s, receipt } = await runPeriod(f, f.tenant, 0n, 300n * K, 300n * K);
      expect(s.rentPaid).to.equal(rentOn(300n * K));
      await expect(receipt).to.emit(f.site.deal, "RentReceived");
      expect(await f.site.deal.pendingRent()).to.equal(rentOn(300n * K));
    });

    it("test_receiveRent_repaidSite_paysTheRentToItsEquity", async function () {
      // A one-period site: its final period repays its notes, and it has ended before the tenant's first rent.
      const f = await buildPair({ site: oneShortPeriod });
      await runPeriod(f, f.site, 0n, 2n * M, 2n * M);
      expect(await f.site.deal.status()).to.equal(BigInt(DealStatus.Repaid));
      const equityToken = await f.site.tokens[1].getAddress();
      const rent = rentOn(300n * K);
      const { s, receipt } = await runPeriod(f, f.tenant, 0n, 300n * K, 300n * K);
      expect(s.rentPaid).to.equal(rent);
      await expect(receipt)
        .to.emit(f.site.deal, "RentReceived")
        .withArgs(f.tenantAddress, 1n, 0n, rent);
      await expect(receipt)
        .to.emit(f.site.deal, "RecoveriesDeposited")
        .withArgs(f.tenantAddress, rent, 0n, rent, equityToken);
      await expect(receipt).to.emit(f.site.tokens[1], "Distributed");
      expect(await f.site.deal.pendingRent()).to.equal(0n);
      expect(await f.protocol.stablecoin.balanceOf(f.siteAddress)).to.equal(
        (await f.site.deal.feesOwed())[0] + (await f.site.deal.feesOwed())[1],
      );
    });

    it("test_receiveRent_defaultedSite_paysItsWrittenDownNotesFirst", async function () {
      const f = await buildPair({ site: oneShortPeriod });
      // Nothing collected at the site's only period: it defaults, every note written down.
      await runPeriod(f, f.site, 0n, 0n, 0n);
      expect(await f.site.deal.status()).to.equal(BigInt(DealStatus.Defaulted));
      const rent = rentOn(300n * K);
      const { receipt } = await runPeriod(f, f.tenant, 0n, 300n * K, 300n * K);
      const senior = await f.site.deal.tranche(0);
      await expect(receipt)
        .to.emit(f.site.deal, "RecoveryApplied")
        .withArgs(0n, 0n, rent, 0n, 0n, senior.writtenDown);
      await expect(receipt)
        .to.emit(f.site.deal, "RecoveriesDeposited")
        .withArgs(f.tenantAddress, rent, rent, 0n, await f.site.tokens[1].getAddress());
      expect(senior.writtenDown).to.equal(M - rent);
    });

    it("test_receiveRent_cancelledSite_returnsRentToItsIssuer", async function () {
      // The site's offering runs two months: the tenant pays its first rent while the site still offers.
      const f = await buildPair({
        offering: true,
        site: (t) => {
          t.offeringClosesAt += 60n * 86_400n;
          t.start = t.offeringClosesAt;
        },
      });
      await activateDeals(networkHelpers, f.protocol, f.r, [f.tenant]);
      const rent = rentOn(300n * K);
      const { receipt } = await runPeriod(f, f.tenant, 0n, 300n * K, 300n * K);
      await expect(receipt)
        .to.emit(f.site.deal, "RentReceived")
        .withArgs(f.tenantAddress, 0n, 0n, rent);
      expect(await f.site.deal.status()).to.equal(BigInt(DealStatus.Offering));
      expect(await f.site.deal.pendingRent()).to.equal(rent);
      // Nobody subscribed: closing the offerings cancels the site, and the rent it held goes back to its issuer.
      await networkHelpers.time.increaseTo(f.site.terms.offeringClosesAt);
      for (const o of f.site.offerings.slice(0, -1)) await o.close();
      await expect(f.site.offerings[3].close())
        .to.emit(f.site.deal, "CollectionsReturned")
        .withArgs(rent, rent);
      expect(await f.site.deal.status()).to.equal(BigInt(DealStatus.Cancelled));
      expect([await f.site.deal.pendingRent(), await f.site.deal.residualOwed()]).to.deep.equal([
        0n,
        rent,
      ]);
      // Later rent is credited to the issuer at once.
      const next = rentOn(100n * K);
      const later = (await runPeriod(f, f.tenant, 1n, 100n * K, 100n * K)).receipt;
      await expect(later)
        .to.emit(f.site.deal, "RecoveriesDeposited")
        .withArgs(f.tenantAddress, next, 0n, next, f.r.issuer.address);
      expect(await f.site.deal.residualOwed()).to.equal(rent + next);
      await expect(f.site.deal.connect(f.r.issuer).withdrawResidual())
        .to.emit(f.site.deal, "ResidualWithdrawn")
        .withArgs(f.r.issuer.address, rent + next);
    });

    it("test_writeDown_revertsRecoveriesNotExhausted_whileRentIsPending", async function () {
      const f = await buildPair({
        site: (t) => {
          t.risk = {
            ...t.risk,
            triggers: [
              trigger(RiskMetric.MissedReport, TriggerComparison.Above, 0n, TriggerEffect.Accelerate),
            ],
          };
        },
      });
      // The site runs its first period unreported and with nothing collected but the tenant's first rent:
      // Accelerated, its reserve swept. The tenant's next rent waits for the site's next period.
      await runPeriod(f, f.tenant, 0n, 300n * K, 300n * K);
      await runPeriod(f, f.site, 0n, undefined, 0n);
      expect(await f.site.deal.status()).to.equal(BigInt(DealStatus.Accelerated));
      expect(await f.site.deal.undistributedCollections()).to.equal(0n);
      const rent = rentOn(300n * K);
      await runPeriod(f, f.tenant, 1n, 300n * K, 300n * K);
      expect((await f.site.deal.reserve())[0]).to.equal(0n);
      await expect(f.site.deal.connect(f.r.trustee).writeDown(M))
        .to.be.revertedWithCustomError(f.site.deal, "RecoveriesNotExhausted")
        .withArgs(rent, 0n, 0n);
    });

    it("test_cleanUpCall_paysThePendingRentOut", async function () {
      // The site's periods last two of the tenant's: the tenant's first rent lands while the site's first period runs.
      const f = await buildPair({
        site: (t) => {
          t.risk = { ...t.risk, cleanUpBps: 10_000 };
          t.periodLength = 2n * PERIOD;
        },
      });
      const rent = rentOn(300n * K);
      await runPeriod(f, f.tenant, 0n, 300n * K, 300n * K);
      const [reserve] = await f.site.deal.reserve();
      const engine = await ethers.getContractAt("IRiskEngine", await f.site.deal.riskEngine());
      const quote = await engine.cleanUpQuote();
      // The deal's own cash: the rent pending and its reserve.
      expect(await f.site.deal.undistributedCollections()).to.equal(rent);
      expect(quote.fromIssuer).to.equal(quote.payoff - rent - reserve);
      await f.protocol.stablecoin.mint(f.r.issuer.address, quote.fromIssuer + M);
      await f.protocol.stablecoin
        .connect(f.r.issuer)
        .approve(f.siteAddress, quote.fromIssuer + M);
      await expect(f.site.deal.connect(f.r.issuer).cleanUpCall()).to.emit(
        f.site.deal,
        "CleanUpCalled",
      );
      expect(await f.site.deal.pendingRent()).to.equal(0n);
      expect(await f.site.deal.undistributedCollections()).to.equal(0n);
    });

    describe("reverts", function () {
      it("test_receiveRent_revertsNotTenant", async function () {
        const f = await networkHelpers.loadFixture(pairFixture);
        // Neither an account nor another deal of the factory (the site itself) pays rent as a tenant.
        for (const caller of [f.outsider, f.r.issuer]) {
          await expect(f.site.deal.connect(caller).receiveRent(0n, 1n))
            .to.be.revertedWithCustomError(f.site.deal, "NotTenant")
            .withArgs(caller.address);
        }
        await expect(f.tenant.deal.receiveRent(0n, 1n))
          .to.be.revertedWithCustomError(f.tenant.deal, "NotTenant")
          .withArgs((await ethers.getSigners())[0].address);
        expect(await f.site.deal.pendingRent()).to.equal(0n);
      });

      it("test_registerTenant_revertsNotFactory", async function () {
        const f = await networkHelpers.loadFixture(pairFixture);
        for (const caller of [f.outsider, f.r.issuer]) {
          await expect(f.site.deal.connect(caller).registerTenant(caller.address))
            .to.be.revertedWithCustomError(f.site.deal, "NotFactory")
            .withArgs(caller.address);
        }
        expect(await f.site.deal.tenants()).to.deep.equal([f.tenantAddress]);
      });

      it("test_registerTenant_revertsDealEnded_onAnEndedSite", async function () {
        const f = await buildPair({ site: oneShortPeriod });
        await runPeriod(f, f.site, 0n, 2n * M, 2n * M);
        const factory = await f.protocol.factory.getAddress();
        await networkHelpers.impersonateAccount(factory);
        await networkHelpers.setBalance(factory, 10n ** 18n);
        const asFactory = await ethers.getSigner(factory);
        await expect(f.site.deal.connect(asFactory).registerTenant(f.outsider.address))
          .to.be.revertedWithCustomError(f.site.deal, "DealEnded")
          .withArgs(DealStatus.Repaid);
      });

      it("test_extension_revertsNotDelegated_whenCalledDirectly", async function () {
        const f = await networkHelpers.loadFixture(pairFixture);
        const extension = await ethers.getContractAt(
          "DealExtension",
          await f.site.deal.extension(),
        );
        for (const call of [
          () => extension.registerTenant(f.outsider.address),
          () => extension.receiveRent(0n, 1n),
          () => extension.withdrawFees(),
        ]) {
          await expect(call()).to.be.revertedWithCustomError(extension, "NotDelegated").withArgs();
        }
        // One extension for every deal.
        expect(await f.tenant.deal.extension()).to.equal(await extension.getAddress());
      });

      it("test_createDeal_revertsInvalidTermSheetSite_forRentWithoutASite_orASiteWithoutRent", async function () {
        const protocol = await deployProtocol(ethers);
        const r = await roles(ethers);
        const base = await standardTermSheet(networkHelpers, protocol, r);
        const site = await createDeal(ethers, protocol, siteTermSheet(base));
        const siteAddress = await site.deal.getAddress();
        for (const terms of [
          tenantTermSheet(base, ethers.ZeroAddress, 1, 0n),
          tenantTermSheet(base, ethers.ZeroAddress, 0, 1n),
          tenantTermSheet(base, siteAddress, 0, 0n),
          // A share of revenue above the share pledged to the deal.
          { ...tenantTermSheet(base, siteAddress, 5_001, 0n), pledgedShareBps: 5_000 },
        ])
          await expectSiteRefused(protocol, r, terms);
        // The share pledged is the bound, included.
        await expect(
          protocol.factory
            .connect(r.issuer)
            .createDeal({ ...tenantTermSheet(base, siteAddress, 5_000, 0n), pledgedShareBps: 5_000 }),
        ).to.emit(protocol.factory, "DealCreated");
      });

      it("test_createDeal_revertsInvalidTermSheetSite_forASiteThatIsNotADataCenterDealOfThisFactory", async function () {
        const protocol = await deployProtocol(ethers);
        const r = await roles(ethers);
        const base = await standardTermSheet(networkHelpers, protocol, r);
        // A GPU deal (capacity in GPU-hours) is not a site.
        const gpuDeal = await createDeal(ethers, protocol, base);
        // A data-center deal of another factory, and one in another stablecoin.
        const other = await deployProtocol(ethers);
        const otherBase = await standardTermSheet(networkHelpers, other, r);
        const foreign = await createDeal(ethers, other, siteTermSheet(otherBase));
        const coin = await ethers.deployContract("MockStablecoin", ["Other USD", "OUSD", 6]);
        const otherCoin = await createDeal(
          ethers,
          protocol,
          siteTermSheet({ ...base, stablecoin: await coin.getAddress() }),
        );
        for (const site of [
          (await extraSigners()).outsider.address,
          await protocol.oracle.getAddress(),
          await gpuDeal.deal.getAddress(),
          await foreign.deal.getAddress(),
          await otherCoin.deal.getAddress(),
        ])
          await expectSiteRefused(protocol, r, tenantTermSheet(base, site, RENT_BPS, RENT_PER_GPU));
      });

      it("test_createDeal_revertsInvalidTermSheetSite_forAnEndedSite", async function () {
        const f = await buildPair({ site: oneShortPeriod });
        await runPeriod(f, f.site, 0n, 2n * M, 2n * M);
        const base = await standardTermSheet(networkHelpers, f.protocol, f.r);
        await expectSiteRefused(
          f.protocol,
          f.r,
          tenantTermSheet(base, f.siteAddress, RENT_BPS, RENT_PER_GPU),
        );
        // A site that has not ended takes more tenants.
        const g = await networkHelpers.loadFixture(pairFixture);
        const more = tenantTermSheet(
          await standardTermSheet(networkHelpers, g.protocol, g.r),
          g.siteAddress,
          RENT_BPS,
          RENT_PER_GPU,
        );
        await createDeal(ethers, g.protocol, more);
        expect((await g.site.deal.tenants()).length).to.equal(2);
      });
    });
  });
});
