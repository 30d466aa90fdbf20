/**
 * The issuer's, the trustee's and anyone's deal-management commands:
 *
 * - `feed deploy | push | show | list`: a GPU rental-price index feed (`GpuPriceIndexFeed`, AggregatorV3) for local and
 *   test networks, recorded in the address book under a name that a term sheet's `"$<name>"` resolves to;
 * - `fleet add | confirm | reject | retire | show`: GPUs added after creation (pending until the trustee confirms
 *   them), sold or broken GPUs retired, and the fleet valued entry by entry;
 * - `recoveries deposit`, `write-down`, `clean-up`, `waiver propose | vote | execute | show`.
 *
 * Each command first checks the refusals people meet (the sender's role, the deal's status, an entry's or a ballot's
 * state, amounts) and says why in a sentence (exit code 1) without sending; anything else the contract refuses comes
 * back as its decoded error. What a command sends is decoded from the receipts by the SDK.
 */
import { readFile } from "node:fs/promises";

import type { Command } from "commander";
import {
  erc20Abi,
  formatUnits,
  keccak256,
  parseUnits,
  toHex,
  zeroAddress,
  type Address,
} from "viem";
import { getCode, readContract } from "viem/actions";

import {
  CascadeError,
  dealAbi,
  dealStatusName,
  DealStatus,
  FleetEntryStatus,
  parseFleetEntries,
  parseTime,
  riskEngineAbi,
  TermSheetError,
  trancheTokenAbi,
  type CascadeClient,
  type FeedRecord,
  type FleetEntryTerms,
  type FleetValuationReturnType,
  type PriceFeedSnapshotReturnType,
  type WaiverBallotReturnType,
} from "../../sdk/index.js";
import { parseAddress, parseInteger, UsageError } from "../lib/args.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import { chainTime, iso, parseAmount } from "../lib/deals.js";
import { emit, keyValues, money, print, table, wadPct, withProgress } from "../lib/output.js";

/** A placeholder name: what `"$<name>"` in a term sheet can resolve to. */
const FEED_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ISSUER_ROLE = `0x${"00".repeat(32)}` as const;
const GUARDIAN_ROLE = keccak256(toHex("cascade.role.guardian"));
const MAX_UINT256 = 2n ** 256n - 1n;

// ------------------------------------------------------------------ shared reads and formats

/** A refusal found before sending: exit code 1, one sentence. */
function refuse(message: string, details: Record<string, unknown> = {}): never {
  throw new CascadeError(message, details);
}

/** What the commands read of a deal before acting. */
interface DealContext {
  deal: Address;
  name: string;
  client: CascadeClient;
  decimals: number;
  symbol: string;
  status: number;
  statusName: string;
  trustee: Address;
}

async function openDeal(ctx: Context, ref: string, signing: boolean): Promise<DealContext> {
  const { address: deal, record } = await ctx.deal(ref);
  const client = (signing ? await ctx.wallet() : ctx.reader()) as unknown as CascadeClient;
  const stablecoin = await readContract(client, {
    address: deal,
    abi: dealAbi,
    functionName: "stablecoin",
  });
  const [decimals, symbol, status, trustee] = await Promise.all([
    readContract(client, { address: stablecoin, abi: erc20Abi, functionName: "decimals" }),
    readContract(client, { address: stablecoin, abi: erc20Abi, functionName: "symbol" }),
    readContract(client, { address: deal, abi: dealAbi, functionName: "status" }),
    readContract(client, { address: deal, abi: dealAbi, functionName: "trustee" }),
  ]);
  return {
    deal,
    name: record?.name ?? deal,
    client,
    decimals,
    symbol,
    status,
    statusName: dealStatusName(status),
    trustee,
  };
}

function hasRole(d: DealContext, role: `0x${string}`, account: Address): Promise<boolean> {
  return readContract(d.client, {
    address: d.deal,
    abi: dealAbi,
    functionName: "hasRole",
    args: [role, account],
  });
}

async function requireIssuer(d: DealContext, account: Address, what: string): Promise<void> {
  if (!(await hasRole(d, ISSUER_ROLE, account)))
    refuse(`${account} is not the issuer admin of deal ${d.name}: only the issuer ${what}`, {
      account,
    });
}

function requireTrustee(d: DealContext, account: Address, what: string): void {
  if (account.toLowerCase() !== d.trustee.toLowerCase())
    refuse(
      `${account} is not the trustee of deal ${d.name} (${d.trustee}): only the trustee ${what}`,
      {
        account,
      },
    );
}

/** An amount in the deal's stablecoin with its symbol. */
function units(d: DealContext, amount: bigint): string {
  return `${amountText(amount, d.decimals)} ${d.symbol}`;
}

/** Stablecoin units with thousands separators and two decimals (cut, not rounded): 1234500000 → "1,234.50". */
function amountText(amount: bigint, decimals: number): string {
  const text = money(amount, decimals);
  return text.includes(".") || decimals === 0 ? text : `${text}.00`;
}

/** An index level in its feed's decimals: 480000000 (8 decimals) → "4.80". */
function indexText(value: bigint, decimals: number): string {
  const [whole, fraction = ""] = formatUnits(value, decimals).split(".");
  return `${whole}.${fraction.padEnd(2, "0")}`;
}

function ratio(wad: bigint): string {
  return wad === MAX_UINT256 ? "∞" : wadPct(wad);
}

function duration(seconds: bigint): string {
  const s = Number(seconds);
  if (s >= 86_400) return `${(s / 86_400).toFixed(s % 86_400 === 0 ? 0 : 1)} d`;
  if (s >= 3_600) return `${(s / 3_600).toFixed(1)} h`;
  return `${s} s`;
}

/** A time flag: ISO-8601, unix seconds, or an offset from the chain's time ("+1h", "-2d"). */
async function timeArg(client: CascadeClient, input: string, flag: string): Promise<bigint> {
  const t = parseTime(input.trim(), await chainTime(client));
  if (typeof t === "string") throw new UsageError(`${flag}: ${t}`);
  return t;
}

function entryArg(v: string): bigint {
  return parseInteger(v, "--entry");
}

// ------------------------------------------------------------------ feeds

