/**
 * History reads against providers that cap `eth_getLogs` (sdk/logs.ts): the range scheduler on an in-memory provider
 * (every split, concurrency and direction loses and repeats no log), then the auditor actions on anvil behind a proxy
 * that refuses ranges of more than N blocks or answers of more than K logs with real providers' errors, fails
 * requests now and then, and records every request.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";

import { expect } from "chai";
import {
  createPublicClient,
  custom,
  encodeEventTopics,
  HttpRequestError,
  numberToHex,
  pad,
  parseAbi,
  RpcRequestError,
  toEventSelector,
  type Address,
  type Hex,
  type RpcLog,
} from "viem";
import { getBlockNumber } from "viem/actions";

import { chainFor, readerFor } from "../../cli/lib/clients.js";
import { devnetClients, type DevnetClients } from "../../cli/lib/devnet.js";
import { buildHistoryChain, type HistoryChain } from "../../scripts/lib/history-chain.js";
import {
  CascadeError,
  dealAbi,
  dealCreationBlock,
  dealFactoryAbi,
  forgetCreationBlocks,
  LogReadError,
  logRangeRefusal,
  readContractEvents,
  readDealEvents,
  type BackoffPolicy,
  type Clock,
  type LogReaderOptions,
} from "../../sdk/index.js";
import { viemKeeperChain } from "../../sdk/keeper/index.js";
import { ANVIL, freePort, key, startAnvil } from "../e2e/harness.js";
import { privateKeyToAccount } from "viem/accounts";

// ---------------------------------------------------------------- provider errors

const rpcError = (code: number, message: string) =>
  new RpcRequestError({
    body: { method: "eth_getLogs" },
    error: { code, message },
    url: "http://node",
  });
const httpError = (status: number, details: string) =>
  new HttpRequestError({ body: { method: "eth_getLogs" }, details, status, url: "http://node" });

/** No waiting between attempts; the delays asked for are recorded. */
function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => 0, sleep: async (ms) => void sleeps.push(ms) };
}
const EXACT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0,
};

describe("log reader: provider errors", () => {
  it("reads a provider's refusal of a range: its kind, its stated block limit and its suggested range", () => {
    const cases: [unknown, ReturnType<typeof logRangeRefusal>][] = [
      // Infura
      [
        rpcError(
          -32005,
          "query returned more than 10000 results. Try with this block range [0x10, 0x2f].",
        ),
        { kind: "results", suggested: [16n, 47n] },
      ],
      [
        rpcError(-32005, "query returned more than 10000 results"),
        { kind: "results", suggested: undefined },
      ],
      // Alchemy
      [
        rpcError(
          -32602,
          "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [0x0, 0x1f3]",
        ),
        { kind: "results", suggested: [0n, 499n] },
      ],
      [
        rpcError(
          -32600,
          "Under the Free tier plan, you can make eth_getLogs requests with up to a 10 block range.",
        ),
        { kind: "blocks", limit: 10n, suggested: undefined },
      ],
      // BSC / geth forks, QuickNode, public endpoints
      [
        rpcError(-32000, "exceed maximum block range: 5000"),
        { kind: "blocks", limit: 5_000n, suggested: undefined },
      ],
      [
        rpcError(-32614, "eth_getLogs is limited to a 10,000 range"),
        { kind: "blocks", limit: 10_000n, suggested: undefined },
      ],
      [
        rpcError(-32602, "block range is too large"),
        { kind: "blocks", limit: undefined, suggested: undefined },
      ],
      [
        rpcError(-32000, "ranges over 2000 blocks are not supported"),
        { kind: "blocks", limit: 2_000n, suggested: undefined },
      ],
      [rpcError(-32005, "limit exceeded"), { kind: "results" }],
      [httpError(413, "Request Entity Too Large"), { kind: "results" }],
      // Not refusals of the range: rate limits, network errors, other errors.
      [rpcError(-32005, "daily request count exceeded, request rate limited"), undefined],
      [rpcError(429, "Too Many Requests"), undefined],
      [httpError(429, "Too Many Requests"), undefined],
      [httpError(503, "Service Unavailable"), undefined],
      [rpcError(-32602, "invalid argument 0: hex string without 0x prefix"), undefined],
      [new Error("fetch failed"), undefined],
    ];
    for (const [error, expected] of cases) {
      expect(logRangeRefusal(error), (error as Error).message).to.deep.equal(expected);
    }
  });
});

// ---------------------------------------------------------------- the scheduler on an in-memory provider

const pingAbi = parseAbi(["event Ping(uint256 indexed n)", "event Pong(uint256 indexed n)"]);
const PING = toEventSelector(pingAbi[0]);
const PONG = toEventSelector(pingAbi[1]);
const EMITTER = "0x00000000000000000000000000000000000000E1" as Address;
const OTHER = "0x00000000000000000000000000000000000000E2" as Address;

