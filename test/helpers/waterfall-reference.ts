/**
 * Independent TypeScript reference of a Cascade deal's waterfall, written from the rules of the term sheet
 * (see contracts/libraries/WaterfallMath.sol and IDeal for the normative text). It keeps its own copy of the
 * deal's running state, so a test can run the same periods through the contract and through this model and
 * compare every event and every statement to the wei.
 *
 * Rules, per period p of a deal with N periods:
 *  1. cash = min(undistributed collections, revenue × pledgedShareBps / 10 000); at the final period, or when
 *     the period was marked unreported by the oracle, every undistributed collection is cash.
 *  2. effective reserve target = 0 at the final period or when no note principal is outstanding, else the
 *     term-sheet target; reserve above it is released into the cash.
 *  3. keeper bounty to whoever ran the period (msg.sender of distribute / performUpkeep), first, capped by the
 *     cash available at that point (released reserve included); never carried as arrears.
 *  4. trustee fee (per-period fee + arrears), then servicer fee (bps of cash + arrears); unpaid fees are arrears.
 *  5. note interest by rank: ⌊outstanding × rate × periodLength / (1e18 × 365 days)⌋ + arrears, where a
 *     utilization-linked coupon pays its floor rate when the period is unreported (utilization then reads 0);
 *     a senior (rank 0) shortfall is drawn from the reserve (never for the bounty or fees); unpaid interest is
 *     arrears.
 *  6. reserve top-up towards the effective target.
 *  7. scheduled principal by rank: what brings outstanding down to the schedule (straight line with cumulative
 *     rounding from amortStartPeriod over amortPeriods, everything at the final period), so missed principal is
 *     caught up.
 *  8. the residual goes to the equity token, or to the issuer (credited in the deal) when no equity was issued.
 *  9. recoveries: this reference models deals into which no recoveries are deposited, so no period takes anything
 *     from the recovery account (`recoveriesApplied` is 0; Deal.ts and the SDK tests cover the recovery account).
 *
 * Events of one period, in the order Deal._record emits them: ReportMissed (unreported periods only),
 * ReserveReleased (if any), ReserveDrawn (if any), ReserveToppedUp (if any), PrincipalWrittenDown and
 * StatusChanged (final period), then PeriodDistributed, whose statement is the period's whole record (keeper,
 * fees credited and fee arrears, interest due and paid, principal paid and outstanding, residual and recipient).
 */

export const WAD = 10n ** 18n;
export const BPS = 10_000n;
export const YEAR = 365n * 86_400n;

export enum RefStatus {
  Offering = 0,
  Active = 1,
  CashTrap = 2,
  Accelerated = 3,
  Repaid = 4,
  Defaulted = 5,
}

const MAX = 2n ** 256n - 1n;

export interface RefCoupon {
  couponType: number; // 0 fixed, 1 utilization-linked
  baseRate: bigint;
  slope: bigint;
  strike: bigint;
  floorRate: bigint;
  capRate: bigint;
}

export interface RefPrincipal {
  scheduleType: number; // 0 bullet, 1 straight line
  amortStartPeriod: number;
  amortPeriods: number;
}

export interface RefTrancheTerms {
  kind: number; // 0 note, 1 equity
  coupon: RefCoupon;
  principal: RefPrincipal;
}

export interface RefDealTerms {
  periodCount: number;
  periodLength: bigint;
  pledgedShareBps: number;
  servicerFeeBps: number;
  trusteeFeePerPeriod: bigint;
  reserveTarget: bigint;
  keeperBounty: bigint;
  /** Window of the trailing DSCR (the risk terms' trailingPeriods). */
  trailingPeriods: number;
  tranches: RefTrancheTerms[];
}

/**
 * Metrics of a period for a deal with no fleet and no triggers (collateral value zero), computed independently of
 * the risk engine from the formulas of DESIGN.md.
 */
