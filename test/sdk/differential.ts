/**
 * Differential test: random term sheets (1–4 notes, fixed and utilization-linked coupons with either slope sign,
 * bullet and straight-line schedules, failed and oversubscribed offerings, reserve funded above or below target,
 * keeper bounties from zero to more than a period's cash) and random periods (utilization, revenue, short and
 * excess deposits, periods nobody reports and that are marked unreported) run on chain through the SDK and in the
 * model; every statement and the final balances must agree to the wei. Seeds are fixed (1…N).
 */
import { expect } from "chai";
import { artifacts, network } from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  getAddress,
  keccak256,
  toHex,
  type Address,
  type EIP1193Provider,
  type Hex,
} from "viem";
import {
  deployContract,
  getBlock,
  readContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

import {
  bpsOf,
  cascadeActions,
  CouponType,
  initialDealState,
  mockStablecoinAbi,
  PrincipalType,
  simulatePeriod,
  TrancheKind,
  UNREPORTED,
  WAD,
  type PeriodOutcome,
  type TermSheet,
  type TrancheTerms,
} from "../../sdk/index.js";

const chain = defineChain({
  id: 31_337,
  name: "Hardhat in-process",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
});
const { provider, networkHelpers } = await network.create();
const transport = custom(provider as unknown as EIP1193Provider, { retryCount: 0 });
const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
const accounts = ((await provider.request({ method: "eth_accounts" })) as Address[]).map((a) =>
  getAddress(a),
);
const [admin, issuer, servicer, trustee, guardian, r0, r1, keeper] = accounts
  .slice(0, 8)
  .map((account) =>
    createWalletClient({ account, chain, transport, pollingInterval: 50 }).extend(cascadeActions),
  );
const investors = accounts
  .slice(8, 16)
  .map((account) =>
    createWalletClient({ account, chain, transport, pollingInterval: 50 }).extend(cascadeActions),
  );

const USDC = 10n ** 6n;
const PCT = WAD / 100n;
const DAY = 86_400;
const HOUR = 3_600;
/** Bounds wide enough for the random figures: 20,000 GPUs, up to $5,000 per GPU-hour. */
const FLEET_GPUS = 20_000;
const MAX_PRICE = 5_000n * USDC;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const big = (lo: bigint, hi: bigint) =>
    lo + (BigInt(Math.floor(next() * 2 ** 48)) * (hi - lo)) / 2n ** 48n;
  return { next, int, big };
}

async function advanceTo(ts: bigint): Promise<void> {
  if ((await getBlock(publicClient)).timestamp < ts) await networkHelpers.time.increaseTo(ts);
}