/** Deterministic pseudo-random numbers (a 32-bit LCG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

interface FakeProvider {
  /** Ranges answered, in the order asked. */
  answered: { from: bigint; to: bigint; address: unknown }[];
  refused: number;
  client: ReturnType<typeof createPublicClient>;
}

/**
 * A provider holding `blocks` of Ping/Pong logs (several per block at random), refusing ranges of more than
 * `maxBlocks` blocks and answers of more than `maxLogs` logs, as real providers word it.
 */
function fakeProvider(
  logs: { block: bigint; address: Address; topic: Hex; n: bigint }[],
  head: bigint,
  caps: { maxBlocks?: bigint; maxLogs?: number; statesLimit?: boolean; suggest?: boolean },
): FakeProvider {
  const answered: FakeProvider["answered"] = [];
  const rpcLogs: RpcLog[] = logs.map((l, i) => ({
    address: l.address,
    topics: [l.topic, pad(numberToHex(l.n))],
    data: "0x",
    blockNumber: numberToHex(l.block),
    blockHash: pad(numberToHex(l.block)),
    transactionHash: pad(numberToHex(i + 1)),
    transactionIndex: "0x0",
    logIndex: numberToHex(logs.slice(0, i).filter((x) => x.block === l.block).length),
    removed: false,
  }));
  const provider: FakeProvider = {
    answered,
    refused: 0,
    client: createPublicClient({
      transport: custom({
        async request({ method, params }: { method: string; params: unknown }) {
          if (method === "eth_blockNumber") return numberToHex(head);
          if (method !== "eth_getLogs") throw new Error(`unexpected ${method}`);
          const [filter] = params as [
            {
              address: Address | Address[];
              topics: (Hex | Hex[] | null)[];
              fromBlock: Hex;
              toBlock: Hex;
            },
          ];
          const from = BigInt(filter.fromBlock);
          const to = BigInt(filter.toBlock);
          if (caps.maxBlocks !== undefined && to - from + 1n > caps.maxBlocks) {
            provider.refused++;
            throw new RpcRequestError({
              body: {},
              error: {
                code: -32000,
                message: caps.statesLimit
                  ? `exceed maximum block range: ${caps.maxBlocks}`
                  : "block range is too large",
              },
              url: "fake",
            });
          }
          const addresses = (
            typeof filter.address === "string" ? [filter.address] : filter.address
          ).map((a) => a.toLowerCase());
          const topic0 = filter.topics[0];
          const found = rpcLogs.filter((l) => {
            const b = BigInt(l.blockNumber as Hex);
            return (
              b >= from &&
              b <= to &&
              addresses.includes(l.address.toLowerCase()) &&
              (topic0 === null ||
                topic0 === undefined ||
                (Array.isArray(topic0) ? topic0 : [topic0]).includes(l.topics[0] as Hex))
            );
          });
          if (caps.maxLogs !== undefined && found.length > caps.maxLogs) {
            provider.refused++;
            const last = BigInt(found[caps.maxLogs].blockNumber as Hex) - 1n;
            const hint =
              caps.suggest && last >= from
                ? ` Try with this block range [${numberToHex(from)}, ${numberToHex(last)}].`
                : "";
            throw new RpcRequestError({
              body: {},
              error: {
                code: -32005,
                message: `query returned more than ${caps.maxLogs} results.${hint}`,
              },
              url: "fake",
            });
          }
          answered.push({ from, to, address: filter.address });
          return found;
        },
      }),
    }),
  };
  return provider;
}

