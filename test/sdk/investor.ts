/**
 * The investor's and the compliance agent's SDK actions added for the command line, on the in-process network: the
 * subscription checks made before anything is signed (every refusal with its exact sentence, nothing sent), an
 * investor's position (face outstanding, claimed to date, registry record, locks) and positions over every deal of
 * the factory, claims over several deals that stop half-way and finish on a second run, and the registry actions
 * (record, update of the given fields only, wallet and identity freezes, the agent check, wallet recovery into a
 * wallet of another investor refused).
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { artifacts } from "hardhat";
import { getAddress, type Address, type Hex } from "viem";
import {
  deployContract,
  getBlock,
  getContractEvents,
  getTransactionCount,
  readContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

import {
  CascadeError,
  ContractRevertError,
  INVESTOR_CLASSES,
  mockStablecoinAbi,
  offeringAbi,
  parseTermSheet,
  SubscriptionRefusedError,
  TRANSFER_RESTRICTION_MESSAGES,
  TransferRestrictedError,
  trancheTokenAbi,
  WAD,
  type CreateDealReturnType,
  type TermSheet,
  type TermSheetJson,
} from "../../sdk/index.js";
import { viemNetwork } from "../helpers/viem-network.js";

const { networkHelpers, publicClient, accounts, wallet } = await viemNetwork();
const [admin, issuer, servicer, trustee, guardian, r0, r1, agent] = accounts
  .slice(0, 8)
  .map(wallet);
/** A: accredited (US). B: qualified purchaser (DE). P: non-US person only. K: KYC ends mid-offering. */
const [A, B, P, K, outsider, newWallet, keeper, poor] = accounts.slice(8, 16).map(wallet);

const USDC = 10n ** 6n;
const DAY = 86_400n;
const SENIOR = 0;
const EQUITY = 3;

async function mint(to: Address, amount: bigint): Promise<void> {
  const hash = await writeContract(admin, {
    address: stablecoin,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [to, amount],
  });
  await waitForTransactionReceipt(publicClient, { hash });
}

const now = async () => (await getBlock(publicClient)).timestamp;
async function advanceTo(ts: bigint): Promise<void> {
  if ((await now()) < ts) await networkHelpers.time.increaseTo(ts);
}

/** Runs `fn`, expects it to throw an error of `type`, and returns it. */
async function thrown<T extends Error>(
  fn: () => Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  try {
    await fn();
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(type);
    return e as T;
  }
  throw new Error(`expected a ${type.name}`);
}

const { bytecode } = await artifacts.readArtifact("MockStablecoin");
const stablecoin = getAddress(
  (
    await waitForTransactionReceipt(publicClient, {
      hash: await deployContract(admin, {
        abi: mockStablecoinAbi,
        bytecode: bytecode as Hex,
        args: ["USD Coin", "USDC", 6],
      }),
    })
  ).contractAddress as Address,
);
const protocol = await admin.deployProtocol();
const { investorRegistry: registry } = await admin.deployAdministration({
  oracle: protocol.oracle,
  complianceAgent: agent.account.address,
});

const example = JSON.parse(
  readFileSync(new URL("../../examples/h100-fleet.json", import.meta.url), "utf8"),
) as TermSheetJson;
const addresses = {
  registry,
  stablecoin,
  issuer: issuer.account.address,
  servicer: servicer.account.address,
  trustee: trustee.account.address,
  guardian: guardian.account.address,
  reporter0: r0.account.address,
  reporter1: r1.account.address,
  reporter2: admin.account.address,
};
const restrictedJson: TermSheetJson = {
  ...example,
  registry: "$registry",
  tranches: example.tranches.map((t, i) =>
    i === SENIOR
      ? {
          ...t,
          transfer: {
            allowedClasses: ["accredited", "qualified-purchaser"],
            blockedCountries: [408],
          },
        }
      : i === EQUITY
        ? { ...t, transfer: { minHoldingPeriod: "365d" } }
        : t,
  ),
};
// Created when the tests start, not when the file loads: the in-process chain's blocks follow the clock, so the
// offerings' windows (a minute from creation) must count from the first test, whatever ran before this file.
let restricted: TermSheet;
let dealA: CreateDealReturnType;
let dealB: CreateDealReturnType;
let creationBlock: bigint;

