/**
 * The compliance agent's commands on the investor registry and the tranche tokens that name it: `investors add |
 * show | update | freeze | unfreeze | freeze-wallet | unfreeze-wallet | recover | force-transfer`. Every command
 * that changes something checks first that the signer holds the registry's COMPLIANCE_AGENT_ROLE, and prints what
 * the chain holds afterwards (read back), not the values it was asked for.
 */
import type { Command } from "commander";
import { zeroAddress, type Address } from "viem";
import { readContract } from "viem/actions";

import {
  CascadeError,
  INVESTOR_CLASSES,
  investorClassMask,
  trancheTokenAbi,
  wrapContractError,
  type CascadeClient,
  type InvestorRecordReturnType,
  type RecoveredPosition,
  type RegisteredInvestor,
} from "../../sdk/index.js";
import { UsageError } from "../lib/args.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import {
  dealTranches,
  decimalsOf,
  iso,
  parseAmount,
  parseChainTime,
  selectTranches,
  stablecoinOf,
  type TrancheRef,
} from "../lib/deals.js";
import {
  parseWallet,
  classText,
  dealLabel,
  frozenText,
  kycText,
  partialSummary,
  recordJson,
  requireAgent,
  withUnits,
} from "../lib/holdings.js";
import { emit, keyValues, money, print, table, withProgress } from "../lib/output.js";

function countryOption(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || Number(v) > 999)
    throw new UsageError(`--country "${v}" must be an ISO 3166-1 numeric code from 1 to 999`);
  return Number(v);
}

function classesOption(v: string): number {
  const mask = investorClassMask(v);
  if (typeof mask === "string") throw new UsageError(`--classes: ${mask}`);
  return mask;
}

const CLASSES_HELP = `investor classes, comma-separated names (${Object.keys(INVESTOR_CLASSES).join(", ")}) or a flag mask`;

/** The registry's record as table cells: identity, KYC until, country, classes, frozen. */
function recordCells(r: InvestorRecordReturnType): string[] {
  if (!r.registered) return ["", "", "", "", ""];
  return [
    String(r.identity),
    kycText(r, r.timestamp),
    String(r.country),
    classText(r),
    frozenText(r),
  ];
}

// ------------------------------------------------------------------ add

async function investorsAdd(
  ctx: Context,
  wallets: string[],
  o: { country: string; classes: string; kycExpiry: string },
) {
  const investors = wallets.map((w) => parseWallet(w, "wallet"));
  const country = countryOption(o.country);
  const classes = classesOption(o.classes);
  const { investorRegistry: registry } = ctx.protocol();
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const kycExpiry = await parseChainTime(client, o.kycExpiry, "--kyc-expiry");
  const before = await Promise.all(
    investors.map((w) => wallet.investorRecord({ registry, wallet: w })),
  );
  const toRegister = investors.filter((_, i) => !before[i].registered);
  if (toRegister.length > 0) await requireAgent(wallet, registry, wallet.account.address);

  const done = new Map<string, RegisteredInvestor>();
  let failure: Error | undefined;
  if (toRegister.length > 0)
    await withProgress(
      ctx.json,
      `registering ${toRegister.length} investor${toRegister.length === 1 ? "" : "s"} in ${registry}`,
      async (p) => {
        try {
          await wallet.registerInvestors({
            registry,
            investors: toRegister.map((w) => ({ wallet: w, kycExpiry, country, classes })),
            onProgress: (n, total, r) => {
              done.set(r.wallet.toLowerCase(), r);
              p.step(`${n}/${total} ${r.wallet} registered`);
            },
          });
        } catch (e) {
          failure = wrapContractError(e);
          throw failure;
        }
      },
      () => `${toRegister.length} registered`,
    ).catch((e: unknown) => {
      // Reported below with what was done; a failure before anything was done is reported alone.
      if (e !== failure || done.size === 0) throw e;
    });

  // What the registry holds now, read back.
  const after = await Promise.all(
    investors.map((w) => wallet.investorRecord({ registry, wallet: w })),
  );
  const rows = investors.map((w, i) => {
    const registered = done.get(w.toLowerCase());
    const result = before[i].registered
      ? "already registered"
      : registered
        ? "registered"
        : failure !== undefined && toRegister.indexOf(w) === done.size
          ? "failed"
          : "not attempted";
    return {
      wallet: w,
      identity: after[i].identity,
      registered: registered !== undefined,
      result,
      transactionHash: registered?.transactionHash,
      record: recordJson(after[i]),
      cells: recordCells(after[i]),
    };
  });
  emit(
    ctx.json,
    {
      registry,
      requested: { kycExpiry, country, classes },
      complete: failure === undefined,
      ...(failure ? { error: failure.message } : {}),
      investors: rows.map(({ cells: _cells, ...r }) => r),
    },
    () => {
      print(
        table(
          [
            "wallet",
            "result",
            "identity",
            "KYC until",
            "country",
            "classes",
            "frozen",
            "transaction",
          ],
          rows.map((r) => [r.wallet, r.result, ...r.cells, r.transactionHash ?? ""]),
        ),
      );
      if (rows.some((r) => r.result === "already registered"))
        print(
          "Wallets registered already keep the registry's values shown above; change them with " +
            "`cascade investors update <wallet> --country … --classes … --kyc-expiry …`.",
        );
    },
  );
  if (failure !== undefined) {
    const notDone = rows
      .filter((r) => r.result === "failed" || r.result === "not attempted")
      .map((r) => `${r.wallet} (${r.result})`);
    throw new CascadeError(
      `${failure.message.split("\n")[0]} — ${partialSummary(rows.length - notDone.length, rows.length, notDone)}`,
    );
  }
}

