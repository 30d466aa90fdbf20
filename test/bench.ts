import { readFileSync } from "node:fs";

import { expect } from "chai";

import {
  checkCodeSizes,
  CODE_SIZE_LIMIT,
  codeSizeTable,
  compareResults,
  evaluateTargets,
  formatResults,
  parseResults,
  withRatios,
  type BenchResult,
} from "../scripts/bench-lib.js";

/** The comparison logic of the gas benchmark's CI check (`npm run bench:check`), on its own. */

const r = (id: string, gas: number, reference: string | null = null): BenchResult => ({
  id,
  gas,
  reference,
  ratio: null,
});

const COMMITTED = [r("a", 100_000), r("b", 50_000, "a")];

describe("bench", function () {
  describe("compareResults", function () {
    it("test_compareResults_sameGas_passes", function () {
      const c = compareResults(COMMITTED, COMMITTED);
      expect(c).to.deep.equal({ failures: [], added: [], improved: [], ok: true });
    });

    it("test_compareResults_riseOfExactlyOnePercent_passes", function () {
      const c = compareResults(COMMITTED, [r("a", 101_000), r("b", 50_500)]);
      expect(c.ok).to.equal(true);
      expect(c.failures).to.deep.equal([]);
    });

    it("test_compareResults_riseOf1_01Percent_fails", function () {
      const c = compareResults(COMMITTED, [r("a", 101_010), r("b", 50_000)]);
      expect(c.ok).to.equal(false);
      expect(c.failures).to.have.length(1);
      expect(c.failures[0]).to.match(/^a: 100000 → 101010 gas \(\+1\.01 %, allowed \+1 %\)$/);
    });

    it("test_compareResults_oneGasAboveOnePercent_fails", function () {
      const c = compareResults(COMMITTED, [r("a", 101_001), r("b", 50_000)]);
      expect(c.failures.map((f) => f.split(":")[0])).to.deep.equal(["a"]);
    });

    it("test_compareResults_missingId_fails", function () {
      const c = compareResults(COMMITTED, [r("a", 100_000)]);
      expect(c.ok).to.equal(false);
      expect(c.failures).to.deep.equal([
        "b: disappeared (committed 50000 gas, not measured any more)",
      ]);
    });

    it("test_compareResults_oneLinePerOffendingId", function () {
      const c = compareResults(COMMITTED, [r("a", 200_000)]);
      expect(c.failures.map((f) => f.split(":")[0])).to.deep.equal(["a", "b"]);
    });

    it("test_compareResults_newId_reportedNotFailed", function () {
      const c = compareResults(COMMITTED, [...COMMITTED, r("c", 1)]);
      expect(c.ok).to.equal(true);
      expect(c.added).to.deep.equal(["c: 1 gas (new)"]);
    });

    it("test_compareResults_fall_reportedAsImprovement", function () {
      const c = compareResults(COMMITTED, [r("a", 90_000), r("b", 50_000)]);
      expect(c.ok).to.equal(true);
      expect(c.improved).to.deep.equal(["a: 100000 → 90000 gas (−10.00 %)"]);
    });

    it("test_compareResults_customTolerance", function () {
      expect(compareResults(COMMITTED, [r("a", 100_001), r("b", 50_000)], 0).ok).to.equal(false);
      expect(compareResults(COMMITTED, [r("a", 105_000), r("b", 50_000)], 500).ok).to.equal(true);
    });
  });

  describe("results file", function () {
    it("test_withRatios_dividesByTheReferenceOfTheSameRun", function () {
      const results = withRatios([
        { id: "ref", gas: 30_000, reference: null },
        { id: "x", gas: 40_000, reference: "ref" },
      ]);
      expect(results.map((x) => x.ratio)).to.deep.equal([null, 1.3333]);
    });

    it("test_withRatios_unmeasuredReference_throws", function () {
      expect(() => withRatios([{ id: "x", gas: 1, reference: "ref" }])).to.throw(/not measured/);
    });

    it("test_parseResults_roundTrip", function () {
      const results = withRatios(COMMITTED);
      expect(parseResults(formatResults(results)).results).to.deep.equal(results);
    });

    it("test_parseResults_badShape_throws", function () {
      expect(() => parseResults("[]")).to.throw(/expected/);
      expect(() => parseResults('{"results":[{"id":"a","gas":1.5}]}')).to.throw(/bad entry/);
      expect(() => parseResults('{"results":[{"id":"a","gas":1},{"id":"a","gas":2}]}')).to.throw(
        /duplicate/,
      );
    });

    it("test_parseResults_codeSizes_roundTrip", function () {
      const sizes = [
        { contract: "A", bytes: 24_576 },
        { contract: "B", bytes: 1 },
      ];
      const file = parseResults(formatResults(withRatios(COMMITTED), sizes));
      expect(file.codeSize).to.deep.equal(sizes);
      expect(parseResults(formatResults(withRatios(COMMITTED))).codeSize).to.equal(undefined);
    });

    it("test_parseResults_badCodeSizes_throw", function () {
      const file = (codeSize: unknown) =>
        JSON.stringify({ results: [{ id: "a", gas: 1, reference: null, ratio: null }], codeSize });
      expect(() => parseResults(file({}))).to.throw(/must be an array/);
      expect(() => parseResults(file([{ contract: "A", bytes: 0 }]))).to.throw(/bad code size/);
      expect(() =>
        parseResults(
          file([
            { contract: "A", bytes: 1 },
            { contract: "A", bytes: 2 },
          ]),
        ),
      ).to.throw(/duplicate code size/);
    });

    it("test_resultsWithCodeSizes_readByAReaderOfResultsOnly", function () {
      // What a reader written before code sizes existed does: it takes `results` and ignores the rest.
      const text = formatResults(withRatios(COMMITTED), [{ contract: "A", bytes: 100 }]);
      const old = JSON.parse(text) as { results: BenchResult[] };
      expect(old.results).to.deep.equal(withRatios(COMMITTED));
    });

    it("test_committedResults_areWellFormed", function () {
      const text = readFileSync(new URL("../bench/results.json", import.meta.url), "utf8");
      const { results, codeSize } = parseResults(text);
      expect(results.length).to.be.greaterThan(0);
      expect(codeSize?.length).to.be.greaterThan(0);
      expect(formatResults(withRatios(results), codeSize)).to.equal(text);
    });
  });

  describe("checkCodeSizes", function () {
    const SIZES = [
      { contract: "A", bytes: 20_000 },
      { contract: "B", bytes: 10_000 },
    ];

    it("test_checkCodeSizes_atTheLimit_passes", function () {
      const c = checkCodeSizes(SIZES, [{ contract: "A", bytes: CODE_SIZE_LIMIT }, SIZES[1]]);
      expect(c.ok).to.equal(true);
      expect(c.overLimit).to.deep.equal([]);
    });

    it("test_checkCodeSizes_oneByteAboveTheLimit_fails", function () {
      const c = checkCodeSizes(SIZES, [{ contract: "A", bytes: CODE_SIZE_LIMIT + 1 }, SIZES[1]]);
      expect(c.ok).to.equal(false);
      expect(c.overLimit).to.deep.equal(["A: 24,577 bytes, 1 above 24,576"]);
    });

    it("test_checkCodeSizes_growthReportedNotFailed", function () {
      const c = checkCodeSizes(SIZES, [
        { contract: "A", bytes: 20_100 },
        { contract: "B", bytes: 9_000 },
        { contract: "C", bytes: 5 },
      ]);
      expect(c.ok).to.equal(true);
      expect(c.grown).to.deep.equal(["A: 20,000 → 20,100 bytes (+100)"]);
      expect(c.shrunk).to.deep.equal(["B: 10,000 → 9,000 bytes (−1,000)"]);
      expect(c.added).to.deep.equal(["C: 5 bytes (no committed size)"]);
    });

    it("test_checkCodeSizes_committedFileWithoutSizes_comparesWithNothing", function () {
      const c = checkCodeSizes(undefined, SIZES);
      expect(c.ok).to.equal(true);
      expect(c.grown).to.deep.equal([]);
      expect(c.added.length).to.equal(2);
    });

    it("test_codeSizeTable_showsHeadroom", function () {
      const table = codeSizeTable([
        { contract: "A", bytes: 23_794 },
        { contract: "B", bytes: 24_600 },
      ]);
      expect(table).to.include("| A | 23,794 | 782 | 96.8 % |");
      expect(table).to.include("| B | 24,600 | **-24** |");
    });
  });

  describe("evaluateTargets", function () {
    const results = withRatios([
      { id: "ref", gas: 30_000, reference: null },
      { id: "x", gas: 40_000, reference: "ref" },
      { id: "y", gas: 100_500, reference: null },
      { id: "z", gas: 100_000, reference: null },
    ]);

    it("test_evaluateTargets_eachKind", function () {
      const outcomes = evaluateTargets(
        [
          { id: "x", kind: "ratio", max: 1.45, aim: 1.3 },
          { id: "x", kind: "ratio", max: 1.3 },
          { id: "y", kind: "max", gas: 100_500 },
          { id: "y", kind: "max", gas: 100_499 },
          { id: "y", kind: "within", of: "z", fraction: 0.005 },
          { id: "y", kind: "within", of: "z", fraction: 0.004 },
          { id: "y", kind: "added", over: "z", gas: 500 },
          { id: "y", kind: "added", over: "z", gas: 499 },
        ],
        results,
      );
      expect(outcomes.map((o) => o.pass)).to.deep.equal([
        true,
        false,
        true,
        false,
        true,
        false,
        true,
        false,
      ]);
      expect(outcomes[6].actual).to.equal("+500");
    });

    it("test_evaluateTargets_unmeasuredId_throws", function () {
      expect(() => evaluateTargets([{ id: "w", kind: "max", gas: 1 }], results)).to.throw(
        /not measured/,
      );
    });
  });
});
