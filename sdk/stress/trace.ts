/**
 * What one path did, period by period, in numbers (stablecoin base units): what each note and each equity class
 * received, what each note still owes, the collateral's value, the waterfall's order and when each trigger first
 * fired. Both paths (exact and fast) fill the same shape, so they can be compared period by period. Pure: no viem.
 */
export interface PathTrace {
  periods: number;
  notes: number;
  classes: number;
  /** `notePaid[t·notes + i]`: interest and principal (recoveries included) note i received in period t. */
  notePaid: Float64Array;
  /** `notePrincipal[t·notes + i]`: the principal part of it. */
  notePrincipal: Float64Array;
  /** `noteOutstanding[t·notes + i]`: principal outstanding after period t (after a write-off at maturity). */
  noteOutstanding: Float64Array;
  /** `classCash[t·classes + j]`: what equity class j received in period t (a sale at maturity in the last). */
  classCash: Float64Array;
  /** The collateral's value the covenants measured in period t (fleet + recovery account). */
  collateral: Float64Array;
  /** The waterfall's order in period t: 1 Active, 2 CashTrap, 3 Accelerated (`DealStatus`). */
  mode: Uint8Array;
  /** Per trigger, the first simulated period it fired in (−1: never). */
  triggerFirst: Int32Array;
  /** Per note, principal written off at the end (after any recoveries). */
  writtenOff: Float64Array;
  /** First simulated period in the Accelerated order (−1: none). */
  accelerated: number;
  /** The period whose distribution received the collateral's sale proceeds (−1: not sold; `periods`: at maturity). */
  saleAt: number;
  saleProceeds: number;
  /** Status at the end: 4 Repaid, 5 Defaulted. */
  finalStatus: number;
}

export function newTrace(
  periods: number,
  notes: number,
  classes: number,
  triggers: number,
): PathTrace {
  return {
    periods,
    notes,
    classes,
    notePaid: new Float64Array(periods * notes),
    notePrincipal: new Float64Array(periods * notes),
    noteOutstanding: new Float64Array(periods * notes),
    classCash: new Float64Array(periods * Math.max(classes, 1)),
    collateral: new Float64Array(periods),
    mode: new Uint8Array(periods),
    triggerFirst: new Int32Array(triggers).fill(-1),
    writtenOff: new Float64Array(notes),
    accelerated: -1,
    saleAt: -1,
    saleProceeds: 0,
    finalStatus: 0,
  };
}

/**
 * Sale proceeds of the collateral in simulated period `t` at `haircut` (fraction): each fleet entry at the lower of
 * its book value and its index-implied value (cost × price now / price at acquisition), less the haircut, rounded
 * down to a base unit. Land (no depreciation) is valued at cost and marked to the index the same way.
 */
export function saleProceeds(
  book: readonly Float64Array[],
  cost: readonly number[],
  ratio: number,
  t: number,
  haircut: number,
): number {
  let v = 0;
  for (let e = 0; e < book.length; e++) {
    const implied = cost[e] * ratio;
    const b = book[e][t];
    v += b < implied ? b : implied;
  }
  return Math.floor(v * (1 - haircut));
}
