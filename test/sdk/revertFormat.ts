/**
 * Every custom error of the Cascade ABIs as a sentence in human units (sdk/revertFormat.ts): one case per error,
 * run through the revert data the contracts would return (`decodeRevert`) and `ContractRevertError.describe`. A new
 * error in an ABI without a sentence, or without a case here, fails the first test.
 */
import { expect } from "chai";
import { encodeErrorResult, type Hex } from "viem";

import {
  cascadeErrorsAbi,
  ContractRevertError,
  decodeRevert,
  formatRevert,
  REVERT_FORMATS,
  type RevertUnits,
} from "../../sdk/index.js";

const A = "0x1111111111111111111111111111111111111111";
const B = "0x2222222222222222222222222222222222222222";
const DEAL = "0xDEa1000000000000000000000000000000000000";
const ZERO = "0x0000000000000000000000000000000000000000";
/** The chain's time of the cases: 2026-01-01T12:00:00Z. */
const NOW = 1_767_268_800n;
const USDC: RevertUnits = { decimals: 6, symbol: "USDC", now: NOW };

/** Per error: its arguments in declaration order and the sentence with 6 decimals, "USDC" and the time {@link NOW}. */
const CASES: Readonly<Record<string, readonly [readonly unknown[], string]>> = {
  AccessControlBadConfirmation: [[], "an account may only renounce its own roles"],
  AccessControlUnauthorizedAccount: [
    [A, "0x0000000000000000000000000000000000000000000000000000000000000000"],
    `${A} lacks DEFAULT_ADMIN_ROLE (the issuer admin)`,
  ],
  AccessManagerAlreadyScheduled: [
    ["0xabababababababababababababababababababababababababababababababab"],
    "operation 0xabababababababababababababababababababababababababababababababab is scheduled already",
  ],
  AccessManagerBadConfirmation: [[], "an account may only renounce its own roles"],
  AccessManagerExpired: [
    ["0xabababababababababababababababababababababababababababababababab"],
    "operation 0xabababababababababababababababababababababababababababababababab expired",
  ],
  AccessManagerInvalidInitialAdmin: [[ZERO], `${ZERO} cannot be the initial admin`],
  AccessManagerLockedFunction: [["0x12345678"], "function 0x12345678 is locked"],
  AccessManagerLockedRole: [[0n], "role 0 is locked"],
  AccessManagerNotReady: [
    ["0xabababababababababababababababababababababababababababababababab"],
    "operation 0xabababababababababababababababababababababababababababababababab is not ready yet",
  ],
  AccessManagerNotScheduled: [
    ["0xabababababababababababababababababababababababababababababababab"],
    "operation 0xabababababababababababababababababababababababababababababababab is not scheduled",
  ],
  AccessManagerUnauthorizedAccount: [[A, 5n], `${A} lacks role 5`],
  AccessManagerUnauthorizedCall: [[A, B, "0x12345678"], `${A} may not call 0x12345678 on ${B}`],
  AccessManagerUnauthorizedCancel: [
    [A, B, DEAL, "0x12345678"],
    `${A} may not cancel ${B}'s call of 0x12345678 on ${DEAL}`,
  ],
  AccessManagerUnauthorizedConsume: [[A], `${A} may not consume a scheduled operation`],
  AddressEmptyCode: [[A], `${A} has no code`],
  AlreadyIssued: [[], "the tranche was issued already"],
  AlreadyVoted: [[1n, A], `${A} voted on ballot 1 already`],
  AsyncPreviewUnsupported: [[], "previews are meaningless for asynchronous deposits (ERC-7540)"],
  AvailableExceedsFleet: [
    [1474561n, 1474560n],
    "1,474,561 GPU-hours available > the fleet's 1,474,560 in the period",
  ],
  BallotOpen: [[1n, 1767355200n], "ballot 1 is open until 2026-01-02T12:00:00Z"],
  BelowMinimumTicket: [[10000000n, 100000000000n], "10.00 < minimum 100,000.00 USDC"],
  BilledExceedsAvailable: [
    [1474561n, 1474560n],
    "1,474,561 GPU-hours billed > 1,474,560 available",
  ],
  ClaimRestricted: [
    [A, 6],
    `${A} may not claim now (restriction 6): The sender's KYC has expired. Its cash stays accrued until it may`,
  ],
  CleanUpNotAllowed: [
    [3000000000000n, 600000000000n],
    "senior principal outstanding 3,000,000.00 is above the clean-up threshold 600,000.00 USDC",
  ],
  CleanUpPeriodPending: [[4n], "period 4 has ended and must be distributed before a clean-up call"],
  CloneArgumentsTooLong: [[], "the term sheet does not fit a clone's immutable arguments"],
  ConsentExpired: [[1767268740n], "the issuer's consent was valid until 2026-01-01T11:59:00Z"],
  DealAlreadyRegistered: [[DEAL], `deal ${DEAL} is registered at the oracle already`],
  DealEnded: [[6], "the deal has ended (Cancelled); it takes no more collections"],
  DealNotActive: [[0], "the deal is Offering; this needs it Active, CashTrap or Accelerated"],
  DealNotRegistered: [[DEAL], `deal ${DEAL} is not registered at the oracle`],
  DisputeWindowClosed: [
    [DEAL, 0n, 1767268740n],
    `the dispute window of period 0 of deal ${DEAL} closed at 2026-01-01T11:59:00Z: the report is final`,
  ],
  ECDSAInvalidSignature: [[], "the signature is invalid"],
  ECDSAInvalidSignatureLength: [[64n], "a signature of 64 bytes is invalid"],
  ECDSAInvalidSignatureS: [
    ["0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],
    "the signature's s value 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff is invalid",
  ],
  EnergyNotReported: [
    [5_000_000n],
    "the report bills 5,000,000 kWh of IT capacity without the energy drawn and the PUE: a data-center deal's " +
      "report that bills capacity states both",
  ],
  EnergyPueMismatch: [
    [6_912_500n, 0n],
    "6,912.5 MWh with no PUE: a report states energy and PUE together or not at all",
  ],
  EnforcedPause: [[], "the contract is paused"],
  ERC20InsufficientAllowance: [
    [B, 0n, 250000000000n],
    `${B} may spend 0.00, 250,000.00 USDC needed (approve more first)`,
  ],
  ERC20InsufficientBalance: [
    [A, 2068070400000n, 2068070400001n],
    `${A} holds 2,068,070.40, 2,068,070.400001 USDC needed`,
  ],
  ERC20InvalidApprover: [[ZERO], `${ZERO} cannot approve (the zero address)`],
  ERC20InvalidReceiver: [[ZERO], `${ZERO} cannot receive tokens (the zero address)`],
  ERC20InvalidSender: [[ZERO], `${ZERO} cannot send tokens (the zero address)`],
  ERC20InvalidSpender: [[ZERO], `${ZERO} cannot be approved (the zero address)`],
  ERC2612ExpiredSignature: [[1767268799n], "the permit was valid until 2026-01-01T11:59:59Z"],
  ERC2612InvalidSigner: [[A, B], `the permit was signed by ${A}, not by the owner ${B}`],
  ExceedsClaimable: [
    [11000001000000n, 11000000000000n],
    "11,000,001.00 asked, only 11,000,000.00 USDC can be claimed",
  ],
  ExpectedPause: [[], "the contract is not paused"],
  FailedCall: [[], "a call failed"],
  FailedDeployment: [[], "a contract deployment failed"],
  FleetEntryNotConfirmed: [[3n, 0], "fleet entry 3 is Pending: only confirmed entries retire GPUs"],
  FleetEntryNotPending: [
    [3n, 2],
    "fleet entry 3 is Rejected, not pending: it was confirmed or rejected already",
  ],
  FleetFull: [[32n], "the fleet holds at most 32 entries"],
  FreezeExceedsBalance: [
    [A, 100000000n, 60000000n, 50000000n],
    `freezing 50.00 more would freeze more than ${A}'s balance 100.00 USDC (60.00 frozen already)`,
  ],
  GuardianChangeNotReady: [
    [1767355200n],
    "the pending change of guardian applies from 2026-01-02T12:00:00Z",
  ],
  IdentityIdsExhausted: [[], "every identity id of the registry has been used"],
  IndexOverflow: [[], "the tranche's cash index would exceed its storage width"],
  InsufficientBalance: [
    [0n, 1000000000000000000n],
    "the contract holds 0 wei of the native coin, 1,000,000,000,000,000,000 needed",
  ],
  InsufficientGasForFeed: [
    [90000n, 101500n],
    "only 90,000 gas was left before the price-feed call, 101,500 needed: send the transaction with more gas",
  ],
  InsufficientSignatures: [[1n, 2n], "1 signature, the deal needs 2"],
  InvalidAccountNonce: [[A, 3n], `the nonce is not ${A}'s current one, 3`],
  InvalidBatchLength: [[0n, 100n], "a batch of 0 entries; it must hold 1 to 100"],
  InvalidCountry: [[1000], "1000 is not an ISO 3166-1 numeric country code (1 – 999)"],
  InvalidFleetEntry: [[1n], "fleet entry 1 of the batch is invalid"],
  InvalidGuardian: [
    [ZERO],
    `${ZERO} cannot be proposed as guardian (the zero address, or the guardian already)`,
  ],
  InvalidInitialization: [[], "the contract is initialized already"],
  InvalidIssuerSignature: [
    [A],
    `the signature is not ${A}'s consent to this term sheet with its current nonce (another signer, other terms, another factory or chain, or a consent already used)`,
  ],
  InvalidObservationTime: [
    [1767268860n, 1767182400n],
    "an observation at 2026-01-01T12:01:00Z is refused: not at time zero, in the future, nor before the latest round's 2025-12-31T12:00:00Z",
  ],
  InvalidOracleTerms: [[1], "the oracle terms are invalid at ReportDeadline"],
  InvalidReceiver: [
    [A],
    `shares and refunds cannot be sent to ${A} (the zero address or the offering itself)`,
  ],
  InvalidReporter: [
    ["0x0000000000000000000000000000000000000001"],
    "0x0000000000000000000000000000000000000001 cannot be a reporter (the zero address, address(1), or named twice)",
  ],
  InvalidRetirement: [
    [2n, 600n, 512n],
    "fleet entry 2 has 512 GPUs in the fleet; 600 cannot leave (zero, or more than it has)",
  ],
  InvalidShortString: [[], "a short string is invalid"],
  InvalidSignature: [[A], `the signature of ${A} does not sign this report`],
  InvalidTermSheet: [[24, 0n], "the term sheet is invalid at PriceFeed"],
  InvalidThreshold: [[4n, 3n], "a threshold of 4 is not between 1 and the 3 reporters"],
  InvalidUpkeep: [
    [],
    "the upkeep data is malformed, asks for zero periods or names the zero address as bounty recipient",
  ],
  InvalidWriteDown: [
    [0n, 1500000000000n],
    "a write-down must be above zero and at most the notes' outstanding principal: 0.00 of 1,500,000.00 USDC",
  ],
  IssuerConsentRequired: [
    [A, B],
    `only the term sheet's issuer ${A} may send createDeal, not ${B}; another account submits the issuer's signed consent with createDealWithConsent`,
  ],
  ItEnergyExceedsCapacity: [
    [7_200_001n, 7_200_000n],
    "IT energy (energy / PUE) 7,200.001 MWh > 7,200 MWh, the site's IT capacity over the period",
  ],
  KycExpiryInPast: [
    [1767182400, 1767268800n],
    "the KYC expiry 2025-12-31T12:00:00Z is not after the chain's time 2026-01-01T12:00:00Z",
  ],
  NoFeesOwed: [
    [A],
    `no fees are owed to ${A}: it is neither the trustee nor the servicer, or nothing is credited to it`,
  ],
  NoGuardianChangePending: [[], "no change of guardian is pending"],
  NonPositiveAnswer: [[-1n], "the answer -1 is not positive"],
  NoOpenBallot: [[], "no waiver ballot is open"],
  NoPendingReport: [[DEAL, 2n], `period 2 of deal ${DEAL} has no pending report to dispute`],
  NoProceedsOwed: [
    [A],
    `no proceeds are owed to ${A}: it is not the issuer, or the offering is not closed, failed or was withdrawn`,
  ],
  NoReporterChangePending: [[DEAL], `no change of reporters is pending for deal ${DEAL}`],
  NoResidualOwed: [
    [A],
    `no residual is owed to ${A}: it is not the issuer, or nothing is credited to it`,
  ],
  NoSuchRound: [[5n], "no round 5 was published"],
  NotAccelerated: [[2], "a waiver is only for an Accelerated deal; the deal is CashTrap"],
  NotComplianceAgent: [[A], `${A} is not a compliance agent of the tranche's investor registry`],
  NotDeal: [[A], `${A} is not the deal; only the deal may call`],
  NotClassToken: [
    [A],
    `${A} is not a class token of this equity waterfall; only a class token has its holders' claims paid`,
  ],
  NotDistributor: [
    [A],
    `${A} is not the tranche's distributor (the deal, or its equity waterfall); only it announces distributions`,
  ],
  NotCapitalEventDepositor: [
    [A],
    `${A} is neither the deal's issuer nor its servicer, who alone deposit capital events`,
  ],
  DealNotRepaid: [
    [1],
    "the deal is Active; capital events go straight to the equity waterfall once it is Repaid",
  ],
  DealPaused: [[], "the deal is paused"],
  NoEquityIssued: [[], "no equity class holds tokens: there is nobody to pay"],
  UnknownClass: [[7n], "the equity waterfall has no class 7"],
  NotDealAdmin: [[DEAL, A], `${A} is not the issuer admin of deal ${DEAL}`],
  NotDisputer: [
    [DEAL, A],
    `${A} is neither a reporter nor the guardian of deal ${DEAL}, who alone dispute reports`,
  ],
  NotGuardianProposer: [
    [A],
    `${A} is neither the guardian nor the issuer admin, who alone propose or cancel a change of guardian`,
  ],
  NothingToClaim: [[], "there is nothing to claim"],
  NothingToRecover: [
    [A],
    `${A} holds neither tokens nor unclaimed cash: there is nothing to recover`,
  ],
  NothingToRefund: [[A], `nothing is left to refund to ${A}`],
  NotInitializing: [[], "the contract is not initializing"],
  NotIssuer: [[A], `${A} is not the deal's issuer admin`],
  NotOffering: [[A], `${A} is not the tranche's offering; only it may call`],
  NotOperator: [[A, B], `${B} is neither the controller ${A} nor one of its operators`],
  NotReporter: [[DEAL, A], `${A} is not a reporter of deal ${DEAL}'s current reporter set`],
  NotRiskEngine: [[A], `${A} is not the deal's risk engine`],
  NotTenant: [
    [A],
    `${A} is not a tenant deal of this site; only the tenants its factory registered pay it rent`,
  ],
  NotFactory: [
    [A],
    `${A} is not the factory that created the deal; only it registers the deal's tenants`,
  ],
  NotDelegated: [
    [],
    "the extension was called directly: its functions run only through a deal (or a tranche token)",
  ],
  NotTrancheOffering: [
    [2n, A],
    `${A} is not the offering of tranche 2; only it settles the tranche`,
  ],
  NotTrustee: [[A], `${A} is not the deal's trustee`],
  NotTrusteeOrGuardian: [[A], `${A} is neither the deal's trustee nor its guardian`],
  NoVotingPower: [[A], `${A} holds no senior tokens that can vote`],
  OfferingClosedAlready: [[1767265200n], "the offering closed at 2026-01-01T11:00:00Z"],
  OfferingNotClosed: [[], "the offering is not closed yet"],
  OfferingNotOpen: [
    [1767268860n, 1767873600n],
    "the offering has not opened yet: it opens at 2026-01-01T12:01:00Z (and closes at 2026-01-08T12:00:00Z)",
  ],
  OfferingPaused: [[], "subscriptions and claims are paused"],
  OfferingStillOpen: [
    [1767355200n],
    "the offering is open until 2026-01-02T12:00:00Z; close it from then on",
  ],
  PueOutOfRange: [[30_001n, 10_000n, 30_000n], "a PUE of 3.0001 is outside 1.00 – 3.00"],
  ProtectedAccount: [
    [A],
    `${A} is the offering's account of undelivered shares: agents cannot move or freeze it`,
  ],
  RecoveriesNotExhausted: [
    [12345670000n, 150000000000n, 1n],
    "cash is still held — collections 12,345.67, reserve 150,000.00, recoveries 0.000001 USDC: it must be distributed before a write-down",
  ],
  RedemptionUnsupported: [
    [],
    "tranche tokens are repaid by the waterfall; the offering does not redeem",
  ],
  ReentrancyGuardReentrantCall: [[], "a reentrant call was refused"],
  ReportAlreadyProposed: [
    [DEAL, 0n, 1n],
    `period 0 of deal ${DEAL} has a pending or final report in round 1 already`,
  ],
  ReportCrossDeal: [
    [DEAL, B, 7n],
    `the report names reporter set 7, which belongs to ${B}, not to deal ${DEAL}`,
  ],
  ReportDeadlineNotReached: [
    [DEAL, 1n, 1767268845n],
    `period 1 of deal ${DEAL} takes reports until its report deadline, 2026-01-01T12:00:45Z; it can be marked unreported only from then on`,
  ],
  ReportDeadlinePassed: [
    [DEAL, 1n, 1767268755n],
    `the report deadline of period 1 of deal ${DEAL} passed at 2026-01-01T11:59:15Z; the period takes no more reports and is distributed as unreported`,
  ],
  ReporterChangeNotReady: [
    [DEAL, 1767268860n],
    `the change of reporters of deal ${DEAL} applies from 2026-01-01T12:01:00Z`,
  ],
  ReportNotFinal: [
    [DEAL, 1n],
    `period 1 of deal ${DEAL} has no final report yet (none, or still in its dispute window)`,
  ],
  ReportPeriodNotEnded: [
    [DEAL, 2n, 1767268920n],
    `period 2 of deal ${DEAL} ends at 2026-01-01T12:02:00Z; it takes reports from then on`,
  ],
  ReportPeriodOutOfRange: [
    [DEAL, 4n, 4n],
    `deal ${DEAL} has 4 periods; period 4 is not one of them`,
  ],
  ReportPeriodUnreported: [
    [DEAL, 1n],
    `period 1 of deal ${DEAL} was marked unreported; it takes no report`,
  ],
  ReportReplayed: [
    [DEAL, 1n, 0n, 1n],
    `round 0 of period 1 of deal ${DEAL} was voided by a dispute; round 1 is open: sign again`,
  ],
  ReportRoundNotOpen: [[2n, 1n], "the report names round 2; round 1 is the open one"],
  ReportStaleDomain: [[A, B], `the report was signed for oracle ${A}, not ${B}`],
  ReportStaleReporterSet: [
    [3n, 4n],
    "the report was signed for reporter set 3; the deal's current set is 4",
  ],
  ReportWrongChain: [[1n, 31337n], "the report was signed for chain 1, not chain 31337"],
  RevenueExceedsBound: [
    [2433024000001n, 2433024000000n],
    "revenue 2,433,024.000001 > 2,433,024.00 USDC, GPU-hours billed × the maximum price per GPU-hour",
  ],
  SafeCastOverflowedUintDowncast: [
    [128, 340282366920938463463374607431768211456n],
    "340,282,366,920,938,463,463,374,607,431,768,211,456 does not fit the 128-bit field that holds it",
  ],
  SafeERC20FailedOperation: [[A], `the token ${A} refused or failed a transfer`],
  SameWallet: [[A], `${A} cannot be recovered to itself`],
  SignatureCountMismatch: [[2n, 3n], "2 signers but 3 signatures"],
  SignersNotAscending: [
    [1n],
    "signer 1 is not above the one before it: signers go in ascending address order, each once",
  ],
  StringTooLong: [
    ["a name longer than thirty-one bytes"],
    '"a name longer than thirty-one bytes" is too long',
  ],
  TokenPaused: [[], "transfers and claims of the tranche are paused"],
  TokensLocked: [
    [A, 1767873600n],
    `${A} voted on a waiver; its tokens stay put until 2026-01-08T12:00:00Z`,
  ],
  TooManyReporters: [[17n, 16n], "17 reporters, at most 16"],
  TooManyWallets: [[12, 8n], "identity 12 has the most wallets it may, 8"],
  TransferRestricted: [
    [9],
    "the transfer is refused (restriction 9): The receiver is not a registered investor.",
  ],
  UnexpectedAddress: [
    [A],
    `a clone landed at ${A}, not at the address predicted from the factory's nonce`,
  ],
  UnfreezeExceedsFrozen: [
    [A, 60000000n, 61000000n],
    `only 60.00 of ${A}'s balance is frozen; 61.00 USDC cannot be released`,
  ],
  UnknownDeal: [[7n], "the factory created no deal 7"],
  UnknownFleetEntry: [[9n], "the fleet has no entry 9"],
  UnknownTranche: [[8n], "the deal has no tranche 8"],
  UnknownWallet: [[A], `${A} belongs to no identity of the registry`],
  UnsupportedTokenTransfer: [
    [1000000000n, 990000000n],
    "the token moved 990.00 instead of 1,000.00 USDC (fee-on-transfer tokens are not supported)",
  ],
  UtilizationStepNeedsAllReporters: [
    [300000000000000000n, 250000000000000000n, 2n, 3n],
    "utilization moves by 30.00 % from a neighbouring period, more than the 25.00 % allowed with 2 signatures: every one of the 3 reporters must sign",
  ],
  VoteRestricted: [
    [A, 5],
    `${A} may not vote now (restriction 5): The sender's account is frozen.`,
  ],
  WaiverAlreadyExecuted: [[1n], "the waiver of ballot 1 was executed already"],
  WaiverNotApproved: [
    [1n, 3000000000000n, 6000000000000n],
    "3,000,000.00 of 6,000,000.00 senior tokens voted for ballot 1: a waiver needs more than half",
  ],
  WalletAlreadyRegistered: [[A, 3], `${A} already belongs to identity 3`],
  WaterfallPeriodAlreadyDistributed: [[0n], "period 0 was distributed already"],
  WaterfallPeriodBeyondMaturity: [
    [12n, 12n],
    "the deal has 12 periods (0 – 11); period 12 is not one of them",
  ],
  WaterfallPeriodNotEnded: [
    [3n, 1767272400n],
    "period 3 ends at 2026-01-01T13:00:00Z; it cannot be distributed before",
  ],
  WaterfallPeriodNotReady: [
    [5n, 3n],
    "periods are distributed in order: period 3 comes before period 5",
  ],
  WriteDownNotAllowed: [
    [1],
    "a write-down follows an event of default (Accelerated); the deal is Active",
  ],
  ZeroAddress: [[], "an address is the zero address"],
  ZeroAmount: [[], "the amount is zero"],
  ZeroWallet: [[], "the zero address cannot be registered"],
};

/** The revert data of `name(args)`, encoded with its ABI item. */
function revertData(name: string, args: readonly unknown[]): Hex {
  const item = cascadeErrorsAbi.find((e) => e.name === name);
  if (!item) throw new Error(`no error ${name} in the Cascade ABIs`);
  return encodeErrorResult({ abi: [item], errorName: name, args } as Parameters<
    typeof encodeErrorResult
  >[0]);
}

function decoded(name: string, args: readonly unknown[]): ContractRevertError {
  const e = decodeRevert(revertData(name, args));
  if (!e) throw new Error(`${name} did not decode`);
  return e;
}

describe("SDK: reverts as sentences in human units", () => {
  it("every error of the Cascade ABIs has a sentence and a case in this table", () => {
    const names = cascadeErrorsAbi.map((e) => e.name).sort();
    expect(
      names.filter((n) => REVERT_FORMATS[n] === undefined),
      "errors without a sentence",
    ).to.deep.equal([]);
    expect(
      names.filter((n) => CASES[n] === undefined),
      "errors without a case",
    ).to.deep.equal([]);
    expect(
      Object.keys(CASES).filter((n) => !names.includes(n)),
      "cases of no error",
    ).to.deep.equal([]);
  });

  for (const [name, [args, sentence]] of Object.entries(CASES)) {
    it(name, () => {
      expect(decoded(name, args).describe(USDC)).to.equal(`${name}: ${sentence}`);
    });
  }

  it("OfferingNotOpen says whether the window has not opened or has closed, from the chain's time", () => {
    const e = decoded("OfferingNotOpen", [NOW - 7n * 86_400n, NOW - 60n]);
    expect(e.describe(USDC)).to.equal(
      "OfferingNotOpen: the offering has closed: its window closed at 2026-01-01T11:59:00Z",
    );
    const early = decoded("OfferingNotOpen", [NOW + 60n, NOW + 86_400n]);
    expect(early.describe({ ...USDC, now: NOW + 59n })).to.equal(
      "OfferingNotOpen: the offering has not opened yet: it opens at 2026-01-01T12:01:00Z (and closes at " +
        "2026-01-02T12:00:00Z)",
    );
    // Without the chain's time, the window is given.
    expect(early.describe({})).to.equal(
      "OfferingNotOpen: the offering takes requests from 2026-01-01T12:01:00Z until 2026-01-02T12:00:00Z",
    );
  });

  it("without units: amounts in base units, no symbol; the units attached to the error are used by default", () => {
    const e = decoded("BelowMinimumTicket", [10_000_000n, 100_000_000_000n]);
    expect(e.describe()).to.equal(
      "BelowMinimumTicket: 10,000,000 base units < minimum 100,000,000,000 base units",
    );
    expect(e.describe({ decimals: 6 })).to.equal("BelowMinimumTicket: 10.00 < minimum 100,000.00");
    e.units = { decimals: 18, symbol: "DAI" };
    expect(e.describe()).to.equal("BelowMinimumTicket: 0.00000000001 < minimum 0.0000001 DAI");
    // The raw message stays as it was, for scripts.
    expect(e.message).to.equal("reverted with BelowMinimumTicket(10000000, 100000000000)");
  });

  it("Solidity's Error(string) and Panic(uint256)", () => {
    expect(formatRevert({ errorName: "Error", namedArgs: { message: "nope" } })).to.equal(
      'Error: reverted with the reason "nope"',
    );
    expect(formatRevert({ errorName: "Panic", namedArgs: { reason: 0x11n } })).to.equal(
      "Panic: panic 0x11: an arithmetic operation overflowed or underflowed",
    );
    expect(formatRevert({ errorName: "NoSuchError", namedArgs: { a: 1n } })).to.equal(
      "NoSuchError(1)",
    );
  });
});