// ------------------------------------------------------------------ show

async function investorsShow(ctx: Context, walletArg: string) {
  const w = parseWallet(walletArg, "wallet");
  const { investorRegistry: registry, factory } = ctx.protocol();
  const reader = ctx.reader();
  const [r, all] = await Promise.all([
    reader.investorRecord({ registry, wallet: w }),
    reader.positions({ factory, investor: w }),
  ]);
  const holdings = all.positions.flatMap((p) =>
    p.tranches.map((t) => ({
      deal: p.deal,
      name: dealLabel(ctx, p.deal),
      tranche: t.index,
      symbol: t.symbol,
      restricted: p.record !== undefined,
      decimals: p.decimals,
      ...withUnits(
        { balance: t.balance, frozen: t.frozen, fresh: t.fresh, claimable: t.claimable },
        ["balance", "frozen", "fresh", "claimable"],
        p.decimals,
      ),
      freshReleasedAt: t.freshReleasedAt,
      voteLockedUntil: t.voteLockedUntil,
      t,
    })),
  );
  emit(
    ctx.json,
    {
      registry,
      wallet: w,
      blockNumber: r.blockNumber,
      ...recordJson(r),
      kycExpired: r.kycExpired,
      holdings: holdings.map(({ t: _t, ...h }) => h),
    },
    () => {
      print(
        keyValues(
          r.registered
            ? [
                ["wallet", w],
                ["registry", registry],
                ["identity", `${r.identity} (wallets: ${r.wallets.join(", ")})`],
                ["classes", `${classText(r)} (mask ${r.classes})`],
                ["country", String(r.country)],
                ["KYC until", kycText(r, r.timestamp)],
                ["frozen", frozenText(r)],
              ]
            : [
                ["wallet", w],
                ["registry", registry],
                ["identity", "not registered (`cascade investors add` registers it)"],
              ],
          "investor",
        ),
      );
      if (holdings.length === 0) print("holds nothing in the deals of the factory");
      else
        print(
          table(
            ["deal", "tranche", "tokens", "frozen tokens", "in holding period", "claimable"],
            holdings.map((h) => [
              h.name,
              h.symbol,
              money(h.t.balance, h.decimals),
              money(h.t.frozen, h.decimals),
              h.t.fresh === 0n
                ? ""
                : `${money(h.t.fresh, h.decimals)} until ${iso(h.t.freshReleasedAt)}`,
              money(h.t.claimable, h.decimals),
            ]),
          ),
        );
    },
  );
}

// ------------------------------------------------------------------ update, freeze-wallet

