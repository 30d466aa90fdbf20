/**
 * Period records (`periodStatements`' shape) from the SDK's pure model, for tests of the statement model: what the
 * chain's events would give for each simulated period.
 */
import {
  dealStatusName,
  type PeriodRecord,
  type PeriodSimulation,
  type RentReceipt,
  type TriggerTerms,
} from "../../sdk/index.js";

/**
 * The record `periodStatements` rebuilds for a period the model simulated; a site's `rentReceipts` are the rent its
 * tenants paid that the period counted (none by default).
 */
export function recordOf(
  sim: PeriodSimulation,
  triggers: readonly TriggerTerms[],
  rentReceipts: RentReceipt[] = [],
): PeriodRecord {
  const s = sim.statement;
  const d = sim.detail;
  const a = d.assessment;
  const notes = s.outstanding.length;
  // Written off at final maturity: equity first, then the notes bottom-up (`Deal._writeDownAll`).
  const writeDowns: PeriodRecord["writeDowns"] = [];
  for (const i of [notes, ...Array.from({ length: notes }, (_, k) => notes - 1 - k)]) {
    const amount = d.writtenOff[i];
    if (amount > 0n)
      writeDowns.push({
        tranche: i,
        amount,
        outstanding: 0n,
        writtenDown: sim.next.tranches[i].writtenDown,
      });
  }
  return {
    statement: s,
    rates: d.rates,
    interestDue: [...s.interestDue],
    interestArrears: s.interestDue.map((due, i) => due - s.interestPaid[i]),
    principalDue: d.principalDue,
    outstanding: [...s.outstanding],
    trusteeFeeArrears: s.trusteeFeeArrears,
    servicerFeeArrears: s.servicerFeeArrears,
    keeper: s.keeper,
    missedReports: s.reported ? undefined : BigInt(d.missedReports),
    residualRecipient: s.residualRecipient,
    modeName: dealStatusName(s.mode),
    triggers:
      triggers.length === 0
        ? undefined
        : {
            values: a.values,
            breachedMask: s.metrics.breachedMask,
            activeMask: s.metrics.activeMask,
            counts: a.counts,
          },
    fired: a.fired.map((i) => ({ trigger: i, value: a.values[i] })),
    cured: a.cured.map((i) => ({ trigger: i, value: a.values[i] })),
    indexRejection: undefined,
    appraisalRecorded: a.appraisalRecorded?.value,
    writeDowns,
    rentReceipts,
    blockNumber: 0n,
    transactionHash: "0x",
  };
}
