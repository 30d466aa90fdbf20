/** `cascade deal create | show | history | list`. */
import { readFile, writeFile } from "node:fs/promises";

import type { Command } from "commander";
import type { Address } from "viem";
import { getCode } from "viem/actions";

import {
  bpsText,
  DealStatus,
  EquityTier,
  equityTierKindName,
  formatRate,
  formatRatio,
  equityIrrs,
  describeCovenant,
  exactAmount,
  exactRatio,
  historyTotals,
  offeringProgress,
  parseTermSheet,
  RiskMetric,
  statusReason,
  TrancheKind,
  type CascadeClient,
  type DealRecord,
  type EquityAudit,
  type EquityStatementView,
  type OfferingProgressReturnType,
  type SiteTenantsReturnType,
  type TermSheetJson,
} from "../../sdk/index.js";
import { parseAddress, toJson, UsageError } from "../lib/args.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import { chainTime, decimalsOf, iso } from "../lib/deals.js";
import { emit, keyValues, money, print, table, withProgress } from "../lib/output.js";
import {
  factorText,
  historyCsv,
  historyJson,
  irrText,
  unitWords,
  StatementText,
} from "../../sdk/statementText.js";

interface CreateOptions {
  name?: string;
  ignitionParams?: string;
  address: string[];
  addresses?: string;
}

