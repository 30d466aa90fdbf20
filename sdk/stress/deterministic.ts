/**
 * Deterministic stresses on the exact model: the scenario's named stresses (yearly rental-price declines, a
 * utilization collapse, a crypto crash with a servicer shortfall) and the break-evens — for each note, the steepest
 * yearly price decline and the deepest utilization drop it survives without losing principal, found by bisection on
 * the exact model (the chain's numbers to the wei). Pure: no viem.
 */
import { runExact } from "./exact.js";
import { deterministicMarket, type DeterministicStress } from "./market.js";
import type { StressSetup } from "./setup.js";
import { newPathBlock, summarize } from "./summary.js";

/** What a deterministic stress did to each tranche. */
export interface StressOutcome {
  name: string;
  /** Per note: principal lost (fraction of basis) and yearly IRR. */
  loss: number[];
  irr: number[];
  /** All equity together: yearly IRR and cash as a multiple of capital (NaN without equity). */
  equityIrr: number;
  equityMultiple: number;
  /** First simulated period a trigger fired and its label (−1 / "": none); first period accelerated (−1: none). */
  firstTrigger: number;
  firstTriggerLabel: string;
  accelerated: number;
  /** Equity cash before the first trigger, a fraction of equity capital. */
  leakage: number;
}

/** Runs one deterministic stress through the exact model. */
export function runStressCase(s: StressSetup, stress: DeterministicStress): StressOutcome {
  const { trace } = runExact(s, deterministicMarket(s, stress));
  const block = newPathBlock(s, 0, 1);
  summarize(s, trace, block, 0, new Float64Array(s.periods + 1));
  const n = s.notes;
  const c = s.classes;
  let firstLabel = "";
  const first = block.firstTrigger[0];
  if (first >= 0)
    firstLabel = s.triggers
      .filter((_, j) => trace.triggerFirst[j] === first)
      .map((t) => t.label)
      .join(", ");
  const capital = s.equityCapital.reduce((a, x) => a + x, 0);
  return {
    name: stress.name,
    loss: Array.from(block.loss.subarray(0, n)),
    irr: Array.from(block.irr.subarray(0, n)),
    equityIrr: c === 0 ? Number.NaN : block.equityIrr[c],
    equityMultiple: capital === 0 ? Number.NaN : block.equityCash[0] / capital,
    firstTrigger: first,
    firstTriggerLabel: firstLabel,
    accelerated: block.accelerated[0],
    leakage: capital === 0 ? 0 : block.leakage[0] / capital,
  };
}

/** The base utilization of the deterministic stresses (fraction): the scenario's starting level. */
function baseUtilization(s: StressSetup): number {
  return s.utilization.initialPct / 100;
}

/** The scenario's median yearly price decline (fraction; negative when prices rise). */
function medianDecline(s: StressSetup): number {
  return -s.market.driftPctPerYear / 100;
}

/** The scenario's named stresses: flat utilization with each yearly decline, a utilization collapse, a crypto crash. */
export function namedStresses(s: StressSetup): DeterministicStress[] {
  const d = s.scenario.deterministic;
  const u = baseUtilization(s);
  const median = medianDecline(s);
  const list: DeterministicStress[] = [
    { name: `median market (${fmtPct(-median)}/yr)`, decline: median, utilization: () => u },
    ...d.declinesPctPerYear.map((x) => ({
      name: `price −${x} %/yr`,
      decline: x / 100,
      utilization: () => u,
    })),
    {
      name: `utilization collapse to ${d.collapseToPct} % from period ${d.collapseAtPeriod + 1}`,
      decline: median,
      utilization: (t: number) => (t >= d.collapseAtPeriod ? d.collapseToPct / 100 : u),
    },
    {
      name: `crypto crash: servicer keeps back ${d.crashShortfallPct} % for ${d.crashPeriods} periods`,
      decline: median,
      utilization: () => u,
      keepBack: (t: number) =>
        t >= d.crashAtPeriod && t < d.crashAtPeriod + d.crashPeriods
          ? d.crashShortfallPct / 100
          : 0,
    },
  ];
  return list;
}

function fmtPct(x: number): string {
  return `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(0)} %`;
}

/** A note's break-even: the stress it survives without loss, to `tolerance`. */
export interface BreakEven {
  name: string;
  /** Steepest yearly price decline survived (fraction; `undefined`: it loses even with flat prices). */
  decline: number | undefined;
  /** The search ran to the top of its range (99 %/yr) without a loss. */
  declineCapped: boolean;
  /** Deepest utilization drop survived, in points (fraction) below the base from the first period (undefined: none). */
  utilizationDrop: number | undefined;
  utilizationCapped: boolean;
  /** The base utilization the drop is measured from (fraction). */
  baseUtilization: number;
}

/** Bisection tolerance of the break-evens: 0.05 % a year and 0.05 points of utilization. */
export const BREAK_EVEN_TOLERANCE = 0.0005;

/**
 * The largest x in [0, hi] where `survives(x)` holds, assuming it holds below some point and fails above; to
 * `tolerance`. Returns undefined when it fails at 0, and `capped` when it holds at `hi`.
 */
export function bisect(
  survives: (x: number) => boolean,
  hi: number,
  tolerance = BREAK_EVEN_TOLERANCE,
): { value: number | undefined; capped: boolean } {
  if (!survives(0)) return { value: undefined, capped: false };
  if (survives(hi)) return { value: hi, capped: true };
  let lo = 0;
  let top = hi;
  while (top - lo > tolerance) {
    const mid = (lo + top) / 2;
    if (survives(mid)) lo = mid;
    else top = mid;
  }
  return { value: lo, capped: false };
}

/**
 * Each note's break-evens on the exact model: the steepest yearly price decline with utilization flat at its base,
 * and the deepest utilization drop (from the first period, prices at the scenario's median decline), it survives
 * without losing principal.
 */
export function breakEvens(s: StressSetup, tolerance = BREAK_EVEN_TOLERANCE): BreakEven[] {
  const u = baseUtilization(s);
  const median = medianDecline(s);
  const lossOf = (stress: DeterministicStress) => runStressCase(s, stress).loss;
  return Array.from({ length: s.notes }, (_, i) => {
    const d = bisect(
      (x) => lossOf({ name: "", decline: x, utilization: () => u })[i] === 0,
      0.99,
      tolerance,
    );
    const v = bisect(
      (x) => lossOf({ name: "", decline: median, utilization: () => u - x })[i] === 0,
      u,
      tolerance,
    );
    return {
      name: s.names[i],
      decline: d.value,
      declineCapped: d.capped,
      utilizationDrop: v.value,
      utilizationCapped: v.capped,
      baseUtilization: u,
    };
  });
}
