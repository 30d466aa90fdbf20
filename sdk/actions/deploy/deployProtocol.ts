import { parseAbi, type Abi, type Address, type Hash, type Hex } from "viem";
import { readContract } from "viem/actions";

import {
  deployAndWait,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import {
  dealAbi,
  dealFactoryAbi,
  equityWaterfallAbi,
  offeringAbi,
  riskEngineAbi,
  utilizationOracleAbi,
} from "../../generated/abis.js";
import {
  dealBytecode,
  dealExtensionBytecode,
  dealFactoryBytecode,
  equityWaterfallBytecode,
  offeringBytecode,
  riskEngineBytecode,
  trancheTokenBytecode,
  trancheTokenExtensionBytecode,
  utilizationOracleBytecode,
} from "../../generated/bytecode.js";

export interface DeployProtocolParameters extends AccountParameter {
  /** Admin of the oracle (DEFAULT_ADMIN_ROLE); defaults to the deploying account. */
  admin?: Address;
}

export interface DeployProtocolReturnType {
  oracle: Address;
  dealImplementation: Address;
  tokenImplementation: Address;
  offeringImplementation: Address;
  riskEngineImplementation: Address;
  equityWaterfallImplementation: Address;
  factory: Address;
  admin: Address;
  /** Every transaction sent, in order. */
  transactionHashes: Hash[];
}

/**
 * Deploys the protocol: the utilization oracle, the deal / tranche-token (with its extension) / offering / risk-engine /
 * equity-waterfall implementations and the factory, then grants the oracle's REGISTRAR_ROLE to the factory (and, when `admin` is
 * another account, hands the oracle's admin role over to it). Transactions are sent one after the other.
 */
export async function deployProtocol(
  client: CascadeClient,
  params: DeployProtocolParameters = {},
): Promise<DeployProtocolReturnType> {
  const account = resolveAccount(client, params.account);
  const admin = params.admin ?? account.address;
  const hashes: Hash[] = [];
  const deploy = async (label: string, abi: Abi, bytecode: Hex, args: readonly unknown[]) => {
    const { address, receipt } = await deployAndWait(client, {
      abi,
      bytecode,
      args,
      account,
      label,
    });
    hashes.push(receipt.transactionHash);
    return address;
  };

  // The deployer administers the oracle until the factory is registrar, then hands over to `admin` if different.
  const oracle = await deploy(
    "UtilizationOracle",
    utilizationOracleAbi,
    utilizationOracleBytecode,
    [account.address],
  );
  // The deal's implementation, like the token's, delegates what it does not run itself to its extension.
  const dealExtension = await deploy("DealExtension", [], dealExtensionBytecode, []);
  const dealImplementation = await deploy("Deal", dealAbi, dealBytecode, [dealExtension]);
  // The token's implementation delegates what it does not run itself to the extension.
  const tokenExtension = await deploy("TrancheTokenExtension", [], trancheTokenExtensionBytecode, []);
  const tokenImplementation = await deploy(
    "TrancheToken",
    parseAbi(["constructor(address extension)"]),
    trancheTokenBytecode,
    [tokenExtension],
  );
  const offeringImplementation = await deploy("Offering", offeringAbi, offeringBytecode, []);
  const riskEngineImplementation = await deploy(
    "RiskEngine",
    riskEngineAbi,
    riskEngineBytecode,
    [],
  );
  const equityWaterfallImplementation = await deploy(
    "EquityWaterfall",
    equityWaterfallAbi,
    equityWaterfallBytecode,
    [],
  );
  const factory = await deploy("DealFactory", dealFactoryAbi, dealFactoryBytecode, [
    dealImplementation,
    tokenImplementation,
    offeringImplementation,
    riskEngineImplementation,
    equityWaterfallImplementation,
    oracle,
  ]);

  const registrarRole = await readContract(client, {
    address: oracle,
    abi: utilizationOracleAbi,
    functionName: "REGISTRAR_ROLE",
  });
  const send = async (functionName: "grantRole" | "renounceRole", role: Hex, who: Address) => {
    const receipt = await writeAndWait(client, {
      address: oracle,
      abi: utilizationOracleAbi,
      functionName,
      args: [role, who],
      account,
    });
    hashes.push(receipt.transactionHash);
  };
  await send("grantRole", registrarRole, factory);
  if (admin.toLowerCase() !== account.address.toLowerCase()) {
    const adminRole = await readContract(client, {
      address: oracle,
      abi: utilizationOracleAbi,
      functionName: "DEFAULT_ADMIN_ROLE",
    });
    await send("grantRole", adminRole, admin);
    await send("renounceRole", adminRole, account.address);
  }

  return {
    oracle,
    dealImplementation,
    tokenImplementation,
    offeringImplementation,
    riskEngineImplementation,
    equityWaterfallImplementation,
    factory,
    admin,
    transactionHashes: hashes,
  };
}
