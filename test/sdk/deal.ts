/**
 * A deal run end to end through the SDK on the in-process network, with viem clients on Hardhat's provider
 * (JSON-RPC accounts, plus a local private-key account for the keeper). The pure model must give the chain's
 * PeriodDistributed statements to the wei in every period, healthy or stressed, and reverts must surface as typed
 * errors.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { artifacts } from "hardhat";
import { keccak256, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  deployContract,
  getBlock,
  readContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

import {
  CascadeError,
  ContractRevertError,
  dealAbi,
  dealFactoryAbi,
  dealTermsHash,
  hashReport,
  DealStatus,
  decodeRevert,
  explainRevert,
  mockStablecoinAbi,
  NotReadyError,
  offeringAbi,
  parseTermSheet,
  ReportState,
  UNREPORTED,
  upkeepPerformData,
  utilizationOracleAbi,
  wrapContractError,
  type CreateDealReturnType,
  type DeployProtocolReturnType,
  type PeriodDetail,
  type PeriodOutcome,
  type PeriodRecord,
  type PeriodStatement,
  type ReportContent,
  type TermSheet,
  DealModel,
  WaterfallMath,
} from "../../sdk/index.js";
import { viemNetwork } from "../helpers/viem-network.js";

const { provider, networkHelpers, publicClient, accounts, wallet } = await viemNetwork();
const [admin, issuer, servicer, trustee, guardian, r0, r1, r2] = accounts.slice(0, 8).map(wallet);
const investors = accounts.slice(8, 14).map(wallet);
// The keeper signs locally (viem local account); the node only sees raw transactions.
const keeperAccount = privateKeyToAccount(generatePrivateKey());
await networkHelpers.setBalance(keeperAccount.address, 10n ** 20n);
const keeper = wallet(keeperAccount);

const USDC = 10n ** 6n;
const GPU_HOURS = 2_048n * 720n;
const example = JSON.parse(
  readFileSync(new URL("../../examples/h100-fleet.json", import.meta.url), "utf8"),
);

/** Moves chain time forward to `ts` (no-op when already there). */
async function advanceTo(ts: bigint): Promise<void> {
  if ((await getBlock(publicClient)).timestamp < ts) await networkHelpers.time.increaseTo(ts);
}

async function periodEnd(s: Setup, period: number): Promise<bigint> {
  return readContract(publicClient, {
    address: s.created.deal,
    abi: dealAbi,
    functionName: "periodEnd",
    args: [BigInt(period)],
  });
}

async function deployStablecoin(): Promise<Address> {
  const { bytecode } = await artifacts.readArtifact("MockStablecoin");
  const hash = await deployContract(admin, {
    abi: mockStablecoinAbi,
    bytecode: bytecode as Hex,
    args: ["USD Coin", "USDC", 6],
  });
  return (await waitForTransactionReceipt(publicClient, { hash })).contractAddress as Address;
}

async function mint(token: Address, to: Address, amount: bigint): Promise<void> {
  const hash = await writeContract(admin, {
    address: token,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [to, amount],
  });
  await waitForTransactionReceipt(publicClient, { hash });
}

/** The H100 example's term sheet, its times counted from now. */
async function exampleTerms(stablecoin: Address): Promise<TermSheet> {
  const now = (await getBlock(publicClient)).timestamp;
  return parseTermSheet(example, {
    now,
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
  }).terms;
}

interface Setup {
  stablecoin: Address;
  protocol: DeployProtocolReturnType;
  terms: TermSheet;
  created: CreateDealReturnType;
}

/** Protocol, stablecoin and a deal from the H100 example; subscriptions fill every tranche (the senior 1.3×). */
/** `covenants: false` keeps the example's fleet but drops its triggers (the waterfall in its normal order only). */
async function setUp(opts: { covenants?: boolean } = {}): Promise<Setup> {
  const stablecoin = await deployStablecoin();
  const protocol = await admin.deployProtocol();
  const terms = await exampleTerms(stablecoin);
  if (opts.covenants === false) terms.risk = { ...terms.risk, triggers: [] };
  const created = await issuer.createDeal({ factory: protocol.factory, terms });
  return { stablecoin, protocol, terms, created };
}

/** Subscribes (permit), closes and claims; returns the issued amounts. */
async function fund(s: Setup): Promise<bigint[]> {
  const { terms, created, stablecoin } = s;
  await advanceTo(terms.offeringOpensAt);
  const plan: [number, number, bigint][] = [
    [0, 0, 8_000_000n],
    [1, 0, 6_300_000n],
    [2, 1, 4_000_000n],
    [3, 2, 2_500_000n],
    [4, 3, 5_000_000n],
    [5, 3, 2_500_000n],
  ];
  for (const [i, t, dollars] of plan) {
    await mint(stablecoin, investors[i].account.address, dollars * USDC);
    const r = await investors[i].subscribe({
      offering: created.offerings[t],
      assets: dollars * USDC,
    });
    expect(r.method).to.equal("permit");
  }
  await advanceTo(terms.offeringClosesAt);
  const issued: bigint[] = [];
  for (const offering of created.offerings)
    issued.push((await keeper.closeOffering({ offering })).accepted);
  for (const [i, t] of plan) await investors[i].claimShares({ offering: created.offerings[t] });
  return issued;
}

function report(
  deal: Address,
  period: number,
  utilizationBps: number,
  price: bigint,
): ReportContent {
  const billed = (GPU_HOURS * BigInt(utilizationBps)) / 10_000n;
  return {
    deal,
    period: BigInt(period),
    gpuHoursAvailable: GPU_HOURS,
    gpuHoursBilled: billed,
    revenue: billed * price,
    reportHash: keccak256(toHex(`report-${period}`)),
  };
}

