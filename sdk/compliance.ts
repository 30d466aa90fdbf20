/**
 * Compliance vocabulary shared by the term sheet, the compliance actions and the CLI: the investor class flags of
 * the `InvestorRegistry`, ISO 3166-1 numeric country bitmaps (`TransferRules.Rules.blockedCountries`), the
 * ERC-1404 restriction codes of `TransferRules` and its holding-period rule on fresh lots (`freshTokens`,
 * `mergeFresh`, `holdingPeriodCode`). Pure: imports nothing from viem.
 */
import type { TransferRules } from "./types.js";

/**
 * Investor class flags: the bits of an investor's `classes` in the `InvestorRegistry`, and of a tranche's
 * `allowedClasses` mask (any-of; 0 allows every class). The registry stores any 16-bit value; these names are the
 * protocol's convention for the low bits.
 */
export const INVESTOR_CLASSES = {
  /** US accredited investor (Regulation D, Rule 501). */
  accredited: 1,
  /** US qualified purchaser (Investment Company Act, section 2(a)(51)). */
  "qualified-purchaser": 2,
  /** Not a US person (Regulation S). */
  "non-us-person": 4,
  /** Professional client (MiFID II, Annex II). */
  professional: 8,
  /** Institutional investor (e.g. a qualified institutional buyer, Rule 144A). */
  institutional: 16,
} as const;

export type InvestorClassName = keyof typeof INVESTOR_CLASSES;

/** A class given by name or as a raw flag mask (1 to 65535). */
export type InvestorClassInput = InvestorClassName | number;

const U16_MAX = 0xffff;

/**
 * The flag mask of investor classes given by name, as raw masks, or as a comma-separated text of both
 * (`"accredited,qualified-purchaser"`, `"3"`). Returns what is wrong as a string.
 */
export function investorClassMask(
  classes: number | string | readonly (InvestorClassInput | string)[],
): number | string {
  const items: readonly (number | string)[] =
    typeof classes === "string"
      ? classes
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
      : typeof classes === "number"
        ? [classes]
        : classes;
  let mask = 0;
  for (const item of items) {
    const flag =
      typeof item === "number" ? item : /^\d+$/.test(item) ? Number(item) : classFlag(item);
    if (typeof flag === "string") return flag;
    if (!Number.isInteger(flag) || flag < 0 || flag > U16_MAX)
      return `expected an investor class mask from 0 to ${U16_MAX}, got ${String(item)}`;
    mask |= flag;
  }
  return mask;
}

function classFlag(name: string): number | string {
  const flag = (INVESTOR_CLASSES as Readonly<Record<string, number>>)[name];
  if (flag === undefined)
    return `unknown investor class "${name}" (known: ${Object.keys(INVESTOR_CLASSES).join(", ")}; or a number)`;
  return flag;
}

/** The names of the flags set in `mask`, then any other bits as one number (`["accredited", 64]`). */
export function investorClassNames(mask: number): (InvestorClassName | number)[] {
  const out: (InvestorClassName | number)[] = [];
  let rest = mask;
  for (const [name, flag] of Object.entries(INVESTOR_CLASSES) as [InvestorClassName, number][]) {
    if ((mask & flag) !== 0) {
      out.push(name);
      rest &= ~flag;
    }
  }
  if (rest !== 0) out.push(rest);
  return out;
}

/** Smallest and largest ISO 3166-1 numeric code a registry accepts and a bitmap may block. */
export const MIN_COUNTRY_CODE = 1;
export const MAX_COUNTRY_CODE = 999;

/** Whether `code` is an ISO 3166-1 numeric code the contracts accept (an integer from 1 to 999). */
export function isCountryCode(code: unknown): code is number {
  return (
    typeof code === "number" &&
    Number.isInteger(code) &&
    code >= MIN_COUNTRY_CODE &&
    code <= MAX_COUNTRY_CODE
  );
}

/**
 * The `blockedCountries` bitmap of ISO 3166-1 numeric codes: country c is bit c % 256 of word c / 256.
 * @throws RangeError for a code outside 1 – 999.
 */
export function countryBitmap(codes: readonly number[]): [bigint, bigint, bigint, bigint] {
  const words: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
  for (const c of codes) {
    if (!isCountryCode(c))
      throw new RangeError(`expected an ISO 3166-1 numeric code from 1 to 999, got ${String(c)}`);
    words[c >> 8] |= 1n << BigInt(c & 0xff);
  }
  return words;
}

