/**
 * The fast path: the same period logic as the exact model (`models/deal.ts` `distribute`, `models/risk.ts` `assess`,
 * `models/waterfall.ts` `run`), statement for statement, in float64 numbers of stablecoin base units for Monte Carlo.
 * Sums and differences of amounts are exact below 2^53 base units (9 billion dollars at 6 decimals); each product
 * that the contracts round down is rounded down here too, so a period's figures match the exact path's to a few
 * base units (the stress tests bound the difference at a cent per period per tranche). Ratios the covenants test
 * are plain quotients compared with the thresholds. The equity waterfall of a deal with several classes is its
 * float64 mirror too (`./equityFast.ts`). Nothing is allocated per period. Pure: no viem.
 */
import { CouponType } from "../types.js";
import { FastEquity } from "./equityFast.js";
import type { MarketPath } from "./market.js";
import type { StressSetup } from "./setup.js";
import { newTrace, saleProceeds, type PathTrace } from "./trace.js";

const YEAR = 365 * 86_400;
const INF = Number.POSITIVE_INFINITY;
const ACTIVE = 1;
const CASH_TRAP = 2;
const ACCELERATED = 3;
const REPAID = 4;
const DEFAULTED = 5;

/** A deal compiled for the fast path; {@link FastPath.run} runs one market path and may be called again and again. */
export class FastPath {
  readonly setup: StressSetup;
  readonly trace: PathTrace;
  private readonly n: number;
  private readonly linked: Uint8Array;
  private readonly base: Float64Array;
  private readonly slope: Float64Array;
  private readonly strike: Float64Array;
  private readonly floorRate: Float64Array;
  private readonly capRate: Float64Array;
  private readonly accrual: number;
  // The state between periods.
  private readonly out: Float64Array;
  private readonly arrears: Float64Array;
  private readonly written: Float64Array;
  private readonly trigConsecutive: Int32Array;
  private readonly trigActive: Uint8Array;
  private readonly cumCads: Float64Array;
  private readonly cumDs: Float64Array;
  // Scratch of a period.
  private readonly interestDue: Float64Array;
  private readonly principalDue: Float64Array;
  private readonly interestPaid: Float64Array;
  private readonly principalPaid: Float64Array;
  private readonly recovered: Float64Array;
  private readonly scheduled: Float64Array[];
  private readonly indexAt: Float64Array;
  private readonly appraisal: { value: number; until: number };
  private readonly equity: FastEquity | undefined;

  constructor(setup: StressSetup) {
    this.setup = setup;
    const n = setup.notes;
    this.n = n;
    const tr = setup.deal.terms.tranches;
    const f = (x: bigint) => Number(x) / 1e18;
    this.linked = Uint8Array.from(tr.slice(0, n), (t) =>
      t.coupon.couponType === CouponType.UtilizationLinked ? 1 : 0,
    );
    this.base = Float64Array.from(tr.slice(0, n), (t) => f(t.coupon.baseRate));
    this.slope = Float64Array.from(tr.slice(0, n), (t) => f(t.coupon.slope));
    this.strike = Float64Array.from(tr.slice(0, n), (t) => f(t.coupon.strike));
    this.floorRate = Float64Array.from(tr.slice(0, n), (t) => f(t.coupon.floorRate));
    this.capRate = Float64Array.from(tr.slice(0, n), (t) => f(t.coupon.capRate));
    this.accrual = setup.deal.terms.periodLength / YEAR;
    this.out = new Float64Array(n);
    this.arrears = new Float64Array(n);
    this.written = new Float64Array(n);
    const k = setup.triggers.length;
    this.trigConsecutive = new Int32Array(k);
    this.trigActive = new Uint8Array(k);
    const total = setup.deal.terms.periodCount;
    this.cumCads = new Float64Array(total + 1);
    this.cumDs = new Float64Array(total + 1);
    this.interestDue = new Float64Array(n);
    this.principalDue = new Float64Array(n);
    this.interestPaid = new Float64Array(n);
    this.principalPaid = new Float64Array(n);
    this.recovered = new Float64Array(n);
    this.scheduled = setup.scheduled;
    this.indexAt = Float64Array.from(setup.indexAtAcquisition);
    const risk = setup.deal.terms.risk;
    const mark = setup.deal.state.risk.appraisal;
    this.appraisal = {
      value: risk.appraisalMaxAge !== 0 ? Number(mark.value) : 0,
      until: Number(mark.asOf) + risk.appraisalMaxAge,
    };
    this.trace = newTrace(setup.periods, n, setup.classes, k);
    const eq = setup.deal.equity;
    this.equity =
      eq === undefined
        ? undefined
        : new FastEquity(setup.deal.terms.equity, eq.contributed, eq.state);
  }