/** Proposes a report signed by `signers` (by default two of the three, or all three) and waits out the dispute window. */
async function submit(
  s: Setup,
  rep: ReportContent,
  opts: { signers?: (typeof r0)[]; final?: boolean } = {},
): Promise<void> {
  const signatures = await Promise.all(
    (opts.signers ?? [r2, r0]).map((r) => r.signReport({ report: rep })),
  );
  await keeper.submitReport({ report: signatures[0].report, signatures });
  if (opts.final ?? true) await networkHelpers.time.increase(s.terms.oracle.disputeWindow);
}

async function stablecoinBalance(s: Setup, who: Address): Promise<bigint> {
  return readContract(publicClient, {
    address: s.stablecoin,
    abi: mockStablecoinAbi,
    functionName: "balanceOf",
    args: [who],
  });
}

/** The addresses a model statement names: the keeper that runs the periods and the deal's equity token. */
function parties(s: Setup) {
  return {
    keeper: keeper.account.address,
    equityToken: s.created.tokens[s.created.tokens.length - 1],
  };
}

/** Runs every period; returns the model's statements and details and the chain's statements. */
async function runDeal(
  s: Setup,
  issued: bigint[],
  path: { utilizationBps: number; price: bigint; depositBps: number; unreported?: boolean }[],
): Promise<{
  model: PeriodStatement[];
  details: PeriodDetail[];
  chain: PeriodStatement[];
  status: number;
}> {
  let state = DealModel.initialDealState(s.terms, issued);
  const model: PeriodStatement[] = [];
  const details: PeriodDetail[] = [];
  const chainStatements: PeriodStatement[] = [];
  const bountyBefore = await stablecoinBalance(s, keeper.account.address);
  for (let p = 0; p < path.length; p++) {
    const rep = report(s.created.deal, p, path[p].utilizationBps, path[p].price);
    const deposit = WaterfallMath.bpsOfDown(
      WaterfallMath.bpsOfDown(rep.revenue, s.terms.pledgedShareBps),
      path[p].depositBps,
    );
    if (deposit > 0n) {
      await mint(s.stablecoin, servicer.account.address, deposit);
      await servicer.depositCollections({ deal: s.created.deal, amount: deposit });
    }
    const end = await periodEnd(s, p);
    await advanceTo(end);
    let outcome: PeriodOutcome = rep;
    if (path[p].unreported) {
      // Nobody reports: after the deadline anyone marks the period unreported.
      await advanceTo(end + BigInt(s.terms.oracle.reportDeadline));
      await investors[0].markUnreported({ deal: s.created.deal, period: BigInt(p) });
      outcome = UNREPORTED;
    } else {
      // Every reporter signs: the stressed path moves utilization by more than the step two signers may attest.
      await submit(s, rep, { signers: [r0, r1, r2] });
    }
    const run = await keeper.distributeReady({ deal: s.created.deal });
    expect(run.statements).to.have.length(1);
    expect(run.bountyEarned).to.equal(run.statements[0].keeperBountyPaid);
    chainStatements.push(...run.statements);
    const sim = DealModel.distribute(state, s.terms, outcome, deposit, parties(s));
    model.push(sim.statement);
    details.push(sim.detail);
    state = sim.next;
  }
  const snap = await keeper.dealSnapshot({ deal: s.created.deal });
  expect(snap.status).to.equal(state.status);
  expect(snap.reserve.balance).to.equal(state.reserve);
  expect(snap.tranches.map((t) => t.outstanding)).to.deep.equal(
    state.tranches.map((t) => t.outstanding),
  );
  expect(snap.tranches.map((t) => t.arrears)).to.deep.equal(state.tranches.map((t) => t.arrears));
  expect(snap.missedReports).to.equal(BigInt(state.missedReports));
  // The keeper earned exactly the bounties the statements record.
  const bounties = chainStatements.reduce((a, x) => a + x.keeperBountyPaid, 0n);
  expect((await stablecoinBalance(s, keeper.account.address)) - bountyBefore).to.equal(bounties);
  return { model, details, chain: chainStatements, status: snap.status };
}

/** What `periodStatements` derives (rates, scheduled principal, interest arrears) equals the model's detail. */
function expectDerivedFigures(records: PeriodRecord[], details: PeriodDetail[]): void {
  expect(records.map((r) => [r.rates, r.principalDue, r.interestArrears])).to.deep.equal(
    details.map((d) => [d.rates, d.principalDue, d.interestArrears]),
  );
}

const HEALTHY = [
  6_200, 6_700, 7_200, 7_600, 8_000, 8_300, 7_700, 7_200, 7_900, 8_400, 8_600, 8_800,
].map((u, t) => ({
  utilizationBps: u,
  price: BigInt(Math.round(240 * 0.7 ** (t / 12))) * 10_000n,
  depositBps: t === 7 ? 9_000 : t === 8 ? 11_111 : 10_000,
}));