/** A name a term sheet's `"$<name>"` placeholder can take. */
const PLACEHOLDER = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
  // `"$<name>"` also names a deal recorded by `cascade deal create --name <name>`: a tenant's site ("$campus").
  for (const [name, d] of Object.entries(ctx.deployment.deals))
    if (PLACEHOLDER.test(name) && !(name in out)) out[name] = d.deal;
  const add = (name: string, value: unknown, from: string) => {
    if (typeof value !== "string") throw new UsageError(`${from}: ${name} must be an address`);
    out[name.replace(/^\$/, "")] = parseAddress(value, `${from}: ${name}`);
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
  const siteRef = (json as { site?: { deal?: unknown } }).site?.deal;
  if (typeof siteRef === "string" && siteRef.startsWith("$") && !(siteRef.slice(1) in addresses))
    throw new UsageError(
      `${file} pays rent to the site ${siteRef}: create that data-center deal first with \`cascade deal create ` +
        `<its term sheet> --name ${siteRef.slice(1)}\` (recorded in the address book) or give --address ` +
        `${siteRef.slice(1)}=0x…`,
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

/** `{ [key]: human amount, [key + "Raw"]: base units }`. */
function pair(key: string, units: bigint, decimals: number) {
  return { [key]: exactAmount(units, decimals), [`${key}Raw`]: units };
}

/** The bits of a mask, as a list of trigger indexes. */
function bitsOf(mask: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; mask >> BigInt(i) !== 0n; i++) if ((mask >> BigInt(i)) & 1n) out.push(i);
  return out;
}

/** The address book's deal names, by lowercase address. */
function dealNames(ctx: Context): Map<string, string> {
  return new Map(Object.values(ctx.deployment.deals).map((d) => [d.deal.toLowerCase(), d.name]));
}

/**
 * Everything `deal show` and `deal history` read, at one block (the SDK's `dealAudit`), with the text of its
 * statements.
 */
async function readDeal(ctx: Context, ref: string) {
  const { address, record } = await ctx.deal(ref);
  const reader = ctx.reader();
  const client = reader as unknown as CascadeClient;
  const fromBlock = record ? BigInt(record.blockNumber) : undefined;
  const audit = await reader.dealAudit({ deal: address, fromBlock });
  const text = new StatementText(audit.facts, audit.decimals, dealNames(ctx));
  return { ...audit, address, record, client, text };
}

/** A tenant's site and rent: terms, paid to date (Σ the statements' rent paid) and arrears now. */
function siteLink(read: Awaited<ReturnType<typeof readDeal>>) {
  const { snapshot: s, history: h, text } = read;
  if (s.site === undefined) return undefined;
  const paid = h.periods.reduce((a, p) => a + p.record.statement.rentPaid, 0n);
  return { rent: s.site, paid, terms: text.rentTerms(s.site, s.oracleTerms.unit) };
}

/**
 * A deal's equity waterfall for `deal show`: its tiers in words and each class's state (contributed, returned,
 * preferred return owed now, distributed, multiple, hurdles, realized IRR), the catch-up's progress — as text blocks
 * and as JSON (amounts with their base units beside them).
 */
function equityShow(e: EquityAudit, text: StatementText) {
  const s = e.snapshot;
  const d = text.decimals;
  const irr = equityIrrs(e.facts, e.distributions.distributions);
  const last = e.statements[e.statements.length - 1];
  const catchUp = s.terms.tiers.find((t) => t.kind === EquityTier.CatchUp);
  const sponsor = s.classes[s.terms.sponsorClass];
  const hurdleName = (k: number) => `hurdle ${formatRate(s.hurdles[k].rate)}`;
  const json = {
    waterfall: s.waterfall,
    sponsor: sponsor?.symbol ?? null,
    splits: s.splits ?? null,
    tiers: s.tiers.map((t) => ({
      tier: t.index + 1,
      kind: equityTierKindName(t.kind),
      words: t.words,
    })),
    classes: s.classes.map((c) => ({
      class: c.symbol,
      name: c.name,
      tranche: c.tranche,
      token: c.token,
      ...pair("contributed", c.contributed, d),
      ...pair("returned", c.returned, d),
      ...pair("unreturned", c.unreturned, d),
      ...pair("prefOwed", c.prefOwed, d),
      ...pair("prefOwedNow", c.prefOwedNow, d),
      ...pair("distributed", c.distributed, d),
      multiple: exactRatio(c.multiple),
      multipleRaw: c.multiple,
      hurdles: c.hurdleBalances.map((b, k) => ({
        hurdle: k + 1,
        rate: exactRatio(s.hurdles[k].rate),
        rateRaw: s.hurdles[k].rate,
        ...pair("balance", b, d),
        met: c.hurdlesMet[k],
      })),
      irr: irr.classes[c.index] ?? null,
    })),
    hurdles: s.hurdles.map((h, k) => ({
      hurdle: k + 1,
      tier: h.tier + 1,
      rate: exactRatio(h.rate),
      rateRaw: h.rate,
      met: h.met,
    })),
    profit: {
      ...pair("total", s.profit.total, d),
      ...pair("sponsor", s.profit.sponsor, d),
      sponsorShare: exactAmount(s.profit.sponsorShareBps, 4),
      sponsorShareBps: Number(s.profit.sponsorShareBps),
    },
    catchUp:
      catchUp === undefined
        ? null
        : { targetBps: catchUp.targetBps, reached: last?.catchUp.reached ?? false },
    irr: { lp: irr.lp ?? null, sponsor: irr.sponsor ?? null },
    lastAccrual: s.lastAccrual === 0n ? null : iso(s.lastAccrual),
    ...pair("cashHeld", s.cashHeld, d),
    distributions: e.statements.length,
    ...pair(
      "distributed",
      e.statements.reduce((a, v) => a + v.distribution.amount, 0n),
      d,
    ),
  };
  const blocks = [
    `equity waterfall ${s.waterfall} · sponsor ${sponsor?.symbol ?? "?"} · ${e.statements.length} distribution` +
      `${e.statements.length === 1 ? "" : "s"}` +
      (s.splits === undefined ? "" : ` · splits ${s.splits}`),
    ...s.tiers.map((t) => `  ${t.index + 1}. ${t.words}`),
    table(
      [
        "class",
        "contributed",
        "returned",
        "pref owed now",
        "distributed",
        "multiple",
        ...s.hurdles.map((_, k) => hurdleName(k)),
        "realized IRR",
      ],
      s.classes.map((c) => [
        `${c.symbol}${c.index === s.terms.sponsorClass ? " (sponsor)" : ""}`,
        text.amount(c.contributed),
        text.amount(c.returned),
        text.amount(c.prefOwedNow),
        text.amount(c.distributed),
        formatRatio(c.multiple, { style: "multiple", rounding: "down" }),
        ...c.hurdleBalances.map((b, k) =>
          c.hurdlesMet[k]
            ? "met"
            : ((s.terms.tiers[s.hurdles[k].tier].classes >>> c.index) & 1) === 1
              ? text.amount(b)
              : "",
        ),
        irrText(irr.classes[c.index]),
      ]),
    ),
    `realized IRR to date: LP ${irrText(irr.lp)} · sponsor ${irrText(irr.sponsor)}` +
      (catchUp === undefined
        ? ""
        : ` · catch-up: the sponsor holds ${bpsText(Number(s.profit.sponsorShareBps))} of ` +
          `${text.usd(s.profit.total)} profit (target ${bpsText(catchUp.targetBps)}` +
          `${last?.catchUp.reached ? ", reached" : ""})`),
    `cash to claim: ${text.amount(s.cashHeld)}, held by the deal for every class's holders (the class tokens ` +
      `and the waterfall hold none)`,
  ];
  return { json, text: blocks };
}

/** A site's tenants, each with its rent terms and the rent received from it to date. */
function tenantLinks(tenants: SiteTenantsReturnType | undefined, text: StatementText) {
  return (tenants?.tenants ?? []).map((t) => ({ ...t, terms: text.rentTerms(t.rent, t.unit) }));
}

async function show(ctx: Context, ref: string) {
  const read = await readDeal(ctx, ref);
  const {
    record,
    client,
    blockNumber,
    snapshot: s,
    risk,
    facts,
    history,
    decimals: d,
    text,
  } = read;
  const site = siteLink(read);
  const tenants = tenantLinks(read.tenants, text);
  const equity = read.equity === undefined ? undefined : equityShow(read.equity, text);
  const unit = unitWords(s.oracleTerms.unit);
  const capacity = {
    unit: unit.hours,
    units: s.oracleTerms.fleetGpus,
    unitsName: unit.many,
    perPeriod: risk.config.capacity,
  };
  const reason = statusReason(s.status, risk.activeMask, history, facts);
  const offerings: OfferingProgressReturnType | undefined =
    s.status === DealStatus.Offering
      ? await offeringProgress(client, { deal: s.deal, blockNumber })
      : undefined;
  const last = history.periods[history.periods.length - 1];
  const m = last?.metrics;
  const triggerRows = risk.triggers.map((t) => {
    const seen = last?.triggers[t.index];
    return {
      trigger: t.index,
      description: describeCovenant(t),
      active: t.active,
      consecutive: Number(t.consecutive),
      lastValue: seen === undefined ? undefined : seen.value,
      breachedLastPeriod: seen?.breached ?? false,
    };
  });

  const human = {
    status: s.statusName,
    why: text.reason(reason),
    lastPeriod:
      last === undefined || m === undefined
        ? null
        : {
            period: last.number,
            mode: last.record.modeName,
            dscr: exactRatio(m.dscr),
            trailingDscr: exactRatio(m.trailingDscr),
            ltv: exactRatio(m.ltv),
            seniorCurve: exactRatio(m.seniorCurve),
            utilization: exactRatio(m.utilization),
            reserveLevel: exactRatio(m.reserveLevel),
            collateralValue: exactAmount(m.collateralValue, d),
          },
    now: {
      ltv: exactRatio(risk.ltv),
      seniorCurve: exactRatio(risk.seniorCurve),
      reserveLevel: exactRatio(risk.reserveLevel),
      collateralValue: exactAmount(risk.collateralValue, d),
      notesOutstanding: exactAmount(risk.notesOutstanding, d),
    },
    collections: exactAmount(s.collections, d),
    reserve: exactAmount(s.reserve.balance, d),
    reserveTarget: exactAmount(s.reserve.target, d),
    feesOwed: {
      trustee: exactAmount(s.feesOwed.trustee, d),
      servicer: exactAmount(s.feesOwed.servicer, d),
    },
    feeArrears: {
      trustee: exactAmount(s.feeArrears.trustee, d),
      servicer: exactAmount(s.feeArrears.servicer, d),
    },
    recoveries: exactAmount(s.recoveries, d),
    residualOwed: exactAmount(s.residualOwed, d),
    capacity: text.capacity(capacity.units, capacity.perPeriod, s.oracleTerms.unit),
    keeperBounty: exactAmount(s.keeperBounty, d),
    tranches: s.tranches.map((t) => ({
      symbol: t.symbol,
      supply: exactAmount(t.supply, d),
      issued: exactAmount(t.issued, d),
      outstanding: exactAmount(t.outstanding, d),
      factor: exactRatio(t.factor),
      arrears: exactAmount(t.arrears, d),
      writtenDown: exactAmount(t.writtenDown, d),
      cashHeld: t.cashHeld === null ? null : exactAmount(t.cashHeld, d),
    })),
  };
  const json = {
    name: record?.name,
    decimals: d,
    ...s,
    // Bitmasks with their decoding beside them.
    risk: { ...s.risk, activeTriggerList: bitsOf(s.risk.activeTriggers) },
    lastStatement:
      s.lastStatement === undefined
        ? undefined
        : {
            ...s.lastStatement,
            metrics: {
              ...s.lastStatement.metrics,
              breachedTriggerList: bitsOf(s.lastStatement.metrics.breachedMask),
              activeTriggerList: bitsOf(s.lastStatement.metrics.activeMask),
            },
          },
    statusReason: {
      cause: reason.cause,
      since: reason.since ?? null,
      text: human.why,
      triggers: reason.triggers.map((e) => ({
        trigger: e.index,
        description: describeCovenant(e.terms),
        firedAt: e.period,
        value: exactRatio(e.value),
        valueRaw: e.value,
      })),
      cured: reason.cured.map((e) => ({
        trigger: e.index,
        description: describeCovenant(e.terms),
        curedAt: e.period,
        value: exactRatio(e.value),
        valueRaw: e.value,
      })),
      writtenOff: reason.writtenOff.map((w) => ({
        tranche: facts.symbols[w.tranche],
        amount: exactAmount(w.amount, d),
        amountRaw: w.amount,
      })),
    },
    metrics: {
      lastPeriod:
        last === undefined || m === undefined
          ? null
          : {
              period: last.number,
              dscr: m.dscr,
              trailingDscr: m.trailingDscr,
              ltv: m.ltv,
              seniorCurve: m.seniorCurve,
              utilization: m.utilization,
              reserveLevel: m.reserveLevel,
              collateralValue: m.collateralValue,
            },
      now: {
        ltv: risk.ltv,
        seniorCurve: risk.seniorCurve,
        reserveLevel: risk.reserveLevel,
        collateralValue: risk.collateralValue,
        notesOutstanding: risk.notesOutstanding,
      },
    },
    triggers: triggerRows.map((t) => ({
      ...t,
      lastValue: t.lastValue === undefined ? null : exactRatio(t.lastValue),
      lastValueRaw: t.lastValue ?? null,
    })),
    capacity,
    siteLink:
      site === undefined
        ? null
        : {
            site: site.rent.site,
            name: read.text.names.get(site.rent.site.toLowerCase()) ?? null,
            terms: site.terms,
            rentBps: site.rent.rentBps,
            ...pair("rentPerUnit", site.rent.rentPerUnit, d),
            capacity: site.rent.capacity,
            ...pair("fixedRentPerPeriod", site.rent.fixedRentPerPeriod, d),
            ...pair("rentPaid", site.paid, d),
            ...pair("rentArrears", site.rent.rentArrears, d),
          },
    tenantLinks:
      read.tenants === undefined
        ? null
        : {
            ...pair("received", read.tenants.received, d),
            ...pair("pending", read.tenants.pending, d),
            tenants: tenants.map((t) => ({
              tenant: t.deal,
              name: read.text.names.get(t.deal.toLowerCase()) ?? null,
              terms: t.terms,
              rentBps: t.rent.rentBps,
              ...pair("rentPerUnit", t.rent.rentPerUnit, d),
              capacity: t.rent.capacity,
              unit: unitWords(t.unit).many,
              ...pair("received", t.received, d),
              ...pair("pending", t.pending, d),
              ...pair("rentArrears", t.rent.rentArrears, d),
              receipts: t.receipts.map((r) => ({
                sitePeriod: Number(r.sitePeriod) + 1,
                tenantPeriod: Number(r.tenantPeriod) + 1,
                ...pair("amount", r.amount, d),
                blockNumber: r.blockNumber,
                transactionHash: r.transactionHash,
              })),
            })),
          },
    equity: equity?.json ?? null,
    offerings:
      offerings?.offerings.map((o) => ({
        ...o,
        opensAtIso: iso(o.opensAt),
        closesAtIso: iso(o.closesAt),
        human: {
          requested: exactAmount(o.requested, d),
          minRaise: exactAmount(o.minRaise, d),
          cap: exactAmount(o.cap, d),
          minTicket: exactAmount(o.minTicket, d),
        },
      })) ?? null,
    human,
  };
  emit(ctx.json, json, () => {
    const lastLine =
      last === undefined || m === undefined
        ? "none"
        : `period ${last.number}: DSCR ${text.metric(RiskMetric.Dscr, m.dscr)} · trailing DSCR ` +
          `${text.metric(RiskMetric.TrailingDscr, m.trailingDscr)} · LTV ${text.metric(RiskMetric.Ltv, m.ltv)} · ` +
          `senior curve ${text.metric(RiskMetric.SeniorCurve, m.seniorCurve)} · utilization ` +
          `${text.metric(RiskMetric.Utilization, m.utilization)} (ran ${last.record.modeName})`;
    const nowLine =
      `LTV ${text.metric(RiskMetric.Ltv, risk.ltv)} · senior curve ` +
      `${text.metric(RiskMetric.SeniorCurve, risk.seniorCurve)} · reserve level ` +
      `${text.metric(RiskMetric.ReserveLevel, risk.reserveLevel)} · collateral ${text.usd(risk.collateralValue)}` +
      (risk.config.appraisalMaxAge === 0 || risk.appraisal.value === 0n
        ? ""
        : ` (appraisal ${text.usd(risk.appraisal.value)} as of ${iso(risk.appraisal.asOf)}, ` +
          `${risk.appraisal.inForce ? "caps the fleet" : "stale: book value"})`);
    print(
      keyValues(
        [
          ["deal", s.deal],
          ["status", `${s.statusName}${s.paused ? " (paused)" : ""}`],
          ["why", human.why],
          ["issuer", s.issuer],
          ["stablecoin", s.stablecoin],
          ["start", iso(s.start)],
          ["final maturity", iso(s.finalMaturity)],
          ["capacity", human.capacity],
          ["next period", `${s.nextPeriod} of ${s.periodCount}`],
          ["ready", s.readyPeriod.ready ? `period ${s.readyPeriod.period}` : "no"],
          ["collections held", text.amount(s.collections)],
          ...(site === undefined
            ? []
            : ([
                ["site", text.deal(site.rent.site)],
                ["rent terms", site.terms],
                [
                  "rent",
                  `paid ${text.amount(site.paid)} to date · arrears ${text.amount(site.rent.rentArrears)}`,
                ],
              ] as const)),
          ...(read.tenants === undefined
            ? []
            : ([
                [
                  "tenants",
                  `${tenants.length} tenant deal${tenants.length === 1 ? "" : "s"} · rent received ` +
                    `${text.amount(read.tenants.received)} to date · ${text.amount(read.tenants.pending)} ` +
                    "for the next period",
                ],
              ] as const)),
          ["reserve", `${text.amount(s.reserve.balance)} of ${text.amount(s.reserve.target)}`],
          [
            "fees owed",
            `trustee ${text.amount(s.feesOwed.trustee)} · servicer ${text.amount(s.feesOwed.servicer)}`,
          ],
          ["recovery account", text.amount(s.recoveries)],
          ["residual owed to issuer", text.amount(s.residualOwed)],
          [
            "guardian",
            s.guardian.next === undefined
              ? s.guardian.current
              : `${s.guardian.current} (→ ${s.guardian.next} from ${iso(s.guardian.eta)})`,
          ],
          ["keeper bounty", text.amount(s.keeperBounty)],
          ["missed reports", s.missedReports],
          ["last period", lastLine],
          ["now (risk engine)", nowLine],
          [
            "active triggers",
            risk.triggers
              .filter((t) => t.active)
              .map((t) => text.trigger(t.index))
              .join("; ") || "none",
          ],
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
          text.amount(t.supply),
          text.amount(t.outstanding),
          factorText(t.factor),
          text.amount(t.arrears),
          text.amount(t.writtenDown),
          t.cashHeld === null ? "(waterfall)" : text.amount(t.cashHeld),
        ]),
      ),
    );
    if (equity !== undefined) for (const block of equity.text) print(block);
    if (tenants.length > 0)
      print(
        table(
          ["tenant", "rent terms", "received to date", "next period", "tenant's arrears"],
          tenants.map((t) => [
            text.deal(t.deal),
            t.terms,
            text.amount(t.received),
            text.amount(t.pending),
            text.amount(t.rent.rentArrears),
          ]),
        ),
      );
    if (triggerRows.length > 0)
      print(
        table(
          ["#", "covenant", "state", "last period's value"],
          triggerRows.map((t) => [
            t.trigger,
            t.description,
            t.active
              ? "active"
              : t.breachedLastPeriod
                ? `in breach (${t.consecutive} of ${risk.triggers[t.trigger].periods})`
                : "not in breach",
            t.lastValue === undefined
              ? "—"
              : text.metric(risk.triggers[t.trigger].metric, t.lastValue),
          ]),
        ),
      );
    if (offerings)
      print(
        table(
          ["#", "offering", "window", "phase", "requested", "minimum raise", "cap", "min ticket"],
          offerings.offerings.map((o) => [
            o.tranche,
            o.symbol,
            `${iso(o.opensAt)} → ${iso(o.closesAt)}`,
            o.phase,
            `${text.amount(o.requested)}${o.minRaiseMet ? "" : " (below minimum)"}`,
            text.amount(o.minRaise),
            `${text.amount(o.cap)}${o.oversubscribed > 0n ? ` (+${text.amount(o.oversubscribed)} over)` : ""}`,
            text.amount(o.minTicket),
          ]),
        ),
      );
  });
}

