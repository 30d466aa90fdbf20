/**
 * Cascade reporter tool: sign a period's utilization report, combine reporters' signatures into a submission, and
 * follow, dispute or mark a period's report. Keys come only from the REPORTER_PRIVATE_KEY environment variable.
 *
 *   npm run reporter -- sign --rpc-url URL --deal 0x… --period 3 --gpu-hours-available 1474560 \
 *       --gpu-hours-billed 1223884 --revenue 2533439.88 (--report-hash 0x… | --report-file meter.csv) [--out sig.json]
 *   npm run reporter -- submit --rpc-url URL sig-a.json sig-b.json
 *   npm run reporter -- status --rpc-url URL --deal 0x… [--period 3]
 *   npm run reporter -- dispute --rpc-url URL --deal 0x… --period 3 --reason "rack 17 billed twice"
 *   npm run reporter -- mark-unreported --rpc-url URL --deal 0x… --period 3
 *
 * `sign` reads the open round, the deal's reporter set, its oracle and the stablecoin's decimals from the chain.
 * Offline (no --rpc-url) it needs --chain-id, --oracle, --round, --reporter-set and --decimals instead.
 * `--report FILE` reads the report's content from JSON ({ deal, period, gpuHoursAvailable, gpuHoursBilled, revenue,
 * reportHash }, revenue in stablecoin units such as "2533439.88"); flags override it.
 * The signature file holds the exact signed struct; `submit` checks that every file signs the same struct.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";

import { getAddress, isAddress, isHex, keccak256, type Address, type Hex } from "viem";
import { signTypedData } from "viem/accounts";
import { readContract } from "viem/actions";

import {
  dealAbi,
  hashReport,
  mockStablecoinAbi,
  parseDecimal,
  recoverReportSigner,
  reportFromJson,
  reportToJson,
  reportTypedData,
  sameReport,
  type ReportContent,
  type ReportSignatureJson,
  type UtilizationReport,
} from "../sdk/index.js";
import {
  chainOf,
  localAccount,
  parseInteger,
  privateKeyFromEnv,
  readerFor,
  toJson,
  UsageError,
  walletFor,
} from "./lib/cli.js";

/** Printed by --help. */
const USAGE = `Cascade reporter tool: sign a period's utilization report, combine reporters' signatures into a submission, and
follow, dispute or mark a period's report. Keys come only from the REPORTER_PRIVATE_KEY environment variable.

  npm run reporter -- sign --rpc-url URL --deal 0x… --period 3 --gpu-hours-available 1474560 \
      --gpu-hours-billed 1223884 --revenue 2533439.88 (--report-hash 0x… | --report-file meter.csv) [--out sig.json]
  npm run reporter -- submit --rpc-url URL sig-a.json sig-b.json
  npm run reporter -- status --rpc-url URL --deal 0x… [--period 3]
  npm run reporter -- dispute --rpc-url URL --deal 0x… --period 3 --reason "rack 17 billed twice"
  npm run reporter -- mark-unreported --rpc-url URL --deal 0x… --period 3

\`sign\` reads the open round, the deal's reporter set, its oracle and the stablecoin's decimals from the chain.
Offline (no --rpc-url) it needs --chain-id, --oracle, --round, --reporter-set and --decimals instead.
\`--report FILE\` reads the report's content from JSON ({ deal, period, gpuHoursAvailable, gpuHoursBilled, revenue,
reportHash }, revenue in stablecoin units such as "2533439.88"); flags override it.
The signature file holds the exact signed struct; \`submit\` checks that every file signs the same struct.
`;

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const KEY_ENV = "REPORTER_PRIVATE_KEY";

const FLAGS = {
  "rpc-url": { type: "string" },
  deal: { type: "string" },
  period: { type: "string" },
  "gpu-hours-available": { type: "string" },
  "gpu-hours-billed": { type: "string" },
  revenue: { type: "string" },
  "report-hash": { type: "string" },
  "report-file": { type: "string" },
  report: { type: "string" },
  oracle: { type: "string" },
  round: { type: "string" },
  "reporter-set": { type: "string" },
  "chain-id": { type: "string" },
  decimals: { type: "string" },
  reason: { type: "string" },
  out: { type: "string" },
} as const;