describe("SDK on chain: the H100 deal", function () {
  this.timeout(120_000);

  it("healthy path: the model equals every PeriodDistributed statement to the wei, and the deal is Repaid", async () => {
    const s = await setUp();
    const issued = await fund(s);
    expect(issued[0]).to.equal(s.terms.tranches[0].faceAmount); // oversubscribed: capped at face
    const { model, details, chain: onChain, status } = await runDeal(s, issued, HEALTHY);
    expect(onChain).to.have.length(12);
    expect(model).to.deep.equal(onChain);
    expect(onChain.every(DealModel.statementBalances)).to.equal(true);
    expect(status).to.equal(DealStatus.Repaid);

    const records = await keeper.periodStatements({
      deal: s.created.deal,
      fromBlock: s.created.blockNumber,
    });
    expect(records.map((r) => r.statement)).to.deep.equal(onChain);
    expect(records[11].outstanding).to.deep.equal([0n, 0n, 0n]);
    expectDerivedFigures(records, details);
    expect(records.every((r) => r.residualRecipient === s.created.tokens[3])).to.equal(true);

    // The fees paid are credited in the deal until the trustee and the servicer withdraw them.
    const trusteeFees = onChain.reduce((a, x) => a + x.trusteeFeePaid, 0n);
    const servicerFees = onChain.reduce((a, x) => a + x.servicerFeePaid, 0n);
    const snap = await keeper.dealSnapshot({ deal: s.created.deal });
    expect(snap.feesOwed).to.deep.equal({ trustee: trusteeFees, servicer: servicerFees });
    expect(snap.stablecoinBalance).to.equal(
      snap.reserve.balance + snap.collections + trusteeFees + servicerFees,
    );
    for (const [who, fees] of [
      [trustee, { trusteeFees, servicerFees: 0n }],
      [servicer, { trusteeFees: 0n, servicerFees }],
    ] as const) {
      const before = await stablecoinBalance(s, who.account.address);
      const got = await who.withdrawFees({ deal: s.created.deal });
      expect(got).to.deep.include({ ...fees, amount: fees.trusteeFees + fees.servicerFees });
      expect((await stablecoinBalance(s, who.account.address)) - before).to.equal(got.amount);
      const again = await who.withdrawFees({ deal: s.created.deal }).catch((e: unknown) => e);
      expect(again).to.be.instanceOf(ContractRevertError);
      expect([
        (again as ContractRevertError).errorName,
        (again as ContractRevertError).args,
      ]).to.deep.equal(["NoFeesOwed", [who.account.address]]);
    }
    const stranger = await investors[0]
      .withdrawFees({ deal: s.created.deal })
      .catch((e: unknown) => e);
    expect((stranger as ContractRevertError).errorName).to.equal("NoFeesOwed");
    const emptied = await keeper.dealSnapshot({ deal: s.created.deal });
    expect(emptied.feesOwed).to.deep.equal({ trustee: 0n, servicer: 0n });
    expect(emptied.stablecoinBalance).to.equal(emptied.reserve.balance + emptied.collections);

    // Every unit paid to a tranche is claimed, claimable, or rounding dust left in its token.
    const claimed = await investors[0].claim({ token: s.created.tokens[0] });
    expect(claimed.amount > 0n).to.equal(true);
    const ledger = await keeper.trancheLedger({
      deal: s.created.deal,
      fromBlock: s.created.blockNumber,
    });
    for (const e of ledger) {
      expect(e.balanced).to.equal(true);
      expect(e.paid).to.equal(e.claimed + e.claimable + e.dust);
      expect(e.dust <= BigInt(e.holders.length * 12)).to.equal(true);
    }
    expect(ledger[0].claimed).to.equal(claimed.amount);
    expect(ledger[3].paid).to.equal(onChain.reduce((a, x) => a + x.residualPaid, 0n));
  });

  it("stressed path: arrears, reserve draws and a default still match the model to the wei", async () => {
    // Without covenants: the stress runs the normal order to maturity (the covenants would accelerate it).
    const s = await setUp({ covenants: false });
    const issued = await fund(s);
    // Utilization collapses and the servicer deposits less than the report says.
    const path = [
      5_500, 4_000, 2_500, 1_500, 1_000, 800, 500, 3_000, 6_000, 9_000, 9_500, 2_000,
    ].map((u, t) => ({
      utilizationBps: u,
      price: BigInt(Math.round(200 * 0.6 ** (t / 12))) * 10_000n,
      depositBps: t % 4 === 3 ? 0 : t % 2 === 0 ? 7_000 : 12_000,
      // Two periods go unreported: all collections are used and the linked mezzanine coupon pays its floor.
      unreported: t === 4 || t === 9,
    }));
    const { model, details, chain: onChain, status } = await runDeal(s, issued, path);
    expect(model).to.deep.equal(onChain);
    expect(onChain.filter((x) => !x.reported).map((x) => x.period)).to.deep.equal([4n, 9n]);
    expect(onChain.some((x) => x.reserveDrawn > 0n)).to.equal(true);
    expect(onChain.some((x) => x.reserveToppedUp > 0n)).to.equal(true);
    expect(onChain.some((x) => x.collectionsCarried > 0n)).to.equal(true);
    expect(status).to.equal(DealStatus.Defaulted);
    const snap = await keeper.dealSnapshot({ deal: s.created.deal });
    // The principal unpaid at maturity is written off, equity first (its whole par).
    expect(snap.tranches.every((t) => t.outstanding === 0n)).to.equal(true);
    expect(snap.tranches.slice(0, 3).some((t) => t.writtenDown > 0n)).to.equal(true);
    expect(snap.tranches[3].writtenDown).to.equal(issued[3]);
    expect(snap.lastStatement).to.deep.equal(onChain[11]);
    const records = await keeper.periodStatements({
      deal: s.created.deal,
      fromBlock: s.created.blockNumber,
    });
    expect(records.some((r) => r.interestArrears.some((a) => a > 0n))).to.equal(true);
    expectDerivedFigures(records, details);
    // The statement's outstanding is what the final payment left, before the write-off.
    expect(records[11].outstanding).to.deep.equal(onChain[11].outstanding);
    expect(records[11].outstanding.some((o) => o > 0n)).to.equal(true);
    expect(
      records.filter((r) => r.missedReports !== undefined).map((r) => r.missedReports),
    ).to.deep.equal([1n, 2n]);
    expect(records[4].rates[1]).to.equal(s.terms.tranches[1].coupon.floorRate);
    expect(records.every((r) => r.keeper === keeper.account.address)).to.equal(true);
    expect(snap.reports.map((r) => r.state)).to.deep.equal(
      path.map((x) => (x.unreported ? ReportState.Unreported : ReportState.Final)),
    );
    expect(records.some((r) => r.servicerFeeArrears > 0n || r.trusteeFeeArrears > 0n)).to.equal(
      true,
    );
  });
});

