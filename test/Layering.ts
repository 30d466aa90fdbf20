/**
 * The code's layers, read from its imports (the TypeScript parser, not a regular expression):
 *
 * - Layers point one way: sdk ← cli ← scripts, and sdk ← app ← scripts. The SDK imports nothing outside sdk/; the CLI
 *   imports only cli/ and sdk/; the app (app/src/) only app/ and sdk/; scripts import scripts/, cli/, sdk/, the app's
 *   configuration (they launch it) and the generated contract types (types/). Nothing outside test/
 *   imports from test/. The SDK imports no tool of the CLI or of the Hardhat toolchain.
 * - The pure models (sdk/models/) mirror the contracts file for file: none imports another in a cycle, they import
 *   nothing but each other and sdk/types.ts (which imports nothing), and nothing from viem but types. Each names the
 *   contract it mirrors in its first comment, and takes the names of that contract's functions.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import ts from "typescript";

const ROOT = resolve(fileURLToPath(new URL("../", import.meta.url)));

interface ImportEdge {
  /** As written. */
  specifier: string;
  /** For a relative specifier: the file it names, relative to the repository root, with `.ts` for `.js`. */
  target: string | undefined;
  /** `import type`, `export type`, every named element `type`, or an `import("…")` type. */
  typeOnly: boolean;
  line: number;
}