interface FeedDeployOptions {
  name: string;
  description: string;
  decimals: string;
  price: string;
  at?: string;
  publisher: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A positive index level in `decimals`. */
function priceArg(input: string, decimals: number): bigint {
  const s = input.trim().replace(/^\$/, "");
  if (!/^\d+(\.\d+)?$/.test(s))
    throw new UsageError(`--price "${input}" is not a price (USD per GPU-hour, e.g. 4.80)`);
  if ((s.split(".")[1] ?? "").replace(/0+$/, "").length > decimals)
    throw new UsageError(`--price "${input}" has more than the feed's ${decimals} decimal places`);
  const v = parseUnits(s, decimals);
  if (v === 0n)
    throw new UsageError("--price must be above zero (the feed refuses a non-positive answer)");
  return v;
}

async function hasCode(client: CascadeClient, address: Address): Promise<boolean> {
  const code = await getCode(client, { address });
  return code !== undefined && code !== "0x";
}

/** The feed `ref` names: a name of the address book's feeds, or an address with code. */
async function resolveFeed(
  ctx: Context,
  ref: string,
): Promise<{ feed: Address; record: FeedRecord | undefined }> {
  const feeds = ctx.deployment.feeds ?? {};
  const byName = Object.values(feeds).find((f) => f.name.toLowerCase() === ref.toLowerCase());
  let feed: Address;
  if (byName) feed = byName.feed;
  else if (/^0x/i.test(ref.trim())) feed = parseAddress(ref, "feed");
  else {
    const known = Object.keys(feeds);
    throw new UsageError(
      `no feed "${ref}" in ${ctx.deploymentFile}` +
        (known.length
          ? ` (known: ${known.join(", ")})`
          : " (`cascade feed deploy --name …`, or give its address)"),
    );
  }
  const record =
    byName ?? Object.values(feeds).find((f) => f.feed.toLowerCase() === feed.toLowerCase());
  if (!(await hasCode(ctx.reader() as unknown as CascadeClient, feed))) {
    if (record)
      throw new UsageError(
        `feed "${record.name}" of ${ctx.deploymentFile} has no code at ${feed} on chain ${ctx.chain.id}: the ` +
          "address book is stale (was the node restarted?); deploy it again with `cascade feed deploy`",
      );
    throw new UsageError(`${feed} is not a feed: chain ${ctx.chain.id} has no contract there`);
  }
  return { feed, record };
}

function printFeed(
  s: PriceFeedSnapshotReturnType,
  name: string | undefined,
  extra: [string, unknown][] = [],
) {
  print(
    keyValues(
      [
        ["feed", s.feed],
        ["description", s.description],
        ["decimals", s.decimals],
        [
          "latest",
          s.latest
            ? `${indexText(s.latest.answer, s.decimals)} (round ${s.latest.roundId}, observed ${iso(
                s.latest.updatedAt,
              )}, ${duration(s.latest.age)} ago)`
            : "no round yet (a deal refuses a feed without one)",
        ],
        ...extra,
      ],
      name ?? s.feed,
    ),
  );
}

async function feedDeploy(ctx: Context, o: FeedDeployOptions) {
  if (!FEED_NAME.test(o.name))
    throw new UsageError(
      `--name "${o.name}": a feed's name is what a term sheet's "$<name>" names: letters, digits and _, not ` +
        "starting with a digit (e.g. b200Index)",
    );
  if (!/^\d+$/.test(o.decimals) || Number(o.decimals) > 18)
    throw new UsageError(`--decimals "${o.decimals}" must be a whole number from 0 to 18`);
  const decimals = Number(o.decimals);
  const price = priceArg(o.price, decimals);
  const publishers = o.publisher.map((p) => parseAddress(p, "--publisher"));
  if (o.description.trim() === "") throw new UsageError("--description must not be empty");
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const at = o.at === undefined ? undefined : await timeArg(client, o.at, "--at");
  const now = await chainTime(client);
  if (at !== undefined && at > now)
    throw new UsageError(
      `--at ${iso(at)} is after the chain's time ${iso(now)}: an observation cannot come from the future`,
    );
  if (at === 0n) throw new UsageError("--at must be after 1970");

  const feeds = (ctx.deployment.feeds ??= {});
  const existing = feeds[o.name];
  const actions: string[] = [];
  const result = await withProgress(
    ctx.json,
    `feed "${o.name}" on chain ${ctx.chain.id}`,
    async (p) => {
      let record = existing;
      if (record && (await hasCode(client, record.feed))) {
        if (record.decimals !== decimals || record.description !== o.description)
          throw new UsageError(
            `feed "${o.name}" exists already at ${record.feed} (${record.description}, ${record.decimals} decimals); ` +
              "choose another --name for another feed",
          );
        actions.push("feed already deployed");
      } else {
        if (record) actions.push(`recorded feed ${record.feed} has no code: redeployed`);
        p.step(`deploying GpuPriceIndexFeed "${o.description}" (${decimals} decimals)`);
        const deployed = await wallet.deployPriceIndexFeed({
          decimals,
          description: o.description,
        });
        record = {
          name: o.name,
          feed: deployed.feed,
          description: o.description,
          decimals,
          admin: wallet.account.address,
          publisher: wallet.account.address,
          blockNumber: deployed.blockNumber.toString(),
          transactionHash: deployed.transactionHash,
        };
        // Recorded at once: a rerun after a failed publication finds the feed and finishes the job.
        feeds[o.name] = record;
        await ctx.save();
        actions.push("feed deployed");
      }
      const snapshot = await wallet.priceFeedSnapshot({ feed: record.feed });
      let published: { roundId: bigint; answer: bigint; updatedAt: bigint } | undefined;
      if (snapshot.latest === undefined) {
        p.step(`publishing the first round: ${indexText(price, decimals)}`);
        published = await wallet.publishPriceIndex({
          feed: record.feed,
          answer: price,
          updatedAt: at,
        });
        actions.push(`first round published (${indexText(price, decimals)})`);
      } else {
        actions.push(
          `a round exists already (${indexText(snapshot.latest.answer, decimals)}): --price not published`,
        );
      }
      const granted: Address[] = [];
      for (const publisher of publishers) {
        const s = await wallet.priceFeedSnapshot({ feed: record.feed, publisher });
        if (s.isPublisher) continue;
        p.step(`granting the publisher role to ${publisher}`);
        await wallet.grantPriceIndexPublisher({ feed: record.feed, publisher });
        granted.push(publisher);
      }
      if (granted.length > 0) actions.push(`publisher role granted to ${granted.join(", ")}`);
      return { record, published };
    },
    () => actions.join("; "),
  );
  const snapshot = await wallet.priceFeedSnapshot({ feed: result.record.feed });
  emit(
    ctx.json,
    { ...result.record, latest: snapshot.latest, actions, file: ctx.deploymentFile },
    () =>
      printFeed(snapshot, o.name, [
        ["publisher", result.record.publisher],
        [
          "term sheets",
          `"address": "$${o.name}" (deal create resolves it from ${ctx.deploymentFile})`,
        ],
      ]),
  );
}

async function feedPush(ctx: Context, ref: string, o: { price: string; at?: string }) {
  const { feed, record } = await resolveFeed(ctx, ref);
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const before = await wallet.priceFeedSnapshot({ feed, publisher: wallet.account.address });
  const price = priceArg(o.price, before.decimals);
  const at = o.at === undefined ? before.blockTimestamp : await timeArg(client, o.at, "--at");
  const name = record?.name ?? feed;
  if (before.isPublisher === false)
    refuse(
      `${wallet.account.address} may not publish to feed ${name}: it lacks the publisher role`,
    );
  if (at === 0n) throw new UsageError("--at must be after 1970");
  if (at > before.blockTimestamp)
    refuse(
      `--at ${iso(at)} is after the chain's time ${iso(before.blockTimestamp)}: an observation cannot come from the future`,
    );
  if (before.latest && at < before.latest.updatedAt)
    refuse(
      `--at ${iso(at)} is older than the latest round ${before.latest.roundId} (observed ${iso(
        before.latest.updatedAt,
      )}): rounds are published in time order`,
    );
  const r = await withProgress(
    ctx.json,
    `publishing ${indexText(price, before.decimals)} to ${name}`,
    () => wallet.publishPriceIndex({ feed, answer: price, updatedAt: at }),
    (x) =>
      `round ${x.roundId}: ${indexText(x.answer, before.decimals)} observed ${iso(x.updatedAt)}`,
  );
  const change =
    before.latest === undefined
      ? undefined
      : Number(((r.answer - before.latest.answer) * 1_000_000n) / before.latest.answer) / 10_000;
  emit(
    ctx.json,
    { feed, name: record?.name, decimals: before.decimals, previous: before.latest, ...r },
    () =>
      print(
        table(
          ["feed", "round", "index", "observed", "change", "transaction"],
          [
            [
              name,
              r.roundId,
              indexText(r.answer, before.decimals),
              iso(r.updatedAt),
              change === undefined
                ? "first round"
                : `${change >= 0 ? "+" : ""}${change.toFixed(2)} %`,
              r.transactionHash,
            ],
          ],
        ),
      ),
  );
}

async function feedShow(ctx: Context, ref: string) {
  const { feed, record } = await resolveFeed(ctx, ref);
  const s = await ctx.reader().priceFeedSnapshot({ feed });
  emit(ctx.json, { name: record?.name, ...s }, () =>
    printFeed(s, record?.name, record ? [["publisher (at deployment)", record.publisher]] : []),
  );
}

function feedList(ctx: Context) {
  const feeds = Object.values(ctx.deployment.feeds ?? {});
  emit(ctx.json, feeds, () => {
    if (feeds.length === 0) print(`no feeds recorded for chain ${ctx.chain.id}`);
    else
      print(
        table(
          ["name", "feed", "description", "decimals"],
          feeds.map((f) => [f.name, f.feed, f.description, f.decimals]),
        ),
      );
  });
}

// ------------------------------------------------------------------ fleet

interface FleetAddOptions {
  file?: string;
  model?: string;
  gpus?: string;
  cost?: string;
  residual?: string;
  purchased?: string;
  lifeMonths?: string;
  life?: string;
  method?: string;
  rate?: string;
  index?: string;
}

const METHODS: Record<string, "straightLine" | "decliningBalance"> = {
  straightline: "straightLine",
  "straight-line": "straightLine",
  decliningbalance: "decliningBalance",
  "declining-balance": "decliningBalance",
};

/** The flag of each field of a fleet entry. */
const FLAG_OF: Record<string, string> = {
  model: "--model",
  count: "--gpus",
  unitCost: "--cost",
  unitResidual: "--residual",
  acquired: "--purchased",
  usefulLifeMonths: "--life-months",
  usefulLife: "--life",
  method: "--method",
  yearlyRatePercent: "--rate",
  indexAtAcquisition: "--index",
};

/** The entry the flags describe, in the term sheet's `risk.fleet[]` format. */
function entryFromFlags(o: FleetAddOptions): Record<string, unknown> {
  const missing = (
    [
      ["model", "--model"],
      ["gpus", "--gpus"],
      ["cost", "--cost"],
      ["purchased", "--purchased"],
      ["method", "--method"],
    ] as const
  ).filter(([k]) => o[k] === undefined);
  if (o.lifeMonths === undefined && o.life === undefined)
    missing.push(["lifeMonths", "--life-months or --life"] as never);
  if (missing.length > 0)
    throw new UsageError(
      `give --file, or the entry's flags: missing ${missing.map(([, f]) => f).join(", ")}`,
    );
  const method = METHODS[(o.method as string).toLowerCase()];
  if (!method)
    throw new UsageError(`--method "${o.method}" must be straight-line or declining-balance`);
  const gpus = Number(o.gpus);
  return {
    model: o.model,
    count: /^\d+$/.test(o.gpus as string) ? gpus : o.gpus,
    unitCost: o.cost,
    unitResidual: o.residual ?? "0",
    acquired: /^\d+$/.test(o.purchased as string) ? Number(o.purchased) : o.purchased,
    ...(o.lifeMonths !== undefined
      ? { usefulLifeMonths: /^\d+$/.test(o.lifeMonths) ? Number(o.lifeMonths) : o.lifeMonths }
      : { usefulLife: o.life }),
    method,
    ...(o.rate !== undefined ? { yearlyRatePercent: o.rate } : {}),
    ...(o.index !== undefined ? { indexAtAcquisition: o.index } : {}),
  };
}

async function fleetAdd(ctx: Context, ref: string, o: FleetAddOptions) {
  const flags = (Object.keys(o) as (keyof FleetAddOptions)[]).filter(
    (k) => k !== "file" && o[k] !== undefined,
  );
  if (o.file !== undefined && flags.length > 0)
    throw new UsageError(
      `give --file or the entry's flags, not both (--file ${o.file} with ${flags.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")})`,
    );
  let json: unknown;
  if (o.file !== undefined) {
    try {
      json = JSON.parse(await readFile(o.file, "utf8"));
    } catch (e) {
      throw new UsageError(`${o.file}: ${(e as Error).message.split("\n")[0]}`);
    }
  } else json = [entryFromFlags(o)];
  const d = await openDeal(ctx, ref, true);
  const wallet = await ctx.wallet();
  const engine = await readContract(d.client, {
    address: d.deal,
    abi: dealAbi,
    functionName: "riskEngine",
  });
  const [config, count] = await Promise.all([
    readContract(d.client, { address: engine, abi: riskEngineAbi, functionName: "config" }),
    readContract(d.client, {
      address: engine,
      abi: riskEngineAbi,
      functionName: "fleetEntryCount",
    }),
  ]);
  let entries: FleetEntryTerms[];
  try {
    entries = parseFleetEntries(json, {
      now: await chainTime(d.client),
      decimals: d.decimals,
      feedDecimals: config.priceFeed === zeroAddress ? undefined : config.feedDecimals,
    });
  } catch (e) {
    if (!(e instanceof TermSheetError) || o.file !== undefined) throw e;
    // The entry came from flags: its problems are the flags'.
    throw new UsageError(
      e.issues
        .map((i) => `${FLAG_OF[i.path.replace(/^fleet\[0\]\.?/, "")] ?? i.path}: ${i.message}`)
        .join("; "),
    );
  }
  await requireIssuer(d, wallet.account.address, "adds fleet entries");
  if (count + BigInt(entries.length) > 32n)
    refuse(
      `the fleet holds at most 32 entries: deal ${d.name} has ${count}, ${entries.length} more do not fit`,
    );
  const r = await withProgress(
    ctx.json,
    `adding ${entries.length} fleet entr${entries.length === 1 ? "y" : "ies"} to ${d.name}`,
    () => wallet.addFleetEntries({ deal: d.deal, entries }),
    (x) =>
      `entr${x.ids.length === 1 ? "y" : "ies"} ${x.ids.join(", ")} pending until the trustee confirms`,
  );
  emit(
    ctx.json,
    { deal: d.deal, ids: r.ids, status: "Pending", entries, transactionHash: r.transactionHash },
    () => {
      print(
        table(
          ["entry", "model", "GPUs", "unit cost", "acquired", "status"],
          entries.map((e, i) => [
            r.ids[i],
            Buffer.from(e.model.slice(2), "hex").toString("utf8").replace(/\0+$/, ""),
            e.count,
            units(d, e.unitCost),
            iso(e.acquiredAt),
            "Pending",
          ]),
        ),
      );
      print(
        `pending: they count as collateral once the trustee confirms them (cascade fleet confirm ${d.name} --entry ${r.ids[0]})`,
      );
    },
  );
}

/** Entry `id` of the deal's fleet, or a refusal naming the entries there are. */
async function fleetEntry(d: DealContext, id: bigint) {
  const engine = await readContract(d.client, {
    address: d.deal,
    abi: dealAbi,
    functionName: "riskEngine",
  });
  const count = await readContract(d.client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "fleetEntryCount",
  });
  if (id >= count)
    refuse(
      `deal ${d.name} has no fleet entry ${id}` +
        (count === 0n ? " (it has none)" : ` (entries 0–${count - 1n})`),
    );
  const e = await readContract(d.client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "fleetEntry",
    args: [id],
  });
  return {
    engine,
    entry: e,
    statusName: ["Pending", "Confirmed", "Rejected"][e.status] ?? "Unknown",
  };
}

