/** Cascade SDK: typed ABIs, term sheets, the pure waterfall model, role actions and typed errors. */
export * from "./types.js";
export * from "./errors.js";
export * from "./termsheet.js";
export * from "./reports.js";
export type { AccountParameter, CascadeClient } from "./client.js";
export { explainRevert } from "./client.js";
export * from "./decorators.js";
export * from "./generated/abis.js";
export * from "./generated/bytecode.js";

export * from "./models/math.js";
export * from "./models/coupons.js";
export * from "./models/schedule.js";
export * from "./models/collateral.js";
export * from "./models/waterfall.js";

export * from "./actions/deploy/deployProtocol.js";
export * from "./actions/issuer/createDeal.js";
export * from "./actions/issuer/depositCollections.js";
export * from "./actions/issuer/closeOffering.js";
export * from "./actions/investor/subscribe.js";
export * from "./actions/investor/claimShares.js";
export * from "./actions/investor/claim.js";
export * from "./actions/investor/position.js";
export * from "./actions/reporter/prepareReport.js";
export * from "./actions/reporter/signReport.js";
export * from "./actions/reporter/submitReport.js";
export * from "./actions/reporter/disputeReport.js";
export * from "./actions/reporter/markUnreported.js";
export * from "./actions/reporter/finalizeReport.js";
export * from "./actions/keeper/distribute.js";
export * from "./actions/keeper/checkUpkeep.js";
export * from "./actions/keeper/performUpkeep.js";
export * from "./actions/keeper/distributeReady.js";
export * from "./actions/auditor/dealSnapshot.js";
export * from "./actions/auditor/reportStatus.js";
export * from "./actions/auditor/periodStatements.js";
export * from "./actions/auditor/trancheLedger.js";
