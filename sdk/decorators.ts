/**
 * `client.extend(cascadeActions)` binds every Cascade action to a viem client:
 *
 * ```ts
 * const cascade = createWalletClient({ account, chain, transport: http(url) }).extend(cascadeActions);
 * const { deal } = await cascade.createDeal({ factory, terms });
 * ```
 */
import type { CascadeClient } from "./client.js";
import {
  dealSnapshot,
  type DealSnapshotParameters,
  type DealSnapshotReturnType,
} from "./actions/auditor/dealSnapshot.js";
import {
  factoryDeals,
  type FactoryDealsParameters,
  type FactoryDealsReturnType,
} from "./actions/anyone/factoryDeals.js";
import {
  dealProjection,
  type DealProjectionParameters,
  type DealProjectionReturnType,
} from "./actions/auditor/dealProjection.js";
import {
  dealAudit,
  type DealAuditParameters,
  type DealAuditReturnType,
} from "./actions/auditor/dealAudit.js";
import {
  dealTermSheet,
  type DealTermSheetParameters,
  type DealTermSheetReturnType,
} from "./actions/auditor/dealTermSheet.js";
import {
  periodStatements,
  type PeriodStatementsParameters,
  type PeriodStatementsReturnType,
} from "./actions/auditor/periodStatements.js";
import {
  equityDistributions,
  type EquityDistributionsParameters,
  type EquityDistributionsReturnType,
} from "./actions/auditor/equityDistributions.js";
import {
  equitySnapshot,
  type EquitySnapshotParameters,
  type EquitySnapshotReturnType,
} from "./actions/auditor/equitySnapshot.js";
import {
  siteTenants,
  type SiteTenantsParameters,
  type SiteTenantsReturnType,
} from "./actions/auditor/siteTenants.js";
import {
  trancheLedger,
  type TrancheLedgerParameters,
  type TrancheLedgerReturnType,
} from "./actions/auditor/trancheLedger.js";
import {
  deployProtocol,
  type DeployProtocolParameters,
  type DeployProtocolReturnType,
} from "./actions/deploy/deployProtocol.js";
import { claim, type ClaimParameters, type ClaimReturnType } from "./actions/investor/claim.js";
import {
  claimShares,
  type ClaimSharesParameters,
  type ClaimSharesReturnType,
} from "./actions/investor/claimShares.js";
import {
  position,
  type PositionParameters,
  type PositionReturnType,
} from "./actions/investor/position.js";
import {
  subscribe,
  type SubscribeParameters,
  type SubscribeReturnType,
} from "./actions/investor/subscribe.js";
import {
  closeOffering,
  type CloseOfferingParameters,
  type CloseOfferingReturnType,
} from "./actions/issuer/closeOffering.js";
import {
  createDeal,
  type CreateDealParameters,
  type CreateDealReturnType,
} from "./actions/issuer/createDeal.js";
import {
  createDealWithConsent,
  type CreateDealWithConsentParameters,
  type CreateDealWithConsentReturnType,
} from "./actions/issuer/createDealWithConsent.js";
import {
  signDealConsent,
  type SignDealConsentParameters,
  type SignDealConsentReturnType,
} from "./actions/issuer/signDealConsent.js";
import {
  depositCollections,
  type DepositCollectionsParameters,
  type DepositCollectionsReturnType,
} from "./actions/issuer/depositCollections.js";
import {
  distribute,
  type DistributeParameters,
  type DistributeReturnType,
} from "./actions/keeper/distribute.js";
import {
  distributeReady,
  type DistributeReadyParameters,
  type DistributeReadyReturnType,
} from "./actions/keeper/distributeReady.js";
import {
  reportHistory,
  type ReportHistoryParameters,
  type ReportHistoryReturnType,
} from "./actions/auditor/reportHistory.js";
import {
  reportStatus,
  type ReportStatusParameters,
  type ReportStatusReturnType,
} from "./actions/auditor/reportStatus.js";
import {
  checkUpkeep,
  type CheckUpkeepParameters,
  type CheckUpkeepReturnType,
} from "./actions/keeper/checkUpkeep.js";
import {
  performUpkeep,
  type PerformUpkeepParameters,
  type PerformUpkeepReturnType,
} from "./actions/keeper/performUpkeep.js";
import {
  disputeReport,
  type DisputeReportParameters,
  type DisputeReportReturnType,
} from "./actions/reporter/disputeReport.js";
import {
  finalizeReport,
  type FinalizeReportParameters,
  type FinalizeReportReturnType,
} from "./actions/reporter/finalizeReport.js";
import {
  markUnreported,
  type MarkUnreportedParameters,
  type MarkUnreportedReturnType,
} from "./actions/reporter/markUnreported.js";
import {
  prepareReport,
  type PrepareReportParameters,
  type PrepareReportReturnType,
} from "./actions/reporter/prepareReport.js";
import {
  signReport,
  type SignReportParameters,
  type SignReportReturnType,
} from "./actions/reporter/signReport.js";
import {
  checkReport,
  type CheckReportParameters,
  type CheckReportReturnType,
} from "./actions/reporter/checkReport.js";
import {
  submitReport,
  type SubmitReportParameters,
  type SubmitReportReturnType,
} from "./actions/reporter/submitReport.js";
import {
  deployAdministration,
  type DeployAdministrationParameters,
  type DeployAdministrationReturnType,
} from "./actions/deploy/deployAdministration.js";
import {
  registerInvestors,
  type RegisterInvestorsParameters,
  type RegisterInvestorsReturnType,
} from "./actions/compliance/registerInvestors.js";
import {
  deployPriceIndexFeed,
  type DeployPriceIndexFeedParameters,
  type DeployPriceIndexFeedReturnType,
} from "./actions/deploy/deployPriceIndexFeed.js";
import {
  publishPriceIndex,
  type PublishPriceIndexParameters,
  type PublishPriceIndexReturnType,
} from "./actions/reporter/publishPriceIndex.js";
import {
  addFleetEntries,
  type AddFleetEntriesParameters,
  type AddFleetEntriesReturnType,
} from "./actions/issuer/addFleetEntries.js";
import {
  retireFleetEntry,
  type RetireFleetEntryParameters,
  type RetireFleetEntryReturnType,
} from "./actions/issuer/retireFleetEntry.js";
import {
  cleanUpQuote,
  type CleanUpQuoteParameters,
  type CleanUpQuoteReturnType,
} from "./actions/issuer/cleanUpCall.js";
import {
  cleanUpCall,
  type CleanUpCallParameters,
  type CleanUpCallReturnType,
} from "./actions/issuer/cleanUpCall.js";
import {
  proposeWaiver,
  type ProposeWaiverParameters,
  type ProposeWaiverReturnType,
} from "./actions/issuer/proposeWaiver.js";
import {
  writeDown,
  type WriteDownParameters,
  type WriteDownReturnType,
} from "./actions/trustee/writeDown.js";
import {
  withdrawFees,
  type WithdrawFeesParameters,
  type WithdrawFeesReturnType,
} from "./actions/trustee/withdrawFees.js";
import {
  confirmFleetEntry,
  type ConfirmFleetEntryParameters,
  type ConfirmFleetEntryReturnType,
} from "./actions/trustee/confirmFleetEntry.js";
import {
  rejectFleetEntry,
  type RejectFleetEntryParameters,
  type RejectFleetEntryReturnType,
} from "./actions/trustee/rejectFleetEntry.js";
import {
  withdrawResidual,
  type WithdrawResidualParameters,
  type WithdrawResidualReturnType,
} from "./actions/issuer/withdrawResidual.js";
import {
  withdrawProceeds,
  type WithdrawProceedsParameters,
  type WithdrawProceedsReturnType,
} from "./actions/issuer/withdrawProceeds.js";
import {
  proposeGuardian,
  type ProposeGuardianParameters,
  type ProposeGuardianReturnType,
} from "./actions/guardian/proposeGuardian.js";
import {
  cancelGuardianChange,
  type CancelGuardianChangeParameters,
  type CancelGuardianChangeReturnType,
} from "./actions/guardian/cancelGuardianChange.js";
import {
  applyGuardianChange,
  type ApplyGuardianChangeParameters,
  type ApplyGuardianChangeReturnType,
} from "./actions/guardian/applyGuardianChange.js";
import {
  depositRecoveries,
  type DepositRecoveriesParameters,
  type DepositRecoveriesReturnType,
} from "./actions/anyone/depositRecoveries.js";
import {
  executeWaiver,
  type ExecuteWaiverParameters,
  type ExecuteWaiverReturnType,
} from "./actions/anyone/executeWaiver.js";
import {
  voteWaiver,
  type VoteWaiverParameters,
  type VoteWaiverReturnType,
} from "./actions/investor/voteWaiver.js";
import {
  riskSnapshot,
  type RiskSnapshotParameters,
  type RiskSnapshotReturnType,
} from "./actions/auditor/riskSnapshot.js";
import {
  stressDeal,
  type StressDealParameters,
  type StressDealReturnType,
} from "./actions/auditor/stressDeal.js";