async function fleetDecide(
  ctx: Context,
  ref: string,
  o: { entry: string },
  decision: "confirm" | "reject",
) {
  const id = entryArg(o.entry);
  const d = await openDeal(ctx, ref, true);
  const wallet = await ctx.wallet();
  const me = wallet.account.address;
  const { statusName, entry } = await fleetEntry(d, id);
  if (decision === "confirm") requireTrustee(d, me, "confirms fleet entries");
  else if (me.toLowerCase() !== d.trustee.toLowerCase() && !(await hasRole(d, GUARDIAN_ROLE, me)))
    refuse(
      `${me} is neither the trustee nor the guardian of deal ${d.name}: only they reject fleet entries`,
    );
  if (entry.status !== FleetEntryStatus.Pending)
    refuse(
      `fleet entry ${id} of deal ${d.name} is ${statusName}, not pending: it was confirmed or rejected already`,
    );
  const before = await wallet.fleetValuation({ deal: d.deal });
  const r = await withProgress(
    ctx.json,
    `${decision === "confirm" ? "confirming" : "rejecting"} fleet entry ${id} of ${d.name}`,
    () =>
      decision === "confirm"
        ? wallet.confirmFleetEntry({ deal: d.deal, id })
        : wallet.rejectFleetEntry({ deal: d.deal, id }),
    () => `fleet entry ${id} ${decision === "confirm" ? "confirmed" : "rejected"}`,
  );
  const after = await wallet.fleetValuation({ deal: d.deal });
  const status = decision === "confirm" ? "Confirmed" : "Rejected";
  emit(
    ctx.json,
    {
      deal: d.deal,
      entry: id,
      status,
      collateralValueBefore: before.collateralValue,
      collateralValue: after.collateralValue,
      ltv: after.ltv,
      transactionHash: r.transactionHash,
    },
    () =>
      print(
        keyValues(
          [
            ["entry", `${id} (${entry.activeCount} GPUs)`],
            ["status", status],
            [
              "collateral value",
              `${units(d, before.collateralValue)} → ${units(d, after.collateralValue)}`,
            ],
            ["LTV", `${ratio(before.ltv)} → ${ratio(after.ltv)}`],
            ["transaction", r.transactionHash],
          ],
          d.name,
        ),
      ),
  );
}

