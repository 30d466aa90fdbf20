/**
 * The issuer's, trustee's and anyone's deal-management commands end to end, as people drive them: every command a
 * child process against anvil (test/e2e/harness.ts). It deploys the protocol, a B200 rental-price index feed
 * (`feed deploy | push | show`), creates the shipped examples as written — examples/b200-datacenter.json marked to
 * that feed (its fleet, bought a month before, valued at period 0 as its notes say), after the campus it names as its
 * site (examples/campus-10mw.json, refused until that deal is recorded), and examples/h100-fleet.json —
 * funds the H100 deal, adds, confirms, rejects and retires fleet entries, deposits recoveries, runs period 0 (signed
 * report, keeper) and two unreported periods that accelerate the deal, and takes the senior holders' waiver through
 * its ballot. Every refusal on the way is checked with its exact sentence. Skipped when the anvil binary is missing.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";

import { addressOf, CliSession, type DevRole } from "./harness.js";

describe("cascade CLI: the issuer's commands against anvil", function () {
  // About forty `cascade` processes, several side by side: a bound against a hang, not a speed check.
  this.timeout(600_000);
  const session = new CliSession();
  const ok = <T = Record<string, unknown>>(args: string[], role?: DevRole) =>
    session.ok<T>(args, role);
  const fails = (args: string[], role?: DevRole, code = 1) => session.fails(args, role, code);

  before(async function () {
    if (!(await session.start())) this.skip();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(session.tail(12));
  });

  after(() => session.stop());

  it("deploys a feed, creates both examples, manages the fleet, runs periods and a waiver ballot", async () => {
    const [issuer, servicer, trustee, guardian, investor, keeper] = (
      ["issuer", "servicer", "trustee", "guardian", "investor", "keeper"] as const
    ).map(addressOf);
    const roles = [
      `servicer=${servicer}`,
      `trustee=${trustee}`,
      `guardian=${guardian}`,
      `reporter0=${addressOf("reporter0")}`,
      `reporter1=${addressOf("reporter1")}`,
      `reporter2=${addressOf("reporter2")}`,
      `reporter3=${addressOf("admin")}`,
    ].flatMap((a) => ["--address", a]);

    await ok(["deploy", "--mock-stablecoin"], "admin");

    // ---------------------------------------------------------------- the B200 example needs its feed
    const [noFeed, badName] = await Promise.all([
      fails(["deal", "create", "examples/b200-datacenter.json", ...roles], "issuer", 2),
      fails(
        ["feed", "deploy", "--name", "b200-index", "--description", "x", "--price", "4.80"],
        "admin",
        2,
      ),
      ok(["deal", "create", "examples/h100-fleet.json", "--name", "h100", ...roles], "issuer"),
    ]);
    expect(noFeed).to.equal(
      "cascade: examples/b200-datacenter.json marks its fleet to the price feed $b200Index: deploy one with " +
        "`cascade feed deploy --name b200Index …` (recorded in the address book) or give --address b200Index=0x…",
    );
    expect(badName).to.equal(
      'cascade: --name "b200-index": a feed\'s name is what a term sheet\'s "$<name>" names: letters, digits and _, ' +
        "not starting with a digit (e.g. b200Index)",
    );
    const feedArgs = [
      "feed",
      "deploy",
      "--name",
      "b200Index",
      "--description",
      "B200 rental price index, USD per GPU-hour",
      "--price",
      "4.80",
    ];
    type FeedOut = { feed: string; actions: string[]; latest: { answer: string; roundId: string } };
    const feed = await ok<FeedOut>(feedArgs, "admin");
    expect(feed.actions).to.deep.equal(["feed deployed", "first round published (4.80)"]);
    expect(feed.latest).to.deep.include({ answer: "480000000", roundId: "1" });

    // The B200 hall pays rent to its site, "$campus": the campus deal must exist (be recorded) first.
    const b200Args = [
      "deal",
      "create",
      "examples/b200-datacenter.json",
      "--name",
      "b200",
      ...roles,
    ];
    expect(await fails(b200Args, "issuer", 2)).to.equal(
      "cascade: examples/b200-datacenter.json pays rent to the site $campus: create that data-center deal first " +
        "with `cascade deal create <its term sheet> --name campus` (recorded in the address book) or give " +
        "--address campus=0x…",
    );
    const campus = await ok<{ deal: string; symbols: string[] }>(
      ["deal", "create", "examples/campus-10mw.json", "--name", "campus", ...roles],
      "issuer",
    );
    expect(campus.symbols).to.deep.equal(["DC-A", "DC-PE", "DC-LP", "DC-GP"]);
    const b200 = await ok<{ deal: string; created: boolean; symbols: string[] }>(
      b200Args,
      "issuer",
    );
    expect(b200.symbols).to.deep.equal(["B200-A", "B200-B", "B200-EQ"]);

    // The fleet bought 30 days before creation, valued at the end of period 0 (start + 30 days) by the chain:
    // $45.0M, so the notes' $31.2M are 69.4 % of it, under the 85 % cap. Meanwhile the feed moves and refuses
    // what it must.
    const shown = await ok<{ start: string }>(["deal", "show", "b200"]);
    const periodZeroEnd = BigInt(shown.start) + 30n * 86_400n;
    type Fleet = {
      at: string;
      collateralValue: string;
      bookValue: string;
      notesOutstanding: string;
      notesFace: string;
      ltvAtFace: string;
      priceIndex: string;
      recoveries: string;
      chain: { collateralValue: string; bookValue: string };
      entries: { statusName: string; activeCount: string; collateralValue: string }[];
    };
    // The second deployment reads the feed's latest round before the push below publishes a new one.
    const [valued, again] = await Promise.all([
      ok<Fleet>(["fleet", "show", "b200", "--at", periodZeroEnd.toString()]),
      ok<FeedOut>(feedArgs, "admin"),
    ]);
    const [pushed, notPublisher, fromFuture] = await Promise.all([
      ok<{ roundId: string; answer: string; previous: { answer: string } }>(
        ["feed", "push", "b200Index", "--price", "4.65"],
        "admin",
      ),
      fails(["feed", "push", "b200Index", "--price", "4.70"], "issuer"),
      fails(["feed", "push", "b200Index", "--price", "4.70", "--at", "+1d"], "admin"),
    ]);
    expect(valued.at).to.equal(periodZeroEnd.toString());
    expect(valued.collateralValue).to.equal(valued.chain.collateralValue);
    expect(valued.bookValue).to.equal(valued.chain.bookValue);
    // The notes at face over the fleet: 69.4 % (the WAD ratio rounds up).
    const wad = 10n ** 18n;
    expect((BigInt(valued.ltvAtFace) * 1_000n + wad / 2n) / wad).to.equal(694n);
    expect(valued.notesFace).to.equal("31200000000000");
    expect(again.actions).to.deep.equal([
      "feed already deployed",
      "a round exists already (4.80): --price not published",
    ]);
    expect(pushed).to.deep.include({ roundId: "2", answer: "465000000" });
    expect(pushed.previous.answer).to.equal("480000000");
    expect(notPublisher).to.equal(
      `cascade: ${issuer} may not publish to feed b200Index: it lacks the publisher role`,
    );
    expect(fromFuture).to.match(
      /^cascade: --at \S+Z is after the chain's time \S+Z: an observation cannot come from the future$/,
    );

    // ---------------------------------------------------------------- the H100 deal is funded and activated
    await Promise.all([
      ok(["time", "advance", "2m"]),
      ok(["stablecoin", "mint", investor, "15,000,000"], "investor"),
      ok(["stablecoin", "mint", keeper, "10,100,000"], "keeper"),
      ok(["stablecoin", "mint", issuer, "50,000"], "issuer"),
    ]);
    const subscribe = async (role: "investor" | "keeper", lots: [string, string][]) => {
      for (const [tranche, amount] of lots)
        await ok(["subscribe", "h100", "--tranche", tranche, "--amount", amount], role);
    };
    await Promise.all([
      subscribe("investor", [
        ["H100-A", "11,000,000"],
        ["H100-B", "4,000,000"],
      ]),
      subscribe("keeper", [
        ["H100-C", "2,500,000"],
        ["H100-EQ", "7,500,000"],
      ]),
    ]);
    await ok(["time", "advance", "7d"]);
    await ok(["offering", "close", "h100"], "keeper");
    await Promise.all([ok(["claim", "h100"], "investor"), ok(["claim", "h100"], "keeper")]);

    // ---------------------------------------------------------------- refusals of an active deal
    const [notIssuer, badFlags, added, quote, notCallable, noWaiver, noWriteDown] =
      await Promise.all([
        fails(
          [
            "fleet",
            "add",
            "h100",
            "--model",
            "H100",
            "--gpus",
            "8",
            "--cost",
            "1",
            "--purchased",
            "-1d",
            "--life-months",
            "36",
            "--method",
            "straight-line",
          ],
          "servicer",
        ),
        fails(["fleet", "add", "h100", "--model", "H100", "--gpus", "8"], "issuer", 2),
        ok<{ ids: string[]; status: string }>(
          [
            "fleet",
            "add",
            "h100",
            "--model",
            "H100-spare",
            "--gpus",
            "64",
            "--cost",
            "12,000",
            "--residual",
            "1,800",
            "--purchased",
            "-30d",
            "--life-months",
            "36",
            "--method",
            "straight-line",
          ],
          "issuer",
        ),
        ok<{ callable: boolean; seniorOutstanding: string; threshold: string }>([
          "clean-up",
          "h100",
          "--quote",
        ]),
        fails(["clean-up", "h100"], "issuer"),
        fails(["waiver", "propose", "h100"], "issuer"),
        fails(["write-down", "h100", "--amount", "1,000"], "trustee"),
      ]);
    expect(notIssuer).to.equal(
      `cascade: ${servicer} is not the issuer admin of deal h100: only the issuer adds fleet entries`,
    );
    expect(badFlags).to.equal(
      "cascade: give --file, or the entry's flags: missing --cost, --purchased, --method, --life-months or --life",
    );
    expect(added).to.deep.equal({ ...added, ids: ["1"], status: "Pending" });
    expect(quote).to.deep.include({
      callable: false,
      seniorOutstanding: "11000000000000",
      threshold: "1100000000000",
    });
    expect(notCallable).to.equal(
      "cascade: the clean-up call is not available: senior outstanding 11,000,000.00 USDC is above the threshold " +
        "1,100,000.00 USDC (10 % of the senior face)",
    );
    expect(noWaiver).to.equal(
      "cascade: deal h100 is Active: a waiver ballot is only for an accelerated deal",
    );
    expect(noWriteDown).to.equal(
      "cascade: deal h100 is Active: a write-down is recorded only after an event of default, while the deal is Accelerated",
    );

    // ---------------------------------------------------------------- the trustee confirms, the guardian rejects
    const [notTrustee, confirmed] = await Promise.all([
      fails(["fleet", "confirm", "h100", "--entry", "1"], "issuer"),
      ok<{ status: string; collateralValueBefore: string; collateralValue: string }>(
        ["fleet", "confirm", "h100", "--entry", "1"],
        "trustee",
      ),
    ]);
    expect(notTrustee).to.equal(
      `cascade: ${issuer} is not the trustee of deal h100 (${trustee}): only the trustee confirms fleet entries`,
    );
    expect(confirmed.status).to.equal("Confirmed");
    expect(BigInt(confirmed.collateralValue) > BigInt(confirmed.collateralValueBefore)).to.equal(
      true,
    );
    const file = join(session.dir, "fleet.json");
    const entry = {
      model: "H100-PCIe",
      count: 32,
      unitCost: "9,000",
      unitResidual: "900",
      acquired: "-60d",
      usefulLifeMonths: 36,
      method: "decliningBalance",
      yearlyRatePercent: 35,
    };
    await writeFile(file, JSON.stringify({ fleet: [entry, entry] }));
    const fromFile = await ok<{ ids: string[] }>(
      ["fleet", "add", "h100", "--file", file],
      "issuer",
    );
    expect(fromFile.ids).to.deep.equal(["2", "3"]);
    await Promise.all([
      ok(["fleet", "reject", "h100", "--entry", "2"], "guardian"),
      ok(["fleet", "confirm", "h100", "--entry", "3"], "trustee"),
    ]);

    // ---------------------------------------------------------------- GPUs sold, recoveries
    const [retired, deposited, rejected] = await Promise.all([
      ok<{ activeCount: string; amount: string }>(
        ["fleet", "retire", "h100", "--entry", "1", "--units", "4", "--proceeds", "40,000"],
        "issuer",
      ),
      ok<{ amount: string; recoveryAccount: string }>(
        ["recoveries", "deposit", "h100", "--amount", "1,000"],
        "keeper",
      ),
      fails(["fleet", "confirm", "h100", "--entry", "2"], "trustee"),
    ]);
    expect(retired).to.deep.include({ activeCount: "60", amount: "40000000000" });
    expect(deposited.amount).to.equal("1000000000");
    expect(rejected).to.equal(
      "cascade: fleet entry 2 of deal h100 is Rejected, not pending: it was confirmed or rejected already",
    );
    const fleet = await ok<Fleet>(["fleet", "show", "h100"]);
    expect(fleet.entries.map((e) => [e.statusName, e.activeCount])).to.deep.equal([
      ["Confirmed", "2048"],
      ["Confirmed", "60"],
      ["Rejected", "32"],
      ["Confirmed", "32"],
    ]);
    expect(fleet.entries[2].collateralValue).to.equal("0");
    expect(fleet.recoveries).to.equal("41000000000");
    expect(fleet.collateralValue).to.equal(fleet.chain.collateralValue);
    expect(fleet.notesOutstanding).to.equal("17500000000000");

    // ---------------------------------------------------------------- period 0 reported; 1 and 2 never are
    await Promise.all([
      ok(["time", "advance", "30d"]),
      ok(["stablecoin", "mint", servicer, "2,068,070.40"], "servicer"),
    ]);
    await ok(["collections", "deposit", "h100", "--amount", "2,068,070.40"], "servicer");
    await session.signAndSubmit("h100", {
      period: 0,
      available: 1_474_560n,
      billed: 1_105_920n,
      revenue: "2433024",
      meter: "meter export, period 0",
    });
    // Past period 0's dispute window and periods 1 and 2's report deadlines: the keeper runs all three, the last
    // two unreported, and the missed-report covenant accelerates the deal.
    await ok(["time", "advance", "72d"]);
    const kept = await ok<{ deal: string; periods: string[] }[]>(
      ["keeper", "run", "--once"],
      "keeper",
    );
    expect(kept.find((k) => k.periods.length > 0)?.periods).to.deep.equal(["0", "1", "2"]);

    // ---------------------------------------------------------------- the waiver ballot
    type Ballot = { id: string; state: string; statusName: string; yes: string; needed: string };
    const before = await ok<Ballot>(["waiver", "show", "h100"]);
    expect(before).to.deep.include({ statusName: "Accelerated", state: "none", id: "0" });
    const proposed = await ok<Ballot & { deadline: string }>(
      ["waiver", "propose", "h100"],
      "issuer",
    );
    expect(proposed).to.deep.include({ id: "1", state: "open", needed: "5500000000001" });
    const [early, wrongId] = await Promise.all([
      fails(["waiver", "execute", "h100", "--id", "1"], "keeper"),
      fails(["waiver", "vote", "h100", "--id", "2", "--support", "yes"], "investor"),
    ]);
    expect(early).to.equal(
      "cascade: ballot 1 of deal h100 has 0.00 USDC for: it needs 5,500,000.00 USDC (more than half of the " +
        "11,000,000.00 USDC held by investors)",
    );
    expect(wrongId).to.equal("cascade: --id 2: the last ballot of deal h100 is 1");
    const voted = await ok<Ballot & { weight: string }>(
      ["waiver", "vote", "h100", "--id", "1", "--support", "yes"],
      "investor",
    );
    expect(voted).to.deep.include({
      state: "approved",
      yes: "11000000000000",
      weight: "11000000000000",
    });
    const twice = await fails(
      ["waiver", "vote", "h100", "--id", "1", "--support", "no"],
      "investor",
    );
    expect(twice).to.match(
      new RegExp(
        `^cascade: ${investor} voted on ballot 1 already \\(its senior tokens are locked until \\S+Z\\)$`,
      ),
    );
    const executed = await ok<{ statusName: string; clearedTriggers: number[] }>(
      ["waiver", "execute", "h100", "--id", "1"],
      "keeper",
    );
    expect(executed.statusName).to.not.equal("Accelerated");
    expect(executed.clearedTriggers.length).to.be.greaterThan(0);
    const [afterWaiver, quoted] = await Promise.all([
      fails(["write-down", "h100", "--amount", "1,000"], "trustee"),
      ok<{ callable: boolean }>(["clean-up", "h100", "--quote"]),
    ]);
    expect(afterWaiver).to.equal(
      `cascade: deal h100 is ${executed.statusName}: a write-down is recorded only after an event of default, ` +
        "while the deal is Accelerated",
    );
    expect(quoted.callable).to.equal(false);
  });
});
