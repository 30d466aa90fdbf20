/**
 * The demo's data-center section: the Columbus campus of `examples/campus-10mw.json` — a 10 MW project deal with
 * senior term notes and three equity classes paid by an LP/GP waterfall — run for 24 periods beside its two GPU
 * tenants, the B200 hall of `examples/b200-datacenter.json` and the H100 hall of `examples/h100-campus.json`, on the
 * in-process network, through the SDK.
 *
 * Each period the GPU deals' servicers deposit their pledged revenue, their reporters sign GPU-hours and revenue,
 * and their waterfalls pay the campus its rent first, on chain; the campus's operator deposits what the other
 * tenants were billed, its reporters sign kWh available and billed, the energy drawn, the PUE and now and then an
 * appraisal, and the campus's waterfall counts the linked rent as cash without a report. The H100 hall's customers
 * leave and H100 prices fall: its deal traps cash, accelerates and defaults at its maturity, its GPUs are sold, and
 * the campus loses its largest tenant — its DSCR falls, its lock-up traps the residual and the preferred return
 * accrues unpaid — until the hall is re-let and the released cash catches the preferred return up. After 24 periods
 * the campus is sold: the buyer's money repays the notes by the clean-up call and the net proceeds reach the equity
 * classes as a capital event, so the catch-up and the splits pay.
 *
 * Every period prints the campus's rent by tenant and its equity statement; at the end everything is reconciled to
 * the wei against the chain and the SDK's models, and the classes' IRRs (`xirr`) and multiples are printed.
 */
import { readFileSync } from "node:fs";

import { keccak256, toHex, type Address, type Hash } from "viem";
import { getBlock, getTransactionReceipt, readContract } from "viem/actions";

import {
  DealModel,
  DealStatus,
  dealAbi,
  dealHistory,
  historyTotals,
  statementFacts,
  EquityMath,
  equityIrrs,
  equityStatements,
  EquityWaterfallModel,
  INVESTOR_CLASSES,
  parseTermSheet,
  TrancheKind,
  trancheTokenAbi,
  xirr,
  xnpv,
  type CashFlow,
  type DealModelState,
  type PeriodSimulation,
  type PeriodStatement,
  type ReportContent,
  type TermSheet,
  type TermSheetJson,
} from "../../sdk/index.js";
import {
  b200Index,
  b200Market,
  campusMarket,
  CAMPUS_PERIODS,
  h100Market,
  nextNewYear,
  type CampusMarket,
} from "./campus-scenario.js";
import { CampusReport } from "./campus-report.js";
import { wei } from "./format.js";
import type { PeriodMarket } from "./h100-scenario.js";
import {
  balanceOf,
  mint,
  transfer,
  type CascadeWallet,
  type ViemConnection,
} from "./viem-hardhat.js";

type EquityStatement = EquityWaterfallModel.EquityStatement;
type EquityState = EquityWaterfallModel.EquityWaterfallState;

/** What the campus section needs from the demo: the chain, the protocol and the roles the other deals use. */
export interface CampusContext {
  connection: ViemConnection;
  protocol: { factory: Address; oracle: Address };
  stablecoin: Address;
  decimals: number;
  investorRegistry: Address;
  admin: CascadeWallet;
  trustee: CascadeWallet;
  guardian: CascadeWallet;
  keeper: CascadeWallet;
  complianceAgent: CascadeWallet;
  /** Three reporters of the other deals; the campus's deals add a fourth. */
  reporters: readonly CascadeWallet[];
  /** Records a reconciliation check (printed with the demo's others). */
  check: (name: string, ok: boolean, detail?: string) => void;
  out?: (line: string) => void;
}

/** Accounts the network needs for this section: the demo's twenty, and seventeen more from the same mnemonic. */
export const CAMPUS_ACCOUNTS = 37;

/** Used H100s after the collapse: the H100 hall's GPUs are sold at $5,500 each once its deal has defaulted. */
export const H100_SALE_PRICE = 5_500n;
/** The B200 sponsor refinances its subordinated bullet with a new $7.2M loan before the deal's last period. */
const B200_REFINANCING = 7_200_000n;
/** The campus sells at its forward NOI (the last period's × 365/30) capitalized at 7.0 %, less 1.5 % of costs. */
const SALE_CAP_RATE_BPS = 700n;
const SALE_COSTS_BPS = 150n;