async function fleetRetire(
  ctx: Context,
  ref: string,
  o: { entry: string; units?: string; proceeds?: string },
) {
  const id = entryArg(o.entry);
  const d = await openDeal(ctx, ref, true);
  const wallet = await ctx.wallet();
  const proceeds =
    o.proceeds === undefined ? 0n : parseAmount(o.proceeds, d.decimals, "--proceeds");
  const { entry, statusName } = await fleetEntry(d, id);
  await requireIssuer(d, wallet.account.address, "retires fleet entries");
  if (entry.status !== FleetEntryStatus.Confirmed)
    refuse(
      `fleet entry ${id} of deal ${d.name} is ${statusName}: only confirmed entries retire GPUs`,
    );
  if (
    proceeds > 0n &&
    !(
      [
        DealStatus.Active,
        DealStatus.CashTrap,
        DealStatus.Accelerated,
        DealStatus.Defaulted,
      ] as number[]
    ).includes(d.status)
  )
    refuse(
      `deal ${d.name} is ${d.statusName}: sale proceeds are taken as recoveries while it runs (Active, CashTrap, ` +
        "Accelerated) or once it has defaulted; retire without --proceeds",
    );
  const retiring = o.units === undefined ? entry.activeCount : parseInteger(o.units, "--units");
  if (retiring === 0n || retiring > entry.activeCount)
    refuse(
      `--units ${retiring}: fleet entry ${id} has ${entry.activeCount} GPUs in the fleet; retire 1 to ${entry.activeCount}`,
    );
  const r = await withProgress(
    ctx.json,
    `retiring ${retiring} GPUs of fleet entry ${id}${proceeds > 0n ? ` with ${units(d, proceeds)} of proceeds` : ""}`,
    () => wallet.retireFleetEntry({ deal: d.deal, id, units: retiring, proceeds }),
    (x) => `${x.activeCount} GPUs of entry ${id} left in the fleet`,
  );
  emit(ctx.json, { deal: d.deal, entry: id, units: retiring, proceeds, ...r }, () =>
    print(
      keyValues(
        [
          ["entry", id],
          ["retired", `${retiring} GPUs`],
          ["left in the fleet", `${r.activeCount} GPUs`],
          ["proceeds (recoveries)", units(d, proceeds)],
          ["transaction", r.transactionHash],
        ],
        d.name,
      ),
    ),
  );
}

