/**
 * Reading event history from any JSON-RPC provider. Providers cap `eth_getLogs` (commonly 10,000 blocks or 10,000
 * logs a call, some far less) and fail now and then; the history actions (`periodStatements`, `trancheLedger`,
 * `dealTermSheet`, the last statement of `dealSnapshot` and `riskSnapshot`) and the keeper's deal discovery read
 * through {@link readContractEvents}:
 *
 * - the range is read in consecutive block ranges of at most `maxBlockRange` blocks (default 10,000), four at a time
 *   (`logConcurrency`), every address and event of a read in the same requests (one filter: the addresses, and the
 *   events' topics in one OR list);
 * - a network or node error (see `isTransientError`) is retried with exponential backoff (`retry.ts`, shared with
 *   the keeper service), `rpcAttempts` times in all;
 * - a refusal of the range ("block range is too large", "query returned more than 10000 results", -32005, HTTP 413 …:
 *   {@link logRangeRefusal}) splits it — at the provider's suggested range or its stated block limit when the error
 *   gives one, else in halves — and the reader carries on with the smaller size (growing back after each success
 *   when it was a count of logs, not a block limit, that was refused). Ranges are disjoint and cover the whole
 *   range, so no log is lost or read twice; the result is ordered by block, then log index.
 *
 * History starts at a deal's creation block ({@link dealCreationBlock}), never at block 0, unless the node cannot
 * answer for historical state.
 */
import {
  BaseError,
  HttpRequestError,
  RpcRequestError,
  formatLog,
  numberToHex,
  parseEventLogs,
  toEventSelector,
  type Abi,
  type AbiEvent,
  type Address,
  type BlockNumber,
  type BlockTag,
  type ContractEventName,
  type Hex,
  type Log,
  type LogTopic,
  type RpcLog,
} from "viem";

import type { CascadeClient } from "./client.js";
import { systemClock, type Clock } from "./clock.js";
import { CascadeError } from "./errors.js";
import { DEFAULT_BACKOFF, isTransientError, retry, type BackoffPolicy } from "./retry.js";

export type { BackoffPolicy } from "./retry.js";
export type { Clock } from "./clock.js";

/** Largest block range of one `eth_getLogs` unless told otherwise: the most common provider cap. */
export const DEFAULT_MAX_BLOCK_RANGE = 10_000n;
/** Attempts of one request on network and node errors, unless told otherwise. */
export const DEFAULT_RPC_ATTEMPTS = 5;
/**
 * Ranges in flight at once, unless told otherwise: on a local node four at once read a million blocks about 1.5×
 * faster than one at a time, and a remote provider's latency makes the gain larger (bench/RESULTS.md, "History
 * reads"); a provider's rate limit (HTTP 429) is retried with backoff.
 */
export const DEFAULT_LOG_CONCURRENCY = 4;

/** How history is read; every action that reads events takes these. */
export interface LogReaderOptions {
  /**
   * Largest block range of one `eth_getLogs` (default 10,000). A provider that refuses it is still read: the range
   * is split until the provider accepts it. Set it to the provider's cap to save the refused requests.
   */
  maxBlockRange?: bigint;
  /** Block ranges requested at once (default 4; 1 reads them one after the other). */
  logConcurrency?: number;
  /** Attempts of one request on network and node errors, the first included (default 5). */
  rpcAttempts?: number;
  /** Delays between attempts (default: 250 ms doubling, ±20 %, at most 30 s). */
  backoff?: BackoffPolicy;
  /** Called before each wait for a retry. */
  onRetry?: (info: { method: string; attempt: number; delayMs: number; error: unknown }) => void;
  /** Time source of the backoff (tests pass a fake clock). */
  clock?: Clock;
}

/** The events of one contract (or of several with the same ABI) to read. */
export interface LogSource {
  address: Address | readonly Address[];
  abi: Abi;
  /** The events to read (default: every event of `abi`). */
  eventName?: string | readonly string[];
}