describe("log reader: ranges, splits and order (in-memory provider)", () => {
  it("reads every log once, in block and log-index order, whatever the caps, the split and the concurrency", async () => {
    const random = lcg(16);
    for (let round = 0; round < 120; round++) {
      const head = BigInt(Math.floor(random() * 200_000));
      const fromBlock = BigInt(Math.floor(random() * Number(head)));
      const count = Math.floor(random() * 120);
      // Clustered: some blocks hold many logs.
      const logs = Array.from({ length: count }, (_, i) => ({
        block:
          random() < 0.3
            ? fromBlock + BigInt(Math.floor(random() * 8))
            : BigInt(Math.floor(random() * Number(head + 1n))),
        address: random() < 0.8 ? EMITTER : OTHER,
        topic: random() < 0.5 ? PING : PONG,
        n: BigInt(i),
      })).sort((a, b) => (a.block < b.block ? -1 : a.block > b.block ? 1 : 0));
      const caps = {
        maxBlocks: random() < 0.5 ? BigInt(1 + Math.floor(random() * 5_000)) : undefined,
        maxLogs: random() < 0.5 ? 8 + Math.floor(random() * 20) : undefined,
        statesLimit: random() < 0.5,
        suggest: random() < 0.5,
      };
      const fake = fakeProvider(logs, head, caps);
      const options: LogReaderOptions = {
        maxBlockRange: BigInt(1 + Math.floor(random() * 20_000)),
        logConcurrency: 1 + Math.floor(random() * 4),
      };
      const context = JSON.stringify(
        { round, head, fromBlock, count, caps, options },
        (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
      );
      const [emitted, other] = await readContractEvents(fake.client, {
        sources: [
          { address: EMITTER, abi: pingAbi },
          { address: OTHER, abi: pingAbi, eventName: "Pong" },
        ],
        fromBlock,
        ...options,
      });
      const expected = (address: Address, topics: Hex[]) =>
        logs
          .filter((l) => l.block >= fromBlock && l.address === address && topics.includes(l.topic))
          .map((l) => l.n);
      expect(
        emitted.map((l) => l.args.n),
        context,
      ).to.deep.equal(expected(EMITTER, [PING, PONG]));
      expect(
        other.map((l) => l.args.n),
        context,
      ).to.deep.equal(expected(OTHER, [PONG]));
      expect(other.every((l) => l.eventName === "Pong")).to.equal(true);
      // The answered ranges tile [fromBlock, head]: no block twice, none left out.
      const tiles = [...fake.answered].sort((a, b) => (a.from < b.from ? -1 : 1));
      expect(tiles[0].from, context).to.equal(fromBlock);
      expect(tiles.at(-1)?.to, context).to.equal(head);
      for (let i = 1; i < tiles.length; i++)
        expect(tiles[i].from, context).to.equal(tiles[i - 1].to + 1n);
      for (const t of tiles)
        expect(t.to - t.from + 1n <= (options.maxBlockRange as bigint), context).to.equal(true);
      // Both sources in the same requests.
      expect(
        tiles.every((t) => Array.isArray(t.address) && t.address.length === 2),
        context,
      ).to.equal(true);
    }
  });

  it("learns a stated block limit from one refusal, and a count limit from the suggested range", async () => {
    const logs = Array.from({ length: 50 }, (_, i) => ({
      block: BigInt(i * 1_000),
      address: EMITTER,
      topic: PING,
      n: BigInt(i),
    }));
    const stated = fakeProvider(logs, 99_999n, { maxBlocks: 2_500n, statesLimit: true });
    const [a] = await readContractEvents(stated.client, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 0n,
      logConcurrency: 1,
    });
    expect(a).to.have.length(50);
    expect(stated.refused).to.equal(1);
    expect(stated.answered).to.have.length(40);
    expect(stated.answered.every((r) => r.to - r.from + 1n === 2_500n)).to.equal(true);

    // Without the limit in the message: halves until accepted (10,000 → 5,000 → 2,500), then stays at 2,500.
    const unstated = fakeProvider(logs, 99_999n, { maxBlocks: 2_500n });
    await readContractEvents(unstated.client, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 0n,
      logConcurrency: 1,
    });
    expect(unstated.refused).to.equal(2);
    expect(unstated.answered).to.have.length(40);

    // Four at once (the default): each of the first four ranges is refused once, the rest never.
    const parallel = fakeProvider(logs, 99_999n, { maxBlocks: 2_500n, statesLimit: true });
    const [p] = await readContractEvents(parallel.client, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 0n,
    });
    expect(p.map((l) => l.args.n)).to.deep.equal(logs.map((l) => l.n));
    expect(parallel.refused).to.equal(4);
    expect(parallel.answered.every((r) => r.to - r.from + 1n === 2_500n)).to.equal(true);

    // Too many logs: the suggested range is read, then the size grows back (the limit is on logs, not blocks).
    const dense = fakeProvider(logs, 99_999n, { maxLogs: 4, suggest: true });
    const [d] = await readContractEvents(dense.client, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 0n,
      maxBlockRange: 100_000n,
      logConcurrency: 1,
    });
    expect(d.map((l) => l.args.n)).to.deep.equal(logs.map((l) => l.n));
    expect(dense.answered[0]).to.deep.include({ from: 0n, to: 3_999n });
  });

  it("finds the latest or the earliest log reading as few ranges as it can", async () => {
    const logs = [5n, 40_000n, 40_000n, 90_000n].map((block, i) => ({
      block,
      address: EMITTER,
      topic: PING,
      n: BigInt(i),
    }));
    const fake = fakeProvider(logs, 99_999n, {});
    const [last] = await readContractEvents(fake.client, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 0n,
      stop: "first",
      direction: "backward",
    });
    expect(last.map((l) => l.args.n)).to.deep.equal([3n]);
    expect(fake.answered.map((r) => [r.from, r.to])).to.deep.equal([[90_000n, 99_999n]]);
    const [first] = await readContractEvents(fake.client, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 30_000n,
      stop: "first",
      direction: "forward",
    });
    expect(first.map((l) => l.args.n)).to.deep.equal([1n, 2n]);
    expect(fake.answered.slice(1).map((r) => [r.from, r.to])).to.deep.equal([
      [30_000n, 39_999n],
      [40_000n, 49_999n],
    ]);
    // Split backwards: the later half first.
    const capped = fakeProvider(logs, 99_999n, { maxBlocks: 4_000n });
    const [latest] = await readContractEvents(capped.client, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 0n,
      stop: "first",
      direction: "backward",
    });
    expect(latest.map((l) => l.args.n)).to.deep.equal([3n]);
    expect(capped.answered.map((r) => [r.from, r.to])).to.deep.equal([
      [97_500n, 99_999n],
      [95_000n, 97_499n],
      [92_500n, 94_999n],
      [90_000n, 92_499n],
    ]);
  });

  it("retries network and node errors with backoff, and gives up after rpcAttempts with the node's message", async () => {
    let failures = 3;
    const asked: string[] = [];
    const flaky = createPublicClient({
      transport: custom({
        async request({ method }: { method: string }) {
          asked.push(method);
          if (method === "eth_blockNumber") return "0x10";
          if (failures-- > 0)
            throw new HttpRequestError({
              url: "http://node",
              status: 503,
              details: "Service Unavailable",
            });
          return [];
        },
      }),
    });
    const clock = recordingClock();
    const retried: { method: string; attempt: number }[] = [];
    const [logs] = await readContractEvents(flaky, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 0n,
      clock,
      backoff: EXACT_BACKOFF,
      onRetry: ({ method, attempt }) => retried.push({ method, attempt }),
    });
    expect(logs).to.deep.equal([]);
    expect(clock.sleeps).to.deep.equal([250, 500, 1_000]);
    expect(retried).to.deep.equal([1, 2, 3].map((attempt) => ({ method: "eth_getLogs", attempt })));
    expect(asked).to.deep.equal([
      "eth_blockNumber",
      "eth_getLogs",
      "eth_getLogs",
      "eth_getLogs",
      "eth_getLogs",
    ]);

    failures = 10;
    const e = await readContractEvents(flaky, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 0n,
      toBlock: 9n,
      clock,
      rpcAttempts: 3,
    }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(LogReadError);
    expect((e as LogReadError).message).to.equal(
      "eth_getLogs of blocks 0–9 failed after 3 attempts: Service Unavailable",
    );

    // An error that is not the network's is not retried.
    const broken = createPublicClient({
      transport: custom({
        async request() {
          throw new RpcRequestError({
            body: {},
            error: {
              code: -32601,
              message: "the method eth_getLogs does not exist/is not available",
            },
            url: "x",
          });
        },
      }),
    });
    const refused = await readContractEvents(broken, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 3n,
      toBlock: 3n,
      clock,
    }).catch((x: unknown) => x);
    expect((refused as LogReadError).message).to.equal(
      "eth_getLogs of block 3 failed: the method eth_getLogs does not exist/is not available",
    );
  });

  it("stops every range in flight at the first failure and says which range failed", async () => {
    const asked: bigint[] = [];
    const client = createPublicClient({
      transport: custom({
        async request({ method, params }: { method: string; params: unknown }) {
          if (method === "eth_blockNumber") return numberToHex(199_999n);
          const [filter] = params as [{ fromBlock: Hex }];
          const from = BigInt(filter.fromBlock);
          asked.push(from);
          if (from === 30_000n) {
            throw new RpcRequestError({
              body: {},
              error: { code: -32000, message: "missing trie node" },
              url: "x",
            });
          }
          await new Promise((r) => setTimeout(r, 20));
          return [];
        },
      }),
    });
    const e = await readContractEvents(client, {
      sources: [{ address: EMITTER, abi: pingAbi }],
      fromBlock: 0n,
    }).catch((x: unknown) => x);
    expect((e as LogReadError).message).to.equal(
      "eth_getLogs of blocks 30000–39999 failed: missing trie node",
    );
    // The four first ranges; the three others' workers leave once their range is answered.
    await new Promise((r) => setTimeout(r, 100));
    expect(asked).to.deep.equal([0n, 10_000n, 20_000n, 30_000n]);
  });

  it("refuses bad input before any request, and a block the provider refuses even alone", async () => {
    const fake = fakeProvider(
      [0, 1, 2].map((i) => ({ block: 7n, address: EMITTER, topic: PING, n: BigInt(i) })),
      20n,
      { maxLogs: 2 },
    );
    const read = (o: Partial<Parameters<typeof readContractEvents>[1]>) =>
      readContractEvents(fake.client, {
        sources: [{ address: EMITTER, abi: pingAbi }],
        fromBlock: 0n,
        ...o,
      }).then(
        () => new Error("no error"),
        (e: unknown) => e as Error,
      );
    const messages = await Promise.all([
      read({ maxBlockRange: 0n }),
      read({ logConcurrency: 0 }),
      read({ logConcurrency: 1.5 }),
      read({ rpcAttempts: 0 }),
      read({ fromBlock: 12n, toBlock: 11n }),
      read({ sources: [{ address: EMITTER, abi: pingAbi, eventName: "Pang" }] }),
      read({ sources: [] }),
    ]);
    expect(messages.map((e) => [e.constructor.name, e.message])).to.deep.equal([
      ["CascadeError", "maxBlockRange must be at least 1 block, not 0"],
      ["CascadeError", "logConcurrency must be a whole number of at least 1, not 0"],
      ["CascadeError", "logConcurrency must be a whole number of at least 1, not 1.5"],
      ["CascadeError", "rpcAttempts must be a whole number of at least 1, not 0"],
      ["CascadeError", "the log range starts after it ends: fromBlock 12 > toBlock 11"],
      ["CascadeError", "the ABI has no event Pang"],
      ["CascadeError", "readContractEvents: no sources"],
    ]);
    expect(fake.answered).to.have.length(0);
    const alone = await read({});
    expect(alone).to.be.instanceOf(LogReadError);
    expect(alone.message).to.equal(
      "eth_getLogs of block 7 was refused even alone: query returned more than 2 results.",
    );
  });
});