async function investorsUpdate(
  ctx: Context,
  walletArg: string,
  o: { country?: string; classes?: string; kycExpiry?: string },
) {
  const w = parseWallet(walletArg, "wallet");
  if (o.country === undefined && o.classes === undefined && o.kycExpiry === undefined)
    throw new UsageError("give at least one of --country, --classes, --kyc-expiry");
  const country = o.country === undefined ? undefined : countryOption(o.country);
  const classes = o.classes === undefined ? undefined : classesOption(o.classes);
  const { investorRegistry: registry } = ctx.protocol();
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const kycExpiry =
    o.kycExpiry === undefined
      ? undefined
      : await parseChainTime(client, o.kycExpiry, "--kyc-expiry");
  await requireAgent(wallet, registry, wallet.account.address);
  const r = await withProgress(
    ctx.json,
    `updating ${w} in ${registry}`,
    () => wallet.updateInvestor({ registry, wallet: w, country, classes, kycExpiry }),
    (x) =>
      x.transactionHash
        ? `updated ${x.changed.join(", ")}`
        : "the registry holds these values already: nothing sent",
  );
  emit(
    ctx.json,
    {
      registry,
      wallet: w,
      changed: r.changed,
      before: recordJson(r.before),
      after: recordJson(r.after),
      transactionHash: r.transactionHash,
    },
    () =>
      print(
        table(
          ["", "before", "after (on chain)"],
          [
            [
              "KYC until",
              kycText(r.before, r.before.timestamp),
              kycText(r.after, r.after.timestamp),
            ],
            ["country", r.before.country, r.after.country],
            ["classes", classText(r.before), classText(r.after)],
            ["frozen", frozenText(r.before), frozenText(r.after)],
            ["identity wallets", r.before.wallets.length, r.after.wallets.length],
            ["transaction", "", r.transactionHash ?? "none: nothing changed"],
          ],
        ),
      ),
  );
}

async function investorsFreezeWallet(
  ctx: Context,
  walletArg: string,
  frozen: boolean,
  o: { identity?: boolean },
) {
  const w = parseWallet(walletArg, "wallet");
  const { investorRegistry: registry } = ctx.protocol();
  const wallet = await ctx.wallet();
  await requireAgent(wallet, registry, wallet.account.address);
  const scope = o.identity ? "identity" : "wallet";
  const r = await withProgress(
    ctx.json,
    `${frozen ? "freezing" : "releasing"} ${scope === "identity" ? "every wallet of the identity of " : ""}${w}`,
    () => wallet.setInvestorFrozen({ registry, wallet: w, frozen, scope }),
    (x) =>
      x.transactionHash ? "done" : `already ${frozen ? "frozen" : "not frozen"}: nothing sent`,
  );
  emit(
    ctx.json,
    {
      registry,
      wallet: w,
      scope,
      before: recordJson(r.before),
      after: recordJson(r.after),
      transactionHash: r.transactionHash,
    },
    () =>
      print(
        keyValues([
          ["wallet", w],
          ["frozen before", frozenText(r.before)],
          ["frozen now (on chain)", frozenText(r.after)],
          ["transaction", r.transactionHash ?? "none: nothing changed"],
        ]),
      ),
  );
}

// ------------------------------------------------------------------ token operations

/** The tranche `ref` of `deal`, its registry (refused when the tranche is unrestricted) and its decimals. */
async function restrictedTranche(
  ctx: Context,
  client: CascadeClient,
  ref: string,
  tranche: string,
) {
  const { address: deal } = await ctx.deal(ref);
  const [t] = selectTranches(await dealTranches(client, deal), tranche);
  const registry = await readContract(client, {
    address: t.token,
    abi: trancheTokenAbi,
    functionName: "registry",
  });
  if (registry === zeroAddress)
    throw new CascadeError(
      `${t.symbol} of ${dealLabel(ctx, deal)} names no investor registry: its tokens are unrestricted and no ` +
        "compliance agent acts on them",
    );
  const d = await decimalsOf(client, await stablecoinOf(client, deal));
  return { deal, t, registry, d };
}

function tokenRead(
  client: CascadeClient,
  t: TrancheRef,
  fn: "balanceOf" | "frozenTokens",
  who: Address,
) {
  return readContract(client, {
    address: t.token,
    abi: trancheTokenAbi,
    functionName: fn,
    args: [who],
  });
}

