/**
 * Local-chain helpers and the demo: `cascade devnet` (anvil only: the protocol, a demo stablecoin and funded deals
 * with short periods, for trying the keeper and the reporters; `npm run devnet`), `cascade time advance` (anvil /
 * `hardhat node` only), `cascade stablecoin mint` (the demo MockStablecoin only) and `cascade demo` (scripts/demo.ts
 * on the in-process network).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Command } from "commander";
import { erc20Abi, formatUnits, getAddress } from "viem";
import { readContract } from "viem/actions";

import { WaterfallMath, type CascadeClient, type DealRecord } from "../../sdk/index.js";
import { parseAddress, parseInteger, parseMs, UsageError } from "../lib/args.js";
import {
  DEVNET_ROLES,
  deployDemoStablecoin,
  devKey,
  devnetClients,
  fleetHours,
  mintDemo,
  mockStablecoinBytecode,
  openDeals,
  type ShortDealOptions,
} from "../lib/devnet.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import { chainTime, decimalsOf, iso, parseAmount, parseSeconds } from "../lib/deals.js";
import { emit, keyValues, money, print, table, withProgress } from "../lib/output.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function advance(ctx: Context, duration: string) {
  const seconds = parseSeconds(duration, "<duration>");
  const reader = ctx.reader();
  const version = await reader.request({ method: "web3_clientVersion" });
  if (!/anvil|hardhat/i.test(version))
    throw new UsageError(
      `${ctx.endpoint.url} is ${version}: time can only be moved on anvil or a hardhat node`,
    );
  const before = await chainTime(reader as unknown as CascadeClient);
  const request = reader.request as unknown as (a: {
    method: string;
    params: unknown[];
  }) => Promise<unknown>;
  await request({ method: "evm_increaseTime", params: [Number(seconds)] });
  await request({ method: "evm_mine", params: [] });
  const after = await chainTime(reader as unknown as CascadeClient);
  emit(ctx.json, { before, after, advanced: after - before }, () =>
    print(`chain time ${iso(before)} → ${iso(after)} (+${after - before} s)`),
  );
}

async function mint(ctx: Context, to: string, amount: string, o: { token?: string }) {
  const recipient = parseAddress(to, "<to>");
  if (o.token === undefined && !ctx.deployment.stablecoin)
    throw new UsageError("no stablecoin recorded: `cascade deploy --mock-stablecoin` or --token");
  const token =
    o.token === undefined ? ctx.deployment.stablecoin! : parseAddress(o.token, "--token");
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const d = await decimalsOf(client, getAddress(token));
  const units = parseAmount(amount, d, "<amount>");
  await withProgress(
    ctx.json,
    `minting ${money(units, d)} to ${recipient}`,
    () => mintDemo(wallet, getAddress(token), recipient, units),
    () => `minted ${money(units, d)} to ${recipient}`,
  );
  const balance = await readContract(client, {
    address: getAddress(token),
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [recipient],
  });
  emit(ctx.json, { token, to: recipient, minted: units, balance }, () =>
    print(
      keyValues([
        ["token", token],
        ["to", to],
        ["minted", money(units, d)],
        ["balance", money(balance, d)],
      ]),
    ),
  );
}

interface DevnetOptions {
  deals: string;
  blockTime: string;
  reportDeadline: string;
}

/** A devnet deal: its options and the name it is recorded under in the address book (`devnet-60s`). */
interface DevnetSpec extends ShortDealOptions {
  record: string;
}

/** `--deals 60s:4,120s:3`: a deal per item, `<period length>:<period count>`. */
function dealSpecs(input: string, reportDeadline: number): DevnetSpec[] {
  const seen = new Map<string, number>();
  return input.split(",").map((spec, i) => {
    const [length, count] = spec.split(":");
    const periodCount = Number(count);
    if (!length || !Number.isInteger(periodCount) || periodCount < 1)
      throw new UsageError(`--deals: "${spec}" is not <period length>:<period count>`);
    const periodLength = Math.round(parseMs(length, "--deals") / 1_000);
    if (periodLength < 1) throw new UsageError(`--deals: "${spec}" has a period under a second`);
    const base = `devnet-${periodLength}s`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return {
      name: `Devnet ${String.fromCharCode(65 + i)}`,
      record: n === 1 ? base : `${base}-${n}`,
      periodLength,
      periodCount,
      reportDeadline,
    };
  });
}