// ---------------------------------------------------------------- the actions on anvil behind a capping proxy

interface ProxiedRequest {
  method: string;
  params: unknown[];
  outcome: "answered" | "refused" | "failed";
}

type Refusal = { status: number; body: unknown };

/**
 * A JSON-RPC proxy in front of anvil, as a capped provider answers: `maxBlocks` / `maxLogs` refuse `eth_getLogs`
 * with `refuse(…)` (`maxLogs` an answer of more than that many logs from more than one block); `failNext` fails the next requests of a method with a transient error. Records every request.
 */
class ProviderProxy {
  readonly requests: ProxiedRequest[] = [];
  maxBlocks: { blocks: bigint; refuse: (blocks: bigint) => Refusal } | undefined;
  maxLogs: { logs: number; refuse: (from: bigint, logs: RpcLog[]) => Refusal } | undefined;
  failNext: { method: string; count: number; reply: Refusal } | undefined;
  private server: Server | undefined;
  url = "";

  constructor(private readonly upstream: string) {}

  reset(): void {
    this.requests.length = 0;
    this.maxBlocks = undefined;
    this.maxLogs = undefined;
    this.failNext = undefined;
  }

  of(method: string): ProxiedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        void this.handle(body)
          .catch((e: unknown) => ({ status: 500, body: String((e as Error).stack) }))
          .then(({ status, body: out }) => {
            res.writeHead(status, {
              "content-type": typeof out === "string" ? "text/plain" : "application/json",
            });
            res.end(typeof out === "string" ? out : JSON.stringify(out));
          });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async forward(body: string): Promise<{ result?: unknown; error?: unknown }> {
    const res = await fetch(this.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return (await res.json()) as { result?: unknown };
  }

  private async handle(body: string): Promise<Refusal> {
    const request = JSON.parse(body) as { id: number; method: string; params: unknown[] };
    const record: ProxiedRequest = {
      method: request.method,
      params: request.params,
      outcome: "answered",
    };
    this.requests.push(record);
    const reply = (r: Refusal, outcome: ProxiedRequest["outcome"]): Refusal => {
      record.outcome = outcome;
      const b = r.body as { error?: unknown } | string;
      return {
        status: r.status,
        body: typeof b === "string" ? b : { jsonrpc: "2.0", id: request.id, ...b },
      };
    };
    if (this.failNext && this.failNext.method === request.method && this.failNext.count > 0) {
      this.failNext.count--;
      return reply(this.failNext.reply, "failed");
    }
    if (request.method === "eth_getLogs") {
      const [filter] = request.params as [{ fromBlock: Hex; toBlock: Hex }];
      const blocks = BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n;
      if (this.maxBlocks && blocks > this.maxBlocks.blocks)
        return reply(this.maxBlocks.refuse(blocks), "refused");
      const answer = await this.forward(body);
      const logs = (answer.result ?? []) as RpcLog[];
      // At least every single block's logs pass (a provider's cap is far above what one block of a deal holds).
      if (
        this.maxLogs &&
        logs.length > this.maxLogs.logs &&
        new Set(logs.map((l) => l.blockNumber)).size > 1
      ) {
        return reply(this.maxLogs.refuse(BigInt(filter.fromBlock), logs), "refused");
      }
      return { status: 200, body: answer };
    }
    return { status: 200, body: await this.forward(body) };
  }
}

const rpcRefusal = (code: number, message: string): Refusal => ({
  status: 200,
  body: { error: { code, message } },
});

describe("log reader: the auditor actions on anvil behind a capped provider", function () {
  this.timeout(180_000);
  let anvil: ChildProcess | undefined;
  let anvilUrl = "";
  let proxy: ProviderProxy;
  let c: DevnetClients;
  let history: HistoryChain;
  let head: bigint;
  /** Straight to anvil: one eth_getLogs over the whole range (the reads as they were). */
  let direct: ReturnType<typeof readerFor>;
  /** Through the proxy. */
  let capped: ReturnType<typeof readerFor>;
  const whole: LogReaderOptions = { maxBlockRange: 1n << 40n };
  const quick: LogReaderOptions = {
    backoff: { initialDelayMs: 1, maxDelayMs: 5, factor: 2, jitter: 0 },
  };

  before(async function () {
    if (!existsSync(ANVIL)) this.skip();
    const port = await freePort();
    anvil = await startAnvil(port, ["--quiet"]);
    anvilUrl = `http://127.0.0.1:${port}`;
    const chain = chainFor(anvilUrl, 31_337);
    c = devnetClients(anvilUrl, chain, 50);
    history = await buildHistoryChain(c, {
      periods: 4,
      periodLength: 600,
      blocksPerPeriod: 150n,
      blocksBeforeDeal: 250n,
      mine: (blocks) => c.testClient.mine({ blocks: Number(blocks) }),
    });
    head = await getBlockNumber(c.publicClient, { cacheTime: 0 });
    proxy = new ProviderProxy(anvilUrl);
    await proxy.start();
    direct = readerFor(anvilUrl, chain);
    capped = readerFor(proxy.url, chain);
  });

  beforeEach(() => {
    proxy?.reset();
    forgetCreationBlocks();
  });

  after(async () => {
    await proxy?.stop();
    if (anvil?.pid !== undefined) {
      try {
        process.kill(-anvil.pid, "SIGKILL");
      } catch {
        anvil.kill("SIGKILL");
      }
    }
  });

  it("builds a history that spans the chain: the deal is created after block 250 and distributed 4 periods", async () => {
    expect(history.deal.blockNumber > 250n).to.equal(true);
    expect(head - history.deal.blockNumber > 600n).to.equal(true);
    const records = await direct.periodStatements({
      deal: history.deal.deal,
      fromBlock: history.deal.blockNumber,
      ...whole,
    });
    expect(records.map((r) => r.statement.period)).to.deep.equal([0n, 1n, 2n, 3n]);
  });

  it("periodStatements in ranges of at most 100 blocks equals the one-request read, every block read once from the creation block", async () => {
    const deal = history.deal.deal;
    const reference = await direct.periodStatements({
      deal,
      fromBlock: history.deal.blockNumber,
      ...whole,
    });
    proxy.maxBlocks = {
      blocks: 100n,
      refuse: (n) => rpcRefusal(-32000, `exceed maximum block range: 100 (requested ${n})`),
    };
    const chunked = await capped.periodStatements({ deal, fromBlock: history.deal.blockNumber });
    expect(chunked).to.deep.equal(reference);
    const getLogs = proxy.of("eth_getLogs");
    expect(getLogs.filter((r) => r.outcome === "refused")).to.have.length(1);
    const answered = getLogs
      .filter((r) => r.outcome === "answered")
      .map((r) => r.params[0] as { fromBlock: Hex; toBlock: Hex; address: Address[] })
      // Four ranges in flight at once: answered in any order.
      .sort((a, b) => (BigInt(a.fromBlock) < BigInt(b.fromBlock) ? -1 : 1));
    expect(BigInt(answered[0].fromBlock)).to.equal(history.deal.blockNumber);
    expect(BigInt(answered.at(-1)?.toBlock ?? "0x0")).to.equal(head);
    for (let i = 1; i < answered.length; i++) {
      expect(BigInt(answered[i].fromBlock)).to.equal(BigInt(answered[i - 1].toBlock) + 1n);
      expect(BigInt(answered[i].toBlock) - BigInt(answered[i].fromBlock) + 1n <= 100n).to.equal(
        true,
      );
    }
    // The deal's and the risk engine's events in the same requests.
    const engine = (await direct.riskSnapshot({ deal })).riskEngine;
    expect(answered.every((f) => f.address.length === 2 && f.address.includes(engine))).to.equal(
      true,
    );
    // With a concurrency of 3: the same records.
    proxy.reset();
    proxy.maxBlocks = {
      blocks: 100n,
      refuse: () => rpcRefusal(-32602, "block range is too large"),
    };
    expect(
      await capped.periodStatements({
        deal,
        fromBlock: history.deal.blockNumber,
        logConcurrency: 3,
      }),
    ).to.deep.equal(reference);
  });

  it("a provider that caps the logs of an answer: split at its suggestion, in halves, or on HTTP 413, with the same records", async () => {
    const deal = history.deal.deal;
    const reference = await direct.periodStatements({
      deal,
      fromBlock: history.deal.blockNumber,
      ...whole,
    });
    const ledgerReference = await direct.trancheLedger({
      deal,
      fromBlock: history.deal.blockNumber,
      ...whole,
    });
    const styles: ((from: bigint, logs: RpcLog[]) => Refusal)[] = [
      // Infura: the range that holds at most the cap.
      (from, logs) =>
        rpcRefusal(
          -32005,
          `query returned more than 2 results. Try with this block range [${numberToHex(from)}, ${numberToHex(
            BigInt(logs[2].blockNumber as Hex) - 1n < from
              ? from
              : BigInt(logs[2].blockNumber as Hex) - 1n,
          )}].`,
        ),
      () =>
        rpcRefusal(
          -32602,
          "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response.",
        ),
      () => ({ status: 413, body: "Request Entity Too Large" }),
    ];
    for (const refuse of styles) {
      proxy.reset();
      proxy.maxLogs = { logs: 2, refuse };
      expect(
        await capped.periodStatements({ deal, fromBlock: history.deal.blockNumber }),
      ).to.deep.equal(reference);
      expect(proxy.of("eth_getLogs").some((r) => r.outcome === "refused")).to.equal(true);
      expect(
        await capped.trancheLedger({ deal, fromBlock: history.deal.blockNumber }),
      ).to.deep.equal(ledgerReference);
    }
  });

  it("retries failed requests (HTTP 503, 429, a rate-limited -32005) and reads the same records", async () => {
    const deal = history.deal.deal;
    const reference = await direct.periodStatements({
      deal,
      fromBlock: history.deal.blockNumber,
      ...whole,
    });
    const transient: Refusal[] = [
      { status: 503, body: "Service Unavailable" },
      { status: 429, body: { error: { code: 429, message: "Too Many Requests" } } },
      rpcRefusal(-32005, "daily request count exceeded, request rate limited"),
    ];
    for (const reply of transient) {
      proxy.reset();
      proxy.failNext = { method: "eth_getLogs", count: 2, reply };
      const retries: number[] = [];
      const records = await capped.periodStatements({
        deal,
        fromBlock: history.deal.blockNumber,
        ...quick,
        onRetry: ({ attempt }) => retries.push(attempt),
      });
      expect(records).to.deep.equal(reference);
      expect(retries).to.deep.equal([1, 2]);
      expect(proxy.of("eth_getLogs").filter((r) => r.outcome === "failed")).to.have.length(2);
    }
    // Failing every time: the last error, in a sentence, after the attempts.
    proxy.reset();
    proxy.failNext = {
      method: "eth_getLogs",
      count: 100,
      reply: { status: 503, body: "Service Unavailable" },
    };
    const e = await capped
      .periodStatements({
        deal,
        fromBlock: history.deal.blockNumber,
        toBlock: history.deal.blockNumber + 10n,
        ...quick,
        rpcAttempts: 2,
      })
      .catch((x: unknown) => x);
    expect(e).to.be.instanceOf(LogReadError);
    expect((e as Error).message).to.equal(
      `eth_getLogs of blocks ${history.deal.blockNumber}–${history.deal.blockNumber + 10n} failed after 2 attempts: Service Unavailable`,
    );
  });

  it("finds the creation block by eth_getCode search, remembers it and checks it before each use", async () => {
    const deal = history.deal.deal;
    expect(await dealCreationBlock(capped, { deal })).to.equal(history.deal.blockNumber);
    const searched = proxy.of("eth_getCode").length;
    // One request at the head, then a binary search of [0, head].
    expect(searched).to.be.at.most(Math.ceil(Math.log2(Number(head) + 1)) + 1);
    proxy.reset();
    expect(await dealCreationBlock(capped, { deal })).to.equal(history.deal.blockNumber);
    expect(proxy.of("eth_getCode").map((r) => BigInt(r.params[1] as Hex))).to.have.members([
      history.deal.blockNumber,
      history.deal.blockNumber - 1n,
    ]);
    // At a block before the deal there is nothing to search.
    const e = await dealCreationBlock(capped, {
      deal,
      blockNumber: history.deal.blockNumber - 1n,
    }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CascadeError);
    expect((e as Error).message).to.equal(
      `no contract at ${deal} at block ${history.deal.blockNumber - 1n}`,
    );
    // The tokens and the risk engine were created with the deal.
    expect(await dealCreationBlock(capped, { deal: history.deal.tokens[0] })).to.equal(
      history.deal.blockNumber,
    );
    const none = c.investor.account.address;
    expect(
      ((await dealCreationBlock(capped, { deal: none }).catch((x: unknown) => x)) as Error).message,
    ).to.equal(`no contract at ${none} at block ${head}`);
  });

  it("without fromBlock, no action reads a log before the deal's creation block", async () => {
    const deal = history.deal.deal;
    const factory = history.protocol.factory;
    proxy.maxBlocks = {
      blocks: 200n,
      refuse: () => rpcRefusal(-32000, "exceed maximum block range: 200"),
    };
    const records = await capped.periodStatements({ deal });
    expect(records).to.deep.equal(
      await direct.periodStatements({ deal, fromBlock: history.deal.blockNumber, ...whole }),
    );
    const ledger = await capped.trancheLedger({ deal });
    expect(ledger.every((t) => t.balanced)).to.equal(true);
    const terms = await capped.dealTermSheet({ factory, deal });
    expect(terms.blockNumber).to.equal(history.deal.blockNumber);
    const snapshot = await capped.dealSnapshot({ deal });
    expect(snapshot.lastStatement).to.deep.equal(records.at(-1)?.statement);
    const risk = await capped.riskSnapshot({ deal });
    expect(risk.last.period).to.equal(3n);
    const [dealLogs] = await readDealEvents(capped, {
      deal,
      sources: [{ address: deal, abi: dealAbi, eventName: "PeriodDistributed" }],
    });
    expect(dealLogs).to.have.length(4);
    const getLogs = proxy.of("eth_getLogs");
    expect(getLogs.length > 0).to.equal(true);
    for (const r of getLogs) {
      const f = r.params[0] as { fromBlock: Hex };
      expect(BigInt(f.fromBlock) >= history.deal.blockNumber, JSON.stringify(r.params)).to.equal(
        true,
      );
    }
    // The search ran once; later reads checked the remembered block with two requests each.
    const codes = proxy.of("eth_getCode").map((r) => BigInt(r.params[1] as Hex));
    const checks = codes.filter(
      (b) => b === history.deal.blockNumber || b === history.deal.blockNumber - 1n,
    );
    expect(codes.length - checks.length).to.be.at.most(Math.ceil(Math.log2(Number(head) + 1)));
    // dealSnapshot and riskSnapshot: the last statement from one backward range each.
    const lastStatement = getLogs.filter(
      (r) => (r.params[0] as { topics: unknown[] }).topics.length === 2,
    );
    expect(lastStatement.filter((r) => r.outcome === "answered")).to.have.length(2);
  });

  it("dealTermSheet finds DealCreated in the first range; a deal the factory never created is refused", async () => {
    const factory = history.protocol.factory;
    const deal = history.deal.deal;
    proxy.maxBlocks = { blocks: 50n, refuse: () => rpcRefusal(-32602, "block range is too large") };
    const read = await capped.dealTermSheet({
      factory,
      deal,
      fromBlock: history.deal.blockNumber - 120n,
    });
    expect(read.terms).to.deep.equal(history.deal.terms);
    const answered = proxy.of("eth_getLogs").filter((r) => r.outcome === "answered");
    const [, dealTopic] = encodeEventTopics({
      abi: dealFactoryAbi,
      eventName: "DealCreated",
      args: { deal },
    }).slice(1);
    expect(answered.every((r) => JSON.stringify(r.params).includes(dealTopic as string))).to.equal(
      true,
    );
    const none = await capped
      .dealTermSheet({ factory, deal: c.investor.account.address })
      .catch((x: unknown) => x);
    expect((none as Error).message).to.equal(
      "dealTermSheet: the factory created no such deal in the block range",
    );
    // A contract that is not one of the factory's deals: its creation block holds no DealCreated for it.
    const stranger = await capped
      .dealTermSheet({ factory, deal: history.stablecoin })
      .catch((x: unknown) => x);
    expect((stranger as Error).message).to.equal(
      "dealTermSheet: the factory created no such deal in the block range",
    );
  });

  it("the keeper's deal discovery splits a range the provider refuses", async () => {
    proxy.maxBlocks = {
      blocks: 64n,
      refuse: () => rpcRefusal(-32000, "exceed maximum block range: 64"),
    };
    const chain = viemKeeperChain({
      client: capped,
      account: privateKeyToAccount(key("keeper")),
    });
    const found = await chain.dealsCreated(history.protocol.factory, 0n, head);
    expect(found.map((d) => [d.deal, d.blockNumber])).to.deep.equal([
      [history.deal.deal, history.deal.blockNumber],
    ]);
    expect(proxy.of("eth_getLogs").filter((r) => r.outcome === "refused")).to.have.length(1);
  });

  it("on a node that keeps recent state only: the exact block while it reaches back, else block 0", async function () {
    const port = await freePort();
    // 64 states kept: eth_getCode at older blocks is refused (-32602 BlockOutOfRangeError).
    const pruned = await startAnvil(port, ["--quiet", "--prune-history", "64"]);
    try {
      const url = `http://127.0.0.1:${port}`;
      const p = devnetClients(url, chainFor(url, 31_337), 50);
      const reader = readerFor(url, chainFor(url, 31_337));
      await p.testClient.mine({ blocks: 300 });
      const protocol = await p.admin.deployProtocol();
      const head = await getBlockNumber(p.publicClient, { cacheTime: 0 });
      const codeAt = async (block: bigint) =>
        p.publicClient
          .getCode({ address: protocol.factory, blockNumber: block })
          .catch(() => "refused");
      expect(await codeAt(1n)).to.equal("refused");
      // The factory is younger than the node's memory: found exactly.
      const found = await dealCreationBlock(reader, { deal: protocol.factory });
      expect(found > 300n && found <= head).to.equal(true);
      expect(await codeAt(found)).to.match(/^0x[0-9a-f]{2,}$/);
      expect(await codeAt(found - 1n)).to.equal(undefined);
      // 100 blocks later the node no longer answers for it: the remembered block cannot be checked, history from 0.
      await p.testClient.mine({ blocks: 100 });
      expect(await dealCreationBlock(reader, { deal: protocol.factory })).to.equal(0n);
    } finally {
      if (pruned.pid !== undefined) process.kill(-pruned.pid, "SIGKILL");
    }
  });
});
