import { erc20Abi, getAddress, zeroAddress, type Address, type BlockNumber, type BlockTag } from "viem";
import { getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import {
  dealAbi,
  riskEngineAbi,
  trancheTokenAbi,
  utilizationOracleAbi,
} from "../../generated/abis.js";
import {
  dealStatusName,
  type CouponTerms,
  type OracleTerms,
  type PeriodStatement,
  type PrincipalTerms,
} from "../../types.js";
import type { LogReaderOptions } from "../../logs.js";
import { siteOf, type SiteOfReturnType } from "../anyone/siteOf.js";
import { tenantsOf } from "../anyone/tenantsOf.js";
import { lastPeriodStatement } from "./periodStatements.js";
import { readReportStatus, type ReportStatus } from "./reportStatus.js";

export interface DealSnapshotParameters extends LogReaderOptions {
  deal: Address;
  /** Reads state at this block (default: latest), so every figure is consistent. */
  blockNumber?: bigint;
  /**
   * Where the search for the last `PeriodDistributed` event ends, going backwards (default: the deal's creation
   * block, found by a search over `eth_getCode`).
   */
  fromBlock?: BlockNumber | BlockTag;
}

export interface TrancheSnapshot {
  index: number;
  kind: number;
  token: Address;
  offering: Address;
  name: string;
  symbol: string;
  supply: bigint;
  /** Outstanding face per token (WAD). */
  factor: bigint;
  issued: bigint;
  outstanding: bigint;
  arrears: bigint;
  /** Principal written off (equity: its whole par once any note lost principal). */
  writtenDown: bigint;
  coupon: CouponTerms;
  principal: PrincipalTerms;
  /**
   * Stablecoin the token holds for its holders to claim; null for an equity class of a waterfall, whose cash the deal
   * holds for all the classes together (`equitySnapshot`'s `cashHeld`) and pays their claims.
   */
  cashHeld: bigint | null;
}

export interface DealSnapshotReturnType {
  deal: Address;
  blockNumber: bigint;
  stablecoin: Address;
  oracle: Address;
  issuer: Address;
  servicer: Address;
  trustee: Address;
  status: number;
  statusName: string;
  paused: boolean;
  start: bigint;
  periodLength: number;
  periodCount: bigint;
  nextPeriod: bigint;
  finalMaturity: bigint;
  readyPeriod: { ready: boolean; period: bigint };
  pledgedShareBps: bigint;
  servicerFeeBps: bigint;
  trusteeFeePerPeriod: bigint;
  /** Paid to whoever runs a period, first in the waterfall, capped by the period's cash. */
  keeperBounty: bigint;
  /** Periods distributed without a report (marked unreported by the oracle). */
  missedReports: bigint;
  /** The deal's oracle terms: reporters in force, quorum, dispute window, deadline and bounds. */
  oracleTerms: OracleTerms;
  /** Id of the reporter set in force (what reporters sign). */
  reporterSet: bigint;
  /** Every period's report at the oracle, by period. */
  reports: ReportStatus[];
  reserve: { balance: bigint; target: bigint };
  /** Collections deposited and not yet distributed, with a site's rent received since its last distribution. */
  collections: bigint;
  /** A tenant deal's site and rent (undefined: the deal names no site). */
  site: SiteOfReturnType;
  /** A site's tenant deals (empty: none) and the rent they paid since its last distribution (part of `collections`). */
  tenants: Address[];
  pendingRent: bigint;
  /** Fees owed to the trustee and the servicer and not paid yet (carried to the next period). */
  feeArrears: { trustee: bigint; servicer: bigint };
  /** Fees paid to the trustee and the servicer, held by the deal until they withdraw them (`withdrawFees`). */
  feesOwed: { trustee: bigint; servicer: bigint };
  /**
   * The recovery account: recoveries deposited while the deal runs, held for the notes (collateral at par) until a
   * distribution applies them.
   */
  recoveries: bigint;
  /** The residual credited to the issuer (no equity issued) and not withdrawn yet (`withdrawResidual`). */
  residualOwed: bigint;
  /** Stablecoin the deal holds (reserve + collections + recoveries + fees and residual owed). */
  stablecoinBalance: bigint;
  /** The deal's guardian and a guardian change waiting for its delay (`next` undefined: none). */
  guardian: { current: Address; next: Address | undefined; eta: bigint };
  tranches: TrancheSnapshot[];
  /** Statement of the last distributed period, from its `PeriodDistributed` event. */
  lastStatement: PeriodStatement | undefined;
  /** The deal's risk engine and its headline state (the full state: the `riskSnapshot` action). */
  riskEngine: Address;
  risk: DealRiskSummary;
}

/** Headline risk state of a deal at the snapshot's block, read from its risk engine and its last statement. */
export interface DealRiskSummary {
  /** Fleet value now (book value, capped by the index-implied value of marked entries). */
  collateralValue: bigint;
  /** Note principal outstanding / collateral value now (WAD, rounded up; 2^256 − 1 without collateral). */
  ltv: bigint;
  /** Bitmask of the active triggers. */
  activeTriggers: bigint;
  /**
   * Mode of the last distributed period (Active, CashTrap or Accelerated; the deal's status follows it), from its
   * `PeriodDistributed` statement; 0 (Offering) before the first distribution.
   */
  lastMode: number;
  lastModeName: string;
  /** Whether the issuer may make the clean-up call now. */
  cleanUpCallable: boolean;
}

/** Everything an auditor reads of a deal, at one block. */
export async function dealSnapshot(
  client: CascadeClient,
  params: DealSnapshotParameters,
): Promise<DealSnapshotReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const deal = { address: params.deal, abi: dealAbi, blockNumber } as const;
    const [
      stablecoin,
      oracle,
      issuer,
      servicer,
      trustee,
      status,
      paused,
      start,
      periodLength,
      periodCount,
      nextPeriod,
      finalMaturity,
      [ready, readyPeriod],
      pledgedShareBps,
      servicerFeeBps,
      trusteeFeePerPeriod,
      [reserveBalance, reserveTarget],
      collections,
      [trusteeArrears, servicerArrears],
      [trusteeOwed, servicerOwed],
      trancheCount,
      keeperBounty,
      missedReports,
      riskEngine,
      recoveries,
      residualOwed,
      guardian,
      [nextGuardian, guardianEta],
    ] = await Promise.all([
      readContract(client, { ...deal, functionName: "stablecoin" }),
      readContract(client, { ...deal, functionName: "oracle" }),
      readContract(client, { ...deal, functionName: "issuer" }),
      readContract(client, { ...deal, functionName: "servicer" }),
      readContract(client, { ...deal, functionName: "trustee" }),
      readContract(client, { ...deal, functionName: "status" }),
      readContract(client, { ...deal, functionName: "paused" }),
      readContract(client, { ...deal, functionName: "start" }),
      readContract(client, { ...deal, functionName: "periodLength" }),
      readContract(client, { ...deal, functionName: "periodCount" }),
      readContract(client, { ...deal, functionName: "nextPeriod" }),
      readContract(client, { ...deal, functionName: "finalMaturity" }),
      readContract(client, { ...deal, functionName: "readyPeriod" }),
      readContract(client, { ...deal, functionName: "pledgedShareBps" }),
      readContract(client, { ...deal, functionName: "servicerFeeBps" }),
      readContract(client, { ...deal, functionName: "trusteeFeePerPeriod" }),
      readContract(client, { ...deal, functionName: "reserve" }),
      readContract(client, { ...deal, functionName: "undistributedCollections" }),
      readContract(client, { ...deal, functionName: "feeArrears" }),
      readContract(client, { ...deal, functionName: "feesOwed" }),
      readContract(client, { ...deal, functionName: "trancheCount" }),
      readContract(client, { ...deal, functionName: "keeperBounty" }),
      readContract(client, { ...deal, functionName: "missedReports" }),
      readContract(client, { ...deal, functionName: "riskEngine" }),
      readContract(client, { ...deal, functionName: "recoveries" }),
      readContract(client, { ...deal, functionName: "residualOwed" }),
      readContract(client, { ...deal, functionName: "guardian" }),
      readContract(client, { ...deal, functionName: "pendingGuardianChange" }),
    ]);

    const engine = { address: riskEngine, abi: riskEngineAbi, blockNumber } as const;
    const [collateralValue, ltv, activeTriggers, cleanUpCallable] = await Promise.all([
      readContract(client, { ...engine, functionName: "collateralValue" }),
      readContract(client, { ...engine, functionName: "ltv" }),
      readContract(client, { ...engine, functionName: "activeTriggers" }),
      readContract(client, { ...engine, functionName: "cleanUpCallable" }),
    ]);

    const oracleCall = { address: oracle, abi: utilizationOracleAbi, blockNumber } as const;
    const [oracleTerms, reporterSet] = await Promise.all([
      readContract(client, { ...oracleCall, functionName: "terms", args: [params.deal] }),
      readContract(client, { ...oracleCall, functionName: "reporterSet", args: [params.deal] }),
    ]);
    const reports = await Promise.all(
      Array.from({ length: Number(periodCount) }, (_, p) =>
        readReportStatus(client, {
          oracle,
          deal: params.deal,
          period: BigInt(p),
          disputeWindow: oracleTerms.disputeWindow,
          blockNumber,
        }),
      ),
    );

    const stablecoinBalance = await readContract(client, {
      address: stablecoin,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [params.deal],
      blockNumber,
    });

    const tranches = await Promise.all(
      Array.from({ length: Number(trancheCount) }, async (_, index): Promise<TrancheSnapshot> => {
        const info = await readContract(client, {
          ...deal,
          functionName: "tranche",
          args: [BigInt(index)],
        });
        const token = { address: info.token, abi: trancheTokenAbi, blockNumber } as const;
        const [name, symbol, supply, factor, cashHeld, distributor] = await Promise.all([
          readContract(client, { ...token, functionName: "name" }),
          readContract(client, { ...token, functionName: "symbol" }),
          readContract(client, { ...token, functionName: "totalSupply" }),
          readContract(client, { ...deal, functionName: "factor", args: [BigInt(index)] }),
          readContract(client, {
            address: stablecoin,
            abi: erc20Abi,
            functionName: "balanceOf",
            args: [info.token],
            blockNumber,
          }),
          readContract(client, { ...token, functionName: "distributor" }),
        ]);
        return {
          index,
          kind: info.kind,
          token: info.token,
          offering: info.offering,
          name,
          symbol,
          supply,
          factor,
          issued: info.issued,
          outstanding: info.outstanding,
          arrears: info.arrears,
          writtenDown: info.writtenDown,
          coupon: info.coupon,
          principal: info.principal,
          cashHeld: getAddress(distributor) === getAddress(params.deal) ? cashHeld : null,
        };
      }),
    );

    const [last, site, { tenants, pendingRent }] = await Promise.all([
      lastPeriodStatement(client, { ...params, toBlock: blockNumber }),
      siteOf(client, { deal: params.deal, blockNumber }),
      tenantsOf(client, { deal: params.deal, blockNumber }),
    ]);
    const lastMode = last?.mode ?? 0;

    return {
      deal: params.deal,
      blockNumber,
      stablecoin,
      oracle,
      issuer,
      servicer,
      trustee,
      status,
      statusName: dealStatusName(status),
      paused,
      start,
      periodLength,
      periodCount,
      nextPeriod,
      finalMaturity,
      readyPeriod: { ready, period: readyPeriod },
      pledgedShareBps,
      servicerFeeBps,
      trusteeFeePerPeriod,
      keeperBounty,
      missedReports,
      oracleTerms,
      reporterSet,
      reports,
      reserve: { balance: reserveBalance, target: reserveTarget },
      collections,
      site,
      tenants,
      pendingRent,
      feeArrears: { trustee: trusteeArrears, servicer: servicerArrears },
      feesOwed: { trustee: trusteeOwed, servicer: servicerOwed },
      recoveries,
      residualOwed,
      stablecoinBalance,
      guardian: {
        current: guardian,
        next: nextGuardian === zeroAddress ? undefined : nextGuardian,
        eta: guardianEta,
      },
      tranches,
      lastStatement: last,
      riskEngine,
      risk: {
        collateralValue,
        ltv,
        activeTriggers,
        lastMode,
        lastModeName: dealStatusName(lastMode),
        cleanUpCallable,
      },
    };
  });
}