const message = (code: number) =>
  TRANSFER_RESTRICTION_MESSAGES[code as keyof typeof TRANSFER_RESTRICTION_MESSAGES];

describe("SDK investor and compliance-agent actions", () => {
  let kycExpiry: bigint;

  before(async () => {
    // A block now, so that "now" is the clock's; one time of creation for both deals: their offerings open and
    // close together.
    await networkHelpers.mine();
    const createdAt = await now();
    restricted = parseTermSheet(restrictedJson, { now: createdAt, addresses }).terms;
    dealA = await issuer.createDeal({ factory: protocol.factory, terms: restricted });
    const plain = parseTermSheet(example, { now: createdAt, addresses }).terms;
    dealB = await issuer.createDeal({ factory: protocol.factory, terms: plain });
    creationBlock = dealA.blockNumber;
  });

  it("investorRecord, isComplianceAgent: the registry's record and who may change it", async () => {
    kycExpiry = (await now()) + 3n * 365n * DAY;
    await agent.registerInvestors({
      registry,
      investors: [
        {
          wallet: A.account.address,
          kycExpiry,
          country: 840,
          classes: INVESTOR_CLASSES.accredited,
        },
        {
          wallet: B.account.address,
          kycExpiry,
          country: 276,
          classes: INVESTOR_CLASSES["qualified-purchaser"],
        },
        {
          wallet: P.account.address,
          kycExpiry,
          country: 756,
          classes: INVESTOR_CLASSES["non-us-person"],
        },
        // KYC that ends before the offering closes.
        {
          wallet: K.account.address,
          kycExpiry: restricted.offeringClosesAt - 1n,
          country: 840,
          classes: INVESTOR_CLASSES.accredited,
        },
      ],
    });
    const r = await A.investorRecord({ registry, wallet: A.account.address });
    expect(r).to.deep.include({
      registered: true,
      identity: 1,
      kycExpiry,
      country: 840,
      classes: 1,
      classNames: ["accredited"],
      identityFrozen: false,
      walletFrozen: false,
      frozen: false,
      kycExpired: false,
      wallets: [A.account.address],
    });
    const none = await A.investorRecord({ registry, wallet: outsider.account.address });
    expect(none).to.deep.include({
      registered: false,
      identity: 0,
      wallets: [],
      kycExpired: false,
    });
    expect(await A.isComplianceAgent({ registry, account: agent.account.address })).to.equal(true);
    expect(await A.isComplianceAgent({ registry, account: A.account.address })).to.equal(false);
  });

  it("subscribe checks the offering and the subscriber first: each refusal says why, nothing is signed or sent", async () => {
    const senior = dealA.offerings[SENIOR];
    await mint(A.account.address, 30_000_000n * USDC);
    for (const w of [B, P, K, outsider]) await mint(w.account.address, 1_000_000n * USDC);
    await mint(poor.account.address, 150_000n * USDC);
    const opensAt = restricted.offeringOpensAt;
    const closesAt = restricted.offeringClosesAt;
    const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");

    const refused = async (
      who: typeof A,
      offering: Address,
      assets: bigint,
      type: typeof SubscriptionRefusedError | typeof TransferRestrictedError,
    ) => {
      const nonce = await getTransactionCount(publicClient, { address: who.account.address });
      const permitNonce = await readContract(publicClient, {
        address: stablecoin,
        abi: [
          {
            type: "function",
            name: "nonces",
            stateMutability: "view",
            inputs: [{ name: "owner", type: "address" }],
            outputs: [{ type: "uint256" }],
          },
        ] as const,
        functionName: "nonces",
        args: [who.account.address],
      });
      const e = await thrown(() => who.subscribe({ offering, assets }), type);
      expect(await getTransactionCount(publicClient, { address: who.account.address })).to.equal(
        nonce,
      );
      expect(
        await readContract(publicClient, {
          address: stablecoin,
          abi: [
            {
              type: "function",
              name: "nonces",
              stateMutability: "view",
              inputs: [{ name: "owner", type: "address" }],
              outputs: [{ type: "uint256" }],
            },
          ] as const,
          functionName: "nonces",
          args: [who.account.address],
        }),
      ).to.equal(permitNonce);
      return e;
    };

    // Before the window.
    const t0 = await now();
    const early = (await refused(
      A,
      senior,
      200_000n * USDC,
      SubscriptionRefusedError,
    )) as SubscriptionRefusedError;
    expect(early.errorName).to.equal("OfferingNotOpen");
    expect(early.namedArgs).to.deep.equal({ opensAt: Number(opensAt), closesAt: Number(closesAt) });
    expect(early.message).to.match(
      new RegExp(
        `^subscription refused \\(OfferingNotOpen\\): the offering opens at ${iso(opensAt)} \\(chain time ` +
          `\\d{4}-.*Z\\) and closes at ${iso(closesAt)}$`,
      ),
    );
    expect(t0 < opensAt).to.equal(true);

    await advanceTo(opensAt);
    const zero = (await refused(
      A,
      senior,
      0n,
      SubscriptionRefusedError,
    )) as SubscriptionRefusedError;
    expect(zero.message).to.equal("subscription refused (ZeroAmount): the amount must be positive");
    const small = (await refused(
      A,
      senior,
      10n * USDC,
      SubscriptionRefusedError,
    )) as SubscriptionRefusedError;
    expect(small.message).to.equal(
      "subscription refused (BelowMinimumTicket): 10.00 < minimum 100,000.00 USDC",
    );
    expect(small).to.be.instanceOf(ContractRevertError);
    expect(small.namedArgs).to.deep.equal({ requested: 10n * USDC, minTicket: 100_000n * USDC });
    expect(small.transactionHash).to.equal(undefined);

    const cases: [typeof A, number, string][] = [
      [outsider, 9, "ReceiverNotRegistered"],
      [P, 13, "ReceiverClassNotAllowed"],
    ];
    for (const [who, code, name] of cases) {
      const e = (await refused(
        who,
        senior,
        200_000n * USDC,
        TransferRestrictedError,
      )) as TransferRestrictedError;
      expect(e.message).to.equal(`subscription restricted (${code} ${name}): ${message(code)}`);
      expect(e.operation).to.equal("subscription");
    }
    // KYC valid now but not at the close, when the tokens are delivered.
    const kyc = (await refused(
      K,
      senior,
      200_000n * USDC,
      TransferRestrictedError,
    )) as TransferRestrictedError;
    expect(kyc.message).to.equal(
      `subscription restricted (11 ReceiverKycExpired): The receiver's KYC expires at ${iso(closesAt - 1n)}, ` +
        `before the offering closes at ${iso(closesAt)} and delivers the tokens.`,
    );
    // A frozen wallet.
    await agent.setInvestorFrozen({ registry, wallet: B.account.address, frozen: true });
    const frozen = (await refused(
      B,
      senior,
      200_000n * USDC,
      TransferRestrictedError,
    )) as TransferRestrictedError;
    expect(frozen.message).to.equal(`subscription restricted (10 ReceiverFrozen): ${message(10)}`);
    await agent.setInvestorFrozen({ registry, wallet: B.account.address, frozen: false });
    // Not enough stablecoin (an unrestricted deal: only the balance stands in the way).
    const poorly = (await refused(
      poor,
      dealB.offerings[SENIOR],
      200_000n * USDC,
      SubscriptionRefusedError,
    )) as SubscriptionRefusedError;
    expect(poorly.message).to.equal(
      `subscription refused (ERC20InsufficientBalance): ${poor.account.address} holds 150,000.00 USDC, ` +
        "less than the 200,000.00 USDC subscribed",
    );
    // The check as a view, and the minimum measured on the whole request.
    const ok = await A.checkSubscription({ offering: senior, assets: 60_000n * USDC });
    expect(ok.allowed).to.equal(false);
    await A.subscribe({ offering: senior, assets: 100_000n * USDC });
    const topUp = await A.checkSubscription({ offering: senior, assets: 10n * USDC });
    expect(topUp).to.deep.include({
      allowed: true,
      pending: 100_000n * USDC,
      requested: 100_010n * USDC,
      minTicket: 100_000n * USDC,
    });

    // Every tranche subscribed at its face, by A (and B for the mezzanine and the unrestricted deal's senior).
    await A.subscribe({ offering: senior, assets: 10_900_000n * USDC });
    await mint(B.account.address, 12_000_000n * USDC);
    await B.subscribe({ offering: dealA.offerings[1], assets: 4_000_000n * USDC });
    await A.subscribe({ offering: dealA.offerings[2], assets: 2_500_000n * USDC });
    await A.subscribe({ offering: dealA.offerings[EQUITY], assets: 7_500_000n * USDC });
    await A.subscribe({ offering: dealB.offerings[SENIOR], assets: 8_000_000n * USDC });

    await advanceTo(closesAt);
    const closed = (await refused(
      A,
      senior,
      200_000n * USDC,
      SubscriptionRefusedError,
    )) as SubscriptionRefusedError;
    expect(closed.message).to.match(
      new RegExp(
        `^subscription refused \\(OfferingNotOpen\\): the offering closed at ${iso(closesAt)} \\(chain time .*Z\\)$`,
      ),
    );
  });

  it("claimDeals: a refused tranche is reported and the run goes on; a second run finishes and repeats nothing", async () => {
    for (const offering of [...dealA.offerings, ...dealB.offerings])
      await keeper.closeOffering({ offering });
    await agent.setInvestorFrozen({ registry, wallet: A.account.address, frozen: true });
    const deals = [{ deal: dealA.deal }, { deal: dealB.deal, tranches: [SENIOR] }];
    const first = await A.claimDeals({ deals });
    expect(first.complete).to.equal(false);
    expect(first.claims.map((c) => [c.symbol, c.outcome, c.shares])).to.deep.equal([
      ["H100-A", "refused", 0n],
      ["H100-B", "nothing to claim", 0n],
      ["H100-C", "refused", 0n],
      ["H100-EQ", "refused", 0n],
      ["H100-A", "claimed", 8_000_000n * USDC],
    ]);
    expect(first.claims[0].reason).to.equal(`delivery restricted (5 SenderFrozen): ${message(5)}`);
    expect(first.claims[0].error).to.be.instanceOf(TransferRestrictedError);

    await agent.setInvestorFrozen({ registry, wallet: A.account.address, frozen: false });
    const second = await A.claimDeals({ deals });
    expect(second.complete).to.equal(true);
    expect(second.claims.map((c) => [c.symbol, c.outcome, c.shares])).to.deep.equal([
      ["H100-A", "claimed", 11_000_000n * USDC],
      ["H100-B", "nothing to claim", 0n],
      ["H100-C", "claimed", 2_500_000n * USDC],
      ["H100-EQ", "claimed", 7_500_000n * USDC],
      ["H100-A", "nothing to claim", 0n],
    ]);
    const third = await A.claimDeals({ deals });
    expect(third.claims.every((c) => c.outcome === "nothing to claim")).to.equal(true);
    expect(third.claims.flatMap((c) => c.transactionHashes)).to.deep.equal([]);
    await B.claimDeals({ deals: [{ deal: dealA.deal }] });
  });

  it("position: face outstanding, claimed to date from the Claimed events, registry record and locks", async () => {
    // One period: collections, a report, the waterfall.
    const deposit = 1_500_000n * USDC;
    await mint(servicer.account.address, deposit);
    await servicer.depositCollections({ deal: dealA.deal, amount: deposit });
    await advanceTo(restricted.start + BigInt(restricted.periodLength));
    const hours = 2_048n * 720n;
    const report = {
      deal: dealA.deal,
      period: 0n,
      gpuHoursAvailable: hours,
      gpuHoursBilled: (hours * 7n) / 10n,
      revenue: ((hours * 7n) / 10n) * 2n * USDC,
      reportHash: `0x${"11".repeat(32)}` as Hex,
    };
    const signatures = await Promise.all([r0, r1].map((r) => r.signReport({ report })));
    const proposed = await keeper.submitReport({ report: signatures[0].report, signatures });
    await advanceTo(proposed.finalAt);
    await keeper.performUpkeep({ deal: dealA.deal, maxPeriods: 1 });

    const claimed = await A.claim({ token: dealA.tokens[SENIOR] });
    expect(claimed.amount > 0n).to.equal(true);
    await agent.freezeTokens({
      token: dealA.tokens[SENIOR],
      holder: A.account.address,
      amount: 1_000n * USDC,
    });
    // A small range makes the scan read several ranges.
    const p = await A.position({
      deal: dealA.deal,
      investor: A.account.address,
      fromBlock: creationBlock,
      logRange: 3n,
    });
    const events = await getContractEvents(publicClient, {
      address: dealA.tokens[SENIOR],
      abi: trancheTokenAbi,
      eventName: "Claimed",
      args: { account: A.account.address },
      fromBlock: 0n,
      strict: true,
    });
    const senior = p.tranches[SENIOR];
    expect(senior.claimed).to.equal(events.reduce((a, e) => a + e.args.amount, 0n));
    expect(senior.claimed).to.equal(claimed.amount);
    expect(senior.factor < WAD).to.equal(true);
    expect(senior.faceOutstanding).to.equal((senior.balance * senior.factor) / WAD);
    expect(senior.frozen).to.equal(1_000n * USDC);
    expect(senior.transferable).to.equal(senior.balance - 1_000n * USDC);
    expect(senior.eligibility).to.deep.equal({
      code: 0,
      restriction: "Success",
      message: message(0),
    });
    expect(p.tranches[1].claimed).to.equal(0n);
    // The equity came from the offering: a year's holding period on all of it.
    const equity = p.tranches[EQUITY];
    expect(equity.fresh).to.equal(7_500_000n * USDC);
    expect(equity.minHoldingPeriod).to.equal(365 * 86_400);
    expect(equity.transferable).to.equal(0n);
    expect(p).to.deep.include({ stablecoin, stablecoinSymbol: "USDC", decimals: 6 });
    expect(p.record).to.deep.include({
      registry: getAddress(registry),
      registered: true,
      identity: 1,
      classNames: ["accredited"],
      frozen: false,
    });
    // An unrestricted deal has no record; a frozen wallet may not claim.
    const q = await A.position({ deal: dealB.deal, investor: A.account.address, claimed: false });
    expect(q.record).to.equal(undefined);
    expect(q.tranches[SENIOR].claimed).to.equal(undefined);
    await agent.setInvestorFrozen({ registry, wallet: A.account.address, frozen: true });
    const f = await A.position({ deal: dealA.deal, investor: A.account.address, claimed: false });
    expect(f.tranches[SENIOR].eligibility).to.deep.equal({
      code: 5,
      restriction: "SenderFrozen",
      message: message(5),
    });
    expect(f.record?.frozen).to.equal(true);
    await agent.setInvestorFrozen({ registry, wallet: A.account.address, frozen: false });
    await agent.unfreezeTokens({
      token: dealA.tokens[SENIOR],
      holder: A.account.address,
      amount: 1_000n * USDC,
    });
  });

  it("positions: every deal of the factory where the investor holds something, totals per stablecoin", async () => {
    const r = await A.positions({ factory: protocol.factory, investor: A.account.address });
    expect(r.dealCount).to.equal(2);
    expect(r.positions.map((p) => [p.deal, p.tranches.map((t) => t.symbol)])).to.deep.equal([
      [dealA.deal, ["H100-A", "H100-C", "H100-EQ"]],
      [dealB.deal, ["H100-A"]],
    ]);
    const all = r.positions.flatMap((p) => p.tranches);
    expect(r.totals).to.have.length(1);
    expect(r.totals[0]).to.deep.include({
      stablecoin,
      symbol: "USDC",
      decimals: 6,
      faceOutstanding: all.reduce((a, t) => a + t.faceOutstanding, 0n),
      claimable: all.reduce((a, t) => a + t.claimable, 0n),
      claimed: undefined,
    });
    const none = await A.positions({
      factory: protocol.factory,
      investor: outsider.account.address,
    });
    expect(none.positions).to.deep.equal([]);
    expect(none.totals).to.deep.equal([]);
  });

  it("updateInvestor changes only the fields given, reads the record back, sends nothing when nothing changes", async () => {
    const r = await agent.updateInvestor({ registry, wallet: B.account.address, country: 250 });
    expect(r.changed).to.deep.equal(["country"]);
    expect(r.before).to.deep.include({ country: 276, classes: 2, kycExpiry });
    expect(r.after).to.deep.include({ country: 250, classes: 2, kycExpiry });
    expect(r.transactionHash).to.match(/^0x[0-9a-f]{64}$/);
    const later = kycExpiry + 365n * DAY;
    const both = await agent.updateInvestor({
      registry,
      wallet: B.account.address,
      kycExpiry: later,
      classes: 3,
    });
    expect(both.changed).to.deep.equal(["kycExpiry", "classes"]);
    expect(both.after).to.deep.include({ country: 250, classes: 3, kycExpiry: later });
    const same = await agent.updateInvestor({ registry, wallet: B.account.address, country: 250 });
    expect(same).to.deep.include({ changed: [], transactionHash: undefined });

    const unknown = await thrown(
      () => agent.updateInvestor({ registry, wallet: outsider.account.address, country: 250 }),
      CascadeError,
    );
    expect(unknown.message).to.equal(
      `${outsider.account.address} is not registered in the investor registry ${registry}: register it first`,
    );
    const badCountry = await thrown(
      () => agent.updateInvestor({ registry, wallet: B.account.address, country: 1000 }),
      CascadeError,
    );
    expect(badCountry.message).to.equal(
      "country 1000 is not an ISO 3166-1 numeric code (1 to 999)",
    );
    const notAgent = await thrown(
      () => A.updateInvestor({ registry, wallet: B.account.address, country: 276 }),
      ContractRevertError,
    );
    expect(notAgent.errorName).to.equal("AccessControlUnauthorizedAccount");
  });

  it("setInvestorFrozen freezes a wallet or a whole identity; the same state again sends nothing", async () => {
    const w = await agent.setInvestorFrozen({ registry, wallet: B.account.address, frozen: true });
    expect(w.before.walletFrozen).to.equal(false);
    expect(w.after).to.deep.include({ walletFrozen: true, identityFrozen: false, frozen: true });
    const again = await agent.setInvestorFrozen({
      registry,
      wallet: B.account.address,
      frozen: true,
    });
    expect(again.transactionHash).to.equal(undefined);
    await agent.setInvestorFrozen({ registry, wallet: B.account.address, frozen: false });
    const id = await agent.setInvestorFrozen({
      registry,
      wallet: B.account.address,
      frozen: true,
      scope: "identity",
    });
    expect(id.after).to.deep.include({ identityFrozen: true, walletFrozen: false });
    const e = await thrown(
      () => B.transfer({ token: dealA.tokens[1], to: A.account.address, amount: USDC }),
      TransferRestrictedError,
    );
    expect(e.code).to.equal(5);
    await agent.setInvestorFrozen({
      registry,
      wallet: B.account.address,
      frozen: false,
      scope: "identity",
    });
    const unknown = await thrown(
      () => agent.setInvestorFrozen({ registry, wallet: outsider.account.address, frozen: true }),
      CascadeError,
    );
    expect(unknown.message).to.equal(
      `${outsider.account.address} is not registered in the investor registry ${registry}`,
    );
  });

  it("recoverWallet reports each step, refuses a wallet of another investor, and a second run finishes nothing twice", async () => {
    const tokens = [...dealA.tokens];
    const refused = await thrown(
      () =>
        agent.recoverWallet({
          registry,
          tokens,
          lostWallet: B.account.address,
          newWallet: A.account.address,
        }),
      CascadeError,
    );
    expect(refused.message).to.equal(
      `${A.account.address} belongs to another investor (identity 1) than ${B.account.address} (identity 2): ` +
        "recover into a new wallet or one of the same investor",
    );
    const steps: unknown[] = [];
    const r = await agent.recoverWallet({
      registry,
      tokens,
      lostWallet: B.account.address,
      newWallet: newWallet.account.address,
      onProgress: (s) => steps.push(s),
    });
    expect(steps).to.deep.equal([
      { registryTransactionHash: r.registryTransactionHash },
      ...r.positions,
    ]);
    expect(r.positions.map((p) => p.token)).to.deep.equal([dealA.tokens[1]]);
    const again = await agent.recoverWallet({
      registry,
      tokens,
      lostWallet: B.account.address,
      newWallet: newWallet.account.address,
    });
    expect(again).to.deep.equal({ registryTransactionHash: undefined, positions: [] });
    expect(
      await readContract(publicClient, {
        address: dealA.offerings[1],
        abi: offeringAbi,
        functionName: "refundable",
        args: [newWallet.account.address],
      }),
    ).to.equal(0n);
  });
});
