/**
 * The stress engine (`sdk/stress`, docs/stress.md) on its own (no chain): the fast path against the exact model on
 * 200 sampled paths per example deal (at most a cent per period per tranche), known answers (no volatility: the
 * deterministic model, figure for figure; a senior sized far below its collateral never loses), convergence of the
 * expected loss (its standard error falls as 1/√N), invariants of every path (cash conserved to the wei, seniority
 * under acceleration, no equity cash while a trigger locks it), the break-evens' root finding within its stated
 * tolerance, and reproducibility (the same seed gives the same report on one thread or any number of workers). The
 * live-deal reader and the CLI are tested end to end in test/e2e/cli-stress.ts.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { DealModel, DealStatus, type TermSheetJson } from "../../sdk/index.js";
import { statementBalances } from "../../sdk/models/deal.js";
import {
  aggregate,
  bisect,
  BREAK_EVEN_TOLERANCE,
  breakEvens,
  DEFAULT_SCENARIO,
  deterministicMarket,
  fanChartSvg,
  FastPath,
  lossDistributionSvg,
  monteCarlo,
  newMarketPath,
  parseScenario,
  prepareStress,
  Rng,
  runExact,
  runPaths,
  runStressCase,
  sampleMarket,
  saleProceeds,
  ScenarioError,
  stressDealFromTermSheet,
  triggerTimingSvg,
  type Scenario,
  type StressDeal,
  type StressSetup,
} from "../../sdk/stress/index.js";
import { monteCarloParallel, StressPool } from "../../sdk/stress/parallel.js";

const example = (name: string): TermSheetJson =>
  JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), "utf8"));

/** The default scenario with harsher markets: more defaults, accelerations, sales and shortfalls to compare. */
function harsh(): Scenario {
  const s = structuredClone(DEFAULT_SCENARIO);
  for (const m of s.markets) {
    m.driftPctPerYear = Math.min(m.driftPctPerYear, 0) - 35;
    m.volatilityPctPerYear += 30;
  }
  s.utilization.tenantLossPerYear = 1;
  s.servicer.shortfallPerYear = 0.5;
  s.reporting.missedReportProbability = 0.05;
  return s;
}

/** One cent in base units of a 6-decimals stablecoin. */
const CENT = 10_000;

/** Largest difference between the exact and the fast path over `paths` sampled paths; what the paths went through. */
function compare(s: StressSetup, seed: number, paths: number) {
  const fast = new FastPath(s);
  const market = newMarketPath(s.periods);
  let max = 0;
  const seen = { accelerated: 0, sold: 0, loss: 0, trapped: 0, unreported: 0 };
  for (let p = 0; p < paths; p++) {
    sampleMarket(s, Rng.forPath(seed, p), market);
    const { trace: e } = runExact(s, market);
    const f = fast.run(market);
    const pairs: [Float64Array, Float64Array][] = [
      [e.notePaid, f.notePaid],
      [e.notePrincipal, f.notePrincipal],
      [e.noteOutstanding, f.noteOutstanding],
      [e.classCash, f.classCash],
      [e.writtenOff, f.writtenOff],
    ];
    for (const [a, b] of pairs)
      for (let k = 0; k < a.length; k++) max = Math.max(max, Math.abs(a[k] - b[k]));
    expect(Array.from(f.triggerFirst), `path ${p} triggers`).to.deep.equal(
      Array.from(e.triggerFirst),
    );
    expect(Array.from(f.mode), `path ${p} modes`).to.deep.equal(Array.from(e.mode));
    expect([f.accelerated, f.saleAt, f.saleProceeds, f.finalStatus]).to.deep.equal([
      e.accelerated,
      e.saleAt,
      e.saleProceeds,
      e.finalStatus,
    ]);
    if (e.accelerated >= 0) seen.accelerated++;
    if (e.saleAt >= 0 && e.saleAt < s.periods) seen.sold++;
    if (e.writtenOff.some((x) => x > 0)) seen.loss++;
    if (e.mode.includes(DealStatus.CashTrap)) seen.trapped++;
    if (market.reported.includes(0)) seen.unreported++;
  }
  return { max, seen };
}