import {
  transfer,
  type TransferParameters,
  type TransferReturnType,
} from "./actions/investor/transfer.js";
import {
  transferRestriction,
  type TransferRestrictionParameters,
  type TransferRestrictionReturnType,
} from "./actions/compliance/transferRestriction.js";
import {
  freezeTokens,
  unfreezeTokens,
  type FreezeTokensParameters,
  type FreezeTokensReturnType,
  type UnfreezeTokensParameters,
  type UnfreezeTokensReturnType,
} from "./actions/compliance/freezeTokens.js";
import {
  forcedTransfer,
  type ForcedTransferParameters,
  type ForcedTransferReturnType,
} from "./actions/compliance/forcedTransfer.js";
import {
  recoverWallet,
  type RecoverWalletParameters,
  type RecoverWalletReturnType,
} from "./actions/compliance/recoverWallet.js";

import {
  positions,
  type PositionsParameters,
  type PositionsReturnType,
} from "./actions/investor/positions.js";
import {
  checkSubscription,
  type CheckSubscriptionParameters,
  type CheckSubscriptionReturnType,
} from "./actions/investor/checkSubscription.js";
import {
  claimDeals,
  type ClaimDealsParameters,
  type ClaimDealsReturnType,
} from "./actions/investor/claimDeals.js";
import {
  investorRecord,
  type InvestorRecordParameters,
  type InvestorRecordReturnType,
} from "./actions/compliance/investorRecord.js";
import {
  isComplianceAgent,
  type IsComplianceAgentParameters,
} from "./actions/compliance/isComplianceAgent.js";
import {
  updateInvestor,
  type UpdateInvestorParameters,
  type UpdateInvestorReturnType,
} from "./actions/compliance/updateInvestor.js";
import {
  setInvestorFrozen,
  type SetInvestorFrozenParameters,
  type SetInvestorFrozenReturnType,
} from "./actions/compliance/setInvestorFrozen.js";
import {
  fleetValuation,
  type FleetValuationParameters,
  type FleetValuationReturnType,
} from "./actions/anyone/fleetValuation.js";
import { siteOf, type SiteOfParameters, type SiteOfReturnType } from "./actions/anyone/siteOf.js";
import {
  tenantsOf,
  type TenantsOfParameters,
  type TenantsOfReturnType,
} from "./actions/anyone/tenantsOf.js";
import {
  depositCapitalEvent,
  type DepositCapitalEventParameters,
  type DepositCapitalEventReturnType,
} from "./actions/issuer/depositCapitalEvent.js";
import {
  priceFeedSnapshot,
  type PriceFeedSnapshotParameters,
  type PriceFeedSnapshotReturnType,
} from "./actions/anyone/priceFeedSnapshot.js";
import {
  waiverBallot,
  type WaiverBallotParameters,
  type WaiverBallotReturnType,
} from "./actions/anyone/waiverBallot.js";
import {
  grantPriceIndexPublisher,
  type GrantPriceIndexPublisherParameters,
  type GrantPriceIndexPublisherReturnType,
} from "./actions/deploy/grantPriceIndexPublisher.js";

