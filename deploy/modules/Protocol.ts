import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The Cascade protocol: utilization oracle, deal / tranche-token / offering / risk-engine implementations and the
 * deal factory (allowed to register deals with the oracle), the investor registry, and an OpenZeppelin
 * AccessManager as the protocol's admin authority (DEFAULT_ADMIN_ROLE on the oracle and the registry, next to the
 * admin, who may renounce once operations go through the manager). The same contracts as `cascade deploy`
 * (`deployProtocol` + `deployAdministration` of the SDK).
 *
 * Parameters: `admin` (admin of the oracle, registry and access manager) and `complianceAgent` (registers
 * investors); both default to the deploying account. The module's calls are sent by the deploying account, so a
 * different `admin` must be granted roles afterwards (or use `cascade deploy --admin`, which hands over).
 *
 *   npx hardhat ignition deploy deploy/modules/Protocol.ts --network localhost
 *
 * Ignition records the deployment in deploy/deployments/chain-<id>/ and re-running it does nothing;
 * `npx cascade deploy --from-ignition` copies the addresses into the CLI's address book (deployments/<id>.json).
 */
export default buildModule("CascadeProtocol", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const complianceAgent = m.getParameter("complianceAgent", m.getAccount(0));

  const oracle = m.contract("UtilizationOracle", [admin]);
  const dealExtension = m.contract("DealExtension");
  const dealImplementation = m.contract("Deal", [dealExtension]);
  const tokenExtension = m.contract("TrancheTokenExtension");
  const tokenImplementation = m.contract("TrancheToken", [tokenExtension]);
  const offeringImplementation = m.contract("Offering");
  const riskEngineImplementation = m.contract("RiskEngine");
  const equityWaterfallImplementation = m.contract("EquityWaterfall");
  const factory = m.contract("DealFactory", [
    dealImplementation,
    tokenImplementation,
    offeringImplementation,
    riskEngineImplementation,
    equityWaterfallImplementation,
    oracle,
  ]);

  const registrarRole = m.staticCall(oracle, "REGISTRAR_ROLE");
  m.call(oracle, "grantRole", [registrarRole, factory], { id: "GrantRegistrarToFactory" });

  const accessManager = m.contract("AccessManager", [admin]);
  const investorRegistry = m.contract("InvestorRegistry", [admin]);
  const agentRole = m.staticCall(investorRegistry, "COMPLIANCE_AGENT_ROLE");
  const adminRole = m.staticCall(investorRegistry, "DEFAULT_ADMIN_ROLE");
  m.call(investorRegistry, "grantRole", [agentRole, complianceAgent], {
    id: "GrantComplianceAgent",
  });
  m.call(investorRegistry, "grantRole", [adminRole, accessManager], {
    id: "GrantRegistryAdminToManager",
  });
  m.call(oracle, "grantRole", [adminRole, accessManager], { id: "GrantOracleAdminToManager" });

  return {
    oracle,
    dealImplementation,
    tokenImplementation,
    offeringImplementation,
    riskEngineImplementation,
    equityWaterfallImplementation,
    factory,
    accessManager,
    investorRegistry,
  };
});
