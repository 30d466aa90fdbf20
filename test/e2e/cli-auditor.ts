/**
 * The auditor's job from a terminal, end to end against anvil: `cascade deploy --mock-stablecoin`, a short deal with a
 * DSCR lock-up created with `cascade deal create`, its offerings filled through the SDK, three periods reported with
 * `cascade report sign` / `submit` and run by `cascade keeper run --once` (anvil's clock moved with evm_increaseTime
 * and evm_mine). Then `cascade deal history --csv FILE --json`: the CSV's columns sum to the chain's statements (read
 * with the SDK) to the base unit, its JSON carries each human amount beside its raw base units and agrees with them;
 * `--from/--to` select periods and a bad range is refused with its exact message; `cascade deal show` says why the
 * deal is in its cash trap. Skipped when the anvil binary is not installed.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { keccak256, parseUnits, toHex, type Address } from "viem";

import { chainFor } from "../../cli/lib/clients.js";
import { devnetClients, mintDemo, shortDealJson } from "../../cli/lib/devnet.js";
import { dealAbi, exactRatio, type PeriodStatement, type TermSheetJson } from "../../sdk/index.js";
import { addressOf, CliSession, expectRawBeside, type DevRole } from "./harness.js";

/** GPU-hours available in a one-hour period of the devnet fleet (2,048 GPUs). */
const AVAILABLE = 2_048n;
/** Billed GPU-hours and revenue (whole dollars) per period: two healthy periods, then one that trips the lock-up. */
const PERIODS = [
  { billed: 1_800n, revenue: "2700" },
  { billed: 1_750n, revenue: "2625" },
  { billed: 1_400n, revenue: "1540" },
];
const PERIOD_LENGTH = 3_600;

