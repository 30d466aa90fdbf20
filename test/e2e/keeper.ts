/**
 * The keeper service end to end, as a separate process against a real node: anvil from node_modules on a free
 * loopback port (state dumped on exit and reloaded), the protocol and three deals with short periods set up
 * through the SDK with anvil's dev keys, and `cascade keeper run` (as `npm run keeper` starts it) as a child process
 * while the test plays the reporters: reports arrive late and out of order, one is disputed and re-submitted in
 * round 1, one period is marked unreported. The keeper is killed (SIGKILL) mid-run and restarted, and the node is stopped (SIGTERM, state
 * dumped) and restarted on the same port while the keeper runs.
 *
 * Afterwards, for every deal: each period distributed exactly once, in order; the keeper account earned exactly
 * the bounty of every period; every log line is JSON. Skipped when the anvil binary is not installed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { artifacts } from "hardhat";
import { keccak256, toHex, type Hex } from "viem";
import { getBlock, getContractEvents, readContract } from "viem/actions";

import {
  dealAbi,
  mockStablecoinAbi,
  type ReportContent,
  type SignReportReturnType,
  WaterfallMath,
} from "../../sdk/index.js";
import { freePort } from "../../cli/lib/anvil.js";
import type { LogRecord } from "../../sdk/keeper/index.js";
import { chainFor } from "../../cli/lib/clients.js";
import {
  devKey,
  DEVNET_ROLES,
  deployDemoStablecoin,
  devnetClients,
  fleetHours,
  mintDemo,
  openDeals,
  type DevnetClients,
  type OpenDeal,
} from "../../cli/lib/devnet.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ANVIL = join(ROOT, "node_modules/.bin/anvil");
const CLI = join(ROOT, "cli/cascade.js");
const USDC = 10n ** 6n;
/** $2.50 per billed GPU-hour. */
const PRICE = 2_500_000n;

/**
 * Every child process started here, killed whatever happens. Each runs in its own process group: the npm `anvil`
 * is a Node wrapper around the real binary, and a SIGKILL of the wrapper alone would leave the node running.
 */
const children = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
const killAll = () => {
  for (const c of children) killGroup(c, "SIGKILL");
};
process.on("exit", killAll);

