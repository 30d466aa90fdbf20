/**
 * Start-up time of the `cascade` command: the median wall time, over N runs, of a process running
 * `node cli/cascade.js …` to its exit, for commands that do little beyond starting:
 *
 *   help         cascade --help
 *   deal list    cascade deal list --rpc-url <anvil> --deployments <empty dir>   (one chain-id call, one file read)
 *   usage error  cascade deal list --network nowhere                             (exit code 2, no node)
 *
 * beside a bare `node -e 0` (the floor on this machine). Every command runs once untimed first, so that a bundle
 * older than its sources is rebuilt before timing (the figures are "nothing to compile"); `--cold` also times one
 * run that has to build the bundle (dist/ removed first). Runs are interleaved across commands so that load from
 * other processes spreads over all of them.
 *
 *   npm run bench:cli                 # 10 runs per command
 *   npm run bench:cli -- --runs 20 --cold --json
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(ROOT, "cli/cascade.js");
const ANVIL = join(ROOT, "node_modules/.bin/anvil");

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startAnvil(port: number): Promise<ChildProcess> {
  const child = spawn(ANVIL, ["--port", String(port)], { stdio: "ignore", detached: true });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return child;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("anvil did not answer");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Wall time in milliseconds of one process run to its exit; throws when the exit code is not `expect`. */
async function time(argv: string[], expect: number, env: NodeJS.ProcessEnv): Promise<number> {
  const start = performance.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, argv, {
      cwd: ROOT,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("close", (c) => resolve({ code: c, stderr }));
  });
  const ms = performance.now() - start;
  if (code !== expect)
    throw new Error(`node ${argv.join(" ")}: exit code ${code}, expected ${expect}\n${stderr}`);
  return ms;
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
  const cases: { id: string; argv: string[]; expect: number }[] = [
    { id: "node -e 0", argv: ["-e", "0"], expect: 0 },
    { id: "cascade --help", argv: [CLI, "--help"], expect: 0 },
    ...(url
      ? [
          {
            id: "cascade deal list --rpc-url <anvil>",
            argv: [CLI, "deal", "list", "--rpc-url", url],
            expect: 0,
          },
        ]
      : []),
    {
      id: "cascade deal list --network nowhere (usage error)",
      argv: [CLI, "deal", "list", "--network", "nowhere"],
      expect: 2,
    },
  ];

  let coldMs: number | undefined;
  if (values.cold) {
    await rm(join(ROOT, "dist"), { recursive: true, force: true });
    coldMs = await time([CLI, "--help"], 0, env);
  }
  for (const c of cases) await time(c.argv, c.expect, env); // warm-up: builds a stale bundle, fills caches
  const samples = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  for (let i = 0; i < runs; i++)
    for (const c of cases) samples.get(c.id)!.push(await time(c.argv, c.expect, env));

  const rows = cases.map((c) => {
    const xs = samples.get(c.id)!;
    return {
      command: c.id,
      medianMs: Math.round(median(xs)),
      minMs: Math.round(Math.min(...xs)),
      maxMs: Math.round(Math.max(...xs)),
    };
  });
  const node = process.version;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ node, runs, coldMs: coldMs && Math.round(coldMs), rows }, null, 2)}\n`,
    );
  } else {
    console.log(
      `cascade start-up, ${runs} runs each, Node ${node} (wall time of the whole process, ms)\n`,
    );
    console.log("| command | median | min | max |\n|---|---:|---:|---:|");
    for (const r of rows)
      console.log(`| \`${r.command}\` | ${r.medianMs} | ${r.minMs} | ${r.maxMs} |`);
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
