/** `cascade deal create | show | list`. */
import { readFile, writeFile } from "node:fs/promises";

import type { Command } from "commander";
import { getAddress, isAddress, type Address } from "viem";
import { getCode } from "viem/actions";

import {
  parseTermSheet,
  TrancheKind,
  type CascadeClient,
  type DealRecord,
  type TermSheetJson,
} from "../../sdk/index.js";
import { toJson, UsageError } from "../lib/args.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import { chainTime, decimalsOf, iso } from "../lib/deals.js";
import { emit, keyValues, money, print, table, wadPct, withProgress } from "../lib/output.js";

interface CreateOptions {
  name?: string;
  ignitionParams?: string;
  address: string[];
  addresses?: string;
}

/** `--address name=0x…` (repeatable). */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function placeholders(ctx: Context, o: CreateOptions, sender: Address) {
  const out: Record<string, Address> = { issuer: sender };
  if (ctx.deployment.stablecoin) out.stablecoin = ctx.deployment.stablecoin;
  // `"registry": "$registry"` names the protocol's investor registry (restricted tranche tokens).
  const { investorRegistry } = ctx.protocol();
  if (investorRegistry) out.registry = investorRegistry;
  // `"$<name>"` names a price feed recorded by `cascade feed deploy --name <name>`.
  for (const [name, f] of Object.entries(ctx.deployment.feeds ?? {})) out[name] = f.feed;
  const add = (name: string, value: unknown, from: string) => {
    if (typeof value !== "string" || !isAddress(value, { strict: false }))
      throw new UsageError(`${from}: ${name} must be an address`);
    out[name.replace(/^\$/, "")] = getAddress(value);
  };
  if (o.addresses) {
    const json = JSON.parse(await readFile(o.addresses, "utf8")) as Record<string, unknown>;
    for (const [k, v] of Object.entries(json)) add(k, v, o.addresses);
  }
  for (const pair of o.address) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new UsageError(`--address "${pair}" is not name=0x…`);
    add(pair.slice(0, i), pair.slice(i + 1), "--address");
  }
  return out;
}

async function create(ctx: Context, file: string, o: CreateOptions) {
  const protocol = ctx.protocol();
  let json: TermSheetJson;
  try {
    json = JSON.parse(await readFile(file, "utf8")) as TermSheetJson;
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message.split("\n")[0]}`);
  }
  const wallet = await ctx.wallet();
  const reader = wallet as unknown as CascadeClient;
  const addresses = await placeholders(ctx, o, wallet.account.address);
  const feedRef = (json as { risk?: { priceFeed?: { address?: unknown } } }).risk?.priceFeed
    ?.address;
  if (typeof feedRef === "string" && feedRef.startsWith("$") && !(feedRef.slice(1) in addresses))
    throw new UsageError(
      `${file} marks its fleet to the price feed ${feedRef}: deploy one with \`cascade feed deploy --name ` +
        `${feedRef.slice(1)} …\` (recorded in the address book) or give --address ${feedRef.slice(1)}=0x…`,
    );
  const stablecoin = addresses.stablecoin;
  // The stablecoin's own decimals win over the file's (when the address resolves to a token).
  let decimals: number | undefined;
  if (stablecoin && (await getCode(reader, { address: stablecoin })) !== undefined) {
    decimals = await decimalsOf(reader, stablecoin).catch(() => undefined);
  }
  const parsed = parseTermSheet(json, { now: await chainTime(reader), addresses, decimals });
  const name = o.name ?? parsed.name ?? file;

  if (o.ignitionParams) {
    // The parameters file of deploy/modules/Deal.ts: the resolved struct, bigints as decimal strings.
    const params = { CascadeDeal: { terms: parsed.terms } };
    await writeFile(o.ignitionParams, `${toJson(params)}\n`);
    emit(ctx.json, { name, file: o.ignitionParams, ...params }, () =>
      print(
        `wrote ${o.ignitionParams}: npx hardhat ignition deploy deploy/modules/Deal.ts --parameters ${o.ignitionParams} ` +
          `--default-sender ${parsed.terms.issuer} (only the issuer may create its deal)`,
      ),
    );
    return;
  }

  const existing = ctx.deployment.deals[name];
  if (existing) {
    const code = await getCode(reader, { address: existing.deal });
    if (code !== undefined && code !== "0x") {
      emit(ctx.json, { ...existing, created: false }, () =>
        print(
          `deal "${name}" exists already at ${existing.deal} (nothing sent; --name to create another)`,
        ),
      );
      return;
    }
  }

  const created = await withProgress(
    ctx.json,
    `creating "${name}" (${parsed.terms.tranches.length} tranches) at factory ${protocol.factory}`,
    () => wallet.createDeal({ factory: protocol.factory, terms: parsed.terms }),
    (r) => `deal created: ${r.deal}`,
  );
  const symbols = parsed.terms.tranches.map((t) => t.symbol);
  const record: DealRecord = {
    name,
    deal: created.deal,
    dealId: created.dealId.toString(),
    stablecoin: created.stablecoin,
    tokens: [...created.tokens],
    offerings: [...created.offerings],
    symbols,
    blockNumber: created.blockNumber.toString(),
    transactionHash: created.transactionHash,
    termSheet: file,
  };
  ctx.deployment.deals[name] = record;
  await ctx.save();
  const d = parsed.decimals;
  const terms = parsed.terms;
  emit(ctx.json, { ...record, created: true }, () => {
    print(
      keyValues(
        [
          ["deal", created.deal],
          ["deal id", created.dealId],
          ["issuer", created.issuer],
          ["stablecoin", created.stablecoin],
          ["offering", `${iso(terms.offeringOpensAt)} → ${iso(terms.offeringClosesAt)}`],
          ["start", iso(terms.start)],
          ["periods", `${terms.periodCount} × ${Number(terms.periodLength) / 86_400} days`],
          ["transaction", created.transactionHash],
        ],
        name,
      ),
    );
    print(
      table(
        ["#", "symbol", "kind", "face", "min raise", "min ticket", "offering", "token"],
        terms.tranches.map((t, i) => [
          i,
          t.symbol,
          t.kind === TrancheKind.Equity ? "equity" : "note",
          money(t.faceAmount, d),
          money(t.minRaise, d),
          money(t.minTicket, d),
          created.offerings[i],
          created.tokens[i],
        ]),
      ),
    );
  });
}