interface HistoryOptions {
  from?: string;
  to?: string;
  csv?: string | boolean;
}

/** A period number of --from / --to: a whole number from 1. */
function parsePeriodFlag(input: string | undefined, flag: string): number | undefined {
  if (input === undefined) return undefined;
  const v = input.trim();
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new UsageError(
      `${flag}: "${input}" is not a period number (periods are numbered from 1)`,
    );
  return Number(v);
}

async function history(ctx: Context, ref: string, o: HistoryOptions) {
  const from = parsePeriodFlag(o.from, "--from");
  const to = parsePeriodFlag(o.to, "--to");
  if (from !== undefined && to !== undefined && from > to)
    throw new UsageError(`--from ${from} is after --to ${to}`);
  if (o.csv === true && ctx.json)
    throw new UsageError("--csv without a file writes to standard output: not with --json");
  const read = await readDeal(ctx, ref);
  const { record, snapshot: s, facts, history: h, decimals: d } = read;
  const name = record?.name ?? s.deal;
  const count = facts.periodCount;
  for (const [flag, v] of [
    ["--from", from],
    ["--to", to],
  ] as const)
    if (v !== undefined && v > count)
      throw new UsageError(`${flag} ${v}: deal "${name}" has ${count} periods`);
  const done = h.periods.length;
  for (const [flag, v] of [
    ["--from", from],
    ["--to", to],
  ] as const)
    if (v !== undefined && v > done)
      throw new UsageError(
        done === 0
          ? `${flag} ${v}: no period of deal "${name}" has been distributed yet`
          : `${flag} ${v}: periods 1–${done} of deal "${name}" have been distributed so far`,
      );
  const first = from ?? 1;
  const lastN = to ?? done;
  const periods = h.periods.slice(first - 1, lastN);
  const totals = periods.length > 0 ? historyTotals(periods) : undefined;
  const text = read.text;
  const reason = statusReason(s.status, read.risk.activeMask, h, facts);

  if (o.csv !== undefined && o.csv !== false) {
    const csv = historyCsv(text, periods);
    if (o.csv === true) {
      process.stdout.write(csv);
      return;
    }
    await writeFile(o.csv, csv);
    if (!ctx.json) print(`wrote ${periods.length} period rows to ${o.csv}`);
    else process.stderr.write(`wrote ${periods.length} period rows to ${o.csv}\n`);
  }
  const head = {
    name: record?.name,
    deal: s.deal,
    stablecoin: s.stablecoin,
    status: s.statusName,
    why: text.reason(reason),
    blockNumber: read.blockNumber,
  };
  emit(ctx.json, historyJson(text, h, periods, totals, head), () => {
    print(
      `${name} · deal ${s.deal} · ${s.statusName} · ${done} of ${count} periods distributed · stablecoin ` +
        `${s.stablecoin} (${d} decimals) · amounts in stablecoin units · ratios by docs/statements.md`,
    );
    print(head.why);
    if (periods.length === 0) {
      print("no period has been distributed yet");
      return;
    }
    for (const p of periods) print(`\n${text.period(p)}`);
    if (totals) {
      print(`\nTotals of periods ${totals.from}–${totals.to}`);
      print(text.totals(totals));
    }
    if (h.equityOutsidePeriods.length > 0) {
      print(
        "\nEquity distributions that are no period's residual (capital events, clean-up, recoveries)",
      );
      for (const v of h.equityOutsidePeriods) print(text.equity(v).join("\n"));
    }
    const losses = text.losses(h);
    if (losses.length > 0) print(`\n${losses.join("\n")}`);
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
      "a deal's state: status and why, periods, reserve, covenant metrics (last period and now), triggers, " +
        "offering progress and every tranche (name or address)",
    )
    .action(async (ref: string) => show(await Context.open(globals()), ref));
  deal
    .command("history <deal>")
    .description(
      "every period statement in the waterfall's order, with covenant metrics, trigger events, status changes and " +
        "reconciled totals (docs/history.md: the --json and --csv columns)",
    )
    .option("--from <period>", "first period to show (1-based, as printed)")
    .option("--to <period>", "last period to show (1-based; default: the last distributed)")
    .option("--csv [file]", "write one CSV row per period to <file> (or standard output)")
    .action(async (ref: string, o: HistoryOptions) =>
      history(await Context.open(globals()), ref, o),
    );
  deal
    .command("list")
    .description("the deals recorded for this chain")
    .action(async () => list(await Context.open(globals())));
}