export interface RefMetrics {
  cashAvailableForDebtService: bigint;
  debtService: bigint;
  dscr: bigint;
  trailingDscr: bigint;
  utilization: bigint;
  collateralValue: bigint;
  notesOutstanding: bigint;
  ltv: bigint;
  seniorCurve: bigint;
  reserveLevel: bigint;
  servicerShortfall: bigint;
  breakEvenUtilization: bigint;
  overcollateralization: bigint[];
  interestCoverage: bigint[];
  breachedMask: bigint;
  activeMask: bigint;
}

export interface RefStatement {
  period: bigint;
  reported: boolean;
  cashIn: bigint;
  reserveReleased: bigint;
  reserveDrawn: bigint;
  keeperBountyPaid: bigint;
  trusteeFeePaid: bigint;
  servicerFeePaid: bigint;
  interestPaid: bigint[];
  reserveToppedUp: bigint;
  principalPaid: bigint[];
  residualPaid: bigint;
  utilization: bigint;
  reserveTrapped: bigint;
  collectionsCarried: bigint;
  reserveAfter: bigint;
  mode: bigint;
  metrics: RefMetrics;
  keeper: string;
  trusteeFeeArrears: bigint;
  servicerFeeArrears: bigint;
  interestDue: bigint[];
  outstanding: bigint[];
  residualRecipient: string;
  recoveriesApplied: bigint;
  rentIn: bigint;
  rentPaid: bigint;
  rentArrears: bigint;
}

/** One expected event of the deal: its name and its arguments in ABI order. */
export interface RefEvent {
  name: string;
  args: unknown[];
}

/** The final report of a period, as the oracle gives it to the deal. */
export interface RefReport {
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  revenue: bigint;
}

/** What the oracle says of a period: its final report, or that it was marked unreported. */
export type RefOutcome = RefReport | typeof UNREPORTED;

/** The outcome of a period the oracle marked unreported. */
export const UNREPORTED = "unreported" as const;

export interface RefPeriodResult {
  statement: RefStatement;
  events: RefEvent[];
  /** Who ran the period and was paid the bounty. */
  keeper: string;
  /** Cash each note token receives (interest + principal), by rank. */
  paidToNotes: bigint[];
  /** Each note's annual coupon rate (WAD) and scheduled principal: what the statement leaves to the terms. */
  rates: bigint[];
  principalDue: bigint[];
  residualRecipient: string;
  status: RefStatus;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** Coverage ratio (WAD) rounded down; "nothing to cover" is 2^256 − 1. */
function coverage(available: bigint, covered: bigint): bigint {
  return covered === 0n ? MAX : (available * WAD) / covered;
}

/** Debt over value (WAD) rounded up; 2^256 − 1 when there is debt and no value. */
function ltv(debt: bigint, value: bigint): bigint {
  if (debt === 0n) return 0n;
  if (value === 0n) return MAX;
  return (debt * WAD + value - 1n) / value;
}

/** ⌊a·b / c⌋ on non-negative integers. */
function mulDivDown(a: bigint, b: bigint, c: bigint): bigint {
  if (a < 0n || b < 0n || c <= 0n) throw new Error("mulDivDown: negative operand or zero divisor");
  return (a * b) / c;
}

export function utilizationDown(available: bigint, billed: bigint): bigint {
  return available === 0n ? 0n : mulDivDown(billed, WAD, available);
}

/** Annual rate (WAD). The linked delta slope × (u − strike) / 1e18 truncates toward zero, as Solidity's `/`. */
export function couponRate(c: RefCoupon, u: bigint): bigint {
  if (c.couponType === 0) return c.baseRate;
  const delta = (c.slope * (u - c.strike)) / WAD; // BigInt division truncates toward zero
  const rate = c.baseRate + delta;
  if (rate < c.floorRate) return c.floorRate;
  if (rate > c.capRate) return c.capRate;
  return rate;
}

export function periodInterestDown(principal: bigint, rate: bigint, periodLength: bigint): bigint {
  return mulDivDown(principal, rate * periodLength, WAD * YEAR);
}

export function scheduledOutstandingUp(
  face: bigint,
  p: RefPrincipal,
  period: number,
  periodCount: number,
): bigint {
  if (period + 1 >= periodCount) return 0n;
  if (p.scheduleType === 0 || period < p.amortStartPeriod) return face;
  const installments = period + 1 - p.amortStartPeriod;
  if (installments >= p.amortPeriods) return 0n;
  return face - mulDivDown(face, BigInt(installments), BigInt(p.amortPeriods));
}

export function bpsOfDown(amount: bigint, bps: bigint | number): bigint {
  return mulDivDown(amount, BigInt(bps), BPS);
}

interface NoteState {
  issued: bigint;
  outstanding: bigint;
  arrears: bigint;
  writtenDown: bigint;
}

/** Running model of one deal. Create it once the offerings settled, with what each tranche issued. */
export class DealReference {
  readonly terms: RefDealTerms;
  collections = 0n;
  reserve: bigint;
  trusteeArrears = 0n;
  servicerArrears = 0n;
  /** Fees credited to the trustee and the servicer and not withdrawn (held by the deal). */
  trusteeFeesOwed = 0n;
  servicerFeesOwed = 0n;
  /** Residual credited to the issuer (no equity issued) and not withdrawn (held by the deal). */
  residualOwed = 0n;
  nextPeriod = 0;
  missedReports = 0;
  status: RefStatus = RefStatus.Active;
  readonly notes: NoteState[];
  readonly equityToken: string;
  readonly issuer: string;
  readonly equitySupply: bigint;
  /** Cash available for debt service and debt service of every distributed period. */
  readonly history: { cads: bigint; debtService: bigint }[] = [];

