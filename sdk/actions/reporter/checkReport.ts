import { erc20Abi, getAddress, isAddressEqual, type Address } from "viem";
import { getBlock, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { ReportRefusedError } from "../../errors.js";
import { dealAbi, utilizationOracleAbi } from "../../generated/abis.js";
import { utilizationDown } from "../../models/waterfall.js";
import { formatEnergyMwh, formatPue } from "../../format.js";
import { formatSignificantAmount, formatTime, formatWadPercent } from "../../revertFormat.js";
import {
  CapacityUnit,
  MAX_PUE,
  PUE_SCALE,
  ReportState,
  type UtilizationReport,
} from "../../types.js";

export interface CheckReportParameters {
  /** The full struct to be signed (`prepareReport`). */
  report: UtilizationReport;
  /** Who signs it. */
  signer: Address;
  /**
   * Every reporter of the deal will sign: a utilization step above the oracle's maximum is then allowed (with fewer
   * signatures the oracle refuses it).
   */
  allReporters?: boolean;
}

export interface CheckReportReturnType {
  /** The chain's time the checks read. */
  now: bigint;
  /** When the period ended. */
  endsAt: bigint;
  /** The period's report deadline: the report must be submitted before it. */
  deadline: bigint;
  /** The report's utilization (WAD) and its largest step from a neighbouring period's pending or final report. */
  utilization: bigint;
  step: bigint;
  /** Whether the step needs every reporter's signature. */
  needsAllReporters: boolean;
}

const HOUR = 3_600n;

/** Seconds as a short duration: "45 s", "2 min 5 s", "3 d 4 h". */
function duration(seconds: bigint): string {
  const parts: string[] = [];
  let left = seconds;
  for (const [unit, size] of [
    ["d", 86_400n],
    ["h", 3_600n],
    ["min", 60n],
    ["s", 1n],
  ] as const) {
    if (left >= size && parts.length < 2) {
      parts.push(`${left / size} ${unit}`);
      left %= size;
    }
  }
  return parts.length ? parts.join(" ") : "0 s";
}

/**
 * What the oracle's `submitReport` would refuse about a report, checked before anyone signs it, with the oracle's own
 * rules (`UtilizationOracle._checkBinding`, `_checkRound`, `_checkBounds`): the signer is a reporter of the deal's
 * current set; the struct names that set, the deal's oracle, the chain and the period's open round; the period is one
 * of the deal's, has ended, was not distributed, has no pending, final or unreported report and its report deadline
 * has not passed; capacity billed ≤ available ≤ fleet GPUs (or kW) × hours in the period; revenue ≤ billed × the
 * maximum price per unit; energy and PUE together or not at all, PUE in [1.0, 3.0]; for a kWh deal, energy and PUE
 * stated when capacity is billed and IT energy (energy / PUE) ≤ the site's capacity over the period; a utilization
 * step above the maximum from a neighbouring period's report only when every reporter signs. Throws a {@link ReportRefusedError} (its `errorName` is the oracle's, or the deal's, error) on the
 * first refusal; returns what it read otherwise.
 *
 * @example
 * const report = await prepareReport(client, { report: content });
 * await checkReport(client, { report, signer: account.address }); // throws ReportRefusedError
 */
export async function checkReport(
  client: CascadeClient,
  params: CheckReportParameters,
): Promise<CheckReportReturnType> {
  const r = params.report;
  const signer = getAddress(params.signer);
  const { deal, period } = r;
  const read = <T>(fn: () => Promise<T>) => withErrors(fn);
  const [oracle, periodCount, nextPeriod, periodLength, stablecoin, block] = await Promise.all([
    read(() => readContract(client, { address: deal, abi: dealAbi, functionName: "oracle" })),
    read(() => readContract(client, { address: deal, abi: dealAbi, functionName: "periodCount" })),
    read(() => readContract(client, { address: deal, abi: dealAbi, functionName: "nextPeriod" })),
    read(() => readContract(client, { address: deal, abi: dealAbi, functionName: "periodLength" })),
    read(() => readContract(client, { address: deal, abi: dealAbi, functionName: "stablecoin" })),
    read(() => getBlock(client, { blockTag: "latest" })),
  ]);
  const now = block.timestamp;
  const at = { address: oracle, abi: utilizationOracleAbi } as const;
  const [terms, setId, member, decimals, symbol] = await Promise.all([
    read(() => readContract(client, { ...at, functionName: "terms", args: [deal] })),
    read(() => readContract(client, { ...at, functionName: "reporterSet", args: [deal] })),
    read(() => readContract(client, { ...at, functionName: "isReporter", args: [deal, signer] })),
    read(() =>
      readContract(client, { address: stablecoin, abi: erc20Abi, functionName: "decimals" }),
    ),
    read(() =>
      readContract(client, { address: stablecoin, abi: erc20Abi, functionName: "symbol" }),
    ),
  ]);
  const money = (v: bigint) => `${formatSignificantAmount(v, decimals)} ${symbol}`;
  const refuse = (errorName: string, message: string, details: Record<string, unknown> = {}) =>
    new ReportRefusedError(errorName, message, { deal, period, signer, ...details });

  if (terms.reporters.length === 0)
    throw refuse("DealNotRegistered", `deal ${deal} is not registered at the oracle ${oracle}`);
  if (!member)
    throw refuse(
      "NotReporter",
      `${signer} is not a reporter of deal ${deal}; its reporters are ${terms.reporters.join(", ")}`,
      { reporters: terms.reporters },
    );
  // What binds the signature: a struct for another chain, oracle or set would never be accepted.
  const chainId = client.chain?.id;
  if (chainId !== undefined && r.chainId !== BigInt(chainId))
    throw refuse(
      "ReportWrongChain",
      `the report names chain ${r.chainId}; the node is chain ${chainId}`,
    );
  if (!isAddressEqual(r.oracle, oracle))
    throw refuse(
      "ReportStaleDomain",
      `the report names oracle ${r.oracle}; deal ${deal}'s oracle is ${oracle}`,
    );
  if (r.reporterSet !== setId)
    throw refuse(
      "ReportStaleReporterSet",
      `the report names reporter set ${r.reporterSet}; deal ${deal}'s current set is ${setId}`,
    );
  if (period >= periodCount)
    throw refuse(
      "ReportPeriodOutOfRange",
      `deal ${deal} has ${periodCount} periods (0 – ${periodCount - 1n}); period ${period} is not one of them`,
    );
  const endsAt = BigInt(
    await read(() =>
      readContract(client, {
        address: deal,
        abi: dealAbi,
        functionName: "periodEnd",
        args: [period],
      }),
    ),
  );
  if (now < endsAt)
    throw refuse(
      "ReportPeriodNotEnded",
      `period ${period} of deal ${deal} has not ended: it ends at ${formatTime(endsAt)} ` +
        `(in ${duration(endsAt - now)}); sign its report from then on`,
      { endsAt },
    );
  if (period < nextPeriod)
    throw refuse(
      "WaterfallPeriodAlreadyDistributed",
      `period ${period} of deal ${deal} was distributed already (the deal's next period is ${nextPeriod})`,
    );
  const [stored, previous, next, deadline] = await Promise.all([
    read(() => readContract(client, { ...at, functionName: "getReport", args: [deal, period] })),
    period === 0n
      ? undefined
      : read(() =>
          readContract(client, { ...at, functionName: "getReport", args: [deal, period - 1n] }),
        ),
    period + 1n >= periodCount
      ? undefined
      : read(() =>
          readContract(client, { ...at, functionName: "getReport", args: [deal, period + 1n] }),
        ),
    read(() =>
      readContract(client, { ...at, functionName: "reportDeadline", args: [deal, period] }),
    ),
  ]);
  if (stored.state === ReportState.Unreported)
    throw refuse(
      "ReportPeriodUnreported",
      `period ${period} of deal ${deal} was marked unreported; it takes no report`,
    );
  if (stored.state === ReportState.Final)
    throw refuse(
      "ReportAlreadyProposed",
      `period ${period} of deal ${deal} has a final report already (round ${stored.round}); it takes no other`,
      { round: stored.round },
    );
  if (stored.state === ReportState.Pending)
    throw refuse(
      "ReportAlreadyProposed",
      `period ${period} of deal ${deal} has a report pending in round ${stored.round} until ` +
        `${formatTime(stored.proposedAt + BigInt(terms.disputeWindow))}; a reporter or the guardian may dispute ` +
        `it, which opens round ${stored.round + 1}`,
      { round: stored.round },
    );
  if (r.round < stored.round)
    throw refuse(
      "ReportReplayed",
      `round ${r.round} of period ${period} was voided by a dispute; round ${stored.round} is open`,
    );
  if (r.round > stored.round)
    throw refuse(
      "ReportRoundNotOpen",
      `the report names round ${r.round}; round ${stored.round} of period ${period} is the open one`,
    );
  if (now >= deadline)
    throw refuse(
      "ReportDeadlinePassed",
      `the report deadline of period ${period} of deal ${deal} passed at ${formatTime(deadline)}; the period ` +
        "takes no more reports and is distributed as unreported",
      { deadline },
    );

  // Bounds, as `_checkBounds` computes them.
  const kwh = terms.unit === CapacityUnit.KilowattHours;
  const unit = kwh ? "kWh" : "GPU-hours";
  if (r.gpuHoursBilled > r.gpuHoursAvailable)
    throw refuse(
      "BilledExceedsAvailable",
      `${r.gpuHoursBilled} ${unit} billed > ${r.gpuHoursAvailable} available`,
    );
  const maxAvailable = (BigInt(terms.fleetGpus) * BigInt(periodLength)) / HOUR;
  const capacity = kwh
    ? `the site's ${terms.fleetGpus} kW of IT capacity`
    : `the fleet's ${terms.fleetGpus} GPUs`;
  if (r.gpuHoursAvailable > maxAvailable)
    throw refuse(
      "AvailableExceedsFleet",
      `${r.gpuHoursAvailable} ${unit} available > ${maxAvailable}, ${capacity} over the ` +
        `period's ${duration(BigInt(periodLength))}`,
      { maxAvailable },
    );
  const maxPrice = BigInt(terms.maxPricePerGpuHour);
  const maxRevenue = r.gpuHoursBilled * maxPrice;
  if (r.revenue > maxRevenue)
    throw refuse(
      "RevenueExceedsBound",
      `revenue ${money(r.revenue)} > ${money(maxRevenue)}: ${r.gpuHoursBilled} ${unit} billed × the maximum ` +
        `${money(maxPrice)} per ${kwh ? "kWh" : "GPU-hour"}`,
      { maxRevenue },
    );
  // Energy and PUE, as `_checkFacility`.
  const energy = r.energyKwh;
  const pue = BigInt(r.pue);
  if ((energy === 0n) !== (pue === 0n))
    throw refuse(
      "EnergyPueMismatch",
      energy === 0n
        ? `the report states a PUE of ${formatPue(pue)} without the energy drawn; state both or neither`
        : `the report states ${formatEnergyMwh(energy)} drawn without a PUE; state both or neither`,
    );
  if (kwh && energy === 0n && r.gpuHoursBilled !== 0n)
    throw refuse(
      "EnergyNotReported",
      `deal ${deal} is a data-center deal: a report that bills capacity (${r.gpuHoursBilled} kWh) states the ` +
        "energy drawn and the PUE",
    );
  if (pue !== 0n && (pue < BigInt(PUE_SCALE) || pue > BigInt(MAX_PUE)))
    throw refuse(
      "PueOutOfRange",
      `a PUE of ${formatPue(pue)} is outside ${formatPue(PUE_SCALE)} – ${formatPue(MAX_PUE)}`,
    );
  if (kwh && energy !== 0n) {
    const scaled = energy * BigInt(PUE_SCALE);
    const itEnergy = (scaled + pue - 1n) / pue;
    if (itEnergy > maxAvailable)
      throw refuse(
        "ItEnergyExceedsCapacity",
        `IT energy ${formatEnergyMwh(itEnergy)} (${formatEnergyMwh(energy)} at a PUE of ${formatPue(pue)}) > ` +
          `${formatEnergyMwh(maxAvailable)}, ${capacity} over the period's ${duration(BigInt(periodLength))}`,
        { itEnergy, maxAvailable },
      );
  }
  const utilization = utilizationDown(r.gpuHoursAvailable, r.gpuHoursBilled);
  let step = 0n;
  let neighbour: { period: bigint; utilization: bigint } | undefined;
  for (const [p, n] of [
    [period - 1n, previous],
    [period + 1n, next],
  ] as const) {
    if (n === undefined || (n.state !== ReportState.Pending && n.state !== ReportState.Final))
      continue;
    const u = utilizationDown(n.gpuHoursAvailable, n.gpuHoursBilled);
    const d = u > utilization ? u - utilization : utilization - u;
    if (d > step) {
      step = d;
      neighbour = { period: p, utilization: u };
    }
  }
  const maxStep = BigInt(terms.maxUtilizationStep);
  const needsAllReporters = step > maxStep;
  if (needsAllReporters && !params.allReporters && terms.threshold < terms.reporters.length)
    throw refuse(
      "UtilizationStepNeedsAllReporters",
      `utilization ${formatWadPercent(utilization)} moves by ${formatWadPercent(step)} from period ` +
        `${neighbour?.period}'s ${formatWadPercent(neighbour?.utilization ?? 0n)}, more than the ` +
        `${formatWadPercent(maxStep)} allowed: every one of the ${terms.reporters.length} reporters must sign`,
      { step, maxStep },
    );
  return { now, endsAt, deadline: BigInt(deadline), utilization, step, needsAllReporters };
}