/** The ISO 3166-1 numeric codes set in a `blockedCountries` bitmap, ascending. */
export function countryCodes(bitmap: readonly bigint[]): number[] {
  const out: number[] = [];
  bitmap.forEach((word, w) => {
    for (let bit = 0; bit < 256; bit++) if ((word >> BigInt(bit)) & 1n) out.push(w * 256 + bit);
  });
  return out;
}

/** No transfer rules: what every tranche of a deal without an investor registry has. */
export const NO_TRANSFER_RULES: TransferRules = Object.freeze({
  allowedClasses: 0,
  minHoldingPeriod: 0,
  maxHolders: 0,
  minHolding: 0n,
  blockedCountries: Object.freeze([0n, 0n, 0n, 0n] as const),
});

/** ERC-1404 restriction codes of `TransferRules` (`detectTransferRestriction`, `TransferRestricted(code)`). */
export const TransferRestriction = {
  Success: 0,
  Paused: 1,
  InsufficientBalance: 2,
  TokensLocked: 3,
  SenderNotRegistered: 4,
  SenderFrozen: 5,
  SenderKycExpired: 6,
  SenderCountryBlocked: 7,
  SenderClassNotAllowed: 8,
  ReceiverNotRegistered: 9,
  ReceiverFrozen: 10,
  ReceiverKycExpired: 11,
  ReceiverCountryBlocked: 12,
  ReceiverClassNotAllowed: 13,
  HoldingPeriod: 14,
  BelowMinHolding: 15,
  MaxHolders: 16,
  AmountFrozen: 17,
} as const;
export type TransferRestriction = (typeof TransferRestriction)[keyof typeof TransferRestriction];

/** Name of a {@link TransferRestriction} code. */
export function transferRestrictionName(
  code: number,
): keyof typeof TransferRestriction | "Unknown" {
  const entry = Object.entries(TransferRestriction).find(([, v]) => v === code);
  return entry ? (entry[0] as keyof typeof TransferRestriction) : "Unknown";
}

/**
 * `TransferRules.message(code)` for every code, the text `messageForTransferRestriction` returns: used to explain
 * a `TransferRestricted` / `ClaimRestricted` revert without another call.
 */
export const TRANSFER_RESTRICTION_MESSAGES: Readonly<Record<TransferRestriction, string>> = {
  0: "No restriction: the transfer is allowed.",
  1: "Transfers of this tranche are paused.",
  2: "The sender's balance is smaller than the amount.",
  3: "The sender's tokens are locked by a waiver vote.",
  4: "The sender is not a registered investor.",
  5: "The sender's account is frozen.",
  6: "The sender's KYC has expired.",
  7: "The sender's country is not allowed for this tranche.",
  8: "The sender's investor class is not allowed for this tranche.",
  9: "The receiver is not a registered investor.",
  10: "The receiver's account is frozen.",
  11: "The receiver's KYC has expired.",
  12: "The receiver's country is not allowed for this tranche.",
  13: "The receiver's investor class is not allowed for this tranche.",
  14: "The amount exceeds the sender's tokens past their minimum holding period.",
  15: "The transfer would leave a balance below the minimum holding.",
  16: "The tranche already has the maximum number of holders.",
  17: "The amount exceeds the sender's unfrozen balance.",
};

/** The sentence of restriction `code` (`TransferRules.message`). */
export function transferRestrictionMessage(code: number): string {
  return (
    (TRANSFER_RESTRICTION_MESSAGES as Readonly<Record<number, string>>)[code] ??
    "Unknown restriction code."
  );
}

/** An `InvestorRecord` of the registry, unpacked (`walletRecord`; identity 0: the wallet is not registered). */
export interface InvestorRecord {
  identity: number;
  kycExpiry: bigint;
  country: number;
  classes: number;
  identityFrozen: boolean;
  walletFrozen: boolean;
  walletCount: number;
}

/** Unpacks a registry record (`InvestorRecordLib`'s layout: identity, KYC expiry, country, classes, flags). */
export function unpackInvestorRecord(record: bigint): InvestorRecord {
  const bits = (shift: number, width: number) =>
    (record >> BigInt(shift)) & ((1n << BigInt(width)) - 1n);
  return {
    identity: Number(bits(0, 32)),
    kycExpiry: bits(32, 40),
    country: Number(bits(72, 16)),
    classes: Number(bits(88, 16)),
    identityFrozen: bits(104, 1) === 1n,
    walletFrozen: bits(105, 1) === 1n,
    walletCount: Number(bits(106, 4)),
  };
}

/**
 * The first failing eligibility check of a wallet's record under a tranche's rules at `now`, as a sender code (4 – 8,
 * `TransferRules.senderCode`) or, with `side` "receiver", a receiver code (9 – 13); 0 when eligible. This is what a
 * token checks when it delivers subscribed tokens (receiver) and before a claim (sender).
 */
