/**
 * Every custom error of the Cascade ABIs as a sentence a person reads: amounts in stablecoin units with the token's
 * symbol, times as UTC dates (ISO 8601), basis points and WAD ratios as percents, addresses as they are, enum values
 * by name. `formatRevert({ errorName, namedArgs }, units)` gives `Name: sentence`, e.g.
 * `BelowMinimumTicket: 10.00 < minimum 100,000.00 USDC`.
 *
 * The units (the stablecoin's decimals and symbol, the chain's time) come from the caller: `revertUnits` in
 * `revertUnits.ts` reads them for the contract that reverted. Without decimals an amount is shown in base units.
 * This file imports nothing from viem's clients: it is pure formatting.
 */
import { formatUnits, keccak256, toBytes } from "viem";

import { transferRestrictionMessage } from "./compliance.js";
import { formatEnergyMwh, formatPue } from "./format.js";
import {
  dealStatusName,
  FleetEntryStatus,
  ORACLE_TERMS_FIELDS,
  TERM_SHEET_FIELDS,
} from "./types.js";

/** What turns a revert's numbers into human units. */
export interface RevertUnits {
  /** Decimals of the amounts: the stablecoin's (tranche tokens have the same). */
  decimals?: number;
  /** The symbol after an amount: the stablecoin's, or the tranche token's for a token's own errors. */
  symbol?: string;
  /** The chain's time when the call was made (unix seconds): tells a window that has not opened from one that closed. */
  now?: bigint;
}

/** A decoded revert: its error name and its arguments by parameter name (enum arguments as numbers). */
export interface DecodedRevert {
  errorName: string;
  namedArgs: Readonly<Record<string, unknown>>;
}

/** The formatting helpers a sentence is built with. */
export interface RevertFormatter {
  /** An amount without its symbol: `10.00` (base units when the decimals are unknown). */
  amount(v: unknown): string;
  /** An amount with the symbol: `100,000.00 USDC`. */
  money(v: unknown): string;
  /** Unix seconds as a UTC date: `2026-03-01T12:00:00Z`. */
  time(v: unknown): string;
  /** A WAD ratio (1e18 = 100 %) as a percent: `25.00 %`. */
  wad(v: unknown): string;
  /** An integer with thousands separators: `1,474,560`. */
  int(v: unknown): string;
  /** A value as it is (addresses, hashes). */
  raw(v: unknown): string;
  /** A `DealStatus` argument by name. */
  status(v: unknown): string;
  /** A role id by name (`SERVICER_ROLE`), else the raw id. */
  role(v: unknown): string;
  /** Whether `t` is after the chain's time (undefined when the time is unknown). */
  future(t: unknown): boolean | undefined;
}

type Format = (a: Readonly<Record<string, unknown>>, f: RevertFormatter) => string;

const big = (v: unknown): bigint | undefined =>
  typeof v === "bigint"
    ? v
    : typeof v === "number" && Number.isInteger(v)
      ? BigInt(v)
      : typeof v === "string" && /^-?\d+$/.test(v)
        ? BigInt(v)
        : undefined;

