/**
 * The exact path: a market path run through the SDK's bigint model of the contracts (`models/deal.ts` `distribute`,
 * the risk engine's `assess`, the waterfall's `run`, the equity waterfall's `distributeEquity`) — the numbers the
 * chain would give, to the wei, for the same reports, deposits and price-feed answers. After an event of default
 * the fleet is retired and its sale proceeds deposited as recoveries `saleLagPeriods` later; at final maturity an
 * unsold fleet is sold and its proceeds paid as a defaulted deal's recoveries (or to equity, which keeps it, when the
 * notes were repaid). Pure: no viem.
 */
import { DealStatus, FleetEntryStatus } from "../types.js";
import { depositRecoveries, distribute } from "../models/deal.js";
import { distributeEquity } from "../models/equityWaterfall.js";
import { retireFleetEntry } from "../models/risk.js";
import {
  UNREPORTED,
  type DealModelState,
  type PeriodOutcome,
  type PeriodSimulation,
} from "../models/types.js";
import type { MarketPath } from "./market.js";
import type { StressSetup } from "./setup.js";
import { newTrace, saleProceeds, type PathTrace } from "./trace.js";

/**
 * Runs `market` through the exact model; returns the path's trace and the final model state. `onPeriod` sees each
 * period's simulation (statement, detail, next state) and the deposit it received, as it is run.
 */
export function runExact(
  s: StressSetup,
  market: MarketPath,
  onPeriod?: (t: number, sim: PeriodSimulation, deposit: bigint) => void,
): { trace: PathTrace; state: DealModelState } {
  const { terms } = s.deal;
  const notes = s.notes;
  const classes = s.classes;
  const trace = newTrace(s.periods, notes, classes, s.triggers.length);
  const rec = s.scenario.recovery;
  const L = BigInt(terms.periodLength);
  let state = s.deal.state;
  let equity = s.deal.equity?.state;
  const contributed = s.deal.equity?.contributed;
  let sold = false;
  let saleAt = -1;
  const toEquity = (t: number, amount: bigint): void => {
    if (amount === 0n || !s.equityIssued) return;
    if (equity === undefined || contributed === undefined) {
      trace.classCash[t * Math.max(classes, 1)] += Number(amount);
      return;
    }
    const time = terms.start + BigInt(s.first + t + 1) * L;
    const st = distributeEquity(terms.equity, contributed, equity, amount, time);
    equity = st.state;
    st.toClass.forEach((x, j) => (trace.classCash[t * classes + j] += Number(x)));
  };
  const sell = (t: number, haircut: number): bigint => {
    const proceeds = saleProceeds(s.book, s.cost, market.indexRatio[t], t, haircut);
    let risk = state.risk;
    risk.fleet.forEach((e, id) => {
      if (e.status === FleetEntryStatus.Confirmed && e.activeCount > 0)
        risk = retireFleetEntry(risk, id, e.activeCount);
    });
    state = { ...state, risk };
    sold = true;
    trace.saleAt = t;
    trace.saleProceeds = proceeds;
    return BigInt(proceeds);
  };

  for (let t = 0; t < s.periods; t++) {
    if (!sold && t === saleAt) {
      const proceeds = sell(t, rec.accelerationHaircutPct / 100);
      if (proceeds > 0n) state = depositRecoveries(state, proceeds).next;
    }
    const reported = market.reported[t] === 1;
    const outcome: PeriodOutcome = !reported
      ? UNREPORTED
      : sold
        ? { gpuHoursAvailable: 0n, gpuHoursBilled: 0n, revenue: 0n, pue: market.pue }
        : {
            gpuHoursAvailable: BigInt(market.gpuHoursAvailable[t]),
            gpuHoursBilled: BigInt(market.gpuHoursBilled[t]),
            revenue: BigInt(market.revenue[t]),
            pue: market.pue,
          };
    const deposit = sold ? 0n : BigInt(market.deposit[t]);
    const time = terms.start + BigInt(s.first + t + 1) * L;
    const sim = distribute(state, terms, outcome, deposit, {
      index: s.hasFeed
        ? { answer: BigInt(market.index[t]), updatedAt: time, blockTimestamp: time }
        : undefined,
    });
    onPeriod?.(t, sim, deposit);
    const st = sim.statement;
    for (let i = 0; i < notes; i++) {
      trace.notePaid[t * notes + i] = Number(st.interestPaid[i] + st.principalPaid[i]);
      trace.notePrincipal[t * notes + i] = Number(st.principalPaid[i]);
      trace.noteOutstanding[t * notes + i] = Number(sim.next.tranches[i].outstanding);
    }
    trace.collateral[t] = Number(st.metrics.collateralValue);
    trace.mode[t] = st.mode;
    for (const i of sim.detail.assessment.fired)
      if (trace.triggerFirst[i] < 0) trace.triggerFirst[i] = t;
    if (st.mode === DealStatus.Accelerated && trace.accelerated < 0) {
      trace.accelerated = t;
      if (!sold) saleAt = t + 1 + rec.saleLagPeriods;
    }
    state = sim.next;
    toEquity(t, st.residualPaid);
  }
  const last = s.periods - 1;
  if (!sold && last >= 0) {
    const proceeds = sell(last, rec.maturityHaircutPct / 100);
    trace.saleAt = s.periods;
    if (proceeds > 0n) {
      if (state.status === DealStatus.Defaulted) {
        const r = depositRecoveries(state, proceeds);
        state = r.next;
        for (const a of r.allocations) {
          trace.notePaid[last * notes + a.tranche] += Number(a.recovered + a.interest);
          trace.notePrincipal[last * notes + a.tranche] += Number(a.recovered);
        }
        toEquity(last, r.left);
      } else toEquity(last, proceeds);
    }
  }
  for (let i = 0; i < notes; i++) trace.writtenOff[i] = Number(state.tranches[i].writtenDown);
  trace.finalStatus = state.status;
  return { trace, state };
}