async function balanceOf(who: Address): Promise<bigint> {
  return readContract(publicClient, {
    address: stablecoin,
    abi: mockStablecoinAbi,
    functionName: "balanceOf",
    args: [who],
  });
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

const { bytecode } = await artifacts.readArtifact("MockStablecoin");
const deployed = await deployContract(admin, {
  abi: mockStablecoinAbi,
  bytecode: bytecode as Hex,
  args: ["USD Coin", "USDC", 6],
});
const stablecoin = (await waitForTransactionReceipt(publicClient, { hash: deployed }))
  .contractAddress as Address;
const protocol = await admin.deployProtocol();

function randomTerms(r: ReturnType<typeof rng>, now: bigint): TermSheet {
  const periodCount = r.int(2, 12);
  const notes = r.int(1, 4);
  const tranches: TrancheTerms[] = [];
  for (let i = 0; i <= notes; i++) {
    const face = r.big(1_000_000n, 10_000_000n) * USDC;
    const base: TrancheTerms = {
      name: `T${i}`,
      symbol: `T${i}`,
      kind: i < notes ? TrancheKind.Note : TrancheKind.Equity,
      faceAmount: face,
      minRaise: face / 2n,
      minTicket: USDC,
      reserveFundingBps: r.next() < 0.5 ? 0 : r.int(0, 500),
      coupon: {
        couponType: CouponType.Fixed,
        baseRate: 0n,
        slope: 0n,
        strike: 0n,
        floorRate: 0n,
        capRate: 0n,
      },
      principal: { scheduleType: PrincipalType.Bullet, amortStartPeriod: 0, amortPeriods: 0 },
    };
    if (i < notes) {
      if (r.next() < 0.5) {
        base.coupon = { ...base.coupon, baseRate: r.big(0n, 20n * PCT) };
      } else {
        const floorRate = r.big(0n, 8n * PCT);
        const capRate = floorRate + r.big(0n, 12n * PCT);
        base.coupon = {
          couponType: CouponType.UtilizationLinked,
          baseRate: floorRate + r.big(0n, capRate - floorRate),
          slope: r.big(0n, WAD / 2n) * (r.next() < 0.3 ? -1n : 1n),
          strike: r.big(40n * PCT, 95n * PCT),
          floorRate,
          capRate,
        };
      }
      if (r.next() < 0.6) {
        const start = r.int(0, periodCount - 1);
        base.principal = {
          scheduleType: PrincipalType.StraightLine,
          amortStartPeriod: start,
          amortPeriods: r.int(1, periodCount - start),
        };
      }
    }
    tranches.push(base);
  }
  const opens = now + 60n;
  const closes = opens + 3n * BigInt(DAY);
  return {
    stablecoin,
    issuer: issuer.account.address,
    servicer: servicer.account.address,
    trustee: trustee.account.address,
    guardian: guardian.account.address,
    offeringOpensAt: opens,
    offeringClosesAt: closes,
    start: closes + BigInt(r.int(0, 5 * DAY)),
    periodLength: r.int(7, 31) * DAY + r.int(0, 3_600),
    periodCount,
    pledgedShareBps: r.int(3_000, 10_000),
    servicerFeeBps: r.int(0, 300),
    trusteeFeePerPeriod: r.big(0n, 10_000n) * USDC,
    reserveTarget: r.big(0n, 500_000n) * USDC,
    keeperBounty: r.next() < 0.2 ? 0n : r.big(0n, 50_000n) * USDC,
    oracle: (() => {
      const disputeWindow = r.int(HOUR, 3 * DAY);
      return {
        reporters: [r0.account.address, r1.account.address],
        threshold: 2,
        disputeWindow,
        reportDeadline: disputeWindow + r.int(1, 10 * DAY),
        reporterChangeDelay: DAY,
        fleetGpus: FLEET_GPUS,
        maxPricePerGpuHour: MAX_PRICE,
        maxUtilizationStep: r.big(1n, WAD),
      };
    })(),
    tranches,
  };
}

describe("SDK differential: random deals, model vs chain", function () {
  this.timeout(300_000);

  // Few seeds by default; a deep run: SDK_DIFF_SEEDS=200 npx hardhat test mocha test/sdk/differential.ts
  const seeds = Number(process.env.SDK_DIFF_SEEDS ?? 6);
  for (let seed = 1; seed <= seeds; seed++) {
    it(`seed ${seed}: every statement and the final state agree to the wei`, async () => {
      const r = rng(seed);
      const terms = randomTerms(r, (await getBlock(publicClient)).timestamp);
      const { deal, offerings } = await issuer.createDeal({ factory: protocol.factory, terms });

      await advanceTo(terms.offeringOpensAt);
      for (const [t, offering] of offerings.entries()) {
        const face = terms.tranches[t].faceAmount;
        // Missed minimum raise, partly filled, or oversubscribed across two investors.
        const total = r.next() < 0.15 ? face / 3n : r.big(face / 2n, (face * 3n) / 2n);
        const first = total / 2n + 1n;
        for (const [inv, amount] of [
          [investors[t % 8], first],
          [investors[(t + 3) % 8], total - first],
        ] as const) {
          if (amount < USDC) continue;
          await mint(stablecoin, inv.account.address, amount);
          await inv.subscribe({
            offering,
            assets: amount,
            method: r.next() < 0.5 ? "permit" : "approve",
          });
        }
      }
      await advanceTo(terms.offeringClosesAt);
      const issued: bigint[] = [];
      for (const offering of offerings)
        issued.push((await keeper.closeOffering({ offering })).accepted);

      let state = initialDealState(terms, issued);
      const gpuHoursAvailable = BigInt(r.int(0, 2_000_000));
      const bountyBefore = await balanceOf(keeper.account.address);
      for (let p = 0; p < terms.periodCount; p++) {
        const billed = gpuHoursAvailable === 0n ? 0n : r.big(0n, gpuHoursAvailable);
        // Revenue within the oracle's bound of billed × max price.
        const drawn = r.big(0n, 3_000_000n) * USDC + r.big(0n, USDC);
        const revenue = drawn < billed * MAX_PRICE ? drawn : billed * MAX_PRICE;
        const unreported = r.next() < 0.15;
        const pledged = bpsOf(revenue, terms.pledgedShareBps);
        const deposit = r.next() < 0.2 ? 0n : r.big(0n, (pledged * 3n) / 2n);
        if (deposit > 0n) {
          await mint(stablecoin, servicer.account.address, deposit);
          await servicer.depositCollections({ deal, amount: deposit });
        }
        const end = terms.start + BigInt((p + 1) * terms.periodLength);
        await advanceTo(end);
        let outcome: PeriodOutcome;
        if (unreported) {
          await advanceTo(end + BigInt(terms.oracle.reportDeadline));
          await investors[p % 8].markUnreported({ deal, period: BigInt(p) });
          outcome = UNREPORTED;
        } else {
          const report = {
            deal,
            period: BigInt(p),
            gpuHoursAvailable,
            gpuHoursBilled: billed,
            revenue,
            reportHash: keccak256(toHex(`seed-${seed}-period-${p}`)),
          };
          const signatures = await Promise.all([r0, r1].map((w) => w.signReport({ report })));
          const { finalAt } = await keeper.submitReport({
            report: signatures[0].report,
            signatures,
          });
          await advanceTo(finalAt);
          outcome = report;
        }
        const { statements } = await keeper.distributeReady({ deal });
        const sim = simulatePeriod(state, terms, outcome, deposit);
        expect(statements, `period ${p}`).to.deep.equal([sim.statement]);
        state = sim.next;
      }

      const snapshot = await keeper.dealSnapshot({ deal });
      expect(snapshot.status).to.equal(state.status);
      expect(snapshot.missedReports).to.equal(BigInt(state.missedReports));
      const records = await keeper.periodStatements({ deal });
      const bounties = records.reduce((a, x) => a + x.statement.keeperBountyPaid, 0n);
      expect((await balanceOf(keeper.account.address)) - bountyBefore).to.equal(bounties);
      expect(snapshot.reserve.balance).to.equal(state.reserve);
      expect(snapshot.collections).to.equal(state.collections);
      expect([snapshot.feeArrears.trustee, snapshot.feeArrears.servicer]).to.deep.equal([
        state.trusteeFeeArrears,
        state.servicerFeeArrears,
      ]);
      expect(snapshot.tranches.map((t) => [t.issued, t.outstanding, t.arrears])).to.deep.equal(
        state.tranches.map((t) => [t.issued, t.outstanding, t.arrears]),
      );
      const ledger = await keeper.trancheLedger({ deal });
      for (const e of ledger)
        if (issued[e.index] > 0n) expect(e.balanced, `tranche ${e.index}`).to.equal(true);
    });
  }
});
