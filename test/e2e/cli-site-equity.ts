/**
 * The auditor's view of a data-center site with an equity waterfall and its GPU tenant, end to end against anvil:
 * `cascade deploy --mock-stablecoin`, a 1 MW site (capacity in kWh, occupancy and PUE covenants; a senior note, then
 * preferred equity, LP common and the sponsor's promote paid by an 8 % preferred return, return of capital, a full
 * catch-up to 20 % and 80/20 until a 15 % LP IRR, then 70/30) and a GPU deal naming it as its site (5 % of revenue +
 * 0.01 a GPU a period) created with `cascade deal create`, their offerings filled through the SDK, three 30-day
 * periods reported with `cascade report sign` / `submit` (the site's in kWh with energy and PUE) and distributed
 * tenant first, the last one short of cash so the tenant owes rent. Then `cascade deal show` and `deal history`
 * (text, --json, --csv) of both: the tenant's site, rent terms, rent paid and arrears; the site's tenants and the rent
 * received from each, by period; the site's capacity, report figures and covenants in words; its equity classes and
 * tiers in words, each period's equity statement and the LP and sponsor IRRs — every figure checked against the chain
 * (the waterfall's views and `EquityDistributed` events read with viem) to the base unit. Skipped when the anvil
 * binary is not installed.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { parseUnits, type Address } from "viem";

import { chainFor } from "../../cli/lib/clients.js";
import { devnetClients, mintDemo, shortDealJson, warpTo } from "../../cli/lib/devnet.js";
import {
  dealAbi,
  equityWaterfallAbi,
  exactAmount,
  exactRatio,
  trancheTokenAbi,
  xirr,
  type PeriodStatement,
  type TermSheetJson,
} from "../../sdk/index.js";
import { addressOf, CliSession, expectRawBeside, type DevRole } from "./harness.js";

const PERIOD = 30 * 86_400;
const HOURS = BigInt(PERIOD / 3_600);
const USDC = 10n ** 6n;
/** The tenant's periods: GPU-hours billed of 2,048, revenue, and the cash the servicer deposits (the last is short). */
const TENANT = [
  { billed: 1_800n, revenue: "2700", deposit: 2_295n * USDC },
  { billed: 1_750n, revenue: "2625", deposit: 2_231_250_000n },
  { billed: 1_700n, revenue: "2550", deposit: 100n * USDC },
];
/**
 * The site's periods: kWh billed of 720,000 (1 MW for 30 days), revenue, energy drawn and PUE. Its equity receives a
 * small residual (the preferred return partly unpaid), then a larger one, then enough to return every class's capital,
 * catch the sponsor up and carry the LP classes past their 15 % hurdle.
 */
const SITE = [
  { billed: 504_000n, revenue: "3000", energyMwh: "680.4", pue: "1.35" },
  { billed: 518_400n, revenue: "3800", energyMwh: "684.288", pue: "1.32" },
  { billed: 468_000n, revenue: "75000", energyMwh: "655.2", pue: "1.4" },
];
/** The equity classes: preferred equity, LP common and the sponsor's promote. */
const CLASSES = [
  { name: "Campus Preferred", symbol: "PE", face: 20_000n },
  { name: "Campus LP common", symbol: "LP", face: 25_000n },
  { name: "Campus Promote", symbol: "GP", face: 5_000n },
];
/** Rent: 5 % of the tenant's reported revenue + 0.01 a GPU (2,048 GPUs) a period. */
const rentDue = (revenue: string) => (parseUnits(revenue, 6) * 500n) / 10_000n + 20_480_000n;

