/**
 * Cascade end to end on the in-process Hardhat network, through the SDK: an H100 fleet financed with senior,
 * mezzanine and junior notes and equity, subscribed by six investors with permits, run for 12 monthly periods,
 * then reconciled to the wei against the chain and against the SDK's pure waterfall model.
 *
 * The tranche tokens are restricted securities: the deal names the protocol's investor registry and each tranche
 * carries transfer rules (investor classes, sanctioned countries blocked, a holding period and a holder cap on the
 * junior and the equity). The compliance agent registers the six investors before they subscribe; a transfer to an
 * unregistered wallet is refused by the SDK with the token's ERC-1404 reason before anything is sent, and a transfer
 * between two registered investors goes through.
 *
 * Each period two of the three reporters sign the meter report and it is proposed to the oracle; it is final once
 * its 2-day dispute window has passed, and a keeper (its own account) runs the waterfall through
 * checkUpkeep/performUpkeep and earns the bounty. In period 6 a report that double-counts a rack is disputed by the
 * third reporter and re-submitted, corrected, in round 1. The waterfall credits the trustee's and the servicer's fees
 * in the deal; after the last period each withdraws them (`withdrawFees`).
 *
 * Beside it runs a stressed deal (`examples/h100-stressed.json`): the same kind of fleet, marked to a GPU
 * rental-price index that falls 40 % a year (a GpuPriceIndexFeed the demo publishes each period), with utilization
 * collapsing mid-life. Its covenants move it Active → CashTrap → Accelerated; at maturity the unpaid principal is
 * written off, and the fleet is then sold and the proceeds recovered top-down. Both deals are reconciled to the
 * model to the wei.
 *
 * Last, data-center project equity (`scripts/lib/campus.ts`): the 10 MW campus of `examples/campus-10mw.json` —
 * senior notes and three equity classes under an LP/GP waterfall — runs 24 periods beside its two GPU tenants, which
 * pay it rent on chain first in their waterfalls; one of them defaults, the campus's preferred return accrues unpaid
 * and catches up, and the campus is sold at the end (clean-up call, then a capital event into the waterfall). Rent,
 * equity statements and every class's state are reconciled to the chain and the models, with the classes' IRRs.
 *
 * At the end, the stress engine (`sdk/stress`, docs/stress.md) summarizes both example term sheets before issuance
 * under the default scenario: a few hundred Monte Carlo paths, each note's loss and IRR, equity's IRR and hurdles,
 * the likeliest triggers, the equity that leaks out before any covenant bites, and the break-evens.
 *
 *   npx hardhat run scripts/demo.ts
 */
import { readFileSync } from "node:fs";

import { keccak256, toHex, type Address } from "viem";
import { getBlock, readContract } from "viem/actions";

import {
  dealAbi,
  dealHistory,
  DealStatus,
  dealStatusName,
  describeCovenant,
  historyTotals,
  mockStablecoinAbi,
  INVESTOR_CLASSES,
  parseTermSheet,
  RiskMetric,
  statementFacts,
  statusReason,
  TransferRestrictedError,
  trancheTokenAbi,
  type DealModelState,
  type PeriodSimulation,
  type PeriodStatement,
  type TermSheetJson,
  DealModel,
  RiskEngineModel,
} from "../sdk/index.js";
import { date, factor, int, pct, wei } from "./lib/format.js";
import { CAMPUS_ACCOUNTS, runCampus } from "./lib/campus.js";
import { analyzeStress, stressSummary } from "../cli/lib/stress.js";
import {
  DEFAULT_SCENARIO,
  FastPath,
  newMarketPath,
  prepareStress,
  Rng,
  runExact,
  sampleMarket,
  stressDealFromTermSheet,
} from "../sdk/stress/index.js";
import { scenario, stressedIndex, stressedScenario } from "./lib/h100-scenario.js";
import { Report } from "./lib/report.js";
import {
  balanceOf,
  connectViem,
  deployMockStablecoin,
  mint,
  type CascadeWallet,
} from "./lib/viem-hardhat.js";

const started = Date.now();
// The campus section (scripts/lib/campus.ts) needs more accounts than Hardhat's default twenty.
const connection = await connectViem({ accounts: CAMPUS_ACCOUNTS });
const { publicClient, wallets, networkHelpers } = connection;
const [admin, issuer, servicer, trustee, guardian, reporter0, reporter1, reporter2] = wallets;
/** Runs the waterfall for the bounty; also closes the offerings (anyone may). */
const keeper = wallets[14];
const reporters = [reporter0, reporter1, reporter2];
/** Holds the investor registry's COMPLIANCE_AGENT_ROLE: onboards the investors. */
const complianceAgent = wallets[18];
/** A wallet no investor registered. */
const outsider = wallets[19];

// ------------------------------------------------------------------ protocol and deal

const DECIMALS = 6;
const stablecoin = await deployMockStablecoin(admin, "USD Coin (demo)", "USDC", DECIMALS);
const protocol = await admin.deployProtocol();
const { investorRegistry } = await admin.deployAdministration({
  oracle: protocol.oracle,
  complianceAgent: complianceAgent.account.address,
});

