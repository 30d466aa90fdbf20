/**
 * A path of the market a deal lives in, period by period: the rental price, utilization, what the reporters sign
 * (GPU-hours or kWh available and billed, revenue), what the servicer deposits, whether the period was reported and
 * what the price feed answers. Drawn from a scenario with a seeded generator ({@link sampleMarket}) or set by a
 * deterministic stress ({@link deterministicMarket}). Every amount is an integer in stablecoin base units, so the
 * exact and the fast path read the same inputs. Pure: no viem.
 */
import { Rng } from "./rng.js";
import type { StressSetup } from "./setup.js";

export interface MarketPath {
  periods: number;
  /** 1: the period was reported; 0: the oracle marked it unreported. */
  reported: Uint8Array;
  gpuHoursAvailable: Float64Array;
  gpuHoursBilled: Float64Array;
  revenue: Float64Array;
  /** What the servicer deposits for the period. */
  deposit: Float64Array;
  /** The rental price of the period, US dollars per billed unit-hour. */
  price: Float64Array;
  /** The price over the price at the fleet's acquisition: what an index-implied value multiplies cost by. */
  indexRatio: Float64Array;
  /** The price feed's answer at the period's distribution (deals with a feed). */
  index: Float64Array;
  /** The PUE reported (× 10 000; data-center deals). */
  pue: number;
}

export function newMarketPath(periods: number): MarketPath {
  return {
    periods,
    reported: new Uint8Array(periods),
    gpuHoursAvailable: new Float64Array(periods),
    gpuHoursBilled: new Float64Array(periods),
    revenue: new Float64Array(periods),
    deposit: new Float64Array(periods),
    price: new Float64Array(periods),
    indexRatio: new Float64Array(periods),
    index: new Float64Array(periods),
    pue: 0,
  };
}

/** Fills period `t` from its price, utilization (fraction), the share of pledged cash the servicer keeps back and whether it was reported. */
function fill(
  s: StressSetup,
  out: MarketPath,
  t: number,
  price: number,
  ratio: number,
  u: number,
  keepBack: number,
  reported: boolean,
): void {
  const terms = s.deal.terms;
  const maxPrice = Number(terms.oracle.maxPricePerGpuHour) / s.unit;
  const billedPrice = maxPrice > 0 && price > maxPrice ? maxPrice : price;
  const available = Math.floor(s.capacityHours);
  const billed = Math.floor(available * u);
  const revenue = Math.round(billed * billedPrice * s.unit);
  const pledged = Math.floor((revenue * terms.pledgedShareBps) / 10_000);
  out.reported[t] = reported ? 1 : 0;
  out.gpuHoursAvailable[t] = available;
  out.gpuHoursBilled[t] = billed;
  out.revenue[t] = revenue;
  out.deposit[t] = keepBack > 0 ? Math.floor(pledged * (1 - keepBack)) : pledged;
  out.price[t] = price;
  out.indexRatio[t] = ratio;
  out.index[t] = s.hasFeed
    ? s.referenceIndex !== 0
      ? Math.max(1, Math.round(s.referenceIndex * ratio))
      : Math.max(1, Math.round(price * 10 ** terms.risk.priceFeed.decimals))
    : 0;
}

const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

/**
 * Draws a market path of the setup's scenario with `rng`, into `out`. Per period: the price moves by
 * exp(ln(1 + drift)·dt + σ·√dt·z) (its median falls by the drift), utilization reverts to its mean with correlated
 * shocks and loses a tenant at its yearly rate, the crypto market moves with correlated shocks and the servicer
 * falls short at a rate that grows with its drawdown. Every period draws the same count of numbers, whatever
 * happens, so paths stay aligned.
 */
export function sampleMarket(s: StressSetup, rng: Rng, out: MarketPath): MarketPath {
  const sc = s.scenario;
  const m = s.market;
  const u0 = s.utilization;
  const dt = s.dt;
  const sq = Math.sqrt(dt);
  const mP = Math.log(1 + m.driftPctPerYear / 100) * dt;
  const vP = (m.volatilityPctPerYear / 100) * sq;
  const mC = Math.log(1 + sc.crypto.driftPctPerYear / 100) * dt;
  const vC = (sc.crypto.volatilityPctPerYear / 100) * sq;
  const rhoC = sc.crypto.correlationWithPrice;
  const rhoCc = Math.sqrt(1 - rhoC * rhoC);
  const rhoU = u0.correlationWithPrice;
  const rhoUc = Math.sqrt(1 - rhoU * rhoU);
  const kappa = u0.reversionPerYear * dt;
  const meanU = u0.meanPct / 100;
  const vU = (u0.volatilityPctPerYear / 100) * sq;
  const jumpP = 1 - Math.exp(-u0.tenantLossPerYear * dt);
  const jump = u0.tenantLossPct / 100;
  const lo = u0.minPct / 100;
  const hi = u0.maxPct / 100;
  const sv = s.servicer;
  const severity = sv.shortfallSeverityPct / 100;
  const missed = sc.reporting.missedReportProbability;
  const floor = m.floor;
  const ratio0 = s.deal.indexRatio ?? 1;
  let price = m.price;
  let u = clamp(u0.initialPct / 100, lo, hi);
  let logC = 0;
  let peak = 0;
  let short = false;
  out.pue = s.kwh ? Math.round(sc.site.pue * 10_000) : 0;
  for (let t = 0; t < out.periods; t++) {
    const zP = rng.normal();
    const zU = rng.normal();
    const zC = rng.normal();
    const uJump = rng.uniform();
    const uShort = rng.uniform();
    const uMiss = rng.uniform();
    // The servicer's shortfall this period: its rate grows with the crypto market's drawdown.
    const drawdown = 1 - Math.exp(logC - peak);
    const rate = sv.shortfallPerYear + sv.drawdownSensitivityPerYear * drawdown;
    short = short ? uShort < sv.persistence : uShort < 1 - Math.exp(-rate * dt);
    fill(s, out, t, price, (ratio0 * price) / m.price, u, short ? severity : 0, uMiss >= missed);
    // The next period's market.
    price = Math.max(floor, price * Math.exp(mP + vP * zP));
    logC += mC + vC * (rhoC * zP + rhoCc * zC);
    if (logC > peak) peak = logC;
    u += kappa * (meanU - u) + vU * (rhoU * zP + rhoUc * zU);
    if (uJump < jumpP) u -= jump;
    u = clamp(u, lo, hi);
  }
  return out;
}

/** A deterministic stress: a steady price decline, a utilization path and a servicer shortfall window. */
export interface DeterministicStress {
  name: string;
  /** Yearly price decline, a fraction (0.3: 30 % a year). */
  decline: number;
  /** Utilization (fraction) in each simulated period. */
  utilization: (t: number) => number;
  /** Share of the pledged collections the servicer keeps back in each period (fraction). */
  keepBack?: (t: number) => number;
}

/** The market of a deterministic stress: no randomness, every period reported. */
export function deterministicMarket(s: StressSetup, stress: DeterministicStress): MarketPath {
  const out = newMarketPath(s.periods);
  const m = s.market;
  const ratio0 = s.deal.indexRatio ?? 1;
  const g = Math.log(1 - stress.decline) * s.dt;
  out.pue = s.kwh ? Math.round(s.scenario.site.pue * 10_000) : 0;
  for (let t = 0; t < s.periods; t++) {
    const price = Math.max(m.floor, m.price * Math.exp(g * t));
    const u = clamp(stress.utilization(t), 0, 1);
    fill(s, out, t, price, (ratio0 * price) / m.price, u, stress.keepBack?.(t) ?? 0, true);
  }
  return out;
}