function printFleet(d: DealContext, v: FleetValuationReturnType) {
  const feedDecimals = v.feedDecimals;
  print(
    table(
      [
        "entry",
        "model",
        "status",
        "GPUs",
        "acquired",
        "depreciation",
        "cost",
        "book value",
        "index-implied",
        "counts as",
      ],
      v.entries.map((e) => [
        e.id,
        e.modelName,
        e.statusName,
        e.activeCount === BigInt(e.terms.count)
          ? e.activeCount
          : `${e.activeCount} of ${e.terms.count}`,
        iso(e.terms.acquiredAt).slice(0, 10),
        e.methodName === "None"
          ? "none (land, at cost)"
          : `${e.methodName === "StraightLine" ? "straight line" : `declining ${wadPct(e.terms.yearlyRate)}/yr`}, ${(
              e.terms.usefulLife / 86_400
            ).toFixed(0)} d, residual ${amountText(e.terms.unitResidual, d.decimals)}`,
        amountText(e.cost, d.decimals),
        amountText(e.bookValue, d.decimals),
        e.indexImpliedValue === undefined ? "" : amountText(e.indexImpliedValue, d.decimals),
        amountText(e.collateralValue, d.decimals),
      ]),
    ),
  );
  print(
    keyValues(
      [
        ["valued at", iso(v.at)],
        [
          "price index",
          v.priceFeed === zeroAddress
            ? "none (book value only)"
            : v.priceIndex === 0n
              ? `none accepted yet from ${v.priceFeed} (book value only)`
              : `${indexText(v.priceIndex, feedDecimals)} (${v.priceIndexLive ? "live" : "last accepted; the feed's answer is refused"})`,
        ],
        ["book value (confirmed)", units(d, v.bookValue)],
        ...(v.appraisal.maxAge === 0
          ? []
          : [
              [
                "appraisal",
                v.appraisal.value === 0n
                  ? "none signed yet (book value)"
                  : `${units(d, v.appraisal.value)} as of ${iso(v.appraisal.asOf)} (period ${v.appraisal.period}), ` +
                    (v.appraisal.inForce
                      ? "in force: caps the fleet"
                      : "older than the term sheet's maximum age: book value"),
              ] as [string, string],
            ]),
        ["recovery account", units(d, v.recoveries)],
        ["collateral value", units(d, v.collateralValue)],
        ["notes outstanding", units(d, v.notesOutstanding)],
        ["LTV", ratio(v.ltv)],
        [
          "LTV at the notes' face",
          `${ratio(v.ltvAtFace)} (${units(d, v.notesFace)} sold in full, nothing repaid)`,
        ],
      ],
      `${d.name} fleet`,
    ),
  );
}

async function fleetShow(ctx: Context, ref: string, o: { at?: string }) {
  const d = await openDeal(ctx, ref, false);
  const at = o.at === undefined ? undefined : await timeArg(d.client, o.at, "--at");
  const v = await ctx.reader().fleetValuation({ deal: d.deal, at });
  emit(ctx.json, { name: d.name, decimals: d.decimals, ...v }, () => printFleet(d, v));
}

// ------------------------------------------------------------------ recoveries, write-down, clean-up

async function recoveriesDeposit(ctx: Context, ref: string, o: { amount: string }) {
  const d = await openDeal(ctx, ref, true);
  const wallet = await ctx.wallet();
  const amount = parseAmount(o.amount, d.decimals, "--amount");
  if (amount === 0n) throw new UsageError("--amount must be above zero");
  const running = (
    [DealStatus.Active, DealStatus.CashTrap, DealStatus.Accelerated] as number[]
  ).includes(d.status);
  if (!running && d.status !== DealStatus.Defaulted)
    refuse(
      `deal ${d.name} is ${d.statusName}: recoveries are taken while it runs (Active, CashTrap, Accelerated) or once it has defaulted`,
    );
  const stablecoin = await readContract(d.client, {
    address: d.deal,
    abi: dealAbi,
    functionName: "stablecoin",
  });
  const balance = await readContract(d.client, {
    address: stablecoin,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [wallet.account.address],
  });
  if (balance < amount)
    refuse(
      `${wallet.account.address} holds ${units(d, balance)}, less than the ${units(d, amount)} to deposit`,
    );
  const r = await withProgress(
    ctx.json,
    `depositing ${units(d, amount)} of recoveries into ${d.name}`,
    () => wallet.depositRecoveries({ deal: d.deal, amount }),
    (x) =>
      x.recipient?.toLowerCase() === d.deal.toLowerCase()
        ? `${units(d, x.amount)} held in the recovery account`
        : `${units(d, x.toNotes)} paid to the notes, ${units(d, x.left)} to ${x.recipient}`,
  );
  const held = await readContract(d.client, {
    address: d.deal,
    abi: dealAbi,
    functionName: "recoveries",
  });
  emit(ctx.json, { deal: d.deal, ...r, recoveryAccount: held }, () =>
    print(
      keyValues(
        [
          ["deposited", units(d, r.amount)],
          ["paid to the notes now", units(d, r.toNotes)],
          [
            "rest",
            r.recipient?.toLowerCase() === d.deal.toLowerCase()
              ? `${units(d, r.left)} held in the recovery account (collateral at par; the coming distributions apply it)`
              : `${units(d, r.left)} to ${r.recipient}`,
          ],
          ["recovery account", units(d, held)],
          ["transaction", r.transactionHash],
        ],
        d.name,
      ),
    ),
  );
}

