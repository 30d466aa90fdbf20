/**
 * `cascade report sign | submit | status | dispute | mark-unreported`: reporters sign a period's utilization report
 * (each with their own key, possibly on their own machine, offline with `--chain-id`), anyone submits M signatures,
 * anyone follows the report through its dispute window; a reporter disputes a pending report, anyone marks a period
 * unreported once its deadline has passed. The signature file is `reportToJson` of the SDK (sdk/reports.ts).
 * `npm run reporter -- …` is `cascade report …` with the key in REPORTER_PRIVATE_KEY.
 */
import { readFile, writeFile } from "node:fs/promises";

import type { Command } from "commander";
import { getAddress, isHex, keccak256, type Address, type Hex } from "viem";

import {
  hashReport,
  ReportRefusedError,
  recoverReportSigner,
  reportFromJson,
  reportToJson,
  reportTypedData,
  sameReport,
  type CascadeClient,
  type ReportSignatureJson,
  type UtilizationReport,
} from "../../sdk/index.js";
import { parseAddress, parseInteger, UsageError } from "../lib/args.js";
import { Context, endpointOf, loadSigner, type GlobalOptions } from "../lib/context.js";
import { decimalsOf, iso, parseAmount, stablecoinOf } from "../lib/deals.js";
import { emit, keyValues, money, print, withProgress } from "../lib/output.js";

/** `[deal]` or `--deal`: a name from the address book or an address. */
interface DealOption {
  deal?: string;
}

interface SignOptions extends DealOption {
  period?: string;
  gpuHoursAvailable?: string;
  gpuHoursBilled?: string;
  revenue?: string;
  reportHash?: string;
  reportFile?: string;
  /** JSON with the report's content ({ deal, period, gpuHoursAvailable, gpuHoursBilled, revenue, reportHash }). */
  report?: string;
  oracle?: string;
  round?: string;
  reporterSet?: string;
  decimals?: string;
  /** Offline: the chain id (then --oracle, --round, --reporter-set and --decimals are needed too). */
  chainId?: string;
  out?: string;
  /** Every reporter will sign: a utilization step above the oracle's maximum is allowed. */
  allReporters?: boolean;
}

/** The deal given as the argument or as `--deal` (one of them, not both). */
function dealRef(arg: string | undefined, o: DealOption): string {
  if (arg !== undefined && o.deal !== undefined && arg !== o.deal)
    throw new UsageError(`give the deal once: "${arg}" or --deal ${o.deal}`);
  const ref = arg ?? o.deal;
  if (ref === undefined) throw new UsageError("give the deal (a name or an address, or --deal)");
  return ref;
}

function addressFlag(v: string | undefined, flag: string): Address {
  if (!v) throw new UsageError(`${flag} must be an address`);
  return parseAddress(v, flag);
}

function required(v: string | undefined, flag: string): string {
  if (v === undefined || v === "") throw new UsageError(`${flag} is required`);
  return v;
}