async function investorsFreezeTokens(
  ctx: Context,
  ref: string,
  freeze: boolean,
  o: { tranche: string; wallet: string; amount: string },
) {
  const holder = parseWallet(o.wallet, "--wallet");
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const { deal, t, registry, d } = await restrictedTranche(ctx, client, ref, o.tranche);
  await requireAgent(wallet, registry, wallet.account.address);
  const [balance, frozenBefore] = await Promise.all([
    tokenRead(client, t, "balanceOf", holder),
    tokenRead(client, t, "frozenTokens", holder),
  ]);
  const amount =
    o.amount.trim() === "all"
      ? freeze
        ? balance - frozenBefore
        : frozenBefore
      : parseAmount(o.amount, d, "--amount");
  const holds = `${holder} holds ${money(balance, d)} ${t.symbol} of which ${money(frozenBefore, d)} frozen`;
  if (amount === 0n)
    throw new UsageError(`--amount: nothing to ${freeze ? "freeze" : "release"} (${holds})`);
  // The token's own refusals (FreezeExceedsBalance, UnfreezeExceedsFrozen), in units, before anything is sent.
  if (freeze && amount > balance - frozenBefore)
    throw new CascadeError(
      `cannot freeze ${money(amount, d)}: ${holds}, so at most ${money(balance - frozenBefore, d)} more`,
    );
  if (!freeze && amount > frozenBefore)
    throw new CascadeError(`cannot release ${money(amount, d)}: ${holds}`);
  const r = await withProgress(
    ctx.json,
    `${freeze ? "freezing" : "releasing"} ${money(amount, d)} ${t.symbol} of ${holder}`,
    () =>
      freeze
        ? wallet.freezeTokens({ token: t.token, holder, amount })
        : wallet.unfreezeTokens({ token: t.token, holder, amount }),
    (x) => `${money(x.frozen, d)} ${t.symbol} of ${holder} frozen now`,
  );
  emit(
    ctx.json,
    {
      deal,
      tranche: t.index,
      symbol: t.symbol,
      wallet: holder,
      ...withUnits(
        { amount, balance, frozenBefore, frozen: r.frozen },
        ["amount", "balance", "frozenBefore", "frozen"],
        d,
      ),
      transactionHash: r.transactionHash,
    },
    () =>
      print(
        keyValues([
          ["wallet", holder],
          ["tranche", `${t.symbol} of ${dealLabel(ctx, deal)}`],
          ["tokens", money(balance, d)],
          [freeze ? "frozen now" : "released now", money(amount, d)],
          ["frozen", `${money(frozenBefore, d)} → ${money(r.frozen, d)}`],
          ["transaction", r.transactionHash],
        ]),
      ),
  );
}

async function investorsForceTransfer(
  ctx: Context,
  ref: string,
  o: { tranche: string; from: string; to: string; amount: string },
) {
  const from = parseWallet(o.from, "--from");
  const to = parseWallet(o.to, "--to");
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const { deal, t, registry, d } = await restrictedTranche(ctx, client, ref, o.tranche);
  await requireAgent(wallet, registry, wallet.account.address);
  const amount = parseAmount(o.amount, d, "--amount");
  if (amount === 0n) throw new UsageError("--amount must be positive");
  const r = await withProgress(
    ctx.json,
    `moving ${money(amount, d)} ${t.symbol} from ${from} to ${to}`,
    () => wallet.forcedTransfer({ token: t.token, from, to, amount }),
    () => `moved ${money(amount, d)} ${t.symbol}`,
  );
  const [fromBalance, toBalance, fromFrozen] = await Promise.all([
    tokenRead(client, t, "balanceOf", from),
    tokenRead(client, t, "balanceOf", to),
    tokenRead(client, t, "frozenTokens", from),
  ]);
  emit(
    ctx.json,
    {
      deal,
      tranche: t.index,
      symbol: t.symbol,
      from,
      to,
      ...withUnits(
        { amount, fromBalance, toBalance, fromFrozen },
        ["amount", "fromBalance", "toBalance", "fromFrozen"],
        d,
      ),
      transactionHash: r.transactionHash,
    },
    () =>
      print(
        keyValues([
          ["tranche", `${t.symbol} of ${dealLabel(ctx, deal)}`],
          ["moved", money(amount, d)],
          ["from", `${from} (now ${money(fromBalance, d)}, ${money(fromFrozen, d)} frozen)`],
          ["to", `${to} (now ${money(toBalance, d)})`],
          ["transaction", r.transactionHash],
        ]),
      ),
  );
}