async function writeDown(ctx: Context, ref: string, o: { amount: string }) {
  const d = await openDeal(ctx, ref, true);
  const wallet = await ctx.wallet();
  const amount = parseAmount(o.amount, d.decimals, "--amount");
  requireTrustee(d, wallet.account.address, "records write-downs");
  if (d.status !== DealStatus.Accelerated)
    refuse(
      `deal ${d.name} is ${d.statusName}: a write-down is recorded only after an event of default, while the deal is Accelerated`,
    );
  const [collections, [reserve], recoveries, count] = await Promise.all([
    readContract(d.client, {
      address: d.deal,
      abi: dealAbi,
      functionName: "undistributedCollections",
    }),
    readContract(d.client, { address: d.deal, abi: dealAbi, functionName: "reserve" }),
    readContract(d.client, { address: d.deal, abi: dealAbi, functionName: "recoveries" }),
    readContract(d.client, { address: d.deal, abi: dealAbi, functionName: "trancheCount" }),
  ]);
  if (collections !== 0n || reserve !== 0n || recoveries !== 0n)
    refuse(
      `deal ${d.name} still holds cash (collections ${units(d, collections)}, reserve ${units(d, reserve)}, ` +
        `recovery account ${units(d, recoveries)}): the waterfall must distribute it before a write-down`,
    );
  let outstanding = 0n;
  for (let i = 0n; i + 1n < count; i++)
    outstanding += (
      await readContract(d.client, {
        address: d.deal,
        abi: dealAbi,
        functionName: "tranche",
        args: [i],
      })
    ).outstanding;
  if (amount === 0n || amount > outstanding)
    refuse(
      `--amount ${units(d, amount)}: write down more than zero and at most the ${units(d, outstanding)} of note principal outstanding`,
    );
  const r = await withProgress(
    ctx.json,
    `writing down ${units(d, amount)} of note principal of ${d.name}`,
    () => wallet.writeDown({ deal: d.deal, amount }),
    (x) => `${x.writeDowns.length} tranche(s) written down`,
  );
  const symbols = await Promise.all(
    r.writeDowns.map(async (w) => {
      const [token] = await readContract(d.client, {
        address: d.deal,
        abi: dealAbi,
        functionName: "trancheContracts",
        args: [BigInt(w.tranche)],
      });
      return readContract(d.client, {
        address: token,
        abi: trancheTokenAbi,
        functionName: "symbol",
      });
    }),
  );
  emit(ctx.json, { deal: d.deal, amount, ...r }, () =>
    print(
      table(
        ["tranche", "written down now", "outstanding after", "written down in total"],
        r.writeDowns.map((w, i) => [
          symbols[i],
          units(d, w.amount),
          units(d, w.outstanding),
          units(d, w.writtenDown),
        ]),
      ),
    ),
  );
}

async function cleanUp(ctx: Context, ref: string, o: { quote?: boolean }) {
  const d = await openDeal(ctx, ref, !o.quote);
  const q = await ctx.reader().cleanUpQuote({ deal: d.deal });
  const engine = await readContract(d.client, {
    address: d.deal,
    abi: dealAbi,
    functionName: "riskEngine",
  });
  const config = await readContract(d.client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "config",
  });
  const show = () =>
    print(
      keyValues(
        [
          ["callable now", q.callable ? "yes" : "no"],
          [
            "senior outstanding",
            `${units(d, q.seniorOutstanding)} (threshold ${units(d, q.threshold)}, ${config.cleanUpBps / 100} % of the senior face)`,
          ],
          ["payoff", units(d, q.payoff)],
          ["from the deal's cash", units(d, q.payoff - q.fromIssuer)],
          ["from the issuer", units(d, q.fromIssuer)],
          ["interest per note", q.interest.map((x) => amountText(x, d.decimals)).join(" · ")],
          ["accrues", `${units(d, q.accruedPerSecond * 86_400n)} a day until the call is mined`],
        ],
        `${d.name} clean-up call`,
      ),
    );
  if (o.quote) {
    emit(ctx.json, { deal: d.deal, cleanUpBps: config.cleanUpBps, ...q }, show);
    return;
  }
  const wallet = await ctx.wallet();
  if (config.cleanUpBps === 0)
    refuse(`deal ${d.name} has no clean-up call: its term sheet sets no clean-up fraction`);
  await requireIssuer(d, wallet.account.address, "makes the clean-up call");
  const running = (
    [DealStatus.Active, DealStatus.CashTrap, DealStatus.Accelerated] as number[]
  ).includes(d.status);
  if (!running)
    refuse(`deal ${d.name} is ${d.statusName}: the clean-up call is for a running deal`);
  const next = await readContract(d.client, {
    address: d.deal,
    abi: dealAbi,
    functionName: "nextPeriod",
  });
  const ends = await readContract(d.client, {
    address: d.deal,
    abi: dealAbi,
    functionName: "periodEnd",
    args: [next],
  });
  if ((await chainTime(d.client)) >= ends)
    refuse(
      `period ${next} of deal ${d.name} ended at ${iso(ends)}: distribute it first (cascade keeper run --once)`,
    );
  if (!q.callable)
    refuse(
      `the clean-up call is not available: senior outstanding ${units(d, q.seniorOutstanding)} is above the ` +
        `threshold ${units(d, q.threshold)} (${config.cleanUpBps / 100} % of the senior face)`,
    );
  const r = await withProgress(
    ctx.json,
    `calling every note of ${d.name} (payoff ${units(d, q.payoff)}, ${units(d, q.fromIssuer)} from the issuer)`,
    () => wallet.cleanUpCall({ deal: d.deal }),
    (x) => `notes repaid: ${units(d, x.payoff)}; the deal is Repaid`,
  );
  emit(ctx.json, { deal: d.deal, ...r }, () =>
    print(
      keyValues(
        [
          ["payoff", units(d, r.payoff)],
          ["from the deal", units(d, r.fromDeal)],
          ["from the issuer", units(d, r.fromIssuer)],
          ["residual", `${units(d, r.residual)} to ${r.recipient}`],
          ...r.notes.map(
            (n) =>
              [
                `note ${n.tranche}`,
                `interest ${units(d, n.interest)}, principal ${units(d, n.principal)}`,
              ] as [string, string],
          ),
          ["transaction", r.transactionHash],
        ],
        `${d.name} clean-up call`,
      ),
    ),
  );
}

// ------------------------------------------------------------------ waiver

function ballotRows(d: DealContext, b: WaiverBallotReturnType): [string, unknown][] {
  return [
    ["deal status", b.statusName],
    ["ballot", b.id === 0n ? "none opened" : `${b.id} (${b.state})`],
    ...(b.id === 0n
      ? []
      : ([
          ["open until", iso(b.deadline)],
          ["for", units(d, b.yes)],
          ["against", units(d, b.no)],
          [
            "needed for",
            `${units(d, b.needed)} (more than half of ${units(d, b.eligible)} held by investors)`,
          ],
        ] as [string, unknown][])),
    ...(b.voter
      ? ([
          [
            "voter",
            `${b.voter.address}: ${b.voter.voted ? "voted" : "not voted"}, weight ${units(d, b.voter.weight)}`,
          ],
        ] as [string, unknown][])
      : []),
  ];
}