type EventNameOf<source extends LogSource> = source["eventName"] extends readonly (infer name)[]
  ? Extract<name, ContractEventName<source["abi"]>>
  : source["eventName"] extends string
    ? Extract<source["eventName"], ContractEventName<source["abi"]>>
    : undefined;

/** The decoded logs of a source, as viem's `getContractEvents` returns them with `strict: true`. */
export type SourceLogs<source extends LogSource> = Log<
  bigint,
  number,
  false,
  undefined,
  true,
  source["abi"],
  EventNameOf<source>
>[];

export interface ReadContractEventsParameters<
  sources extends readonly LogSource[],
> extends LogReaderOptions {
  sources: sources;
  fromBlock: BlockNumber | BlockTag;
  /** Last block (default: latest; a tag is resolved once, before the first request). */
  toBlock?: BlockNumber | BlockTag;
  /**
   * Topics after the event selector (indexed arguments, as `encodeEventTopics` gives them), for a read of one
   * event: e.g. one deal's `DealCreated` or one period's `PeriodDistributed`.
   */
  indexedTopics?: readonly LogTopic[];
  /** `"first"`: stop at the first range, in `direction` order, with a log (default: read the whole range). */
  stop?: "first";
  /** Order in which ranges are read (default `"forward"`); `"backward"` with `stop: "first"` finds the latest log. */
  direction?: "forward" | "backward";
}

export type ReadContractEventsReturnType<sources extends readonly LogSource[]> = {
  -readonly [i in keyof sources]: SourceLogs<sources[i]>;
};

/** A read of the history failed: a request failed after its retries, or the provider refused a single block. */
export class LogReadError extends CascadeError {
  override name = "LogReadError";
}

/** What a provider's refusal of an `eth_getLogs` range says. */
export interface LogRangeRefusal {
  /** `blocks`: the block range exceeds a fixed limit; `results`: too many logs (or too large a response). */
  kind: "blocks" | "results";
  /** The block limit the error states ("exceed maximum block range: 5000", "up to a 2K block range"). */
  limit?: bigint;
  /** The range the error suggests ("Try with this block range [0x…, 0x…]"). */
  suggested?: readonly [bigint, bigint];
}

const RATE_LIMIT =
  /rate.?limit|too many requests|request rate|daily request|exceeded.*(quota|credits|capacity|requests? per)|throughput/i;
const BLOCK_LIMIT =
  /block range|range (is )?too (large|wide|big|long)|range limit|range exceeds|exceeds? (the )?(max(imum)?|allowed) (block )?range|max(imum)? (block )?range|limited to (a |an )?[\d,_.]+k? ?(block )?range|blocks? distance|too many blocks|range of blocks|(over|more than|above) [\d,_]+ blocks/i;
const RESULT_LIMIT =
  /more than [\d,_]+ (results|logs)|too many (logs|results|events|records)|response size|log response|(result|response|logs?) (set )?(limit|size) exceeded|query returned more than|exceeds? (the )?(max(imum)?|limit) (of )?[\d,_]* ?(results|logs)|query (timeout|timed out)|timeout exceeded|context deadline/i;
const SUGGESTED = /\[\s*(0x[0-9a-f]+)\s*,\s*(0x[0-9a-f]+)\s*\]/i;
const STATED_LIMIT =
  /(?:up to|limited to|max(?:imum)?|at most|exceeds?|over|more than|above|distance:?|range(?: of)?:?)\s*(?:a |an |the )?(?:block range(?: of)?:?\s*)?([\d][\d,_]*(?:\.\d+)?)\s*(k)?\b/i;

