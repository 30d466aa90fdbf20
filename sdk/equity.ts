/**
 * Equity statements an auditor can recompute: a deal's LP/GP waterfall (`docs/equity.md`) in words, each
 * `EquityDistributed` event decoded into a statement — what each tier paid each class, the preferred return accrued and
 * still unpaid, the hurdle balances and whether each hurdle is met, the catch-up's progress — checked against the SDK's
 * model (`EquityWaterfallModel`, the same numbers as the contract to the wei), and the classes' realized IRRs to date
 * from their dated cash flows (`xirr`). Built from the events `equityDistributions` reads and the waterfall's fixed
 * facts; `dealHistory` joins each period's equity statement to the period. Pure: no chain access, every figure a
 * bigint in base units, WAD or bps (IRRs are numbers: 0.15 = 15 % a year). How it is printed: `cli/lib/statements.ts`.
 */
import { formatRate } from "./format.js";
import { catchUpNeedUp, hurdleTiers } from "./models/equityMath.js";
import {
  distributeEquity,
  initialEquityState,
  type EquityWaterfallState,
} from "./models/equityWaterfall.js";
import { EquityTier, type Address, type EquityTerms, type EquityTierTerms } from "./types.js";
import { xirr, type CashFlow } from "./xirr.js";

const BPS = 10_000;
const WAD = 10n ** 18n;

/** Whether class `j` is in the bitmask `mask`. */
const inMask = (mask: number, j: number) => ((mask >>> j) & 1) === 1;

// ------------------------------------------------------------------ the waterfall in words

/** A share in bps as a percentage without trailing zeros: `10000` → `100`, `7550` → `75.5`. */
function shareText(bps: number): string {
  const whole = Math.floor(bps / 100);
  const cents = bps % 100;
  if (cents === 0) return `${whole}`;
  return `${whole}.${String(cents).padStart(2, "0").replace(/0$/, "")}`;
}

/** A share in bps with two decimals: `2000` → `20.00 %`. */
export function bpsText(bps: number): string {
  return `${Math.floor(bps / 100)}.${String(bps % 100).padStart(2, "0")} %`;
}

/** The LP/sponsor split of a tier giving `sponsorBps` to the sponsor: `80/20`. */
export function splitText(sponsorBps: number): string {
  return `${shareText(BPS - sponsorBps)}/${shareText(sponsorBps)}`;
}

/** The names of the classes of `mask`, in rank order. */
function classList(mask: number, names: readonly string[]): string {
  return names.filter((_, j) => inMask(mask, j)).join(", ");
}

/**
 * One tier in words, classes by `names` (class j: the j-th equity tranche):
 * - `return of capital, by rank: Preferred, LP common` (or `pro rata`);
 * - `8.00 % preferred return, by rank: Preferred, LP common` (`…, compounded each period` when it compounds);
 * - `catch-up: 100 % to the sponsor (Promote) until it holds 20.00 % of profit`;
 * - `80/20 to LP common / Promote until LP IRR 15.00 %`, the last split `70/30 to LP common / Promote thereafter`.
 */
export function describeEquityTier(
  tier: EquityTierTerms,
  names: readonly string[],
  sponsorClass: number,
): string {
  const classes = classList(tier.classes, names);
  const order = tier.byRank ? "by rank" : "pro rata";
  const sponsor = names[sponsorClass] ?? `class ${sponsorClass}`;
  switch (tier.kind) {
    case EquityTier.ReturnOfCapital:
      return `return of capital, ${order}: ${classes}`;
    case EquityTier.PreferredReturn:
      return (
        `${formatRate(tier.rate)} preferred return${tier.compounding ? ", compounded each period" : ""}, ` +
        `${order}: ${classes}`
      );
    case EquityTier.CatchUp:
      return (
        `catch-up: ${shareText(tier.sponsorBps)} % to the sponsor (${sponsor}) until it holds ` +
        `${bpsText(tier.targetBps)} of profit`
      );
    case EquityTier.Split:
      return (
        `${splitText(tier.sponsorBps)} to ${classes} / ${sponsor} ` +
        (tier.rate === 0n ? "thereafter" : `until LP IRR ${formatRate(tier.rate)}`)
      );
    default:
      return `tier of unknown kind ${tier.kind}`;
  }
}