/** A deal as the section runs it: its term sheet and contracts, and its model beside the chain. */
export interface Run {
  label: string;
  name: string;
  terms: TermSheet;
  deal: Address;
  tokens: readonly Address[];
  offerings: readonly Address[];
  blockNumber: bigint;
  issuer: CascadeWallet;
  servicer: CascadeWallet;
  issued: bigint[];
  model: DealModelState | undefined;
  sims: PeriodSimulation[];
  statements: PeriodStatement[];
  deposited: bigint;
}

interface Investor {
  name: string;
  wallet: CascadeWallet;
  country: number;
  classes: number;
  /** [deal, tranche symbol, stablecoin units] */
  subscriptions: [Run, string, bigint][];
  paidIn: bigint;
  claimed: bigint;
}

const example = (file: string) =>
  JSON.parse(
    readFileSync(new URL(`../../examples/${file}`, import.meta.url), "utf8"),
  ) as TermSheetJson;

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const same = (a: unknown, b: unknown) =>
  JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ===
  JSON.stringify(b, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
const modelOf = (r: Run): DealModelState => {
  if (r.model === undefined) throw new Error(`${r.label}: no model before its offerings closed`);
  return r.model;
};

export async function runCampus(ctx: CampusContext): Promise<void> {
  const { connection, protocol, stablecoin, decimals, admin, keeper, check } = ctx;
  const { publicClient, wallets, networkHelpers } = connection;
  const unit = 10n ** BigInt(decimals);
  const report = new CampusReport(decimals, ctx.out);
  const [campusIssuer, operator, b200Servicer, h100Servicer, reporter3, gpuIssuer] = wallets.slice(
    20,
    26,
  );
  const reporters = [...ctx.reporters, reporter3];
  const buyer = wallets[36];
  const chainTime = async () => (await getBlock(publicClient)).timestamp;

  // ---------------------------------------------------------------- the three deals, created together

  // On the next 1 January: the campus's seasons (its PUE), and so every figure, are the same in every run.
  const newYear = nextNewYear(await chainTime());
  await networkHelpers.time.increaseTo(newYear);
  const now = await chainTime();
  const roles: Record<string, Address> = {
    stablecoin,
    trustee: ctx.trustee.account.address,
    guardian: ctx.guardian.account.address,
    registry: ctx.investorRegistry,
    ...Object.fromEntries(reporters.map((r, i) => [`reporter${i}`, r.account.address])),
  };
  // The B200 hall's fleet is marked to a rental-price index; its first round exists before the deal.
  const b200Feed = (
    await admin.deployPriceIndexFeed({
      decimals: 8,
      description: "B200 rental price index, USD per GPU-hour",
    })
  ).feed;
  await admin.publishPriceIndex({ feed: b200Feed, answer: 480_000_000n, updatedAt: now });

  const create = async (
    label: string,
    file: string,
    issuer: CascadeWallet,
    servicer: CascadeWallet,
    extra: Record<string, Address>,
  ): Promise<Run> => {
    // Parsed at one `now`: the three deals share their offering window and the ends of their periods.
    const sheet = parseTermSheet(example(file), {
      now,
      addresses: {
        ...roles,
        issuer: issuer.account.address,
        servicer: servicer.account.address,
        ...extra,
      },
    });
    const created = await issuer.createDeal({ factory: protocol.factory, terms: sheet.terms });
    return {
      label,
      name: sheet.name ?? file,
      terms: sheet.terms,
      deal: created.deal,
      tokens: created.tokens,
      offerings: created.offerings,
      blockNumber: created.blockNumber,
      issuer,
      servicer,
      issued: [],
      model: undefined,
      sims: [],
      statements: [],
      deposited: 0n,
    };
  };
  // The campus first: its tenants name it as their site, and the factory registers them with it.
  const campus = await create("campus", "campus-10mw.json", campusIssuer, operator, {});
  const b200 = await create("B200 hall", "b200-datacenter.json", gpuIssuer, b200Servicer, {
    campus: campus.deal,
    b200Index: b200Feed,
  });
  const h100 = await create("H100 hall", "h100-campus.json", gpuIssuer, h100Servicer, {
    campus: campus.deal,
  });
  const tenants = [b200, h100];
  const runs = [campus, b200, h100];
  const waterfall = (await keeper.equitySnapshot({ deal: campus.deal }))?.waterfall;
  if (waterfall === undefined) throw new Error("the campus deal has no equity waterfall");
  const registered = await keeper.tenantsOf({ deal: campus.deal });

  report.banner();
  report.termSheets(campus, tenants, waterfall, registered.tenants);

  // ---------------------------------------------------------------- investors and the offerings

  const C = INVESTOR_CLASSES;
  const indexOf = (r: Run, symbol: string) =>
    r.terms.tranches.findIndex((t) => t.symbol === symbol);
  const QP = C["qualified-purchaser"];
  const plan: [string, number, number, [Run, string, bigint][]][] = [
    ["Life insurer", 826, C.institutional | C.accredited, [[campus, "DC-A", 44_000_000n]]],
    ["Infrastructure debt fund", 840, C.accredited | QP, [[campus, "DC-A", 30_000_000n]]],
    ["Infrastructure fund", 124, C.institutional | QP, [[campus, "DC-PE", 15_000_000n]]],
    ["Pension fund", 840, C.institutional | QP, [[campus, "DC-LP", 20_000_000n]]],
    ["Endowment", 840, C.institutional, [[campus, "DC-LP", 11_600_000n]]],
    ["Developer (sponsor)", 840, C.institutional | QP, [[campus, "DC-GP", 2_500_000n]]],
    [
      "Bank",
      840,
      C.institutional | C.accredited,
      [
        [b200, "B200-A", 24_000_000n],
        [h100, "H1C-A", 27_000_000n],
      ],
    ],
    [
      "Credit fund",
      756,
      C.accredited | QP,
      [
        [b200, "B200-B", 7_200_000n],
        [h100, "H1C-B", 9_000_000n],
      ],
    ],
    [
      "GPU fund",
      840,
      C.institutional | QP,
      [
        [b200, "B200-EQ", 16_800_000n],
        [h100, "H1C-EQ", 18_000_000n],
      ],
    ],
  ];
  const investors: Investor[] = plan.map(([name, country, classes, subs], i) => ({
    name,
    wallet: wallets[27 + i],
    country,
    classes,
    subscriptions: subs.map(([r, s, dollars]) => [r, s, dollars * unit]),
    paidIn: 0n,
    claimed: 0n,
  }));
  await ctx.complianceAgent.registerInvestors({
    registry: ctx.investorRegistry,
    investors: investors.map((inv) => ({
      wallet: inv.wallet.account.address,
      kycExpiry: now + 4n * 365n * 86_400n,
      country: inv.country,
      classes: inv.classes,
    })),
  });

  await networkHelpers.time.increaseTo(campus.terms.offeringOpensAt);
  for (const inv of investors) {
    inv.paidIn = sum(inv.subscriptions.map(([, , v]) => v));
    await mint(admin, stablecoin, inv.wallet.account.address, inv.paidIn);
    for (const [r, symbol, assets] of inv.subscriptions)
      await inv.wallet.subscribe({ offering: r.offerings[indexOf(r, symbol)], assets });
  }
  await networkHelpers.time.increaseTo(campus.terms.offeringClosesAt);
  for (const r of runs) {
    for (const offering of r.offerings)
      r.issued.push((await keeper.closeOffering({ offering })).accepted);
    r.model = DealModel.initialDealState(r.terms, r.issued);
  }
  for (const inv of investors)
    for (const [r, symbol] of inv.subscriptions)
      await inv.wallet.claimShares({ offering: r.offerings[indexOf(r, symbol)] });
  for (const r of runs) await r.issuer.withdrawProceeds({ deal: r.deal });
  report.offerings(runs, investors);

  // The campus's equity classes: their contributions, and the waterfall's model from the deal's start.
  const notes = campus.terms.tranches.filter((t) => t.kind === TrancheKind.Note).length;
  const equity = campus.terms.equity;
  const contributed = campus.issued.slice(notes);
  let equityState: EquityState = EquityWaterfallModel.initialEquityState(
    equity,
    contributed,
    campus.terms.start,
  );
  const equityModel: EquityStatement[] = [];
  const toEquity = (amount: bigint, time: bigint): EquityStatement | undefined => {
    if (amount === 0n) return undefined;
    const s = EquityWaterfallModel.distributeEquity(equity, contributed, equityState, amount, time);
    equityState = s.state;
    equityModel.push(s);
    return s;
  };
  report.equityTerms(campus.terms, contributed);

  // ---------------------------------------------------------------- 24 periods side by side

  const periodEnd = (p: number) => campus.terms.start + BigInt((p + 1) * campus.terms.periodLength);
  const b200Periods = b200Market(b200.terms.oracle.fleetGpus, b200.terms.pledgedShareBps);
  const h100Periods = h100Market(h100.terms.oracle.fleetGpus, h100.terms.pledgedShareBps);
  const campusPeriods = campusMarket(b200Periods, h100Periods, periodEnd, newYear);
  const gpu = (t: Run, p: number) => (t === b200 ? b200Periods : h100Periods)[p];
  const running = (p: number) => tenants.filter((t) => p < t.terms.periodCount);

  for (let p = 0; p < CAMPUS_PERIODS; p++) {
    const end = periodEnd(p);
    const c = campusPeriods[p];
    const lines: string[] = [];
    // Collections: each GPU deal's servicer deposits its pledged share of revenue; the campus's operator what the
    // other tenants paid (rent and power). The GPU halls' rent is not deposited: their waterfalls pay it.
    for (const t of running(p)) {
      const m = gpu(t, p);
      await mint(admin, stablecoin, t.servicer.account.address, m.deposit);
      await t.servicer.depositCollections({ deal: t.deal, amount: m.deposit });
      t.deposited += m.deposit;
    }
    await mint(admin, stablecoin, operator.account.address, c.deposit);
    await operator.depositCollections({ deal: campus.deal, amount: c.deposit });
    campus.deposited += c.deposit;
    // The B200 deal's subordinated B is a bullet: before its last period the sponsor refinances it, and the new
    // loan's proceeds wait in the recovery account, which the final period takes into its cash.
    if (p === b200.terms.periodCount - 1) {
      const amount = B200_REFINANCING * unit;
      await mint(admin, stablecoin, gpuIssuer.account.address, amount);
      await gpuIssuer.depositRecoveries({ deal: b200.deal, amount });
      b200.model = DealModel.depositRecoveries(modelOf(b200), amount).next;
      lines.push(
        `   B200 hall: the sponsor refinances the subordinated bullet: a new ${report.usd(amount)} loan deposited ` +
          "as recoveries, which the final period takes into its cash",
      );
    }

    // Reports: three of four reporters sign each deal's figures, all four when the campus's occupancy moves more
    // than its oracle's step allows.
    await networkHelpers.time.increaseTo(end);
    const finals: bigint[] = [];
    for (const t of running(p)) {
      const m = gpu(t, p);
      finals.push(
        await submit(t, reporters.slice(0, 3), {
          deal: t.deal,
          period: BigInt(p),
          gpuHoursAvailable: m.gpuHoursAvailable,
          gpuHoursBilled: m.gpuHoursBilled,
          revenue: m.revenue,
          reportHash: keccak256(toHex(`${t.label}/meter-report/period-${p + 1}`)),
        }),
      );
    }
    const previous = p === 0 ? c : campusPeriods[p - 1];
    const step =
      c.capacityBilled > previous.capacityBilled
        ? c.capacityBilled - previous.capacityBilled
        : previous.capacityBilled - c.capacityBilled;
    const everyone =
      step * 10n ** 18n > campus.terms.oracle.maxUtilizationStep * c.capacityAvailable;
    finals.push(await submit(campus, everyone ? reporters : reporters.slice(0, 3), campusReport(campus.deal, c, p))); // prettier-ignore
    if (everyone)
      lines.push("   campus: occupancy moved more than 30 points: all four reporters signed");
    await networkHelpers.time.increaseTo(finals.reduce((a, b) => (a > b ? a : b)));
    // The B200 index's publisher posts the day's observation (the deal refuses answers older than 2 days).
    const observedAt = await chainTime();
    await admin.publishPriceIndex({ feed: b200Feed, answer: b200Index(p), updatedAt: observedAt });

    // The keeper runs the tenants first — their rent lands in the campus's collections for this period — then the
    // campus, whose waterfall counts that rent as cash.
    for (const t of running(p)) {
      const m = gpu(t, p);
      const upkeep = await keeper.performUpkeep({ deal: t.deal, maxPeriods: 1 });
      const sim = DealModel.distribute(modelOf(t), t.terms, m, m.deposit, {
        keeper: keeper.account.address,
        equityToken: t.tokens[t.tokens.length - 1],
        index:
          t === b200
            ? { answer: b200Index(p), updatedAt: observedAt, blockTimestamp: await chainTime() }
            : undefined,
      });
      t.model = sim.next;
      t.sims.push(sim);
      t.statements.push(...upkeep.statements);
      campus.model = DealModel.receiveRent(modelOf(campus), sim.statement.rentPaid).next;
    }
    const upkeep = await keeper.performUpkeep({ deal: campus.deal, maxPeriods: 1 });
    const sim = DealModel.distribute(
      modelOf(campus),
      campus.terms,
      {
        gpuHoursAvailable: c.capacityAvailable,
        gpuHoursBilled: c.capacityBilled,
        revenue: c.revenue,
        pue: Number(c.pue),
        appraisal: c.appraisal,
      },
      c.deposit,
      { keeper: keeper.account.address, equityToken: waterfall },
    );
    campus.model = sim.next;
    campus.sims.push(sim);
    campus.statements.push(...upkeep.statements);
    // What reached equity went through the waterfall, dated at the period's end.
    const e = toEquity(sim.statement.residualPaid, end);

    const status = async (r: Run) =>
      readContract(publicClient, { address: r.deal, abi: dealAbi, functionName: "status" });
    const line = async (r: Run) => ({
      run: r,
      statement: r.statements[p],
      status: await status(r),
      fired: r.sims[p].detail.assessment.fired,
      cured: r.sims[p].detail.assessment.cured,
      values: r.sims[p].detail.assessment.values,
    });
    report.period({
      period: p,
      end,
      campus: { ...(await line(campus)), market: c },
      tenants: await Promise.all(
        running(p).map(async (t) => ({ ...(await line(t)), market: gpu(t, p) })),
      ),
      equity: e,
      equityState,
      equityTerms: equity,
      contributed,
      lines,
    });

    // The H100 deal defaulted at its maturity: its GPUs are sold and the proceeds recovered, notes first.
    if (p === h100.terms.periodCount - 1 && modelOf(h100).status === DealStatus.Defaulted) {
      const units = BigInt(h100.terms.risk.fleet[0].count);
      const proceeds = units * H100_SALE_PRICE * unit;
      await mint(admin, stablecoin, gpuIssuer.account.address, proceeds);
      const sale = await gpuIssuer.retireFleetEntry({ deal: h100.deal, id: 0n, units, proceeds });
      const recovered = DealModel.depositRecoveries(modelOf(h100), proceeds);
      h100.model = recovered.next;
      check(
        "H100 hall: the GPUs' sale proceeds recovered top-down as the model says",
        same(
          sale.applied.map((a) => [a.tranche, a.principal, a.recovered, a.interest]),
          recovered.allocations.map((a) => [a.tranche, a.principal, a.recovered, a.interest]),
        ) && sale.left === recovered.left,
        wei(proceeds),
      );
      report.h100Sale(h100, proceeds, sale.applied, sale.left);
    }
  }

  // ---------------------------------------------------------------- the sale of the campus

  const last = campus.statements[campus.statements.length - 1];
  const noi = last.metrics.cashAvailableForDebtService;
  // The last period's NOI × 365/30 capitalized at 7.0 %, in whole $100,000.
  const lot = 100_000n * unit;
  const price = ((noi * 365n * 10_000n) / (30n * SALE_CAP_RATE_BPS) / lot) * lot;
  const costs = (price * SALE_COSTS_BPS) / 10_000n;
  await mint(admin, stablecoin, buyer.account.address, price);
  await transfer(buyer, stablecoin, campusIssuer.account.address, price);
  const called = await campusIssuer.cleanUpCall({ deal: campus.deal });
  const cleanUp = DealModel.cleanUpCall(
    modelOf(campus),
    campus.terms,
    await blockTime(publicClient, called.transactionHash),
  );
  campus.model = cleanUp.next;
  // What the deal held beyond the payoff went to equity through the waterfall, dated at the last period's end.
  const cleanUpEquity = toEquity(called.residual, periodEnd(CAMPUS_PERIODS - 1));
  const net = price - costs - called.fromIssuer;
  const deposited = await campusIssuer.depositCapitalEvent({ deal: campus.deal, amount: net });
  const capital = toEquity(net, deposited.time) as EquityStatement;
  report.sale({
    price,
    noi,
    costs,
    called,
    cleanUpEquity,
    net,
    capital,
    contributed,
    equityTerms: equity,
  });

  // ---------------------------------------------------------------- claims and fees

  for (const inv of investors)
    for (const [r, symbol] of inv.subscriptions)
      inv.claimed += (await inv.wallet.claim({ token: r.tokens[indexOf(r, symbol)] })).amount;

  // ---------------------------------------------------------------- reconciliation

  const campusRecords = await keeper.periodStatements({
    deal: campus.deal,
    fromBlock: campus.blockNumber,
  });
  for (const r of runs) {
    const diff = r.sims.findIndex((s, p) => !same(s.statement, r.statements[p]));
    check(
      `${r.label}: model statements = on-chain statements, each conserving cash`,
      diff === -1 &&
        r.statements.length === r.sims.length &&
        r.statements.every(DealModel.statementBalances),
      diff === -1 ? `${r.statements.length} periods` : `period ${diff + 1} differs`,
    );
  }
  const snapshots = await Promise.all(runs.map((r) => keeper.dealSnapshot({ deal: r.deal })));
  // The statements `cascade deal history` prints, for each deal: every period pays out its cash step by step, and
  // a defaulted deal's losses net of its recoveries.
  let h100Losses: { symbol: string; principal: bigint; interest: bigint }[] = [];
  for (const [i, r] of runs.entries()) {
    const records =
      r === campus
        ? campusRecords
        : await keeper.periodStatements({ deal: r.deal, fromBlock: r.blockNumber });
    const equityRecipient = r === campus ? waterfall : r.tokens[r.tokens.length - 1];
    const history = dealHistory(records, {
      ...statementFacts(r.terms, r.issued, equityRecipient),
      current: snapshots[i].tranches,
    });
    if (r === h100) {
      const losses = history.losses ?? [];
      h100Losses = losses.map((l) => ({
        symbol: r.terms.tranches[l.tranche].symbol,
        principal: l.netPrincipalLoss,
        interest: l.interestUnpaid,
      }));
      check(
        "H100 hall: its losses net of the GPUs' sale = the principal and interest the chain still shows owed",
        losses.length > 0 &&
          same(
            losses.map((l) => [l.netPrincipalLoss, l.interestUnpaid]),
            snapshots[i].tranches.slice(0, losses.length).map((t) => [t.writtenDown, t.arrears]),
          ),
        h100Losses.map((l) => `${l.symbol} ${wei(l.principal + l.interest)}`).join(" · "),
      );
    }
    const totals = historyTotals(history.periods);
    check(
      `${r.label}: statements (deal history) reconcile period by period and in total`,
      history.periods.every((p) => p.reconciliation.balances) &&
        totals.balances &&
        totals.rentIn === sum(r.statements.map((s) => s.rentIn)) &&
        totals.rentPaid === sum(r.statements.map((s) => s.rentPaid)) &&
        totals.residual === sum(r.statements.map((s) => s.residualPaid)),
      `${history.periods.length} periods · ${wei(totals.paid)} paid`,
    );
  }
  check(
    "campus Repaid by the sale; B200 hall Repaid at maturity; H100 hall Defaulted — the statuses the models reach",
    same(
      snapshots.map((s) => s.status),
      [DealStatus.Repaid, DealStatus.Repaid, DealStatus.Defaulted],
    ) &&
      same(
        runs.map((r) => modelOf(r).status),
        snapshots.map((s) => s.status),
      ),
    snapshots.map((s) => s.statusName).join(" · "),
  );

  // Rent: what each tenant's waterfall paid is what the campus received from it, period by period.
  const rent = tenants.map((t) => {
    const paid = sum(t.statements.map((s) => s.rentPaid));
    const received = sum(
      campusRecords.flatMap((r) =>
        r.rentReceipts.filter((x) => x.tenant === t.deal).map((x) => x.amount),
      ),
    );
    const unpaid = t.statements[t.statements.length - 1].rentArrears;
    check(
      `${t.label}: rent paid by its waterfall = rent the campus received from it`,
      paid === received,
      wei(paid),
    );
    return { label: t.label, paid, received, unpaid };
  });
  check(
    "campus: each period's rent in = what its tenants' waterfalls paid that period",
    campus.statements.every(
      (s, p) => s.rentIn === sum(running(p).map((t) => t.statements[p].rentPaid)),
    ),
  );
  const cashIn = sum(campus.statements.map((s) => s.cashIn));
  const rentIn = sum(campus.statements.map((s) => s.rentIn));
  check(
    "campus: deposits + rent received = Σ cash in + carried",
    campus.deposited + rentIn === cashIn + last.collectionsCarried,
    `${wei(campus.deposited)} + ${wei(rentIn)} = ${wei(cashIn)} + ${wei(last.collectionsCarried)}`,
  );

  // Equity: the waterfall's statements (its EquityDistributed events) against what the deal paid it, against the
  // model run beside the chain, and as the SDK's statements rebuild them (`equityStatements`, as deal history does).
  const snapshot = await keeper.equitySnapshot({ deal: campus.deal });
  if (snapshot === undefined) throw new Error("the campus deal has no equity waterfall");
  const { distributions } = await keeper.equityDistributions({
    waterfall,
    fromBlock: campus.blockNumber,
  });
  const chain = { statements: distributions };
  const reached = [
    ...campus.statements.map((s) => s.residualPaid).filter((x) => x > 0n),
    ...(called.residual > 0n ? [called.residual] : []),
    net,
  ];
  check(
    "equity: the statements sum to what reached equity (period residuals, the clean-up call's rest, the sale)",
    same(
      chain.statements.map((e) => e.amount),
      reached,
    ) && chain.statements.every((e) => sum(e.paid.flat()) === e.amount),
    `${chain.statements.length} statements · ${wei(sum(reached))}`,
  );
  const hurdles = EquityMath.hurdleTiers(equity);
  check(
    "equity: each statement on chain = the model's (per tier and class, U, P, hurdle balances, catch-up, date)",
    same(
      chain.statements.map((e) => [
        e.time,
        e.capitalEvent,
        e.paid,
        e.unreturned,
        e.prefOwed,
        e.hurdles,
        e.totalProfit,
        e.sponsorProfit,
      ]),
      equityModel.map((s, i) => [
        s.time,
        i === equityModel.length - 1,
        s.paid,
        s.state.classes.map((x) => x.unreturned),
        s.state.classes.map((x) => x.prefUnpaid),
        hurdles.map((_, k) => s.state.classes.map((x) => x.hurdles[k])),
        s.totalProfit,
        s.sponsorProfit,
      ]),
    ),
  );
  const views = equityStatements(distributions, snapshot.facts);
  check(
    "equity: every statement rebuilt by the SDK balances and agrees with its model to the base unit",
    views.every((v) => v.balances && v.agreesWithModel),
    `${views.length} statements`,
  );
  const classes = snapshot.classes;
  check(
    "equity: every class's state on chain = the model's (contributed, returned, pref owed, paid, multiple, hurdles)",
    same(
      classes.map((x) => [
        x.contributed,
        x.returned,
        x.prefOwed,
        x.distributed,
        x.multiple,
        x.hurdleBalances,
        x.hurdlesMet,
      ]),
      EquityWaterfallModel.classes(equity, contributed, equityState).map((x) => [
        x.contributed,
        x.returned,
        x.prefOwed,
        x.distributed,
        x.multiple,
        x.hurdleBalances,
        x.hurdlesMet,
      ]),
    ),
  );
  const ledger = await Promise.all(
    classes.map((x) =>
      readContract(publicClient, {
        address: x.token,
        abi: trancheTokenAbi,
        functionName: "distributed",
      }),
    ),
  );
  check(
    "equity: each class token received what the waterfall paid it",
    same(
      ledger,
      classes.map((x) => x.distributed),
    ),
  );

  // Every tranche token of the three deals holds what it was paid (statements, the clean-up call, recoveries, the
  // equity waterfall: its `distributed`) less what its holders claimed; sub-unit rounding of accruals stays in it.
  // The campus's classes hold nothing themselves: the deal holds, beyond its own accounts, exactly what it keeps for
  // all of them.
  for (const r of runs) {
    const ledger = await keeper.trancheLedger({ deal: r.deal, fromBlock: r.blockNumber });
    if (r.deal === campus.deal) {
      const equityHeld = (await keeper.equitySnapshot({ deal: campus.deal }))?.cashHeld;
      const classesHeld = ledger.slice(campus.terms.tranches.length - classes.length).reduce((a, e) => a + e.held, 0n);
      check(
        "campus: the deal holds every equity class's unclaimed cash and the classes' dust beyond its own accounts, no more, no less",
        equityHeld === classesHeld,
        `${wei(equityHeld ?? 0n)}`,
      );
    }
    const paid = await Promise.all(
      r.tokens.map((address) =>
        readContract(publicClient, { address, abi: trancheTokenAbi, functionName: "distributed" }),
      ),
    );
    check(
      `${r.label}: every tranche token: paid = claimed + claimable + dust`,
      ledger.every(
        (e) =>
          e.dust >= 0n &&
          e.dust <= BigInt(e.holders.length * (CAMPUS_PERIODS + 2)) &&
          paid[e.index] === e.claimed + e.claimable + e.dust,
      ),
      ledger.map((e) => `${r.terms.tranches[e.index].symbol} ${wei(paid[e.index])}`).join(" · "),
    );
  }

  // IRRs: each class's dated cash flows — its contribution at the deal's start (the waterfall's clock starts there),
  // then every payment at the date of its statement.
  const flows: CashFlow[][] = contributed.map((c) => [{ time: campus.terms.start, amount: -c }]);
  for (const e of chain.statements)
    for (const row of e.paid)
      row.forEach((x, j) => {
        if (x > 0n) flows[j].push({ time: e.time, amount: x });
      });
  // The SDK's realized IRRs (`equityIrrs`) are those of these flows.
  const irrs = equityIrrs(snapshot.facts, distributions);
  const irr = irrs.classes.map((x) => x ?? Number.NaN);
  const lpIrr = irrs.lp ?? Number.NaN;
  const lpClasses = contributed.map((_, j) => j).filter((j) => j !== equity.sponsorClass);
  check(
    "equity: the SDK's IRRs (equityIrrs) = xirr of each class's dated cash flows",
    flows.every((f, j) => Math.abs(xirr(f) - irr[j]) < 1e-9) &&
      Math.abs(xirr(lpClasses.flatMap((j) => flows[j])) - lpIrr) < 1e-9,
  );
  // A class's hurdle is met exactly when its IRR reaches the hurdle rate; while it is not, its balance is its cash
  // flows compounded at that rate (the contribution's future value less its payments').
  const h = Number(equity.tiers[hurdles[0]].rate) / 1e18;
  check(
    `equity: the ${(h * 100).toFixed(0)} % hurdle is met for each LP class exactly when its IRR reaches ${(h * 100).toFixed(0)} %`,
    lpClasses.every((j) => classes[j].hurdlesMet[0] === irr[j] >= h),
    lpClasses
      .map((j) => `${campus.terms.tranches[notes + j].symbol} ${(irr[j] * 100).toFixed(2)} %`)
      .join(" · "),
  );
  let worst = 0;
  for (const e of chain.statements) {
    for (const j of lpClasses) {
      const balance = e.hurdles[0][j];
      if (balance === 0n) continue;
      const upTo = flows[j].filter((f) => BigInt(f.time) <= e.time);
      const years = Number(e.time - campus.terms.start) / (365 * 86_400);
      const future = -xnpv(h, upTo) * (1 + h) ** years;
      worst = Math.max(worst, Math.abs(future / Number(balance) - 1));
    }
  }
  check(
    `equity: hurdle balances = the LP classes' cash flows compounded at ${(h * 100).toFixed(0)} % (within 0.0001 %)`,
    worst < 1e-6,
    `largest gap ${(worst * 100).toExponential(1)} %`,
  );
  for (const inv of investors) {
    const balance = await balanceOf(admin, stablecoin, inv.wallet.account.address);
    check(
      `${inv.name}: wallet = what it claimed (it paid in ${report.usd(inv.paidIn)})`,
      balance === inv.claimed,
      wei(balance),
    );
  }

  report.reconciliation({
    classes,
    irr,
    lpIrr,
    sponsorClass: equity.sponsorClass,
    rent,
    h100Losses,
  });
}

/** Signs `content` with `signers` and submits it; returns when it is final. */
async function submit(
  run: Run,
  signers: readonly CascadeWallet[],
  content: ReportContent,
): Promise<bigint> {
  const signatures = await Promise.all(signers.map((r) => r.signReport({ report: content })));
  const proposed = await run.servicer.submitReport({ report: signatures[0].report, signatures });
  return proposed.finalAt;
}

/** The campus's report of period `p`: kWh, energy and PUE, what the other tenants were billed, an appraisal. */
function campusReport(deal: Address, c: CampusMarket, p: number): ReportContent {
  return {
    deal,
    period: BigInt(p),
    gpuHoursAvailable: c.capacityAvailable,
    gpuHoursBilled: c.capacityBilled,
    revenue: c.revenue,
    energyKwh: c.energyKwh,
    pue: Number(c.pue),
    appraisal: c.appraisal,
    reportHash: keccak256(toHex(`campus/meter-report/period-${p + 1}`)),
  };
}

async function blockTime(client: ViemConnection["publicClient"], hash: Hash): Promise<bigint> {
  const receipt = await getTransactionReceipt(client, { hash });
  return (await getBlock(client, { blockNumber: receipt.blockNumber })).timestamp;
}
