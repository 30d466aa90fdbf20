/**
 * Typed errors of the SDK. Every error thrown by an action is a {@link CascadeError}; reverts are decoded against
 * every Cascade ABI (including the OpenZeppelin errors the contracts inherit) into a {@link ContractRevertError}.
 */
import {
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  encodeErrorResult,
  type Abi,
  type Address,
  type Hex,
  RawContractError,
  toFunctionSignature,
} from "viem";

import {
  accessManagerAbi,
  dealAbi,
  dealFactoryAbi,
  equityWaterfallAbi,
  gpuPriceIndexFeedAbi,
  investorRegistryAbi,
  offeringAbi,
  riskEngineAbi,
  trancheTokenAbi,
  utilizationOracleAbi,
} from "./generated/abis.js";
import {
  transferRestrictionMessage,
  transferRestrictionName,
  type TransferRestriction,
} from "./compliance.js";
import { erc20ErrorsAbi } from "./erc20.js";
import { formatRevert, type RevertUnits } from "./revertFormat.js";
import {
  DealStatus,
  FleetEntryStatus,
  ORACLE_TERMS_FIELDS,
  ReportState,
  TERM_SHEET_FIELDS,
} from "./types.js";

/** Base of every SDK error: a short message plus structured `details`. */
export class CascadeError extends Error {
  override name = "CascadeError";
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.details = details;
  }
}

/** A contract call reverted with a custom error of one of the Cascade ABIs (or a Solidity Error/Panic). */
export class ContractRevertError extends CascadeError {
  override name = "ContractRevertError";
  /** Custom error name, e.g. `WaterfallPeriodAlreadyDistributed`; `Error` / `Panic` for built-ins. */
  readonly errorName: string;
  /** Decoded arguments, in declaration order. */
  readonly args: readonly unknown[];
  /** Arguments by parameter name (unnamed parameters are keyed by position). */
  readonly namedArgs: Readonly<Record<string, unknown>>;
  /**
   * Names of enum arguments by parameter name, e.g. `{ field: "ReportDeadline" }` for
   * `InvalidOracleTerms(1)`; the message shows the name instead of the number.
   */
  readonly enumNames: Readonly<Record<string, string>>;
  /**
   * What the revert means, in a sentence, for errors whose arguments need reading (a deadline as a date, who had
   * to consent); also the end of the message. Undefined for the others.
   */
  readonly explanation: string | undefined;
  /** The 4-byte selector and the raw revert data. */
  readonly selector: Hex;
  readonly data: Hex;
  /** The mined transaction that reverted, when the revert was recovered by replaying one. */
  readonly transactionHash: Hex | undefined;
  /** The contract that was called, when known (the revert may come from a contract it called). */
  contractAddress: Address | undefined;
  /**
   * The units its amounts and times are read in (the stablecoin's decimals and symbol, the chain's time), when the
   * caller knows them: {@link ContractRevertError.describe} uses them. `revertUnits` reads them from the chain.
   */
  units: RevertUnits | undefined;

  constructor(
    params: {
      errorName: string;
      args: readonly unknown[];
      namedArgs: Record<string, unknown>;
      data: Hex;
      /** Enum names by argument position. */
      enumNames?: readonly (string | undefined)[];
      /** The sentence for the error (default: the SDK's sentence for `errorName`, if it has one). */
      explanation?: string;
      transactionHash?: Hex;
      contractAddress?: Address;
      units?: RevertUnits;
    },
    options?: { cause?: unknown },
  ) {
    const shown = params.args.map((a, i) => params.enumNames?.[i] ?? formatArg(a));
    const explanation = params.explanation ?? EXPLANATIONS[params.errorName]?.(params.namedArgs);
    const keys = Object.keys(params.namedArgs);
    const enumNames: Record<string, string> = {};
    params.enumNames?.forEach((n, i) => {
      if (n !== undefined) enumNames[keys[i] ?? String(i)] = n;
    });
    super(
      `reverted with ${params.errorName}(${shown.join(", ")})` +
        (explanation === undefined ? "" : `: ${explanation}`),
      {
        errorName: params.errorName,
        args: params.namedArgs,
        data: params.data,
        ...(params.transactionHash ? { transactionHash: params.transactionHash } : {}),
      },
      options,
    );
    this.transactionHash = params.transactionHash;
    this.contractAddress = params.contractAddress;
    this.units = params.units;
    this.errorName = params.errorName;
    this.args = params.args;
    this.namedArgs = params.namedArgs;
    this.enumNames = enumNames;
    this.explanation = explanation;
    this.data = params.data;
    this.selector = params.data.slice(0, 10) as Hex;
  }

