/** `cascade deploy`: the protocol and its administration, once per chain (idempotent through the address book). */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Command } from "commander";
import { getAddress, type Address } from "viem";
import { getCode } from "viem/actions";

import {
  PROTOCOL_CONTRACTS,
  protocolFromIgnition,
  verifyDeployment,
  type CascadeClient,
} from "../../sdk/index.js";
import { parseAddress, UsageError } from "../lib/args.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import { deployDemoStablecoin, mockStablecoinBytecode } from "../lib/devnet.js";
import { emit, keyValues, print, withProgress } from "../lib/output.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface DeployOptions {
  fromIgnition?: string | boolean;
  admin?: string;
  complianceAgent?: string;
  stablecoin?: string;
  mockStablecoin?: boolean;
}

function optionalAddress(v: string | undefined, flag: string): Address | undefined {
  if (v === undefined) return undefined;
  return parseAddress(v, flag);
}

async function hasCode(client: CascadeClient, address: Address | undefined): Promise<boolean> {
  if (!address) return false;
  const code = await getCode(client, { address });
  return code !== undefined && code !== "0x";
}

/** Records the protocol of a Hardhat Ignition deployment (deploy/modules/Protocol.ts) in the address book. */
async function importIgnition(
  ctx: Context,
  reader: CascadeClient,
  dir: string | undefined,
  admin: Address | undefined,
) {
  const folder = dir ?? join(ROOT, "deploy", "deployments", `chain-${ctx.chain.id}`);
  const file = join(folder, "deployed_addresses.json");
  let addresses: Record<string, string>;
  try {
    addresses = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
  } catch {
    throw new UsageError(
      `no Ignition deployment at ${file}: npx hardhat ignition deploy deploy/modules/Protocol.ts --network …`,
    );
  }
  const protocol = protocolFromIgnition(addresses);
  if (!protocol) throw new UsageError(`${file} lacks contracts of the CascadeProtocol module`);
  ctx.deployment.protocol = {
    ...protocol,
    admin,
    // Where the keeper starts scanning for deals: the block Ignition deployed the factory in is not in this file.
    blockNumber: ctx.deployment.protocol?.blockNumber ?? "0",
    deployedBy: "ignition",
  };
  const missing = await verifyDeployment(reader, ctx.deployment);
  if (missing.length > 0)
    throw new UsageError(`${file}: no code at ${missing.join(", ")} on chain ${ctx.chain.id}`);
}

async function deploy(ctx: Context, o: DeployOptions) {
  const admin = optionalAddress(o.admin, "--admin");
  const complianceAgent = optionalAddress(o.complianceAgent, "--compliance-agent");
  const stablecoin = optionalAddress(o.stablecoin, "--stablecoin");
  if (stablecoin && o.mockStablecoin)
    throw new UsageError("give --stablecoin or --mock-stablecoin, not both");
  const reader = ctx.reader() as unknown as CascadeClient;
  const book = ctx.deployment;
  const missing = await verifyDeployment(reader, book);
  const actions: string[] = [];

  if (o.fromIgnition) {
    await importIgnition(ctx, reader, o.fromIgnition === true ? undefined : o.fromIgnition, admin);
    actions.push("protocol recorded from the Ignition deployment");
  } else if (book.protocol && missing.length === 0) {
    actions.push("protocol already deployed (code found at every recorded address)");
  } else {
    if (book.protocol)
      actions.push(`recorded contracts have no code (${missing.join(", ")}): redeployed`);
    const wallet = await ctx.wallet();
    const deployer = wallet.account.address;
    const result = await withProgress(
      ctx.json,
      `deploying the protocol to chain ${ctx.chain.id} from ${deployer}`,
      async (p) => {
        const blockNumber = await wallet.getBlockNumber();
        p.step("deploying oracle, implementations and factory (7 transactions)");
        const protocol = await wallet.deployProtocol({ admin });
        p.step("deploying access manager and investor registry (4 transactions)");
        const administration = await wallet.deployAdministration({
          oracle: protocol.oracle,
          admin,
          complianceAgent,
        });
        return { protocol, administration, blockNumber };
      },
      (r) =>
        `protocol deployed: factory ${r.protocol.factory} (${
          r.protocol.transactionHashes.length + r.administration.transactionHashes.length
        } transactions)`,
    );
    const { protocol, administration } = result;
    book.protocol = {
      oracle: getAddress(protocol.oracle),
      dealImplementation: getAddress(protocol.dealImplementation),
      tokenImplementation: getAddress(protocol.tokenImplementation),
      offeringImplementation: getAddress(protocol.offeringImplementation),
      riskEngineImplementation: getAddress(protocol.riskEngineImplementation),
      factory: getAddress(protocol.factory),
      accessManager: getAddress(administration.accessManager),
      investorRegistry: getAddress(administration.investorRegistry),
      admin: getAddress(protocol.admin),
      blockNumber: result.blockNumber.toString(),
      deployedBy: "cascade",
    };
    // Deals of a forgotten deployment are gone with it.
    if (Object.keys(book.deals).length > 0 && missing.length > 0) book.deals = {};
    actions.push("protocol deployed");
  }

  if (stablecoin) {
    if (!(await hasCode(reader, stablecoin)))
      throw new UsageError(`--stablecoin ${stablecoin} has no code`);
    book.stablecoin = stablecoin;
    actions.push("stablecoin recorded");
  } else if (o.mockStablecoin) {
    if (await hasCode(reader, book.stablecoin)) {
      actions.push("demo stablecoin already deployed");
    } else {
      const bytecode = await mockStablecoinBytecode();
      const wallet = await ctx.wallet();
      book.stablecoin = getAddress(
        await withProgress(
          ctx.json,
          "deploying the demo stablecoin (MockStablecoin, 6 decimals, anyone may mint)",
          () => deployDemoStablecoin(wallet, bytecode, "USD Coin (demo)"),
          (a) => `demo stablecoin deployed: ${a}`,
        ),
      );
      actions.push("demo stablecoin deployed");
    }
  }
  const file = await ctx.save();
  const protocol = ctx.protocol();
  emit(ctx.json, { ...book, deals: undefined, file, actions }, () => {
    print(
      keyValues(
        [
          ["chain", ctx.chain.id],
          ...PROTOCOL_CONTRACTS.map((k) => [k, protocol[k]] as const),
          ["admin", protocol.admin ?? "(not recorded)"],
          ["stablecoin", book.stablecoin ?? "(none recorded: --stablecoin or --mock-stablecoin)"],
          ["address book", file],
        ],
        actions.join("; "),
      ),
    );
  });
}

export function registerDeploy(program: Command, globals: () => GlobalOptions): void {
  program
    .command("deploy")
    .description(
      "deploy the protocol (oracle, implementations, factory, access manager, investor registry) and record it in " +
        "deployments/<chainId>.json; does nothing if the recorded contracts are there",
    )
    .option(
      "--from-ignition [dir]",
      "record the protocol deployed by Ignition (deploy/modules/Protocol.ts) instead of deploying; default dir " +
        "deploy/deployments/chain-<chainId>",
    )
    .option(
      "--admin <address>",
      "admin of the oracle, registry and access manager (default: the deployer)",
    )
    .option("--compliance-agent <address>", "may register investors (default: the deployer)")
    .option("--stablecoin <address>", "record the stablecoin that $stablecoin in term sheets means")
    .option(
      "--mock-stablecoin",
      "deploy the demo MockStablecoin (local and test chains only; needs `npx hardhat build`)",
    )
    .action(async (o: DeployOptions) => deploy(await Context.open(globals()), o));
}