  constructor(
    terms: RefDealTerms,
    issued: bigint[],
    initialReserve: bigint,
    equityToken: string,
    issuer: string,
  ) {
    if (issued.length !== terms.tranches.length) throw new Error("issued length");
    this.terms = terms;
    this.reserve = initialReserve;
    this.notes = issued
      .slice(0, -1)
      .map((x) => ({ issued: x, outstanding: x, arrears: 0n, writtenDown: 0n }));
    this.equitySupply = issued[issued.length - 1];
    this.equityToken = equityToken;
    this.issuer = issuer;
  }

  deposit(amount: bigint): void {
    this.collections += amount;
  }

  /** Metrics the risk engine measures before the waterfall (no fleet: collateral value zero; no triggers). */
  private metrics(
    outcome: RefOutcome,
    cash: bigint,
    feesDue: bigint,
    reserveTarget: bigint,
    interestDue: bigint[],
    principalDue: bigint[],
  ): RefMetrics {
    return referenceMetrics({
      outcome,
      cash,
      feesDue,
      reserve: this.reserve,
      reserveTarget,
      pledgedShareBps: this.terms.pledgedShareBps,
      outstanding: this.notes.map((n) => n.outstanding),
      interestDue,
      principalDue,
      history: this.history,
      trailingPeriods: this.terms.trailingPeriods,
    });
  }