describe("cascade CLI: a data-center site and its GPU tenant, as an auditor sees them", function () {
  this.timeout(300_000);
  const session = new CliSession();

  before(async function () {
    if (!(await session.start())) this.skip();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(session.tail(12));
  });

  after(() => session.stop());

  it("shows a tenant's site and rent, a site's tenants and rent by tenant, and the site's report figures", async () => {
    const ok = <T = Record<string, unknown>>(args: string[], role?: DevRole) =>
      session.ok<T>(args, role);
    await ok(["deploy", "--mock-stablecoin"], "admin");
    const roles = (
      ["servicer", "trustee", "guardian", "reporter0", "reporter1", "reporter2"] as const
    ).flatMap((r) => ["--address", `${r}=${addressOf(r)}`]);

    // ------------------------------------------------------------ the site and its tenant
    const base = shortDealJson({
      name: "Campus",
      periodLength: PERIOD,
      periodCount: 4,
      disputeWindow: 30,
      reportDeadline: 86_400,
    });
    const site: TermSheetJson = {
      ...base,
      oracle: {
        ...base.oracle,
        unit: "kWh",
        fleetGpus: undefined,
        capacityKw: 1_000,
        maxPricePerGpuHour: undefined,
        maxPricePerKwh: "0.50",
        maxUtilizationStepPct: 50,
      },
      risk: {
        triggers: [
          { metric: "occupancy", belowPct: 60, periods: 2, effect: "cashTrap", cures: true },
          { metric: "pue", above: "1.60", periods: 1, effect: "cashTrap", cures: true },
        ],
      },
      tranches: [
        { ...base.tranches[0], face: "10,000" },
        ...CLASSES.map((c) => ({
          name: c.name,
          symbol: c.symbol,
          kind: "equity",
          face: c.face.toString(),
          minRaise: "1",
          minTicket: "1",
        })),
      ],
      equity: {
        sponsor: "GP",
        tiers: [
          { tier: "preferredReturn", classes: ["PE", "LP"], ratePct: 8, byRank: true },
          { tier: "returnOfCapital", classes: ["PE", "LP", "GP"], byRank: true },
          { tier: "catchUp", classes: ["PE", "LP"], sponsorSharePct: 100, targetPct: 20 },
          { tier: "split", classes: ["PE", "LP"], sponsorSharePct: 20, hurdlePct: 15 },
          { tier: "split", classes: ["PE", "LP"], sponsorSharePct: 30 },
        ],
      },
    } as TermSheetJson;
    const tenant = {
      ...shortDealJson({
        name: "GPU tenant",
        periodLength: PERIOD,
        periodCount: 4,
        disputeWindow: 30,
        reportDeadline: 86_400,
      }),
      site: { deal: "$site", rentPct: 5, rentPerUnit: "0.01" },
    } as TermSheetJson;
    const siteFile = join(session.dir, "campus.json");
    const tenantFile = join(session.dir, "tenant.json");
    await writeFile(siteFile, JSON.stringify(site));
    await writeFile(tenantFile, JSON.stringify(tenant));
    const created = await ok<{ deal: Address; stablecoin: Address; offerings: Address[] }>(
      ["deal", "create", siteFile, "--name", "campus", ...roles],
      "issuer",
    );
    const rented = await ok<{ deal: Address; offerings: Address[] }>(
      [
        "deal",
        "create",
        tenantFile,
        "--name",
        "gpu",
        ...roles,
        "--address",
        `site=${created.deal}`,
      ],
      "issuer",
    );

    const c = devnetClients(session.url, chainFor(session.url, 31_337));
    const read = <T>(deal: Address, functionName: string, args: unknown[] = []) =>
      c.publicClient.readContract({
        address: deal,
        abi: dealAbi,
        functionName: functionName as "start",
        args: args as [],
      }) as Promise<T>;
    const coin = created.stablecoin;
    const faces = [
      [10_000n, ...CLASSES.map((k) => k.face)],
      [6_000n, 2_000n, 2_000n],
    ].map((f) => f.map((x) => x * USDC));
    await mintDemo(c.admin, coin, c.investor.account.address, 70_000n * USDC);
    await warpTo(c, (await c.publicClient.getBlock()).timestamp + 15n);
    for (const [d, deal] of [created, rented].entries())
      for (const [i, offering] of deal.offerings.entries())
        await c.investor.subscribe({ offering, assets: faces[d][i] });
    const starts = [
      await read<bigint>(created.deal, "start"),
      await read<bigint>(rented.deal, "start"),
    ];
    await warpTo(c, starts[0] > starts[1] ? starts[0] : starts[1]);
    for (const deal of [created, rented])
      for (const offering of deal.offerings) await c.investor.closeOffering({ offering });

    // ------------------------------------------------------------ three periods, the tenant first each time
    for (let p = 0; p < 3; p++) {
      const end = (s: bigint) => s + BigInt((p + 1) * PERIOD);
      await warpTo(c, (end(starts[0]) > end(starts[1]) ? end(starts[0]) : end(starts[1])) + 1n);
      await session.signAndSubmit("gpu", {
        period: p,
        available: 2_048n,
        billed: TENANT[p].billed,
        revenue: TENANT[p].revenue,
        meter: `tenant meter, period ${p}`,
      });
      await session.signAndSubmit("campus", {
        period: p,
        available: 1_000n * HOURS,
        billed: SITE[p].billed,
        revenue: SITE[p].revenue,
        meter: `campus meter, period ${p}`,
        energyMwh: SITE[p].energyMwh,
        pue: SITE[p].pue,
      });
      await warpTo(c, (await c.publicClient.getBlock()).timestamp + 31n);
      const siteCash = (parseUnits(SITE[p].revenue, 6) * 8_500n) / 10_000n;
      await mintDemo(c.admin, coin, c.servicer.account.address, TENANT[p].deposit + siteCash);
      await c.servicer.depositCollections({ deal: rented.deal, amount: TENANT[p].deposit });
      await c.servicer.depositCollections({ deal: created.deal, amount: siteCash });
      await c.keeper.distribute({ deal: rented.deal, period: BigInt(p) });
      await c.keeper.distribute({ deal: created.deal, period: BigInt(p) });
    }

    // ------------------------------------------------------------ the chain, read with the SDK
    const [tenantRecords, siteRecords] = await Promise.all([
      c.keeper.periodStatements({ deal: rented.deal }),
      c.keeper.periodStatements({ deal: created.deal }),
    ]);
    const ts: PeriodStatement[] = tenantRecords.map((r) => r.statement);
    const ss: PeriodStatement[] = siteRecords.map((r) => r.statement);
    const received = await c.publicClient.getContractEvents({
      address: created.deal,
      abi: dealAbi,
      eventName: "RentReceived",
      fromBlock: 0n,
    });
    const rentArrears = await read<bigint>(rented.deal, "rentArrears");
    // Rent: due in full for two periods, the last one short (100 of cash, the rest owed).
    expect(ts.map((s) => s.rentPaid + s.rentArrears)).to.deep.equal(
      TENANT.map((t) => rentDue(t.revenue)),
    );
    expect(ts[2].rentPaid).to.equal(100n * USDC);
    expect(rentArrears).to.equal(ts[2].rentArrears).and.to.be.greaterThan(0n);
    const paid = ts.reduce((a, s) => a + s.rentPaid, 0n);
    expect(received.map((l) => l.args.amount)).to.deep.equal(ts.map((s) => s.rentPaid));
    expect(ss.map((s) => s.rentIn)).to.deep.equal(ts.map((s) => s.rentPaid));

    // The site's equity waterfall: the distributor of its equity tokens; its views and events, read with viem.
    const [firstClass] = await read<readonly [Address, Address]>(created.deal, "trancheContracts", [
      1n,
    ]);
    const waterfall = await c.publicClient.readContract({
      address: firstClass,
      abi: trancheTokenAbi,
      functionName: "distributor",
    });
    const [views, events] = await Promise.all([
      c.publicClient.readContract({
        address: waterfall,
        abi: equityWaterfallAbi,
        functionName: "classes",
      }),
      c.publicClient.getContractEvents({
        address: waterfall,
        abi: equityWaterfallAbi,
        eventName: "EquityDistributed",
        fromBlock: 0n,
      }),
    ]);
    // One equity statement per period, each the period's residual.
    expect(events.map((e) => e.args.amount)).to.deep.equal(ss.map((s) => s.residualPaid));
    expect(ss.every((s) => s.residualRecipient === waterfall)).to.equal(true);
    const n = CLASSES.length;
    // The packed statement read here on its own: three counts, the bitmap of the amounts not zero, those amounts —
    // paid (5 tiers × n), U (n), P (n), the one hurdle's balances (n), T and S.
    const amountAt = (e: (typeof events)[number], i: number) => {
      const hex = (e.args.statement ?? "0x").slice(2);
      const m = 8 * n + 2;
      const maskBytes = Math.ceil(m / 8);
      const bits = BigInt(`0x${hex.slice(6, 6 + 2 * maskBytes)}`).toString(2).padStart(8 * maskBytes, "0");
      if (bits[i] === "0") return 0n;
      const at = 6 + 2 * maskBytes + 32 * [...bits.slice(0, i)].filter((b) => b === "1").length;
      return BigInt(`0x${hex.slice(at, at + 32)}`);
    };
    const paidOf = (e: (typeof events)[number], t: number, j: number) => amountAt(e, t * n + j);
    const stateOf = (e: (typeof events)[number], row: number, j: number) => amountAt(e, (5 + row) * n + j);
    const toClass = (j: number) =>
      events.reduce(
        (a, e) =>
          a + Array.from({ length: 5 }, (_, t) => paidOf(e, t, j)).reduce((x, y) => x + y, 0n),
        0n,
      );
    expect(views.map((v) => v.distributed)).to.deep.equal(CLASSES.map((_, j) => toClass(j)));
    // The LP classes' realized IRR, computed here from the events: contributions at the deal's start.
    const lpFlows = [
      { time: starts[0], amount: -(faces[0][1] + faces[0][2]) },
      ...events.map((e) => ({
        time: BigInt(e.args.time ?? 0),
        amount: Array.from({ length: 5 }, (_, t) => paidOf(e, t, 0) + paidOf(e, t, 1)).reduce(
          (x, y) => x + y,
          0n,
        ),
      })),
    ];
    const lpIrr = xirr(lpFlows);
    expect(lpIrr).to.be.greaterThan(0.15);

    // ------------------------------------------------------------ deal show
    const [tenantShown, siteShown, tenantText, siteText] = await Promise.all([
      ok<TenantShow>(["deal", "show", "gpu"]),
      ok<SiteShow>(["deal", "show", "campus"]),
      session.cascade(["deal", "show", "gpu"]),
      session.cascade(["deal", "show", "campus"]),
    ]);
    expect(tenantShown.siteLink).to.deep.include({
      site: created.deal,
      name: "campus",
      terms: "5.00 % of reported revenue + 0.01 a GPU a period (20.48 a period for 2,048 GPUs)",
      rentBps: 500,
      rentPerUnitRaw: "10000",
      rentPaidRaw: paid.toString(),
      rentPaid: exactAmount(paid, 6),
      rentArrearsRaw: rentArrears.toString(),
    });
    expect(tenantShown.tenantLinks).to.equal(null);
    expect(tenantShown.capacity).to.deep.equal({
      unit: "GPU-hours",
      units: 2_048,
      unitsName: "GPUs",
      perPeriod: (2_048n * HOURS).toString(),
    });
    expect(siteShown.siteLink).to.equal(null);
    expect(siteShown.capacity).to.deep.equal({
      unit: "kWh",
      units: 1_000,
      unitsName: "kW",
      perPeriod: (1_000n * HOURS).toString(),
    });
    expect(siteShown.tenantLinks.receivedRaw).to.equal(paid.toString());
    expect(siteShown.tenantLinks.pendingRaw).to.equal("0");
    const [link] = siteShown.tenantLinks.tenants;
    expect(link).to.deep.include({
      tenant: rented.deal,
      name: "gpu",
      unit: "GPUs",
      receivedRaw: paid.toString(),
      rentArrearsRaw: rentArrears.toString(),
    });
    expect(link.receipts.map((r) => [r.sitePeriod, r.tenantPeriod, r.amountRaw])).to.deep.equal(
      ts.map((s, p) => [p + 1, p + 1, s.rentPaid.toString()]),
    );
    // The waterfall in words and each class's state, as the chain's views give it.
    const eq = siteShown.equity;
    expect(eq.waterfall).to.equal(waterfall);
    expect(eq.sponsor).to.equal("GP");
    expect(eq.splits).to.equal("80/20 until LP IRR 15.00 %, then 70/30");
    expect(eq.tiers.map((t) => t.words)).to.deep.equal([
      "8.00 % preferred return, by rank: Campus Preferred, Campus LP common",
      "return of capital, by rank: Campus Preferred, Campus LP common, Campus Promote",
      "catch-up: 100 % to the sponsor (Campus Promote) until it holds 20.00 % of profit",
      "80/20 to Campus Preferred, Campus LP common / Campus Promote until LP IRR 15.00 %",
      "70/30 to Campus Preferred, Campus LP common / Campus Promote thereafter",
    ]);
    expect(
      eq.classes.map((k) => [
        k.class,
        k.contributedRaw,
        k.returnedRaw,
        k.prefOwedRaw,
        k.distributedRaw,
        k.multipleRaw,
        k.hurdles.map((h) => [h.balanceRaw, h.met]),
      ]),
    ).to.deep.equal(
      views.map((v, j) => [
        CLASSES[j].symbol,
        v.contributed.toString(),
        v.returned.toString(),
        v.prefOwed.toString(),
        v.distributed.toString(),
        v.multiple.toString(),
        v.hurdleBalances.map((b, k) => [b.toString(), v.hurdlesMet[k]]),
      ]),
    );
    expect(eq.hurdles).to.deep.equal([
      { hurdle: 1, tier: 4, rate: "0.15", rateRaw: (15n * 10n ** 16n).toString(), met: true },
    ]);
    expect(Math.abs((eq.irr.lp ?? 0) - lpIrr)).to.be.below(1e-12);
    expect(eq.catchUp).to.deep.equal({ targetBps: 2_000, reached: true });
    expect(eq.distributedRaw).to.equal(
      events.reduce((a, e) => a + (e.args.amount ?? 0n), 0n).toString(),
    );
    expect(siteText.stdout)
      .to.include(
        `equity waterfall ${waterfall} · sponsor GP · 3 distributions · splits 80/20 until LP IRR 15.00 %, then 70/30`,
      )
      .and.to.include(
        "3. catch-up: 100 % to the sponsor (Campus Promote) until it holds 20.00 % of profit",
      )
      .and.to.include(`realized IRR to date: LP ${(lpIrr * 100).toFixed(2)} %`);
    expect(siteShown.triggers.map((t) => t.description)).to.deep.equal([
      "occupancy < 60.00 % for 2 periods → cash trap (cures)",
      "PUE > 1.60 for 1 period → cash trap (cures)",
    ]);
    expect(tenantText.stdout)
      .to.include(`campus ${created.deal}`)
      .and.to.include("5.00 % of reported revenue + 0.01 a GPU a period")
      .and.to.include(`paid ${fmt(paid)} to date · arrears ${fmt(rentArrears)}`)
      .and.to.include("2,048 GPUs · 1,474,560 GPU-hours a period");
    expect(siteText.stdout)
      .to.include("1,000 kW of IT load · 720,000 kWh a period")
      .and.to.include(`1 tenant deal · rent received ${fmt(paid)} to date`)
      .and.to.include(`gpu ${rented.deal}`)
      .and.to.include("occupancy < 60.00 % for 2 periods → cash trap (cures)");

    // ------------------------------------------------------------ deal history: text, JSON and CSV
    const siteCsv = join(session.dir, "campus.csv");
    const tenantCsv = join(session.dir, "gpu.csv");
    const [siteHistory, tenantHistory, siteHistoryText, tenantHistoryText] = await Promise.all([
      ok<HistoryJson>(["deal", "history", "campus", "--csv", siteCsv]),
      ok<HistoryJson>(["deal", "history", "gpu", "--csv", tenantCsv]),
      session.cascade(["deal", "history", "campus"]),
      session.cascade(["deal", "history", "gpu"]),
    ]);

    // The tenant: its rent first in the waterfall, paid and in arrears, every period.
    for (const [p, period] of tenantHistory.periods.entries()) {
      expect(period.steps.slice(0, 2).map((s) => [s.step, s.deal])).to.deep.equal([
        ["collections", null],
        ["siteRent", created.deal],
      ]);
      expect(period.steps[1].paidRaw).to.equal(ts[p].rentPaid.toString());
      expect(period.steps[1].unpaidRaw).to.equal(ts[p].rentArrears.toString());
      expect(period.rentPaidRaw).to.equal(ts[p].rentPaid.toString());
      expect(period.rentArrearsRaw).to.equal(ts[p].rentArrears.toString());
      expect(period.reconciliation.rentPaidRaw).to.equal(ts[p].rentPaid.toString());
      expect(period.reconciliation.balances).to.equal(true);
    }
    expect(tenantHistory.totals.rentPaidRaw).to.equal(paid.toString());
    expect(tenantHistoryText.stdout)
      .to.include(`site rent → campus ${created.deal}`)
      .and.to.include("arrears: due with the next period");

    // The site: rent in by tenant each period, and its kWh report figures.
    for (const [p, period] of siteHistory.periods.entries()) {
      expect(period.rentInRaw).to.equal(ts[p].rentPaid.toString());
      expect(period.rentInByTenant).to.deep.equal([
        {
          tenant: rented.deal,
          name: "gpu",
          amount: exactAmount(ts[p].rentPaid, 6),
          amountRaw: ts[p].rentPaid.toString(),
          receipts: [
            {
              tenantPeriod: p + 1,
              amount: exactAmount(ts[p].rentPaid, 6),
              amountRaw: ts[p].rentPaid.toString(),
              blockNumber: received[p].blockNumber.toString(),
              transactionHash: received[p].transactionHash,
            },
          ],
        },
      ]);
      const rentRow = period.steps.find((s) => s.step === "rentIn");
      expect([rentRow?.deal, rentRow?.paidRaw]).to.deep.equal([
        rented.deal,
        ts[p].rentPaid.toString(),
      ]);
      // Occupancy: kWh billed / 720,000 kWh, rounded down, as the covenant measures it.
      const occupancy = (SITE[p].billed * 10n ** 18n) / (1_000n * HOURS);
      expect(period.report).to.deep.equal({
        unit: "kWh",
        available: (1_000n * HOURS).toString(),
        billed: SITE[p].billed.toString(),
        revenue: exactAmount(parseUnits(SITE[p].revenue, 6), 6),
        revenueRaw: parseUnits(SITE[p].revenue, 6).toString(),
        energyKwh: parseUnits(SITE[p].energyMwh, 3).toString(),
        energyMwh: exactAmount(parseUnits(SITE[p].energyMwh, 3), 3),
        pue: exactAmount(parseUnits(SITE[p].pue, 4), 4),
        pueRaw: Number(parseUnits(SITE[p].pue, 4)),
        appraisal: "0",
        appraisalRaw: "0",
        occupancy: exactRatio(occupancy),
        occupancyRaw: occupancy.toString(),
      });
      expect(period.triggers[0].valueRaw).to.equal(occupancy.toString());
      expect(period.reconciliation.balances).to.equal(true);
    }
    // Each period's equity statement: the chain's event, tier by tier and class by class, to the base unit.
    expect(siteHistory.equity?.waterfall).to.equal(waterfall);
    for (const [p, period] of siteHistory.periods.entries()) {
      const e = events[p];
      const st = period.equity;
      expect(st, `period ${p + 1}`).to.not.equal(null);
      if (st === null) continue;
      expect([st.amountRaw, st.balances, st.agreesWithModel, st.transactionHash]).to.deep.equal([
        ss[p].residualPaid.toString(),
        true,
        true,
        siteRecords[p].transactionHash,
      ]);
      expect(st.tiers.map((t) => t.paid.map((x) => x.amountRaw))).to.deep.equal(
        Array.from({ length: 5 }, (_, t) => CLASSES.map((_, j) => paidOf(e, t, j).toString())),
      );
      expect(st.classes.map((k) => [k.prefUnpaidRaw, k.unreturnedRaw])).to.deep.equal(
        CLASSES.map((_, j) => [
          stateOf(e, 1, j).toString(),
          stateOf(e, 0, j).toString(),
        ]),
      );
      expect(st.hurdles[0].balances.map((b) => b.amountRaw)).to.deep.equal(
        CLASSES.map((_, j) => stateOf(e, 2, j).toString()),
      );
      expect([st.catchUp.totalProfitRaw, st.catchUp.sponsorProfitRaw]).to.deep.equal([
        amountAt(e, 8 * n).toString(),
        amountAt(e, 8 * n + 1).toString(),
      ]);
      expect(period.reconciliation.balances).to.equal(true);
    }
    const last = siteHistory.periods[2].equity;
    expect([last?.hurdles[0].met, last?.catchUp.reached]).to.deep.equal([true, true]);
    expect(Math.abs((last?.irr.lp ?? 0) - lpIrr)).to.be.below(1e-12);
    // The first period's residual pays only part of the preferred return, which stays owed.
    const first = siteHistory.periods[0].equity;
    expect(BigInt(first?.classes[1].prefUnpaidRaw ?? "0")).to.be.greaterThan(0n);
    expect(siteHistory.totals.equityToClass?.map((x) => x.amountRaw)).to.deep.equal(
      CLASSES.map((_, j) => toClass(j).toString()),
    );
    expect(siteHistoryText.stdout)
      .to.include("equity statement 1: $")
      .and.to.include("agrees with the model")
      .and.to.include("1 8.00 % preferred return, by rank: Campus Preferred, Campus LP common")
      .and.to.include("hurdle 15.00 % balance after (met)");
    // Every human figure of the JSON is its raw beside it.
    const pairs = expectRawBeside(siteHistory) + expectRawBeside(siteShown);
    expect(pairs).to.be.greaterThan(300);
    expect(siteHistory.totals.rentInByTenant).to.deep.equal([
      {
        tenant: rented.deal,
        name: "gpu",
        amount: exactAmount(paid, 6),
        amountRaw: paid.toString(),
      },
    ]);
    expect(siteHistoryText.stdout)
      .to.include(`rent in from tenant gpu ${rented.deal}`)
      .and.to.include(
        "report: 504,000 of 720,000 kWh billed (occupancy 70.00 %) · revenue $3,000.00 · energy 680.4 MWh · PUE 1.35",
      )
      .and.to.include(`  from gpu ${rented.deal}`);

    // CSV: each column sums to the chain's statements to the base unit.
    const csvOf = async (file: string) => {
      const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
      const header = lines[0].split(",");
      const rows = lines.slice(1).map((l) => l.split(","));
      return (name: string) => {
        const i = header.indexOf(name);
        expect(i, `CSV column ${name}`).to.be.gte(0);
        return rows.map((r) => r[i]);
      };
    };
    const total = (values: string[], decimals = 6) =>
      values.reduce((a, v) => a + parseUnits(v, decimals), 0n);
    const tenantColumn = await csvOf(tenantCsv);
    expect(total(tenantColumn("rent_paid"))).to.equal(paid);
    expect(tenantColumn("rent_arrears").map((v) => parseUnits(v, 6))).to.deep.equal(
      ts.map((s) => s.rentArrears),
    );
    expect(tenantColumn("rent_in")).to.deep.equal(["0", "0", "0"]);
    expect(tenantColumn("balances")).to.deep.equal(["true", "true", "true"]);
    const siteColumn = await csvOf(siteCsv);
    expect(total(siteColumn("rent_in"))).to.equal(paid);
    expect(total(siteColumn(`rent_in_${rented.deal}`))).to.equal(
      received.reduce((a, l) => a + (l.args.amount ?? 0n), 0n),
    );
    expect(total(siteColumn("cash_in"))).to.equal(ss.reduce((a, s) => a + s.cashIn, 0n));
    expect(siteColumn("capacity_billed")).to.deep.equal(SITE.map((s) => s.billed.toString()));
    expect(siteColumn("energy_kwh")).to.deep.equal(
      SITE.map((s) => parseUnits(s.energyMwh, 3).toString()),
    );
    expect(siteColumn("pue")).to.deep.equal(["1.35", "1.32", "1.4"]);
    expect(siteColumn("occupancy")).to.deep.equal(["0.7", "0.72", "0.65"]);
    expect(siteColumn("balances")).to.deep.equal(["true", "true", "true"]);
    expect(siteColumn("residual_to")).to.deep.equal(["waterfall", "waterfall", "waterfall"]);
    const kinds = ["pref", "capital", "catchup", "split", "split"];
    for (let t = 0; t < 5; t++)
      for (const [j, k] of CLASSES.entries())
        expect(
          total(siteColumn(`equity_tier${t + 1}_${kinds[t]}_${k.symbol}`)),
          `tier ${t + 1} ${k.symbol}`,
        ).to.equal(events.reduce((a, e) => a + paidOf(e, t, j), 0n));
    for (const [j, k] of CLASSES.entries()) {
      expect(total(siteColumn(`equity_to_${k.symbol}`))).to.equal(views[j].distributed);
      expect(siteColumn(`distributed_${k.symbol}`).at(-1)).to.equal(
        exactAmount(views[j].distributed, 6),
      );
      expect(siteColumn(`pref_unpaid_${k.symbol}`).at(-1)).to.equal(
        exactAmount(views[j].prefOwed, 6),
      );
    }
    expect(total(siteColumn("equity_amount"))).to.equal(
      ss.reduce((a, s) => a + s.residualPaid, 0n),
    );
    expect(siteColumn("hurdle1_met")).to.deep.equal(["false", "false", "true"]);
    expect(siteColumn("hurdle1_balance_PE").at(-1)).to.equal("0");
    expect(Number(siteColumn("lp_irr")[2])).to.equal(siteHistory.periods[2].equity?.irr.lp);
    expect(siteColumn("equity_balances")).to.deep.equal(["true", "true", "true"]);
    expect(siteColumn("equity_agrees_with_model")).to.deep.equal(["true", "true", "true"]);
  });
});