/** The split tiers in one line: `80/20 until LP IRR 15.00 %, then 70/30`; undefined without splits. */
export function describeEquitySplits(terms: EquityTerms): string | undefined {
  const splits = terms.tiers.filter((t) => t.kind === EquityTier.Split);
  if (splits.length === 0) return undefined;
  return splits
    .map(
      (t, i) =>
        `${i === 0 ? "" : "then "}${splitText(t.sponsorBps)}` +
        (t.rate === 0n ? "" : ` until LP IRR ${formatRate(t.rate)}`),
    )
    .join(", ");
}

/** The short name of a tier's kind, as the CSV columns use it. */
export function equityTierKindName(kind: number): "capital" | "pref" | "catchup" | "split" {
  switch (kind) {
    case EquityTier.ReturnOfCapital:
      return "capital";
    case EquityTier.PreferredReturn:
      return "pref";
    case EquityTier.CatchUp:
      return "catchup";
    default:
      return "split";
  }
}

// ------------------------------------------------------------------ statements

/** What a deal's equity waterfall is, for its statements: fixed once its first distribution started it. */
export interface EquityFacts {
  /** The waterfall's contract. */
  waterfall: Address;
  terms: EquityTerms;
  /** `C_j`: each class's tokens issued, sold at par (`EquityStarted.contributed`, or the classes' `contributed`). */
  contributed: readonly bigint[];
  /** When the accrual clock started: the deal's start (`EquityStarted.startedAt`); the classes' capital is dated there. */
  start: bigint;
  /** Each class's tranche name and symbol (class j: the j-th equity tranche, after the notes). */
  names: readonly string[];
  symbols: readonly string[];
}

/** One `EquityDistributed` event, decoded: arrays by class; tier rows in the term sheet's order; hurdles in tier order. */
export interface EquityDistribution {
  /** The deal's last distributed period (0-based; 0 also before any) — of a period's residual, that period. */
  period: bigint;
  /** Sale or refinancing proceeds deposited into the repaid deal's waterfall (`depositCapitalEvent`). */
  capitalEvent: boolean;
  /** When the amount is dated: a period's end, or a capital event's block. */
  time: bigint;
  amount: bigint;
  /** `paid[t][j]`: what tier t paid class j (the last tier's row holds what the tiers left, if anything). */
  paid: bigint[][];
  /** After it: each class's unreturned capital `U_j` and unpaid preferred return `P_j`. */
  unreturned: bigint[];
  prefOwed: bigint[];
  /** After it: `hurdles[k][j]`, the balance of hurdled split k for class j. */
  hurdles: bigint[][];
  /** After it: all profit distributed (`T`) and the sponsor class's (`S`): the catch-up's progress. */
  totalProfit: bigint;
  sponsorProfit: bigint;
  blockNumber: bigint;
  transactionHash: `0x${string}`;
  logIndex: number;
}

/** The arguments of `EquityDistributed` as the contract emits them: the statement packed (`EquityStatement.sol`). */
export interface EquityDistributedArgs {
  period: bigint;
  capitalEvent: boolean;
  time: bigint | number;
  amount: bigint;
  statement: `0x${string}`;
}

/** The packed statement of `EquityDistributed`, decoded: arrays by class, rows by tier and by hurdled split. */
export interface EquityStatementFields {
  paid: bigint[][];
  unreturned: bigint[];
  prefOwed: bigint[];
  hurdles: bigint[][];
  totalProfit: bigint;
  sponsorProfit: bigint;
}

/** Bytes of one amount in a packed statement (big-endian). */
const AMOUNT_BYTES = 16;
const AMOUNT_MAX = (1n << 128n) - 1n;