/** Every import of a TypeScript file: import and export declarations, dynamic `import()`, `import("…")` types. */
export function importsOf(file: string, text = readFileSync(file, "utf8")): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (literal: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(literal)) return;
    const specifier = literal.text;
    const target = specifier.startsWith(".")
      ? relative(ROOT, resolve(dirname(file), specifier)).replace(/\.js$/, ".ts")
      : undefined;
    const line = source.getLineAndCharacterOfPosition(literal.getStart()).line + 1;
    edges.push({ specifier, target, typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedTypes =
        clause !== undefined &&
        clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause?.isTypeOnly === true || allNamedTypes);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
      const clause = node.exportClause;
      const allNamedTypes =
        clause !== undefined &&
        ts.isNamedExports(clause) &&
        clause.elements.length > 0 &&
        clause.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || allNamedTypes);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments.length > 0
    ) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The .ts files under `dir` (relative to the root), recursively. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(join(ROOT, d))) {
      const path = join(d, name);
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (path.endsWith(".ts") || path.endsWith(".tsx")) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

/** The top-level folder of a repository path ("sdk", "cli", …), or the file itself at the root. */
const layerOf = (path: string) => path.split("/")[0];

/** A cycle of the directed graph, as the list of its nodes (first repeated at the end), or undefined. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const dfs = (node: string): string[] | undefined => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const found = dfs(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) === undefined) {
      const found = dfs(node);
      if (found) return found;
    }
  }
  return undefined;
}

/** Where each layer's relative imports may lead (top-level folders). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  sdk: ["sdk"],
  cli: ["cli", "sdk"],
  "app/src": ["app", "sdk"],
  scripts: ["scripts", "cli", "sdk", "app", "types"],
};
/** Packages the SDK must not need: the CLI's and the Hardhat toolchain's. */
const NOT_IN_SDK = /^(hardhat|ethers|commander|ora|cli-table3|tsx|@nomicfoundation\/)/;

describe("Layering", function () {
  describe("the import scanner", function () {
    it("test_importsOf_readsEveryKindOfImport", function () {
      const file = join(ROOT, "cli/x.ts");
      const edges = importsOf(
        file,
        [
          'import { a } from "../sdk/index.js";',
          'import type { B } from "./b.js";',
          'import { type C, type D } from "./c.js";',
          'import { e, type F } from "./e.js";',
          'export * from "../scripts/s.js";',
          'export type { G } from "./g.js";',
          'const m = await import("../test/helpers/m.js");',
          'let t: import("./t.js").T;',
          'import "./side-effect.js";',
          'import { parseAbi } from "viem";',
        ].join("\n"),
      );
      expect(edges.map((e) => [e.target ?? e.specifier, e.typeOnly])).to.deep.equal([
        ["sdk/index.ts", false],
        ["cli/b.ts", true],
        ["cli/c.ts", true],
        ["cli/e.ts", false],
        ["scripts/s.ts", false],
        ["cli/g.ts", true],
        ["test/helpers/m.ts", false],
        ["cli/t.ts", true],
        ["cli/side-effect.ts", false],
        ["viem", false],
      ]);
    });

    it("test_findCycle_findsACycleAndOnlyACycle", function () {
      const acyclic = new Map([
        ["a", ["b", "c"]],
        ["b", ["c"]],
        ["c", []],
      ]);
      expect(findCycle(acyclic)).to.equal(undefined);
      const cyclic = new Map([
        ["a", ["b"]],
        ["b", ["c"]],
        ["c", ["a"]],
        ["d", ["a"]],
      ]);
      expect(findCycle(cyclic)).to.deep.equal(["a", "b", "c", "a"]);
      expect(findCycle(new Map([["self", ["self"]]]))).to.deep.equal(["self", "self"]);
    });
  });

  describe("layers point one way: sdk ← cli ← scripts, sdk ← app ← scripts", function () {
    for (const layer of Object.keys(MAY_IMPORT)) {
      it(`test_${layer.replace("/", "_")}_importsOnly_${MAY_IMPORT[layer].join("_")}`, function () {
        const bad: string[] = [];
        for (const file of tsFiles(layer)) {
          for (const e of importsOf(join(ROOT, file))) {
            if (e.target !== undefined && !MAY_IMPORT[layer].includes(layerOf(e.target)))
              bad.push(`${file}:${e.line} imports ${e.specifier}`);
            if (layer === "sdk" && e.target === undefined && NOT_IN_SDK.test(e.specifier))
              bad.push(`${file}:${e.line} imports the package ${e.specifier}`);
          }
        }
        expect(bad, bad.join("\n")).to.deep.equal([]);
      });
    }

    it("test_nothingOutsideTest_importsFromTest", function () {
      const files = [
        ...["sdk", "cli", "scripts", "deploy", "app/src"].flatMap(tsFiles),
        "hardhat.config.ts",
      ];
      const bad = files.flatMap((file) =>
        importsOf(join(ROOT, file))
          .filter((e) => e.target !== undefined && layerOf(e.target) === "test")
          .map((e) => `${file}:${e.line} imports ${e.specifier}`),
      );
      expect(bad, bad.join("\n")).to.deep.equal([]);
    });
  });

  describe("the models mirror the contracts", function () {
    const MODELS = tsFiles("sdk/models");
    const edgesOf = new Map(MODELS.map((f) => [f, importsOf(join(ROOT, f))]));

    it("test_models_haveNoImportCycle", function () {
      // Type-only imports count too: a cycle of types is still two files that need each other.
      const graph = new Map(
        MODELS.map((f) => [
          f,
          (edgesOf.get(f) ?? [])
            .filter((e) => e.target?.startsWith("sdk/models/"))
            .map((e) => e.target as string),
        ]),
      );
      const cycle = findCycle(graph);
      expect(cycle, cycle?.join(" → ")).to.equal(undefined);
    });

    it("test_models_importOnlyEachOtherAndTheTypes_andNoValueFromViem", function () {
      const bad: string[] = [];
      for (const [file, edges] of edgesOf) {
        for (const e of edges) {
          if (e.target !== undefined) {
            if (!e.target.startsWith("sdk/models/") && e.target !== "sdk/types.ts")
              bad.push(`${file}:${e.line} imports ${e.specifier}`);
          } else if (e.specifier !== "viem" || !e.typeOnly) {
            bad.push(`${file}:${e.line} imports ${e.specifier}${e.typeOnly ? "" : " (a value)"}`);
          }
        }
      }
      // The shared types the models read import nothing that runs.
      for (const e of importsOf(join(ROOT, "sdk/types.ts")))
        if (!e.typeOnly) bad.push(`sdk/types.ts:${e.line} imports ${e.specifier}`);
      expect(bad, bad.join("\n")).to.deep.equal([]);
    });

    /**
     * Each model, the contract it mirrors (and the other files of that contract: a deal's extension and their shared
     * storage), its exports that no function of the contract is named after, and (for a library) the library's
     * functions that have no model.
     */
    const MIRRORS: {
      model: string;
      contract: string;
      also?: readonly string[];
      modelOnly: readonly string[];
      noModel?: readonly string[];
    }[] = [
      {
        model: "sdk/models/waterfall.ts",
        contract: "contracts/libraries/WaterfallMath.sol",
        modelOnly: ["amortizationSchedule"],
      },
      {
        model: "sdk/models/collateral.ts",
        contract: "contracts/libraries/CollateralMath.sol",
        modelOnly: [],
      },
      {
        model: "sdk/models/riskTerms.ts",
        contract: "contracts/libraries/RiskTermsLib.sol",
        modelOnly: [],
      },
      {
        model: "sdk/models/risk.ts",
        contract: "contracts/core/RiskEngine.sol",
        // The engine's state at creation, and two steps its `_evaluate` does inline.
        modelOnly: ["initialRiskState", "inBreach", "activeMask"],
      },
      {
        model: "sdk/models/deal.ts",
        contract: "contracts/core/Deal.sol",
        also: ["contracts/core/DealExtension.sol", "contracts/core/DealStorage.sol"],
        // The deal's state after its offerings settled, the order a status runs in, a model term sheet's risk terms,
        // the statement's conservation check and a tenant's rent due (computed inline by `Deal._rent`).
        modelOnly: [
          "initialDealState",
          "waterfallModeOf",
          "riskTermsOf",
          "statementBalances",
          "siteRentDue",
        ],
      },
      {
        model: "sdk/models/equityMath.ts",
        contract: "contracts/libraries/EquityMath.sol",
        // The hurdled splits in tier order (the contract keeps each tier's hurdle index with the tier); the
        // contributions are the model's input, where the library reads the tokens' supplies when a tier needs them.
        modelOnly: ["hurdleTiers"],
        noModel: ["contributedOf", "contributedAll"],
      },
      {
        model: "sdk/models/equityWaterfall.ts",
        contract: "contracts/core/EquityWaterfall.sol",
        // The state at the first distribution, one distribution with its clock (`_distribute`), the preferred return
        // owed at a given time and the catch-up's progress in bps.
        modelOnly: [
          "initialEquityState",
          "distributeEquity",
          "prefOwedDown",
          "sponsorProfitShareDown",
        ],
      },
    ];

    const exportedFunctions = (file: string): string[] => {
      const source = ts.createSourceFile(
        file,
        readFileSync(join(ROOT, file), "utf8"),
        ts.ScriptTarget.Latest,
      );
      return source.statements
        .filter(ts.isFunctionDeclaration)
        .filter((f) => f.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
        .map((f) => f.name?.text ?? "");
    };
    /** A contract's function names, private helpers without their underscore. */
    const solidityFunctions = (file: string) =>
      new Set(
        [...readFileSync(join(ROOT, file), "utf8").matchAll(/\bfunction\s+(\w+)\s*\(/g)].map((m) =>
          m[1].replace(/^_/, ""),
        ),
      );

    for (const m of MIRRORS) {
      it(`test_${m.model.split("/").pop()}_namesItsContract_andTakesItsFunctionNames`, function () {
        const head = /^\/\*\*([\s\S]*?)\*\//.exec(readFileSync(join(ROOT, m.model), "utf8"));
        expect(head?.[1] ?? "", `${m.model}'s first comment`).to.include(`\`${m.contract}\``);
        const names = new Set(
          [m.contract, ...(m.also ?? [])].flatMap((file) => [...solidityFunctions(file)]),
        );
        const strays = exportedFunctions(m.model).filter(
          (f) => !names.has(f) && !m.modelOnly.includes(f),
        );
        expect(
          strays,
          `${m.model} exports functions ${m.contract} has no function for`,
        ).to.deep.equal([]);
      });
    }

    it("test_libraryModels_coverEveryFunctionOfTheirLibrary", function () {
      const missing: string[] = [];
      for (const m of MIRRORS.filter((x) => x.contract.includes("/libraries/"))) {
        const exported = new Set(exportedFunctions(m.model));
        const text = readFileSync(join(ROOT, m.contract), "utf8");
        // The library's own math (not the clone-argument codec of RiskTermsLib, which has no model).
        for (const [, name] of text.matchAll(/\bfunction\s+([a-z]\w*)\s*\(/g)) {
          if (m.contract.endsWith("RiskTermsLib.sol") && !name.endsWith("Valid")) continue;
          if (m.noModel?.includes(name)) continue;
          if (!exported.has(name)) missing.push(`${m.contract}: ${name} (not in ${m.model})`);
        }
      }
      expect(missing, missing.join("\n")).to.deep.equal([]);
    });
  });
});