/** The ballot `--id` names must be the deal's last one. */
function requireBallot(d: DealContext, b: WaiverBallotReturnType, id: bigint): void {
  if (b.id === 0n)
    refuse(
      `deal ${d.name} has no waiver ballot (the issuer opens one: cascade waiver propose ${d.name})`,
    );
  if (id !== b.id) refuse(`--id ${id}: the last ballot of deal ${d.name} is ${b.id}`);
}

async function waiverPropose(ctx: Context, ref: string) {
  const d = await openDeal(ctx, ref, true);
  const wallet = await ctx.wallet();
  if (d.status !== DealStatus.Accelerated)
    refuse(`deal ${d.name} is ${d.statusName}: a waiver ballot is only for an accelerated deal`);
  await requireIssuer(d, wallet.account.address, "proposes a waiver");
  const b = await wallet.waiverBallot({ deal: d.deal });
  if (b.state === "open" || b.state === "approved")
    refuse(`ballot ${b.id} of deal ${d.name} is open until ${iso(b.deadline)}`);
  const r = await withProgress(
    ctx.json,
    `opening a waiver ballot for ${d.name}`,
    () => wallet.proposeWaiver({ deal: d.deal }),
    (x) => `ballot ${x.id} open until ${iso(x.deadline)}`,
  );
  const after = await wallet.waiverBallot({ deal: d.deal });
  emit(ctx.json, { ...after, transactionHash: r.transactionHash }, () =>
    print(
      keyValues([...ballotRows(d, after), ["transaction", r.transactionHash]], `${d.name} waiver`),
    ),
  );
}

async function waiverVote(ctx: Context, ref: string, o: { id: string; support: string }) {
  const id = parseInteger(o.id, "--id");
  const support = { yes: true, for: true, true: true, no: false, against: false, false: false }[
    o.support.toLowerCase()
  ];
  if (support === undefined) throw new UsageError(`--support "${o.support}" must be yes or no`);
  const d = await openDeal(ctx, ref, true);
  const wallet = await ctx.wallet();
  const me = wallet.account.address;
  const b = await wallet.waiverBallot({ deal: d.deal, voter: me });
  requireBallot(d, b, id);
  if (b.state === "executed" || b.state === "expired")
    refuse(
      `ballot ${id} of deal ${d.name} is closed (${b.state === "executed" ? "executed" : `its deadline ${iso(b.deadline)} passed`})`,
    );
  if (b.voter?.voted || (b.voter && b.voter.lockedUntil >= b.deadline))
    refuse(
      `${me} voted on ballot ${id} already (its senior tokens are locked until ${iso(b.deadline)})`,
    );
  if (b.voter?.weight === 0n) refuse(`${me} holds no senior tokens of deal ${d.name} to vote with`);
  const r = await withProgress(
    ctx.json,
    `voting ${support ? "for" : "against"} waiver ballot ${id} of ${d.name}`,
    () => wallet.voteWaiver({ deal: d.deal, support }),
    (x) =>
      `voted ${support ? "for" : "against"} with ${units(d, x.weight)} (locked until ${iso(b.deadline)})`,
  );
  const after = await wallet.waiverBallot({ deal: d.deal, voter: me });
  emit(ctx.json, { ...after, support, weight: r.weight, transactionHash: r.transactionHash }, () =>
    print(
      keyValues([...ballotRows(d, after), ["transaction", r.transactionHash]], `${d.name} waiver`),
    ),
  );
}

async function waiverExecute(ctx: Context, ref: string, o: { id: string }) {
  const id = parseInteger(o.id, "--id");
  const d = await openDeal(ctx, ref, true);
  const wallet = await ctx.wallet();
  const b = await wallet.waiverBallot({ deal: d.deal });
  requireBallot(d, b, id);
  if (b.state === "executed") refuse(`ballot ${id} of deal ${d.name} was executed already`);
  if (b.state === "expired")
    refuse(`ballot ${id} of deal ${d.name} closed at ${iso(b.deadline)} without a majority`);
  if (d.status !== DealStatus.Accelerated)
    refuse(
      `deal ${d.name} is ${d.statusName}: a waiver is only executed while the deal is Accelerated`,
    );
  if (b.state !== "approved")
    refuse(
      `ballot ${id} of deal ${d.name} has ${units(d, b.yes)} for: it needs ${units(d, b.needed)} (more than half of ` +
        `the ${units(d, b.eligible)} held by investors)`,
    );
  const r = await withProgress(
    ctx.json,
    `executing waiver ballot ${id} of ${d.name}`,
    () => wallet.executeWaiver({ deal: d.deal }),
    (x) => `waiver executed: the deal is ${x.statusName}`,
  );
  const cleared = Array.from({ length: 16 }, (_, i) => i).filter(
    (i) => (r.clearedMask >> BigInt(i)) & 1n,
  );
  emit(ctx.json, { deal: d.deal, ...r, clearedTriggers: cleared }, () =>
    print(
      keyValues(
        [
          [
            "ballot",
            `${r.ballot}: ${units(d, r.yes)} for, ${units(d, r.no)} against, of ${units(d, r.seniorSupply)}`,
          ],
          [
            "latched triggers cleared",
            cleared.length ? cleared.map((i) => `#${i}`).join(", ") : "none",
          ],
          ["deal status", r.statusName],
          ["transaction", r.transactionHash],
        ],
        `${d.name} waiver`,
      ),
    ),
  );
}

async function waiverShow(ctx: Context, ref: string, o: { voter?: string }) {
  const d = await openDeal(ctx, ref, false);
  const voter = o.voter === undefined ? undefined : parseAddress(o.voter, "--voter");
  const b = await ctx.reader().waiverBallot({ deal: d.deal, voter });
  emit(ctx.json, b, () => print(keyValues(ballotRows(d, b), `${d.name} waiver`)));
}

// ------------------------------------------------------------------ commands