describe("cascade CLI: an auditor's history and exports against anvil", function () {
  // About twenty `cascade` processes, most side by side: under a minute on an idle machine. A bound against a hang.
  this.timeout(300_000);
  const session = new CliSession();

  before(async function () {
    if (!(await session.start())) this.skip();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(session.tail(12));
  });

  after(() => session.stop());

  /** A JSON-RPC call to anvil. */
  async function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    const res = await fetch(session.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
    const body = (await res.json()) as { result: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  }

  /** Moves anvil's clock to at least `timestamp` and mines a block. */
  async function warpTo(timestamp: bigint): Promise<void> {
    const block = await rpc<{ timestamp: string }>("eth_getBlockByNumber", ["latest", false]);
    const now = BigInt(block.timestamp);
    if (timestamp > now) await rpc("evm_increaseTime", [Number(timestamp - now)]);
    await rpc("evm_mine");
  }

  it("exports every period statement, reconciled to the chain, and says why the deal is trapped", async () => {
    const ok = <T = Record<string, unknown>>(args: string[], role?: DevRole) =>
      session.ok<T>(args, role);

    // ------------------------------------------------------------ the protocol and a short deal with a lock-up
    await ok(["deploy", "--mock-stablecoin"], "admin");
    const sheet: TermSheetJson = {
      ...shortDealJson({
        name: "Audit",
        periodLength: PERIOD_LENGTH,
        periodCount: 6,
        disputeWindow: 60,
        reportDeadline: 86_400,
      }),
      risk: {
        triggers: [
          { metric: "dscr", below: "1.50", periods: 1, effect: "cashTrap", cures: true },
          { metric: "utilization", belowPct: 50, periods: 2, effect: "cashTrap", cures: true },
        ],
      },
    } as TermSheetJson;
    const file = join(session.dir, "audit.json");
    await writeFile(file, JSON.stringify(sheet));
    const roles = (
      ["servicer", "trustee", "guardian", "reporter0", "reporter1", "reporter2"] as const
    ).flatMap((r) => ["--address", `${r}=${addressOf(r)}`]);
    const created = await ok<{ deal: Address; stablecoin: Address }>(
      ["deal", "create", file, "--name", "audit", ...roles],
      "issuer",
    );

    // While the offerings are open, `deal show` gives their progress against minimum raise and cap.
    const chain = chainFor(session.url, 31_337);
    const c = devnetClients(session.url, chain);
    const { offerings: offeringAddresses, terms } = await (async () => {
      const start = await c.publicClient.readContract({
        address: created.deal,
        abi: dealAbi,
        functionName: "start",
      });
      const offerings: Address[] = [];
      for (let i = 0n; i < 3n; i++) {
        const [, offering] = await c.publicClient.readContract({
          address: created.deal,
          abi: dealAbi,
          functionName: "trancheContracts",
          args: [i],
        });
        offerings.push(offering);
      }
      return { offerings, terms: { start } };
    })();
    const faces = [6_000n, 2_000n, 2_000n].map((x) => x * 10n ** 6n);
    await mintDemo(
      c.admin,
      created.stablecoin,
      c.investor.account.address,
      faces[0] + faces[1] + faces[2],
    );
    // The offerings open ten seconds after creation.
    await warpTo((await c.publicClient.getBlock()).timestamp + 15n);
    await c.investor.subscribe({ offering: offeringAddresses[0], assets: faces[0] });
    const offeringShown = await ok<{
      statusName: string;
      statusReason: { cause: string; text: string };
      offerings: {
        symbol: string;
        phase: string;
        requested: string;
        minRaise: string;
        cap: string;
        human: { requested: string };
      }[];
    }>(["deal", "show", "audit"]);
    expect(offeringShown.statusName).to.equal("Offering");
    expect(offeringShown.statusReason.cause).to.equal("offering");
    expect(
      offeringShown.offerings.map((o) => [
        o.symbol,
        o.phase,
        o.requested,
        o.human.requested,
        o.cap,
      ]),
    ).to.deep.equal([
      ["SR", "open", "6000000000", "6000", "6000000000"],
      ["MZ", "open", "0", "0", "2000000000"],
      ["EQ", "open", "0", "0", "2000000000"],
    ]);
    await c.investor.subscribe({ offering: offeringAddresses[1], assets: faces[1] });
    await c.investor.subscribe({ offering: offeringAddresses[2], assets: faces[2] });
    await warpTo(terms.start);
    for (const offering of offeringAddresses) await c.investor.closeOffering({ offering });

    // ------------------------------------------------------------ three periods: collections, reports, keeper
    const pledged = PERIODS.map((p) => (parseUnits(p.revenue, 6) * 8_500n) / 10_000n);
    const deposit = pledged.reduce((a, b) => a + b, 0n);
    await mintDemo(c.admin, created.stablecoin, c.servicer.account.address, deposit);
    await c.servicer.depositCollections({ deal: created.deal, amount: deposit });
    await warpTo(terms.start + BigInt(PERIODS.length * PERIOD_LENGTH));
    const sig = (p: number, r: number) => join(session.dir, `sig-${p}-${r}.json`);
    await Promise.all(
      PERIODS.flatMap((p, period) =>
        (["reporter0", "reporter1"] as const).map((reporter, r) =>
          ok(
            [
              "report",
              "sign",
              "audit",
              "--period",
              String(period),
              "--gpu-hours-available",
              String(AVAILABLE),
              "--gpu-hours-billed",
              String(p.billed),
              "--revenue",
              p.revenue,
              "--report-hash",
              keccak256(toHex(`audit meter export, period ${period}`)),
              "--out",
              sig(period, r),
            ],
            reporter,
          ),
        ),
      ),
    );
    // Anyone submits. Two waves of two submitters side by side: a report's gas depends on its neighbours' reports
    // (the utilization-step bound), so neighbours are not estimated and mined at the same time.
    const submitters: DevRole[] = ["servicer", "admin", "issuer"];
    for (const wave of [[0, 2], [1]])
      await Promise.all(
        wave.map((period) =>
          ok(["report", "submit", sig(period, 0), sig(period, 1)], submitters[period]),
        ),
      );
    await warpTo((await c.publicClient.getBlock()).timestamp + 61n);
    const kept = await ok<{ periods: string[] }[]>(["keeper", "run", "--once"], "keeper");
    expect(kept[0].periods).to.deep.equal(["0", "1", "2"]);

    // ------------------------------------------------------------ the auditor
    const csvFile = join(session.dir, "history.csv");
    const bad = (args: string[]) =>
      session.fails(["deal", "history", "audit", ...args], undefined, 2);
    const [history, shown, shownText, part, ...refusals] = await Promise.all([
      ok<HistoryJson>(["deal", "history", "audit", "--csv", csvFile]),
      ok<ShowJson>(["deal", "show", "audit"]),
      session.cascade(["deal", "show", "audit"]),
      session.cascade(["deal", "history", "audit", "--from", "2", "--to", "3"]),
      bad(["--from", "0"]),
      bad(["--to", "x"]),
      bad(["--from", "3", "--to", "2"]),
      bad(["--to", "7"]),
      bad(["--from", "4"]),
    ]);
    expect(refusals).to.deep.equal([
      'cascade: --from: "0" is not a period number (periods are numbered from 1)',
      'cascade: --to: "x" is not a period number (periods are numbered from 1)',
      "cascade: --from 3 is after --to 2",
      'cascade: --to 7: deal "audit" has 6 periods',
      'cascade: --from 4: periods 1–3 of deal "audit" have been distributed so far',
    ]);

    // The chain's statements, read with the SDK.
    const records = await c.keeper.periodStatements({ deal: created.deal });
    const statements: PeriodStatement[] = records.map((r) => r.statement);
    expect(statements).to.have.length(3);
    const sum = (f: (s: PeriodStatement) => bigint) => statements.reduce((a, s) => a + f(s), 0n);

    // CSV: a header, one row per period; every amount column sums to the chain's statements to the base unit.
    const csv = (await readFile(csvFile, "utf8")).trimEnd().split("\n");
    const header = csv[0].split(",");
    const rows = csv.slice(1).map((l) => l.split(","));
    expect(rows).to.have.length(3);
    const column = (name: string) => {
      const i = header.indexOf(name);
      expect(i, `CSV column ${name}`).to.be.gte(0);
      return rows.map((r) => r[i]);
    };
    const total = (name: string) => column(name).reduce((a, v) => a + parseUnits(v, 6), 0n);
    expect(column("period")).to.deep.equal(["1", "2", "3"]);
    expect(column("mode")).to.deep.equal(["Active", "Active", "CashTrap"]);
    expect(column("status_after")).to.deep.equal(["Active", "Active", "CashTrap"]);
    expect(column("balances")).to.deep.equal(["true", "true", "true"]);
    const checks: [string, bigint][] = [
      ["cash_in", sum((s) => s.cashIn)],
      ["recoveries_applied", sum((s) => s.recoveriesApplied)],
      ["reserve_released", sum((s) => s.reserveReleased)],
      ["reserve_drawn", sum((s) => s.reserveDrawn)],
      ["keeper_bounty_paid", sum((s) => s.keeperBountyPaid)],
      ["trustee_fee_paid", sum((s) => s.trusteeFeePaid)],
      ["servicer_fee_paid", sum((s) => s.servicerFeePaid)],
      ["reserve_topped_up", sum((s) => s.reserveToppedUp)],
      ["reserve_trapped", sum((s) => s.reserveTrapped)],
      ["residual_paid", sum((s) => s.residualPaid)],
      ...(["SR", "MZ"] as const).flatMap((sym, i): [string, bigint][] => [
        [`interest_paid_${sym}`, sum((s) => s.interestPaid[i])],
        [`principal_paid_${sym}`, sum((s) => s.principalPaid[i])],
      ]),
    ];
    for (const [name, expected] of checks) expect(total(name), name).to.equal(expected);
    expect(total("inflow_total")).to.equal(total("paid_total"));
    expect(sum((s) => s.reserveTrapped) > 0n).to.equal(true);
    expect(column("dscr").map((v) => Number(v) < 1.5)).to.deep.equal([false, false, true]);
    expect(column("triggers_fired")[2]).to.match(/^#0 DSCR < 1\.50× at 1\.\d+$/);

    // JSON: every human amount is its raw base units in whole units; totals equal the chain's.
    expect(history.periods.map((p) => p.period)).to.deep.equal([1, 2, 3]);
    const pairs = expectRawBeside(history);
    expect(pairs).to.be.greaterThan(200);
    expect(BigInt(history.totals.paidRaw)).to.equal(
      sum((s) => s.cashIn + s.recoveriesApplied + s.reserveReleased + s.reserveDrawn),
    );
    expect(history.totals.balances).to.equal(true);
    const p3 = history.periods[2];
    expect([p3.statusBefore, p3.statusAfter, p3.mode]).to.deep.equal([
      "Active",
      "CashTrap",
      "CashTrap",
    ]);
    expect(p3.steps.map((s) => s.step)).to.deep.equal([
      "collections",
      "reserveRelease",
      "keeperBounty",
      "trusteeFee",
      "servicerFee",
      "interest",
      "reserveDraw",
      "interest",
      "reserveTopUp",
      "principal",
      "principal",
      "cashTrapped",
      "residual",
    ]);
    expect(p3.steps.at(-1)?.cashLeftRaw).to.equal("0");
    expect(p3.fired.map((f) => f.trigger)).to.deep.equal([0]);

    // The text table of periods 2–3 and its totals.
    expect(part.code).to.equal(0);
    expect(part.stdout).to.include("── Period 2/6").and.to.include("── Period 3/6");
    expect(part.stdout).not.to.include("── Period 1/6");
    expect(part.stdout)
      .to.include("Totals of periods 2–3")
      .and.to.include("cash trapped in the reserve");

    // `deal show` says why the deal is trapped, with the trigger's value by the printing rule.
    const dscr3 = history.periods[2].metrics.dscrRaw;
    const printed = `${(BigInt(dscr3) / 10n ** 16n / 100n).toString()}.${(
      (BigInt(dscr3) / 10n ** 16n) %
      100n
    )
      .toString()
      .padStart(2, "0")}×`;
    expect(shown.statusName).to.equal("CashTrap");
    expect(shown.statusReason.text).to.equal(
      `CashTrap since period 3: trigger #0 DSCR < 1.50× fired at ${printed} (period 3)`,
    );
    expect(shown.risk.activeTriggerList).to.deep.equal([0]);
    expect(shown.lastStatement.metrics.activeTriggerList).to.deep.equal([0]);
    expect(shown.human.lastPeriod.period).to.equal(3);
    expect(shown.human.lastPeriod.dscr).to.equal(exactRatio(BigInt(shown.metrics.lastPeriod.dscr)));
    expect(shownText.code).to.equal(0);
    expect(shownText.stdout).to.include(
      `CashTrap since period 3: trigger #0 DSCR < 1.50× fired at ${printed}`,
    );
    expect(shownText.stdout).to.match(/period 3: DSCR \d+\.\d\d× · trailing DSCR/);
  });
});

interface HistoryJson {
  periods: {
    period: number;
    mode: string;
    statusBefore: string;
    statusAfter: string;
    steps: { step: string; cashLeftRaw: string }[];
    fired: { trigger: number }[];
    metrics: { dscrRaw: string };
  }[];
  totals: { paidRaw: string; balances: boolean };
}

interface ShowJson {
  statusName: string;
  statusReason: { text: string };
  risk: { activeTriggerList: number[] };
  lastStatement: { metrics: { activeTriggerList: number[] } };
  metrics: { lastPeriod: { dscr: string } };
  human: { lastPeriod: { period: number; dscr: string } };
}
