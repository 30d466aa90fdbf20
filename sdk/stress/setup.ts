/**
 * What the stress engine runs on: a deal (from a term sheet before issuance, or a live deal's state read through the
 * SDK) and a scenario, compiled once into the figures both paths share — every note's schedule, the fleet's book
 * value at each period's end, the triggers as plain numbers, the market's parameters per period. Pure: no viem.
 */
import { DealStatus, EquityTier, TrancheKind, type EquityTerms, type TermSheet } from "../types.js";
import { entryValue } from "../models/risk.js";
import { initialDealState } from "../models/deal.js";
import { initialEquityState, type EquityWaterfallState } from "../models/equityWaterfall.js";
import { hurdleTiers } from "../models/equityMath.js";
import { scheduledOutstandingUp } from "../models/waterfall.js";
import { WAD, YEAR } from "../models/math.js";
import { isRunning, type DealModelState } from "../models/types.js";
import type { PriceMarket, Scenario } from "./scenario.js";

/** A deal to stress: its terms and the state the simulation starts from. */
export interface StressDeal {
  name: string;
  terms: TermSheet;
  /** The stablecoin's decimals. */
  decimals: number;
  /** The deal's state before its next period (a term sheet: every offering sold in full, nothing distributed). */
  state: DealModelState;
  /** A deal with an equity waterfall (several equity classes): the waterfall's state and each class's capital. */
  equity?: { contributed: readonly bigint[]; state: EquityWaterfallState };
  /** A live deal: its last reported utilization (per cent), the simulation's starting level. */
  utilizationPct?: number;
  /** A live deal: its price index now over the index at acquisition (the market's start relative to the fleet's). */
  indexRatio?: number;
}

/** The deal of a term sheet before issuance: every tranche sold at its face, the deal about to run its first period. */
export function termSheetDeal(terms: TermSheet, decimals: number, name = "deal"): StressDeal {
  const issued = terms.tranches.map((t) => t.faceAmount);
  const state = initialDealState(terms, issued);
  const equityFaces = terms.tranches
    .filter((t) => t.kind === TrancheKind.Equity)
    .map((t) => t.faceAmount);
  return {
    name,
    terms,
    decimals,
    state,
    equity:
      terms.equity.tiers.length === 0
        ? undefined
        : {
            contributed: equityFaces,
            state: initialEquityState(terms.equity, equityFaces, terms.start),
          },
  };
}