async function show(ctx: Context, ref: string) {
  const { address, record } = await ctx.deal(ref);
  const reader = ctx.reader();
  const s = await reader.dealSnapshot({
    deal: address,
    fromBlock: record ? BigInt(record.blockNumber) : undefined,
  });
  const d = await decimalsOf(reader as unknown as CascadeClient, s.stablecoin);
  emit(ctx.json, { name: record?.name, decimals: d, ...s }, () => {
    const last = s.lastStatement;
    print(
      keyValues(
        [
          ["deal", s.deal],
          ["status", `${s.statusName}${s.paused ? " (paused)" : ""}`],
          ["issuer", s.issuer],
          ["stablecoin", s.stablecoin],
          ["start", iso(s.start)],
          ["final maturity", iso(s.finalMaturity)],
          ["next period", `${s.nextPeriod} of ${s.periodCount}`],
          ["ready", s.readyPeriod.ready ? `period ${s.readyPeriod.period}` : "no"],
          ["collections held", money(s.collections, d)],
          ["reserve", `${money(s.reserve.balance, d)} of ${money(s.reserve.target, d)}`],
          [
            "fees owed",
            `trustee ${money(s.feesOwed.trustee, d)} · servicer ${money(s.feesOwed.servicer, d)}`,
          ],
          ["recovery account", money(s.recoveries, d)],
          ["residual owed to issuer", money(s.residualOwed, d)],
          [
            "guardian",
            s.guardian.next === undefined
              ? s.guardian.current
              : `${s.guardian.current} (→ ${s.guardian.next} from ${iso(s.guardian.eta)})`,
          ],
          ["keeper bounty", money(s.keeperBounty, d)],
          ["missed reports", s.missedReports],
          ["collateral value", money(s.risk.collateralValue, d)],
          ["risk mode", s.risk.lastModeName],
          ["last period paid", last ? `${last.period} (cash ${money(last.cashIn, d)})` : "none"],
          ["block", s.blockNumber],
        ],
        record?.name ?? s.deal,
      ),
    );
    print(
      table(
        [
          "#",
          "symbol",
          "kind",
          "supply",
          "outstanding",
          "factor",
          "arrears",
          "written down",
          "cash to claim",
        ],
        s.tranches.map((t) => [
          t.index,
          t.symbol,
          t.kind === TrancheKind.Equity ? "equity" : "note",
          money(t.supply, d),
          money(t.outstanding, d),
          wadPct(t.factor),
          money(t.arrears, d),
          money(t.writtenDown, d),
          money(t.cashHeld, d),
        ]),
      ),
    );
  });
}

function list(ctx: Context) {
  const deals = Object.values(ctx.deployment.deals);
  emit(ctx.json, deals, () => {
    if (deals.length === 0) print(`no deals recorded for chain ${ctx.chain.id}`);
    else
      print(
        table(
          ["name", "deal", "tranches", "block"],
          deals.map((d) => [d.name, d.deal, d.symbols.join(" "), d.blockNumber]),
        ),
      );
  });
}

export function registerDeal(program: Command, globals: () => GlobalOptions): void {
  const deal = program.command("deal").description("create and inspect deals");
  deal
    .command("create <termsheet>")
    .description(
      "create a deal from a term-sheet JSON file; $placeholders resolve to --address/--addresses, $issuer to the " +
        "sender, $stablecoin to the recorded stablecoin",
    )
    .option("--name <name>", "name in the address book (default: the term sheet's name)")
    .option("--address <name=0x…>", "an address for a $placeholder (repeatable)", collect, [])
    .option("--addresses <file>", "a JSON object of placeholder addresses")
    .option(
      "--ignition-params <file>",
      "write the parameters of deploy/modules/Deal.ts instead of sending",
    )
    .action(async (file: string, o: CreateOptions) =>
      create(await Context.open(globals()), file, o),
    );
  deal
    .command("show <deal>")
    .description(
      "a deal's state: status, periods, reserve, collateral and every tranche (name or address)",
    )
    .action(async (ref: string) => show(await Context.open(globals()), ref));
  deal
    .command("list")
    .description("the deals recorded for this chain")
    .action(async () => list(await Context.open(globals())));
}