  /**
   * The revert as a sentence in human units (`formatRevert`): `BelowMinimumTicket: 10.00 < minimum 100,000.00 USDC`.
   * Uses `units`, else the units attached to the error.
   */
  describe(units: RevertUnits | undefined = this.units): string {
    return formatRevert(this, units);
  }
}

/** Unix seconds as an ISO 8601 UTC time (the raw value when it is not a time). */
function isoTime(seconds: unknown): string {
  const n = typeof seconds === "bigint" || typeof seconds === "number" ? Number(seconds) : NaN;
  return Number.isSafeInteger(n) && n >= 0 && n < 253_402_300_800
    ? new Date(n * 1000).toISOString().replace(".000Z", "Z")
    : String(seconds);
}

/** A sentence built from a revert's arguments by parameter name. */
type Explanation = (args: Readonly<Record<string, unknown>>) => string;

/**
 * Sentences for reverts whose arguments need reading, by error name. They end the {@link ContractRevertError}
 * message: `reverted with Name(args): sentence`.
 */
const EXPLANATIONS: Readonly<Record<string, Explanation>> = {
  ReportDeadlineNotReached: (a) =>
    `period ${String(a.period)} of deal ${String(a.deal)} takes reports until its report deadline, ` +
    `${isoTime(a.deadline)}; it can be marked unreported only from then on`,
  IssuerConsentRequired: (a) =>
    `only the term sheet's issuer ${String(a.issuer)} may send createDeal, not ${String(a.caller)}; ` +
    "another account submits the issuer's signed consent with createDealWithConsent",
  ConsentExpired: (a) => `the issuer's consent was valid until ${isoTime(a.deadline)}`,
  InvalidIssuerSignature: (a) =>
    `the signature is not ${String(a.issuer)}'s consent to this term sheet with its current nonce (another ` +
    "signer, other terms, another factory or chain, or a consent already used)",
  ReportDeadlinePassed: (a) =>
    `the report deadline of period ${String(a.period)} of deal ${String(a.deal)} passed at ` +
    `${isoTime(a.deadline)}; the period takes no more reports and is distributed as unreported`,
};

/** What a {@link TransferRestrictedError} refused. */
export type RestrictedOperation = "transfer" | "claim" | "delivery" | "subscription";

/**
 * A tranche token's transfer rules refuse the operation, with the ERC-1404 restriction `code` (`TransferRules`) and
 * its sentence (`messageForTransferRestriction`). Thrown by the SDK before sending, when the token's
 * `detectTransferRestriction` / `detectClaimRestriction` view refuses (`transactionHash` undefined, `data` the revert
 * the contract would give), and in place of a `TransferRestricted(code)` or `ClaimRestricted(account, code)` revert.
 * As a {@link ContractRevertError} its `errorName` is `TransferRestricted` or `ClaimRestricted`.
 */
export class TransferRestrictedError extends ContractRevertError {
  override name = "TransferRestrictedError";
  /** The restriction code (1 – 17). */
  readonly code: TransferRestriction;
  /** Its name, e.g. `ReceiverNotRegistered`. */
  readonly restriction: string;
  /** The sentence `messageForTransferRestriction(code)` gives. */
  readonly reason: string;
  /** What was refused: a transfer, a claim of coupons, or the delivery of subscribed tokens. */
  readonly operation: RestrictedOperation;

  constructor(
    params: {
      code: number;
      reason?: string;
      operation?: RestrictedOperation;
      /** The account a `ClaimRestricted` names; makes the error `ClaimRestricted`. */
      claimant?: Hex;
      data?: Hex;
      transactionHash?: Hex;
      /** Extra details (token, from, to, amount). */
      details?: Record<string, unknown>;
    },
    options?: { cause?: unknown },
  ) {
    const claim = params.claimant !== undefined;
    const errorName = claim ? "ClaimRestricted" : "TransferRestricted";
    const args: readonly unknown[] = claim ? [params.claimant, params.code] : [params.code];
    const namedArgs: Record<string, unknown> = claim
      ? { account: params.claimant, code: params.code }
      : { code: params.code };
    const data =
      params.data ??
      (claim
        ? encodeErrorResult({
            abi: trancheTokenAbi,
            errorName: "ClaimRestricted",
            args: [params.claimant as Hex, params.code],
          })
        : encodeErrorResult({
            abi: trancheTokenAbi,
            errorName: "TransferRestricted",
            args: [params.code],
          }));
    super({ errorName, args, namedArgs, data, transactionHash: params.transactionHash }, options);
    this.code = params.code as TransferRestriction;
    this.restriction = transferRestrictionName(params.code);
    this.reason = params.reason ?? transferRestrictionMessage(params.code);
    this.operation = params.operation ?? (claim ? "claim" : "transfer");
    this.message = `${this.operation} restricted (${this.code} ${this.restriction}): ${this.reason}`;
    Object.assign(this.details as Record<string, unknown>, {
      code: this.code,
      restriction: this.restriction,
      reason: this.reason,
      operation: this.operation,
      ...params.details,
    });
  }
}