  /** Runs a market path; the trace ({@link FastPath.trace}) is overwritten. */
  run(market: MarketPath): PathTrace {
    const s = this.setup;
    const terms = s.deal.terms;
    const st0 = s.deal.state;
    const n = this.n;
    const T = s.triggers;
    const trace = this.trace;
    const out = this.out;
    const arrears = this.arrears;
    const written = this.written;
    const interestDue = this.interestDue;
    const principalDue = this.principalDue;
    const interestPaid = this.interestPaid;
    const principalPaid = this.principalPaid;
    const recovered = this.recovered;
    const rec = s.scenario.recovery;
    const classes = s.classes;
    const cw = Math.max(classes, 1);
    trace.notePaid.fill(0);
    trace.notePrincipal.fill(0);
    trace.noteOutstanding.fill(0);
    trace.classCash.fill(0);
    trace.collateral.fill(0);
    trace.mode.fill(0);
    trace.triggerFirst.fill(-1);
    trace.accelerated = -1;
    trace.saleAt = -1;
    trace.saleProceeds = 0;

    for (let i = 0; i < n; i++) {
      const x = st0.tranches[i];
      out[i] = Number(x.outstanding);
      arrears[i] = Number(x.arrears);
      written[i] = Number(x.writtenDown);
    }
    for (let j = 0; j < T.length; j++) {
      this.trigConsecutive[j] = st0.risk.triggers[j].consecutive;
      this.trigActive[j] = st0.risk.triggers[j].active ? 1 : 0;
    }
    const cum = st0.risk.cumulative;
    for (let p = 0; p < cum.length; p++) {
      this.cumCads[p + 1] = Number(cum[p].cads);
      this.cumDs[p + 1] = Number(cum[p].debtService);
    }
    let collections = Number(st0.collections);
    let reserve = Number(st0.reserve);
    let recoveries = Number(st0.recoveries);
    let trusteeArrears = Number(st0.trusteeFeeArrears);
    let servicerArrears = Number(st0.servicerFeeArrears);
    let rentArrears = Number(st0.rentArrears);
    let rentPending = Number(st0.rentPending);
    let status = st0.status as number;
    const equity = this.equity;
    equity?.reset();
    const toEquity = (t: number, amount: number): void => {
      if (amount === 0 || !s.equityIssued) return;
      if (equity === undefined) trace.classCash[t * cw] += amount;
      else equity.distribute(amount, start + (s.first + t + 1) * L, trace.classCash, t * classes);
    };

    const count = terms.periodCount;
    const pledgedBps = terms.pledgedShareBps;
    const servicerBps = terms.servicerFeeBps;
    const trusteeFee = Number(terms.trusteeFeePerPeriod);
    const bounty = Number(terms.keeperBounty);
    const target0 = Number(terms.reserveTarget);
    const site = terms.site.site !== "0x0000000000000000000000000000000000000000";
    const rentBps = terms.site.rentBps;
    const rentFixed = Number(terms.site.rentPerUnit) * terms.oracle.fleetGpus;
    const window = terms.risk.trailingPeriods;
    const capacity = Math.floor((terms.oracle.fleetGpus * terms.periodLength) / 3600);
    const turbo = terms.risk.turbo;
    const equityIssued = s.equityIssued;
    const L = terms.periodLength;
    const start = Number(terms.start);
    let sold = false;
    let saleAt = -1;

    for (let t = 0; t < s.periods; t++) {
      const period = s.first + t;
      if (!sold && t === saleAt) {
        const proceeds = saleProceeds(
          s.book,
          s.cost,
          market.indexRatio[t],
          t,
          rec.accelerationHaircutPct / 100,
        );
        sold = true;
        trace.saleAt = t;
        trace.saleProceeds = proceeds;
        recoveries += proceeds;
      }
      const finalPeriod = period + 1 === count;
      const reported = market.reported[t] === 1;
      const available = reported && !sold ? market.gpuHoursAvailable[t] : 0;
      const billed = reported && !sold ? market.gpuHoursBilled[t] : 0;
      const revenue = reported && !sold ? market.revenue[t] : 0;
      const deposit = sold ? 0 : market.deposit[t];
      const u = available === 0 ? 0 : billed / available;
      const undistributed = collections + deposit;
      const pledged = Math.floor((revenue * pledgedBps) / 10_000);
      const collected = finalPeriod || !reported ? undistributed : Math.min(undistributed, pledged);
      const rentIn = rentPending;
      const rentDue = site
        ? (reported ? Math.floor((revenue * rentBps) / 10_000) : 0) + rentFixed + rentArrears
        : 0;
      const rentPaid = Math.min(collected + rentIn, rentDue);
      const cash = collected + rentIn - rentPaid;

      let outstandingNotes = 0;
      let interestAbove = 0;
      let debtService = 0;
      for (let i = 0; i < n; i++) {
        let rate = this.base[i];
        if (this.linked[i] === 1) {
          if (!reported) rate = this.floorRate[i];
          else {
            rate = this.base[i] + this.slope[i] * (u - this.strike[i]);
            if (rate < this.floorRate[i]) rate = this.floorRate[i];
            else if (rate > this.capRate[i]) rate = this.capRate[i];
          }
        }
        interestDue[i] = Math.floor(out[i] * rate * this.accrual) + arrears[i];
        const sched = this.scheduled[i][t];
        principalDue[i] = out[i] > sched ? out[i] - sched : 0;
        outstandingNotes += out[i];
        interestAbove += interestDue[i];
        debtService += interestDue[i] + principalDue[i];
      }
      const releaseRecoveries = finalPeriod || outstandingNotes === 0;
      const reserveTarget = releaseRecoveries ? 0 : target0;
      const trusteeFeeDue = trusteeFee + trusteeArrears;
      const servicerFeeDue = Math.floor((cash * servicerBps) / 10_000) + servicerArrears;

      // The risk engine: the period's metrics, the triggers stepped, the order they set.
      const feesDue = rentDue + bounty + trusteeFeeDue + servicerFeeDue;
      const assessCash = cash + rentPaid;
      const cads = assessCash > feesDue ? assessCash - feesDue : 0;
      const valuationTime = start + (period + 1) * L;
      let value = 0;
      if (!sold) {
        const index = s.hasFeed ? market.index[t] : 0;
        for (let e = 0; e < s.book.length; e++) {
          let v = s.book[e][t];
          if (index !== 0 && this.indexAt[e] !== 0) {
            const implied = Math.floor((s.cost[e] * index) / this.indexAt[e]);
            if (implied < v) v = implied;
          }
          value += v;
        }
        if (
          this.appraisal.value !== 0 &&
          valuationTime <= this.appraisal.until &&
          this.appraisal.value < value
        )
          value = this.appraisal.value;
      }
      value += recoveries;
      this.cumCads[period + 1] = this.cumCads[period] + cads;
      this.cumDs[period + 1] = this.cumDs[period] + debtService;
      trace.collateral[t] = value;
      let mode = ACTIVE;
      let trap = false;
      let accelerate = false;
      for (let j = 0; j < T.length; j++) {
        const tr = T[j];
        let x: number;
        switch (tr.metric) {
          case 0:
            x = debtService === 0 ? INF : cads / debtService;
            break;
          case 1: {
            const b = period >= window ? period + 1 - window : 0;
            const ds = this.cumDs[period + 1] - this.cumDs[b];
            x = ds === 0 ? INF : (this.cumCads[period + 1] - this.cumCads[b]) / ds;
            break;
          }
          case 2:
            x = u;
            break;
          case 3:
            x = outstandingNotes === 0 ? 0 : value === 0 ? INF : outstandingNotes / value;
            break;
          case 4:
            x = n === 0 || out[0] === 0 ? 0 : value === 0 ? INF : out[0] / value;
            break;
          case 5:
            x = reserveTarget === 0 ? INF : reserve / reserveTarget;
            break;
          case 6: {
            const shortfall =
              reported && pledged > assessCash - rentIn ? pledged - (assessCash - rentIn) : 0;
            x = shortfall === 0 ? 0 : shortfall / pledged;
            break;
          }
          case 8:
            x = capacity === 0 ? 0 : billed / capacity;
            break;
          case 9:
            x = reported ? market.pue / 10_000 : 0;
            break;
          default:
            x = reported ? 0 : 1;
        }
        if (!finalPeriod) {
          const breach = tr.below ? x < tr.threshold : x > tr.threshold;
          if (breach) {
            const c = this.trigConsecutive[j] + 1;
            this.trigConsecutive[j] = c > 255 ? 255 : c;
            if (this.trigActive[j] === 0 && this.trigConsecutive[j] >= tr.periods) {
              this.trigActive[j] = 1;
              if (trace.triggerFirst[j] < 0) trace.triggerFirst[j] = t;
            }
          } else {
            this.trigConsecutive[j] = 0;
            if (this.trigActive[j] === 1 && tr.cures) this.trigActive[j] = 0;
          }
        }
        if (this.trigActive[j] === 1) {
          if (tr.accelerates) accelerate = true;
          else trap = true;
        }
      }
      if (outstandingNotes !== 0) mode = accelerate ? ACCELERATED : trap ? CASH_TRAP : ACTIVE;
      trace.mode[t] = mode;

      // The waterfall (`run`).
      const sweep = mode === ACCELERATED ? undistributed - collected : 0;
      const paidCash = cash + sweep;
      const recoveriesSwept = releaseRecoveries ? recoveries : 0;
      let available$ = paidCash + recoveriesSwept;
      let principalCash = releaseRecoveries ? 0 : recoveries;
      let principalCashUsed = 0;
      let res = reserve;
      for (let i = 0; i < n; i++) {
        interestPaid[i] = 0;
        principalPaid[i] = 0;
        recovered[i] = 0;
      }
      if (mode === ACCELERATED) {
        principalCashUsed = principalCash;
        available$ += principalCash;
        principalCash = 0;
      }
      const target = mode === ACCELERATED ? 0 : reserveTarget;
      if (res > target && (mode !== CASH_TRAP || target === 0)) {
        available$ += res - target;
        res = target;
      }
      let pay = Math.min(bounty, available$);
      available$ -= pay;
      const trusteePaid = Math.min(trusteeFeeDue, available$);
      available$ -= trusteePaid;
      const servicerPaid = Math.min(servicerFeeDue, available$);
      available$ -= servicerPaid;
      let residual = 0;
      if (mode === ACCELERATED) {
        if (n !== 0) {
          pay = Math.min(interestDue[0], available$);
          interestPaid[0] = pay;
          available$ -= pay;
        }
        for (let i = 0; i < n; i++) {
          pay = Math.min(out[i], available$);
          principalPaid[i] = pay;
          available$ -= pay;
        }
        for (let i = 1; i < n; i++) {
          pay = Math.min(interestDue[i], available$);
          interestPaid[i] = pay;
          available$ -= pay;
        }
        for (let i = 0; i < n && available$ !== 0; i++) {
          pay = Math.min(written[i] - recovered[i], available$);
          recovered[i] += pay;
          available$ -= pay;
        }
        residual = available$;
        res = 0;
      } else {
        for (let i = 0; i < n; i++) {
          pay = Math.min(interestDue[i], available$);
          interestPaid[i] = pay;
          available$ -= pay;
          if (i === 0 && interestPaid[0] < interestDue[0]) {
            const drawn = Math.min(interestDue[0] - interestPaid[0], principalCash);
            principalCash -= drawn;
            principalCashUsed = drawn;
            interestPaid[0] += drawn;
            if (interestPaid[0] < interestDue[0] && res > 0) {
              const d = Math.min(interestDue[0] - interestPaid[0], res);
              res -= d;
              interestPaid[0] += d;
            }
          }
        }
        if (res < target) {
          pay = Math.min(target - res, available$);
          available$ -= pay;
          res += pay;
        }
        for (let i = 0; i < n; i++) {
          pay = Math.min(principalDue[i], available$);
          available$ -= pay;
          const fromCash = Math.min(principalDue[i] - pay, principalCash);
          principalCash -= fromCash;
          principalCashUsed += fromCash;
          principalPaid[i] = pay + fromCash;
        }
        if (mode === CASH_TRAP && available$ !== 0) {
          let unpaid = false;
          for (let i = 0; i < n; i++) {
            if (turbo) {
              pay = Math.min(out[i] - principalPaid[i], available$);
              principalPaid[i] += pay;
              available$ -= pay;
            }
            if (principalPaid[i] < out[i] || interestPaid[i] < interestDue[i]) unpaid = true;
          }
          for (let i = 0; i < n && available$ !== 0; i++) {
            pay = Math.min(written[i] - recovered[i], available$);
            recovered[i] += pay;
            available$ -= pay;
          }
          if (unpaid) {
            res += available$;
            available$ = 0;
          }
        }
        for (let i = 0; i < n && available$ !== 0; i++) {
          pay = Math.min(written[i] - recovered[i], available$);
          recovered[i] += pay;
          available$ -= pay;
        }
        residual = available$;
      }

      // The deal's balances after the period.
      let allRepaid = true;
      let principalLeft = false;
      for (let i = 0; i < n; i++) {
        arrears[i] = interestDue[i] - interestPaid[i];
        out[i] -= principalPaid[i];
        written[i] -= recovered[i];
        if (out[i] !== 0) principalLeft = true;
        if (out[i] !== 0 || arrears[i] !== 0) allRepaid = false;
        trace.notePaid[t * n + i] = interestPaid[i] + principalPaid[i] + recovered[i];
        trace.notePrincipal[t * n + i] = principalPaid[i] + recovered[i];
      }
      status = mode;
      if (finalPeriod) {
        if (principalLeft) {
          for (let i = n - 1; i >= 0; i--) {
            written[i] += out[i];
            out[i] = 0;
          }
        }
        status = allRepaid ? REPAID : DEFAULTED;
      }
      for (let i = 0; i < n; i++) trace.noteOutstanding[t * n + i] = out[i];
      collections = undistributed - collected - sweep;
      reserve = res;
      recoveries -= recoveriesSwept + principalCashUsed;
      trusteeArrears = trusteeFeeDue - trusteePaid;
      servicerArrears = servicerFeeDue - servicerPaid;
      rentPending = 0;
      rentArrears = rentDue - rentPaid;
      if (mode === ACCELERATED && trace.accelerated < 0) {
        trace.accelerated = t;
        if (!sold) saleAt = t + 1 + rec.saleLagPeriods;
      }
      if (equityIssued) toEquity(t, residual);
    }

    const last = s.periods - 1;
    if (!sold && last >= 0) {
      const proceeds = saleProceeds(
        s.book,
        s.cost,
        market.indexRatio[last],
        last,
        rec.maturityHaircutPct / 100,
      );
      trace.saleAt = s.periods;
      trace.saleProceeds = proceeds;
      if (proceeds > 0) {
        if (status === DEFAULTED) {
          let left = proceeds;
          for (let i = 0; i < n && left !== 0; i++) {
            const r = Math.min(left, written[i]);
            left -= r;
            const a = Math.min(left, arrears[i]);
            left -= a;
            written[i] -= r;
            arrears[i] -= a;
            trace.notePaid[last * n + i] += r + a;
            trace.notePrincipal[last * n + i] += r;
          }
          toEquity(last, left);
        } else toEquity(last, proceeds);
      }
    }
    for (let i = 0; i < n; i++) trace.writtenOff[i] = written[i];
    trace.finalStatus = status;
    return trace;
  }
}
