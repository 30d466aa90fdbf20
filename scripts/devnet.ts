/**
 * Sets up a local anvil chain for trying the keeper and the reporter tools: deploys the protocol and a demo
 * stablecoin, and opens small deals with short periods (funded, active) using anvil's public dev accounts. The
 * servicer deposits the collections of every period up front (80 % utilization at $2.50 per GPU-hour), so each
 * period reported with the suggested figures pays the keeper its bounty. Prints the addresses, the suggested
 * report of each deal and the dev accounts as JSON. Local anvil nodes only (dev keys, time controls).
 *
 * Then it switches anvil to a block every `--block-time` seconds (default 1; 0 leaves mining as it is): with
 * automine alone an idle chain's time stands still, and reports never become final.
 *
 *   npx hardhat build && npm run devnet -- --rpc-url http://127.0.0.1:8545 [--deals 60s:4,120s:3]
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import { formatUnits, type Hex } from "viem";

import { WaterfallMath } from "../sdk/index.js";

import { chainOf, parseInteger, parseMs, toJson, UsageError } from "./lib/cli.js";
import {
  DEVNET_ROLES,
  deployDemoStablecoin,
  devKey,
  devnetClients,
  fleetHours,
  mintDemo,
  openDeals,
} from "./lib/devnet.js";

const ARTIFACT = new URL(
  "../artifacts/contracts/mocks/MockStablecoin.sol/MockStablecoin.json",
  import.meta.url,
);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "rpc-url": { type: "string" },
      deals: { type: "string" },
      "block-time": { type: "string" },
    },
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
  const suggested = deals.map((d) => {
    const gpuHoursAvailable = fleetHours(d.terms.periodLength);
    const gpuHoursBilled = (gpuHoursAvailable * 4n) / 5n;
    return { gpuHoursAvailable, gpuHoursBilled, revenue: gpuHoursBilled * 2_500_000n };
  });
  for (const [i, d] of deals.entries()) {
    const amount =
      WaterfallMath.bpsOfDown(suggested[i].revenue, d.terms.pledgedShareBps) *
      BigInt(d.terms.periodCount);
    await mintDemo(c.admin, stablecoin, c.servicer.account.address, amount);
    await c.servicer.depositCollections({ deal: d.deal, amount });
  }
  const blockTime = Number(parseInteger(values["block-time"] ?? "1", "--block-time"));
  if (blockTime > 0) await c.testClient.setIntervalMining({ interval: blockTime });

  process.stdout.write(
    `${toJson({
      chainId: chain.id,
      blockTime: blockTime > 0 ? blockTime : undefined,
      factory: protocol.factory,
      oracle: protocol.oracle,
      stablecoin,
      deals: deals.map((d, i) => ({
        deal: d.deal,
        periodLength: d.terms.periodLength,
        periodCount: d.terms.periodCount,
        start: d.terms.start,
        keeperBounty: d.terms.keeperBounty,
        disputeWindow: d.terms.oracle.disputeWindow,
        reportDeadline: d.terms.oracle.reportDeadline,
        suggestedReport: {
          gpuHoursAvailable: suggested[i].gpuHoursAvailable,
          gpuHoursBilled: suggested[i].gpuHoursBilled,
          revenue: formatUnits(suggested[i].revenue, 6),
        },
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