/** Thousands separators on the integer part. */
function group(whole: string): string {
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  return (negative ? "-" : "") + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Base units as a decimal with separators, at least two decimals and every significant one: 10.00, 0.000001. */
export function formatSignificantAmount(units: bigint, decimals: number): string {
  const [whole, fraction = ""] = formatUnits(units, decimals).split(".");
  const shown = fraction.replace(/0+$/, "").padEnd(Math.min(2, decimals), "0");
  return shown ? `${group(whole)}.${shown}` : group(whole);
}

/** Unix seconds as an ISO 8601 UTC time without milliseconds (the raw value when it is not a time). */
export function formatTime(seconds: unknown): string {
  const n = big(seconds);
  return n !== undefined && n >= 0n && n < 253_402_300_800n
    ? new Date(Number(n) * 1000).toISOString().replace(".000Z", "Z")
    : String(seconds);
}

/** A WAD ratio as a percent with two decimals, rounded down: 0.25e18 → "25.00 %". */
export function formatWadPercent(wad: bigint): string {
  const hundredths = wad / 10n ** 14n; // 1e18 = 100.00 % = 10 000 hundredths
  const sign = hundredths < 0n ? "-" : "";
  const abs = hundredths < 0n ? -hundredths : hundredths;
  return `${sign}${group((abs / 100n).toString())}.${(abs % 100n).toString().padStart(2, "0")} %`;
}

const ROLE_NAMES: Readonly<Record<string, string>> = {
  [`0x${"0".repeat(64)}`]: "DEFAULT_ADMIN_ROLE (the issuer admin)",
  [keccak256(toBytes("cascade.role.servicer"))]: "SERVICER_ROLE",
  [keccak256(toBytes("cascade.role.guardian"))]: "GUARDIAN_ROLE",
  [keccak256(toBytes("cascade.role.guardian-admin"))]: "the guardian-admin role (held by nobody)",
  [keccak256(toBytes("cascade.role.compliance-agent"))]: "COMPLIANCE_AGENT_ROLE",
  [keccak256(toBytes("cascade.role.registrar"))]: "REGISTRAR_ROLE",
  [keccak256(toBytes("cascade.role.publisher"))]: "PUBLISHER_ROLE",
};

const FLEET_ENTRY_STATUS = Object.keys(FleetEntryStatus);

const enumName = (names: readonly string[], v: unknown): string => {
  const n = big(v);
  return n !== undefined && n >= 0n && n < BigInt(names.length) ? names[Number(n)] : String(v);
};

const s = (n: unknown, word: string) => `${String(n)} ${word}${big(n) === 1n ? "" : "s"}`;

/**
 * The sentence of every error of the Cascade ABIs (OpenZeppelin's included), by name. A test checks that every
 * error the ABIs declare has one.
 */
export const REVERT_FORMATS: Readonly<Record<string, Format>> = {
  // ---------------------------------------------------------------- Deal
  InvalidTermSheet: (a) => `the term sheet is invalid at ${termSheetField(a.field, a.index)}`,
  WaterfallPeriodNotEnded: (a, f) =>
    `period ${String(a.period)} ends at ${f.time(a.endsAt)}; it cannot be distributed before`,
  WaterfallPeriodNotReady: (a) =>
    `periods are distributed in order: period ${String(a.nextDistributable)} comes before period ${String(a.period)}`,
  WaterfallPeriodAlreadyDistributed: (a) => `period ${String(a.period)} was distributed already`,
  WaterfallPeriodBeyondMaturity: (a) =>
    `the deal has ${s(a.periodCount, "period")} (0 – ${String((big(a.periodCount) ?? 1n) - 1n)}); period ${String(a.period)} is not one of them`,
  InvalidUpkeep: () =>
    "the upkeep data is malformed, asks for zero periods or names the zero address as bounty recipient",
  DealNotActive: (a, f) =>
    `the deal is ${f.status(a.status)}; this needs it Active, CashTrap or Accelerated`,
  DealEnded: (a, f) => `the deal has ended (${f.status(a.status)}); it takes no more collections`,
  NotTrustee: (a) => `${f0(a.caller)} is not the deal's trustee`,
  NotRiskEngine: (a) => `${f0(a.caller)} is not the deal's risk engine`,
  NotTenant: (a) =>
    `${f0(a.caller)} is not a tenant deal of this site; only the tenants its factory registered pay it rent`,
  NotFactory: (a) =>
    `${f0(a.caller)} is not the factory that created the deal; only it registers the deal's tenants`,
  NotDelegated: () =>
    "the extension was called directly: its functions run only through a deal (or a tranche token)",
  WriteDownNotAllowed: (a, f) =>
    `a write-down follows an event of default (Accelerated); the deal is ${f.status(a.status)}`,
  RecoveriesNotExhausted: (a, f) =>
    `cash is still held — collections ${f.amount(a.collections)}, reserve ${f.amount(a.reserve)}, recoveries ` +
    `${f.money(a.recoveries)}: it must be distributed before a write-down`,
  InvalidWriteDown: (a, f) =>
    `a write-down must be above zero and at most the notes' outstanding principal: ${f.amount(a.amount)} of ` +
    `${f.money(a.outstanding)}`,
  CleanUpNotAllowed: (a, f) =>
    `senior principal outstanding ${f.amount(a.senior)} is above the clean-up threshold ${f.money(a.threshold)}`,
  CleanUpPeriodPending: (a) =>
    `period ${String(a.period)} has ended and must be distributed before a clean-up call`,
  ZeroAmount: () => "the amount is zero",
  UnsupportedTokenTransfer: (a, f) =>
    `the token moved ${f.amount(a.received)} instead of ${f.money(a.expected)} (fee-on-transfer tokens are not supported)`,
  NotTrancheOffering: (a) =>
    `${f0(a.caller)} is not the offering of tranche ${String(a.tranche)}; only it settles the tranche`,
  UnknownTranche: (a) => `the deal has no tranche ${String(a.tranche)}`,
  NoFeesOwed: (a) =>
    `no fees are owed to ${f0(a.caller)}: it is neither the trustee nor the servicer, or nothing is credited to it`,
  NoResidualOwed: (a) =>
    `no residual is owed to ${f0(a.caller)}: it is not the issuer, or nothing is credited to it`,
  NotGuardianProposer: (a) =>
    `${f0(a.caller)} is neither the guardian nor the issuer admin, who alone propose or cancel a change of guardian`,
  InvalidGuardian: (a) =>
    `${f0(a.guardian)} cannot be proposed as guardian (the zero address, or the guardian already)`,
  NoGuardianChangePending: () => "no change of guardian is pending",
  GuardianChangeNotReady: (a, f) => `the pending change of guardian applies from ${f.time(a.eta)}`,

  // ---------------------------------------------------------------- DealFactory
  ZeroAddress: () => "an address is the zero address",
  IssuerConsentRequired: (a) =>
    `only the term sheet's issuer ${f0(a.issuer)} may send createDeal, not ${f0(a.caller)}; another account ` +
    "submits the issuer's signed consent with createDealWithConsent",
  ConsentExpired: (a, f) => `the issuer's consent was valid until ${f.time(a.deadline)}`,
  InvalidIssuerSignature: (a) =>
    `the signature is not ${f0(a.issuer)}'s consent to this term sheet with its current nonce (another signer, ` +
    "other terms, another factory or chain, or a consent already used)",
  UnexpectedAddress: (a) =>
    `a clone landed at ${f0(a.created)}, not at the address predicted from the factory's nonce`,
  UnknownDeal: (a) => `the factory created no deal ${String(a.index)}`,
  CloneArgumentsTooLong: () => "the term sheet does not fit a clone's immutable arguments",
  FailedDeployment: () => "a contract deployment failed",
  InsufficientBalance: (a, f) =>
    `the contract holds ${f.int(a.balance)} wei of the native coin, ${f.int(a.needed)} needed`,
  InvalidAccountNonce: (a) =>
    `the nonce is not ${f0(a.account)}'s current one, ${String(a.currentNonce)}`,
  InvalidShortString: () => "a short string is invalid",
  StringTooLong: (a) => `"${String(a.str)}" is too long`,

  // ---------------------------------------------------------------- TrancheToken
  AlreadyIssued: () => "the tranche was issued already",
  TransferRestricted: (a) =>
    `the transfer is refused (restriction ${String(a.code)}): ${transferRestrictionMessage(Number(a.code))}`,
  ClaimRestricted: (a) =>
    `${f0(a.account)} may not claim now (restriction ${String(a.code)}): ` +
    `${transferRestrictionMessage(Number(a.code))} Its cash stays accrued until it may`,
  VoteRestricted: (a) =>
    `${f0(a.voter)} may not vote now (restriction ${String(a.code)}): ${transferRestrictionMessage(Number(a.code))}`,
  ERC20InsufficientAllowance: (a, f) =>
    `${f0(a.spender)} may spend ${f.amount(a.allowance)}, ${f.money(a.needed)} needed (approve more first)`,
  ERC20InsufficientBalance: (a, f) =>
    `${f0(a.sender)} holds ${f.amount(a.balance)}, ${f.money(a.needed)} needed`,
  ERC20InvalidApprover: (a) => `${f0(a.approver)} cannot approve (the zero address)`,
  ERC20InvalidReceiver: (a) => `${f0(a.receiver)} cannot receive tokens (the zero address)`,
  ERC20InvalidSender: (a) => `${f0(a.sender)} cannot send tokens (the zero address)`,
  ERC20InvalidSpender: (a) => `${f0(a.spender)} cannot be approved (the zero address)`,
  ERC2612ExpiredSignature: (a, f) => `the permit was valid until ${f.time(a.deadline)}`,
  ERC2612InvalidSigner: (a) =>
    `the permit was signed by ${f0(a.signer)}, not by the owner ${f0(a.owner)}`,
  FreezeExceedsBalance: (a, f) =>
    `freezing ${f.amount(a.amount)} more would freeze more than ${f0(a.account)}'s balance ${f.money(a.balance)} ` +
    `(${f.amount(a.frozen)} frozen already)`,
  IndexOverflow: () => "the tranche's cash index would exceed its storage width",
  NotComplianceAgent: (a) =>
    `${f0(a.caller)} is not a compliance agent of the tranche's investor registry`,
  NotDeal: (a) => `${f0(a.caller)} is not the deal; only the deal may call`,
  NotClassToken: (a) =>
    `${f0(a.caller)} is not a class token of this equity waterfall; only a class token has its holders' claims paid`,
  NotDistributor: (a) =>
    `${f0(a.caller)} is not the tranche's distributor (the deal, or its equity waterfall); only it announces distributions`,
  NotOffering: (a) => `${f0(a.caller)} is not the tranche's offering; only it may call`,
  NothingToClaim: () => "there is nothing to claim",
  NothingToRecover: (a) =>
    `${f0(a.wallet)} holds neither tokens nor unclaimed cash: there is nothing to recover`,
  ProtectedAccount: (a) =>
    `${f0(a.account)} is the offering's account of undelivered shares: agents cannot move or freeze it`,
  SameWallet: (a) => `${f0(a.wallet)} cannot be recovered to itself`,
  TokenPaused: () => "transfers and claims of the tranche are paused",
  TokensLocked: (a, f) =>
    `${f0(a.account)} voted on a waiver; its tokens stay put until ${f.time(a.until)}`,
  UnfreezeExceedsFrozen: (a, f) =>
    `only ${f.amount(a.frozen)} of ${f0(a.account)}'s balance is frozen; ${f.money(a.amount)} cannot be released`,
  SafeCastOverflowedUintDowncast: (a, f) =>
    `${f.int(a.value)} does not fit the ${String(a.bits)}-bit field that holds it`,
  SafeERC20FailedOperation: (a) => `the token ${f0(a.token)} refused or failed a transfer`,

  // ---------------------------------------------------------------- EquityWaterfall
  NotCapitalEventDepositor: (a) =>
    `${f0(a.caller)} is neither the deal's issuer nor its servicer, who alone deposit capital events`,
  DealNotRepaid: (a, f) =>
    `the deal is ${f.status(a.status)}; capital events go straight to the equity waterfall once it is Repaid`,
  DealPaused: () => "the deal is paused",
  NoEquityIssued: () => "no equity class holds tokens: there is nobody to pay",
  UnknownClass: (a) => `the equity waterfall has no class ${String(a.index)}`,

  // ---------------------------------------------------------------- Offering
  AsyncPreviewUnsupported: () => "previews are meaningless for asynchronous deposits (ERC-7540)",
  BelowMinimumTicket: (a, f) => `${f.amount(a.requested)} < minimum ${f.money(a.minTicket)}`,
  ExceedsClaimable: (a, f) =>
    `${f.amount(a.requested)} asked, only ${f.money(a.claimable)} can be claimed`,
  InvalidReceiver: (a) =>
    `shares and refunds cannot be sent to ${f0(a.receiver)} (the zero address or the offering itself)`,
  NoProceedsOwed: (a) =>
    `no proceeds are owed to ${f0(a.caller)}: it is not the issuer, or the offering is not closed, failed or was ` +
    "withdrawn",
  NotOperator: (a) =>
    `${f0(a.caller)} is neither the controller ${f0(a.controller)} nor one of its operators`,
  NothingToRefund: (a) => `nothing is left to refund to ${f0(a.controller)}`,
  OfferingClosedAlready: (a, f) => `the offering closed at ${f.time(a.closedAt)}`,
  OfferingNotClosed: () => "the offering is not closed yet",
  OfferingNotOpen: (a, f) => {
    const notYet = f.future(a.opensAt);
    if (notYet === true)
      return `the offering has not opened yet: it opens at ${f.time(a.opensAt)} (and closes at ${f.time(a.closesAt)})`;
    if (notYet === false && f.future(a.closesAt) === false)
      return `the offering has closed: its window closed at ${f.time(a.closesAt)}`;
    return `the offering takes requests from ${f.time(a.opensAt)} until ${f.time(a.closesAt)}`;
  },
  OfferingPaused: () => "subscriptions and claims are paused",
  OfferingStillOpen: (a, f) =>
    `the offering is open until ${f.time(a.closesAt)}; close it from then on`,
  RedemptionUnsupported: () =>
    "tranche tokens are repaid by the waterfall; the offering does not redeem",

  // ---------------------------------------------------------------- UtilizationOracle
  AvailableExceedsFleet: (a, f) =>
    `${f.int(a.available)} GPU-hours available > the fleet's ${f.int(a.maxAvailable)} in the period`,
  BilledExceedsAvailable: (a, f) =>
    `${f.int(a.billed)} GPU-hours billed > ${f.int(a.available)} available`,
  DealAlreadyRegistered: (a) => `deal ${f0(a.deal)} is registered at the oracle already`,
  DealNotRegistered: (a) => `deal ${f0(a.deal)} is not registered at the oracle`,
  DisputeWindowClosed: (a, f) =>
    `the dispute window of period ${String(a.period)} of deal ${f0(a.deal)} closed at ${f.time(a.closedAt)}: the ` +
    "report is final",
  EnergyNotReported: (a, f) =>
    `the report bills ${f.int(a.billed)} kWh of IT capacity without the energy drawn and the PUE: a data-center ` +
    "deal's report that bills capacity states both",
  EnergyPueMismatch: (a) => {
    const energy = a.energyKwh === 0n ? "no energy" : formatEnergyMwh(a.energyKwh as bigint);
    const pue = a.pue === 0n ? "no PUE" : `a PUE of ${formatPue(a.pue as bigint)}`;
    return `${energy} with ${pue}: a report states energy and PUE together or not at all`;
  },
  InsufficientSignatures: (a) =>
    `${s(a.count, "signature")}, the deal needs ${String(a.threshold)}`,
  InvalidOracleTerms: (a) =>
    `the oracle terms are invalid at ${enumName(ORACLE_TERMS_FIELDS, a.field)}`,
  InvalidReporter: (a) =>
    `${f0(a.reporter)} cannot be a reporter (the zero address, address(1), or named twice)`,
  InvalidSignature: (a) => `the signature of ${f0(a.signer)} does not sign this report`,
  InvalidThreshold: (a) =>
    `a threshold of ${String(a.threshold)} is not between 1 and the ${s(a.reporterCount, "reporter")}`,
  ItEnergyExceedsCapacity: (a) =>
    `IT energy (energy / PUE) ${formatEnergyMwh(a.itEnergyKwh as bigint)} > ` +
    `${formatEnergyMwh(a.maxAvailable as bigint)}, the site's IT capacity over the period`,
  NoPendingReport: (a) =>
    `period ${String(a.period)} of deal ${f0(a.deal)} has no pending report to dispute`,
  NoReporterChangePending: (a) => `no change of reporters is pending for deal ${f0(a.deal)}`,
  NotDealAdmin: (a) => `${f0(a.caller)} is not the issuer admin of deal ${f0(a.deal)}`,
  NotDisputer: (a) =>
    `${f0(a.caller)} is neither a reporter nor the guardian of deal ${f0(a.deal)}, who alone dispute reports`,
  NotReporter: (a) =>
    `${f0(a.signer)} is not a reporter of deal ${f0(a.deal)}'s current reporter set`,
  PueOutOfRange: (a) =>
    `a PUE of ${formatPue(a.pue as bigint)} is outside ${formatPue(a.min as bigint)} – ${formatPue(a.max as bigint)}`,
  ReportAlreadyProposed: (a) =>
    `period ${String(a.period)} of deal ${f0(a.deal)} has a pending or final report in round ${String(a.round)} already`,
  ReportCrossDeal: (a) =>
    `the report names reporter set ${String(a.reporterSet)}, which belongs to ${f0(a.setDeal)}, not to deal ${f0(a.deal)}`,
  ReportDeadlineNotReached: (a, f) =>
    `period ${String(a.period)} of deal ${f0(a.deal)} takes reports until its report deadline, ${f.time(a.deadline)}; ` +
    "it can be marked unreported only from then on",
  ReportDeadlinePassed: (a, f) =>
    `the report deadline of period ${String(a.period)} of deal ${f0(a.deal)} passed at ${f.time(a.deadline)}; the ` +
    "period takes no more reports and is distributed as unreported",
  ReportNotFinal: (a) =>
    `period ${String(a.period)} of deal ${f0(a.deal)} has no final report yet (none, or still in its dispute window)`,
  ReportPeriodNotEnded: (a, f) =>
    `period ${String(a.period)} of deal ${f0(a.deal)} ends at ${f.time(a.endsAt)}; it takes reports from then on`,
  ReportPeriodOutOfRange: (a) =>
    `deal ${f0(a.deal)} has ${s(a.periodCount, "period")}; period ${String(a.period)} is not one of them`,
  ReportPeriodUnreported: (a) =>
    `period ${String(a.period)} of deal ${f0(a.deal)} was marked unreported; it takes no report`,
  ReportReplayed: (a) =>
    `round ${String(a.round)} of period ${String(a.period)} of deal ${f0(a.deal)} was voided by a dispute; round ` +
    `${String(a.currentRound)} is open: sign again`,
  ReportRoundNotOpen: (a) =>
    `the report names round ${String(a.round)}; round ${String(a.currentRound)} is the open one`,
  ReportStaleDomain: (a) =>
    `the report was signed for oracle ${f0(a.oracle)}, not ${f0(a.expected)}`,
  ReportStaleReporterSet: (a) =>
    `the report was signed for reporter set ${String(a.reporterSet)}; the deal's current set is ${String(a.current)}`,
  ReportWrongChain: (a) =>
    `the report was signed for chain ${String(a.chainId)}, not chain ${String(a.expected)}`,
  ReporterChangeNotReady: (a, f) =>
    `the change of reporters of deal ${f0(a.deal)} applies from ${f.time(a.eta)}`,
  RevenueExceedsBound: (a, f) =>
    `revenue ${f.amount(a.revenue)} > ${f.money(a.maxRevenue)}, GPU-hours billed × the maximum price per GPU-hour`,
  SignatureCountMismatch: (a) => `${s(a.signers, "signer")} but ${s(a.signatures, "signature")}`,
  SignersNotAscending: (a) =>
    `signer ${String(a.index)} is not above the one before it: signers go in ascending address order, each once`,
  TooManyReporters: (a) => `${String(a.count)} reporters, at most ${String(a.max)}`,
  UtilizationStepNeedsAllReporters: (a, f) =>
    `utilization moves by ${f.wad(a.step)} from a neighbouring period, more than the ${f.wad(a.maxStep)} allowed ` +
    `with ${s(a.signatures, "signature")}: every one of the ${String(a.reporters)} reporters must sign`,

  // ---------------------------------------------------------------- RiskEngine
  AlreadyVoted: (a) => `${f0(a.voter)} voted on ballot ${String(a.id)} already`,
  BallotOpen: (a, f) => `ballot ${String(a.id)} is open until ${f.time(a.deadline)}`,
  FleetEntryNotConfirmed: (a) =>
    `fleet entry ${String(a.id)} is ${enumName(FLEET_ENTRY_STATUS, a.status)}: only confirmed entries retire GPUs`,
  FleetEntryNotPending: (a) =>
    `fleet entry ${String(a.id)} is ${enumName(FLEET_ENTRY_STATUS, a.status)}, not pending: it was confirmed or ` +
    "rejected already",
  FleetFull: (a) => `the fleet holds at most ${String(a.max)} entries`,
  InvalidFleetEntry: (a) => `fleet entry ${String(a.index)} of the batch is invalid`,
  InvalidRetirement: (a, f) =>
    `fleet entry ${String(a.id)} has ${f.int(a.activeCount)} GPUs in the fleet; ${f.int(a.units)} cannot leave ` +
    "(zero, or more than it has)",
  NoOpenBallot: () => "no waiver ballot is open",
  NoVotingPower: (a) => `${f0(a.voter)} holds no senior tokens that can vote`,
  NotAccelerated: (a, f) =>
    `a waiver is only for an Accelerated deal; the deal is ${f.status(a.status)}`,
  NotIssuer: (a) => `${f0(a.caller)} is not the deal's issuer admin`,
  NotTrusteeOrGuardian: (a) => `${f0(a.caller)} is neither the deal's trustee nor its guardian`,
  UnknownFleetEntry: (a) => `the fleet has no entry ${String(a.id)}`,
  WaiverAlreadyExecuted: (a) => `the waiver of ballot ${String(a.id)} was executed already`,
  WaiverNotApproved: (a, f) =>
    `${f.amount(a.yes)} of ${f.amount(a.seniorSupply)} senior tokens voted for ballot ${String(a.id)}: a waiver ` +
    "needs more than half",
  InsufficientGasForFeed: (a, f) =>
    `only ${f.int(a.gasLeft)} gas was left before the price-feed call, ${f.int(a.gasRequired)} needed: send the ` +
    "transaction with more gas",

  // ---------------------------------------------------------------- GpuPriceIndexFeed
  InvalidObservationTime: (a, f) =>
    `an observation at ${f.time(a.updatedAt)} is refused: not at time zero, in the future, nor before the latest ` +
    `round's ${f.time(a.latest)}`,
  NoSuchRound: (a) => `no round ${String(a.roundId)} was published`,
  NonPositiveAnswer: (a) => `the answer ${String(a.answer)} is not positive`,

  // ---------------------------------------------------------------- InvestorRegistry
  IdentityIdsExhausted: () => "every identity id of the registry has been used",
  InvalidBatchLength: (a) =>
    `a batch of ${String(a.length)} entries; it must hold 1 to ${String(a.max)}`,
  InvalidCountry: (a) => `${String(a.country)} is not an ISO 3166-1 numeric country code (1 – 999)`,
  KycExpiryInPast: (a, f) =>
    `the KYC expiry ${f.time(a.kycExpiry)} is not after the chain's time ${f.time(a.nowTime)}`,
  TooManyWallets: (a) =>
    `identity ${String(a.identity)} has the most wallets it may, ${String(a.max)}`,
  UnknownWallet: (a) => `${f0(a.wallet)} belongs to no identity of the registry`,
  WalletAlreadyRegistered: (a) =>
    `${f0(a.wallet)} already belongs to identity ${String(a.identity)}`,
  ZeroWallet: () => "the zero address cannot be registered",

  // ---------------------------------------------------------------- OpenZeppelin: access, pause, initialization
  AccessControlBadConfirmation: () => "an account may only renounce its own roles",
  AccessControlUnauthorizedAccount: (a, f) => `${f0(a.account)} lacks ${f.role(a.neededRole)}`,
  EnforcedPause: () => "the contract is paused",
  ExpectedPause: () => "the contract is not paused",
  InvalidInitialization: () => "the contract is initialized already",
  NotInitializing: () => "the contract is not initializing",
  ReentrancyGuardReentrantCall: () => "a reentrant call was refused",
  AccessManagerAlreadyScheduled: (a) => `operation ${f0(a.operationId)} is scheduled already`,
  AccessManagerBadConfirmation: () => "an account may only renounce its own roles",
  AccessManagerExpired: (a) => `operation ${f0(a.operationId)} expired`,
  AccessManagerInvalidInitialAdmin: (a) => `${f0(a.initialAdmin)} cannot be the initial admin`,
  AccessManagerLockedFunction: (a) => `function ${f0(a.selector)} is locked`,
  AccessManagerLockedRole: (a) => `role ${String(a.roleId)} is locked`,
  AccessManagerNotReady: (a) => `operation ${f0(a.operationId)} is not ready yet`,
  AccessManagerNotScheduled: (a) => `operation ${f0(a.operationId)} is not scheduled`,
  AccessManagerUnauthorizedAccount: (a) => `${f0(a.msgsender)} lacks role ${String(a.roleId)}`,
  AccessManagerUnauthorizedCall: (a) =>
    `${f0(a.caller)} may not call ${f0(a.selector)} on ${f0(a.target)}`,
  AccessManagerUnauthorizedCancel: (a) =>
    `${f0(a.msgsender)} may not cancel ${f0(a.caller)}'s call of ${f0(a.selector)} on ${f0(a.target)}`,
  AccessManagerUnauthorizedConsume: (a) => `${f0(a.target)} may not consume a scheduled operation`,
  AddressEmptyCode: (a) => `${f0(a.target)} has no code`,
  FailedCall: () => "a call failed",
  ECDSAInvalidSignature: () => "the signature is invalid",
  ECDSAInvalidSignatureLength: (a) => `a signature of ${String(a.length)} bytes is invalid`,
  ECDSAInvalidSignatureS: (a) => `the signature's s value ${f0(a.s)} is invalid`,

  // ---------------------------------------------------------------- Solidity built-ins
  Error: (a) => `reverted with the reason "${String(a.message ?? a["0"])}"`,
  Panic: (a) => {
    const code = big(a.reason ?? a["0"]);
    const why = code === undefined ? undefined : PANICS[Number(code)];
    return `panic 0x${(code ?? 0n).toString(16).padStart(2, "0")}${why ? `: ${why}` : ""}`;
  },
};

/** Solidity's panic codes. */
const PANICS: Readonly<Record<number, string>> = {
  0x01: "an assertion failed",
  0x11: "an arithmetic operation overflowed or underflowed",
  0x12: "division or modulo by zero",
  0x21: "a value out of an enum's range",
  0x22: "a malformed storage byte array",
  0x31: "pop of an empty array",
  0x32: "an array index out of bounds",
  0x41: "too much memory allocated",
  0x51: "a call of an uninitialized function",
};

/** Term-sheet fields that belong to one tranche: `InvalidTermSheet`'s index is then the tranche's. */
const TRANCHE_FIELDS = new Set([
  "TrancheKind",
  "TrancheName",
  "FaceAmount",
  "MinRaise",
  "MinTicket",
  "ReserveFunding",
  "Coupon",
  "Principal",
  "TransferRules",
]);

/** `InvalidTermSheet(field, index)`'s field with the index where it names a tranche, a trigger or a fleet entry. */
function termSheetField(field: unknown, index: unknown): string {
  const name = enumName(TERM_SHEET_FIELDS, field);
  if (TRANCHE_FIELDS.has(name)) return `${name} of tranche ${String(index)}`;
  // The index of a trigger or fleet entry, or their count when there are too many.
  if (name === "Trigger" || name === "Fleet") return `${name} (index ${String(index)})`;
  return name;
}

/** An address or other value as it is. */
function f0(v: unknown): string {
  return String(v);
}

/** The helpers of a sentence for `units`. */
export function revertFormatter(units: RevertUnits = {}): RevertFormatter {
  const { decimals, symbol } = units;
  const amount = (v: unknown) => {
    const n = big(v);
    if (n === undefined) return String(v);
    return decimals === undefined
      ? `${group(n.toString())} base units`
      : formatSignificantAmount(n, decimals);
  };
  return {
    amount,
    money: (v) => {
      const shown = amount(v);
      return decimals !== undefined && symbol ? `${shown} ${symbol}` : shown;
    },
    time: formatTime,
    wad: (v) => {
      const n = big(v);
      return n === undefined ? String(v) : formatWadPercent(n);
    },
    int: (v) => {
      const n = big(v);
      return n === undefined ? String(v) : group(n.toString());
    },
    raw: f0,
    status: (v) => {
      const n = big(v);
      return n === undefined ? String(v) : dealStatusName(Number(n));
    },
    role: (v) => ROLE_NAMES[String(v).toLowerCase()] ?? `role ${String(v)}`,
    future: (t) => {
      const n = big(t);
      return units.now === undefined || n === undefined ? undefined : n > units.now;
    },
  };
}

/**
 * `Name: sentence` for a decoded revert, in the units given. An error without a sentence (none today: a test keeps
 * every ABI error covered) shows its raw arguments.
 */
export function formatRevert(error: DecodedRevert, units: RevertUnits = {}): string {
  const format = REVERT_FORMATS[error.errorName];
  if (format === undefined) {
    const args = Object.values(error.namedArgs).map((v) => String(v));
    return `${error.errorName}(${args.join(", ")})`;
  }
  return `${error.errorName}: ${format(error.namedArgs, revertFormatter(units))}`;
}