export function eligibilityCode(
  record: InvestorRecord,
  rules: Pick<TransferRules, "allowedClasses" | "blockedCountries">,
  now: bigint,
  side: "sender" | "receiver" = "sender",
): TransferRestriction {
  const offset = side === "receiver" ? 5 : 0;
  const code = (c: number) => (c + offset) as TransferRestriction;
  if (record.identity === 0) return code(TransferRestriction.SenderNotRegistered);
  if (record.identityFrozen || record.walletFrozen) return code(TransferRestriction.SenderFrozen);
  if (record.kycExpiry <= now) return code(TransferRestriction.SenderKycExpired);
  const c = record.country;
  if (!isCountryCode(c) || ((rules.blockedCountries[c >> 8] ?? 0n) >> BigInt(c & 0xff)) & 1n)
    return code(TransferRestriction.SenderCountryBlocked);
  if (rules.allowedClasses !== 0 && (rules.allowedClasses & record.classes) === 0)
    return code(TransferRestriction.SenderClassNotAllowed);
  return TransferRestriction.Success;
}

// ------------------------------------------------------------------ holding period (TransferRules, fresh lots)

/**
 * When a fresh lot started at `since` leaves a holding period of `period` seconds (`TransferRules.releasedAt`): the
 * plain sum, never taken modulo 2^32, so `minHoldingPeriod` = 2^32 − 1 means "never" while the token's clocks run.
 */
export function releasedAt(since: bigint, period: bigint | number): bigint {
  return since + BigInt(period);
}

/**
 * `TransferRules.freshTokens`: of a fresh lot of `fresh` tokens started at `since`, the tokens still in their
 * holding period of `period` seconds at `now`, for an account holding `balance` — all of them (at most the balance)
 * before the lot's end, none from then on. These may not go to another identity; the rest of the balance may.
 */
export function freshTokens(
  fresh: bigint,
  since: bigint,
  balance: bigint,
  period: bigint | number,
  now: bigint,
): bigint {
  if (now >= releasedAt(since, period)) return 0n;
  return fresh < balance ? fresh : balance;
}

/**
 * `TransferRules.mergeFresh`: the fresh lot after `amount` tokens whose holding period started at `amountSince`
 * join a lot of `fresh` tokens started at `since` (the receiver's {@link freshTokens}: 0 once its lot has ended). An
 * empty lot takes the received tokens' start; otherwise the start is the amount-weighted mean of both, rounded down
 * (`sinceDown`), so a reception of dust does not move it and no reception locks tokens already held.
 */
export function mergeFresh(
  fresh: bigint,
  since: bigint,
  amount: bigint,
  amountSince: bigint,
): { fresh: bigint; sinceDown: bigint } {
  if (amount === 0n) return { fresh, sinceDown: since };
  if (fresh === 0n) return { fresh: amount, sinceDown: amountSince };
  const merged = fresh + amount;
  return { fresh: merged, sinceDown: (fresh * since + amount * amountSince) / merged };
}

/** What a sender holds, as the holding-period rule reads it (the token's `balanceOf`, `frozenTokens`, `freshTokens`). */
export interface HeldPosition {
  balance: bigint;
  /** Tokens an agent froze. */
  frozen: bigint;
  /** Tokens still in their holding period now (`freshTokens(account).amount`). */
  fresh: bigint;
}

/**
 * What `position` may send to another identity now: the balance less its frozen and its fresh tokens (0 when those
 * cover it). Between wallets of one identity only the frozen tokens stay.
 */
export function transferableToAnotherIdentity(position: HeldPosition): bigint {
  const held = position.frozen + position.fresh;
  return held >= position.balance ? 0n : position.balance - held;
}

/**
 * The holding-period part of `TransferRules.checkPacked`, after the balance (2) and the frozen amount (17): 17 when
 * `amount` exceeds the balance less the frozen tokens, 14 (`HoldingPeriod`) when it exceeds what is past the holding
 * period (between two identities), else 0. The token answers the whole check with `detectTransferRestriction`.
 */
export function holdingPeriodCode(
  position: HeldPosition,
  amount: bigint,
  sameIdentity: boolean,
): TransferRestriction {
  if (amount > position.balance) return TransferRestriction.InsufficientBalance;
  const left = position.balance - amount;
  if (position.frozen > left) return TransferRestriction.AmountFrozen;
  if (!sameIdentity && position.frozen + position.fresh > left)
    return TransferRestriction.HoldingPeriod;
  return TransferRestriction.Success;
}
