/**
 * History-read benchmark: a 60-period deal whose history spans more than 1,000,000 blocks, read by
 * `periodStatements` (bounded, retried ranges from the deal's creation block, sdk/logs.ts) against a bare chunked
 * `eth_getLogs` scan of the same range with the same filter and chunk size (raw JSON-RPC over fetch, no decoding, no
 * retries), one, two and four ranges at a time. Target: the history read within 2× the bare scan. A script, not a
 * test: the figures depend on the machine.
 *
 *   npm run bench:history                      # 60 periods × 16,700 blocks; appends to bench/RESULTS.md
 *   npm run bench:history -- --runs 11 --no-write
 *   npm run bench:history -- --periods 12 --blocks-per-period 5000
 *
 * The node is `hardhat node` (EDR) on a free loopback port: it mines a million empty blocks in constant time
 * (`hardhat_mine`). anvil 1.7 mines one block at a time, each slower than the last (about 20 ms a block past 10,000
 * blocks on this machine), so a million-block anvil chain would take days. Every period is reported by two of the
 * three reporters and distributed by the keeper (`scripts/lib/history-chain.ts`). Hardhat's node answers an empty
 * state inside the blocks `hardhat_mine` reserves, so the creation-block search (`dealCreationBlock`) cannot run
 * there: `periodStatements` gets `fromBlock`, as the CLI passes it (the search is tested on anvil, test/sdk/logs.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

import {
  createPublicClient,
  createTestClient,
  encodeEventTopics,
  http,
  numberToHex,
  type Address,
  type Hex,
} from "viem";

import { freePort } from "../cli/lib/anvil.js";
import { chainFor, rpcTransport } from "../cli/lib/clients.js";
import { devnetClients, type DevnetClients } from "../cli/lib/devnet.js";
import {
  cascadeActions,
  dealAbi,
  DEFAULT_LOG_CONCURRENCY,
  DEFAULT_MAX_BLOCK_RANGE,
  periodStatements,
  riskEngineAbi,
  type CascadeClient,
  type LogReaderOptions,
} from "../sdk/index.js";
import { buildHistoryChain } from "./lib/history-chain.js";
import { appendSection } from "./lib/results-md.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const HARDHAT = `${ROOT}node_modules/hardhat/dist/src/cli.js`;

interface Options {
  periods: number;
  blocksPerPeriod: bigint;
  runs: number;
  write: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    periods: 60,
    blocksPerPeriod: 16_700n,
    runs: 7,
    write: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--periods") o.periods = positive(value(), a);
    else if (a === "--blocks-per-period") o.blocksPerPeriod = BigInt(positive(value(), a));
    else if (a === "--runs") o.runs = positive(value(), a);
    else if (a === "--no-write") o.write = false;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag}: a whole number ≥ 1, not ${v}`);
  return n;
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Starts `hardhat node` on a free port, in its own process group; resolves once it answers. */
async function startNode(): Promise<{ url: string; child: ChildProcess; version: string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [HARDHAT, "node", "--port", String(port), "--hostname", "127.0.0.1"],
    { cwd: ROOT, stdio: "ignore", detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with ${child.exitCode}`);
    try {
      const version = await rpc<string>(url, "web3_clientVersion");
      return { url, child, version };
    } catch {
      if (Date.now() > deadline) throw new Error(`hardhat node did not answer at ${url}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function stopNode(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

interface Filter {
  address: Address[];
  topics: Hex[][];
}

/** The bare scan: consecutive `eth_getLogs` of `chunk` blocks over fetch, `concurrency` at once; returns the logs. */
async function bareScan(
  url: string,
  filter: Filter,
  from: bigint,
  to: bigint,
  chunk: bigint,
  concurrency = 1,
): Promise<{ logs: number; requests: number }> {
  let cursor = from;
  let logs = 0;
  let requests = 0;
  const worker = async () => {
    while (cursor <= to) {
      const start = cursor;
      const end = start + chunk - 1n < to ? start + chunk - 1n : to;
      cursor = end + 1n;
      requests++;
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: requests,
          method: "eth_getLogs",
          params: [{ ...filter, fromBlock: numberToHex(start), toBlock: numberToHex(end) }],
        }),
      });
      const body = (await res.json()) as { result?: unknown[]; error?: { message: string } };
      if (!body.result) throw new Error(`eth_getLogs: ${body.error?.message}`);
      logs += body.result.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { logs, requests };
}

interface Variant {
  name: string;
  /** Ranges in flight at once. */
  concurrency: number;
  kind: "bare" | "history";
  /** Runs the read once; returns its number of requests. */
  run: () => Promise<number>;
}

interface Measurement extends Variant {
  ms: number[];
  /** CPU time of this process (user + system) per run: the client's own work, without the node's. */
  cpuMs: number[];
  requests: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Times every variant `runs` times, round robin (run i of each variant before run i + 1 of any), after one warm-up
 * run each: a change of the machine's load weighs on every variant alike.
 */
async function measure(variants: Variant[], runs: number): Promise<Measurement[]> {
  const out: Measurement[] = variants.map((v) => ({ ...v, ms: [], cpuMs: [], requests: 0 }));
  for (const v of variants) await v.run();
  for (let i = 0; i < runs; i++) {
    for (const m of out) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      m.requests = await m.run();
      m.ms.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      m.cpuMs.push((used.user + used.system) / 1_000);
    }
  }
  for (const m of out) {
    console.log(
      `  ${m.name.padEnd(30)} median ${median(m.ms).toFixed(0).padStart(6)} ms  (${m.ms.map((x) => x.toFixed(0)).join(", ")})`,
    );
  }
  return out;
}

const fmt = (n: number | bigint) => n.toLocaleString("en-US");

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const periodLength = Number(o.blocksPerPeriod) + 3_600;
  const load = os.loadavg();
  console.log("bench:history: starting hardhat node");
  const node = await startNode();
  const cleanup = () => stopNode(node.child);
  process.on("exit", cleanup);
  try {
    const chain = chainFor(node.url, 31_337);
    const base = devnetClients(node.url, chain, 50);
    const c: DevnetClients = {
      ...base,
      // `hardhat_mine` and `evm_increaseTime` (the devnet's anvil test client sends `anvil_mine`).
      testClient: createTestClient({
        chain,
        mode: "hardhat",
        transport: rpcTransport(node.url),
      }) as unknown as DevnetClients["testClient"],
    };
    const mine = (blocks: bigint) => c.testClient.mine({ blocks: Number(blocks) });
    const built = Date.now();
    console.log(
      `bench:history: building ${o.periods} periods, ${fmt(o.blocksPerPeriod)} blocks each (${periodLength} s periods)`,
    );
    const history = await buildHistoryChain(c, {
      periods: o.periods,
      periodLength,
      blocksPerPeriod: o.blocksPerPeriod,
      blocksBeforeDeal: 1_000n,
      mine,
      onPeriod: (p) => {
        if ((p + 1) % 10 === 0) console.log(`  period ${p + 1} of ${o.periods} distributed`);
      },
    });
    const buildSeconds = (Date.now() - built) / 1_000;
    const head = BigInt(await rpc<Hex>(node.url, "eth_blockNumber"));
    const deal = history.deal.deal;
    const createdAt = history.deal.blockNumber;
    const span = head - createdAt + 1n;
    console.log(
      `bench:history: head ${fmt(head)}, deal created at block ${fmt(createdAt)}: ${fmt(span)} blocks of history (${buildSeconds.toFixed(0)} s to build)`,
    );

    // The filter periodStatements reads: the deal and its risk engine, the events of a period's record.
    const engine = await c.publicClient.readContract({
      address: deal,
      abi: dealAbi,
      functionName: "riskEngine",
    });
    const selectors = (abi: typeof dealAbi | typeof riskEngineAbi, names: readonly string[]) =>
      names.map(
        (eventName) =>
          encodeEventTopics({ abi, eventName } as Parameters<
            typeof encodeEventTopics
          >[0])[0] as Hex,
      );
    const filter: Filter = {
      address: [deal, engine],
      topics: [
        [
          ...selectors(dealAbi, [
            "ReportMissed",
            "RecoveryApplied",
            "RecoveriesDeposited",
            "PrincipalWrittenDown",
            "PeriodDistributed",
          ]),
          ...selectors(riskEngineAbi, [
            "TriggersEvaluated",
            "TriggerFired",
            "TriggerCured",
            "PriceIndexRejected",
          ]),
        ],
      ],
    };
    const chunk = DEFAULT_MAX_BLOCK_RANGE;

    let requests = 0;
    const client = createPublicClient({
      chain,
      transport: http(node.url, {
        retryCount: 0,
        timeout: 60_000,
        onFetchRequest: () => void requests++,
      }),
    }).extend((x) => cascadeActions(x as CascadeClient));
    const history$ = async (opts: LogReaderOptions & { fromBlock: bigint }) => {
      requests = 0;
      const records = await periodStatements(client, { deal, ...opts });
      if (records.length !== o.periods)
        throw new Error(`read ${records.length} periods, expected ${o.periods}`);
      return requests;
    };

    const check = await bareScan(node.url, filter, createdAt, head, chunk);
    console.log(
      `bench:history: the filter matches ${check.logs} logs in ${check.requests} ranges; ${o.runs} runs each after a warm-up`,
    );
    const variants: Variant[] = [];
    for (const concurrency of [1, 2, 4]) {
      const times = concurrency === 1 ? "one range at a time" : `${concurrency} ranges at once`;
      variants.push(
        {
          name: `bare scan, ${times}`,
          concurrency,
          kind: "bare",
          run: async () =>
            (await bareScan(node.url, filter, createdAt, head, chunk, concurrency)).requests,
        },
        {
          name: `periodStatements, ${times}`,
          concurrency,
          kind: "history",
          run: () => history$({ fromBlock: createdAt, logConcurrency: concurrency }),
        },
      );
    }
    const results = await measure(variants, o.runs);

    const bareAt = (concurrency: number) =>
      median(results.find((r) => r.kind === "bare" && r.concurrency === concurrency)?.ms ?? []);
    const rows = results.map((r) => {
      const m = median(r.ms);
      return `| ${r.name} | ${fmt(Math.round(m))} | ${fmt(Math.round(Math.min(...r.ms)))}–${fmt(Math.round(Math.max(...r.ms)))} | ${fmt(Math.round(median(r.cpuMs)))} | ${r.requests} | ${(m / bareAt(r.concurrency)).toFixed(2)} × |`;
    });
    const table = [
      "| read | median (ms) | range (ms) | client CPU (ms) | requests | ÷ bare scan at the same concurrency |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...rows,
    ].join("\n");
    const ratios = results
      .filter((r) => r.kind === "history")
      .map((r) => median(r.ms) / bareAt(r.concurrency));
    const ratio = Math.max(...ratios);
    const verdict = ratio <= 2 ? "pass" : "FAIL";
    const sequential = median(results[1].ms);
    const fastest = results
      .filter((r) => r.kind === "history" && r.concurrency > 1)
      .reduce((a, r) => (median(r.ms) < median(a.ms) ? r : a));
    console.log(
      `\n${table}\n\nperiodStatements ÷ bare scan, worst: ${ratio.toFixed(2)} × (target ≤ 2 ×): ${verdict}`,
    );

    const cpus = os.cpus();
    const today = new Date().toISOString().slice(0, 10);
    const command = `npm run bench:history${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
    const section = `
## History reads (${today})

\`${command}\` (\`scripts/bench-history.ts\`):

- node: ${node.version} (\`hardhat node\`, which mines a million blocks at once; anvil 1.7 mines one block at a
  time, each slower than the last, about 20 ms a block past 10,000 blocks here);
- chain: a ${o.periods}-period deal, every period reported by two reporters and
  distributed, ${fmt(o.blocksPerPeriod)} empty blocks mined in each; head ${fmt(head)}, the deal created at block
  ${fmt(createdAt)}: ${fmt(span)} blocks of history;
- reads: the deal's whole life in ranges of ${fmt(chunk)} blocks (${check.requests} \`eth_getLogs\`, ${check.logs} logs), with
  the filter \`periodStatements\` uses (the deal and its risk engine, the events of a period's record); the bare
  scan sends the same requests over \`fetch\` and only parses the JSON; \`periodStatements\` gets \`fromBlock\` (as
  the CLI passes the address book's) and also reads the deal's views;
- median of ${o.runs} runs after a warm-up, the variants run in turn (a change of load weighs on all alike); client
  CPU is this process's user + system time;
- machine: ${cpus.length} × ${cpus[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}; load average
  ${load.map((x) => x.toFixed(1)).join(" / ")} at the start (shared with other jobs: the spread is wide).

${table}

\`periodStatements\` ÷ the bare scan at the same concurrency: at most **${ratio.toFixed(2)} ×** (target ≤ 2 ×:
${verdict}). ${fastest.concurrency} ranges at once: ${fmt(Math.round(median(fastest.ms)))} ms, against ${fmt(Math.round(sequential))} ms one at a
time (the SDK's default, \`DEFAULT_LOG_CONCURRENCY\`, is ${DEFAULT_LOG_CONCURRENCY}).
`;
    if (o.write) {
      appendSection(section);
      console.log("bench:history: appended the figures to bench/RESULTS.md");
    }
    if (ratio > 2) process.exitCode = 1;
  } finally {
    cleanup();
  }
}

if (!existsSync(HARDHAT)) {
  console.error("bench:history: run `npm install` first");
  process.exit(1);
}
main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