const example = JSON.parse(
  readFileSync(new URL("../examples/h100-fleet.json", import.meta.url), "utf8"),
) as TermSheetJson;
/** Sanctioned countries (ISO 3166-1 numeric): Cuba, Iran, North Korea, Syria. */
const SANCTIONED = [192, 364, 408, 760];
// The example's deal with the protocol's investor registry and transfer rules in the term sheet's own terms.
const json: TermSheetJson = {
  ...example,
  registry: "$registry",
  tranches: example.tranches.map((t, i) => ({
    ...t,
    transfer:
      i < 2
        ? {
            allowedClasses: ["accredited", "qualified-purchaser", "institutional"],
            blockedCountries: SANCTIONED,
            minHolding: "10,000",
          }
        : {
            allowedClasses: ["qualified-purchaser", "institutional"],
            blockedCountries: SANCTIONED,
            minHoldingPeriod: "365d",
            maxHolders: 99,
          },
  })),
};
const sheet = parseTermSheet(json, {
  now: (await getBlock(publicClient)).timestamp,
  addresses: {
    registry: investorRegistry,
    stablecoin,
    issuer: issuer.account.address,
    servicer: servicer.account.address,
    trustee: trustee.account.address,
    guardian: guardian.account.address,
    reporter0: reporter0.account.address,
    reporter1: reporter1.account.address,
    reporter2: reporter2.account.address,
  },
});
const terms = sheet.terms;
const created = await issuer.createDeal({ factory: protocol.factory, terms });
const { deal, tokens, offerings } = created;
const symbols = terms.tranches.map((t) => t.symbol);
const notes = terms.tranches.length - 1;
const report = new Report(terms, DECIMALS);
const $ = (units: bigint) => report.usd(units);
const unit = 10n ** BigInt(DECIMALS);

report.termSheet(sheet.name, tokens);
report.line(
  `  stablecoin ${stablecoin} · oracle ${protocol.oracle} · factory ${protocol.factory} · deal ${deal}`,
);
report.line(
  `  investor registry ${investorRegistry}: senior and mezzanine for accredited investors, qualified ` +
    `purchasers and institutions; junior and equity for qualified purchasers and institutions, held 365 days, ` +
    `at most 99 holders; countries ${SANCTIONED.join(", ")} blocked`,
);

// ------------------------------------------------------------------ offering

interface Investor {
  name: string;
  wallet: CascadeWallet;
  /** [tranche index, stablecoin units] */
  subscriptions: [number, bigint][];
  /** ISO 3166-1 numeric country and investor class flags in the registry. */
  country: number;
  classes: number;
  minted: bigint;
  requested: bigint;
  refunded: bigint;
  claimed: bigint;
}
const C = INVESTOR_CLASSES;
const plan: [string, [number, bigint][], number, number][] = [
  ["Pension fund", [[0, 6_000_000n]], 840, C.institutional | C["qualified-purchaser"]],
  ["Insurer", [[0, 5_000_000n]], 826, C.institutional],
  ["Credit fund", [[0, 3_300_000n], [1, 2_500_000n]], 840, C.accredited | C["qualified-purchaser"]], // prettier-ignore
  ["Hedge fund", [[1, 1_500_000n], [2, 2_500_000n]], 136, C["qualified-purchaser"] | C["non-us-person"]], // prettier-ignore
  ["Sponsor", [[3, 5_000_000n]], 840, C.institutional],
  ["Family office", [[3, 2_500_000n]], 756, C["qualified-purchaser"] | C["non-us-person"]],
];
const investors: Investor[] = plan.map(([name, subs, country, classes], i) => ({
  name,
  wallet: wallets[8 + i],
  subscriptions: subs.map(([t, dollars]) => [t, dollars * unit]),
  country,
  classes,
  minted: 0n,
  requested: 0n,
  refunded: 0n,
  claimed: 0n,
}));

// The compliance agent onboards the investors before they subscribe: KYC valid for three years.
const kycExpiry = (await getBlock(publicClient)).timestamp + 3n * 365n * 86_400n;
const registered = await complianceAgent.registerInvestors({
  registry: investorRegistry,
  investors: investors.map((inv) => ({
    wallet: inv.wallet.account.address,
    kycExpiry,
    country: inv.country,
    classes: inv.classes,
  })),
});
report.line(
  `\nInvestor registry: ${registered.length} investors registered by the compliance agent ` +
    `(identities ${registered.map((r) => r.identity).join(", ")}; KYC until ${date(kycExpiry)})`,
);

await networkHelpers.time.increaseTo(terms.offeringOpensAt);
report.line(`\nOffering ${date(terms.offeringOpensAt)} → ${date(terms.offeringClosesAt)}`);
const subscriptionRows = [["investor", "tranche", "requested", "signed"]];
for (const inv of investors) {
  inv.minted = inv.subscriptions.reduce((a, [, v]) => a + v, 0n);
  await mint(admin, stablecoin, inv.wallet.account.address, inv.minted);
  for (const [t, assets] of inv.subscriptions) {
    const r = await inv.wallet.subscribe({ offering: offerings[t], assets });
    inv.requested += assets;
    subscriptionRows.push([
      inv.name,
      symbols[t],
      $(assets),
      r.method === "permit" ? "EIP-2612 permit" : "approve",
    ]);
  }
}
report.table(subscriptionRows, ["l", "l", "r", "l"]);

await networkHelpers.time.increaseTo(terms.offeringClosesAt);
const issued: bigint[] = [];
let reserveFunded = 0n;
let proceeds = 0n;
const closeRows = [
  ["tranche", "requested", "accepted", "allocated", "credited to issuer", "to reserve"],
];
for (const [t, offering] of offerings.entries()) {
  const c = await keeper.closeOffering({ offering });
  issued.push(c.accepted);
  reserveFunded += c.reserveFunding;
  proceeds += c.proceeds;
  const allocated = c.requested === 0n ? "—" : pct((c.accepted * 10n ** 18n) / c.requested);
  closeRows.push([
    symbols[t],
    $(c.requested),
    $(c.accepted),
    allocated,
    $(c.proceeds),
    $(c.reserveFunding),
  ]);
}
const status = await readContract(publicClient, {
  address: deal,
  abi: dealAbi,
  functionName: "status",
});
report.line(`\nOfferings closed by the keeper; the deal is ${dealStatusName(status)}`);
report.table(closeRows);
// The deal's statements, as `cascade deal history` builds and prints them.
const facts = statementFacts(terms, issued, tokens[notes]);
const text = report.statements(facts);
// The offerings credit the proceeds to the issuer, who withdraws them.
const withdrawn = await issuer.withdrawProceeds({ deal });
report.line(
  `The issuer withdrew ${$(withdrawn.total)} of proceeds from ${withdrawn.withdrawals.length} offerings`,
);