describe("stress engine", function () {
  this.timeout(120_000);
  const h100 = stressDealFromTermSheet(example("h100-fleet"));

  describe("the fast path against the exact model (200 sampled paths, ≤ 1 cent per period per tranche)", () => {
    for (const [name, paths] of [
      ["h100-fleet", 200],
      ["h100-stressed", 200],
      ["b200-datacenter", 200],
      ["campus-10mw", 200],
    ] as const) {
      it(`test_fastPath_matchesExact_${name}`, () => {
        const s = prepareStress(stressDealFromTermSheet(example(name)), harsh());
        const { max, seen } = compare(s, 11, paths);
        expect(max).to.be.at.most(CENT);
        // The paths went through what the comparison is for.
        expect(seen.accelerated, "accelerated paths").to.be.greaterThan(0);
        expect(seen.sold, "fleets sold after an event of default").to.be.greaterThan(0);
        expect(seen.loss, "paths with a loss").to.be.greaterThan(0);
        expect(seen.unreported, "paths with an unreported period").to.be.greaterThan(0);
      });
    }

    it("test_fastPath_matchesExact_fromMidDeal (a deal read mid-life: trigger states, running sums, arrears)", () => {
      const s0 = prepareStress(h100, harsh());
      let checked = 0;
      for (let p = 0; p < 40; p++) {
        // Run five periods on the exact model, then start a deal from that state.
        const market = sampleMarket(s0, Rng.forPath(5, p), newMarketPath(s0.periods));
        let state = h100.state;
        runExact(s0, market, (t, sim) => {
          if (t < 5) state = sim.next;
        });
        if (
          state.status !== DealStatus.Active &&
          state.status !== DealStatus.CashTrap &&
          state.status !== DealStatus.Accelerated
        )
          continue;
        const mid: StressDeal = { ...h100, state };
        const { max } = compare(prepareStress(mid, harsh()), 100 + p, 5);
        expect(max).to.be.at.most(CENT);
        checked++;
      }
      expect(checked).to.be.greaterThan(20);
    });
  });

  describe("known answers", () => {
    it("test_monteCarlo_noVolatility_isTheDeterministicModel", () => {
      const calm = structuredClone(DEFAULT_SCENARIO);
      for (const m of calm.markets) m.volatilityPctPerYear = 0;
      calm.utilization = {
        ...calm.utilization,
        volatilityPctPerYear: 0,
        tenantLossPerYear: 0,
        meanPct: 78,
        initialPct: 78,
      };
      calm.servicer.shortfallPerYear = 0;
      calm.servicer.drawdownSensitivityPerYear = 0;
      calm.reporting.missedReportProbability = 0;
      const s = prepareStress(h100, calm);
      const r = monteCarlo(s, { paths: 64, seed: 3 });

      // The deterministic model by hand: 78 % of 2,048 GPUs × 720 h, $2.40 falling 30 % a year, 85 % deposited.
      const terms = h100.terms;
      let state = h100.state;
      let equity = 0n;
      const paid = [0n, 0n, 0n];
      const available = 2_048n * 720n;
      const dt = (30 * 86_400) / (365 * 86_400);
      let ratio = 1;
      for (let t = 0; t < 12; t++) {
        const price = 2.4 * Math.exp(Math.log(0.7) * dt * t);
        ratio = price / 2.4;
        const billed = BigInt(Math.floor(Number(available) * 0.78));
        const revenue = BigInt(Math.round(Number(billed) * price * 1e6));
        const deposit = (revenue * 8_500n) / 10_000n;
        const sim = DealModel.distribute(
          state,
          terms,
          { gpuHoursAvailable: available, gpuHoursBilled: billed, revenue },
          deposit,
        );
        sim.statement.principalPaid.forEach((x, i) => (paid[i] += x));
        equity += sim.statement.residualPaid;
        state = sim.next;
      }
      expect(state.status).to.equal(DealStatus.Repaid);
      // Repaid: equity keeps the fleet, sold at maturity 15 % below the lower of book and index-implied value.
      equity += BigInt(saleProceeds(s.book, s.cost, ratio, 11, 0.15));

      r.tranches.forEach((t, i) => {
        expect(paid[i], t.name).to.equal(BigInt(t.basis));
        expect(t.defaultProbability).to.equal(0);
        expect(t.irr.p5).to.equal(t.irr.p95);
      });
      // (chai's closeTo takes bigints once the ethers matchers are loaded: compare the gap.)
      expect(Math.abs((r.equity?.meanMultiple ?? 0) - Number(equity) / 7_500_000e6)).to.be.lessThan(
        1e-12,
      );
      const median = runStressCase(s, { name: "median", decline: 0.3, utilization: () => 0.78 });
      expect(r.equity?.irr.p50).to.equal(median.equityIrr);
      r.tranches.forEach((t, i) => expect(t.irr.p50).to.equal(median.irr[i]));
    });

    it("test_monteCarlo_seniorFarBelowCollateral_neverLoses", () => {
      const json = example("h100-fleet") as TermSheetJson & {
        tranches: { face: string; minRaise: string }[];
      };
      json.tranches[0].face = "1,000,000";
      json.tranches[0].minRaise = "1,000,000";
      const s = prepareStress(stressDealFromTermSheet(json), harsh());
      const r = monteCarlo(s, { paths: 2_000, seed: 9 });
      expect(r.tranches[0].defaultProbability).to.equal(0);
      expect(r.tranches[0].expectedLoss).to.equal(0);
      // The scenario bites: the junior loses on many paths.
      expect(r.tranches[2].defaultProbability).to.be.greaterThan(0.02);
    });
  });

  it("test_expectedLoss_standardErrorFallsAsOneOverRootN", () => {
    const s = prepareStress(h100, harsh());
    const [a, b, c] = [400, 1_600, 6_400].map(
      (n) => monteCarlo(s, { paths: n, seed: 21 }).tranches[2],
    );
    // Quadrupling the paths halves the standard error (within sampling noise of the error itself).
    expect(a.expectedLossStdError / b.expectedLossStdError).to.be.within(1.6, 2.5);
    expect(b.expectedLossStdError / c.expectedLossStdError).to.be.within(1.6, 2.5);
    expect(Math.abs(a.expectedLoss - c.expectedLoss)).to.be.at.most(4 * a.expectedLossStdError);
    expect(c.expectedLoss).to.be.greaterThan(0);
  });

  it("invariant_path: cash conserved to the wei, seniority under acceleration, no equity cash while locked", () => {
    for (const name of ["h100-fleet", "h100-stressed", "b200-datacenter"]) {
      const deal = stressDealFromTermSheet(example(name));
      const s = prepareStress(deal, harsh());
      let locked = 0;
      let accelerated = 0;
      for (let p = 0; p < 200; p++) {
        const market = sampleMarket(s, Rng.forPath(31, p), newMarketPath(s.periods));
        let inflow = deal.state.reserve + deal.state.collections;
        let outflow = 0n;
        const { trace, state } = runExact(s, market, (t, sim, deposit) => {
          const st = sim.statement;
          expect(statementBalances(st), `${name} path ${p} period ${t}`).to.equal(true);
          inflow += deposit;
          outflow +=
            st.rentPaid +
            st.keeperBountyPaid +
            st.trusteeFeePaid +
            st.servicerFeePaid +
            st.interestPaid.reduce((x, y) => x + y, 0n) +
            st.principalPaid.reduce((x, y) => x + y, 0n) +
            st.residualPaid;
          const owing = sim.next.tranches.slice(0, s.notes).some((x) => x.outstanding !== 0n);
          if (st.mode !== DealStatus.Active && owing && !sim.detail.finalPeriod) {
            locked++;
            expect(
              st.residualPaid,
              `${name} path ${p} period ${t}: equity cash while locked`,
            ).to.equal(0n);
          }
          if (st.mode === DealStatus.Accelerated) {
            accelerated++;
            for (let j = 1; j < s.notes; j++)
              if (st.principalPaid[j] > 0n)
                for (let i = 0; i < j; i++)
                  expect(
                    sim.next.tranches[i].outstanding,
                    `${name}: note ${j} repaid before note ${i}`,
                  ).to.equal(0n);
          }
        });
        // Every unit deposited, held at the start or sold for is paid out or still held. A sale after an event of
        // default pays through the statements; the maturity sale's proceeds are paid out at once (notes, equity).
        inflow += BigInt(trace.saleProceeds);
        const atMaturity = trace.saleAt === trace.periods ? BigInt(trace.saleProceeds) : 0n;
        const held = state.reserve + state.collections + state.recoveries;
        expect(inflow, `${name} path ${p}`).to.equal(outflow + held + atMaturity);
      }
      expect(locked, `${name}: locked periods seen`).to.be.greaterThan(0);
      expect(accelerated, `${name}: accelerated periods seen`).to.be.greaterThan(0);
    }
  });

  describe("break-evens", () => {
    it("test_bisect_findsTheEdgeWithinTolerance", () => {
      for (const edge of [0, 0.0001, 0.3721, 0.5, 0.98]) {
        const r = bisect((x) => x <= edge, 0.99);
        expect(r.value).to.be.at.most(edge);
        expect(edge - (r.value as number)).to.be.lessThan(BREAK_EVEN_TOLERANCE);
      }
      expect(bisect(() => false, 0.99)).to.deep.equal({ value: undefined, capped: false });
      expect(bisect(() => true, 0.99)).to.deep.equal({ value: 0.99, capped: true });
    });

    it("test_breakEvens_noLossAtTheEdge_lossWithinTolerance", () => {
      const s = prepareStress(h100, DEFAULT_SCENARIO);
      const b = breakEvens(s);
      const u = DEFAULT_SCENARIO.utilization.initialPct / 100;
      const loss = (decline: number, util: number, i: number) =>
        runStressCase(s, { name: "", decline, utilization: () => util }).loss[i];
      b.forEach((x, i) => {
        expect(x.decline, x.name).to.be.a("number");
        const d = x.decline as number;
        expect(loss(d, u, i), `${x.name} at its break-even decline`).to.equal(0);
        if (!x.declineCapped) expect(loss(d + BREAK_EVEN_TOLERANCE, u, i)).to.be.greaterThan(0);
        const v = x.utilizationDrop as number;
        expect(loss(0.3, u - v, i), `${x.name} at its break-even utilization`).to.equal(0);
        if (!x.utilizationCapped)
          expect(loss(0.3, u - v - BREAK_EVEN_TOLERANCE, i)).to.be.greaterThan(0);
      });
      // Seniority: a more senior note survives at least as steep a decline.
      expect(b[0].decline).to.be.at.least(b[1].decline as number);
      expect(b[1].decline).to.be.at.least(b[2].decline as number);
    });
  });

  describe("reproducibility", () => {
    it("test_monteCarlo_sameSeed_sameReport_anyWorkerCount", async () => {
      const s = prepareStress(h100, DEFAULT_SCENARIO);
      const one = JSON.stringify(monteCarlo(s, { paths: 3_000, seed: 77 }));
      expect(JSON.stringify(monteCarlo(s, { paths: 3_000, seed: 77 }))).to.equal(one);
      expect(JSON.stringify(monteCarlo(s, { paths: 3_000, seed: 78 }))).not.to.equal(one);
      for (const workers of [2, 3]) {
        const r = await monteCarloParallel(h100, DEFAULT_SCENARIO, {
          paths: 3_000,
          seed: 77,
          workers,
        });
        expect(JSON.stringify(r), `${workers} workers`).to.equal(one);
      }
      // A path's numbers do not depend on how many paths run: paths 0–99 of a run of 300 are a run of 100.
      const a = runPaths(s, 77, 0, 300);
      const b = runPaths(s, 77, 0, 100);
      expect(Array.from(a.loss.subarray(0, b.loss.length))).to.deep.equal(Array.from(b.loss));
      expect(Array.from(a.equityIrr.subarray(0, b.equityIrr.length))).to.deep.equal(
        Array.from(b.equityIrr),
      );
      expect(aggregate(s, b, 77).paths).to.equal(100);
    });
  });

  describe("scenario files", () => {
    it("parses the default file and refuses a wrong one with every problem's path", () => {
      expect(DEFAULT_SCENARIO.version).to.equal(1);
      const bad = {
        ...structuredClone(DEFAULT_SCENARIO),
        version: 2,
        crypto: { driftPctPerYear: 0, volatilityPctPerYear: -1, correlationWithPrice: 2 },
      };
      try {
        parseScenario(bad);
        expect.fail("parsed a wrong scenario");
      } catch (e) {
        expect(e).to.be.instanceOf(ScenarioError);
        const paths = (e as ScenarioError).issues.map((i) => i.path);
        expect(paths).to.include.members([
          "version",
          "crypto.volatilityPctPerYear",
          "crypto.correlationWithPrice",
        ]);
      }
    });

    it("a deterministic market has the stated decline and utilization", () => {
      const s = prepareStress(h100, DEFAULT_SCENARIO);
      const m = deterministicMarket(s, { name: "", decline: 0.4, utilization: () => 0.5 });
      expect(m.price[0]).to.equal(2.4);
      expect(Math.abs(m.price[11] / m.price[0] - 0.6 ** ((11 * 30) / 365))).to.be.lessThan(1e-12);
      expect(m.gpuHoursBilled[3]).to.equal(Math.floor(2_048 * 720 * 0.5));
    });
  });

  it("charts: an SVG per figure, every path of the run in it", () => {
    const s = prepareStress(h100, harsh());
    const r = monteCarlo(s, { paths: 500, seed: 2 });
    for (const svg of [lossDistributionSvg(r), fanChartSvg(r), triggerTimingSvg(r)]) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
      expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
      expect(svg).not.to.match(/NaN|undefined/);
    }
    expect(fanChartSvg(r).match(/<polygon/g)).to.have.length(3);
    // The loss histogram's bars and the no-loss paths count every path, per note.
    r.tranches.forEach((t) =>
      expect(t.lossHistogram.reduce((a, x) => a + x, 0) + t.none).to.equal(500),
    );
  });
});
