/** The keeper service (Node.js): discovery, polling, upkeep with retries, structured logs, persisted cursor. */
export * from "../clock.js";
export * from "./log.js";
export * from "../retry.js";
export * from "./state.js";
export * from "./chain.js";
export * from "./service.js";