type Values = Partial<Record<keyof typeof FLAGS, string>>;

function address(v: string | undefined, flag: string): Address {
  if (!v || !isAddress(v, { strict: false })) throw new UsageError(`${flag} must be an address`);
  return getAddress(v);
}

function required(v: string | undefined, flag: string): string {
  if (v === undefined || v === "") throw new UsageError(`${flag} is required`);
  return v;
}

/** The report's content from --report JSON and flags (flags win); revenue still in stablecoin units. */
async function contentOf(values: Values): Promise<{
  deal: Address;
  period: bigint;
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  revenue: string;
  reportHash: Hex;
}> {
  const file: Record<string, unknown> = values.report
    ? (JSON.parse(await readFile(values.report, "utf8")) as Record<string, unknown>)
    : {};
  const pick = (flag: keyof typeof FLAGS, key: string) => {
    const v = values[flag] ?? file[key];
    return v === undefined ? undefined : String(v);
  };
  let reportHash = pick("report-hash", "reportHash");
  if (values["report-file"]) {
    if (reportHash !== undefined)
      throw new UsageError("give --report-hash or --report-file, not both");
    reportHash = keccak256(await readFile(values["report-file"]));
  }
  if (!reportHash || !isHex(reportHash) || reportHash.length !== 66)
    throw new UsageError("--report-hash must be 32 bytes of hex (or give --report-file)");
  return {
    deal: address(pick("deal", "deal"), "--deal"),
    period: parseInteger(required(pick("period", "period"), "--period"), "--period"),
    gpuHoursAvailable: parseInteger(
      required(pick("gpu-hours-available", "gpuHoursAvailable"), "--gpu-hours-available"),
      "--gpu-hours-available",
    ),
    gpuHoursBilled: parseInteger(
      required(pick("gpu-hours-billed", "gpuHoursBilled"), "--gpu-hours-billed"),
      "--gpu-hours-billed",
    ),
    revenue: required(pick("revenue", "revenue"), "--revenue"),
    reportHash,
  };
}

function toUnits(revenue: string, decimals: number): bigint {
  const units = parseDecimal(revenue, decimals);
  if (typeof units === "string") throw new UsageError(`--revenue: ${units}`);
  return units;
}

async function sign(values: Values): Promise<void> {
  const key = privateKeyFromEnv(KEY_ENV);
  const account = localAccount(key);
  const c = await contentOf(values);
  let report: UtilizationReport;
  const url = values["rpc-url"];
  if (url) {
    const wallet = walletFor(url, await chainOf(url), account);
    const decimals =
      values.decimals !== undefined
        ? Number(parseInteger(values.decimals, "--decimals"))
        : await readContract(wallet, {
            address: await readContract(wallet, {
              address: c.deal,
              abi: dealAbi,
              functionName: "stablecoin",
            }),
            abi: mockStablecoinAbi,
            functionName: "decimals",
          });
    const content: ReportContent = { ...c, revenue: toUnits(c.revenue, decimals) };
    const signed = await wallet.signReport({
      report: {
        ...content,
        ...(values.round !== undefined
          ? { round: Number(parseInteger(values.round, "--round")) }
          : {}),
        ...(values["reporter-set"] !== undefined
          ? { reporterSet: parseInteger(values["reporter-set"], "--reporter-set") }
          : {}),
      },
      oracle: values.oracle === undefined ? undefined : address(values.oracle, "--oracle"),
    });
    report = signed.report;
    await output(values, {
      report: reportToJson(report),
      signer: signed.signer,
      signature: signed.signature,
      digest: hashReport(report),
    });
    return;
  }
  // Offline: everything that binds the signature is given.
  report = {
    chainId: parseInteger(required(values["chain-id"], "--chain-id (offline)"), "--chain-id"),
    oracle: address(values.oracle, "--oracle (offline)"),
    deal: c.deal,
    period: c.period,
    round: Number(parseInteger(required(values.round, "--round (offline)"), "--round")),
    reporterSet: parseInteger(
      required(values["reporter-set"], "--reporter-set (offline)"),
      "--reporter-set",
    ),
    gpuHoursAvailable: c.gpuHoursAvailable,
    gpuHoursBilled: c.gpuHoursBilled,
    revenue: toUnits(
      c.revenue,
      Number(parseInteger(required(values.decimals, "--decimals (offline)"), "--decimals")),
    ),
    reportHash: c.reportHash,
  };
  const signature = await signTypedData({ privateKey: key, ...reportTypedData(report) });
  await output(values, {
    report: reportToJson(report),
    signer: account.address,
    signature,
    digest: hashReport(report),
  });
}