/** The report's content from `--report FILE` and the flags (flags win); revenue still in stablecoin units. */
async function contentOf(arg: string | undefined, o: SignOptions) {
  let file: Record<string, unknown> = {};
  if (o.report !== undefined) {
    try {
      file = JSON.parse(await readFile(o.report, "utf8")) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`--report ${o.report}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const pick = (flag: string | undefined, key: string) => {
    const v = flag ?? file[key];
    return v === undefined ? undefined : String(v);
  };
  let reportHash = pick(o.reportHash, "reportHash");
  if (o.reportFile !== undefined) {
    if (reportHash !== undefined)
      throw new UsageError("give --report-hash or --report-file, not both");
    reportHash = keccak256(await readFile(o.reportFile));
  }
  if (!reportHash || !isHex(reportHash) || reportHash.length !== 66)
    throw new UsageError("--report-hash must be 32 bytes of hex (or give --report-file)");
  const deal = arg ?? o.deal ?? pick(undefined, "deal");
  return {
    deal: dealRef(deal, {}),
    period: parseInteger(required(pick(o.period, "period"), "--period"), "--period"),
    gpuHoursAvailable: parseInteger(
      required(pick(o.gpuHoursAvailable, "gpuHoursAvailable"), "--gpu-hours-available"),
      "--gpu-hours-available",
    ),
    gpuHoursBilled: parseInteger(
      required(pick(o.gpuHoursBilled, "gpuHoursBilled"), "--gpu-hours-billed"),
      "--gpu-hours-billed",
    ),
    revenue: required(pick(o.revenue, "revenue"), "--revenue"),
    reportHash: reportHash as Hex,
  };
}

async function sign(g: GlobalOptions, arg: string | undefined, o: SignOptions) {
  const c = await contentOf(arg, o);
  const json = g.json === true;
  let report: UtilizationReport;
  let signer: Address;
  let signature: Hex;
  let decimals: number;
  if (o.chainId !== undefined) {
    // Offline: everything that binds the signature is given; no node is asked.
    if (!/^0x/i.test(c.deal))
      throw new UsageError("offline (--chain-id), the deal must be an address");
    parseAddress(c.deal, "deal");
    decimals = Number(parseInteger(required(o.decimals, "--decimals (offline)"), "--decimals"));
    report = {
      chainId: parseInteger(o.chainId, "--chain-id"),
      oracle: addressFlag(o.oracle, "--oracle (offline)"),
      deal: getAddress(c.deal),
      period: c.period,
      round: Number(parseInteger(required(o.round, "--round (offline)"), "--round")),
      reporterSet: parseInteger(
        required(o.reporterSet, "--reporter-set (offline)"),
        "--reporter-set",
      ),
      gpuHoursAvailable: c.gpuHoursAvailable,
      gpuHoursBilled: c.gpuHoursBilled,
      revenue: parseAmount(c.revenue, decimals, "--revenue"),
      reportHash: c.reportHash,
    };
    const account = await loadSigner(g, endpointOf(g));
    signer = account.address;
    signature = await account.signTypedData(reportTypedData(report));
  } else {
    const ctx = await Context.open(g);
    const { address: deal } = await ctx.deal(c.deal);
    const wallet = await ctx.wallet();
    const client = wallet as unknown as CascadeClient;
    decimals =
      o.decimals !== undefined
        ? Number(parseInteger(o.decimals, "--decimals"))
        : await decimalsOf(client, await stablecoinOf(client, deal));
    // Refused before signing: what the oracle would refuse at submission (checkReport).
    const signed = await wallet
      .signReport({
        check: true,
        allReporters: o.allReporters === true,
        report: {
          deal,
          period: c.period,
          gpuHoursAvailable: c.gpuHoursAvailable,
          gpuHoursBilled: c.gpuHoursBilled,
          revenue: parseAmount(c.revenue, decimals, "--revenue"),
          reportHash: c.reportHash,
          ...(o.round !== undefined ? { round: Number(parseInteger(o.round, "--round")) } : {}),
          ...(o.reporterSet !== undefined
            ? { reporterSet: parseInteger(o.reporterSet, "--reporter-set") }
            : {}),
        },
        oracle: o.oracle === undefined ? undefined : addressFlag(o.oracle, "--oracle"),
      })
      .catch((e: unknown) => {
        if (!(e instanceof ReportRefusedError)) throw e;
        const hint =
          e.errorName === "UtilizationStepNeedsAllReporters"
            ? " (--all-reporters signs it when every reporter will)"
            : "";
        e.message = `not signed: ${e.message}${hint}`;
        throw e;
      });
    ({ report, signer, signature } = signed);
  }
  const sig: ReportSignatureJson = {
    report: reportToJson(report),
    signer,
    signature,
    digest: hashReport(report),
  };
  if (o.out) await writeFile(o.out, `${JSON.stringify(sig, null, 2)}\n`);
  emit(json, { ...sig, file: o.out }, () => {
    if (!o.out) {
      print(JSON.stringify(sig, null, 2));
      return;
    }
    print(
      keyValues(
        [
          ["deal", report.deal],
          ["period", `${report.period} (round ${report.round})`],
          ["GPU-hours", `${report.gpuHoursBilled} billed of ${report.gpuHoursAvailable}`],
          ["revenue", money(report.revenue, decimals)],
          ["signer", signer],
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
        signer: addressFlag(json.signer, `${f}: signer`),
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
  const { address: deal, record } = await ctx.deal(ref);
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
        `report of ${record ? `${record.name} (${deal})` : deal}`,
      ),
    ),
  );
}

async function dispute(ctx: Context, ref: string, o: { period?: string; reason?: string }) {
  const { address: deal } = await ctx.deal(ref);
  const period = parseInteger(required(o.period, "--period"), "--period");
  const reason = required(o.reason, "--reason");
  const wallet = await ctx.wallet();
  const r = await withProgress(
    ctx.json,
    `disputing the report of period ${period}`,
    () => wallet.disputeReport({ deal, period, reason }),
    (x) => `round ${x.round} disputed; period ${period} reopens as round ${x.nextRound}`,
  );
  emit(ctx.json, { deal, period, ...r }, () =>
    print(
      keyValues(
        [
          ["deal", deal],
          ["period", `${period} (round ${r.round} disputed, round ${r.nextRound} open)`],
          ["reason", r.reason],
          ["transaction", r.transactionHash],
        ],
        "report disputed",
      ),
    ),
  );
}

async function markUnreported(ctx: Context, ref: string, o: { period?: string }) {
  const { address: deal } = await ctx.deal(ref);
  const period = parseInteger(required(o.period, "--period"), "--period");
  const wallet = await ctx.wallet();
  const r = await withProgress(
    ctx.json,
    `marking period ${period} unreported`,
    () => wallet.markUnreported({ deal, period }),
    () => `period ${period} marked unreported`,
  );
  emit(ctx.json, { deal, period, ...r }, () =>
    print(
      keyValues(
        [
          ["deal", deal],
          ["period", period],
          ["transaction", r.transactionHash],
        ],
        "period marked unreported",
      ),
    ),
  );
}

export function registerReport(program: Command, globals: () => GlobalOptions): void {
  const report = program.command("report").description("utilization reports (reporters)");
  report
    .command("sign [deal]")
    .description(
      "sign a period's utilization report (EIP-712) with your key; write the signature to --out. Refuses first " +
        "what the oracle would refuse (not a reporter, period not ended, reported or distributed, deadline passed, " +
        "out of bounds). Offline with --chain-id (then --oracle, --round, --reporter-set and --decimals too)",
    )
    .option("--deal <deal>", "the deal (instead of the argument)")
    .option("--period <n>", "the period (0-based)")
    .option("--gpu-hours-available <n>", "GPU-hours available in the period")
    .option("--gpu-hours-billed <n>", "GPU-hours billed in the period")
    .option("--revenue <units>", "revenue, in whole stablecoin units (e.g. 2433024.00)")
    .option("--report-hash <0x…>", "hash of the servicer's report (32 bytes)")
    .option("--report-file <file>", "hash this file (keccak-256) instead of --report-hash")
    .option(
      "--report <file>",
      "JSON with the report's content ({ deal, period, gpuHoursAvailable, gpuHoursBilled, revenue, reportHash }); " +
        "flags win",
    )
    .option("--oracle <address>", "the oracle (default: the deal's)")
    .option("--round <n>", "the round (default: the period's open round)")
    .option("--reporter-set <n>", "the reporter set (default: the deal's current one)")
    .option("--decimals <n>", "the stablecoin's decimals (default: read from the chain)")
    .option("--chain-id <id>", "sign offline for this chain (asks no node, checks nothing)")
    .option(
      "--all-reporters",
      "every reporter will sign: allow a utilization step above the oracle's maximum",
    )
    .option("--out <file>", "write the signature file here (default: stdout)")
    .action(async (ref: string | undefined, o: SignOptions) => sign(globals(), ref, o));
  report
    .command("submit <signatures...>")
    .description("submit signature files of the same report (M of the deal's N reporters)")
    .action(async (files: string[]) => submit(await Context.open(globals()), files));
  report
    .command("status [deal]")
    .description("a period's report at the oracle (default: the deal's next period)")
    .option("--deal <deal>", "the deal (instead of the argument)")
    .option("--period <n>", "the period")
    .action(async (ref: string | undefined, o: DealOption & { period?: string }) => {
      const deal = dealRef(ref, o);
      return status(await Context.open(globals()), deal, o);
    });
  report
    .command("dispute [deal]")
    .description("dispute a period's pending report (a reporter of the deal); the period reopens")
    .option("--deal <deal>", "the deal (instead of the argument)")
    .option("--period <n>", "the period")
    .option("--reason <text>", "why (a short text, or 32 bytes of hex)")
    .action(
      async (ref: string | undefined, o: DealOption & { period?: string; reason?: string }) => {
        const deal = dealRef(ref, o);
        return dispute(await Context.open(globals()), deal, o);
      },
    );
  report
    .command("mark-unreported [deal]")
    .description("mark a period unreported once its report deadline has passed (anyone)")
    .option("--deal <deal>", "the deal (instead of the argument)")
    .option("--period <n>", "the period")
    .action(async (ref: string | undefined, o: DealOption & { period?: string }) => {
      const deal = dealRef(ref, o);
      return markUnreported(await Context.open(globals()), deal, o);
    });
}
