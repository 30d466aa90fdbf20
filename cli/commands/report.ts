/**
 * `cascade report sign | submit | status`: reporters sign a period's utilization report (each with their own key,
 * possibly on their own machine), anyone submits M signatures, anyone follows the report through its dispute window.
 * The signature file is the same format as `npm run reporter` (sdk/reports.ts `reportToJson`).
 */
import { readFile, writeFile } from "node:fs/promises";

import type { Command } from "commander";
import { getAddress, isHex, keccak256, type Hex } from "viem";

import {
  hashReport,
  recoverReportSigner,
  reportFromJson,
  reportToJson,
  sameReport,
  type CascadeClient,
  type ReportSignatureJson,
} from "../../sdk/index.js";
import { parseInteger, UsageError } from "../../scripts/lib/cli.js";
import { Context, type GlobalOptions } from "../lib/context.js";
import { decimalsOf, iso, parseAmount, stablecoinOf } from "../lib/deals.js";
import { emit, keyValues, money, print, withProgress } from "../lib/output.js";

interface SignOptions {
  period: string;
  gpuHoursAvailable: string;
  gpuHoursBilled: string;
  revenue: string;
  reportHash?: string;
  reportFile?: string;
  out?: string;
}

async function sign(ctx: Context, ref: string, o: SignOptions) {
  const { address: deal } = ctx.deal(ref);
  let reportHash: Hex;
  if (o.reportFile !== undefined) {
    if (o.reportHash !== undefined)
      throw new UsageError("give --report-hash or --report-file, not both");
    reportHash = keccak256(await readFile(o.reportFile));
  } else {
    if (!o.reportHash || !isHex(o.reportHash) || o.reportHash.length !== 66)
      throw new UsageError("--report-hash must be 32 bytes of hex (or give --report-file)");
    reportHash = o.reportHash;
  }
  const wallet = await ctx.wallet();
  const client = wallet as unknown as CascadeClient;
  const d = await decimalsOf(client, await stablecoinOf(client, deal));
  const signed = await wallet.signReport({
    report: {
      deal,
      period: parseInteger(o.period, "--period"),
      gpuHoursAvailable: parseInteger(o.gpuHoursAvailable, "--gpu-hours-available"),
      gpuHoursBilled: parseInteger(o.gpuHoursBilled, "--gpu-hours-billed"),
      revenue: parseAmount(o.revenue, d, "--revenue"),
      reportHash,
    },
  });
  const sig: ReportSignatureJson = {
    report: reportToJson(signed.report),
    signer: signed.signer,
    signature: signed.signature,
    digest: hashReport(signed.report),
  };
  if (o.out) await writeFile(o.out, `${JSON.stringify(sig, null, 2)}\n`);
  emit(ctx.json, { ...sig, file: o.out }, () => {
    if (!o.out) {
      print(JSON.stringify(sig, null, 2));
      return;
    }
    print(
      keyValues(
        [
          ["deal", deal],
          ["period", `${signed.report.period} (round ${signed.report.round})`],
          [
            "GPU-hours",
            `${signed.report.gpuHoursBilled} billed of ${signed.report.gpuHoursAvailable}`,
          ],
          ["revenue", money(signed.report.revenue, d)],
          ["signer", signed.signer],
          ["digest", sig.digest],
          ["file", o.out],
        ],
        "report signed",
      ),
    );
  });
}

