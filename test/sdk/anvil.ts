/**
 * The SDK against a real JSON-RPC node: anvil over HTTP, with local (private-key) accounts signing every
 * transaction, permit and report. Nothing here goes through Hardhat's provider; the test only borrows the
 * MockStablecoin artifact. Skipped when the anvil binary is not installed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { artifacts } from "hardhat";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  keccak256,
  toHex,
  type Address,
  type Hex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { deployContract, getBlock, waitForTransactionReceipt, writeContract } from "viem/actions";

import {
  cascadeActions,
  ContractRevertError,
  mockStablecoinAbi,
  parseTermSheet,
  upkeepPerformData,
  DealModel,
  WaterfallMath,
} from "../../sdk/index.js";

const ANVIL = fileURLToPath(new URL("../../node_modules/.bin/anvil", import.meta.url));
/** Anvil's default dev mnemonic (public test keys). */
const MNEMONIC = "test test test test test test test test test test test junk";
const USDC = 10n ** 6n;

async function startAnvil(): Promise<{ url: string; process: ChildProcess }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const child = spawn(ANVIL, ["--port", String(port), "--quiet"], { stdio: "ignore" });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) break;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        });
        if (res.ok) return { url, process: child };
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill();
  }
  throw new Error("anvil did not start");
}

describe("SDK on a JSON-RPC node (anvil, HTTP, local accounts)", function () {
  this.timeout(120_000);
  let anvil: { url: string; process: ChildProcess } | undefined;

  before(async function () {
    if (!existsSync(ANVIL)) this.skip();
    anvil = await startAnvil();
  });

  after(() => {
    anvil?.process.kill();
  });

  it("deploys, creates, funds and distributes a deal; reverts decode from the node's errors", async () => {
    const url = (anvil as { url: string }).url;
    const chain = defineChain({
      id: 31_337,
      name: "anvil",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [url] } },
    });
    const transport = http(url, { retryCount: 0 });
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
    const testClient = createTestClient({ chain, mode: "anvil", transport });
    const wallet = (i: number) =>
      createWalletClient({
        account: mnemonicToAccount(MNEMONIC, { addressIndex: i }),
        chain,
        transport,
        pollingInterval: 50,
      }).extend(cascadeActions);
    const [admin, issuer, servicer, trustee, guardian, r0, r1, r2, investor, keeper] = Array.from(
      { length: 10 },
      (_, i) => wallet(i),
    );
    const warpTo = async (timestamp: bigint) => {
      await testClient.setNextBlockTimestamp({ timestamp });
      await testClient.mine({ blocks: 1 });
    };

    const { bytecode } = await artifacts.readArtifact("MockStablecoin");
    const deployed = await deployContract(admin, {
      abi: mockStablecoinAbi,
      bytecode: bytecode as Hex,
      args: ["USD Coin", "USDC", 6],
    });
    const stablecoin = (await waitForTransactionReceipt(publicClient, { hash: deployed }))
      .contractAddress as Address;
    const protocol = await admin.deployProtocol();

    const example: unknown = JSON.parse(
      readFileSync(new URL("../../examples/h100-fleet.json", import.meta.url), "utf8"),
    );
    const { terms } = parseTermSheet(example, {
      now: (await getBlock(publicClient)).timestamp,
      addresses: {
        stablecoin,
        issuer: issuer.account.address,
        servicer: servicer.account.address,
        trustee: trustee.account.address,
        guardian: guardian.account.address,
        reporter0: r0.account.address,
        reporter1: r1.account.address,
        reporter2: r2.account.address,
      },
    });
    const { deal, offerings, tokens } = await issuer.createDeal({
      factory: protocol.factory,
      terms,
    });

    const mint = async (to: Address, amount: bigint) =>
      waitForTransactionReceipt(publicClient, {
        hash: await writeContract(admin, {
          address: stablecoin,
          abi: mockStablecoinAbi,
          functionName: "mint",
          args: [to, amount],
        }),
      });

    await warpTo(terms.offeringOpensAt);
    const total = terms.tranches.reduce((a, t) => a + t.faceAmount, 0n);
    await mint(investor.account.address, total);
    for (const [t, offering] of offerings.entries()) {
      const r = await investor.subscribe({ offering, assets: terms.tranches[t].faceAmount });
      expect(r.method).to.equal("permit");
    }
    await warpTo(terms.offeringClosesAt);
    const issued: bigint[] = [];
    for (const offering of offerings)
      issued.push((await keeper.closeOffering({ offering })).accepted);
    for (const offering of offerings) await investor.claimShares({ offering });

    const gpuHoursAvailable = 2_048n * 720n;
    const gpuHoursBilled = (gpuHoursAvailable * 78n) / 100n;
    const report = {
      deal,
      period: 0n,
      gpuHoursAvailable,
      gpuHoursBilled,
      revenue: gpuHoursBilled * 2_300_000n,
      reportHash: keccak256(toHex("anvil-period-1")),
    };
    const deposit = WaterfallMath.bpsOfDown(report.revenue, terms.pledgedShareBps);
    await mint(servicer.account.address, deposit);
    await servicer.depositCollections({ deal, amount: deposit });
    await warpTo(terms.start + BigInt(terms.periodLength));

    // The reporters sign locally; the struct binds anvil's chain id, the oracle, round 0 and the reporter set.
    const signatures = await Promise.all([r2, r1].map((r) => r.signReport({ report })));
    expect(signatures[0].report).to.deep.equal(signatures[1].report);
    const proposed = await keeper.submitReport({ report: signatures[0].report, signatures });
    // Pending for the dispute window: a revert from the node decodes to the oracle's error.
    const early = await keeper.distribute({ deal, period: 0n }).catch((e: unknown) => e);
    expect((early as ContractRevertError).errorName).to.equal("ReportNotFinal");
    await warpTo(proposed.finalAt);

    const { statements, bountyEarned } = await keeper.distributeReady({ deal });
    expect(statements).to.have.length(1);
    expect(bountyEarned).to.equal(terms.keeperBounty);
    const model = DealModel.distribute(
      DealModel.initialDealState(terms, issued),
      terms,
      report,
      deposit,
      {
        keeper: keeper.account.address,
        equityToken: tokens[tokens.length - 1],
      },
    );
    expect(statements[0]).to.deep.equal(model.statement);

    const again = await keeper.distribute({ deal, period: 0n }).catch((e: unknown) => e);
    expect(again).to.be.instanceOf(ContractRevertError);
    expect((again as ContractRevertError).errorName).to.equal("WaterfallPeriodAlreadyDistributed");
    const stale = await keeper.performUpkeep({ deal, performData: upkeepPerformData(0n, 1n) });
    expect(stale.alreadyDistributed).to.equal(true);

    const paid = await investor.claim({ token: tokens[0] });
    // The sole holder gets the tranche's cash less at most one unit of index rounding (it stays in the token).
    const due = statements[0].interestPaid[0] + statements[0].principalPaid[0];
    expect(due - paid.amount).to.be.oneOf([0n, 1n]);
    const snapshot = await keeper.dealSnapshot({ deal });
    expect(snapshot.nextPeriod).to.equal(1n);
    expect(snapshot.lastStatement).to.deep.equal(statements[0]);
    expect(snapshot.tranches[0].outstanding).to.equal(model.next.tranches[0].outstanding);
    expect(issued.reduce((a, b) => a + b, 0n)).to.equal(total);
    expect(total).to.equal(25_000_000n * USDC);
  });
});
