/**
 * The `cascade` CLI as a user drives it, for the end-to-end tests: anvil on a free loopback port (its own process
 * group, killed when the tests end), every command a child process (`node cli/cascade.js … --rpc-url … --deployments
 * DIR`) with the signing key of a dev role in CASCADE_PRIVATE_KEY, and a log of the last commands for failures.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { keccak256, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { freePort, startAnvil as startAnvilProcess } from "../../cli/lib/anvil.js";
import { devKey, DEVNET_ROLES } from "../../cli/lib/devnet.js";
import { exactAmount, exactRatio } from "../../sdk/index.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const ANVIL = join(ROOT, "node_modules/.bin/anvil");
export const CLI = join(ROOT, "cli/cascade.js");

export type DevRole = keyof typeof DEVNET_ROLES;

/** The CLI's JSON ratio fields (WAD beside a decimal); every other `…Raw` string is an amount in base units. */
export const RATIO_FIELDS = new Set([
  "utilization",
  "rate",
  "factor",
  "dscr",
  "trailingDscr",
  "ltv",
  "seniorCurve",
  "reserveLevel",
  "breakEvenUtilization",
  "value",
  "threshold",
  "occupancy",
  "multiple",
  "lastValue",
]);

/**
 * Checks that every human figure of a `--json` output is its raw value beside it (`x` and `xRaw`: an amount of a
 * `decimals` stablecoin, or a ratio of {@link RATIO_FIELDS}); returns how many pairs it checked.
 */
export function expectRawBeside(o: unknown, decimals = 6): number {
  if (Array.isArray(o)) return o.reduce((n: number, x) => n + expectRawBeside(x, decimals), 0);
  if (o === null || typeof o !== "object") return 0;
  const rec = o as Record<string, unknown>;
  let pairs = 0;
  for (const [k, v] of Object.entries(rec)) {
    const key = k.slice(0, -3);
    if (k.endsWith("Raw") && typeof v === "string" && rec[key] !== undefined) {
      expect(rec[key], k).to.equal(
        RATIO_FIELDS.has(key) ? exactRatio(BigInt(v)) : exactAmount(BigInt(v), decimals),
      );
      pairs++;
    } else pairs += expectRawBeside(v, decimals);
  }
  return pairs;
}
export const key = (role: DevRole): Hex => devKey(DEVNET_ROLES[role]);
export const addressOf = (role: DevRole) => privateKeyToAccount(key(role)).address;

const children = new Set<ChildProcess>();
export function killAll(): void {
  for (const c of children) {
    if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) continue;
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      c.kill("SIGKILL");
    }
  }
  children.clear();
}
process.on("exit", killAll);

/** Tracks a spawned process so that {@link killAll} stops it. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on("close", () => children.delete(child));
  return child;
}

export { freePort };

/** Starts anvil on `port` (extra flags in `args`) and waits until it answers; {@link killAll} stops it. */
export async function startAnvil(port: number, args: string[] = []): Promise<ChildProcess> {
  return startAnvilProcess(port, args, track);
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI session: anvil, an address-book directory and the `cascade` runner bound to them. */
export class CliSession {
  readonly log: string[] = [];
  dir = "";
  url = "";

  /** Starts anvil and makes the address-book directory; false when the anvil binary is not installed. */
  async start(anvilArgs: string[] = []): Promise<boolean> {
    if (!existsSync(ANVIL)) return false;
    this.dir = await mkdtemp(join(tmpdir(), "cascade-cli-e2e-"));
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    await startAnvil(port, anvilArgs);
    return true;
  }

  async stop(): Promise<void> {
    killAll();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** `cascade <args> --rpc-url URL --deployments DIR`, signing with `role`'s key (CASCADE_PRIVATE_KEY). */
  cascade(args: string[], role?: DevRole, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", ...extraEnv };
    delete env.CASCADE_PRIVATE_KEY;
    delete env.CASCADE_RPC_URL;
    delete env.CASCADE_DEPLOYMENTS;
    if (role) env.CASCADE_PRIVATE_KEY = key(role);
    const argv = [...args, "--rpc-url", this.url, "--deployments", this.dir];
    const child = track(
      spawn(process.execPath, [CLI, ...argv], {
        cwd: ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      }),
    );
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr?.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    return new Promise((resolve) =>
      child.on("close", (code) => {
        this.log.push(`$ cascade ${args.join(" ")}  → ${code}\n${stdout}${stderr}`);
        resolve({ code, stdout, stderr });
      }),
    );
  }

  /** Runs a command that must succeed with --json and returns its parsed output. */
  async ok<T = Record<string, unknown>>(args: string[], role?: DevRole): Promise<T> {
    const r = await this.cascade([...args, "--json"], role);
    expect(r.code, `cascade ${args.join(" ")}: ${r.stderr}`).to.equal(0);
    return JSON.parse(r.stdout) as T;
  }

  /** Runs a command that must fail; returns its last `cascade:` line on stderr. */
  async fails(args: string[], role?: DevRole, code = 1): Promise<string> {
    const r = await this.cascade(args, role);
    expect(r.code, `cascade ${args.join(" ")} should fail: ${r.stdout}`).to.equal(code);
    return r.stderr.trim().split("\n").at(-1) ?? "";
  }

  /**
   * Reporters 0 and 1 sign the same utilization report of `deal` (`report sign`, side by side; `meter` is the text
   * whose keccak-256 is the report hash) and `submitter` submits both signatures (`report submit`). A data-center
   * report gives `energyMwh`, `pue` and `appraisal` in the CLI's human units (available and billed are then kWh).
   */
  async signAndSubmit(
    deal: string,
    r: {
      period: number;
      available: bigint;
      billed: bigint;
      revenue: string;
      meter: string;
      energyMwh?: string;
      pue?: string;
      appraisal?: string;
    },
    submitter: DevRole = "servicer",
  ): Promise<void> {
    const facility = (
      [
        ["--energy-mwh", r.energyMwh],
        ["--pue", r.pue],
        ["--appraisal", r.appraisal],
      ] as const
    ).flatMap(([flag, v]) => (v === undefined ? [] : [flag, v]));
    const report = [
      "--period",
      String(r.period),
      "--gpu-hours-available",
      String(r.available),
      "--gpu-hours-billed",
      String(r.billed),
      "--revenue",
      r.revenue,
      ...facility,
      "--report-hash",
      keccak256(toHex(r.meter)),
    ];
    const signers = ["reporter0", "reporter1"] as const;
    const files = signers.map((who) => join(this.dir, `sig-${r.period}-${who}.json`));
    await Promise.all(
      signers.map((who, i) => this.ok(["report", "sign", deal, ...report, "--out", files[i]], who)),
    );
    await this.ok(["report", "submit", ...files], submitter);
  }

  /** The last commands and their output (print them when a test fails). */
  tail(n = 8): string {
    return this.log.slice(-n).join("\n");
  }
}
