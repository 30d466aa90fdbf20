import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The Cascade protocol: utilization oracle, deal / tranche-token / offering / risk-engine implementations
 * and the deal factory, with the factory allowed to register deals with the oracle.
 *
 * Parameters: `admin` (oracle admin; defaults to the deploying account).
 */
export default buildModule("CascadeProtocol", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));

  const oracle = m.contract("UtilizationOracle", [admin]);
  const dealImplementation = m.contract("Deal");
  const tokenImplementation = m.contract("TrancheToken");
  const offeringImplementation = m.contract("Offering");
  const riskEngineImplementation = m.contract("RiskEngine");
  const factory = m.contract("DealFactory", [
    dealImplementation,
    tokenImplementation,
    offeringImplementation,
    riskEngineImplementation,
    oracle,
  ]);

  const registrarRole = m.staticCall(oracle, "REGISTRAR_ROLE");
  m.call(oracle, "grantRole", [registrarRole, factory], { id: "GrantRegistrarToFactory" });

  return {
    oracle,
    dealImplementation,
    tokenImplementation,
    offeringImplementation,
    riskEngineImplementation,
    factory,
  };
});