async function investorsRecover(ctx: Context, lostArg: string, newArg: string) {
  const lostWallet = parseWallet(lostArg, "lost wallet");
  const newWallet = parseWallet(newArg, "new wallet");
  if (lostWallet === newWallet) throw new UsageError("the lost and the new wallet are the same");
  const { investorRegistry: registry, factory } = ctx.protocol();
  const wallet = await ctx.wallet();
  await requireAgent(wallet, registry, wallet.account.address);
  // Every tranche of the factory's deals that names this registry and where the lost wallet holds something.
  const held = await wallet.positions({ factory, investor: lostWallet });
  const restricted = (p: (typeof held.positions)[number]) =>
    p.record?.registry.toLowerCase() === registry.toLowerCase();
  // Tokens of tranches without this registry are no agent's to move: said, not touched.
  const elsewhere = held.positions
    .filter((p) => !restricted(p))
    .flatMap((p) =>
      p.tranches.filter((t) => t.balance > 0n).map((t) => `${dealLabel(ctx, p.deal)} ${t.symbol}`),
    );
  const tranches = held.positions
    .filter(restricted)
    .flatMap((p) =>
      p.tranches
        .filter((t) => t.balance > 0n || t.claimable > 0n)
        .map((t) => ({ deal: p.deal, symbol: t.symbol, token: t.token, decimals: p.decimals })),
    );
  const steps: ({ registryTransactionHash: `0x${string}` } | RecoveredPosition)[] = [];
  let failure: Error | undefined;
  await withProgress(
    ctx.json,
    `recovering ${lostWallet} into ${newWallet} (${tranches.length} position${tranches.length === 1 ? "" : "s"})`,
    (p) =>
      wallet.recoverWallet({
        registry,
        tokens: tranches.map((t) => t.token),
        lostWallet,
        newWallet,
        onProgress: (s) => {
          steps.push(s);
          p.step("token" in s ? `moved the position in ${s.token}` : "moved the registry record");
        },
      }),
    (r) => `moved ${r.positions.length} position${r.positions.length === 1 ? "" : "s"}`,
  ).catch((e: unknown) => {
    // A refusal before anything was sent is reported alone; otherwise the table below shows what was done.
    if (steps.length === 0) throw e;
    failure = wrapContractError(e);
  });
  const registryStep = steps.find((s) => "registryTransactionHash" in s) as
    { registryTransactionHash: `0x${string}` } | undefined;
  const moved = steps.filter((s): s is RecoveredPosition => "token" in s);
  const rows = tranches.map((t) => {
    const m = moved.find((x) => x.token.toLowerCase() === t.token.toLowerCase());
    return {
      deal: t.deal,
      name: dealLabel(ctx, t.deal),
      symbol: t.symbol,
      token: t.token,
      decimals: t.decimals,
      result: m ? "moved" : failure ? "not done" : "moved",
      ...(m
        ? withUnits(
            { balance: m.balance, accrued: m.accrued, frozen: m.frozen },
            ["balance", "accrued", "frozen"],
            t.decimals,
          )
        : {}),
      transactionHash: m?.transactionHash,
      m,
    };
  });
  const record = await wallet.investorRecord({ registry, wallet: newWallet });
  emit(
    ctx.json,
    {
      registry,
      lostWallet,
      newWallet,
      complete: failure === undefined,
      ...(failure ? { error: failure.message } : {}),
      registryTransactionHash: registryStep?.registryTransactionHash,
      notMovable: elsewhere,
      newWalletRecord: recordJson(record),
      positions: rows.map(({ m: _m, decimals: _d, ...r }) => r),
    },
    () => {
      print(
        keyValues([
          [
            "registry record",
            registryStep
              ? `moved (${registryStep.registryTransactionHash})`
              : record.registered
                ? "new wallet registered already"
                : "not moved",
          ],
          [
            "new wallet",
            `${newWallet}: identity ${record.identity || "none"}, ${classText(record)}, KYC until ${record.registered ? iso(record.kycExpiry) : "—"}`,
          ],
        ]),
      );
      print(
        rows.length === 0
          ? `${lostWallet} holds nothing left to move in the deals that name the registry`
          : table(
              [
                "deal",
                "tranche",
                "result",
                "tokens",
                "unclaimed cash",
                "frozen tokens",
                "transaction",
              ],
              rows.map((r) => [
                r.name,
                r.symbol,
                r.result,
                r.m ? money(r.m.balance, r.decimals) : "",
                r.m ? money(r.m.accrued, r.decimals) : "",
                r.m ? money(r.m.frozen, r.decimals) : "",
                r.transactionHash ?? "",
              ]),
            ),
      );
      if (elsewhere.length > 0)
        print(
          `${lostWallet} also holds tokens of tranches that name no investor registry, which no agent can move: ` +
            `${elsewhere.join(", ")}`,
        );
    },
  );
  if (failure !== undefined) {
    const notDone = [
      ...(registryStep || record.registered ? [] : ["the registry record"]),
      ...rows.filter((r) => r.result === "not done").map((r) => `${r.name} ${r.symbol}`),
    ];
    const total = rows.length + 1;
    throw new CascadeError(
      `${failure.message.split("\n")[0]} — ${partialSummary(total - notDone.length, total, notDone)}`,
    );
  }
}