async function submit(ctx: Context, files: string[]) {
  const sigs = await Promise.all(
    files.map(async (f) => {
      let json: ReportSignatureJson;
      try {
        json = JSON.parse(await readFile(f, "utf8")) as ReportSignatureJson;
      } catch (e) {
        throw new UsageError(`${f}: ${(e as Error).message.split("\n")[0]}`);
      }
      if (!isHex(json.signature)) throw new UsageError(`${f}: no signature`);
      return {
        file: f,
        report: reportFromJson(json.report),
        signer: getAddress(json.signer),
        signature: json.signature,
      };
    }),
  );
  const [first] = sigs;
  for (const s of sigs) {
    if (!sameReport(s.report, first.report))
      throw new UsageError(`${s.file} signs a different report than ${first.file}`);
    // EOA signatures are checked here; a contract (ERC-1271) reporter's is checked by the oracle.
    const recovered = await recoverReportSigner(s.report, s.signature).catch(() => undefined);
    if (recovered !== undefined && recovered !== s.signer && !ctx.json)
      process.stderr.write(
        `${s.file}: signature recovers to ${recovered}, not ${s.signer} (ERC-1271 signer?)\n`,
      );
  }
  if (BigInt(ctx.chain.id) !== first.report.chainId)
    throw new UsageError(
      `the signatures are for chain ${first.report.chainId}, the node is chain ${ctx.chain.id}`,
    );
  const wallet = await ctx.wallet();
  const r = await withProgress(
    ctx.json,
    `submitting period ${first.report.period} with ${sigs.length} signatures`,
    () => wallet.submitReport({ report: first.report, signatures: sigs }),
    (x) => `report of period ${x.period} pending until ${iso(x.finalAt)}`,
  );
  emit(ctx.json, r, () =>
    print(
      keyValues(
        [
          ["deal", r.deal],
          ["period", `${r.period} (round ${r.round})`],
          ["signers", r.signers.join(", ")],
          ["final at", iso(r.finalAt)],
          ["transaction", r.transactionHash],
        ],
        "report submitted",
      ),
    ),
  );
}

async function status(ctx: Context, ref: string, o: { period?: string }) {
  const { address: deal } = ctx.deal(ref);
  const reader = ctx.reader();
  const client = reader as unknown as CascadeClient;
  const d = await decimalsOf(client, await stablecoinOf(client, deal));
  const period =
    o.period !== undefined
      ? parseInteger(o.period, "--period")
      : (await reader.dealSnapshot({ deal })).nextPeriod;
  const s = await reader.reportStatus({ deal, period });
  emit(ctx.json, { deal, ...s }, () =>
    print(
      keyValues(
        [
          ["period", `${s.period} (round ${s.round})`],
          ["state", s.stateName],
          ["proposed", s.proposedAt === 0n ? "" : iso(s.proposedAt)],
          ["final at", s.finalAt === undefined ? "" : iso(s.finalAt)],
          ["deadline", iso(s.deadline)],
          ["GPU-hours", `${s.gpuHoursBilled} billed of ${s.gpuHoursAvailable}`],
          ["revenue", money(s.revenue, d)],
        ],
        `report of ${deal}`,
      ),
    ),
  );
}

export function registerReport(program: Command, globals: () => GlobalOptions): void {
  const report = program.command("report").description("utilization reports (reporters)");
  report
    .command("sign <deal>")
    .description(
      "sign a period's utilization report (EIP-712) with your key; write the signature to --out",
    )
    .requiredOption("--period <n>", "the period (0-based)")
    .requiredOption("--gpu-hours-available <n>", "GPU-hours available in the period")
    .requiredOption("--gpu-hours-billed <n>", "GPU-hours billed in the period")
    .requiredOption("--revenue <units>", "revenue, in whole stablecoin units (e.g. 2433024.00)")
    .option("--report-hash <0x…>", "hash of the servicer's report (32 bytes)")
    .option("--report-file <file>", "hash this file (keccak-256) instead of --report-hash")
    .option("--out <file>", "write the signature file here (default: stdout)")
    .action(async (ref: string, o: SignOptions) => sign(await Context.open(globals()), ref, o));
  report
    .command("submit <signatures...>")
    .description("submit signature files of the same report (M of the deal's N reporters)")
    .action(async (files: string[]) => submit(await Context.open(globals()), files));
  report
    .command("status <deal>")
    .description("a period's report at the oracle (default: the deal's next period)")
    .option("--period <n>", "the period")
    .action(async (ref: string, o: { period?: string }) =>
      status(await Context.open(globals()), ref, o),
    );
}
