/**
 * Local-chain helpers and the demo: `cascade time advance` (anvil / `hardhat node` only), `cascade stablecoin mint`
 * (the demo MockStablecoin only) and `cascade demo` (scripts/demo.ts on the in-process network).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Command } from "commander";
import { getAddress, isAddress } from "viem";
import { readContract } from "viem/actions";

import { mockStablecoinAbi, type CascadeClient } from "../../sdk/index.js";
import { UsageError } from "../../scripts/lib/cli.js";
import { mintDemo, type DevnetWallet } from "../../scripts/lib/devnet.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import { chainTime, decimalsOf, iso, parseAmount, parseSeconds } from "../lib/deals.js";
import { emit, keyValues, money, print, withProgress } from "../lib/output.js";

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
  if (!isAddress(to, { strict: false })) throw new UsageError(`"${to}" is not an address`);
  const token = o.token ?? ctx.deployment.stablecoin;
  if (!token || !isAddress(token, { strict: false }))
    throw new UsageError("no stablecoin recorded: `cascade deploy --mock-stablecoin` or --token");
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const d = await decimalsOf(client, getAddress(token));
  const units = parseAmount(amount, d, "<amount>");
  await withProgress(
    ctx.json,
    `minting ${money(units, d)} to ${to}`,
    () => mintDemo(wallet as unknown as DevnetWallet, getAddress(token), getAddress(to), units),
    () => `minted ${money(units, d)} to ${to}`,
  );
  const balance = await readContract(client, {
    address: getAddress(token),
    abi: mockStablecoinAbi,
    functionName: "balanceOf",
    args: [getAddress(to)],
  });
  emit(ctx.json, { token, to: getAddress(to), minted: units, balance }, () =>
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