/**
 * Sets up an anvil chain for trying the keeper and the reporters: deploys the protocol (with its access manager and
 * investor registry) and a demo stablecoin, and opens small deals with short periods (funded, active) with anvil's
 * public dev accounts. The servicer deposits the collections of every period up front (80 % utilization at $2.50
 * per GPU-hour), so each period reported with the suggested figures pays the keeper its bounty. Everything is
 * recorded in the address book (the protocol, the stablecoin, the deals as `devnet-<period>s`), replacing what it
 * held for the chain, so later commands take deal names and the keeper finds the factory. Then anvil mines a block
 * every `--block-time` seconds (0 leaves mining as it is): with automine alone an idle chain's time stands still, and
 * reports never become final.
 */
async function devnet(ctx: Context, o: DevnetOptions) {
  const reportDeadline = Number(parseSeconds(o.reportDeadline, "--report-deadline"));
  // The oracle needs the deadline after the 30-second dispute window.
  if (reportDeadline <= 30)
    throw new UsageError("--report-deadline must be longer than the 30 s dispute window");
  const specs = dealSpecs(o.deals, reportDeadline);
  const blockTime = Number(parseInteger(o.blockTime, "--block-time"));
  const c = devnetClients(ctx.endpoint.url, ctx.chain);
  const version = await c.publicClient.request({ method: "web3_clientVersion" });
  if (!/anvil/i.test(version)) throw new UsageError(`${ctx.endpoint.url} is ${version}, not anvil`);
  const bytecode = await mockStablecoinBytecode();
  const { stablecoin, protocol, administration, blockNumber, deals, suggested } =
    await withProgress(
      ctx.json,
      "deploying the protocol and a demo stablecoin",
      async (p) => {
        const blockNumber = await c.publicClient.getBlockNumber();
        const stablecoin = await deployDemoStablecoin(c.admin, bytecode);
        const protocol = await c.admin.deployProtocol();
        const administration = await c.admin.deployAdministration({ oracle: protocol.oracle });
        p.step(`opening ${specs.length} deals`);
        const deals = await openDeals(c, protocol, stablecoin, specs);
        p.step("depositing every period's collections");
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
        if (blockTime > 0) await c.testClient.setIntervalMining({ interval: blockTime });
        return {
          stablecoin: getAddress(stablecoin),
          protocol,
          administration,
          blockNumber,
          deals,
          suggested,
        };
      },
      (r) => `${r.deals.length} deals open on chain ${ctx.chain.id}`,
    );

  // The address book: this devnet replaces whatever was recorded for the chain.
  const replaced = ctx.deployment.protocol !== undefined;
  ctx.deployment = {
    chainId: ctx.chain.id,
    protocol: {
      oracle: getAddress(protocol.oracle),
      dealImplementation: getAddress(protocol.dealImplementation),
      tokenImplementation: getAddress(protocol.tokenImplementation),
      offeringImplementation: getAddress(protocol.offeringImplementation),
      riskEngineImplementation: getAddress(protocol.riskEngineImplementation),
      factory: getAddress(protocol.factory),
      accessManager: getAddress(administration.accessManager),
      investorRegistry: getAddress(administration.investorRegistry),
      admin: getAddress(protocol.admin),
      blockNumber: blockNumber.toString(),
      deployedBy: "cascade",
    },
    stablecoin,
    deals: Object.fromEntries(
      deals.map((d, i) => [
        specs[i].record,
        {
          name: specs[i].record,
          deal: d.deal,
          dealId: d.dealId.toString(),
          stablecoin,
          tokens: [...d.tokens],
          offerings: [...d.offerings],
          symbols: d.terms.tranches.map((t) => t.symbol),
          blockNumber: d.blockNumber.toString(),
          transactionHash: d.transactionHash,
        } satisfies DealRecord,
      ]),
    ),
  };
  const file = await ctx.save();

  const out = {
    chainId: ctx.chain.id,
    blockTime: blockTime > 0 ? blockTime : undefined,
    addressBook: file,
    replaced,
    factory: getAddress(protocol.factory),
    oracle: getAddress(protocol.oracle),
    stablecoin,
    deals: deals.map((d, i) => ({
      name: specs[i].record,
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
  };
  emit(ctx.json, out, () => {
    print(
      keyValues(
        [
          ["chain", out.chainId],
          ["block time", blockTime > 0 ? `${blockTime} s` : "as before"],
          ["factory", out.factory],
          ["oracle", out.oracle],
          ["stablecoin", out.stablecoin],
          ["address book", `${file}${replaced ? " (replaced the chain's earlier entries)" : ""}`],
        ],
        "devnet ready",
      ),
    );
    print(
      table(
        [
          "deal",
          "address",
          "periods",
          "start",
          "report deadline",
          "suggested report (available / billed / revenue)",
        ],
        out.deals.map((d) => [
          d.name,
          d.deal,
          `${d.periodCount} × ${d.periodLength} s`,
          iso(d.start),
          `${d.reportDeadline} s after a period ends`,
          `${d.suggestedReport.gpuHoursAvailable} / ${d.suggestedReport.gpuHoursBilled} / ${d.suggestedReport.revenue}`,
        ]),
      ),
    );
    print(
      table(
        ["role", "dev account", "private key (public anvil key)"],
        Object.entries(out.accounts).map(([role, a]) => [role, a.address, a.privateKey]),
      ),
    );
  });
}

/** `hardhat run scripts/demo.ts` from the repository, on the in-process network; resolves with its exit code. */
function demo(): Promise<number> {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("hardhat/package.json");
  const bin = (require(pkg) as { bin: Record<string, string> }).bin.hardhat;
  const child = spawn(process.execPath, [join(dirname(pkg), bin), "run", "scripts/demo.ts"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}

export function registerDev(program: Command, globals: () => GlobalOptions): void {
  program
    .command("devnet")
    .description(
      "anvil only: deploy the protocol, a demo stablecoin and funded deals with short periods, for trying the " +
        "keeper and the reporters; records them in the address book (deals as devnet-<period>s) and prints the " +
        "addresses, a suggested report per deal and the dev accounts",
    )
    .option(
      "--deals <specs>",
      "one deal per <period length>:<period count>, comma-separated",
      "60s:4,90s:3,120s:3",
    )
    .option(
      "--block-time <s>",
      "then mine a block every <s> seconds (0: leave mining as it is)",
      "1",
    )
    .option(
      "--report-deadline <d>",
      "how long after a period's end its report is taken (then the keeper runs it unreported)",
      "5m",
    )
    .action(async (o: DevnetOptions) => devnet(await Context.open(globals()), o));
  program
    .command("time")
    .description("the chain's clock (local nodes)")
    .command("advance <duration>")
    .description(
      "move a local node's clock forward (7d, 1h30m, 90s) and mine a block — anvil or hardhat node only",
    )
    .action(async (duration: string) => advance(await Context.open(globals()), duration));
  program
    .command("stablecoin")
    .description("the demo stablecoin (local and test chains)")
    .command("mint <to> <amount>")
    .description("mint demo MockStablecoin (anyone may mint it) to an account, in whole units")
    .option("--token <address>", "the MockStablecoin (default: the recorded stablecoin)")
    .action(async (to: string, amount: string, o: { token?: string }) =>
      mint(await Context.open(globals()), to, amount, o),
    );
  program
    .command("demo")
    .description("run the demo deals on Hardhat's in-process network (npm run demo)")
    .action(async () => {
      process.exitCode = await demo();
    });
}
