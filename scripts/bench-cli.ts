/**
 * Start-up time of the `cascade` command: the median wall time and CPU time (user + system), over N runs, of a
 * process running `node cli/cascade.js …` to its exit, for commands that do little beyond starting:
 *
 *   help         cascade --help
 *   deal list    cascade deal list --rpc-url <anvil> --deployments <empty dir>   (one chain-id call, one file read)
 *   usage error  cascade deal list --network nowhere                             (exit code 2, no node)
 *   npx          npx cascade --help                                              (what a user types)
 *
 * beside a bare `node -e 0` (the floor on this machine). Every command runs once untimed first, so that a bundle
 * older than its sources is rebuilt before timing (the figures are "nothing to compile"); `--cold` also times one
 * run that has to build the bundle (dist/ removed first). Runs are interleaved across commands so that load from
 * other processes spreads over all of them; the load average is printed with the figures.
 *
 *   npm run bench:cli                 # 10 runs per command
 *   npm run bench:cli -- --runs 20 --cold --json
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { ANVIL, freePort, startAnvil } from "../cli/lib/anvil.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(ROOT, "cli/cascade.js");

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    cold: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs: "${values.runs}" is not a positive integer`);

/**
 * CPU time (user + system, ms) of the children this process has waited for, from /proc/self/stat (Linux; 10 ms
 * ticks); undefined elsewhere. Less sensitive than wall time to other processes competing for the cores.
 */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of proc(5) (cutime, cstime), counted from the state field (3).
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

interface Sample {
  wallMs: number;
  cpuMs: number | undefined;
}

/** Wall and CPU time of one process run to its exit; throws when the exit code is not `expect`. */
async function time(
  command: string,
  argv: string[],
  expect: number,
  env: NodeJS.ProcessEnv,
): Promise<Sample> {
  const cpu0 = childrenCpuMs();
  const start = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(command, argv, {
      cwd: ROOT,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("close", (c) => resolve({ code: c, stderr }));
  });
  const wallMs = performance.now() - start;
  const cpu1 = childrenCpuMs();
  if (code !== expect)
    throw new Error(
      `${command} ${argv.join(" ")}: exit code ${code}, expected ${expect}\n${stderr}`,
    );
  return { wallMs, cpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const dir = await mkdtemp(join(tmpdir(), "cascade-bench-cli-"));
let anvil: ChildProcess | undefined;
try {
  let url = "";
  if (existsSync(ANVIL)) {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    anvil = await startAnvil(port);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, CASCADE_RPC_URL: "", CASCADE_DEPLOYMENTS: dir };
  delete env.CASCADE_PRIVATE_KEY;
  const node = process.execPath;
  const cases: { id: string; command: string; argv: string[]; expect: number }[] = [
    { id: "node -e 0", command: node, argv: ["-e", "0"], expect: 0 },
    { id: "cascade --help", command: node, argv: [CLI, "--help"], expect: 0 },
    ...(url
      ? [
          {
            id: "cascade deal list --rpc-url <anvil>",
            command: node,
            argv: [CLI, "deal", "list", "--rpc-url", url],
            expect: 0,
          },
        ]
      : []),
    {
      id: "cascade deal list --network nowhere (usage error)",
      command: node,
      argv: [CLI, "deal", "list", "--network", "nowhere"],
      expect: 2,
    },
    // What a user types: npm's own start-up and its look-up of the command come on top (once `npm install` has
    // linked the command into node_modules/.bin).
    ...(existsSync(join(ROOT, "node_modules/.bin/cascade"))
      ? [{ id: "npx cascade --help", command: "npx", argv: ["cascade", "--help"], expect: 0 }]
      : []),
  ];

  let coldMs: number | undefined;
  if (values.cold) {
    await rm(join(ROOT, "dist"), { recursive: true, force: true });
    coldMs = (await time(node, [CLI, "--help"], 0, env)).wallMs;
  }
  for (const c of cases) await time(c.command, c.argv, c.expect, env); // warm-up: builds a stale bundle
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.id, []]));
  for (let i = 0; i < runs; i++)
    for (const c of cases) samples.get(c.id)!.push(await time(c.command, c.argv, c.expect, env));

  const rows = cases.map((c) => {
    const wall = samples.get(c.id)!.map((x) => x.wallMs);
    const cpu = samples.get(c.id)!.flatMap((x) => (x.cpuMs === undefined ? [] : [x.cpuMs]));
    return {
      command: c.id,
      medianMs: Math.round(median(wall)),
      minMs: Math.round(Math.min(...wall)),
      maxMs: Math.round(Math.max(...wall)),
      cpuMedianMs: cpu.length ? Math.round(median(cpu)) : undefined,
    };
  });
  const load = (() => {
    try {
      return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    } catch {
      return undefined;
    }
  })();
  if (values.json) {
    const out = { node: process.version, runs, load, coldMs: coldMs && Math.round(coldMs), rows };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    console.log(
      `cascade start-up: ${runs} runs each, Node ${process.version}, load average ${load ?? "?"}; wall time ` +
        `of the whole process and CPU time (user + system), ms\n`,
    );
    console.log("| command | median | min | max | CPU median |\n|---|---:|---:|---:|---:|");
    for (const r of rows)
      console.log(
        `| \`${r.command}\` | ${r.medianMs} | ${r.minMs} | ${r.maxMs} | ${r.cpuMedianMs ?? "–"} |`,
      );
    if (coldMs !== undefined)
      console.log(`\nfirst run without dist/ (bundle built): ${Math.round(coldMs)} ms`);
  }
} finally {
  if (anvil?.pid !== undefined) {
    try {
      process.kill(-anvil.pid, "SIGKILL");
    } catch {
      anvil.kill("SIGKILL");
    }
  }
  await rm(dir, { recursive: true, force: true });
}