// A type alias (not an interface) so it has the implicit index signature `client.extend` requires.
export type CascadeActions = {
  deployProtocol: (params?: DeployProtocolParameters) => Promise<DeployProtocolReturnType>;
  createDeal: (params: CreateDealParameters) => Promise<CreateDealReturnType>;
  signDealConsent: (params: SignDealConsentParameters) => Promise<SignDealConsentReturnType>;
  createDealWithConsent: (
    params: CreateDealWithConsentParameters,
  ) => Promise<CreateDealWithConsentReturnType>;
  depositCollections: (
    params: DepositCollectionsParameters,
  ) => Promise<DepositCollectionsReturnType>;
  closeOffering: (params: CloseOfferingParameters) => Promise<CloseOfferingReturnType>;
  subscribe: (params: SubscribeParameters) => Promise<SubscribeReturnType>;
  claimShares: (params: ClaimSharesParameters) => Promise<ClaimSharesReturnType>;
  claim: (params: ClaimParameters) => Promise<ClaimReturnType>;
  position: (params: PositionParameters) => Promise<PositionReturnType>;
  prepareReport: (params: PrepareReportParameters) => Promise<PrepareReportReturnType>;
  signReport: (params: SignReportParameters) => Promise<SignReportReturnType>;
  checkReport: (params: CheckReportParameters) => Promise<CheckReportReturnType>;
  submitReport: (params: SubmitReportParameters) => Promise<SubmitReportReturnType>;
  disputeReport: (params: DisputeReportParameters) => Promise<DisputeReportReturnType>;
  markUnreported: (params: MarkUnreportedParameters) => Promise<MarkUnreportedReturnType>;
  finalizeReport: (params: FinalizeReportParameters) => Promise<FinalizeReportReturnType>;
  distribute: (params: DistributeParameters) => Promise<DistributeReturnType>;
  checkUpkeep: (params: CheckUpkeepParameters) => Promise<CheckUpkeepReturnType>;
  performUpkeep: (params: PerformUpkeepParameters) => Promise<PerformUpkeepReturnType>;
  distributeReady: (params: DistributeReadyParameters) => Promise<DistributeReadyReturnType>;
  dealSnapshot: (params: DealSnapshotParameters) => Promise<DealSnapshotReturnType>;
  dealAudit: (params: DealAuditParameters) => Promise<DealAuditReturnType>;
  dealProjection: (params: DealProjectionParameters) => Promise<DealProjectionReturnType>;
  factoryDeals: (params: FactoryDealsParameters) => Promise<FactoryDealsReturnType>;
  dealTermSheet: (params: DealTermSheetParameters) => Promise<DealTermSheetReturnType>;
  reportStatus: (params: ReportStatusParameters) => Promise<ReportStatusReturnType>;
  reportHistory: (params: ReportHistoryParameters) => Promise<ReportHistoryReturnType>;
  periodStatements: (params: PeriodStatementsParameters) => Promise<PeriodStatementsReturnType>;
  trancheLedger: (params: TrancheLedgerParameters) => Promise<TrancheLedgerReturnType>;
  siteTenants: (params: SiteTenantsParameters) => Promise<SiteTenantsReturnType>;
  equitySnapshot: (params: EquitySnapshotParameters) => Promise<EquitySnapshotReturnType>;
  equityDistributions: (
    params: EquityDistributionsParameters,
  ) => Promise<EquityDistributionsReturnType>;
  deployPriceIndexFeed: (
    params: DeployPriceIndexFeedParameters,
  ) => Promise<DeployPriceIndexFeedReturnType>;
  publishPriceIndex: (params: PublishPriceIndexParameters) => Promise<PublishPriceIndexReturnType>;
  addFleetEntries: (params: AddFleetEntriesParameters) => Promise<AddFleetEntriesReturnType>;
  retireFleetEntry: (params: RetireFleetEntryParameters) => Promise<RetireFleetEntryReturnType>;
  cleanUpQuote: (params: CleanUpQuoteParameters) => Promise<CleanUpQuoteReturnType>;
  cleanUpCall: (params: CleanUpCallParameters) => Promise<CleanUpCallReturnType>;
  proposeWaiver: (params: ProposeWaiverParameters) => Promise<ProposeWaiverReturnType>;
  writeDown: (params: WriteDownParameters) => Promise<WriteDownReturnType>;
  withdrawFees: (params: WithdrawFeesParameters) => Promise<WithdrawFeesReturnType>;
  confirmFleetEntry: (params: ConfirmFleetEntryParameters) => Promise<ConfirmFleetEntryReturnType>;
  rejectFleetEntry: (params: RejectFleetEntryParameters) => Promise<RejectFleetEntryReturnType>;
  withdrawResidual: (params: WithdrawResidualParameters) => Promise<WithdrawResidualReturnType>;
  withdrawProceeds: (params: WithdrawProceedsParameters) => Promise<WithdrawProceedsReturnType>;
  proposeGuardian: (params: ProposeGuardianParameters) => Promise<ProposeGuardianReturnType>;
  cancelGuardianChange: (
    params: CancelGuardianChangeParameters,
  ) => Promise<CancelGuardianChangeReturnType>;
  applyGuardianChange: (
    params: ApplyGuardianChangeParameters,
  ) => Promise<ApplyGuardianChangeReturnType>;
  depositRecoveries: (params: DepositRecoveriesParameters) => Promise<DepositRecoveriesReturnType>;
  executeWaiver: (params: ExecuteWaiverParameters) => Promise<ExecuteWaiverReturnType>;
  voteWaiver: (params: VoteWaiverParameters) => Promise<VoteWaiverReturnType>;
  riskSnapshot: (params: RiskSnapshotParameters) => Promise<RiskSnapshotReturnType>;
  stressDeal: (params: StressDealParameters) => Promise<StressDealReturnType>;
  deployAdministration: (
    params: DeployAdministrationParameters,
  ) => Promise<DeployAdministrationReturnType>;
  registerInvestors: (params: RegisterInvestorsParameters) => Promise<RegisterInvestorsReturnType>;
  transfer: (params: TransferParameters) => Promise<TransferReturnType>;
  transferRestriction: (
    params: TransferRestrictionParameters,
  ) => Promise<TransferRestrictionReturnType>;
  freezeTokens: (params: FreezeTokensParameters) => Promise<FreezeTokensReturnType>;
  unfreezeTokens: (params: UnfreezeTokensParameters) => Promise<UnfreezeTokensReturnType>;
  forcedTransfer: (params: ForcedTransferParameters) => Promise<ForcedTransferReturnType>;
  recoverWallet: (params: RecoverWalletParameters) => Promise<RecoverWalletReturnType>;
  positions: (params: PositionsParameters) => Promise<PositionsReturnType>;
  checkSubscription: (params: CheckSubscriptionParameters) => Promise<CheckSubscriptionReturnType>;
  claimDeals: (params: ClaimDealsParameters) => Promise<ClaimDealsReturnType>;
  investorRecord: (params: InvestorRecordParameters) => Promise<InvestorRecordReturnType>;
  isComplianceAgent: (params: IsComplianceAgentParameters) => Promise<boolean>;
  updateInvestor: (params: UpdateInvestorParameters) => Promise<UpdateInvestorReturnType>;
  setInvestorFrozen: (params: SetInvestorFrozenParameters) => Promise<SetInvestorFrozenReturnType>;
  fleetValuation: (params: FleetValuationParameters) => Promise<FleetValuationReturnType>;
  siteOf: (params: SiteOfParameters) => Promise<SiteOfReturnType>;
  tenantsOf: (params: TenantsOfParameters) => Promise<TenantsOfReturnType>;
  depositCapitalEvent: (
    params: DepositCapitalEventParameters,
  ) => Promise<DepositCapitalEventReturnType>;
  priceFeedSnapshot: (params: PriceFeedSnapshotParameters) => Promise<PriceFeedSnapshotReturnType>;
  waiverBallot: (params: WaiverBallotParameters) => Promise<WaiverBallotReturnType>;
  grantPriceIndexPublisher: (
    params: GrantPriceIndexPublisherParameters,
  ) => Promise<GrantPriceIndexPublisherReturnType>;
};

