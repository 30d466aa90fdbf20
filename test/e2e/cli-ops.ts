/**
 * The reporters' and the keeper's commands end to end against anvil, as the README's "Run a reporter and a keeper
 * against a node" uses them: `cascade devnet` records the protocol, the stablecoin and its deals in the address book,
 * and every later command names deals (`devnet-60s`). `report sign` refuses, before signing and with its exact
 * sentence, everything the oracle would refuse at submission; a deal whose every offering missed its minimum raise is
 * cancelled: `keeper run --once` skips it and `collections deposit` is refused. Skipped when the anvil binary is not
 * installed.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { createPublicClient, erc20Abi, http, type Address } from "viem";
import { readContract } from "viem/actions";

import { shortDealJson } from "../../cli/lib/devnet.js";
import { addressOf, CliSession } from "./harness.js";

const iso = (seconds: bigint | string) =>
  new Date(Number(seconds) * 1_000).toISOString().replace(".000Z", "Z");

const dealsIn = (text: string) => JSON.parse(text) as { deals: Record<string, { deal: Address }> };

interface DevnetJson {
  addressBook: string;
  factory: string;
  stablecoin: string;
  deals: { name: string; deal: string; start: string; reportDeadline: number }[];
}

describe("cascade CLI: reporters, keeper and a cancelled deal on a devnet", function () {
  this.timeout(180_000);
  const s = new CliSession();

  before(async function () {
    if (!(await s.start())) this.skip();
  });
  after(() => s.stop());
  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(s.tail(12));
  });

  it("names deals from the address book; report sign refuses what the oracle would; a cancelled deal is skipped and refused", async () => {
    // ------------------------------------------------------------ the devnet, recorded in the address book
    const devnet = await s.ok<DevnetJson>(["devnet", "--deals", "60s:3", "--block-time", "0"]);
    const [d60] = devnet.deals;
    expect(d60.name).to.equal("devnet-60s");
    const book = JSON.parse(await readFile(join(s.dir, "31337.json"), "utf8")) as {
      protocol: { factory: string; investorRegistry: string; blockNumber: string };
      stablecoin: string;
      deals: Record<string, { deal: string; symbols: string[] }>;
    };
    expect(devnet.addressBook).to.equal(join(s.dir, "31337.json"));
    expect(book.protocol.factory).to.equal(devnet.factory);
    expect(book.stablecoin).to.equal(devnet.stablecoin);
    expect(book.deals["devnet-60s"]).to.deep.include({
      deal: d60.deal,
      symbols: ["SR", "MZ", "EQ"],
    });
    const deal = d60.deal;
    const start = BigInt(d60.start);

    const hash = `0x${"ab".repeat(32)}`;
    const sign = (period: number, available: number, billed: number, revenue: string) => [
      "report",
      "sign",
      "--deal",
      "devnet-60s",
      "--period",
      String(period),
      "--gpu-hours-available",
      String(available),
      "--gpu-hours-billed",
      String(billed),
      "--revenue",
      revenue,
      "--report-hash",
      hash,
    ];
    const reporters = [addressOf("reporter0"), addressOf("reporter1"), addressOf("reporter2")];

    // ------------------------------------------------------------ not a reporter; period 0 not ended
    // The cancelled deal of the end is created now: its offerings close five minutes later.
    const sheet = join(s.dir, "cancelled.json");
    await writeFile(
      sheet,
      JSON.stringify(shortDealJson({ name: "Ops Cancelled", periodLength: 60, periodCount: 2 })),
    );
    const roles = [
      "servicer",
      "trustee",
      "guardian",
      "reporter0",
      "reporter1",
      "reporter2",
    ] as const;
    const [notReporter, notEnded, notEndedJson] = await Promise.all([
      s.fails(sign(0, 34, 27, "67.50"), "keeper"),
      s.fails(sign(0, 34, 27, "67.50"), "reporter0"),
      s.cascade([...sign(0, 34, 27, "67.50"), "--json"], "reporter0"),
      s.ok(
        [
          "deal",
          "create",
          sheet,
          "--name",
          "ops-cancelled",
          ...roles.flatMap((r) => ["--address", `${r}=${addressOf(r)}`]),
        ],
        "issuer",
      ),
    ]);
    expect(notReporter).to.equal(
      `cascade: not signed: NotReporter: ${addressOf("keeper")} is not a reporter of deal ${deal}; its ` +
        `reporters are ${reporters.join(", ")}`,
    );
    expect(notEnded).to.match(
      new RegExp(
        `^cascade: not signed: ReportPeriodNotEnded: period 0 of deal ${deal} has not ended: it ends at ` +
          `${iso(start + 60n)} \\(in (1 min|[0-9]+ s)\\); sign its report from then on$`,
      ),
    );
    expect(notEndedJson.code).to.equal(1);
    expect(JSON.parse(notEndedJson.stdout)).to.deep.include({
      error: "ReportRefusedError",
      errorName: "ReportPeriodNotEnded",
    });

    // ------------------------------------------------------------ out of the oracle's bounds; two good signatures
    await s.ok(["time", "advance", "61s"]);
    const sig = (n: number) => join(s.dir, `sig-${n}.json`);
    const [billed, available, revenue] = await Promise.all([
      s.fails(sign(0, 34, 35, "67.50"), "reporter0"),
      s.fails(sign(0, 35, 27, "67.50"), "reporter0"),
      s.fails(sign(0, 34, 27, "162.01"), "reporter0"),
      s.ok([...sign(0, 34, 27, "67.50"), "--out", sig(0)], "reporter0"),
      s.ok([...sign(0, 34, 27, "67.50"), "--out", sig(1)], "reporter1"),
    ]);
    expect(billed).to.equal(
      "cascade: not signed: BilledExceedsAvailable: 35 GPU-hours billed > 34 available",
    );
    expect(available).to.equal(
      "cascade: not signed: AvailableExceedsFleet: 35 GPU-hours available > 34, the fleet's 2048 GPUs over the " +
        "period's 1 min",
    );
    expect(revenue).to.equal(
      "cascade: not signed: RevenueExceedsBound: revenue 162.01 USDC > 162.00 USDC: 27 GPU-hours billed × the " +
        "maximum 6.00 USDC per GPU-hour",
    );
    const submitted = await s.ok<{ finalAt: string }>(
      ["report", "submit", sig(0), sig(1)],
      "servicer",
    );

    // ------------------------------------------------------------ already pending
    const pending = await s.fails(sign(0, 34, 27, "67.50"), "reporter2");
    expect(pending).to.equal(
      `cascade: not signed: ReportAlreadyProposed: period 0 of deal ${deal} has a report pending in round 0 until ` +
        `${iso(submitted.finalAt)}; a reporter or the guardian may dispute it, which opens round 1`,
    );

    // ------------------------------------------------------------ a utilization step; the keeper runs period 0
    await s.ok(["time", "advance", "61s"]);
    const [step, allReporters, kept] = await Promise.all([
      s.fails(sign(1, 34, 10, "25"), "reporter0"),
      s.ok([...sign(1, 34, 10, "25"), "--all-reporters", "--out", sig(2)], "reporter0"),
      s.ok<{ name: string; periods: string[]; status: string; skipped: boolean }[]>(
        ["keeper", "run", "--once", "--deal", "devnet-60s"],
        "keeper",
      ),
    ]);
    // 10 of 34 GPU-hours is 29.41 %, period 0's 27 of 34 is 79.41 %: a step of 50 %, above the 25 % maximum.
    expect(step).to.equal(
      "cascade: not signed: UtilizationStepNeedsAllReporters: utilization 29.41 % moves by 50.00 % from period " +
        "0's 79.41 %, more than the 25.00 % allowed: every one of the 3 reporters must sign (--all-reporters " +
        "signs it when every reporter will)",
    );
    expect(allReporters).to.include({ signer: addressOf("reporter0") });
    expect(kept).to.deep.equal([
      { ...kept[0], name: "devnet-60s", periods: ["0"], status: "Active", skipped: false },
    ]);

    // ------------------------------------------------------------ distributed; past the report deadline
    const distributed = await s.fails(sign(0, 34, 27, "67.50"), "reporter1");
    expect(distributed).to.equal(
      `cascade: not signed: WaterfallPeriodAlreadyDistributed: period 0 of deal ${deal} was distributed ` +
        "already (the deal's next period is 1)",
    );
    await s.ok(["time", "advance", "5m"]);
    const late = await s.fails(sign(1, 34, 27, "67.50"), "reporter1");
    expect(late).to.equal(
      `cascade: not signed: ReportDeadlinePassed: the report deadline of period 1 of deal ${deal} passed at ` +
        `${iso(start + 120n + BigInt(d60.reportDeadline))}; the period takes no more reports and is distributed ` +
        "as unreported",
    );

    // ------------------------------------------------------------ the cancelled deal
    // Nobody subscribed: every offering misses its minimum raise, and the last close cancels the deal.
    const closed = await s.ok<{ offerings: { closed: string; failed: boolean }[] }>(
      ["offering", "close", "ops-cancelled"],
      "keeper",
    );
    expect(closed.offerings.map((o) => [o.closed, o.failed])).to.deep.equal([
      ["now", true],
      ["now", true],
      ["now", true],
    ]);
    const [skipped, refused, shown] = await Promise.all([
      s.ok<{ name: string; periods: string[]; status: string; skipped: boolean }[]>(
        ["keeper", "run", "--once", "--deal", "ops-cancelled"],
        "keeper",
      ),
      s.fails(["collections", "deposit", "ops-cancelled", "--amount", "10"], "servicer"),
      s.ok<{
        statusName: string;
        readyPeriod: { ready: boolean };
        statusReason: { cause: string; text: string };
      }>(["deal", "show", "ops-cancelled"]),
    ]);
    expect(skipped).to.deep.equal([
      {
        ...skipped[0],
        name: "ops-cancelled",
        periods: [],
        status: "Cancelled",
        skipped: true,
        transactionHashes: [],
      },
    ]);
    expect(refused).to.equal(
      "cascade: DealEnded: the deal has ended (Cancelled); it takes no more collections",
    );
    // Refused before anything was sent: not even an approval of the deal.
    const cancelled = dealsIn(await readFile(join(s.dir, "31337.json"), "utf8")).deals[
      "ops-cancelled"
    ].deal;
    const client = createPublicClient({ transport: http(s.url) });
    const allowance = await readContract(client, {
      address: devnet.stablecoin as Address,
      abi: erc20Abi,
      functionName: "allowance",
      args: [addressOf("servicer"), cancelled],
    });
    expect(allowance).to.equal(0n);
    expect([shown.statusName, shown.readyPeriod.ready]).to.deep.equal(["Cancelled", false]);
    expect(shown.statusReason).to.deep.include({
      cause: "cancelled",
      text: "Cancelled: every offering missed its minimum raise; nothing was issued and no period runs",
    });
  });
});
