/**
 * The `cascade` CLI end to end, as a user drives it: every command a child process (`node cli/cascade.js … --rpc-url
 * … --json`) against anvil on a free loopback port, keys in environment variables, the address book in a temporary
 * directory. It deploys the protocol (twice: the second run finds it and sends nothing), creates the deal of
 * examples/h100-fleet.json, onboards investors, subscribes every tranche, closes the offerings, claims the tokens,
 * deposits collections, signs (two reporters) and submits period 0's report, keeps the deal, lets the trustee and the
 * servicer withdraw their fees, claims the coupons and shows the deal. On the way it checks the failures a user meets: a bad term sheet (every problem listed), a ticket
 * below the minimum (the decoded custom error, one line), closing an offering too early, an unknown network.
 * Skipped when the anvil binary is not installed.
 */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { keccak256, toHex } from "viem";

import { addressOf, CLI, CliSession, key, ROOT, type DevRole, type Run } from "./harness.js";

describe("cascade CLI end to end against anvil", function () {
  // About sixty `cascade` processes, each starting Node and the SDK: a minute on an idle machine, several on a busy
  // one. A bound against a hang, not a speed check.
  this.timeout(360_000);
  const session = new CliSession();
  let dir: string;
  const cascade = (args: string[], role?: DevRole) => session.cascade(args, role);
  const ok = <T = Record<string, unknown>>(args: string[], role?: DevRole) =>
    session.ok<T>(args, role);

  before(async function () {
    if (!(await session.start())) this.skip();
    dir = session.dir;
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(session.tail());
  });

  after(() => session.stop());

  it("runs a deal from deployment to its first coupon, and explains every failure in one line", async () => {
    // ------------------------------------------------------------ usage errors need no node (and no --rpc-url)
    const noNetwork = await new Promise<Run>((resolve) => {
      const child = spawn(process.execPath, [CLI, "deal", "list", "--network", "nowhere"], {
        cwd: ROOT,
        env: { ...process.env, CASCADE_RPC_URL: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout?.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      child.stderr?.setEncoding("utf8").on("data", (c: string) => (stderr += c));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(noNetwork.code).to.equal(2);
    expect(noNetwork.stderr.trim()).to.match(
      /^cascade: unknown network "nowhere" \(known: localhost, sepolia, base-sepolia/,
    );

    // ------------------------------------------------------------ deploy, idempotently
    const deployed = await ok<{
      protocol: { factory: string; investorRegistry: string };
      stablecoin: string;
      actions: string[];
    }>(["deploy", "--mock-stablecoin"], "admin");
    expect(deployed.actions).to.deep.equal(["protocol deployed", "demo stablecoin deployed"]);
    const again = await ok<typeof deployed>(["deploy", "--mock-stablecoin"], "admin");
    expect(again.actions).to.deep.equal([
      "protocol already deployed (code found at every recorded address)",
      "demo stablecoin already deployed",
    ]);
    expect(again.protocol).to.deep.equal(deployed.protocol);
    const book = JSON.parse(await readFile(join(dir, "31337.json"), "utf8")) as typeof deployed;
    expect(book.protocol.factory).to.equal(deployed.protocol.factory);

    // ------------------------------------------------------------ a bad term sheet: every problem, nothing sent
    const sheet = JSON.parse(
      await readFile(join(ROOT, "examples/h100-fleet.json"), "utf8"),
    ) as Record<string, unknown> & {
      oracle: Record<string, unknown>;
      tranches: Record<string, unknown>[];
    };
    const bad = structuredClone(sheet);
    bad.periodCount = 0;
    bad.oracle.threshold = 5;
    bad.tranches[0].face = "lots";
    const badFile = join(dir, "bad.json");
    await writeFile(badFile, JSON.stringify(bad));
    const roles = [
      "servicer=" + addressOf("servicer"),
      "trustee=" + addressOf("trustee"),
      "guardian=" + addressOf("guardian"),
      "reporter0=" + addressOf("reporter0"),
      "reporter1=" + addressOf("reporter1"),
      "reporter2=" + addressOf("reporter2"),
    ].flatMap((a) => ["--address", a]);
    const [rejected, rejectedJson] = await Promise.all([
      cascade(["deal", "create", badFile, ...roles], "issuer"),
      cascade(["deal", "create", badFile, ...roles, "--json"], "issuer"),
    ]);
    expect(rejected.code).to.equal(1);
    expect(rejected.stderr).to.match(/^cascade: invalid term sheet \(\d+ problems\):/);
    // One line per problem, each naming its field (the exact path spelling is the parser's business).
    const problems = rejected.stderr.split("\n").filter((l) => l.startsWith("  - "));
    expect(problems.length).to.be.gte(3);
    for (const field of [/periodCount/, /threshold/, /tranches.*0.*face/])
      expect(
        problems.some((l) => field.test(l)),
        `${field} in\n${rejected.stderr}`,
      ).to.equal(true);
    expect(rejectedJson.code).to.equal(1);
    const issues = (JSON.parse(rejectedJson.stdout) as { issues: { path: string }[] }).issues;
    expect(issues).to.have.length(problems.length);

    // ------------------------------------------------------------ the deal of examples/h100-fleet.json
    const created = await ok<{ deal: string; created: boolean; symbols: string[] }>(
      ["deal", "create", "examples/h100-fleet.json", "--name", "h100", ...roles],
      "issuer",
    );
    expect(created.created).to.equal(true);
    expect(created.symbols).to.deep.equal(["H100-A", "H100-B", "H100-C", "H100-EQ"]);

    // ------------------------------------------------------------ onboarding and subscriptions
    // Independent commands (different keys) run side by side, as different people would.
    const investor = addressOf("investor");
    const other = addressOf("keeper");
    const [createdAgain, advanced, onboarded, minted] = await Promise.all([
      ok<typeof created>(
        ["deal", "create", "examples/h100-fleet.json", "--name", "h100", ...roles],
        "issuer",
      ),
      ok<{ advanced: string }>(["time", "advance", "2m"]),
      ok<{ investors: { registered: boolean; identity: number }[] }>(
        ["investors", "add", investor, other, "--country", "276"],
        "admin",
      ),
      ok<{ balance: string }>(["stablecoin", "mint", investor, "15,000,000"], "investor"),
      ok(["stablecoin", "mint", other, "10,000,000"], "keeper"),
    ]);
    // Re-running the same deal creation finds it and sends nothing.
    expect(createdAgain).to.include({ created: false, deal: created.deal });
    expect(Number(advanced.advanced)).to.be.gte(120);
    expect(onboarded.investors.map((i) => [i.registered, i.identity])).to.deep.equal([
      [true, 1],
      [true, 2],
    ]);
    expect(minted.balance).to.equal("15000000000000");

    // A ticket under the minimum: refused before anything is signed, the offering's error in stablecoin units, in one
    // line, exit code 1. Onboarding twice: skipped.
    const [small, smallJson, reonboarded] = await Promise.all([
      cascade(["subscribe", "h100", "--tranche", "H100-A", "--amount", "10"], "investor"),
      cascade(["subscribe", "h100", "--tranche", "0", "--amount", "10", "--json"], "investor"),
      ok<typeof onboarded>(["investors", "add", investor], "admin"),
    ]);
    expect(small.code).to.equal(1);
    const lines = small.stderr.split("\n").filter((l) => l.startsWith("cascade:"));
    expect(lines).to.deep.equal([
      "cascade: subscription refused (BelowMinimumTicket): 10.00 < minimum 100,000.00 USDC",
    ]);
    expect(smallJson.code).to.equal(1);
    expect(JSON.parse(smallJson.stdout)).to.deep.include({
      errorName: "BelowMinimumTicket",
      args: { requested: "10000000", minTicket: "100000000000" },
    });
    expect(reonboarded.investors[0]).to.include({ registered: false, identity: 1 });

    // Two investors subscribe at once: the senior and mezzanine by one, junior and equity by the other.
    const subscribeAll = async (role: "investor" | "keeper", tranches: [string, string][]) => {
      for (const [tranche, amount] of tranches) {
        const s = await ok<{ method: string }>(
          ["subscribe", "h100", "--tranche", tranche, "--amount", amount],
          role,
        );
        expect(s.method).to.equal("permit");
      }
    };
    await Promise.all([
      subscribeAll("investor", [
        ["H100-A", "11,000,000"],
        ["H100-B", "4,000,000"],
      ]),
      subscribeAll("keeper", [
        ["H100-C", "2,500,000"],
        ["H100-EQ", "7,500,000"],
      ]),
    ]);

    // Too early to close: a one-line reason.
    const early = await cascade(["offering", "close", "h100"], "trustee");
    expect(early.code).to.equal(1);
    expect(early.stderr.trim().split("\n").at(-1)).to.match(
      /^cascade: offering open until \d+ \(chain time \d+\)$/,
    );

    await ok(["time", "advance", "7d"]);
    const closed = await ok<{
      offerings: { closed: string; failed: boolean; dealActivated?: boolean }[];
    }>(["offering", "close", "h100"], "trustee");
    expect(closed.offerings.map((o) => [o.closed, o.failed])).to.deep.equal([
      ["now", false],
      ["now", false],
      ["now", false],
      ["now", false],
    ]);
    // The offerings credited the proceeds to the issuer, who withdraws them; a second time there is nothing.
    const proceeds = await ok<{ total: string; withdrawals: { tranche: number }[] }>(
      ["proceeds", "withdraw", "h100"],
      "issuer",
    );
    expect(proceeds.withdrawals.map((w) => w.tranche)).to.deep.equal([0, 1, 2, 3]);
    expect(BigInt(proceeds.total) > 0n).to.equal(true);
    const noProceeds = await cascade(["proceeds", "withdraw", "h100"], "issuer");
    expect(noProceeds.code).to.equal(1);
    expect(noProceeds.stderr.trim().split("\n").at(-1)).to.match(
      /no offering of the deal owes proceeds/,
    );
    expect(closed.offerings[3].dealActivated).to.equal(true);
    const [tokens, otherTokens] = await Promise.all([
      ok<{ tranches: { shares: string }[] }>(["claim", "h100"], "investor"),
      ok<{ tranches: { shares: string }[] }>(["claim", "h100", "--tranche", "H100-EQ"], "keeper"),
    ]);
    expect(tokens.tranches.map((t) => t.shares)).to.deep.equal([
      "11000000000000",
      "4000000000000",
      "0",
      "0",
    ]);
    expect(otherTokens.tranches.map((t) => t.shares)).to.deep.equal(["7500000000000"]);

    // ------------------------------------------------------------ period 0: collections, report, keeper
    await Promise.all([
      ok(["time", "advance", "30d"]),
      ok(["stablecoin", "mint", addressOf("servicer"), "2,068,070.40"], "servicer"),
    ]);
    const deposited = await ok<{ undistributed: string }>(
      ["collections", "deposit", "h100", "--amount", "2,068,070.40"],
      "servicer",
    );
    expect(deposited.undistributed).to.equal("2068070400000");
    const hash = keccak256(toHex("meter export, period 0"));
    const report = [
      "--period",
      "0",
      "--gpu-hours-available",
      "1474560",
      "--gpu-hours-billed",
      "1105920",
      "--revenue",
      "2433024",
      "--report-hash",
      hash,
    ];
    const sigs = [join(dir, "sig-0.json"), join(dir, "sig-1.json")];
    const signed = await Promise.all([
      ok<{ signer: string; digest: string }>(
        ["report", "sign", "h100", ...report, "--out", sigs[0]],
        "reporter0",
      ),
      ok<{ signer: string; digest: string }>(
        ["report", "sign", "h100", ...report, "--out", sigs[1]],
        "reporter2",
      ),
    ]);
    expect(signed.map((s) => s.signer)).to.deep.equal([
      addressOf("reporter0"),
      addressOf("reporter2"),
    ]);
    expect(signed[0].digest).to.equal(signed[1].digest);
    const submitted = await ok<{ period: string; round: string }>(
      ["report", "submit", ...sigs],
      "servicer",
    );
    expect(submitted).to.include({ period: "0", round: "0" });
    // The same report again: the oracle's custom error, decoded. Nothing is ready during the dispute window;
    // afterwards the keeper runs period 0 for the bounty.
    const [twice, waiting] = await Promise.all([
      cascade(["report", "submit", ...sigs], "servicer"),
      ok<{ periods: string[] }[]>(["keeper", "run", "--once"], "keeper"),
    ]);
    expect(twice.code).to.equal(1);
    expect(twice.stderr.trim().split("\n").at(-1)).to.match(
      /^cascade: ReportAlreadyProposed: period 0 of deal 0x[0-9a-fA-F]{40} has a pending or final report in round 0 already$/,
    );
    expect(waiting[0].periods).to.deep.equal([]);
    await ok(["time", "advance", "2d1m"]);
    const kept = await ok<{ periods: string[]; bountyEarned: string; nextPeriod: string }[]>(
      ["keeper", "run", "--once"],
      "keeper",
    );
    expect(kept[0]).to.deep.include({ periods: ["0"], bountyEarned: "25000000", nextPeriod: "1" });

    // ------------------------------------------------------------ the trustee and the servicer withdraw their fees
    // The waterfall credited them in the deal: the trustee's 5,000 per period, the servicer's 1.5 % of the cash.
    type Withdrawn = { trusteeFees: string; servicerFees: string; amount: string };
    const fees = [
      await ok<Withdrawn>(["fees", "withdraw", "h100"], "trustee"),
      await ok<Withdrawn>(["fees", "withdraw", "h100"], "servicer"),
    ];
    expect(fees.map((f) => [f.trusteeFees, f.servicerFees, f.amount])).to.deep.equal([
      ["5000000000", "0", "5000000000"],
      ["0", "31021056000", "31021056000"],
    ]);
    const none = await cascade(["fees", "withdraw", "h100"], "trustee");
    expect(none.code).to.equal(1);
    expect(none.stderr.trim().split("\n").at(-1)).to.equal(
      `cascade: NoFeesOwed: no fees are owed to ${addressOf("trustee")}: it is neither the trustee nor the servicer, ` +
        "or nothing is credited to it",
    );

    // ------------------------------------------------------------ the investor is paid; the auditor looks
    const paid = await ok<{ tranches: { symbol: string; claimed: string }[] }>(
      ["claim", "h100"],
      "investor",
    );
    const cash = paid.tranches.reduce((a, t) => a + BigInt(t.claimed), 0n);
    // Period 0's senior coupon and first installment, and the mezzanine coupon.
    expect(cash > 1_600_000_000_000n, `claimed ${cash}`).to.equal(true);
    const shown = await ok<{
      name: string;
      statusName: string;
      nextPeriod: string;
      feesOwed: { trustee: string; servicer: string };
      tranches: { symbol: string; supply: string }[];
    }>(["deal", "show", "h100"]);
    expect(shown).to.include({ name: "h100", statusName: "Active", nextPeriod: "1" });
    expect(shown.feesOwed).to.deep.equal({ trustee: "0", servicer: "0" });
    expect(shown.tranches.map((t) => t.supply)).to.deep.equal([
      "11000000000000",
      "4000000000000",
      "2500000000000",
      "7500000000000",
    ]);
    // The table a person sees.
    const table = await cascade(["deal", "show", created.deal]);
    expect(table.code).to.equal(0);
    expect(table.stdout).to.include("h100").and.to.include("H100-EQ").and.to.include("1 of 12");
  });
});