/** Base units as the CLI prints amounts: two decimals, thousands separators. */
function fmt(units: bigint): string {
  const cents = (units + 5_000n) / 10_000n;
  const whole = (cents / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${whole}.${(cents % 100n).toString().padStart(2, "0")}`;
}

interface TenantShow {
  siteLink: Record<string, unknown>;
  tenantLinks: null;
  capacity: Record<string, unknown>;
}

interface AmountJson {
  amountRaw: string;
}

interface EquityShowJson {
  waterfall: Address;
  sponsor: string;
  splits: string;
  tiers: { words: string }[];
  classes: {
    class: string;
    contributedRaw: string;
    returnedRaw: string;
    prefOwedRaw: string;
    distributedRaw: string;
    multipleRaw: string;
    hurdles: { balanceRaw: string; met: boolean }[];
  }[];
  hurdles: unknown[];
  irr: { lp: number | null; sponsor: number | null };
  catchUp: unknown;
  distributedRaw: string;
}

interface EquityStatementJson {
  amountRaw: string;
  balances: boolean;
  agreesWithModel: boolean;
  transactionHash: string;
  tiers: { paid: AmountJson[] }[];
  classes: { prefUnpaidRaw: string; unreturnedRaw: string }[];
  hurdles: { balances: AmountJson[]; met: boolean }[];
  catchUp: { totalProfitRaw: string; sponsorProfitRaw: string; reached: boolean | null };
  irr: { lp: number | null; sponsor: number | null };
}

interface SiteShow {
  equity: EquityShowJson;
  siteLink: null;
  capacity: Record<string, unknown>;
  triggers: { description: string }[];
  tenantLinks: {
    receivedRaw: string;
    pendingRaw: string;
    tenants: {
      tenant: Address;
      receipts: { sitePeriod: number; tenantPeriod: number; amountRaw: string }[];
    }[];
  };
}

interface HistoryJson {
  equity: { waterfall: Address } | null;
  periods: {
    equity: EquityStatementJson | null;
    steps: { step: string; deal: string | null; paidRaw: string; unpaidRaw: string | null }[];
    rentPaidRaw: string;
    rentArrearsRaw: string;
    rentInRaw: string;
    rentInByTenant: unknown[];
    report: unknown;
    triggers: { valueRaw: string }[];
    reconciliation: { rentPaidRaw: string; balances: boolean };
  }[];
  totals: {
    rentPaidRaw: string;
    rentInByTenant: unknown[];
    equityToClass: AmountJson[] | null;
  };
}