describe("SDK on chain: actions and typed errors", function () {
  this.timeout(120_000);
  let s: Setup;

  before(async () => {
    s = await setUp();
  });

  it("closeOffering before the window ends is NotReadyError", async () => {
    const err = await keeper
      .closeOffering({ offering: s.created.offerings[0] })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(NotReadyError);
  });

  it("a subscription the investor cannot pay is refused with the stablecoin's ERC-20 error before anything is sent", async () => {
    await advanceTo(s.terms.offeringOpensAt);
    const err = await investors[0]
      .subscribe({ offering: s.created.offerings[0], assets: 1_000_000n * USDC })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ContractRevertError);
    expect((err as ContractRevertError).errorName).to.equal("ERC20InsufficientBalance");
    expect((err as ContractRevertError).namedArgs.sender).to.equal(investors[0].account.address);
  });

  it("subscribes with approve + requestDeposit when asked, and reports the position", async () => {
    await mint(s.stablecoin, investors[5].account.address, 300_000n * USDC);
    const r = await investors[5].subscribe({
      offering: s.created.offerings[2],
      assets: 300_000n * USDC,
      method: "approve",
    });
    expect(r.method).to.equal("approve");
    expect(r.approveTransactionHash).to.be.a("string");
    expect(r.pending).to.equal(300_000n * USDC);
    const pos = await keeper.position({
      deal: s.created.deal,
      investor: investors[5].account.address,
    });
    expect(pos.tranches[2].pendingRequest).to.equal(300_000n * USDC);
    expect(pos.tranches[0].pendingRequest).to.equal(0n);
  });

  it("dealTermSheet reads the term sheet back from the createDeal call and checks it against DealCreated's hash", async () => {
    const read = await keeper.dealTermSheet({ factory: s.protocol.factory, deal: s.created.deal });
    expect(read.terms).to.deep.equal(s.terms);
    expect(read.termsHash).to.equal(s.created.termsHash);
    expect(read.transactionHash).to.equal(s.created.transactionHash);
    expect(read.createdBy).to.equal("createDeal");
    const none = await keeper
      .dealTermSheet({ factory: s.protocol.factory, deal: keeper.account.address })
      .catch((e: unknown) => e);
    expect(none).to.be.instanceOf(CascadeError);
  });

  it("only the issuer sends createDeal; with signDealConsent another account creates its deal", async () => {
    const factory = s.protocol.factory;
    const terms = await exampleTerms(s.stablecoin);
    // Anyone but the issuer is refused before sending, with the factory's own error and a sentence.
    const refused = await keeper.createDeal({ factory, terms }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(ContractRevertError);
    const notIssuer = refused as ContractRevertError;
    expect([notIssuer.errorName, notIssuer.namedArgs, notIssuer.transactionHash]).to.deep.equal([
      "IssuerConsentRequired",
      { issuer: issuer.account.address, caller: keeper.account.address },
      undefined,
    ]);
    expect(notIssuer.explanation).to.equal(
      `only the term sheet's issuer ${issuer.account.address} may send createDeal, not ` +
        `${keeper.account.address}; another account submits the issuer's signed consent with createDealWithConsent`,
    );

    // The issuer signs (nothing is sent); the keeper submits.
    const nonce = await readContract(publicClient, {
      address: factory,
      abi: dealFactoryAbi,
      functionName: "nonces",
      args: [issuer.account.address],
    });
    const consent = await issuer.signDealConsent({ factory, terms });
    expect(consent.issuer).to.equal(issuer.account.address);
    expect(consent.signer).to.equal(issuer.account.address);
    expect(consent.nonce).to.equal(nonce);
    expect(consent.termsHash).to.equal(dealTermsHash(terms));
    expect(consent.deadline).to.equal((await getBlock(publicClient)).timestamp + 86_400n);
    expect(consent.digest).to.equal(
      await readContract(publicClient, {
        address: factory,
        abi: dealFactoryAbi,
        functionName: "hashCreateDeal",
        args: [consent.termsHash, consent.nonce, consent.deadline],
      }),
    );
    const created = await keeper.createDealWithConsent({ factory, terms, consent });
    expect([created.issuer, created.termsHash, created.nonce]).to.deep.equal([
      issuer.account.address,
      consent.termsHash,
      nonce,
    ]);
    // The term sheet reads back from the consent call, against the same hash createDeal commits to.
    const read = await investors[0].dealTermSheet({ factory, deal: created.deal });
    expect(read.terms).to.deep.equal(terms);
    expect([read.termsHash, read.createdBy]).to.deep.equal([
      consent.termsHash,
      "createDealWithConsent",
    ]);

    // The consent is used up.
    const again = await keeper
      .createDealWithConsent({ factory, terms, consent })
      .catch((e: unknown) => e);
    expect((again as ContractRevertError).errorName).to.equal("InvalidIssuerSignature");
    expect((again as ContractRevertError).namedArgs).to.deep.equal({
      issuer: issuer.account.address,
    });
    // A consent to other terms is refused before sending.
    const other = { ...terms, keeperBounty: terms.keeperBounty + 1n };
    const mismatch = await keeper
      .createDealWithConsent({ factory, terms: other, consent })
      .catch((e: unknown) => e);
    expect(mismatch).to.be.instanceOf(CascadeError);
    expect(mismatch).to.not.be.instanceOf(ContractRevertError);
    expect((mismatch as CascadeError).message).to.equal(
      "createDealWithConsent: the consent was signed for another term sheet",
    );
    // An expired consent.
    const deadline = (await getBlock(publicClient)).timestamp - 1n;
    const stale = await issuer.signDealConsent({ factory, terms, deadline });
    expect(stale.nonce).to.equal(nonce + 1n);
    const expired = await keeper
      .createDealWithConsent({ factory, terms, consent: stale })
      .catch((e: unknown) => e);
    expect([
      (expired as ContractRevertError).errorName,
      (expired as ContractRevertError).namedArgs,
    ]).to.deep.equal(["ConsentExpired", { deadline }]);
  });

  it("createDeal with a struct the contract refuses is InvalidTermSheet(field, index)", async () => {
    const bad = { ...s.terms, periodCount: 0 };
    const err = await issuer
      .createDeal({ factory: s.protocol.factory, terms: bad })
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ContractRevertError);
    const revert = err as ContractRevertError;
    expect(revert.errorName).to.equal("InvalidTermSheet");
    expect(revert.args).to.deep.equal([9, 0n]); // TermSheetField.PeriodCount
    expect(revert.enumNames).to.deep.equal({ field: "PeriodCount" });
    expect(revert.message).to.equal("reverted with InvalidTermSheet(PeriodCount, 0)");
  });

  it("oracle terms the oracle refuses are InvalidOracleTerms(field), named", async () => {
    const bad = {
      ...s.terms,
      oracle: { ...s.terms.oracle, reportDeadline: s.terms.oracle.disputeWindow },
    };
    const err = await issuer
      .createDeal({ factory: s.protocol.factory, terms: bad })
      .catch((e: unknown) => e);
    expect((err as ContractRevertError).errorName).to.equal("InvalidOracleTerms");
    expect((err as ContractRevertError).message).to.equal(
      "reverted with InvalidOracleTerms(ReportDeadline)",
    );
  });

  it("runs a period, then distributing it again is WaterfallPeriodAlreadyDistributed", async () => {
    await fund(s);
    const rep = report(s.created.deal, 0, 7_000, 2_000_000n);
    const deposit = WaterfallMath.bpsOfDown(rep.revenue, s.terms.pledgedShareBps);
    await mint(s.stablecoin, servicer.account.address, deposit);
    const dep = await servicer.depositCollections({ deal: s.created.deal, amount: deposit });
    expect(dep.undistributed).to.equal(deposit);
    expect(dep.approveTransactionHash).to.be.a("string");

    // Too early: nothing is ready, and a direct call says why.
    expect((await keeper.distributeReady({ deal: s.created.deal })).statements).to.have.length(0);
    const early = await keeper
      .distribute({ deal: s.created.deal, period: 0n })
      .catch((e: unknown) => e);
    expect((early as ContractRevertError).errorName).to.equal("WaterfallPeriodNotEnded");

    await advanceTo(await periodEnd(s, 0));
    const notFinal = await keeper
      .distribute({ deal: s.created.deal, period: 0n })
      .catch((e: unknown) => e);
    expect((notFinal as ContractRevertError).errorName).to.equal("ReportNotFinal");

    // One signature is below the quorum of two.
    const one = [await r1.signReport({ oracle: s.protocol.oracle, report: rep })];
    const quorum = await keeper
      .submitReport({ report: one[0].report, signatures: one })
      .catch((e: unknown) => e);
    expect((quorum as ContractRevertError).errorName).to.equal("InsufficientSignatures");
    expect((quorum as ContractRevertError).args).to.deep.equal([1n, 2n]);

    // The signed struct binds chain, oracle, round 0 and the deal's reporter set; the local digest is the oracle's.
    const signed = one[0].report;
    expect(signed.chainId).to.equal(31_337n);
    expect(signed.oracle).to.equal(s.protocol.oracle);
    expect(signed.round).to.equal(0);
    expect(
      await readContract(publicClient, {
        address: s.protocol.oracle,
        abi: utilizationOracleAbi,
        functionName: "hashReport",
        args: [signed],
      }),
    ).to.equal(hashReport(signed));
    // A signature for another chain or another oracle deployment is refused before any signature is checked.
    const wrongChain = await r1.signReport({ report: { ...rep, chainId: 1n } });
    const chainErr = await keeper
      .submitReport({ report: wrongChain.report, signatures: [wrongChain, wrongChain] })
      .catch((e: unknown) => e);
    expect((chainErr as ContractRevertError).errorName).to.equal("ReportWrongChain");
    const stale = await r1.signReport({
      report: { ...signed, oracle: s.protocol.factory },
    });
    const staleErr = await keeper
      .submitReport({ oracle: s.protocol.oracle, report: stale.report, signatures: [stale, stale] })
      .catch((e: unknown) => e);
    expect((staleErr as ContractRevertError).errorName).to.equal("ReportStaleDomain");

    // Signatures in descending order are sorted by submitReport.
    const sigs = await Promise.all(
      [r0, r1, r2].map((r) => r.signReport({ oracle: s.protocol.oracle, report: rep })),
    );
    sigs.sort((a, b) => (BigInt(a.signer) > BigInt(b.signer) ? -1 : 1));
    const submitted = await keeper.submitReport({
      report: sigs[0].report,
      signatures: sigs,
    });
    expect(submitted.signers.map((x) => BigInt(x))).to.deep.equal(
      sigs.map((x) => BigInt(x.signer)).reverse(),
    );
    expect(submitted.round).to.equal(0n);

    // Pending: not final until the dispute window has passed.
    const pending = await keeper
      .distribute({ deal: s.created.deal, period: 0n })
      .catch((e: unknown) => e);
    expect((pending as ContractRevertError).errorName).to.equal("ReportNotFinal");
    expect((await keeper.checkUpkeep({ deal: s.created.deal })).upkeepNeeded).to.equal(false);
    await advanceTo(submitted.finalAt);
    expect((await keeper.checkUpkeep({ deal: s.created.deal })).upkeepNeeded).to.equal(true);

    const first = await keeper.distribute({ deal: s.created.deal, period: 0n });
    const model = DealModel.distribute(
      DealModel.initialDealState(
        s.terms,
        s.terms.tranches.map((t) => t.faceAmount),
      ),
      s.terms,
      rep,
      deposit,
      parties(s),
    );
    expect(first.statement).to.deep.equal(model.statement);

    const again = await keeper
      .distribute({ deal: s.created.deal, period: 0n })
      .catch((e: unknown) => e);
    expect(again).to.be.instanceOf(ContractRevertError);
    expect(again).to.be.instanceOf(CascadeError);
    expect((again as ContractRevertError).errorName).to.equal("WaterfallPeriodAlreadyDistributed");
    expect((again as ContractRevertError).args).to.deep.equal([0n]);
    expect((again as ContractRevertError).message).to.equal(
      "reverted with WaterfallPeriodAlreadyDistributed(0)",
    );
  });

  it("claims coupons; a second claim with nothing accrued sends no transaction", async () => {
    const token = s.created.tokens[0];
    const firstClaim = await investors[0].claim({ token });
    expect(firstClaim.amount > 0n).to.equal(true);
    const second = await investors[0].claim({ token });
    expect(second).to.deep.equal({ amount: 0n, transactionHash: undefined });
    const pos = await keeper.position({
      deal: s.created.deal,
      investor: investors[0].account.address,
    });
    expect(pos.tranches[0].claimable).to.equal(0n);
    expect(pos.tranches[0].balance > 0n).to.equal(true);
    const senior = (await keeper.dealSnapshot({ deal: s.created.deal })).tranches[0];
    expect(pos.tranches[0].factor).to.equal((senior.outstanding * 10n ** 18n) / senior.issued);
  });

  it("only the servicer deposits: AccessControlUnauthorizedAccount(account, role)", async () => {
    await mint(s.stablecoin, investors[1].account.address, 10n * USDC);
    const err = await investors[1]
      .depositCollections({ deal: s.created.deal, amount: 10n * USDC })
      .catch((e: unknown) => e);
    expect((err as ContractRevertError).errorName).to.equal("AccessControlUnauthorizedAccount");
    expect((err as ContractRevertError).namedArgs.account).to.equal(investors[1].account.address);
  });

  it("a reporter disputes a pending report; the period is re-reported in round 1 and old signatures are replays", async () => {
    const p = 1;
    await advanceTo(await periodEnd(s, p));
    const wrong = report(s.created.deal, p, 7_500, 2_000_000n);
    const deposit = WaterfallMath.bpsOfDown(wrong.revenue, s.terms.pledgedShareBps);
    await mint(s.stablecoin, servicer.account.address, deposit);
    await servicer.depositCollections({ deal: s.created.deal, amount: deposit });
    const signatures = await Promise.all([r0, r2].map((r) => r.signReport({ report: wrong })));
    const proposed = await keeper.submitReport({ report: signatures[0].report, signatures });

    // Only the deal's reporters and guardian may dispute, and only within the window.
    const outsider = await investors[2]
      .disputeReport({ deal: s.created.deal, period: BigInt(p), reason: "not a reporter" })
      .catch((e: unknown) => e);
    expect((outsider as ContractRevertError).errorName).to.equal("NotDisputer");
    const disputed = await r1.disputeReport({
      deal: s.created.deal,
      period: BigInt(p),
      reason: "meter 17 double-counted",
    });
    expect([disputed.round, disputed.nextRound]).to.deep.equal([0n, 1n]);
    let status = await keeper.reportStatus({ deal: s.created.deal, period: BigInt(p) });
    expect([status.state, status.round]).to.deep.equal([ReportState.None, 1]);

    // The voided round's signatures cannot be used again.
    const replay = await keeper
      .submitReport({ report: signatures[0].report, signatures })
      .catch((e: unknown) => e);
    expect((replay as ContractRevertError).errorName).to.equal("ReportReplayed");

    // Round 1: signReport reads the open round from the oracle.
    const fixed = {
      ...wrong,
      gpuHoursBilled: wrong.gpuHoursBilled - 1_000n,
      revenue: wrong.revenue - 2_000_000_000n,
    };
    const round1 = await Promise.all([r0, r1].map((r) => r.signReport({ report: fixed })));
    expect(round1[0].report.round).to.equal(1);
    const resubmitted = await keeper.submitReport({ report: round1[0].report, signatures: round1 });
    expect(resubmitted.round).to.equal(1n);
    expect(resubmitted.finalAt > proposed.finalAt).to.equal(true);
    await advanceTo(resubmitted.finalAt);
    const closed = await r1
      .disputeReport({ deal: s.created.deal, period: BigInt(p), reason: "too late" })
      .catch((e: unknown) => e);
    expect((closed as ContractRevertError).errorName).to.equal("DisputeWindowClosed");
    status = await keeper.reportStatus({ deal: s.created.deal, period: BigInt(p) });
    expect([status.state, status.round, status.gpuHoursBilled]).to.deep.equal([
      ReportState.Final,
      1,
      fixed.gpuHoursBilled,
    ]);
    const fin = await investors[2].finalizeReport({ deal: s.created.deal, period: BigInt(p) });
    expect([fin.reported, fin.finalized, fin.gpuHoursBilled]).to.deep.equal([
      true,
      true,
      fixed.gpuHoursBilled,
    ]);
    expect(
      (await investors[2].finalizeReport({ deal: s.created.deal, period: BigInt(p) })).finalized,
    ).to.equal(false);
    // The period's history from the oracle's events: round 0 signed by r0 and r2 and disputed by r1, round 1
    // signed by r0 and r1 and finalized.
    const history = (await keeper.reportHistory({ deal: s.created.deal })).find((x) => x.period === BigInt(p))!;
    const ascending = (xs: { account: { address: Address } }[]) =>
      xs.map((x) => x.account.address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(history.rounds.map((x) => [x.round, x.signers, x.disputed?.by])).to.deep.equal([
      [0, ascending([r0, r2]), r1.account.address],
      [1, ascending([r0, r1]), undefined],
    ]);
    expect([history.rounds[1].gpuHoursBilled, history.finalizedRound, history.unreportedBy]).to.deep.equal([
      fixed.gpuHoursBilled,
      1,
      undefined,
    ]);
    // The keeper runs it through performUpkeep and is paid the bounty.
    const run = await keeper.performUpkeep({ deal: s.created.deal });
    expect(run.statements.map((x) => x.period)).to.deep.equal([1n]);
    expect(run.bountyEarned).to.equal(s.terms.keeperBounty);
    expect(run.gasUsed! > 0n).to.equal(true);
    const nothing = await keeper.performUpkeep({ deal: s.created.deal });
    expect([nothing.upkeepNeeded, nothing.transactionHash]).to.deep.equal([false, undefined]);
    // Stale performData is refused as already distributed, which the action reports as success.
    const stale = await keeper.performUpkeep({
      deal: s.created.deal,
      performData: run.performData as Hex,
    });
    expect(stale.alreadyDistributed).to.equal(true);
  });

  it("markUnreported waits for the deadline; the period then runs with every collection", async () => {
    const p = 2;
    const end = await periodEnd(s, p);
    await advanceTo(end);
    const early = await investors[3]
      .markUnreported({ deal: s.created.deal, period: BigInt(p) })
      .catch((e: unknown) => e);
    expect((early as ContractRevertError).errorName).to.equal("ReportDeadlineNotReached");
    const status = await keeper.reportStatus({ deal: s.created.deal, period: BigInt(p) });
    expect(status.deadline).to.equal(end + BigInt(s.terms.oracle.reportDeadline));
    await advanceTo(status.deadline);
    // From the deadline on, a quorum report is refused; the error reads the deadline as a date.
    const content = report(s.created.deal, p, 7_500, 2_000_000n);
    const signed = await Promise.all([r0, r1].map((r) => r.signReport({ report: content })));
    const tooLate = await keeper
      .submitReport({ report: signed[0].report, signatures: signed })
      .catch((e: unknown) => e);
    expect(tooLate).to.be.instanceOf(ContractRevertError);
    const refused = tooLate as ContractRevertError;
    expect([refused.errorName, refused.namedArgs]).to.deep.equal([
      "ReportDeadlinePassed",
      { deal: s.created.deal, period: BigInt(p), deadline: status.deadline },
    ]);
    const at = new Date(Number(status.deadline) * 1000).toISOString().replace(".000Z", "Z");
    expect(refused.explanation).to.equal(
      `the report deadline of period ${p} of deal ${s.created.deal} passed at ${at}; the period takes no more ` +
        "reports and is distributed as unreported",
    );
    expect(refused.message).to.equal(
      `reverted with ReportDeadlinePassed(${s.created.deal}, ${p}, ${status.deadline}): ${refused.explanation}`,
    );
    const before = await keeper.dealSnapshot({ deal: s.created.deal });
    await investors[3].markUnreported({ deal: s.created.deal, period: BigInt(p) });
    const late = await keeper
      .submitReport({
        report: (await r0.signReport({ report: report(s.created.deal, p, 7_500, 2_000_000n) }))
          .report,
        signatures: [],
      })
      .catch((e: unknown) => e);
    expect((late as ContractRevertError).errorName).to.equal("ReportPeriodUnreported");
    const { statements } = await keeper.distributeReady({ deal: s.created.deal, maxPeriods: 1 });
    expect(statements[0].reported).to.equal(false);
    expect(statements[0].cashIn).to.equal(before.collections);
    const after = await keeper.dealSnapshot({ deal: s.created.deal });
    expect(after.missedReports).to.equal(1n);
    expect(after.reports[p].stateName).to.equal("Unreported");
    expect(after.collections).to.equal(0n);
  });

  it("two keepers racing for the same periods both succeed; each period is distributed once", async () => {
    for (const p of [3, 4]) {
      await advanceTo(await periodEnd(s, p));
      await submit(s, report(s.created.deal, p, 7_500, 2_000_000n));
    }
    const other = wallet(accounts[15]);
    const [a, b] = await Promise.all([
      keeper.distributeReady({ deal: s.created.deal }),
      other.distributeReady({ deal: s.created.deal }),
    ]);
    const periods = [...a.statements, ...b.statements].map((x) => x.period).sort();
    expect(periods).to.deep.equal([3n, 4n]);
    expect(a.nextPeriod).to.equal(5n);
    expect(b.nextPeriod).to.equal(5n);
    // Both read readyPeriod before either distribution was mined: the loser met WaterfallPeriodAlreadyDistributed.
    expect([...a.distributedByOthers, ...b.distributedByOthers].length).to.be.greaterThan(0);
  });

  it("a paused deal: readyPeriod is false and distribute reverts with EnforcedPause", async () => {
    await advanceTo(await periodEnd(s, 5));
    await submit(s, report(s.created.deal, 5, 7_500, 2_000_000n));
    const hash = await writeContract(guardian, {
      address: s.created.deal,
      abi: dealAbi,
      functionName: "pause",
    });
    await waitForTransactionReceipt(publicClient, { hash });
    expect((await keeper.distributeReady({ deal: s.created.deal })).statements).to.have.length(0);
    const err = await keeper
      .distribute({ deal: s.created.deal, period: 5n })
      .catch((e: unknown) => e);
    expect((err as ContractRevertError).errorName).to.equal("EnforcedPause");
    expect((await keeper.checkUpkeep({ deal: s.created.deal })).upkeepNeeded).to.equal(false);
    // Fees credited before the pause stay in the deal until it is unpaused.
    expect((await keeper.dealSnapshot({ deal: s.created.deal })).feesOwed.trustee > 0n).to.equal(
      true,
    );
    const held = await trustee.withdrawFees({ deal: s.created.deal }).catch((e: unknown) => e);
    expect((held as ContractRevertError).errorName).to.equal("EnforcedPause");
    const unpause = await writeContract(guardian, {
      address: s.created.deal,
      abi: dealAbi,
      functionName: "unpause",
    });
    await waitForTransactionReceipt(publicClient, { hash: unpause });
    expect((await keeper.distributeReady({ deal: s.created.deal })).statements).to.have.length(1);
  });

  it("two upkeeps mined in one block: the second reverts on chain and explainRevert names the reason", async () => {
    await advanceTo(await periodEnd(s, 6));
    await submit(s, report(s.created.deal, 6, 7_500, 2_000_000n));
    const performData = upkeepPerformData(6n, 1n);
    await provider.request({ method: "evm_setAutomine", params: [false] });
    try {
      // A fixed gas limit skips estimation, so both are sent; the block runs them in order.
      const call = {
        address: s.created.deal,
        abi: dealAbi,
        functionName: "performUpkeep",
        args: [performData],
        gas: 2_000_000n,
      } as const;
      const first = await writeContract(keeper, call);
      const second = await writeContract(wallet(accounts[15]), call);
      await networkHelpers.mine();
      const [ok, lost] = await Promise.all(
        [first, second].map((hash) => waitForTransactionReceipt(publicClient, { hash })),
      );
      expect([ok.status, lost.status]).to.deep.equal(["success", "reverted"]);
      // Replayed on the state before the block the second upkeep would succeed; after it, it is refused.
      const why = await explainRevert(publicClient, lost);
      expect(why).to.be.instanceOf(ContractRevertError);
      expect((why as ContractRevertError).errorName).to.equal("WaterfallPeriodAlreadyDistributed");
      expect((why as ContractRevertError).transactionHash).to.equal(second);
    } finally {
      await provider.request({ method: "evm_setAutomine", params: [true] });
    }
  });

  it("deployProtocol hands the oracle's admin role to another admin", async () => {
    const protocol = await keeper.deployProtocol({ admin: admin.account.address });
    const role = (name: "DEFAULT_ADMIN_ROLE" | "REGISTRAR_ROLE") =>
      readContract(publicClient, {
        address: protocol.oracle,
        abi: utilizationOracleAbi,
        functionName: name,
      });
    const has = (r: Hex, who: Address) =>
      readContract(publicClient, {
        address: protocol.oracle,
        abi: utilizationOracleAbi,
        functionName: "hasRole",
        args: [r, who],
      });
    expect(await has(await role("REGISTRAR_ROLE"), protocol.factory)).to.equal(true);
    expect(await has(await role("DEFAULT_ADMIN_ROLE"), admin.account.address)).to.equal(true);
    expect(await has(await role("DEFAULT_ADMIN_ROLE"), keeperAccount.address)).to.equal(false);
  });

  it("wrapContractError decodes raw revert data and wraps anything else", () => {
    const data =
      "0x4e487b710000000000000000000000000000000000000000000000000000000000000011" as Hex; // Panic(0x11)
    const panic = decodeRevert(data);
    expect(panic?.errorName).to.equal("Panic");
    expect(wrapContractError({ data })).to.be.instanceOf(ContractRevertError);
    const plain = wrapContractError(new Error("boom"));
    expect(plain).to.be.instanceOf(CascadeError);
    expect(plain.message).to.equal("boom");
    expect(decodeRevert("0xdeadbeef")).to.equal(undefined);
  });
});

