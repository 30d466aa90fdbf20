/**
 * What the investor's and the compliance agent's commands share: deal names from the address book, amounts and
 * times for people and for JSON (raw base units beside decimal units), an investor's registry record as text, the
 * compliance-agent check, and the table of a multi-step command that stopped half-way.
 */
import { formatUnits, zeroAddress, type Address } from "viem";

import type { CascadeClient, InvestorRecordReturnType, RegistryRecord } from "../../sdk/index.js";
import { CascadeError } from "../../sdk/index.js";
import { parseAddress, UsageError } from "./args.js";
import type { Context } from "./context.js";
import { iso } from "./deals.js";

/** The address book's name of `deal`, else the address. */
export function dealLabel(ctx: Context, deal: Address): string {
  const found = Object.values(ctx.deployment.deals).find(
    (d) => d.deal.toLowerCase() === deal.toLowerCase(),
  );
  return found ? found.name : deal;
}

/** Block the deal was created at (from the address book), else the protocol's deployment block, else 0. */
export function scanStart(ctx: Context, deal: Address): bigint {
  const found = Object.values(ctx.deployment.deals).find(
    (d) => d.deal.toLowerCase() === deal.toLowerCase(),
  );
  const block = found?.blockNumber ?? ctx.deployment.protocol?.blockNumber;
  return block !== undefined && /^\d+$/.test(block) ? BigInt(block) : 0n;
}

/** Base units as a plain decimal string for JSON ("11000000.5"). */
export function decimal(units: bigint, decimals: number): string {
  return formatUnits(units, decimals);
}

/** A WAD ratio as a decimal cut to six places (never rounded up): 857142857142857142n → "0.857142". */
export function wadDecimal(wad: bigint): string {
  const [whole, fraction = ""] = formatUnits(wad, 18).split(".");
  return `${whole}.${fraction.slice(0, 6).padEnd(6, "0")}`;
}

/** A duration in days, hours or minutes ("in 364 d", "3 h ago"). */
export function relative(seconds: bigint, now: bigint): string {
  const d = seconds - now;
  const abs = d < 0n ? -d : d;
  const text =
    abs >= 86_400n
      ? `${abs / 86_400n} d`
      : abs >= 3_600n
        ? `${abs / 3_600n} h`
        : `${abs / 60n} min`;
  return d < 0n ? `${text} ago` : `in ${text}`;
}

/** A time with how far it is from `now`. */
export function at(seconds: bigint, now: bigint): string {
  return `${iso(seconds)} (${relative(seconds, now)})`;
}

type RecordLike = Pick<
  InvestorRecordReturnType,
  | "registered"
  | "identity"
  | "classes"
  | "classNames"
  | "country"
  | "kycExpiry"
  | "identityFrozen"
  | "walletFrozen"
>;

/** The investor classes of a record by name, e.g. "accredited, qualified-purchaser" ("none" for 0). */
export function classText(r: Pick<RecordLike, "classNames">): string {
  return r.classNames.length === 0 ? "none" : r.classNames.map(String).join(", ");
}

/** A record's frozen state in words. */
export function frozenText(r: Pick<RecordLike, "identityFrozen" | "walletFrozen">): string {
  if (r.identityFrozen && r.walletFrozen) return "identity and wallet frozen";
  if (r.identityFrozen) return "identity frozen";
  if (r.walletFrozen) return "wallet frozen";
  return "no";
}

/** The KYC expiry with its state at `now`. */
export function kycText(r: Pick<RecordLike, "kycExpiry">, now: bigint): string {
  return `${iso(r.kycExpiry)} (${r.kycExpiry <= now ? "expired" : "valid"}, ${relative(r.kycExpiry, now)})`;
}

/** A registry record for JSON: raw values with the dates and class names beside. */
export function recordJson(r: RecordLike & { wallets?: Address[] }) {
  return {
    registered: r.registered,
    identity: r.identity,
    kycExpiry: r.kycExpiry,
    kycExpiryIso: r.registered ? iso(r.kycExpiry) : undefined,
    country: r.country,
    classes: r.classes,
    classNames: r.classNames,
    identityFrozen: r.identityFrozen,
    walletFrozen: r.walletFrozen,
    ...(r.wallets ? { wallets: r.wallets } : {}),
  };
}

/** The lines of a position's registry record for people. */
export function recordRows(r: RegistryRecord, now: bigint): [string, string][] {
  if (!r.registered) return [["registry record", `not registered in ${r.registry}`]];
  return [
    ["identity", String(r.identity)],
    ["classes", classText(r)],
    ["country", String(r.country)],
    ["KYC until", kycText(r, now)],
    ["frozen", frozenText(r)],
  ];
}

/**
 * Refuses (before anything is signed) when the signer is not a compliance agent of `registry`: one line saying who
 * is, and how the role is granted.
 */
export async function requireAgent(
  client: CascadeClient & {
    isComplianceAgent: (p: { registry: Address; account: Address }) => Promise<boolean>;
  },
  registry: Address,
  account: Address,
): Promise<void> {
  if (!(await client.isComplianceAgent({ registry, account })))
    throw new CascadeError(
      `${account} is not a compliance agent of the investor registry ${registry}: sign with a key holding its ` +
        "COMPLIANCE_AGENT_ROLE (the registry's admin grants it)",
    );
}

/** How a multi-step command ended: every step done, or where it stopped and that running it again finishes it. */
export function partialSummary(done: number, total: number, notDone: string[]): string {
  return (
    `${done} of ${total} done; not done: ${notDone.join("; ")}. ` +
    "Run the same command again to finish: what is done is skipped"
  );
}

/** `value` with a `<key>Units` decimal string beside each amount in `keys` (JSON for scripts). */
export function withUnits<T extends object>(
  value: T,
  keys: readonly (keyof T & string)[],
  decimals: number,
) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = v;
    if ((keys as readonly string[]).includes(k) && typeof v === "bigint")
      out[`${k}Units`] = decimal(v, decimals);
  }
  return out;
}

/** A wallet argument: a checksummed address ({@link parseAddress}) that is not the zero address. */
export function parseWallet(input: string, what: string): Address {
  const a = parseAddress(input, what);
  if (a === zeroAddress) throw new UsageError(`${what}: the zero address is no one's wallet`);
  return a;
}
