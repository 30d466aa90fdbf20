/**
 * The investors' and the compliance agent's `cascade` commands end to end against anvil (test/e2e/harness.ts): the
 * deal of examples/h100-fleet.json naming the protocol's investor registry, with transfer rules on the senior (US
 * accredited investors and qualified purchasers, North Korea blocked) and a year's holding period on the equity, and
 * a second, unrestricted deal made through the SDK. The agent onboards two investors; an unregistered wallet is
 * refused its subscription before signing; a wallet frozen by the agent is refused its delivery in a claim over both
 * deals, which stops half-way, says so and exits 1, and `claim --all` finishes it once the wallet is released; a
 * period is reported, signed and kept; positions and every amount match the SDK's; transfers go through or are
 * refused with the token's sentence and nothing sent; and every agent action (show, update, partial freeze and
 * release, forced transfer, wallet recovery) prints what the chain holds, with its refusals. Commands that do not
 * depend on each other run side by side, as different people would. Skipped when the anvil binary is not installed.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Address } from "viem";
import { getTransactionCount, readContract } from "viem/actions";

import { chainFor } from "../../cli/lib/clients.js";
import { devnetClients, mintDemo, type DevnetClients } from "../../cli/lib/devnet.js";
import {
  parseTermSheet,
  TRANSFER_RESTRICTION_MESSAGES,
  trancheTokenAbi,
  type TermSheetJson,
} from "../../sdk/index.js";
import { addressOf, CliSession, ROOT, type DevRole } from "./harness.js";

const USDC = 10n ** 6n;
const message = (code: number) =>
  TRANSFER_RESTRICTION_MESSAGES[code as keyof typeof TRANSFER_RESTRICTION_MESSAGES];

interface ClaimRow {
  deal: string;
  symbol: string;
  outcome: string;
  reason?: string;
  shares: string;
  claimed: string;
}

interface TrancheJson {
  symbol: string;
  balance: string;
  balanceUnits: string;
  factor: string;
  faceOutstanding: string;
  claimable: string;
  claimed: string;
  fresh: string;
  freshReleasedAtIso?: string;
  frozen: string;
  eligibility: { code: number; message: string };
}

describe("cascade CLI: investors and the compliance agent, against anvil", function () {
  // About forty `cascade` processes, several side by side: a bound against a hang on a busy machine, not a speed
  // check.
  this.timeout(600_000);
  const session = new CliSession();
  const cascade = (args: string[], role?: DevRole) => session.cascade(args, role);
  const ok = <T = Record<string, unknown>>(args: string[], role?: DevRole) =>
    session.ok<T>(args, role);
  const fails = (args: string[], role?: DevRole, code = 1) => session.fails(args, role, code);
  let c: DevnetClients;

  before(async function () {
    if (!(await session.start())) this.skip();
    c = devnetClients(session.url, chainFor(session.url, 31_337), 50);
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(session.tail());
  });

  after(() => session.stop());

  const warp = async (seconds: bigint) => {
    await c.testClient.increaseTime({ seconds: Number(seconds) });
    await c.testClient.mine({ blocks: 1 });
  };

  it("subscribes, claims over two deals, shows positions, transfers, and runs every agent action", async () => {
    const investor = addressOf("investor");
    const other = addressOf("keeper");
    const outsider = addressOf("reporter2");
    const fresh = getAddress("0x000000000000000000000000000000000000bEEF");

    // ------------------------------------------------------------ the protocol, a restricted and a plain deal
    const deployed = await ok<{
      protocol: { investorRegistry: Address; factory: Address };
      stablecoin: Address;
    }>(["deploy", "--mock-stablecoin"], "admin");
    const registry = deployed.protocol.investorRegistry;
    const stablecoin = deployed.stablecoin;
    const example = JSON.parse(
      await readFile(join(ROOT, "examples/h100-fleet.json"), "utf8"),
    ) as TermSheetJson;
    const sheet: TermSheetJson = {
      ...example,
      registry: "$registry",
      tranches: example.tranches.map((t, i) =>
        i === 0
          ? {
              ...t,
              transfer: {
                allowedClasses: ["accredited", "qualified-purchaser"],
                blockedCountries: [408],
              },
            }
          : i === 3
            ? { ...t, transfer: { minHoldingPeriod: "365d" } }
            : t,
      ),
    };
    const file = join(session.dir, "restricted.json");
    await writeFile(file, JSON.stringify(sheet));
    const roles = ["servicer", "trustee", "guardian", "reporter0", "reporter1", "reporter2"]
      .map((r) => `${r}=${addressOf(r as DevRole)}`)
      .flatMap((a) => ["--address", a]);
    const block = await c.publicClient.getBlock();
    // The plain deal (no registry) is the trustee's, through the SDK, beside the CLI's deal.
    const plainTerms = parseTermSheet(example, {
      now: block.timestamp,
      addresses: {
        stablecoin,
        issuer: c.trustee.account.address,
        servicer: addressOf("servicer"),
        trustee: addressOf("trustee"),
        guardian: addressOf("guardian"),
        reporter0: addressOf("reporter0"),
        reporter1: addressOf("reporter1"),
        reporter2: addressOf("reporter2"),
      },
    }).terms;
    const [created, plain] = await Promise.all([
      ok<{ deal: Address; tokens: Address[] }>(
        ["deal", "create", file, "--name", "h100", ...roles],
        "issuer",
      ),
      c.trustee.createDeal({ factory: deployed.protocol.factory, terms: plainTerms }),
    ]);
    const deal = created.deal;
    await warp(120n);
    await Promise.all([
      mintDemo(c.investor, stablecoin, investor, 30_000_000n * USDC),
      mintDemo(c.keeper, stablecoin, other, 20_000_000n * USDC),
    ]);

    // ------------------------------------------------------------ onboarding; refusals before anything is signed
    const [onboarded, unregistered, notAgent, typo] = await Promise.all([
      ok<{ investors: { result: string; identity: number; record: { country: number } }[] }>(
        ["investors", "add", investor, other, "--country", "276"],
        "admin",
      ),
      fails(["subscribe", "h100", "--tranche", "H100-A", "--amount", "200,000"], "reporter2"),
      fails(["investors", "update", investor, "--country", "250"], "investor"),
      fails(
        [
          "transfer",
          "h100",
          "--tranche",
          "H100-A",
          "--to",
          "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8F",
          "--amount",
          "1",
        ],
        "investor",
        2,
      ),
    ]);
    expect(onboarded.investors.map((i) => [i.result, i.identity, i.record.country])).to.deep.equal([
      ["registered", 1, 276],
      ["registered", 2, 276],
    ]);
    expect(unregistered).to.equal(
      `cascade: subscription restricted (9 ReceiverNotRegistered): ${message(9)}`,
    );
    expect(
      await getTransactionCount(c.publicClient, { address: outsider }),
      "the refused subscriber sent nothing",
    ).to.equal(0);
    expect(notAgent).to.equal(
      `cascade: ${investor} is not a compliance agent of the investor registry ${registry}: sign with a key ` +
        "holding its COMPLIANCE_AGENT_ROLE (the registry's admin grants it)",
    );
    expect(typo).to.equal(
      "cascade: --to: 0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8F fails its EIP-55 checksum (a mistyped " +
        "character?); copy the address again",
    );

    // ------------------------------------------------------------ subscriptions (the rest through the SDK)
    const [senior, equity, again] = await Promise.all([
      ok<{ method: string; pending: string }>(
        ["subscribe", "h100", "--tranche", "H100-A", "--amount", "11,000,000"],
        "investor",
      ),
      ok<{ pending: string }>(
        ["subscribe", "h100", "--tranche", "H100-EQ", "--amount", "7,500,000"],
        "keeper",
      ),
      cascade(["investors", "add", investor, "--country", "999"], "admin"),
    ]);
    expect(senior).to.include({ method: "permit", pending: "11000000000000" });
    expect(equity.pending).to.equal("7500000000000");
    // A registered wallet keeps the registry's values, and the table shows them (276, not the 999 asked for).
    expect(again.code).to.equal(0);
    expect(again.stdout).to.match(/already registered\s*│\s*1\s*│[^│]*│\s*276\s*│\s*accredited/);
    expect(again.stdout).to.include("cascade investors update <wallet>");
    const offerings = await Promise.all(
      [0, 1, 2, 3].map(async (i) =>
        readContract(c.publicClient, {
          address: created.tokens[i],
          abi: trancheTokenAbi,
          functionName: "offering",
        }),
      ),
    );
    await c.investor.subscribe({ offering: offerings[1], assets: 4_000_000n * USDC });
    await c.investor.subscribe({ offering: plain.offerings[0], assets: 8_000_000n * USDC });
    await c.keeper.subscribe({ offering: offerings[2], assets: 2_500_000n * USDC });

    // ------------------------------------------------------------ the close; a claim over both deals stops half-way
    await warp(7n * 86_400n);
    const [closed, frozen] = await Promise.all([
      ok<{ offerings: { closed: string }[] }>(["offering", "close", "h100"], "trustee"),
      ok<{ after: { walletFrozen: boolean } }>(["investors", "freeze-wallet", investor], "admin"),
      (async () => {
        for (const o of plain.offerings) await c.guardian.closeOffering({ offering: o });
      })(),
    ]);
    expect(closed.offerings.map((o) => o.closed)).to.deep.equal(["now", "now", "now", "now"]);
    expect(frozen.after.walletFrozen).to.equal(true);

    const [half, otherClaim] = await Promise.all([
      cascade(["claim", "h100", plain.deal, "--json"], "investor"),
      ok<{ claims: ClaimRow[]; complete: boolean }>(["claim", "--all"], "keeper"),
    ]);
    expect(half.code).to.equal(1);
    const halfJson = JSON.parse(half.stdout) as { complete: boolean; claims: ClaimRow[] };
    expect(halfJson.complete).to.equal(false);
    const refusal = `delivery restricted (5 SenderFrozen): ${message(5)}`;
    expect(halfJson.claims.map((r) => [r.symbol, r.outcome, r.shares, r.reason])).to.deep.equal([
      ["H100-A", "refused", "0", refusal],
      ["H100-B", "refused", "0", refusal],
      ["H100-C", "nothing to claim", "0", undefined],
      ["H100-EQ", "nothing to claim", "0", undefined],
      ["H100-A", "claimed", "8000000000000", undefined],
      ["H100-B", "nothing to claim", "0", undefined],
      ["H100-C", "nothing to claim", "0", undefined],
      ["H100-EQ", "nothing to claim", "0", undefined],
    ]);
    expect(half.stderr.trim().split("\n").at(-1)).to.equal(
      "cascade: 6 of 8 done; not done: h100 H100-A (refused); h100 H100-B (refused). Run the same command " +
        "again to finish: what is done is skipped",
    );
    expect(otherClaim.complete).to.equal(true);
    expect(otherClaim.claims.map((r) => [r.symbol, r.shares])).to.deep.equal([
      ["H100-A", "0"],
      ["H100-B", "0"],
      ["H100-C", "2500000000000"],
      ["H100-EQ", "7500000000000"],
    ]);

    await ok(["investors", "unfreeze-wallet", investor], "admin");
    const finished = await ok<{ claims: ClaimRow[]; complete: boolean }>(
      ["claim", "--all"],
      "investor",
    );
    // Only the deal where something waits; what was done is not repeated.
    expect(finished.complete).to.equal(true);
    expect(finished.claims.map((r) => [r.deal, r.symbol, r.outcome, r.shares])).to.deep.equal([
      [deal, "H100-A", "claimed", "11000000000000"],
      [deal, "H100-B", "claimed", "4000000000000"],
      [deal, "H100-C", "nothing to claim", "0"],
      [deal, "H100-EQ", "nothing to claim", "0"],
    ]);

    // ------------------------------------------------------------ period 0: collections, two reporters, the keeper
    await mintDemo(c.servicer, stablecoin, addressOf("servicer"), 2_068_070_400_000n);
    await c.servicer.depositCollections({ deal, amount: 2_068_070_400_000n });
    await warp(30n * 86_400n);
    await session.signAndSubmit("h100", {
      period: 0,
      available: 1_474_560n,
      billed: 1_105_920n,
      revenue: "2433024",
      meter: "meter export, period 0",
    });
    await warp(2n * 86_400n + 60n);
    const kept = await ok<{ name: string; periods: string[] }[]>(
      ["keeper", "run", "--once"],
      "guardian",
    );
    expect(kept.find((k) => k.name === "h100")?.periods).to.deep.equal(["0"]);

    // ------------------------------------------------------------ the investor claims; positions match the SDK
    const owed = await c.investor.position({ deal, investor, claimed: false });
    const cash = await ok<{ claims: ClaimRow[] }>(["claim", "--all"], "investor");
    expect(
      cash.claims.filter((r) => r.outcome === "claimed").map((r) => [r.symbol, r.claimed]),
    ).to.deep.equal([
      ["H100-A", owed.tranches[0].claimable.toString()],
      ["H100-B", owed.tranches[1].claimable.toString()],
    ]);
    expect(owed.tranches[0].claimable > 1_600_000n * USDC).to.equal(true);

    const creation = BigInt(
      (
        JSON.parse(await readFile(join(session.dir, "31337.json"), "utf8")) as {
          deals: { h100: { blockNumber: string } };
        }
      ).deals.h100.blockNumber,
    );
    const [mine, theirs, all, table] = await Promise.all([
      ok<{
        holder: string;
        record: { classNames: string[]; country: number };
        tranches: TrancheJson[];
      }>(["position", "h100"], "investor"),
      ok<{ tranches: TrancheJson[] }>(["position", deal, other]),
      ok<{
        positions: { deal: string; tranches: { symbol: string }[] }[];
        totals: { symbol: string; faceOutstanding: string; claimable: string }[];
      }>(["positions", investor]),
      cascade(["position", "h100", other]),
    ]);
    const sdkMine = await c.investor.position({ deal, investor, fromBlock: creation });
    const sdkTheirs = await c.investor.position({ deal, investor: other, fromBlock: creation });
    const figures = (t: TrancheJson) => [
      t.symbol,
      t.balance,
      t.factor,
      t.faceOutstanding,
      t.claimable,
      t.claimed,
      t.fresh,
      t.frozen,
    ];
    const sdkFigures = (p: typeof sdkMine) =>
      p.tranches.map((t) =>
        [
          t.symbol,
          t.balance,
          t.factor,
          t.faceOutstanding,
          t.claimable,
          t.claimed ?? 0n,
          t.fresh,
          t.frozen,
        ].map(String),
      );
    expect(mine.holder).to.equal(investor);
    expect(mine.record).to.deep.include({ classNames: ["accredited"], country: 276 });
    expect(mine.tranches.map(figures)).to.deep.equal(sdkFigures(sdkMine));
    expect(theirs.tranches.map(figures)).to.deep.equal(sdkFigures(sdkTheirs));
    // The senior amortized: 1/7 of its face repaid in period 0.
    expect(mine.tranches[0].factor).to.equal(sdkMine.tranches[0].factor.toString());
    expect(BigInt(mine.tranches[0].faceOutstanding)).to.equal(
      (11_000_000n * USDC * sdkMine.tranches[0].factor) / 10n ** 18n,
    );
    expect(mine.tranches[0].claimed).to.equal(owed.tranches[0].claimable.toString());
    // The equity came from the offering: its holding period runs a year from the delivery.
    expect(theirs.tranches[3].fresh).to.equal("7500000000000");
    expect(table.stdout).to.match(/H100-EQ: 7,500,000 tokens in their holding period until \d{4}-/);
    // In the factory's order (the two deals were created side by side).
    expect(
      Object.fromEntries(all.positions.map((p) => [p.deal, p.tranches.map((t) => t.symbol)])),
    ).to.deep.equal({ [plain.deal]: ["H100-A"], [deal]: ["H100-A", "H100-B"] });
    const sdkPlain = await c.investor.position({ deal: plain.deal, investor, claimed: false });
    expect(all.totals).to.have.length(1);
    expect(all.totals[0]).to.deep.include({
      symbol: "USDC",
      faceOutstanding: (
        sdkMine.tranches[0].faceOutstanding +
        sdkMine.tranches[1].faceOutstanding +
        sdkPlain.tranches[0].faceOutstanding
      ).toString(),
      claimable: "0",
    });

    // ------------------------------------------------------------ transfers: refused with nothing sent, then sent
    const nonce = await getTransactionCount(c.publicClient, { address: investor });
    const [toOutsider, held] = await Promise.all([
      fails(
        ["transfer", "h100", "--tranche", "H100-A", "--to", outsider, "--amount", "1,000"],
        "investor",
      ),
      fails(
        ["transfer", "h100", "--tranche", "H100-EQ", "--to", investor, "--amount", "1,000"],
        "keeper",
      ),
    ]);
    expect(toOutsider).to.equal(
      `cascade: transfer restricted (9 ReceiverNotRegistered): ${message(9)}`,
    );
    expect(await getTransactionCount(c.publicClient, { address: investor })).to.equal(nonce);
    expect(held).to.match(
      new RegExp(
        `^cascade: transfer restricted \\(14 HoldingPeriod\\): ${message(14)} 0 may go to another investor ` +
          "now; 7,500,000 from \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\.$",
      ),
    );
    const moved = await ok<{ fromBalance: string; toBalance: string; amountUnits: string }>(
      ["transfer", "h100", "--tranche", "H100-A", "--to", other, "--amount", "1,000,000"],
      "investor",
    );
    expect(moved).to.include({
      fromBalance: "10000000000000",
      toBalance: "1000000000000",
      amountUnits: "1000000",
    });

    // ------------------------------------------------------------ the compliance agent
    const [shown, updated] = await Promise.all([
      ok<{
        identity: number;
        classNames: string[];
        country: number;
        kycExpiryIso: string;
        holdings: { symbol: string; balance: string; frozen: string }[];
      }>(["investors", "show", other]),
      ok<{
        changed: string[];
        before: { country: number; kycExpiry: string };
        after: { country: number; kycExpiry: string };
      }>(["investors", "update", investor, "--country", "250", "--kyc-expiry", "+730d"], "admin"),
    ]);
    expect(shown).to.deep.include({ identity: 2, classNames: ["accredited"], country: 276 });
    expect(shown.holdings.map((h) => [h.symbol, h.balance, h.frozen])).to.deep.equal([
      ["H100-A", "1000000000000", "0"],
      ["H100-C", "2500000000000", "0"],
      ["H100-EQ", "7500000000000", "0"],
    ]);
    expect(updated.changed).to.deep.equal(["kycExpiry", "country"]);
    expect([updated.before.country, updated.after.country]).to.deep.equal([276, 250]);
    expect(BigInt(updated.after.kycExpiry) > BigInt(updated.before.kycExpiry)).to.equal(true);

    const partial = await ok<{ frozenBefore: string; frozen: string }>(
      [
        "investors",
        "freeze",
        "h100",
        "--tranche",
        "H100-A",
        "--wallet",
        other,
        "--amount",
        "500,000",
      ],
      "admin",
    );
    expect(partial).to.include({ frozenBefore: "0", frozen: "500000000000" });
    const [tooMuch, frozenOut, toNobody] = await Promise.all([
      fails(
        ["investors", "freeze", "h100", "--tranche", "0", "--wallet", other, "--amount", "600,000"],
        "admin",
      ),
      fails(
        ["transfer", "h100", "--tranche", "H100-A", "--to", investor, "--amount", "600,000"],
        "keeper",
      ),
      fails(
        [
          "investors",
          "force-transfer",
          "h100",
          "--tranche",
          "H100-A",
          "--from",
          other,
          "--to",
          outsider,
          "--amount",
          "100,000",
        ],
        "admin",
      ),
    ]);
    expect(tooMuch).to.equal(
      `cascade: cannot freeze 600,000: ${other} holds 1,000,000 H100-A of which 500,000 frozen, so at most ` +
        "500,000 more",
    );
    expect(frozenOut).to.equal(`cascade: transfer restricted (17 AmountFrozen): ${message(17)}`);
    expect(toNobody).to.equal(
      `cascade: transfer restricted (9 ReceiverNotRegistered): ${message(9)}`,
    );
    const released = await ok<{ amount: string; frozen: string }>(
      [
        "investors",
        "unfreeze",
        "h100",
        "--tranche",
        "H100-A",
        "--wallet",
        other,
        "--amount",
        "all",
      ],
      "admin",
    );
    expect(released).to.include({ amount: "500000000000", frozen: "0" });
    const forced = await ok<{ fromBalance: string; toBalance: string }>(
      [
        "investors",
        "force-transfer",
        "h100",
        "--tranche",
        "H100-A",
        "--from",
        other,
        "--to",
        investor,
        "--amount",
        "100,000",
      ],
      "admin",
    );
    expect(forced).to.include({ fromBalance: "900000000000", toBalance: "10100000000000" });

    // Recovery: the registry record and both restricted positions move; the plain deal's tokens are no agent's.
    const recovered = await ok<{
      complete: boolean;
      registryTransactionHash?: string;
      notMovable: string[];
      newWalletRecord: { identity: number; country: number };
      positions: { symbol: string; result: string; balance: string }[];
    }>(["investors", "recover", investor, fresh], "admin");
    expect(recovered.complete).to.equal(true);
    expect(recovered.registryTransactionHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(recovered.newWalletRecord).to.include({ identity: 1, country: 250 });
    expect(recovered.positions.map((p) => [p.symbol, p.result, p.balance])).to.deep.equal([
      ["H100-A", "moved", "10100000000000"],
      ["H100-B", "moved", "4000000000000"],
    ]);
    expect(recovered.notMovable).to.deep.equal([`${plain.deal} H100-A`]);
    const rerun = await ok<{
      complete: boolean;
      registryTransactionHash?: string;
      positions: unknown[];
    }>(["investors", "recover", investor, fresh], "admin");
    expect(rerun).to.deep.include({ complete: true, positions: [] });
    expect(rerun.registryTransactionHash).to.equal(undefined);
    const moved2 = await c.investor.position({ deal, investor: fresh, claimed: false });
    expect(moved2.tranches.map((t) => t.balance)).to.deep.equal([
      10_100_000n * USDC,
      4_000_000n * USDC,
      0n,
      0n,
    ]);
  });
});
