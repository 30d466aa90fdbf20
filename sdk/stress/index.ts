/**
 * The stress and Monte Carlo engine (`docs/stress.md`): scenario files, a deal from a term sheet or a live deal's
 * state, Monte Carlo on the fast path, deterministic stresses and break-evens on the exact model, charts as SVG.
 * No Node API: runs in a browser. The engine imports nothing from viem; `stressDealFromTermSheet` (`./termsheet.ts`)
 * goes through the SDK's term-sheet parser, which checks addresses with viem. The worker-thread runner is
 * `./parallel.ts` (Node only); a live deal's state is read by the `stressDeal` action
 * (`sdk/actions/auditor/stressDeal.ts`).
 */
export * from "./scenario.js";
export * from "./rng.js";
export * from "./setup.js";
export * from "./termsheet.js";
export * from "./market.js";
export * from "./trace.js";
export * from "./exact.js";
export * from "./fast.js";
export * from "./summary.js";
export * from "./engine.js";
export * from "./deterministic.js";
export * from "./charts.js";