/** A text of a bytes16 model name (`"H100-SXM5-80GB"`), without its zero padding. */
export function modelText(model: string): string {
  const hex = model.startsWith("0x") ? model.slice(2) : model;
  let s = "";
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const c = parseInt(hex.slice(i, i + 2), 16);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** An equity hurdle whose probability the engine reports: the term sheet's own or one the scenario asks for. */
export interface EquityHurdle {
  /** Yearly IRR, a fraction (0.15: 15 %). */
  rate: number;
  label: string;
}

/** A trigger as plain numbers. */
export interface CompiledTrigger {
  metric: number;
  below: boolean;
  /** The threshold as a fraction (WAD / 1e18). */
  threshold: number;
  periods: number;
  cures: boolean;
  accelerates: boolean;
  label: string;
}

/** A deal and a scenario compiled for the paths. Amounts are numbers in stablecoin base units (integers). */
export interface StressSetup {
  deal: StressDeal;
  scenario: Scenario;
  market: PriceMarket;
  /** Utilization parameters in force (the market's over the scenario's). */
  utilization: Scenario["utilization"];
  /** Servicer parameters in force (the market's over the scenario's). */
  servicer: Scenario["servicer"];
  /** The first period simulated (the deal's next) and how many are simulated. */
  first: number;
  periods: number;
  /** Years per period (actual/365). */
  dt: number;
  notes: number;
  classes: number;
  /** Tranche names, notes then equity classes. */
  names: string[];
  /** Principal at risk of each note when the simulation starts (face for a term sheet) — losses are shares of it. */
  basis: number[];
  /** Each equity class's capital (issued). */
  equityCapital: number[];
  equityIssued: boolean;
  /** `scheduled[i][k]`: note i's scheduled outstanding after simulated period k. */
  scheduled: Float64Array[];
  /** Per fleet entry, its book value at each simulated period's end (all its units), and its cost. */
  book: Float64Array[];
  cost: number[];
  /** Per fleet entry, the index at acquisition in the feed's units (0: not marked). */
  indexAtAcquisition: number[];
  /** The deal's price feed: whether it has one and its decimals. */
  hasFeed: boolean;
  /** The index answer at the fleet's acquisition that the market's price is measured against. */
  referenceIndex: number;
  /** Unit-hours of capacity in a period (GPUs or kW × hours). */
  capacityHours: number;
  kwh: boolean;
  triggers: CompiledTrigger[];
  hurdles: EquityHurdle[];
  /** Scale of the stablecoin: 10^decimals. */
  unit: number;
}

/** The scenario's market for a deal: `kWh` deals match `"kWh"`; GPU deals the first market whose text is found. */
export function marketFor(
  scenario: Scenario,
  deal: { kwh: boolean; texts: readonly string[] },
): PriceMarket {
  if (deal.kwh) {
    const m = scenario.markets.find((x) => x.match.includes("kWh"));
    if (m === undefined)
      throw new RangeError("the scenario has no market matching kWh (a data-center deal)");
    return m;
  }
  const texts = deal.texts.map((t) => t.toLowerCase());
  const gpu = scenario.markets.filter((x) => !x.match.includes("kWh"));
  const found = gpu.find((m) =>
    m.match.some((k) => texts.some((t) => t.includes(k.toLowerCase()))),
  );
  const chosen = found ?? gpu.find((m) => m.match.includes("*"));
  if (chosen === undefined)
    throw new RangeError(
      `the scenario has no market matching ${deal.texts.join(", ")} and none matching "*"`,
    );
  return chosen;
}

/** Human label of a trigger. */
function triggerLabel(metric: number, below: boolean, threshold: bigint, periods: number): string {
  const names = [
    "DSCR",
    "trailing DSCR",
    "utilization",
    "LTV",
    "senior curve",
    "reserve level",
    "servicer shortfall",
    "missed report",
    "occupancy",
    "PUE",
  ];
  const name = names[metric] ?? `metric ${metric}`;
  const x = Number(threshold) / 1e18;
  const ratio = metric === 0 || metric === 1 || metric === 9;
  const shown = ratio ? `${x.toFixed(2)}${metric === 9 ? "" : "×"}` : `${(x * 100).toFixed(0)} %`;
  const when = metric === 7 ? "" : ` ${below ? "<" : ">"} ${shown}`;
  return `${name}${when}${periods > 1 ? ` ×${periods}` : ""}`;
}

/** The yearly IRR hurdles an equity waterfall names: its preferred return and its split tiers' hurdles. */
function termSheetHurdles(equity: EquityTerms): EquityHurdle[] {
  const out: EquityHurdle[] = [];
  for (const t of equity.tiers) {
    if (t.kind === EquityTier.PreferredReturn && t.rate !== 0n)
      out.push({ rate: Number(t.rate) / 1e18, label: "preferred return" });
  }
  for (const k of hurdleTiers(equity)) {
    out.push({ rate: Number(equity.tiers[k].rate) / 1e18, label: "LP hurdle" });
  }
  return out;
}

/**
 * Compiles a deal and a scenario for the paths.
 * @throws RangeError when the deal has ended (nothing left to simulate).
 */
export function prepareStress(deal: StressDeal, scenario: Scenario): StressSetup {
  const { terms, state } = deal;
  if (!isRunning(state.status))
    throw new RangeError(
      `the deal's status is ${statusName(state.status)}: there is nothing left to simulate`,
    );
  const first = state.nextPeriod;
  const periods = terms.periodCount - first;
  const notes = state.noteCount;
  const kwh = terms.oracle.unit === 1;
  const texts = [...terms.risk.fleet.map((e) => modelText(e.model)), deal.name];
  const market = marketFor(scenario, { kwh, texts });
  const utilization = { ...scenario.utilization, ...(market.utilization ?? {}) };
  if (deal.utilizationPct !== undefined) utilization.initialPct = deal.utilizationPct;
  const servicer = { ...scenario.servicer, ...(market.servicer ?? {}) };
  const start = terms.start;
  const L = BigInt(terms.periodLength);
  const scheduled = terms.tranches.slice(0, notes).map((t, i) => {
    const a = new Float64Array(periods);
    for (let k = 0; k < periods; k++)
      a[k] = Number(
        scheduledOutstandingUp(state.tranches[i].issued, t.principal, first + k, terms.periodCount),
      );
    return a;
  });
  const fleet = state.risk.fleet;
  const book = fleet.map((e) => {
    const a = new Float64Array(periods);
    for (let k = 0; k < periods; k++)
      a[k] = Number(entryValue(e, start + BigInt(first + k + 1) * L, 0n));
    return a;
  });
  const hasFeed =
    terms.risk.priceFeed.feed.toLowerCase() !== "0x0000000000000000000000000000000000000000";
  const indexAtAcquisition = fleet.map((e) => Number(e.terms.indexAtAcquisition));
  const referenceIndex = indexAtAcquisition.find((x) => x !== 0) ?? 0;
  const equityTranches = terms.tranches.slice(notes);
  // The term sheet's hurdles, then the scenario's at other rates; by rate.
  const hurdles = [...termSheetHurdles(terms.equity)];
  for (const p of scenario.report.equityHurdlesPct)
    if (!hurdles.some((h) => Math.abs(h.rate - p / 100) < 1e-12))
      hurdles.push({ rate: p / 100, label: `IRR ≥ ${p} %` });
  hurdles.sort((a, b) => a.rate - b.rate);
  return {
    deal,
    scenario,
    market,
    utilization,
    servicer,
    first,
    periods,
    dt: terms.periodLength / Number(YEAR),
    notes,
    classes: equityTranches.length,
    names: terms.tranches.map((t) => t.symbol || t.name),
    basis: state.tranches.slice(0, notes).map((t) => Number(t.outstanding)),
    equityCapital: state.tranches.slice(notes).map((t) => Number(t.issued)),
    equityIssued: state.tranches.slice(notes).some((t) => t.issued !== 0n),
    scheduled,
    book,
    cost: fleet.map((e) => Number(e.terms.unitCost) * e.activeCount),
    indexAtAcquisition,
    hasFeed,
    referenceIndex,
    capacityHours: (terms.oracle.fleetGpus * terms.periodLength) / 3600,
    kwh,
    triggers: terms.risk.triggers.map((t) => ({
      metric: t.metric,
      below: t.comparison === 0,
      threshold: Number(t.threshold) / Number(WAD),
      periods: t.periods,
      cures: t.cures,
      accelerates: t.effect === 1,
      label: triggerLabel(t.metric, t.comparison === 0, t.threshold, t.periods),
    })),
    hurdles,
    unit: 10 ** deal.decimals,
  };
}

function statusName(s: number): string {
  return Object.entries(DealStatus).find(([, v]) => v === s)?.[0] ?? String(s);
}