/** The message the node sent (viem's `details`), or the error's own message. */
function nodeMessage(e: unknown): string {
  const chain: unknown[] = [];
  for (let x: unknown = e, i = 0; x !== undefined && x !== null && i < 16; i++) {
    chain.push(x);
    x = (x as { cause?: unknown }).cause;
  }
  for (const x of chain) {
    // A body that was not JSON-RPC reaches viem's `details` as a JSON string ("\"Service Unavailable\"").
    if (x instanceof BaseError && x.details)
      return /^".*"$/s.test(x.details) ? (JSON.parse(x.details) as string) : x.details;
  }
  for (const x of chain) {
    if (x instanceof BaseError) return x.shortMessage;
    if (x instanceof Error && !(x instanceof CascadeError)) return x.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * Whether a failed `eth_getLogs` is the provider refusing the size of the range or of its answer (a smaller range
 * may pass), and what it says about the limit. Rate limits and network errors are not refusals: they are retried.
 */
export function logRangeRefusal(e: unknown): LogRangeRefusal | undefined {
  const chain: unknown[] = [];
  for (let x: unknown = e, i = 0; x !== undefined && x !== null && i < 16; i++) {
    chain.push(x);
    x = (x as { cause?: unknown }).cause;
  }
  let status: number | undefined;
  let code: number | undefined;
  const texts: string[] = [];
  for (const x of chain) {
    if (x instanceof HttpRequestError && x.status !== undefined) status ??= x.status;
    if (x instanceof RpcRequestError) code ??= x.code;
    if (x instanceof BaseError) {
      if (x.details) texts.push(x.details);
    } else if (x instanceof Error) texts.push(x.message);
  }
  const text = texts.join(" | ");
  if (RATE_LIMIT.test(text) || status === 429) return undefined;
  const suggestedMatch = SUGGESTED.exec(text);
  const suggested = suggestedMatch
    ? ([BigInt(suggestedMatch[1]), BigInt(suggestedMatch[2])] as const)
    : undefined;
  // Too many logs first: such messages often mention a block range too ("… up to a 2K block range …").
  if (RESULT_LIMIT.test(text)) return { kind: "results", suggested };
  if (BLOCK_LIMIT.test(text)) {
    const stated = STATED_LIMIT.exec(text);
    const n = stated ? Number(stated[1].replace(/[,_]/g, "")) * (stated[2] ? 1_000 : 1) : NaN;
    const limit = Number.isSafeInteger(n) && n >= 1 ? BigInt(n) : undefined;
    return { kind: "blocks", limit, suggested };
  }
  if (suggested !== undefined) return { kind: "results", suggested };
  // -32005 "limit exceeded" without a rate-limit wording, and HTTP 413 (the answer was too large).
  if (code === -32005 || status === 413) return { kind: "results" };
  return undefined;
}

/** A block range, both ends included. */
interface Range {
  from: bigint;
  to: bigint;
}

interface ResolvedOptions {
  maxBlockRange: bigint;
  concurrency: number;
  attempts: number;
  backoff: BackoffPolicy;
  clock: Clock;
  onRetry: LogReaderOptions["onRetry"];
}

function resolveOptions(o: LogReaderOptions): ResolvedOptions {
  const maxBlockRange = o.maxBlockRange ?? DEFAULT_MAX_BLOCK_RANGE;
  const concurrency = o.logConcurrency ?? DEFAULT_LOG_CONCURRENCY;
  const attempts = o.rpcAttempts ?? DEFAULT_RPC_ATTEMPTS;
  if (typeof maxBlockRange !== "bigint" || maxBlockRange < 1n)
    throw new CascadeError(`maxBlockRange must be at least 1 block, not ${String(maxBlockRange)}`);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new CascadeError(
      `logConcurrency must be a whole number of at least 1, not ${String(concurrency)}`,
    );
  if (!Number.isSafeInteger(attempts) || attempts < 1)
    throw new CascadeError(
      `rpcAttempts must be a whole number of at least 1, not ${String(attempts)}`,
    );
  return {
    maxBlockRange,
    concurrency,
    attempts,
    backoff: o.backoff ?? DEFAULT_BACKOFF,
    clock: o.clock ?? systemClock,
    onRetry: o.onRetry,
  };
}

/**
 * One JSON-RPC request, retried on network and node errors. The transport's own retries are off for it: retries
 * are counted here, and a refused range is never asked again as it was.
 */
async function rpc<T>(
  client: CascadeClient,
  method: string,
  params: unknown[],
  o: ResolvedOptions,
  describe: string,
): Promise<T> {
  let attempts = 0;
  const request = client.request as (
    args: { method: string; params: unknown[] },
    options: { retryCount: number },
  ) => Promise<T>;
  try {
    return await retry(
      () => {
        attempts++;
        return request({ method, params }, { retryCount: 0 });
      },
      {
        clock: o.clock,
        policy: o.backoff,
        maxAttempts: o.attempts,
        retryable: (e) =>
          (method !== "eth_getLogs" || logRangeRefusal(e) === undefined) && isTransientError(e),
        onRetry: (info) => o.onRetry?.({ method, ...info }),
      },
    );
  } catch (e) {
    if (method === "eth_getLogs" && logRangeRefusal(e) !== undefined) throw e;
    const after = attempts > 1 ? ` after ${attempts} attempts` : "";
    throw new LogReadError(
      `${method} ${describe} failed${after}: ${nodeMessage(e)}`,
      { method, attempts },
      { cause: e },
    );
  }
}

const blockLabel = (r: Range) => (r.from === r.to ? `block ${r.from}` : `blocks ${r.from}–${r.to}`);

/** The number of a block tag (`earliest` is 0; `pending` reads as `latest`). */
async function blockNumberOf(
  client: CascadeClient,
  block: BlockNumber | BlockTag,
  o: ResolvedOptions,
): Promise<bigint> {
  if (typeof block === "bigint") return block;
  if (block === "earliest") return 0n;
  if (block === "latest" || block === "pending") {
    return BigInt(await rpc<Hex>(client, "eth_blockNumber", [], o, "of the latest block"));
  }
  const header = await rpc<{ number: Hex } | null>(
    client,
    "eth_getBlockByNumber",
    [block, false],
    o,
    `of the ${block} block`,
  );
  if (!header) throw new LogReadError(`the node has no ${block} block`, { block });
  return BigInt(header.number);
}

/**
 * The raw logs of `filter` in `range`, read in bounded ranges (see the file's comment). With `stop: "first"`, the
 * logs of the first range (in `direction` order) that has any; ranges are then read one at a time.
 */
async function scanLogs(
  client: CascadeClient,
  filter: { address: Address | Address[]; topics: LogTopic[] },
  range: Range,
  o: ResolvedOptions,
  mode: { stop?: "first"; direction: "forward" | "backward" },
): Promise<RpcLog[]> {
  const forward = mode.direction === "forward";
  /** Blocks per request now; halves on a refusal, grows back up to `ceiling` after each success. */
  let span = o.maxBlockRange;
  /** A block limit the provider enforces (learned from its refusals). */
  let ceiling = o.maxBlockRange;
  /** Ranges split after a refusal, to be read before the cursor moves on, in reading order. */
  const pending: Range[] = [];
  let cursor = forward ? range.from : range.to;
  const done: { range: Range; logs: RpcLog[] }[] = [];
  let found = false;

  /** The next range to read: a split one first, cut to `span`; else the next `span` blocks from the cursor. */
  const take = (): Range | undefined => {
    const r = pending.shift();
    if (r) {
      if (r.to - r.from + 1n <= span) return r;
      if (forward) {
        pending.unshift({ from: r.from + span, to: r.to });
        return { from: r.from, to: r.from + span - 1n };
      }
      pending.unshift({ from: r.from, to: r.to - span });
      return { from: r.to - span + 1n, to: r.to };
    }
    if (forward) {
      if (cursor > range.to) return undefined;
      const to = cursor + span - 1n < range.to ? cursor + span - 1n : range.to;
      const next = { from: cursor, to };
      cursor = to + 1n;
      return next;
    }
    if (cursor < range.from) return undefined;
    const from = cursor - span + 1n > range.from ? cursor - span + 1n : range.from;
    const next = { from, to: cursor };
    cursor = from - 1n;
    return next;
  };

  const read = async (r: Range): Promise<void> => {
    let logs: RpcLog[];
    try {
      logs = await rpc<RpcLog[]>(
        client,
        "eth_getLogs",
        [
          {
            address: filter.address,
            topics: filter.topics,
            fromBlock: numberToHex(r.from),
            toBlock: numberToHex(r.to),
          },
        ],
        o,
        `of ${blockLabel(r)}`,
      );
    } catch (e) {
      const refusal = logRangeRefusal(e);
      if (refusal === undefined) throw e;
      if (r.from === r.to) {
        throw new LogReadError(
          `eth_getLogs of block ${r.from} was refused even alone: ${nodeMessage(e)}`,
          { fromBlock: r.from, toBlock: r.to },
          { cause: e },
        );
      }
      const size = r.to - r.from + 1n;
      // The first part to read again: the suggested range, the stated limit, or half.
      let first = size / 2n;
      const [sFrom, sTo] = refusal.suggested ?? [-1n, -1n];
      if (forward && sFrom === r.from && sTo >= r.from && sTo < r.to) first = sTo - r.from + 1n;
      else if (refusal.limit !== undefined && refusal.limit < size) first = refusal.limit;
      if (refusal.kind === "blocks") ceiling = ceiling < first ? ceiling : first;
      span = span < first ? span : first;
      if (forward) {
        pending.unshift(
          { from: r.from, to: r.from + first - 1n },
          { from: r.from + first, to: r.to },
        );
      } else {
        pending.unshift({ from: r.to - first + 1n, to: r.to }, { from: r.from, to: r.to - first });
      }
      return;
    }
    done.push({ range: r, logs });
    if (logs.length > 0) found = true;
    if (span < ceiling) span = span * 2n < ceiling ? span * 2n : ceiling;
  };

  const concurrency = mode.stop === "first" ? 1 : o.concurrency;
  let inFlight = 0;
  let failed = false;
  /** Workers with nothing to take wait here while another may still split its range. */
  const waiting: (() => void)[] = [];
  const worker = async (): Promise<void> => {
    for (;;) {
      if (failed || (mode.stop === "first" && found)) return;
      const r = take();
      if (r === undefined) {
        if (inFlight === 0) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      inFlight++;
      try {
        await read(r);
      } catch (e) {
        failed = true;
        throw e;
      } finally {
        inFlight--;
        for (const wake of waiting.splice(0)) wake();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  // The first range with logs in reading order: `done` is in reading order when ranges are read one at a time.
  const kept = mode.stop === "first" ? done.filter((d) => d.logs.length > 0).slice(0, 1) : done;
  return kept.sort((a, b) => (a.range.from < b.range.from ? -1 : 1)).flatMap((d) => d.logs);
}

/** The event items a source reads. */
function eventsOf(source: LogSource): AbiEvent[] {
  const events = source.abi.filter((x): x is AbiEvent => x.type === "event");
  if (source.eventName === undefined) return events;
  const names = typeof source.eventName === "string" ? [source.eventName] : source.eventName;
  return names.map((name) => {
    const event = events.find((e) => e.name === name);
    if (!event) throw new CascadeError(`the ABI has no event ${name}`, { eventName: name });
    return event;
  });
}

/**
 * The decoded events of one or several contracts from `fromBlock` to `toBlock`, in bounded, retried ranges, every
 * source in the same requests; one array of logs per source (as viem's `getContractEvents` with `strict: true`),
 * ordered by block, then log index. Logs that do not decode against their source's ABI are left out.
 *
 * @example
 * const [dealLogs, riskLogs] = await readContractEvents(client, {
 *   sources: [
 *     { address: deal, abi: dealAbi, eventName: ["PeriodDistributed", "ReportMissed"] },
 *     { address: engine, abi: riskEngineAbi, eventName: "TriggerFired" },
 *   ],
 *   fromBlock: createdAt,
 * });
 */
export async function readContractEvents<const sources extends readonly LogSource[]>(
  client: CascadeClient,
  params: ReadContractEventsParameters<sources>,
): Promise<ReadContractEventsReturnType<sources>> {
  const o = resolveOptions(params);
  if (params.sources.length === 0) throw new CascadeError("readContractEvents: no sources");
  const [from, to] = await Promise.all([
    blockNumberOf(client, params.fromBlock, o),
    blockNumberOf(client, params.toBlock ?? "latest", o),
  ]);
  if (from > to) {
    throw new CascadeError(
      `the log range starts after it ends: fromBlock ${from} > toBlock ${to}`,
      {
        fromBlock: from,
        toBlock: to,
      },
    );
  }
  return readResolved(client, params, { from, to }, o);
}

async function readResolved<const sources extends readonly LogSource[]>(
  client: CascadeClient,
  params: Omit<ReadContractEventsParameters<sources>, "fromBlock" | "toBlock">,
  range: Range,
  o: ResolvedOptions,
): Promise<ReadContractEventsReturnType<sources>> {
  const addresses: Address[] = [];
  const selectors = new Set<Hex>();
  const events = params.sources.map(eventsOf);
  for (const [i, source] of params.sources.entries()) {
    const list = typeof source.address === "string" ? [source.address] : source.address;
    for (const a of list) {
      if (!addresses.some((b) => b.toLowerCase() === a.toLowerCase())) addresses.push(a);
    }
    for (const e of events[i]) selectors.add(toEventSelector(e));
  }
  const topics: LogTopic[] = [[...selectors], ...(params.indexedTopics ?? [])];
  const raw = await scanLogs(
    client,
    { address: addresses.length === 1 ? addresses[0] : addresses, topics },
    range,
    o,
    { stop: params.stop, direction: params.direction ?? "forward" },
  );
  // Nodes answer in block and log-index order; sorted again so that the order never depends on the provider.
  const formatted = raw
    .map((l) => formatLog(l) as Log<bigint, number, false>)
    .sort((a, b) =>
      a.blockNumber !== b.blockNumber
        ? a.blockNumber < b.blockNumber
          ? -1
          : 1
        : a.logIndex - b.logIndex,
    );
  return params.sources.map((source, i) => {
    const list = (typeof source.address === "string" ? [source.address] : source.address).map((a) =>
      a.toLowerCase(),
    );
    const own = formatted.filter((l) => list.includes(l.address.toLowerCase()));
    return parseEventLogs({
      abi: events[i],
      logs: own,
      strict: true,
    });
  }) as ReadContractEventsReturnType<sources>;
}

// ---------------------------------------------------------------- creation block

/** Creation blocks found by search, by lowercase address; checked (two `eth_getCode`) before each use. */
const creationBlocks = new Map<string, bigint>();

/** Forgets the creation blocks found so far (e.g. after switching to another node). */
export function forgetCreationBlocks(): void {
  creationBlocks.clear();
}

const hasCode = (code: Hex | null | undefined) =>
  code !== undefined && code !== null && code !== "0x";

export interface DealCreationBlockParameters extends LogReaderOptions {
  /** The contract (a deal, or any contract). */
  deal: Address;
  /** Searches up to this block, which must have the code (default: latest). */
  blockNumber?: bigint;
}

/**
 * The block in which `deal` (any contract) was created: a binary search over `eth_getCode(deal, block)` from 0 to
 * `blockNumber`, about log2(blocks) requests (20 for a million blocks); the answer is remembered per address and
 * checked (two requests in parallel) before it is used again, so a restarted local node is not misread. Throws when
 * there is no code at `blockNumber`. A node that keeps recent state only (a pruned, non-archive node refuses
 * `eth_getCode` at older blocks; anvil keeps a few thousand) still gives the exact block when it can answer "no code"
 * for the block before it; when its history does not reach back that far, this returns 0 and history is read from
 * block 0 — pass the creation block (the address book's `blockNumber`) as `fromBlock` to the actions instead. The search trusts the node's answers:
 * Hardhat's node answers an empty state inside the blocks `hardhat_mine` reserved, and the search then finds a later
 * block — pass `fromBlock` there too.
 *
 * @example
 * const createdAt = await dealCreationBlock(client, { deal });
 */
export async function dealCreationBlock(
  client: CascadeClient,
  params: DealCreationBlockParameters,
): Promise<bigint> {
  const o = resolveOptions(params);
  const head = params.blockNumber ?? (await blockNumberOf(client, "latest", o));
  const found = await findCreationBlock(client, params.deal, head, o);
  if (found === undefined) {
    throw new CascadeError(`no contract at ${params.deal} at block ${head}`, {
      address: params.deal,
      blockNumber: head,
    });
  }
  return found;
}

/** The creation block, or undefined when there is no code at `head`. */
async function findCreationBlock(
  client: CascadeClient,
  address: Address,
  head: bigint,
  o: ResolvedOptions,
): Promise<bigint | undefined> {
  const key = address.toLowerCase();
  const codeAt = (block: bigint) =>
    rpc<Hex>(
      client,
      "eth_getCode",
      [address, numberToHex(block)],
      o,
      `of ${address} at block ${block}`,
    );
  const cached = creationBlocks.get(key);
  if (cached !== undefined && cached <= head) {
    try {
      const [at, before] = await Promise.all([
        codeAt(cached),
        cached === 0n ? Promise.resolve<Hex>("0x") : codeAt(cached - 1n),
      ]);
      if (hasCode(at) && !hasCode(before)) return cached;
    } catch {
      // Not answerable now: search again.
    }
  }
  if (!hasCode(await codeAt(head))) return undefined;
  /** Whether the node could not answer for some block: its state is gone (a pruned node keeps recent blocks). */
  let gaps = false;
  /** The code at `block`, or undefined when the node has no state for it (a network error still throws). */
  const answer = async (block: bigint): Promise<Hex | undefined> => {
    try {
      return await codeAt(block);
    } catch (e) {
      if (isTransientError(e)) throw e;
      gaps = true;
      return undefined;
    }
  };
  // A block without state counts as one before the contract: the search then finds the first block with code among
  // those the node can answer for, which is the creation block only if the node answers "no code" just before it.
  let lo = 0n;
  let hi = head;
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    if (hasCode(await answer(mid))) hi = mid;
    else lo = mid + 1n;
  }
  if (gaps && lo > 0n) {
    const before = await answer(lo - 1n);
    // The node's history does not reach back to the contract's creation: read from 0 (see the doc comment).
    if (before === undefined) return 0n;
  }
  creationBlocks.set(key, lo);
  return lo;
}

/**
 * The block range of a deal's history: from `fromBlock` (a number, a tag, or by default the deal's creation block,
 * {@link dealCreationBlock}) to `toBlock` (default latest), as numbers; undefined when the deal had no code at
 * `toBlock` (it had no history yet).
 */
export async function dealLogRange(
  client: CascadeClient,
  params: {
    deal: Address;
    fromBlock?: BlockNumber | BlockTag;
    toBlock?: BlockNumber | BlockTag;
  } & LogReaderOptions,
): Promise<{ fromBlock: bigint; toBlock: bigint } | undefined> {
  const o = resolveOptions(params);
  const toBlock = await blockNumberOf(client, params.toBlock ?? "latest", o);
  if (params.fromBlock !== undefined) {
    const fromBlock = await blockNumberOf(client, params.fromBlock, o);
    return fromBlock > toBlock ? undefined : { fromBlock, toBlock };
  }
  const created = await findCreationBlock(client, params.deal, toBlock, o);
  return created === undefined ? undefined : { fromBlock: created, toBlock };
}

/**
 * {@link readContractEvents} over a deal's history (see {@link dealLogRange}); every source's logs are empty when the
 * deal had no code at `toBlock`.
 */
export async function readDealEvents<const sources extends readonly LogSource[]>(
  client: CascadeClient,
  params: Omit<ReadContractEventsParameters<sources>, "fromBlock"> & {
    deal: Address;
    fromBlock?: BlockNumber | BlockTag;
  },
): Promise<ReadContractEventsReturnType<sources>> {
  const o = resolveOptions(params);
  const range = await dealLogRange(client, params);
  if (range === undefined) {
    return params.sources.map(() => []) as ReadContractEventsReturnType<sources>;
  }
  return readResolved(client, params, { from: range.fromBlock, to: range.toBlock }, o);
}
