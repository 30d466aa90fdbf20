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
  formatEnergyMwh,
  formatPue,
  hashReport,
  MAX_PUE,
  PUE_SCALE,
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
  /** A data-center deal's capacity, kWh of IT load (the same report fields as GPU-hours). */
  kwhAvailable?: string;
  kwhBilled?: string;
  revenue?: string;
  /** Facility energy drawn, MWh (up to three decimals: kWh). */
  energyMwh?: string;
  /** Power usage effectiveness, e.g. 1.35 (up to four decimals). */
  pue?: string;
  /** Appraisal of the collateral, whole stablecoin units. */
  appraisal?: string;
  reportHash?: string;
  reportFile?: string;
  /**
   * JSON with the report's content ({ deal, period, gpuHoursAvailable, gpuHoursBilled, revenue, reportHash }, and
   * optionally energyMwh, pue and appraisal, in the flags' units).
   */
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

/**
 * The report's content from `--report FILE` and the flags (flags win); revenue and appraisal still in stablecoin
 * units, energy in kWh and PUE × 10 000.
 */
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
  // Capacity in the deal's unit: GPU-hours, or kWh of IT load (a data-center deal); one pair of flags.
  const capacity = (gpuFlag: string | undefined, kwhFlag: string | undefined, key: string) => {
    const name = key === "gpuHoursAvailable" ? "available" : "billed";
    if (gpuFlag !== undefined && kwhFlag !== undefined)
      throw new UsageError(`give --gpu-hours-${name} or --kwh-${name}, not both`);
    const flag = kwhFlag !== undefined ? `--kwh-${name}` : `--gpu-hours-${name}`;
    return parseInteger(required(pick(gpuFlag ?? kwhFlag, key), flag), flag);
  };
  const energyMwh = pick(o.energyMwh, "energyMwh");
  const pue = pick(o.pue, "pue");
  const appraisal = pick(o.appraisal, "appraisal");
  return {
    deal: dealRef(deal, {}),
    period: parseInteger(required(pick(o.period, "period"), "--period"), "--period"),
    gpuHoursAvailable: capacity(o.gpuHoursAvailable, o.kwhAvailable, "gpuHoursAvailable"),
    gpuHoursBilled: capacity(o.gpuHoursBilled, o.kwhBilled, "gpuHoursBilled"),
    revenue: required(pick(o.revenue, "revenue"), "--revenue"),
    // MWh with up to three decimals is whole kWh; a PUE with up to four decimals is whole ten-thousandths.
    energyKwh: energyMwh === undefined ? 0n : parseAmount(energyMwh, 3, "--energy-mwh"),
    pue: pue === undefined ? 0 : pueOf(pue),
    appraisal,
    reportHash: reportHash as Hex,
  };
}

/** `--pue 1.35` as the report's PUE × 10 000 (13 500); the oracle takes 1.0 – 3.0, or none (0). */
function pueOf(input: string): number {
  const scaled = parseAmount(input, 4, "--pue");
  if (scaled > BigInt(MAX_PUE))
    throw new UsageError(
      `--pue "${input}" is above ${formatPue(MAX_PUE)}, the highest PUE a report may state`,
    );
  if (scaled !== 0n && scaled < BigInt(PUE_SCALE))
    throw new UsageError(
      `--pue "${input}" is below 1.0: facility energy cannot be less than IT energy`,
    );
  return Number(scaled);
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
      energyKwh: c.energyKwh,
      pue: c.pue,
      appraisal: c.appraisal === undefined ? 0n : parseAmount(c.appraisal, decimals, "--appraisal"),
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
          energyKwh: c.energyKwh,
          pue: c.pue,
          appraisal:
            c.appraisal === undefined ? 0n : parseAmount(c.appraisal, decimals, "--appraisal"),
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
          ["capacity", `${report.gpuHoursBilled} billed of ${report.gpuHoursAvailable}`],
          ["revenue", money(report.revenue, decimals)],
          ...facilityRows(report, decimals),
          ["signer", signer],
          ["digest", sig.digest],
          ["file", o.out],
        ],
        "report signed",
      ),
    );
  });
}

/** Energy (MWh), PUE and appraisal lines of a report, for those it states. */
function facilityRows(
  r: Pick<UtilizationReport, "energyKwh" | "pue" | "appraisal">,
  decimals: number,
): [string, string][] {
  const rows: [string, string][] = [];
  if (r.energyKwh !== 0n) rows.push(["energy", formatEnergyMwh(r.energyKwh)]);
  if (r.pue !== 0) rows.push(["PUE", formatPue(r.pue)]);
  if (r.appraisal !== 0n) rows.push(["appraisal", money(r.appraisal, decimals)]);
  return rows;
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
          ["capacity", `${s.gpuHoursBilled} billed of ${s.gpuHoursAvailable}`],
          ["revenue", money(s.revenue, d)],
          ...facilityRows(s, d),
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
    .option("--kwh-available <n>", "a data-center deal: kWh of IT capacity available in the period")
    .option("--kwh-billed <n>", "a data-center deal: kWh of IT capacity billed in the period")
    .option("--revenue <units>", "revenue, in whole stablecoin units (e.g. 2433024.00)")
    .option(
      "--energy-mwh <mwh>",
      "facility energy drawn in the period, MWh (e.g. 6912.5); with --pue (a data-center deal that bills needs both)",
    )
    .option(
      "--pue <ratio>",
      "power usage effectiveness, facility / IT energy (1.0 – 3.0, e.g. 1.35)",
    )
    .option(
      "--appraisal <units>",
      "appraised value of the deal's collateral, in whole stablecoin units (default: no new appraisal)",
    )
    .option("--report-hash <0x…>", "hash of the servicer's report (32 bytes)")
    .option("--report-file <file>", "hash this file (keccak-256) instead of --report-hash")
    .option(
      "--report <file>",
      "JSON with the report's content ({ deal, period, gpuHoursAvailable, gpuHoursBilled, revenue, reportHash, " +
        "and optionally energyMwh, pue, appraisal }); flags win",
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