  /** Runs `period` with the oracle's `outcome`, run by `keeper` (the caller that earns the bounty). */
  distribute(period: number, outcome: RefOutcome, keeper: string): RefPeriodResult {
    if (period !== this.nextPeriod)
      throw new Error(`reference: period ${period} is not next (${this.nextPeriod})`);
    if (this.status !== RefStatus.Active)
      throw new Error(`reference: deal is not active (${this.status})`);
    const t = this.terms;
    const p = BigInt(period);
    const finalPeriod = period + 1 === t.periodCount;
    const reported = outcome !== UNREPORTED;
    // An unreported period has no report: the oracle gives zero hours, so utilization reads 0.
    const u = reported ? utilizationDown(outcome.gpuHoursAvailable, outcome.gpuHoursBilled) : 0n;
    const events: RefEvent[] = [];

    // 1. cash of the period
    const cash =
      finalPeriod || !reported
        ? this.collections
        : min(this.collections, bpsOfDown(outcome.revenue, t.pledgedShareBps));
    this.collections -= cash;

    // what is owed
    const rates: bigint[] = [];
    const interestDue: bigint[] = [];
    const principalDueArr: bigint[] = [];
    let outstandingNotes = 0n;
    this.notes.forEach((n, i) => {
      const terms = t.tranches[i];
      // Without a report a utilization-linked coupon pays its floor; a fixed coupon is unchanged.
      const rate =
        !reported && terms.coupon.couponType === 1
          ? terms.coupon.floorRate
          : couponRate(terms.coupon, u);
      rates.push(rate);
      interestDue.push(periodInterestDown(n.outstanding, rate, t.periodLength) + n.arrears);
      const scheduled = scheduledOutstandingUp(n.issued, terms.principal, period, t.periodCount);
      principalDueArr.push(n.outstanding > scheduled ? n.outstanding - scheduled : 0n);
      outstandingNotes += n.outstanding;
    });
    const target = finalPeriod || outstandingNotes === 0n ? 0n : t.reserveTarget;
    const trusteeDue = t.trusteeFeePerPeriod + this.trusteeArrears;
    const servicerDue = bpsOfDown(cash, t.servicerFeeBps) + this.servicerArrears;
    const metrics = this.metrics(
      outcome,
      cash,
      t.keeperBounty + trusteeDue + servicerDue,
      target,
      interestDue,
      principalDueArr,
    );

    // 2. release
    let available = cash;
    let reserve = this.reserve;
    const reserveBefore = reserve;
    let released = 0n;
    if (reserve > target) {
      released = reserve - target;
      reserve = target;
      available += released;
    }
    const pay = (due: bigint): bigint => {
      const paid = min(due, available);
      available -= paid;
      return paid;
    };

    // 3. keeper bounty: first, capped by what is available, never carried
    const bountyPaid = pay(t.keeperBounty);

    // 4. fees
    const trusteePaid = pay(trusteeDue);
    const servicerPaid = pay(servicerDue);

    // 5. interest
    const interestPaid: bigint[] = [];
    let drawn = 0n;
    interestDue.forEach((due, i) => {
      let paid = pay(due);
      if (i === 0 && paid < due && reserve > 0n) {
        drawn = min(due - paid, reserve);
        reserve -= drawn;
        paid += drawn;
      }
      interestPaid.push(paid);
    });

    // 6. top-up
    let toppedUp = 0n;
    if (reserve < target) {
      toppedUp = pay(target - reserve);
      reserve += toppedUp;
    }

    // 7. principal
    const principalPaid = principalDueArr.map((due) => pay(due));

    // 8. residual
    const residual = available;

    // state and events, in the order the deal emits them
    this.nextPeriod = period + 1;
    this.reserve = reserve;
    this.trusteeArrears = trusteeDue - trusteePaid;
    this.servicerArrears = servicerDue - servicerPaid;
    if (!reported) {
      this.missedReports += 1;
      events.push({ name: "ReportMissed", args: [p, BigInt(this.missedReports)] });
    }
    if (released !== 0n)
      events.push({ name: "ReserveReleased", args: [p, released, reserveBefore - released] });
    this.trusteeFeesOwed += trusteePaid;
    this.servicerFeesOwed += servicerPaid;
    this.notes.forEach((n, i) => {
      n.arrears = interestDue[i] - interestPaid[i];
    });
    if (drawn !== 0n) {
      events.push({ name: "ReserveDrawn", args: [p, drawn, reserveBefore - released - drawn] });
    }
    if (toppedUp !== 0n) events.push({ name: "ReserveToppedUp", args: [p, toppedUp, reserve] });
    let allRepaid = true;
    const outstandingAfter = this.notes.map((n, i) => {
      n.outstanding -= principalPaid[i];
      if (n.outstanding !== 0n || n.arrears !== 0n) allRepaid = false;
      return n.outstanding;
    });
    if (finalPeriod) {
      if (!allRepaid) {
        // Written off bottom-up: equity's whole par first, then each note's remainder from the most junior.
        const notes = BigInt(this.notes.length);
        if (this.equitySupply !== 0n) {
          events.push({
            name: "PrincipalWrittenDown",
            args: [notes, this.equitySupply, 0n, this.equitySupply],
          });
        }
        for (let i = this.notes.length - 1; i >= 0; i--) {
          const n = this.notes[i];
          if (n.outstanding === 0n) continue;
          n.writtenDown += n.outstanding;
          events.push({
            name: "PrincipalWrittenDown",
            args: [BigInt(i), n.outstanding, 0n, n.writtenDown],
          });
          n.outstanding = 0n;
        }
      }
      const next = allRepaid ? RefStatus.Repaid : RefStatus.Defaulted;
      events.push({ name: "StatusChanged", args: [BigInt(this.status), BigInt(next)] });
      this.status = next;
    }
    const recipient = this.equitySupply !== 0n ? this.equityToken : this.issuer;
    // Without equity the residual is credited to the issuer in the deal, which it withdraws.
    if (this.equitySupply === 0n) this.residualOwed += residual;

    const statement: RefStatement = {
      period: p,
      reported,
      cashIn: cash,
      reserveReleased: released,
      reserveDrawn: drawn,
      keeperBountyPaid: bountyPaid,
      trusteeFeePaid: trusteePaid,
      servicerFeePaid: servicerPaid,
      interestPaid,
      reserveToppedUp: toppedUp,
      principalPaid,
      residualPaid: residual,
      utilization: u,
      reserveTrapped: 0n,
      collectionsCarried: this.collections,
      reserveAfter: reserve,
      mode: BigInt(RefStatus.Active),
      metrics,
      keeper,
      trusteeFeeArrears: this.trusteeArrears,
      servicerFeeArrears: this.servicerArrears,
      interestDue,
      outstanding: outstandingAfter,
      residualRecipient: recipient,
      recoveriesApplied: 0n,
      rentIn: 0n,
      rentPaid: 0n,
      rentArrears: 0n,
    };
    events.push({ name: "PeriodDistributed", args: [p, statementToArray(statement)] });

    return {
      statement,
      events,
      keeper,
      paidToNotes: interestPaid.map((x, i) => x + principalPaid[i]),
      rates,
      principalDue: principalDueArr,
      residualRecipient: recipient,
      status: this.status,
    };
  }
}

/**
 * A period's steps as named tuples, from its statement (and, for rates and scheduled principal, the terms): what
 * tests assert on step by step. KeeperPaid [period, keeper, amount]; FeesPaid [period, trustee, servicer, trustee
 * arrears, servicer arrears]; InterestPaid per note [period, note, rate, due, paid, arrears]; PrincipalPaid per note
 * [period, note, due, paid, outstanding]; ResidualPaid [period, recipient, amount].
 */
export function stepsOf(x: {
  statement: RefStatement;
  rates: bigint[];
  principalDue: bigint[];
}): RefEvent[] {
  const s = x.statement;
  const p = s.period;
  return [
    { name: "KeeperPaid", args: [p, s.keeper, s.keeperBountyPaid] },
    {
      name: "FeesPaid",
      args: [p, s.trusteeFeePaid, s.servicerFeePaid, s.trusteeFeeArrears, s.servicerFeeArrears],
    },
    ...s.interestPaid.map((paid, i) => ({
      name: "InterestPaid",
      args: [p, BigInt(i), x.rates[i], s.interestDue[i], paid, s.interestDue[i] - paid],
    })),
    ...s.principalPaid.map((paid, i) => ({
      name: "PrincipalPaid",
      args: [p, BigInt(i), x.principalDue[i], paid, s.outstanding[i]],
    })),
    { name: "ResidualPaid", args: [p, s.residualRecipient, s.residualPaid] },
  ];
}

/** The statement as the ABI tuple the contract emits and returns. */
export function statementToArray(s: RefStatement): unknown[] {
  return [
    s.period,
    s.reported,
    s.cashIn,
    s.reserveReleased,
    s.reserveDrawn,
    s.keeperBountyPaid,
    s.trusteeFeePaid,
    s.servicerFeePaid,
    s.interestPaid,
    s.reserveToppedUp,
    s.principalPaid,
    s.residualPaid,
    s.utilization,
    s.reserveTrapped,
    s.collectionsCarried,
    s.reserveAfter,
    s.mode,
    metricsToArray(s.metrics),
    s.keeper,
    s.trusteeFeeArrears,
    s.servicerFeeArrears,
    s.interestDue,
    s.outstanding,
    s.residualRecipient,
    s.recoveriesApplied,
    s.rentIn,
    s.rentPaid,
    s.rentArrears,
  ];
}

/**
 * Metrics of a period of a deal with no fleet and no triggers, from DESIGN.md's formulas. `history` holds the
 * earlier periods' cash available for debt service and debt service; this period's are appended to it.
 */
export function referenceMetrics(x: {
  outcome: RefOutcome;
  cash: bigint;
  feesDue: bigint;
  reserve: bigint;
  reserveTarget: bigint;
  pledgedShareBps: number;
  outstanding: bigint[];
  interestDue: bigint[];
  principalDue: bigint[];
  history: { cads: bigint; debtService: bigint }[];
  trailingPeriods: number;
}): RefMetrics {
  const { outcome, cash, feesDue } = x;
  const reported = outcome !== UNREPORTED;
  const cads = cash > feesDue ? cash - feesDue : 0n;
  const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);
  const debtService = sum(x.interestDue) + sum(x.principalDue);
  x.history.push({ cads, debtService });
  const window = x.history.slice(-x.trailingPeriods);
  let notesOutstanding = 0n;
  let interestAbove = 0n;
  const oc: bigint[] = [];
  const ic: bigint[] = [];
  x.outstanding.forEach((o, i) => {
    notesOutstanding += o;
    interestAbove += x.interestDue[i];
    oc.push(coverage(0n, notesOutstanding));
    ic.push(coverage(cads, interestAbove));
  });
  const revenue = reported ? outcome.revenue : 0n;
  const pledged = bpsOfDown(revenue, x.pledgedShareBps);
  let breakEven = MAX;
  if (reported) {
    // (fees + debt service) / (GPU-hours available × revenue per billed hour × pledged share), rounded up.
    const capacity = outcome.gpuHoursAvailable * revenue * BigInt(x.pledgedShareBps);
    if (capacity !== 0n && outcome.gpuHoursBilled !== 0n) {
      const num = (feesDue + debtService) * outcome.gpuHoursBilled * BPS * WAD;
      breakEven = (num + capacity - 1n) / capacity;
    }
  }
  return {
    cashAvailableForDebtService: cads,
    debtService,
    dscr: coverage(cads, debtService),
    trailingDscr: coverage(
      window.reduce((a, h) => a + h.cads, 0n),
      window.reduce((a, h) => a + h.debtService, 0n),
    ),
    utilization: reported ? utilizationDown(outcome.gpuHoursAvailable, outcome.gpuHoursBilled) : 0n,
    collateralValue: 0n,
    notesOutstanding,
    ltv: ltv(notesOutstanding, 0n),
    seniorCurve: x.outstanding.length === 0 ? 0n : ltv(x.outstanding[0], 0n),
    reserveLevel: coverage(x.reserve, x.reserveTarget),
    servicerShortfall: reported && pledged > cash ? pledged - cash : 0n,
    breakEvenUtilization: breakEven,
    overcollateralization: oc,
    interestCoverage: ic,
    breachedMask: 0n,
    activeMask: 0n,
  };
}

/** The metrics as the ABI tuple. */
export function metricsToArray(m: RefMetrics): unknown[] {
  return [
    m.cashAvailableForDebtService,
    m.debtService,
    m.dscr,
    m.trailingDscr,
    m.utilization,
    m.collateralValue,
    m.notesOutstanding,
    m.ltv,
    m.seniorCurve,
    m.reserveLevel,
    m.servicerShortfall,
    m.breakEvenUtilization,
    m.overcollateralization,
    m.interestCoverage,
    m.breachedMask,
    m.activeMask,
  ];
}

/** Conservation: what came in (cash, released and drawn reserve) equals what went out. */
export function conservationHolds(s: RefStatement): boolean {
  const sum = (xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n);
  return (
    s.cashIn + s.recoveriesApplied + s.reserveReleased + s.reserveDrawn ===
    s.rentPaid +
      s.keeperBountyPaid +
      s.trusteeFeePaid +
      s.servicerFeePaid +
      sum(s.interestPaid) +
      s.reserveToppedUp +
      sum(s.principalPaid) +
      s.residualPaid
  );
}
