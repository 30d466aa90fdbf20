/**
 * Mirrors the validation half of `contracts/libraries/RiskTermsLib.sol`: its limits and the checks a deal's risk
 * terms pass at creation and when fleet entries are added (the clone-argument encoding has no model). Also the risk
 * terms a model term sheet without covenants or collateral runs with. Pure: imports nothing from viem.
 */
import {
  DepreciationMethod,
  TriggerEffect,
  type FleetEntryTerms,
  type RiskTerms,
  type TriggerTerms,
} from "../types.js";
import { WAD } from "./math.js";
import { ZERO_ADDRESS } from "./types.js";

/** `RiskTermsLib` limits. */
export const MAX_TRIGGERS = 16;
export const MAX_FLEET_ENTRIES = 32;
export const MAX_TRAILING_PERIODS = 12;

/** Risk terms of a deal without covenants or collateral: 3-period trailing DSCR, 7-day waiver ballots, no feed. */
export const DEFAULT_RISK_TERMS: RiskTerms = Object.freeze({
  trailingPeriods: 3,
  cleanUpBps: 0,
  turbo: false,
  waiverVotingPeriod: 7 * 86_400,
  priceFeed: Object.freeze({ feed: ZERO_ADDRESS, decimals: 0, maxStaleness: 0 }),
  triggers: Object.freeze([]) as readonly TriggerTerms[],
  fleet: Object.freeze([]) as readonly FleetEntryTerms[],
  appraisalMaxAge: 0,
});

/**
 * Whether a fleet entry is well formed (`RiskTermsLib.fleetEntryValid`); `hasFeed`: the deal has a price feed. Land
 * (`DepreciationMethod.None`) has no life, no rate, a residual equal to its cost and no index mark.
 */
export function fleetEntryValid(e: FleetEntryTerms, hasFeed: boolean): boolean {
  if (e.count === 0 || e.unitCost === 0n || e.unitResidual > e.unitCost || e.acquiredAt === 0n)
    return false;
  if (e.method === DepreciationMethod.None)
    return (
      e.usefulLife === 0 &&
      e.yearlyRate === 0n &&
      e.unitResidual === e.unitCost &&
      e.indexAtAcquisition === 0n
    );
  if (e.usefulLife === 0) return false;
  const rateOk =
    e.method === DepreciationMethod.StraightLine
      ? e.yearlyRate === 0n
      : e.yearlyRate !== 0n && e.yearlyRate < WAD;
  if (!rateOk) return false;
  return e.indexAtAcquisition === 0n || hasFeed;
}

/**
 * Whether a trigger is well formed (`RiskTermsLib.triggerValid`): one period at least; acceleration latches. Every
 * metric is valid for any deal.
 */
export function triggerValid(t: TriggerTerms): boolean {
  if (t.periods === 0) return false;
  return !(t.effect === TriggerEffect.Accelerate && t.cures);
}