/**
 * Decodes a packed equity statement (`contracts/libraries/EquityStatement.sol`): three counts (classes n, tiers T,
 * hurdled splits K), a bitmap of the m = n·(T + 2 + K) + 2 amounts that are not zero (⌈m / 8⌉ bytes, the first amount
 * at the high bit of the first byte), then those amounts in 16 bytes each. The amounts, in order: paid by tier and
 * class (T × n), unreturned capital (n), unpaid preferred return (n), hurdle balances by split and class (K × n), all
 * profit and the sponsor's.
 */
export function decodeEquityStatement(statement: `0x${string}`): EquityStatementFields {
  const hex = statement.slice(2);
  if (hex.length < 6) throw new RangeError("an equity statement starts with three counts");
  const [n, tiers, hurdles] = [0, 1, 2].map((i) => Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  const m = n * (tiers + 2 + hurdles) + 2;
  const maskBytes = Math.ceil(m / 8);
  if (hex.length < 2 * (3 + maskBytes))
    throw new RangeError(`an equity statement of ${m} amounts has a bitmap of ${maskBytes} bytes`);
  const mask = BigInt(`0x${hex.slice(6, 6 + 2 * maskBytes)}`);
  const present = (i: number) => ((mask >> BigInt(8 * maskBytes - 1 - i)) & 1n) === 1n;
  const count = Array.from({ length: m }, (_, i) => i).filter(present).length;
  const size = 3 + maskBytes + AMOUNT_BYTES * count;
  if ((mask & ((1n << BigInt(8 * maskBytes - m)) - 1n)) !== 0n)
    throw new RangeError(`an equity statement's bitmap marks amounts past its ${m}`);
  if (hex.length !== 2 * size)
    throw new RangeError(
      `an equity statement of ${n} classes, ${tiers} tiers, ${hurdles} hurdles and ${count} amounts not zero is ${size} bytes, not ${hex.length / 2}`,
    );
  let at = 2 * (3 + maskBytes);
  const amounts = Array.from({ length: m }, (_, i) => {
    if (!present(i)) return 0n;
    const v = BigInt(`0x${hex.slice(at, at + 2 * AMOUNT_BYTES)}`);
    at += 2 * AMOUNT_BYTES;
    if (v === 0n) throw new RangeError(`amount ${i} of an equity statement is marked present but is zero`);
    return v;
  });
  const row = () => amounts.splice(0, n);
  const paid = Array.from({ length: tiers }, row);
  const unreturned = row();
  const prefOwed = row();
  const hurdleRows = Array.from({ length: hurdles }, row);
  return { paid, unreturned, prefOwed, hurdles: hurdleRows, totalProfit: amounts[0], sponsorProfit: amounts[1] };
}

/** Packs a statement as the contract does (the inverse of `decodeEquityStatement`; every amount below 2¹²⁸). */
export function encodeEquityStatement(fields: EquityStatementFields): `0x${string}` {
  const n = fields.unreturned.length;
  const rows = [...fields.paid, fields.unreturned, fields.prefOwed, ...fields.hurdles];
  if (rows.some((r) => r.length !== n)) throw new RangeError(`every row of the statement has ${n} classes`);
  const amounts = [...rows.flat(), fields.totalProfit, fields.sponsorProfit];
  const bad = amounts.find((v) => v < 0n || v > AMOUNT_MAX);
  if (bad !== undefined) throw new RangeError(`${bad} does not fit a statement's 16 bytes`);
  const maskBytes = Math.ceil(amounts.length / 8);
  const mask = amounts.reduce((a, v, i) => (v === 0n ? a : a | (1n << BigInt(8 * maskBytes - 1 - i))), 0n);
  const byte = (c: number) => c.toString(16).padStart(2, "0");
  return `0x${byte(n)}${byte(fields.paid.length)}${byte(fields.hurdles.length)}${mask
    .toString(16)
    .padStart(2 * maskBytes, "0")}${amounts
    .filter((v) => v !== 0n)
    .map((v) => v.toString(16).padStart(2 * AMOUNT_BYTES, "0"))
    .join("")}`;
}

/** Decodes an `EquityDistributed` event's arguments and its packed statement. */
export function decodeEquityDistributed(
  args: EquityDistributedArgs,
  log: { blockNumber: bigint; transactionHash: `0x${string}`; logIndex: number },
): EquityDistribution {
  return {
    period: args.period,
    capitalEvent: args.capitalEvent,
    time: BigInt(args.time),
    amount: args.amount,
    ...decodeEquityStatement(args.statement),
    blockNumber: log.blockNumber,
    transactionHash: log.transactionHash,
    logIndex: log.logIndex,
  };
}

/** A hurdle (a split tier with a hurdle rate) after a distribution. */
export interface HurdleView {
  /** The split's tier, 0-based in the term sheet's order. */
  tier: number;
  /** The hurdle rate (WAD a year). */
  rate: bigint;
  /** Each class's balance (zero for classes not in the tier). */
  balances: bigint[];
  /** Per class: an LP class of the tier holding tokens with a zero balance (its IRR has reached the hurdle). */
  metBy: boolean[];
  /** Every LP class of the tier holding tokens has met it. */
  met: boolean;
}

/** The catch-up's progress after a distribution. */
export interface CatchUpView {
  sponsorProfit: bigint;
  totalProfit: bigint;
  /** `S / T` in bps, rounded down (0 before any profit). */
  shareBps: bigint;
  /** The catch-up tier's target (bps), if the waterfall has one. */
  targetBps: number | undefined;
  /**
   * Profit has been distributed and the sponsor holds its target share of it (`10,000 × S ≥ t × T`, T > 0);
   * undefined without a catch-up tier.
   */
  reached: boolean | undefined;
}

/** Realized IRRs to date (annual, actual/365; 0.15 = 15 %): undefined while a class has received nothing. */
export interface EquityIrrs {
  /** The LP classes together (every class but the sponsor's, with tokens). */
  lp: number | undefined;
  sponsor: number | undefined;
  classes: (number | undefined)[];
}

/** One distribution of the waterfall as a statement: the event and everything derived from it. */
export interface EquityStatementView {
  distribution: EquityDistribution;
  /** 1-based position among the waterfall's distributions. */
  number: number;
  /** Seconds of accrual: from the previous distribution (the deal's start before the first) to `time`, at least 0. */
  elapsed: bigint;
  /** Each class's total (Σ over tiers): sent to its token. */
  toClass: bigint[];
  /** Per class: preferred return accrued over `elapsed`, and what the preferred-return tiers paid. */
  prefAccrued: bigint[];
  prefPaid: bigint[];
  /** Per class after it: capital returned (`C_j − U_j`), everything distributed (`D_j`), `D_j / C_j` (WAD, down). */
  returned: bigint[];
  distributed: bigint[];
  multiple: bigint[];
  hurdles: HurdleView[];
  catchUp: CatchUpView;
  /** The classes' realized IRRs after it, from their contributions at `start` and every distribution up to it. */
  irr: EquityIrrs;
  /** Σ paid = amount, and each class's state after it follows from the one before and what it was paid. */
  balances: boolean;
  /**
   * The SDK's model (`EquityWaterfallModel.distributeEquity`) run from the state before it gives this statement to
   * the base unit: the same payments per tier and class, the same state after it.
   */
  agreesWithModel: boolean;
}

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);