/** Value names of the enums that Cascade errors carry, keyed by the ABI's `internalType`. */
const ENUMS: Readonly<Record<string, readonly string[]>> = {
  "enum IDeal.TermSheetField": TERM_SHEET_FIELDS,
  "enum IUtilizationOracle.OracleTermsField": ORACLE_TERMS_FIELDS,
  "enum DealStatus": Object.keys(DealStatus),
  "enum IUtilizationOracle.ReportState": Object.keys(ReportState),
  "enum IRiskEngine.FleetEntryStatus": Object.keys(FleetEntryStatus),
};

/** One problem of a term sheet: the field path (e.g. `tranches[1].coupon.capPct`) and what is wrong. */
export interface TermSheetIssue {
  path: string;
  message: string;
}

/** The term sheet is invalid; `issues` lists every problem found, not only the first. */
export class TermSheetError extends CascadeError {
  override name = "TermSheetError";
  readonly issues: readonly TermSheetIssue[];

  /** `what` names the document in the message (default "term sheet"; "fleet entries" for `parseFleetEntries`). */
  constructor(issues: readonly TermSheetIssue[], what = "term sheet") {
    super(
      `invalid ${what} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((i) => `  - ${i.path}: ${i.message}`).join("\n"),
      { issues },
    );
    this.issues = issues;
  }
}

/**
 * A utilization report the oracle would refuse, caught before it is signed (`checkReport`). `errorName` names the
 * error the submission would revert with (the oracle's, or `WaterfallPeriodAlreadyDistributed` for a period the deal
 * has distributed); the message is `errorName: sentence`.
 */
export class ReportRefusedError extends CascadeError {
  override name = "ReportRefusedError";
  readonly errorName: string;
  /** The sentence alone. */
  readonly reason: string;

  constructor(errorName: string, reason: string, details: Record<string, unknown> = {}) {
    super(`${errorName}: ${reason}`, { errorName, ...details });
    this.errorName = errorName;
    this.reason = reason;
  }
}

/** The action cannot run yet (e.g. no period is ready, an offering is still open). */
export class NotReadyError extends CascadeError {
  override name = "NotReadyError";
}

function formatArg(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return v;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

/** An `error` item of an ABI. */
export type AbiErrorItem = Extract<Abi[number], { type: "error" }>;

/** Every error declared in the Cascade ABIs, deduplicated by signature (hence by selector). */
export const cascadeErrorsAbi: readonly AbiErrorItem[] = (() => {
  const bySignature = new Map<string, AbiErrorItem>();
  const abis: readonly Abi[] = [
    dealAbi,
    dealFactoryAbi,
    trancheTokenAbi,
    offeringAbi,
    utilizationOracleAbi,
    riskEngineAbi,
    equityWaterfallAbi,
    gpuPriceIndexFeedAbi,
    investorRegistryAbi,
    accessManagerAbi,
    erc20ErrorsAbi,
  ];
  for (const abi of abis) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      // An error's selector hashes its signature (name and input types), computed like a function's: the same
      // signature, the same selector (comparing signatures spares a keccak per error when the SDK loads).
      const signature = toFunctionSignature({
        type: "function",
        name: item.name,
        inputs: item.inputs,
        outputs: [],
        stateMutability: "nonpayable",
      });
      if (!bySignature.has(signature)) bySignature.set(signature, item);
    }
  }
  return [...bySignature.values()];
})();

/** Decodes revert data against every Cascade error (plus `Error(string)` / `Panic(uint256)`); undefined if unknown. */
export function decodeRevert(
  data: Hex,
  cause?: unknown,
  transactionHash?: Hex,
): ContractRevertError | undefined {
  if (data.length < 10) return undefined;
  try {
    const decoded = decodeErrorResult({ abi: cascadeErrorsAbi, data });
    const args = (decoded.args ?? []) as readonly unknown[];
    const inputs = "inputs" in decoded.abiItem ? decoded.abiItem.inputs : [];
    const namedArgs: Record<string, unknown> = {};
    const enumNames = args.map((a, i) => {
      namedArgs[inputs[i]?.name || String(i)] = a;
      const internalType = (inputs[i] as { internalType?: string } | undefined)?.internalType;
      const names = internalType === undefined ? undefined : ENUMS[internalType];
      return names !== undefined && typeof a === "number" ? names[a] : undefined;
    });
    if (decoded.errorName === "TransferRestricted")
      return new TransferRestrictedError(
        { code: Number(args[0]), data, transactionHash },
        { cause },
      );
    if (decoded.errorName === "ClaimRestricted")
      return new TransferRestrictedError(
        { code: Number(args[1]), claimant: args[0] as Hex, data, transactionHash },
        { cause },
      );
    return new ContractRevertError(
      { errorName: decoded.errorName, args, namedArgs, data, enumNames, transactionHash },
      { cause },
    );
  } catch {
    return undefined;
  }
}

function isHex(v: unknown): v is Hex {
  return typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v);
}

/** Finds revert data anywhere in a viem error chain (or a provider error with a `data` field). */
export function findRevertData(e: unknown): Hex | undefined {
  let found: Hex | undefined;
  const visit = (x: unknown): boolean => {
    if (x instanceof ContractFunctionRevertedError && isHex(x.raw)) {
      found = x.raw;
      return true;
    }
    if (x instanceof RawContractError) {
      const d = typeof x.data === "object" && x.data !== null ? x.data.data : x.data;
      if (isHex(d) && d.length >= 10) {
        found = d;
        return true;
      }
    }
    const data = (x as { data?: unknown } | null)?.data;
    if (isHex(data) && data.length >= 10) {
      found = data;
      return true;
    }
    // A JSON-RPC error object whose `data` is itself an object carrying the revert data (Hardhat's in-process
    // network answers reverts it cannot attribute to a contract this way).
    const nested =
      typeof data === "object" && data !== null ? (data as { data?: unknown }).data : undefined;
    if (isHex(nested) && nested.length >= 10) {
      found = nested;
      return true;
    }
    return false;
  };
  if (e instanceof BaseError) {
    e.walk(visit);
    return found;
  }
  // Non-viem errors: follow `cause` by hand.
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 16; depth++) {
    if (visit(cur)) return found;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The contract a viem contract call was made to, from its `ContractFunctionExecutionError`. */
function calledContract(e: unknown): Address | undefined {
  if (!(e instanceof BaseError)) return undefined;
  const found = e.walk((x) => x instanceof ContractFunctionExecutionError);
  return found instanceof ContractFunctionExecutionError ? found.contractAddress : undefined;
}

/**
 * Converts an error thrown by viem (or a provider) into a {@link CascadeError}: a {@link ContractRevertError} when
 * revert data of a known error is found, the error itself when it already is a CascadeError, otherwise a
 * CascadeError carrying viem's short message with the original as `cause`.
 */
export function wrapContractError(e: unknown): CascadeError {
  if (e instanceof CascadeError) return e;
  const data = findRevertData(e);
  if (data !== undefined) {
    const decoded = decodeRevert(data, e);
    if (decoded) {
      decoded.contractAddress = calledContract(e);
      return decoded;
    }
  }
  const message =
    e instanceof BaseError
      ? e.shortMessage
      : e instanceof Error
        ? e.message
        : `non-error thrown: ${String(e)}`;
  return new CascadeError(message, data !== undefined ? { data } : {}, { cause: e });
}

/**
 * A subscription the offering would refuse, found before anything is signed or sent: the request's custom error
 * (`ZeroAmount`, `OfferingPaused`, `OfferingNotOpen`, `BelowMinimumTicket`, or the stablecoin's
 * `ERC20InsufficientBalance`) with the arguments the contract would give, and `reason`, a sentence in stablecoin
 * units and dates. A subscriber the tranche's rules would refuse delivery is a {@link TransferRestrictedError}
 * (operation `subscription`) instead.
 */
export class SubscriptionRefusedError extends ContractRevertError {
  override name = "SubscriptionRefusedError";
  /** Why, in stablecoin units and dates, e.g. `10.00 < minimum 100,000.00 USDC`. */
  readonly reason: string;

  constructor(
    params: {
      errorName: string;
      args: readonly unknown[];
      namedArgs: Record<string, unknown>;
      data: Hex;
      reason: string;
    },
    options?: { cause?: unknown },
  ) {
    super({ ...params, explanation: params.reason }, options);
    this.reason = params.reason;
    this.message = `subscription refused (${params.errorName}): ${params.reason}`;
    Object.assign(this.details as Record<string, unknown>, { reason: params.reason });
  }
}