const claimRows = [["investor", "tranche", "tokens", "refunded"]];
for (const inv of investors) {
  for (const [t] of inv.subscriptions) {
    const r = await inv.wallet.claimShares({ offering: offerings[t] });
    inv.refunded += r.refunded;
    claimRows.push([
      inv.name,
      symbols[t],
      report.amount(r.shares),
      r.refunded === 0n ? "—" : $(r.refunded),
    ]);
  }
}
report.line("\nShares claimed: the oversubscribed senior is allocated pro rata, the rest refunded");
report.table(claimRows, ["l", "l", "r", "r"]);

// ------------------------------------------------------------------ restricted transfers

const [pension, insurer] = investors;
const moved = 1_000_000n * unit;
const seniorBalance = (who: Address) =>
  readContract(publicClient, {
    address: tokens[0],
    abi: trancheTokenAbi,
    functionName: "balanceOf",
    args: [who],
  });
let refused: TransferRestrictedError | undefined;
try {
  await pension.wallet.transfer({ token: tokens[0], to: outsider.account.address, amount: moved });
} catch (e) {
  if (!(e instanceof TransferRestrictedError)) throw e;
  refused = e;
}
const insurerBefore = await seniorBalance(insurer.wallet.account.address);
const sent = await pension.wallet.transfer({
  token: tokens[0],
  to: insurer.wallet.account.address,
  amount: moved,
});
const insurerAfter = await seniorBalance(insurer.wallet.account.address);
report.line(`\nTransfers of ${symbols[0]} (ERC-1404 checks of the token, asked before sending)`);
report.table(
  [
    ["from", "to", "amount", "result"],
    [
      pension.name,
      `unregistered ${outsider.account.address.slice(0, 8)}…`,
      report.amount(moved),
      refused ? `refused, code ${refused.code}: ${refused.reason}` : "sent",
    ],
    [
      pension.name,
      insurer.name,
      report.amount(moved),
      `sent (${sent.transactionHash.slice(0, 10)}…)`,
    ],
  ],
  ["l", "l", "r", "l"],
);

// ------------------------------------------------------------------ 12 monthly periods

async function claimAll(inv: Investor): Promise<bigint> {
  let total = 0n;
  for (const [t] of inv.subscriptions)
    total += (await inv.wallet.claim({ token: tokens[t] })).amount;
  inv.claimed += total;
  return total;
}

/** These two collect their coupons every quarter; the others claim at the end, except the Insurer. */
const quarterlyClaimers = investors.filter(
  (i) => i.name === "Pension fund" || i.name === "Credit fund",
);
let model = DealModel.initialDealState(terms, issued);
const simulations: PeriodSimulation[] = [];
const statements: PeriodStatement[] = [];
let deposited = 0n;
let bountyEarned = 0n;
/** The period whose first report double-counts a rack; the third reporter disputes it. */
const DISPUTED_PERIOD = 5;
/** A 64-GPU rack billed twice in the disputed period's first report. */
const DOUBLE_COUNTED_GPU_HOURS = 64n * 720n;

for (const m of scenario(terms.pledgedShareBps)) {
  // The servicer collects the pool's share of the period's revenue and deposits it.
  await mint(admin, stablecoin, servicer.account.address, m.deposit);
  await servicer.depositCollections({ deal, amount: m.deposit });
  deposited += m.deposit;

  const end = await readContract(publicClient, {
    address: deal,
    abi: dealAbi,
    functionName: "periodEnd",
    args: [BigInt(m.period)],
  });
  await networkHelpers.time.increaseTo(end);

  // Two of the three reporters sign the period's meter report (a different pair each period); the signed struct
  // binds the chain, the oracle, the open round and the deal's reporter set, all read from the chain.
  const content = {
    deal,
    period: BigInt(m.period),
    gpuHoursAvailable: m.gpuHoursAvailable,
    gpuHoursBilled: m.gpuHoursBilled,
    revenue: m.revenue,
    reportHash: keccak256(toHex(`h100-fleet/meter-report/period-${m.period + 1}`)),
  };
  const pair = [reporters[m.period % 3], reporters[(m.period + 1) % 3]];
  const third = reporters[(m.period + 2) % 3];
  const propose = async (c: typeof content) => {
    const signatures = await Promise.all(pair.map((r) => r.signReport({ report: c })));
    return servicer.submitReport({ report: signatures[0].report, signatures });
  };

  const oracleLines: string[] = [];
  if (m.period === DISPUTED_PERIOD) {
    // The first report bills a rack twice; the third reporter's meters disagree and it disputes within the window.
    const inflated = {
      ...content,
      gpuHoursBilled: m.gpuHoursBilled + DOUBLE_COUNTED_GPU_HOURS,
      revenue: m.revenue + DOUBLE_COUNTED_GPU_HOURS * m.price,
      reportHash: keccak256(toHex(`h100-fleet/meter-report/period-${m.period + 1}/draft`)),
    };
    const wrong = await propose(inflated);
    const disputed = await third.disputeReport({
      deal,
      period: BigInt(m.period),
      reason: "rack 17 billed twice",
    });
    oracleLines.push(
      `   report proposed in round ${wrong.round}: ${int(inflated.gpuHoursBilled)} GPU-h ` +
        `billed · disputed by reporter ${third.account.address.slice(0, 8)}… ("rack 17 billed twice"): ` +
        `round ${disputed.round} is void, round ${disputed.nextRound} opens`,
    );
  }
  const proposed = await propose(content);

  // The dispute window passes; the report is final and the keeper's upkeep runs the period.
  await networkHelpers.time.increaseTo(proposed.finalAt);
  const upkeep = await keeper.performUpkeep({ deal, maxPeriods: 1 });
  statements.push(...upkeep.statements);
  bountyEarned += upkeep.bountyEarned;
  const sim = DealModel.distribute(model, terms, m, m.deposit, {
    keeper: keeper.account.address,
    equityToken: tokens[notes],
  });
  simulations.push(sim);
  model = sim.next;

  // The period's statement, rebuilt from the chain's events as `cascade deal history` does.
  const records = await keeper.periodStatements({ deal, fromBlock: created.blockNumber });
  const periods = dealHistory(records, facts).periods;
  report.period(m, periods[periods.length - 1]);
  for (const l of oracleLines) report.line(l);
  report.line(
    `   report round ${proposed.round} proposed ${date(proposed.finalAt - BigInt(terms.oracle.disputeWindow))}, ` +
      `final ${date(proposed.finalAt)} · keeper ${keeper.account.address.slice(0, 8)}… ran performUpkeep ` +
      `(${upkeep.gasUsed?.toString() ?? "?"} gas) and earned ${$(upkeep.bountyEarned)}`,
  );

  if ((m.period + 1) % 3 === 0) {
    const claims: string[] = [];
    for (const inv of quarterlyClaimers) {
      const got = await claimAll(inv);
      if (got > 0n) claims.push(`${inv.name} ${$(got)}`);
    }
    if (claims.length > 0) report.line(`   claimed: ${claims.join(" · ")}`);
  }
}