/** The realized IRR of `flows`, or undefined when it has none (nothing received yet, or a single date). */
function irrOf(flows: readonly CashFlow[]): number | undefined {
  if (!flows.some((f) => BigInt(f.amount) > 0n) || !flows.some((f) => BigInt(f.amount) < 0n))
    return undefined;
  try {
    return xirr(flows);
  } catch {
    return undefined;
  }
}

/**
 * Realized IRRs of the classes from their dated cash flows: each class's contribution paid in at `facts.start`, each
 * distribution's payments to it received at the distribution's `time`. The LP IRR pools every class but the
 * sponsor's that holds tokens.
 */
export function equityIrrs(
  facts: Pick<EquityFacts, "terms" | "contributed" | "start">,
  distributions: readonly Pick<EquityDistribution, "time" | "paid">[],
): EquityIrrs {
  const n = facts.contributed.length;
  const sponsor = facts.terms.sponsorClass;
  const flowsOf = (members: number[]): CashFlow[] => {
    const paidIn = sum(members.map((j) => facts.contributed[j]));
    if (paidIn === 0n) return [];
    const flows: CashFlow[] = [{ time: facts.start, amount: -paidIn }];
    for (const d of distributions) {
      const x = sum(members.map((j) => sum(d.paid.map((row) => row[j]))));
      if (x > 0n) flows.push({ time: d.time, amount: x });
    }
    return flows;
  };
  const lp = Array.from({ length: n }, (_, j) => j).filter(
    (j) => j !== sponsor && facts.contributed[j] > 0n,
  );
  return {
    lp: irrOf(flowsOf(lp)),
    sponsor: irrOf(flowsOf([sponsor])),
    classes: Array.from({ length: n }, (_, j) => irrOf(flowsOf([j]))),
  };
}