export function registerIssuer(program: Command, globals: () => GlobalOptions): void {
  const open = () => Context.open(globals());

  const feed = program
    .command("feed")
    .description(
      "GPU rental-price index feeds (GpuPriceIndexFeed, Chainlink AggregatorV3) for local and test networks",
    );
  feed
    .command("deploy")
    .description(
      "deploy a price-index feed, publish its first round and record it in the address book under --name " +
        '(a term sheet\'s "$<name>" resolves to it); run again to finish an interrupted deployment',
    )
    .requiredOption(
      "--name <name>",
      "its name in the address book and in term sheets (e.g. b200Index)",
    )
    .requiredOption("--description <text>", 'e.g. "B200 rental price index, USD per GPU-hour"')
    .option("--decimals <n>", "decimals of the index (the term sheet's priceFeed.decimals)", "8")
    .requiredOption("--price <usd>", "the first round: USD per GPU-hour (e.g. 4.80)")
    .option(
      "--at <time>",
      "when it was observed (ISO, unix seconds or -1h; default: the chain's time)",
    )
    .option(
      "--publisher <address>",
      "another account that may publish rounds (repeatable)",
      collect,
      [],
    )
    .action(async (o: FeedDeployOptions) => feedDeploy(await open(), o));
  feed
    .command("push <feed>")
    .description("publish a round of the index (publisher role): a feed name or address")
    .requiredOption("--price <usd>", "USD per GPU-hour")
    .option(
      "--at <time>",
      "when it was observed (ISO, unix seconds or -1h; default: the chain's time)",
    )
    .action(async (ref: string, o: { price: string; at?: string }) =>
      feedPush(await open(), ref, o),
    );
  feed
    .command("show <feed>")
    .description("a feed's description, decimals and latest round with its age")
    .action(async (ref: string) => feedShow(await open(), ref));
  feed
    .command("list")
    .description("the feeds recorded for this chain")
    .action(async () => feedList(await open()));

  const fleet = program.command("fleet").description("a deal's GPU fleet (collateral)");
  fleet
    .command("add <deal>")
    .description(
      "add GPUs to the fleet (issuer admin): entries count as collateral once the trustee confirms them",
    )
    .option(
      "--file <fleet.json>",
      'entries in the term sheet\'s risk.fleet[] format (an array, or { "fleet": [...] })',
    )
    .option("--model <name>", "GPU model (up to 16 bytes)")
    .option("--gpus <n>", "number of GPUs")
    .option("--cost <units>", "cost per GPU, in stablecoin units")
    .option("--residual <units>", "value per GPU at the end of its life (default 0)")
    .option(
      "--purchased <time>",
      "acquisition time: ISO, unix seconds, or -30d (depreciation runs from it)",
    )
    .option("--life-months <n>", "useful life in months of 365/12 days")
    .option("--life <duration>", "useful life as a duration (e.g. 1825d)")
    .option("--method <method>", "straight-line or declining-balance")
    .option("--rate <percent>", "declining balance: the yearly rate in percent")
    .option(
      "--index <level>",
      "mark to the deal's price index: its level at acquisition (e.g. 4.80)",
    )
    .action(async (ref: string, o: FleetAddOptions) => fleetAdd(await open(), ref, o));
  fleet
    .command("confirm <deal>")
    .description(
      "confirm a pending fleet entry (the deal's trustee): it counts as collateral from now on",
    )
    .requiredOption("--entry <id>", "the entry's id")
    .action(async (ref: string, o: { entry: string }) =>
      fleetDecide(await open(), ref, o, "confirm"),
    );
  fleet
    .command("reject <deal>")
    .description("reject a pending fleet entry (the trustee or the guardian): it never counts")
    .requiredOption("--entry <id>", "the entry's id")
    .action(async (ref: string, o: { entry: string }) =>
      fleetDecide(await open(), ref, o, "reject"),
    );
  fleet
    .command("retire <deal>")
    .description(
      "retire GPUs of a confirmed entry that were sold or broke (issuer admin); sale proceeds are deposited as recoveries",
    )
    .requiredOption("--entry <id>", "the entry's id")
    .option("--units <n>", "GPUs leaving the fleet (default: all the entry has left)")
    .option("--proceeds <units>", "sale proceeds, in stablecoin units (default 0)")
    .action(async (ref: string, o: { entry: string; units?: string; proceeds?: string }) =>
      fleetRetire(await open(), ref, o),
    );
  fleet
    .command("show <deal>")
    .description(
      "the fleet entry by entry: status, cost, book value (depreciated from each entry's acquisition), " +
        "index-implied value, what counts as collateral, and the deal's LTV",
    )
    .option("--at <time>", "value at this time (ISO, unix seconds or +30d; default: now)")
    .action(async (ref: string, o: { at?: string }) => fleetShow(await open(), ref, o));

  program
    .command("recoveries")
    .description("recoveries (sale proceeds of collateral)")
    .command("deposit <deal>")
    .description(
      "pay recoveries into the deal (anyone; approves first): held in its recovery account while it runs, paid to " +
        "the notes at once once it has defaulted",
    )
    .requiredOption("--amount <units>", "stablecoin, in whole units")
    .action(async (ref: string, o: { amount: string }) => recoveriesDeposit(await open(), ref, o));

  program
    .command("write-down <deal>")
    .description(
      "write off note principal of an accelerated deal whose cash is exhausted (trustee): equity first, then the " +
        "notes from the most junior up (the contract's order; no tranche is chosen)",
    )
    .requiredOption("--amount <units>", "note principal to write off, in stablecoin units")
    .action(async (ref: string, o: { amount: string }) => writeDown(await open(), ref, o));

  program
    .command("clean-up <deal>")
    .description(
      "the issuer's clean-up call: repay every note once the senior is at or below the term sheet's fraction " +
        "(approves what the issuer brings); --quote only prices it",
    )
    .option("--quote", "print what the call would pay now, send nothing")
    .action(async (ref: string, o: { quote?: boolean }) => cleanUp(await open(), ref, o));

  const waiver = program
    .command("waiver")
    .description("the senior holders' waiver of an accelerated deal's event of default");
  waiver
    .command("propose <deal>")
    .description("open a ballot (issuer admin, accelerated deal)")
    .action(async (ref: string) => waiverPropose(await open(), ref));
  waiver
    .command("vote <deal>")
    .description("vote with the sender's senior tokens (locked until the ballot closes)")
    .requiredOption("--id <ballot>", "the open ballot's id")
    .requiredOption("--support <yes|no>", "for or against the waiver")
    .action(async (ref: string, o: { id: string; support: string }) =>
      waiverVote(await open(), ref, o),
    );
  waiver
    .command("execute <deal>")
    .description("execute an approved ballot (anyone): clears the latched triggers")
    .requiredOption("--id <ballot>", "the ballot's id")
    .action(async (ref: string, o: { id: string }) => waiverExecute(await open(), ref, o));
  waiver
    .command("show <deal>")
    .description("the last ballot: state, tally, deadline and the majority it needs")
    .option("--voter <address>", "also show this holder's vote and weight")
    .action(async (ref: string, o: { voter?: string }) => waiverShow(await open(), ref, o));
}