export function registerCompliance(program: Command, globals: () => GlobalOptions): void {
  const investors = program
    .command("investors")
    .description("the investor registry and the restricted tokens (compliance agent)");
  investors
    .command("add <wallet...>")
    .description(
      "register investors (one identity per wallet) and print what the registry holds; wallets registered " +
        "already are not changed (see `investors update`)",
    )
    .option("--country <code>", "ISO 3166-1 numeric country code", "840")
    .option("--classes <names|flags>", CLASSES_HELP, "accredited")
    .option("--kyc-expiry <time>", "KYC valid until (ISO time, unix seconds or +365d)", "+365d")
    .action(async (wallets: string[], o: { country: string; classes: string; kycExpiry: string }) =>
      investorsAdd(await Context.open(globals()), wallets, o),
    );

  investors
    .command("show <wallet>")
    .description(
      "a wallet's registry record (identity and its wallets, classes, country, KYC expiry, freezes) and its " +
        "tokens in every deal of the factory, frozen ones included",
    )
    .action(async (w: string) => investorsShow(await Context.open(globals()), w));

  investors
    .command("update <wallet>")
    .description(
      "change an investor's country, classes or KYC expiry (only those given; every wallet of its identity); " +
        "prints before → after from the chain",
    )
    .option("--country <code>", "ISO 3166-1 numeric country code")
    .option("--classes <names|flags>", CLASSES_HELP)
    .option(
      "--kyc-expiry <time>",
      "KYC valid until (ISO time, unix seconds or +365d; a past time revokes it)",
    )
    .action(async (w: string, o: { country?: string; classes?: string; kycExpiry?: string }) =>
      investorsUpdate(await Context.open(globals()), w, o),
    );

  for (const freeze of [true, false]) {
    investors
      .command(`${freeze ? "freeze" : "unfreeze"} <deal>`)
      .description(
        freeze
          ? "freeze part of a holder's tokens in one tranche (they keep earning, cannot move)"
          : "release frozen tokens of a holder in one tranche",
      )
      .requiredOption("--tranche <index|symbol>", "the tranche")
      .requiredOption("--wallet <address>", "the holder")
      .requiredOption(
        "--amount <units|all>",
        freeze ? "tokens to freeze, or all of the unfrozen balance" : "tokens to release, or all",
      )
      .action(async (ref: string, o: { tranche: string; wallet: string; amount: string }) =>
        investorsFreezeTokens(await Context.open(globals()), ref, freeze, o),
      );
    investors
      .command(`${freeze ? "freeze" : "unfreeze"}-wallet <wallet>`)
      .description(
        freeze
          ? "freeze a whole wallet in the registry: it cannot send, receive, claim or take delivery in any restricted tranche (coupons keep accruing)"
          : "release a wallet frozen in the registry",
      )
      .option("--identity", "every wallet of the investor's identity, not only this one")
      .action(async (w: string, o: { identity?: boolean }) =>
        investorsFreezeWallet(await Context.open(globals()), w, freeze, o),
      );
  }

  investors
    .command("recover <lost-wallet> <new-wallet>")
    .description(
      "move a lost wallet's registry record and every position in the factory's restricted deals (tokens, " +
        "unclaimed cash, frozen tokens, holding-period lots, vote locks) to a new wallet; running it again finishes an interrupted recovery",
    )
    .action(async (lost: string, next: string) =>
      investorsRecover(await Context.open(globals()), lost, next),
    );

  investors
    .command("force-transfer <deal>")
    .description(
      "move a holder's tokens to an eligible receiver (e.g. a court order), whatever the holder's own eligibility",
    )
    .requiredOption("--tranche <index|symbol>", "the tranche")
    .requiredOption("--from <address>", "the holder")
    .requiredOption("--to <address>", "the receiver (must be eligible for the tranche)")
    .requiredOption("--amount <units>", "tokens, in whole units")
    .action(async (ref: string, o: { tranche: string; from: string; to: string; amount: string }) =>
      investorsForceTransfer(await Context.open(globals()), ref, o),
    );
}