/** Binds every Cascade action to `client`; use as `client.extend(cascadeActions)`. */
export function cascadeActions(client: CascadeClient): CascadeActions {
  return {
    deployProtocol: (params) => deployProtocol(client, params),
    createDeal: (params) => createDeal(client, params),
    signDealConsent: (params) => signDealConsent(client, params),
    createDealWithConsent: (params) => createDealWithConsent(client, params),
    depositCollections: (params) => depositCollections(client, params),
    closeOffering: (params) => closeOffering(client, params),
    subscribe: (params) => subscribe(client, params),
    claimShares: (params) => claimShares(client, params),
    claim: (params) => claim(client, params),
    position: (params) => position(client, params),
    prepareReport: (params) => prepareReport(client, params),
    signReport: (params) => signReport(client, params),
    checkReport: (params) => checkReport(client, params),
    submitReport: (params) => submitReport(client, params),
    disputeReport: (params) => disputeReport(client, params),
    markUnreported: (params) => markUnreported(client, params),
    finalizeReport: (params) => finalizeReport(client, params),
    distribute: (params) => distribute(client, params),
    checkUpkeep: (params) => checkUpkeep(client, params),
    performUpkeep: (params) => performUpkeep(client, params),
    distributeReady: (params) => distributeReady(client, params),
    dealSnapshot: (params) => dealSnapshot(client, params),
    dealAudit: (params) => dealAudit(client, params),
    dealProjection: (params) => dealProjection(client, params),
    factoryDeals: (params) => factoryDeals(client, params),
    dealTermSheet: (params) => dealTermSheet(client, params),
    reportStatus: (params) => reportStatus(client, params),
    reportHistory: (params) => reportHistory(client, params),
    periodStatements: (params) => periodStatements(client, params),
    trancheLedger: (params) => trancheLedger(client, params),
    siteTenants: (params) => siteTenants(client, params),
    equitySnapshot: (params) => equitySnapshot(client, params),
    equityDistributions: (params) => equityDistributions(client, params),
    deployPriceIndexFeed: (params) => deployPriceIndexFeed(client, params),
    publishPriceIndex: (params) => publishPriceIndex(client, params),
    addFleetEntries: (params) => addFleetEntries(client, params),
    retireFleetEntry: (params) => retireFleetEntry(client, params),
    cleanUpQuote: (params) => cleanUpQuote(client, params),
    cleanUpCall: (params) => cleanUpCall(client, params),
    proposeWaiver: (params) => proposeWaiver(client, params),
    writeDown: (params) => writeDown(client, params),
    withdrawFees: (params) => withdrawFees(client, params),
    confirmFleetEntry: (params) => confirmFleetEntry(client, params),
    rejectFleetEntry: (params) => rejectFleetEntry(client, params),
    withdrawResidual: (params) => withdrawResidual(client, params),
    withdrawProceeds: (params) => withdrawProceeds(client, params),
    proposeGuardian: (params) => proposeGuardian(client, params),
    cancelGuardianChange: (params) => cancelGuardianChange(client, params),
    applyGuardianChange: (params) => applyGuardianChange(client, params),
    depositRecoveries: (params) => depositRecoveries(client, params),
    executeWaiver: (params) => executeWaiver(client, params),
    voteWaiver: (params) => voteWaiver(client, params),
    riskSnapshot: (params) => riskSnapshot(client, params),
    stressDeal: (params) => stressDeal(client, params),
    deployAdministration: (params) => deployAdministration(client, params),
    registerInvestors: (params) => registerInvestors(client, params),
    transfer: (params) => transfer(client, params),
    transferRestriction: (params) => transferRestriction(client, params),
    freezeTokens: (params) => freezeTokens(client, params),
    unfreezeTokens: (params) => unfreezeTokens(client, params),
    forcedTransfer: (params) => forcedTransfer(client, params),
    recoverWallet: (params) => recoverWallet(client, params),
    positions: (params) => positions(client, params),
    checkSubscription: (params) => checkSubscription(client, params),
    claimDeals: (params) => claimDeals(client, params),
    investorRecord: (params) => investorRecord(client, params),
    isComplianceAgent: (params) => isComplianceAgent(client, params),
    updateInvestor: (params) => updateInvestor(client, params),
    setInvestorFrozen: (params) => setInvestorFrozen(client, params),
    fleetValuation: (params) => fleetValuation(client, params),
    siteOf: (params) => siteOf(client, params),
    tenantsOf: (params) => tenantsOf(client, params),
    depositCapitalEvent: (params) => depositCapitalEvent(client, params),
    priceFeedSnapshot: (params) => priceFeedSnapshot(client, params),
    waiverBallot: (params) => waiverBallot(client, params),
    grantPriceIndexPublisher: (params) => grantPriceIndexPublisher(client, params),
  };
}