describe("SDK on chain: pro-rata allocation edge", function () {
  this.timeout(60_000);

  it("claimShares survives an allocation that settles one unit below its view", async () => {
    // Cap 9.000000 of 10.000000 requested (90 %). A 1-unit request is allocated 1 or 0 depending on who settled
    // before it: after `big` settles, both 1-unit controllers see 1 claimable, but only one of them gets it. The
    // other's claim reverts with ExceedsClaimable(1, 0) and claimShares refunds it instead.
    const stablecoin = await deployStablecoin();
    const protocol = await admin.deployProtocol();
    const now = (await getBlock(publicClient)).timestamp;
    const { terms: base } = parseTermSheet(example, {
      now,
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
    const terms: TermSheet = {
      ...base,
      tranches: base.tranches.map((t, i) =>
        i === 0
          ? { ...t, faceAmount: 9n * USDC, minRaise: USDC, minTicket: 1n, reserveFundingBps: 0 }
          : t,
      ),
    };
    const { offerings } = await issuer.createDeal({ factory: protocol.factory, terms });
    await advanceTo(terms.offeringOpensAt);
    const [big, small1, small2, rest] = investors;
    const requests: [typeof big, bigint][] = [
      [big, 9_999_989n],
      [small1, 1n],
      [small2, 1n],
      [rest, 9n],
    ];
    for (const [inv, amount] of requests) {
      await mint(stablecoin, inv.account.address, amount);
      await inv.subscribe({ offering: offerings[0], assets: amount });
    }
    await advanceTo(terms.offeringClosesAt);
    for (const offering of offerings) await keeper.closeOffering({ offering });

    await big.claimShares({ offering: offerings[0] });
    const [a, b] = await Promise.all([
      small1.claimShares({ offering: offerings[0] }),
      small2.claimShares({ offering: offerings[0] }),
    ]);
    expect([a.shares, b.shares].sort()).to.deep.equal([0n, 1n]);
    expect(a.refunded + b.refunded).to.equal(1n);
    await rest.claimShares({ offering: offerings[0] });
    const accepted = await readContract(publicClient, {
      address: offerings[0],
      abi: offeringAbi,
      functionName: "accepted",
    });
    expect(accepted).to.equal(9n * USDC);
  });
});