/** The waterfall's state after `d` (its accrual clock at `clock`), as the model holds it. */
function stateAfter(
  d: EquityDistribution,
  distributed: readonly bigint[],
  clock: bigint,
): EquityWaterfallState {
  return {
    lastAccrual: clock,
    classes: d.unreturned.map((u, j) => ({
      unreturned: u,
      prefUnpaid: d.prefOwed[j],
      distributed: distributed[j],
      hurdles: d.hurdles.map((row) => row[j]),
    })),
  };
}

/**
 * Every distribution of a waterfall (`distributions`, in order, as `equityDistributions` reads them) as a statement.
 * @throws RangeError when an event's arrays do not fit the waterfall's classes, tiers and hurdles.
 */
export function equityStatements(
  distributions: readonly EquityDistribution[],
  facts: EquityFacts,
): EquityStatementView[] {
  const { terms, contributed } = facts;
  const n = contributed.length;
  const hurdleTierList = hurdleTiers(terms);
  const catchUp = terms.tiers.find((t) => t.kind === EquityTier.CatchUp);
  const prefTiers = terms.tiers
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.kind === EquityTier.PreferredReturn)
    .map(({ i }) => i);
  let state = initialEquityState(terms, contributed, facts.start);
  const views: EquityStatementView[] = [];
  distributions.forEach((d, k) => {
    if (
      d.unreturned.length !== n ||
      d.prefOwed.length !== n ||
      d.paid.length !== terms.tiers.length ||
      d.hurdles.length !== hurdleTierList.length ||
      d.paid.some((row) => row.length !== n) ||
      d.hurdles.some((row) => row.length !== n)
    )
      throw new RangeError(
        `equity distribution ${k + 1}: its arrays do not fit ${n} classes, ${terms.tiers.length} tiers and ` +
          `${hurdleTierList.length} hurdles`,
      );
    const before = state;
    const elapsed = d.time > before.lastAccrual ? d.time - before.lastAccrual : 0n;
    const clock = d.time > before.lastAccrual ? d.time : before.lastAccrual;
    const toClass = Array.from({ length: n }, (_, j) => sum(d.paid.map((row) => row[j])));
    const prefPaid = Array.from({ length: n }, (_, j) => sum(prefTiers.map((t) => d.paid[t][j])));
    const prefAccrued = d.prefOwed.map((p, j) => p - before.classes[j].prefUnpaid + prefPaid[j]);
    const distributed = before.classes.map((c, j) => c.distributed + toClass[j]);
    const returned = d.unreturned.map((u, j) => contributed[j] - u);
    const returnedNow = before.classes.map((c, j) => c.unreturned - d.unreturned[j]);
    const capitalPaid = Array.from({ length: n }, (_, j) =>
      sum(terms.tiers.map((t, i) => (t.kind === EquityTier.ReturnOfCapital ? d.paid[i][j] : 0n))),
    );
    const after = stateAfter(d, distributed, clock);

    // The model, run from the state before, must give this statement to the base unit.
    let agreesWithModel = false;
    try {
      // The model's last tier row holds the remainder, as the event's does.
      const m = distributeEquity(terms, contributed, before, d.amount, d.time);
      const paid = m.paid;
      const same = (a: readonly bigint[], b: readonly bigint[]) =>
        a.length === b.length && a.every((x, i) => x === b[i]);
      agreesWithModel =
        paid.every((row, i) => same(row, d.paid[i])) &&
        m.state.classes.every(
          (c, j) =>
            c.unreturned === d.unreturned[j] &&
            c.prefUnpaid === d.prefOwed[j] &&
            c.distributed === distributed[j] &&
            same(c.hurdles, after.classes[j].hurdles),
        ) &&
        m.totalProfit === d.totalProfit &&
        m.sponsorProfit === d.sponsorProfit;
    } catch {
      agreesWithModel = false;
    }

    const hurdles: HurdleView[] = hurdleTierList.map((t, h) => {
      const tier = terms.tiers[t];
      const members = Array.from({ length: n }, (_, j) => j).filter(
        (j) => inMask(tier.classes, j) && contributed[j] > 0n,
      );
      const metBy = d.hurdles[h].map((b, j) => members.includes(j) && b === 0n);
      return {
        tier: t,
        rate: tier.rate,
        balances: [...d.hurdles[h]],
        metBy,
        met: members.every((j) => metBy[j]),
      };
    });
    const s = d.sponsorProfit;
    const total = d.totalProfit;
    views.push({
      distribution: d,
      number: k + 1,
      elapsed,
      toClass,
      prefAccrued,
      prefPaid,
      returned,
      distributed,
      multiple: distributed.map((x, j) =>
        contributed[j] === 0n ? 0n : (x * WAD) / contributed[j],
      ),
      hurdles,
      catchUp: {
        sponsorProfit: s,
        totalProfit: total,
        shareBps: total > 0n ? (s * BigInt(BPS)) / total : 0n,
        targetBps: catchUp?.targetBps,
        reached:
          catchUp === undefined
            ? undefined
            : total > 0n &&
              catchUpNeedUp(total, s, BigInt(catchUp.sponsorBps), BigInt(catchUp.targetBps)) === 0n,
      },
      irr: equityIrrs(facts, distributions.slice(0, k + 1)),
      balances:
        sum(toClass) === d.amount &&
        prefAccrued.every((a) => a >= 0n) &&
        returnedNow.every((r, j) => r === capitalPaid[j]) &&
        total === sum(distributed.map((x, j) => x - returned[j])) &&
        s === distributed[terms.sponsorClass] - returned[terms.sponsorClass],
      agreesWithModel,
    });
    state = after;
  });
  return views;
}

/** A class's state now, as the waterfall's views give it (`IEquityWaterfall.ClassState`). */
export interface EquityClassNow {
  contributed: bigint;
  returned: bigint;
  prefOwed: bigint;
  distributed: bigint;
  hurdleBalances: readonly bigint[];
}

/**
 * The model's state from the waterfall's views (`classes()`, `lastAccrual()`): before its first distribution
 * (`lastAccrual` 0) the state it starts from, the clock at `start`.
 */
export function equityStateOf(
  terms: EquityTerms,
  classes: readonly EquityClassNow[],
  lastAccrual: bigint,
  start: bigint,
): EquityWaterfallState {
  if (lastAccrual === 0n)
    return initialEquityState(
      terms,
      classes.map((c) => c.contributed),
      start,
    );
  return {
    lastAccrual,
    classes: classes.map((c) => ({
      unreturned: c.contributed - c.returned,
      prefUnpaid: c.prefOwed,
      distributed: c.distributed,
      hurdles: [...c.hurdleBalances],
    })),
  };
}