function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** anvil on a fixed port with `--state`: loads the file if it exists, dumps the chain into it on exit. */
class AnvilNode {
  private child: ChildProcess | undefined;
  starts = 0;
  constructor(
    readonly port: number,
    readonly stateFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(ANVIL, ["--port", String(this.port), "--state", this.stateFile], {
      stdio: "ignore",
      detached: true,
    });
    children.add(child);
    this.child = child;
    this.starts++;
    await waitUntil(
      "anvil to answer",
      async () => {
        if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}`);
        try {
          const res = await fetch(this.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
          });
          return res.ok;
        } catch {
          return false;
        }
      },
      15_000,
      50,
    );
  }

  /** SIGTERM (the wrapper passes it on): anvil dumps its state and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill("SIGTERM");
    await exited(child);
    children.delete(child);
    this.child = undefined;
  }
}

/**
 * `cascade keeper run` as a child process, the way `npm run keeper` starts it (the key in KEEPER_PRIVATE_KEY); its
 * stdout lines are kept (and parsed) as they come.
 */
class KeeperProcess {
  readonly lines: string[] = [];
  readonly records: LogRecord[] = [];
  stderr = "";
  private readonly child: ChildProcess;

  constructor(args: string[], key: Hex) {
    const argv = [CLI, "--key-env", "KEEPER_PRIVATE_KEY", "keeper", "run", ...args];
    this.child = spawn(process.execPath, argv, {
      cwd: ROOT,
      env: { ...process.env, KEEPER_PRIVATE_KEY: key },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    children.add(this.child);
    let buffer = "";
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        this.lines.push(line);
        try {
          this.records.push(JSON.parse(line) as LogRecord);
        } catch {
          // Kept in `lines`; the test asserts every line parses.
        }
      }
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
  }

  has(msg: string, pred: (r: LogRecord) => boolean = () => true): boolean {
    return this.records.some((r) => r.msg === msg && pred(r));
  }

  count(msg: string): number {
    return this.records.filter((r) => r.msg === msg).length;
  }

  async signal(sig: NodeJS.Signals) {
    killGroup(this.child, sig);
    const result = await exited(this.child);
    children.delete(this.child);
    return result;
  }
}

describe("Keeper end to end: a keeper process, three deals, restarts of the keeper and of the node", function () {
  this.timeout(120_000);
  let dir: string | undefined;
  let anvil: AnvilNode | undefined;
  const keepers: KeeperProcess[] = [];

  before(async function () {
    if (!existsSync(ANVIL)) this.skip();
    dir = await mkdtemp(join(tmpdir(), "cascade-keeper-e2e-"));
  });

  afterEach(function () {
    // On failure, show what the keepers said.
    if (this.currentTest?.state === "failed") {
      keepers.forEach((k, i) => {
        console.log(`--- keeper run ${i + 1} (last 40 lines)\n${k.lines.slice(-40).join("\n")}`);
        if (k.stderr) console.log(`--- keeper run ${i + 1} stderr\n${k.stderr.slice(-4_000)}`);
      });
    }
  });

  after(async () => {
    killAll();
    children.clear();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("distributes every period exactly once and earns every bounty through kills, outages and disputes", async () => {
    const started = Date.now();
    const port = await freePort();
    anvil = new AnvilNode(port, join(dir as string, "anvil-state.json"));
    await anvil.start();
    const node = anvil;
    const chain = chainFor(node.url, 31_337);
    const c: DevnetClients = devnetClients(node.url, chain, 50);
    const keeperAddress = c.keeper.account.address;

    // ---------------------------------------------------------------- protocol and deals
    const { bytecode } = await artifacts.readArtifact("MockStablecoin");
    const stablecoin = await deployDemoStablecoin(c.admin, bytecode as Hex);
    const protocol = await c.admin.deployProtocol();
    const deals = await openDeals(c, protocol, stablecoin, [
      // A and B take reports up to 200 s after a period ends, so their late reports still count; C keeps the 45 s
      // deadline, so its missing period 1 becomes unreported.
      { name: "E2E A", periodLength: 60, periodCount: 4, reportDeadline: 200 },
      { name: "E2E B", periodLength: 90, periodCount: 3, reportDeadline: 200 },
      { name: "E2E C", periodLength: 120, periodCount: 3 },
    ]);
    const [A, B, C] = deals;
    const start = A.terms.start;
    expect(deals.every((d) => d.terms.start === start)).to.equal(true);
    const totalPeriods = deals.reduce((a, d) => a + d.terms.periodCount, 0);

    const chainTime = async () =>
      (await getBlock(c.publicClient, { blockTag: "latest" })).timestamp;
    const advance = async (seconds: number) => {
      await c.testClient.increaseTime({ seconds });
      await c.testClient.mine({ blocks: 1 });
    };
    const warp = async (offset: number) => {
      const now = await chainTime();
      const target = start + BigInt(offset);
      if (target > now) await advance(Number(target - now));
    };
    const nextPeriod = (d: OpenDeal) =>
      readContract(c.publicClient, { address: d.deal, abi: dealAbi, functionName: "nextPeriod" });
    const content = (d: OpenDeal, period: number, billedExtra = 0n): ReportContent => {
      const available = fleetHours(d.terms.periodLength);
      const billed = (available * 4n) / 5n + billedExtra;
      return {
        deal: d.deal,
        period: BigInt(period),
        gpuHoursAvailable: available,
        gpuHoursBilled: billed,
        revenue: billed * PRICE,
        reportHash: keccak256(toHex(`${d.deal}/period-${period}/extra-${billedExtra}`)),
      };
    };
    /** What the servicer deposits for a period: the pool's share of its true revenue. */
    const depositFor = async (d: OpenDeal, periods: number) => {
      const amount =
        WaterfallMath.bpsOfDown(content(d, 0).revenue, d.terms.pledgedShareBps) * BigInt(periods);
      await mintDemo(c.admin, stablecoin, c.servicer.account.address, amount);
      await c.servicer.depositCollections({ deal: d.deal, amount });
    };
    const propose = async (
      report: ReportContent,
      signers: (typeof c.reporter0)[] = [c.reporter0, c.reporter1],
    ) => {
      const signatures: SignReportReturnType[] = await Promise.all(
        signers.map((s) => s.signReport({ report })),
      );
      return c.servicer.submitReport({ report: signatures[0].report, signatures });
    };

    // ---------------------------------------------------------------- the keeper
    // The state file has a directory of its own; an earlier keeper killed while writing it left its temporary file
    // (named after a process that is gone), which the keeper removes.
    const stateDir = join(dir as string, "keeper");
    await mkdir(stateDir);
    const stateFile = join(stateDir, "keeper-state.json");
    const gone = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await exited(gone);
    await writeFile(`${stateFile}.${gone.pid}.tmp`, '{"version": 1, "half');
    const keeperArgs = [
      "--rpc-url",
      node.url,
      "--factory",
      protocol.factory,
      "--state",
      stateFile,
      "--poll-interval",
      "200ms",
      "--backoff-initial",
      "100ms",
      "--backoff-max",
      "1s",
      "--receipt-timeout",
      "5s",
      "--stop-grace",
      "5s",
      "--max-periods",
      "4",
    ];
    const startKeeper = () => {
      const k = new KeeperProcess(keeperArgs, devKey(DEVNET_ROLES.keeper));
      keepers.push(k);
      return k;
    };
    let keeper = startKeeper();
    await waitUntil(
      "the keeper to discover the three deals",
      () => keeper.count("deal discovered") === 3,
    );

    // ---------------------------------------------------------------- first periods: out of order, one disputed
    await warp(125); // A0, A1, B0 and C0 have ended
    await depositFor(A, 2);
    await depositFor(B, 1);
    await depositFor(C, 1);
    // Period 1 of A is reported before period 0, and its first report bills 3 GPU-hours too many.
    const wrong = await propose(content(A, 1, 3n));
    await propose(content(A, 0));
    await propose(content(B, 0));
    await propose(content(C, 0));
    const disputed = await c.reporter2.disputeReport({
      deal: A.deal,
      period: 1n,
      reason: "3 GPU-hours billed twice",
    });
    expect([wrong.round, disputed.nextRound]).to.deep.equal([0n, 1n]);
    const round1 = await propose(content(A, 1), [c.reporter1, c.reporter2]);
    expect(round1.round).to.equal(1n);

    // The dispute window passes with mining paused: the keeper's first upkeep waits in the mempool, and the keeper
    // is killed while it waits for the receipt. Its successor sees the period still ready on chain and sends its
    // own upkeep; once blocks are mined one of the two transactions distributes the periods and the other reverts
    // with WaterfallPeriodAlreadyDistributed, which the keeper counts as success.
    await c.testClient.setAutomine(false);
    await advance(A.terms.oracle.disputeWindow + 1);
    await waitUntil("the keeper to send an upkeep", () => keeper.has("upkeep sent"));
    const inFlight = keeper.records.find((r) => r.msg === "upkeep sent");
    const killed = await keeper.signal("SIGKILL");
    expect(killed.signal).to.equal("SIGKILL");
    keeper = startKeeper();
    await waitUntil("the restarted keeper to load its state", () => keeper.has("state loaded"));
    await waitUntil(
      "the restarted keeper to act on the same period",
      () => keeper.has("upkeep sent") || keeper.has("period already distributed"),
    );
    await c.testClient.setAutomine(true);
    await c.testClient.mine({ blocks: 1 });
    await waitUntil("A0–A1, B0 and C0 to be distributed", async () => {
      const [a, b, cc] = await Promise.all(deals.map(nextPeriod));
      return a === 2n && b === 1n && cc === 1n;
    });
    // One of the two keepers' transactions distributed A's first periods (which one depends on how the node orders
    // them); the other keeper counts the period as done, and nothing was paid twice (checked at the end).
    const firstA = await getContractEvents(c.publicClient, {
      address: A.deal,
      abi: dealAbi,
      eventName: "PeriodDistributed",
      fromBlock: A.blockNumber,
      strict: true,
    });
    const restartedTxs = keeper.records
      .filter((r) => r.msg === "upkeep sent" && r.deal === A.deal)
      .map((r) => r.txHash);
    expect([inFlight?.txHash, ...restartedTxs]).to.include(firstA[0].transactionHash);
    await waitUntil("the restarted keeper to settle A's first period", () =>
      keeper.has(
        firstA[0].transactionHash === inFlight?.txHash
          ? "period already distributed"
          : "period distributed",
        (r) => r.deal === A.deal,
      ),
    );

    // ---------------------------------------------------------------- late reports, an unreported period
    // C1's collections arrive before its report deadline (240 + 45): from then on the keeper may run it as
    // unreported at its next poll, which would otherwise race the deposit.
    await depositFor(C, 1);
    await warp(290); // A2, A3, B1, B2 and C1 have ended; C1's report deadline has passed
    await depositFor(A, 2);
    await depositFor(B, 2);
    // Late (well after their periods ended, before their deadlines) and out of order.
    await propose(content(A, 3));
    await propose(content(A, 2));
    await propose(content(B, 2));
    await propose(content(B, 1));
    // Nobody reports C1: past its deadline the keeper's upkeep marks it unreported at the oracle on the way.

    // ---------------------------------------------------------------- the node goes down while the keeper runs
    const failuresBefore = keeper.count("rpc retry") + keeper.count("poll failed");
    const lastTimestamp = await chainTime();
    await node.stop();
    // Down long enough for the per-call retries to run out: the main loop backs off too.
    await waitUntil(
      "the keeper to back off",
      () => keeper.count("poll failed") > 0 && keeper.count("rpc retry") > failuresBefore,
    );
    await node.start();
    // anvil restarts from the dumped chain but not from its time offset: set the clock back to where it was.
    await c.testClient.request({
      method: "evm_setTime",
      params: [Number(lastTimestamp + 1n)],
    } as unknown as Parameters<typeof c.testClient.request>[0]);
    await c.testClient.mine({ blocks: 1 });
    expect(await chainTime()).to.be.greaterThanOrEqual(lastTimestamp);

    await advance(A.terms.oracle.disputeWindow + 1);
    await waitUntil("A and B to finish and C1 to be distributed", async () => {
      const [a, b, cc] = await Promise.all(deals.map(nextPeriod));
      return a === 4n && b === 3n && cc === 2n;
    });

    // ---------------------------------------------------------------- the last period
    await depositFor(C, 1);
    await warp(365);
    await propose(content(C, 2));
    await advance(C.terms.oracle.disputeWindow + 1);
    await waitUntil("C to finish", async () => (await nextPeriod(C)) === 3n);
    await waitUntil("the keeper to record C's last period", () =>
      keeper.has("deal finished", (r) => r.deal === C.deal),
    );

    const stopped = await keeper.signal("SIGTERM");
    expect(stopped.code).to.equal(0);
    expect(keeper.has("keeper stopped")).to.equal(true);
    // SIGTERM leaves no temporary file: the state directory holds the state file alone.
    expect(await readdir(stateDir)).to.deep.equal(["keeper-state.json"]);

    // ---------------------------------------------------------------- every period exactly once, in order
    let bounties = 0n;
    for (const d of deals) {
      const events = {
        address: d.deal,
        abi: dealAbi,
        fromBlock: d.blockNumber,
        strict: true,
      } as const;
      const distributed = await getContractEvents(c.publicClient, {
        ...events,
        eventName: "PeriodDistributed",
      });
      expect(
        distributed.map((e) => e.args.period),
        `${d.terms.tranches[0].name}: one PeriodDistributed per period, in order`,
      ).to.deep.equal(Array.from({ length: d.terms.periodCount }, (_, p) => BigInt(p)));
      // Each statement names the account that ran its period and the bounty it was paid.
      for (const e of distributed) {
        const s = e.args.statement;
        expect(s.keeper).to.equal(keeperAddress);
        expect(s.keeperBountyPaid).to.equal(d.terms.keeperBounty);
        expect(s.reported).to.equal(!(d === C && s.period === 1n));
        bounties += s.keeperBountyPaid;
      }
    }
    const bountyTotal = deals.reduce(
      (a, d) => a + d.terms.keeperBounty * BigInt(d.terms.periodCount),
      0n,
    );
    expect(bounties).to.equal(bountyTotal);
    expect(bountyTotal).to.equal(25n * USDC * BigInt(totalPeriods));
    const keeperBalance = await readContract(c.publicClient, {
      address: stablecoin,
      abi: mockStablecoinAbi,
      functionName: "balanceOf",
      args: [keeperAddress],
    });
    expect(keeperBalance).to.equal(bountyTotal);

    // The disputed period ran on its round-1 report, the unreported one counted as missed.
    const snapA = await c.keeper.dealSnapshot({ deal: A.deal, fromBlock: A.blockNumber });
    expect([snapA.reports[1].round, snapA.reports[1].stateName]).to.deep.equal([1, "Final"]);
    expect(snapA.reports[1].gpuHoursBilled).to.equal(content(A, 1).gpuHoursBilled);
    const snapC = await c.keeper.dealSnapshot({ deal: C.deal, fromBlock: C.blockNumber });
    expect(snapC.missedReports).to.equal(1n);
    expect(snapC.reports.map((r) => r.stateName)).to.deep.equal(["Final", "Unreported", "Final"]);

    // The node's clock never went backwards across its restart.
    const head = await c.publicClient.getBlockNumber();
    const stamps = await Promise.all(
      Array.from({ length: Number(head) + 1 }, (_, i) =>
        getBlock(c.publicClient, { blockNumber: BigInt(i) }).then((b) => b.timestamp),
      ),
    );
    expect(stamps.every((t, i) => i === 0 || t >= stamps[i - 1])).to.equal(true);

    // ---------------------------------------------------------------- the logs
    const all = keepers.flatMap((k) => k.lines);
    for (const line of all) {
      const r = JSON.parse(line) as LogRecord;
      expect(r).to.include.keys("ts", "level", "msg");
      expect(Number.isNaN(Date.parse(r.ts))).to.equal(false);
    }
    const records = keepers.flatMap((k) => k.records);
    expect(records.some((r) => r.level === "error")).to.equal(false);
    // No period is logged as distributed twice; the killed run may not have logged its last one.
    const logged = records
      .filter((r) => r.msg === "period distributed")
      .map((r) => `${String(r.deal)}/${String(r.period)}`);
    expect(new Set(logged).size).to.equal(logged.length);
    expect(logged.length).to.be.within(totalPeriods - 4, totalPeriods);
    for (const r of records.filter((x) => x.msg === "period distributed")) {
      expect(r.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(BigInt(r.gasUsed as string) > 0n).to.equal(true);
    }
    const outage = keepers[1].records.filter(
      (r) => r.msg === "rpc retry" || r.msg === "poll failed",
    );
    expect(outage.length).to.be.greaterThan(0);

    // KEEPER_E2E_LOG=file keeps every keeper's log lines for a look afterwards.
    if (process.env.KEEPER_E2E_LOG) {
      await writeFile(
        process.env.KEEPER_E2E_LOG,
        keepers.map((k, i) => `# keeper run ${i + 1}\n${k.lines.join("\n")}\n`).join(""),
      );
    }
    const seconds = ((Date.now() - started) / 1_000).toFixed(1);
    console.log(
      `      keeper e2e: ${totalPeriods} periods of 3 deals distributed once each, ${bountyTotal / USDC} USDC of ` +
        `bounties; keeper runs ${keepers.length} (1 SIGKILL), node starts ${node.starts} (1 SIGTERM with state ` +
        `dump); ${outage.length} retried calls during the outage; ${all.length} log lines; ${seconds} s`,
    );
  });
});
