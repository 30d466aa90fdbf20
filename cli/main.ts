/**
 * `cascade`: the Cascade protocol from a terminal, for every role, against any EVM JSON-RPC endpoint.
 *
 *   npx cascade --help
 *   npx cascade <command> --help
 *
 * Every command takes `--network NAME` (sdk/networks.ts; default localhost) or `--rpc-url URL`, prints tables
 * (or JSON with `--json`), and exits non-zero with a one-line reason on failure (2 for bad usage). Keys come from
 * CASCADE_PRIVATE_KEY (or `--key-env VAR`, or the network's key variable), or an encrypted keystore file
 * (`--keystore FILE`, password from CASCADE_KEYSTORE_PASSWORD) — never from a plain file or an argument.
 */
import { Command, CommanderError, Option } from "commander";

import { toJson, UsageError } from "./lib/args.js";
import { registerDeal } from "./commands/deal.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerDev } from "./commands/dev.js";
import { registerIssuer } from "./commands/issuer.js";
import { registerKeeper } from "./commands/keeper.js";
import { registerReport } from "./commands/report.js";
import { registerServicing } from "./commands/servicing.js";
import { registerStress } from "./commands/stress.js";
import { registerInvestor } from "./commands/investor.js";
import { registerCompliance } from "./commands/compliance.js";
import { type GlobalOptions } from "./lib/context.js";
import { attachFailureUnits } from "./lib/failure-units.js";
import { describeFailure, failureJson } from "./lib/output.js";

const program = new Command("cascade")
  .description(
    "Cascade: GPU-revenue notes on any EVM chain — deploy, issue, invest, report, keep, audit",
  )
  .version("0.1.0")
  .addOption(
    new Option(
      "--network <name>",
      "named network: localhost, sepolia, base-sepolia (default: localhost)",
    ),
  )
  .option(
    "--rpc-url <url>",
    "JSON-RPC endpoint of any chain (wins over --network; localhost reads CASCADE_RPC_URL)",
  )
  .option("--json", "print JSON for scripts instead of tables")
  .addOption(
    new Option("--deployments <dir>", "address-book directory")
      .env("CASCADE_DEPLOYMENTS")
      .default("deployments"),
  )
  .option(
    "--key-env <VAR>",
    "environment variable holding the private key (default: CASCADE_PRIVATE_KEY)",
  )
  .option("--keystore <file>", "encrypted JSON keystore (password from CASCADE_KEYSTORE_PASSWORD)")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

registerDeploy(program, globals);
registerDeal(program, globals);
registerServicing(program, globals);
registerInvestor(program, globals);
registerCompliance(program, globals);
registerReport(program, globals);
registerKeeper(program, globals);
registerDev(program, globals);
registerIssuer(program, globals);
registerStress(program, globals);
// Subcommands report usage errors the same way (exit code 2) and accept the global options after their name.
for (const c of program.commands) {
  c.exitOverride();
  for (const sub of c.commands) sub.exitOverride();
}

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    const json = process.argv.includes("--json");
    if (e instanceof CommanderError) {
      // Help and version are not failures; commander has printed its message already (on stderr).
      if (e.exitCode === 0) return 0;
      if (json) {
        const message = e.message.replace(/^error: /, "");
        process.stdout.write(`${toJson(failureJson(new UsageError(message)))}\n`);
      }
      return 2;
    }
    await attachFailureUnits(e, globals());
    if (json) process.stdout.write(`${toJson(failureJson(e))}\n`);
    process.stderr.write(`cascade: ${describeFailure(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

process.exit(await main());