async function output(values: Values, sig: ReportSignatureJson): Promise<void> {
  const text = `${JSON.stringify(sig, null, 2)}\n`;
  if (values.out) {
    await writeFile(values.out, text);
    process.stderr.write(`signed by ${sig.signer}: ${values.out}\n`);
  } else {
    process.stdout.write(text);
  }
}

async function submit(values: Values, files: string[]): Promise<void> {
  if (files.length === 0) throw new UsageError("submit: give the signature files");
  const sigs = await Promise.all(
    files.map(async (f) => {
      const json = JSON.parse(await readFile(f, "utf8")) as ReportSignatureJson;
      const report = reportFromJson(json.report);
      if (!isHex(json.signature)) throw new UsageError(`${f}: no signature`);
      return {
        file: f,
        report,
        signer: address(json.signer, `${f}: signer`),
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
    if (recovered !== undefined && recovered !== s.signer)
      process.stderr.write(
        `${s.file}: signature recovers to ${recovered}, not ${s.signer} (ERC-1271 signer?)\n`,
      );
  }
  const url = required(values["rpc-url"], "--rpc-url");
  const wallet = walletFor(url, await chainOf(url), localAccount(privateKeyFromEnv(KEY_ENV)));
  const r = await wallet.submitReport({ report: first.report, signatures: sigs });
  process.stdout.write(`${toJson(r)}\n`);
}

async function status(values: Values): Promise<void> {
  const url = required(values["rpc-url"], "--rpc-url");
  const reader = readerFor(url, await chainOf(url));
  const deal = address(values.deal, "--deal");
  if (values.period !== undefined) {
    const s = await reader.reportStatus({ deal, period: parseInteger(values.period, "--period") });
    process.stdout.write(`${toJson(s)}\n`);
    return;
  }
  const snap = await reader.dealSnapshot({ deal });
  process.stdout.write(
    `${toJson({
      deal,
      status: snap.statusName,
      nextPeriod: snap.nextPeriod,
      readyPeriod: snap.readyPeriod,
      missedReports: snap.missedReports,
      keeperBounty: snap.keeperBounty,
      reporterSet: snap.reporterSet,
      oracle: snap.oracle,
      reports: snap.reports,
    })}\n`,
  );
}

async function write(command: "dispute" | "mark-unreported", values: Values): Promise<void> {
  const url = required(values["rpc-url"], "--rpc-url");
  const wallet = walletFor(url, await chainOf(url), localAccount(privateKeyFromEnv(KEY_ENV)));
  const deal = address(values.deal, "--deal");
  const period = parseInteger(required(values.period, "--period"), "--period");
  const r =
    command === "dispute"
      ? await wallet.disputeReport({ deal, period, reason: required(values.reason, "--reason") })
      : await wallet.markUnreported({ deal, period });
  process.stdout.write(`${toJson(r)}\n`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    options: FLAGS,
    strict: true,
    allowPositionals: command === "submit",
  });
  switch (command) {
    case "sign":
      return sign(values);
    case "submit":
      return submit(values, positionals);
    case "status":
      return status(values);
    case "dispute":
    case "mark-unreported":
      return write(command, values);
    default:
      throw new UsageError(
        "usage: reporter <sign | submit | status | dispute | mark-unreported> [options]",
      );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`reporter: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