// ------------------------------------------------------------------ reconciliation

for (const inv of investors) if (inv.name !== "Insurer") await claimAll(inv);

const checks: { name: string; ok: boolean; detail: string }[] = [];
const check = (name: string, ok: boolean, detail = "") => checks.push({ name, ok, detail });
check(
  "a transfer to an unregistered wallet is refused before sending (code 9, ReceiverNotRegistered)",
  refused?.code === 9 &&
    refused.restriction === "ReceiverNotRegistered" &&
    (await seniorBalance(outsider.account.address)) === 0n,
  refused?.reason ?? "not refused",
);
check(
  "a transfer between registered investors goes through",
  insurerAfter - insurerBefore === moved,
  report.amount(moved),
);
const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const same = (a: unknown, b: unknown) =>
  JSON.stringify(a, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ===
  JSON.stringify(b, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
const stable = (account: Address) => balanceOf(admin, stablecoin, account);

// The fees the waterfall paid are credited in the deal; the trustee and the servicer withdraw them.
const trusteeFees = sum(statements.map((s) => s.trusteeFeePaid));
const servicerFees = sum(statements.map((s) => s.servicerFeePaid));
const beforeWithdrawals = await keeper.dealSnapshot({ deal });
const walletsBefore = [
  await stable(trustee.account.address),
  await stable(servicer.account.address),
];
const trusteeWithdrawal = await trustee.withdrawFees({ deal });
const servicerWithdrawal = await servicer.withdrawFees({ deal });
report.line(
  `
Fees withdrawn from the deal (withdrawFees): trustee ${$(trusteeWithdrawal.amount)} · servicer ` +
    `${$(servicerWithdrawal.amount)}`,
);

const records = await keeper.periodStatements({ deal, fromBlock: created.blockNumber });
const snapshot = await keeper.dealSnapshot({ deal });
const ledger = await keeper.trancheLedger({ deal, fromBlock: created.blockNumber });
const last = statements[statements.length - 1];

// The model against the chain, period by period.
const statementDiff = simulations.findIndex((sim, p) => !same(sim.statement, statements[p]));
check(
  "model statements = on-chain PeriodDistributed statements",
  statements.length === terms.periodCount && statementDiff === -1,
  statementDiff === -1 ? `${statements.length} periods` : `period ${statementDiff + 1} differs`,
);
const detailDiff = simulations.findIndex((sim, p) => {
  const d = sim.detail;
  const r = records[p];
  return !same(
    [
      d.rates,
      d.interestDue,
      d.interestArrears,
      d.principalDue,
      d.outstanding,
      d.trusteeFeeArrears,
      d.servicerFeeArrears,
    ],
    [
      r.rates,
      r.interestDue,
      r.interestArrears,
      r.principalDue,
      r.outstanding,
      r.trusteeFeeArrears,
      r.servicerFeeArrears,
    ],
  );
});
check("model rates, dues, arrears, outstanding = period records", detailDiff === -1);
check(
  "statements rebuilt from events = the keeper's",
  same(
    records.map((r) => r.statement),
    statements,
  ),
);
check("every statement conserves cash", statements.every(DealModel.statementBalances));

// Cash in: collections.
const cashIn = sum(statements.map((s) => s.cashIn));
check(
  "collections deposited = Σ cash distributed + carried",
  deposited === cashIn + last.collectionsCarried,
  `${wei(deposited)} = ${wei(cashIn)} + ${wei(last.collectionsCarried)}`,
);

// The statements `cascade deal history` prints: every step in order, each period and the whole run reconciled.
const history = dealHistory(records, facts);
const totals = historyTotals(history.periods);
const releaseRow = history.periods[0].rows.find((r) => r.kind === "reserveRelease");
check(
  "statements (deal history): every period pays out its cash step by step, the totals reconcile",
  history.periods.length === terms.periodCount &&
    history.periods.every((p) => p.reconciliation.balances) &&
    totals.balances &&
    totals.cashIn === cashIn &&
    totals.reserveStart === reserveFunded &&
    totals.reserveEnd === snapshot.reserve.balance,
  `${history.periods.length} periods · ${wei(totals.paid)} paid`,
);
check(
  "statements: period 1's reserve after its release is the reserve funded at close",
  releaseRow?.reserve === reserveFunded,
  report.amount(releaseRow?.reserve ?? 0n),
);

// The reserve and the deal's own balance.
const toppedUp = sum(statements.map((s) => s.reserveToppedUp));
const trapped = sum(statements.map((s) => s.reserveTrapped));
const released = sum(statements.map((s) => s.reserveReleased));
const drawn = sum(statements.map((s) => s.reserveDrawn));
check(
  "reserve funded + topped up + trapped − released − drawn = reserve",
  reserveFunded + toppedUp + trapped - released - drawn === snapshot.reserve.balance,
  `${wei(reserveFunded)} + ${wei(toppedUp)} + ${wei(trapped)} − ${wei(released)} − ${wei(drawn)} = ` +
    wei(snapshot.reserve.balance),
);
check(
  "the base deal's lock-up trapped cash and cured; it never accelerated",
  statements.some((s) => s.mode === DealStatus.CashTrap) &&
    statements.every((s) => s.mode !== DealStatus.Accelerated) &&
    statements[statements.length - 1].mode === DealStatus.Active,
  statements.map((s) => dealStatusName(s.mode)).join(" → "),
);
check(
  "before the withdrawals: deal holds reserve + undistributed collections + fees owed",
  beforeWithdrawals.stablecoinBalance ===
    beforeWithdrawals.reserve.balance +
      beforeWithdrawals.collections +
      beforeWithdrawals.feesOwed.trustee +
      beforeWithdrawals.feesOwed.servicer,
  wei(beforeWithdrawals.stablecoinBalance),
);
check(
  "after the withdrawals: no fees owed, deal holds reserve + undistributed collections",
  snapshot.feesOwed.trustee === 0n &&
    snapshot.feesOwed.servicer === 0n &&
    snapshot.stablecoinBalance === snapshot.reserve.balance + snapshot.collections,
  wei(snapshot.stablecoinBalance),
);

// Cash out: keeper bounties, fees, proceeds, tranches.
const bounties = sum(statements.map((s) => s.keeperBountyPaid));
check(
  "keeper holds Σ keeper bounties = bounty × periods",
  (await stable(keeper.account.address)) === bounties &&
    bounties === bountyEarned &&
    bounties === terms.keeperBounty * BigInt(terms.periodCount),
  wei(bounties),
);
check(
  "every period ran by the keeper, once, after its report was final",
  records.length === terms.periodCount &&
    records.every(
      (r, p) => r.keeper === keeper.account.address && r.statement.period === BigInt(p),
    ),
);
check(
  "the disputed period was distributed on its round-1 report",
  snapshot.reports[DISPUTED_PERIOD].round === 1 &&
    snapshot.reports.every((r) => r.stateName === "Final") &&
    snapshot.missedReports === 0n,
  `period ${DISPUTED_PERIOD + 1}: ${int(snapshot.reports[DISPUTED_PERIOD].gpuHoursBilled)} GPU-h billed`,
);
check(
  "deal owed the trustee Σ trustee fees; the trustee withdrew them and holds them",
  beforeWithdrawals.feesOwed.trustee === trusteeFees &&
    trusteeWithdrawal.trusteeFees === trusteeFees &&
    trusteeWithdrawal.servicerFees === 0n &&
    trusteeWithdrawal.amount === trusteeFees &&
    (await stable(trustee.account.address)) === walletsBefore[0] + trusteeFees &&
    walletsBefore[0] === 0n,
  wei(trusteeFees),
);
check(
  "deal owed the servicer Σ servicer fees; the servicer withdrew them and holds them",
  beforeWithdrawals.feesOwed.servicer === servicerFees &&
    servicerWithdrawal.servicerFees === servicerFees &&
    servicerWithdrawal.trusteeFees === 0n &&
    servicerWithdrawal.amount === servicerFees &&
    (await stable(servicer.account.address)) === walletsBefore[1] + servicerFees &&
    walletsBefore[1] === 0n,
  wei(servicerFees),
);
check(
  "issuer holds the offering proceeds",
  (await stable(issuer.account.address)) === proceeds,
  wei(proceeds),
);
for (const e of ledger) {
  // Accruals round down: each distribution can leave under one base unit per holder in the token.
  const bound = BigInt(e.holders.length * statements.length);
  check(
    `${symbols[e.index]}: paid = claimed + claimable + dust`,
    e.balanced && e.paid === e.claimed + e.claimable + e.dust && e.dust <= bound,
    `${wei(e.paid)} = ${wei(e.claimed)} + ${wei(e.claimable)} + ${wei(e.dust)}`,
  );
}
check(
  "Σ claimed by investors = Σ Claimed events",
  sum(investors.map((i) => i.claimed)) === sum(ledger.map((e) => e.claimed)),
);
for (const inv of investors) {
  const balance = await stable(inv.wallet.account.address);
  check(
    `${inv.name}: wallet = minted − requested + refunded + claimed`,
    balance === inv.minted - inv.requested + inv.refunded + inv.claimed,
    wei(balance),
  );
}
const supply = await readContract(publicClient, {
  address: stablecoin,
  abi: mockStablecoinAbi,
  functionName: "totalSupply",
});
const parties: Address[] = [
  deal,
  issuer.account.address,
  servicer.account.address,
  trustee.account.address,
  keeper.account.address,
  ...tokens,
  ...offerings,
  ...investors.map((i) => i.wallet.account.address),
];
check(
  "stablecoin supply = Σ balances of every party",
  supply === sum(await Promise.all(parties.map(stable))),
  wei(supply),
);
check(
  "deal Repaid, every note factor 0",
  snapshot.status === DealStatus.Repaid &&
    snapshot.tranches.slice(0, notes).every((t) => t.factor === 0n),
  snapshot.statusName,
);

report.line(
  `\nReconciliation · deal ${snapshot.statusName} at ${date(snapshot.finalMaturity)} · exact base units of the ` +
    `${DECIMALS}-decimals stablecoin`,
);
report.table([
  ["tranche", "paid by the waterfall", "claimed", "claimable", "dust", "factor"],
  ...ledger.map((e) => [
    symbols[e.index],
    wei(e.paid),
    wei(e.claimed),
    wei(e.claimable),
    wei(e.dust),
    e.index < notes ? factor(snapshot.tranches[e.index].factor) : "—",
  ]),
]);
report.table(
  [
    ["collections deposited", wei(deposited), $(deposited)],
    ["cash distributed", wei(cashIn), $(cashIn)],
    ["carried after maturity", wei(last.collectionsCarried), $(last.collectionsCarried)],
    ["keeper bounties", wei(bounties), $(bounties)],
    ["trustee fees (withdrawn)", wei(trusteeFees), $(trusteeFees)],
    ["servicer fees (withdrawn)", wei(servicerFees), $(servicerFees)],
    ["reserve funded at close", wei(reserveFunded), $(reserveFunded)],
    [
      "reserve topped up / trapped / released",
      `${wei(toppedUp)} / ${wei(trapped)} / ${wei(released)}`,
      "",
    ],
    ["issuer proceeds", wei(proceeds), $(proceeds)],
  ],
  ["l", "r", "r"],
);

report.line(
  `\nStatements' totals, periods ${totals.from}–${totals.to} (as \`cascade deal history\` prints them)`,
);
report.line(text.totals(totals));

// ------------------------------------------------------------------ the stressed deal

report.line(
  "\n════════ Stressed deal: the index falls 40 % a year, utilization collapses mid-life ════════",
);
const feed = (
  await admin.deployPriceIndexFeed({
    decimals: 8,
    description: "H100 SXM rental price index, USD per GPU-hour",
  })
).feed;
const now = (await getBlock(publicClient)).timestamp;
const stressedSheet = parseTermSheet(
  JSON.parse(readFileSync(new URL("../examples/h100-stressed.json", import.meta.url), "utf8")),
  {
    now,
    addresses: {
      stablecoin,
      issuer: issuer.account.address,
      servicer: servicer.account.address,
      trustee: trustee.account.address,
      guardian: guardian.account.address,
      reporter0: reporter0.account.address,
      reporter1: reporter1.account.address,
      reporter2: reporter2.account.address,
      priceFeed: feed,
    },
  },
);
const st = stressedSheet.terms;
// The index at acquisition is published before the deal starts.
await admin.publishPriceIndex({ feed, answer: stressedIndex(0), updatedAt: now });
const stressed = await issuer.createDeal({ factory: protocol.factory, terms: st });
const stressedReport = new Report(st, DECIMALS);
stressedReport.termSheet(stressedSheet.name, stressed.tokens);
stressedReport.line(
  `  price feed ${feed} (8 decimals, answers older than ${st.risk.priceFeed.maxStaleness / 3_600} h refused) · ` +
    `fleet ${st.risk.fleet.length} entry, ${int(st.risk.fleet[0].count)} GPUs · trailing DSCR over ` +
    `${st.risk.trailingPeriods} periods · turbo ${st.risk.turbo ? "on" : "off"}`,
);
for (const [i, t] of st.risk.triggers.entries())
  stressedReport.line(`  covenant #${i}: ${describeCovenant(t)}`);

await networkHelpers.time.increaseTo(st.offeringOpensAt);
const stressedBuyers = [wallets[15], wallets[16], wallets[17]];
for (const [t, offering] of stressed.offerings.entries()) {
  const buyer = stressedBuyers[t % stressedBuyers.length];
  const face = st.tranches[t].faceAmount;
  await mint(admin, stablecoin, buyer.account.address, face);
  await buyer.subscribe({ offering, assets: face });
}
await networkHelpers.time.increaseTo(st.offeringClosesAt);
const stressedIssued: bigint[] = [];
for (const offering of stressed.offerings)
  stressedIssued.push((await keeper.closeOffering({ offering })).accepted);
const stressedFacts = statementFacts(
  st,
  stressedIssued,
  stressed.tokens[stressed.tokens.length - 1],
);
const stressedText = stressedReport.statements(stressedFacts);

let stressedModel: DealModelState = DealModel.initialDealState(st, stressedIssued);
const stressedStatements: PeriodStatement[] = [];
const stressedSims: PeriodSimulation[] = [];
const stressedStatuses: number[] = [];
const stressedRows = [
  [
    "period",
    "U",
    "index",
    "ran in",
    "status",
    "DSCR",
    "trailing",
    "LTV",
    "senior curve",
    "collateral",
  ],
];
for (const m of stressedScenario(st.pledgedShareBps)) {
  await mint(admin, stablecoin, servicer.account.address, m.deposit);
  await servicer.depositCollections({ deal: stressed.deal, amount: m.deposit });
  const end = st.start + BigInt((m.period + 1) * st.periodLength);
  await networkHelpers.time.increaseTo(end);
  // The index of the period, observed at its end; every reporter signs (utilization moves more than 25 points).
  await admin.publishPriceIndex({ feed, answer: stressedIndex(m.period), updatedAt: end });
  const content = {
    deal: stressed.deal,
    period: BigInt(m.period),
    gpuHoursAvailable: m.gpuHoursAvailable,
    gpuHoursBilled: m.gpuHoursBilled,
    revenue: m.revenue,
    reportHash: keccak256(toHex(`h100-stressed/meter-report/period-${m.period + 1}`)),
  };
  const signatures = await Promise.all(reporters.map((r) => r.signReport({ report: content })));
  const proposed = await servicer.submitReport({ report: signatures[0].report, signatures });
  await networkHelpers.time.increaseTo(proposed.finalAt);
  const upkeep = await keeper.performUpkeep({ deal: stressed.deal, maxPeriods: 1 });
  const block = await getBlock(publicClient);
  const sim = DealModel.distribute(stressedModel, st, m, m.deposit, {
    index: { answer: stressedIndex(m.period), updatedAt: end, blockTimestamp: block.timestamp },
    keeper: keeper.account.address,
    equityToken: stressed.tokens[stressed.tokens.length - 1],
  });
  stressedModel = sim.next;
  stressedSims.push(sim);
  stressedStatements.push(...upkeep.statements);
  const status = await readContract(publicClient, {
    address: stressed.deal,
    abi: dealAbi,
    functionName: "status",
  });
  stressedStatuses.push(status);
  const recs = await keeper.periodStatements({
    deal: stressed.deal,
    fromBlock: stressed.blockNumber,
  });
  const views = dealHistory(recs, stressedFacts).periods;
  stressedReport.period(m, views[views.length - 1]);
  const mt = upkeep.statements[0].metrics;
  const metric = (k: number, v: bigint) => stressedText.metric(k, v);
  stressedRows.push([
    String(m.period + 1),
    metric(RiskMetric.Utilization, mt.utilization),
    `$${(Number(stressedIndex(m.period)) / 1e8).toFixed(2)}`,
    dealStatusName(upkeep.statements[0].mode),
    dealStatusName(status),
    metric(RiskMetric.Dscr, mt.dscr),
    metric(RiskMetric.TrailingDscr, mt.trailingDscr),
    metric(RiskMetric.Ltv, mt.ltv),
    metric(RiskMetric.SeniorCurve, mt.seniorCurve),
    stressedReport.usd(mt.collateralValue),
  ]);
}
stressedReport.line("\nStressed deal, period by period (metrics measured before each waterfall)");
stressedReport.table(stressedRows);

const stressedSnapshot = await keeper.dealSnapshot({ deal: stressed.deal });
const stressedRecords = await keeper.periodStatements({
  deal: stressed.deal,
  fromBlock: stressed.blockNumber,
});
const writtenOff = stressedRecords[stressedRecords.length - 1].writeDowns;
stressedReport.line(
  `\nAt maturity the deal is ${stressedSnapshot.statusName}; written off (equity first): ` +
    writtenOff
      .map((w) => `${st.tranches[w.tranche].symbol} ${stressedReport.usd(w.amount)}`)
      .join(" · "),
);

// After the default the issuer sells the fleet at its index-marked value; the proceeds are recovered top-down.
const saleAt = (await getBlock(publicClient)).timestamp + 1n;
const saleValue = RiskEngineModel.fleetValue(
  stressedModel.risk.fleet,
  saleAt,
  stressedIndex(st.periodCount - 1),
);
await mint(admin, stablecoin, issuer.account.address, saleValue);
const sale = await issuer.retireFleetEntry({
  deal: stressed.deal,
  id: 0n,
  units: BigInt(st.risk.fleet[0].count),
  proceeds: saleValue,
});
const recovered = DealModel.depositRecoveries(stressedModel, saleValue);
stressedModel = recovered.next;
stressedReport.line(
  `Fleet sold for ${stressedReport.usd(saleValue)}: ` +
    sale.applied
      .map(
        (a) =>
          `${st.tranches[a.tranche].symbol} +${stressedReport.usd(a.recovered + a.principal + a.interest)}`,
      )
      .join(" · ") +
    (sale.left > 0n ? ` · rest ${stressedReport.usd(sale.left)} to equity` : ""),
);

const afterSale = await keeper.dealSnapshot({ deal: stressed.deal });
// Losses net of the recoveries: written off at maturity, what the sale repaid since, what is still lost.
const stressedHistory = dealHistory(stressedRecords, {
  ...stressedFacts,
  current: afterSale.tranches,
});
const stressedReason = statusReason(afterSale.status, 0n, stressedHistory, stressedFacts);
stressedReport.line(`${stressedText.reason(stressedReason)}`);
for (const l of stressedText.losses(stressedHistory)) stressedReport.line(l);
const firstOf = (mode: number) => stressedStatements.findIndex((s) => s.mode === mode);
const seniorCurveTrigger = st.risk.triggers.findIndex((t) => t.metric === 4);
const seniorCurveFired = stressedRecords.findIndex((r) =>
  r.fired.some((f) => f.trigger === seniorCurveTrigger),
);
check(
  "stressed: model statements (modes, metrics, trapped cash) = on-chain statements",
  stressedStatements.length === st.periodCount &&
    stressedSims.every((sim, p) => same(sim.statement, stressedStatements[p])),
  `${stressedStatements.length} periods`,
);
check(
  "stressed: every statement conserves cash",
  stressedStatements.every(DealModel.statementBalances),
);
check(
  "stressed: the deal's status after every period = the model's",
  same(
    stressedStatuses,
    stressedSims.map((sim) => sim.next.status),
  ),
  stressedStatuses.map((x) => dealStatusName(x)).join(" → "),
);
check(
  "stressed: Active → CashTrap → Accelerated, the senior-curve covenant firing before any senior loss",
  firstOf(DealStatus.Active) === 0 &&
    firstOf(DealStatus.CashTrap) > 0 &&
    firstOf(DealStatus.Accelerated) > firstOf(DealStatus.CashTrap) &&
    seniorCurveFired >= 0 &&
    seniorCurveFired < st.periodCount - 1 &&
    stressedRecords.slice(0, -1).every((r) => r.writeDowns.length === 0),
  `cash trap from period ${firstOf(DealStatus.CashTrap) + 1}, accelerated from period ` +
    `${firstOf(DealStatus.Accelerated) + 1}, senior curve fired at period ${seniorCurveFired + 1}`,
);
check(
  "stressed: Defaulted at maturity, the unpaid principal written off as the model says",
  stressedSnapshot.status === DealStatus.Defaulted &&
    same(
      stressedSnapshot.tranches.map((t) => [t.outstanding, t.arrears, t.writtenDown]),
      stressedSims[stressedSims.length - 1].next.tranches.map((t) => [
        t.outstanding,
        t.arrears,
        t.writtenDown,
      ]),
    ),
);
check(
  "stressed: fleet-sale recoveries applied top-down as the model says",
  same(
    sale.applied.map((a) => [a.tranche, a.principal, a.recovered, a.interest]),
    recovered.allocations.map((a) => [a.tranche, a.principal, a.recovered, a.interest]),
  ) &&
    sale.left === recovered.left &&
    same(
      afterSale.tranches.map((t) => [t.outstanding, t.arrears, t.writtenDown]),
      stressedModel.tranches.map((t) => [t.outstanding, t.arrears, t.writtenDown]),
    ),
  `${wei(saleValue)} recovered`,
);
check(
  "stressed: statements (deal history) reconcile; deferred subordinate interest and net losses match the chain",
  stressedHistory.periods.every((p) => p.reconciliation.balances) &&
    historyTotals(stressedHistory.periods).balances &&
    stressedHistory.periods.some((p) => p.rows.some((r) => r.deferred)) &&
    same(
      stressedHistory.losses?.map((l) => [l.recoveredAfterDefault, l.interestRecovered]),
      Array.from({ length: st.tranches.length - 1 }, (_, i) => {
        const a = sale.applied.find((x) => x.tranche === i);
        return [a?.recovered ?? 0n, a?.interest ?? 0n];
      }),
    ) &&
    same(
      stressedHistory.losses?.map((l) => [l.netPrincipalLoss, l.interestUnpaid]),
      afterSale.tranches.slice(0, -1).map((t) => [t.writtenDown, t.arrears]),
    ),
  (stressedHistory.losses ?? [])
    .map(
      (l) => `${st.tranches[l.tranche].symbol} net ${wei(l.netPrincipalLoss + l.interestUnpaid)}`,
    )
    .join(" · "),
);
check(
  "stressed: the deal holds reserve + collections + the fees it owes, and the keeper earned every bounty",
  afterSale.feesOwed.trustee === sum(stressedStatements.map((s) => s.trusteeFeePaid)) &&
    afterSale.feesOwed.servicer === sum(stressedStatements.map((s) => s.servicerFeePaid)) &&
    afterSale.stablecoinBalance ===
      afterSale.reserve.balance +
        afterSale.collections +
        afterSale.feesOwed.trustee +
        afterSale.feesOwed.servicer &&
    sum(stressedStatements.map((s) => s.keeperBountyPaid)) ===
      st.keeperBounty * BigInt(st.periodCount),
  `fees owed ${wei(afterSale.feesOwed.trustee)} + ${wei(afterSale.feesOwed.servicer)}`,
);

// ------------------------------------------------------------------ the data-center campus and its GPU tenants

await runCampus({
  connection,
  protocol,
  stablecoin,
  decimals: DECIMALS,
  investorRegistry,
  admin,
  trustee,
  guardian,
  keeper,
  complianceAgent,
  reporters,
  check,
});

// ------------------------------------------------------------------ stress: both example deals before issuance

report.line("\n== Stress: the example term sheets under the default scenario (docs/stress.md) ==");
for (const file of ["h100-fleet", "campus-10mw"]) {
  const deal = stressDealFromTermSheet(
    JSON.parse(readFileSync(new URL(`../examples/${file}.json`, import.meta.url), "utf8")),
  );
  const analysis = await analyzeStress(deal, DEFAULT_SCENARIO, { paths: 300, seed: 1, workers: 1 });
  report.line(stressSummary(analysis));
  // The Monte Carlo's fast path against the exact model on the first paths of the run.
  const setup = prepareStress(deal, DEFAULT_SCENARIO);
  const fast = new FastPath(setup);
  const market = newMarketPath(setup.periods);
  let maxDiff = 0;
  for (let p = 0; p < 20; p++) {
    sampleMarket(setup, Rng.forPath(1, p), market);
    const exact = runExact(setup, market).trace;
    const quick = fast.run(market);
    for (const key of ["notePaid", "noteOutstanding", "classCash"] as const)
      exact[key].forEach((x, k) => (maxDiff = Math.max(maxDiff, Math.abs(x - quick[key][k]))));
  }
  check(
    `stress ${file}: the fast path equals the exact model within a cent on 20 paths`,
    maxDiff <= 10_000,
    `max difference ${maxDiff} base units`,
  );
  report.line();
}

report.line();
for (const c of checks)
  report.line(`  ${c.ok ? "ok  " : "FAIL"} ${c.name}${c.detail ? `  (${c.detail})` : ""}`);

const failed = checks.filter((c) => !c.ok);
report.line(`\n${checks.length} checks · ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failed.length > 0) {
  report.line(`NOT reconciled: ${failed.length} check(s) failed`);
  process.exitCode = 1;
} else {
  report.line("reconciled to the wei");
}
