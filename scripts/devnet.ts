/**
 * Sets up a local anvil chain for trying the keeper and the reporter tools: deploys the protocol and a demo
 * stablecoin, and opens small deals with short periods (funded, active) using anvil's public dev accounts.
 * Prints the addresses as JSON. Local anvil nodes only (it uses anvil's dev keys and time controls).
 *
 *   npx hardhat build && npm run devnet -- --rpc-url http://127.0.0.1:8545 [--deals 60s:4,120s:3]
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import type { Hex } from "viem";

import { chainOf, parseMs, toJson, UsageError } from "./lib/cli.js";
import {
  DEVNET_ROLES,
  deployDemoStablecoin,
  devKey,
  devnetClients,
  openDeals,
} from "./lib/devnet.js";

const ARTIFACT = new URL(
  "../artifacts/contracts/mocks/MockStablecoin.sol/MockStablecoin.json",
  import.meta.url,
);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "rpc-url": { type: "string" }, deals: { type: "string" } },
    strict: true,
  });
  const url = values["rpc-url"];
  if (!url) throw new UsageError("--rpc-url is required");
  const specs = (values.deals ?? "60s:4,90s:3,120s:3").split(",").map((spec, i) => {
    const [length, count] = spec.split(":");
    const periodCount = Number(count);
    if (!length || !Number.isInteger(periodCount) || periodCount < 1)
      throw new UsageError(`--deals: "${spec}" is not <period length>:<period count>`);
    return {
      name: `Devnet ${String.fromCharCode(65 + i)}`,
      periodLength: Math.round(parseMs(length, "--deals") / 1_000),
      periodCount,
    };
  });

  const chain = await chainOf(url);
  const c = devnetClients(url, chain);
  const version = await c.publicClient.request({ method: "web3_clientVersion" });
  if (!/anvil/i.test(version)) throw new UsageError(`${url} is ${version}, not anvil`);

  const { bytecode } = JSON.parse(await readFile(ARTIFACT, "utf8")) as { bytecode: Hex };
  const stablecoin = await deployDemoStablecoin(c.admin, bytecode);
  const protocol = await c.admin.deployProtocol();
  const deals = await openDeals(c, protocol, stablecoin, specs);
  process.stdout.write(
    `${toJson({
      chainId: chain.id,
      factory: protocol.factory,
      oracle: protocol.oracle,
      stablecoin,
      deals: deals.map((d) => ({
        deal: d.deal,
        periodLength: d.terms.periodLength,
        periodCount: d.terms.periodCount,
        start: d.terms.start,
        keeperBounty: d.terms.keeperBounty,
        disputeWindow: d.terms.oracle.disputeWindow,
        reportDeadline: d.terms.oracle.reportDeadline,
      })),
      accounts: Object.fromEntries(
        Object.entries(DEVNET_ROLES).map(([role, index]) => [
          role,
          {
            index,
            address: c[role as keyof typeof DEVNET_ROLES].account.address,
            privateKey: devKey(index),
          },
        ]),
      ),
    })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`devnet: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
