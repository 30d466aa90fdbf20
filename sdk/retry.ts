/**
 * Retries with exponential backoff, and what counts as worth retrying: network and node errors (the RPC endpoint
 * is down, restarting, rate limiting or timing out) and nonce conflicts. A contract revert is an answer, never
 * retried. Shared by the keeper service (`keeper/`) and the log reader (`logs.ts`).
 */
import {
  BaseError,
  HttpRequestError,
  InternalRpcError,
  LimitExceededRpcError,
  NonceTooHighError,
  NonceTooLowError,
  ResourceUnavailableRpcError,
  SocketClosedError,
  TimeoutError,
  TransactionRejectedRpcError,
  WaitForTransactionReceiptTimeoutError,
  WebSocketRequestError,
} from "viem";

import { CascadeError, ContractRevertError } from "./errors.js";
import type { Clock } from "./clock.js";

export interface BackoffPolicy {
  /** Delay before the first retry (ms). */
  initialDelayMs: number;
  /** Cap of the delay (ms). */
  maxDelayMs: number;
  /** Growth per attempt (2: 250, 500, 1 000 … ms). */
  factor: number;
  /** Random spread as a fraction of the delay (0.2: ±20 %); 0 for exact delays. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0.2,
};

/** Delay before retry number `attempt` (1-based): initial × factor^(attempt−1), capped, with jitter. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1),
  );
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(policy.maxDelayMs, base + spread)));
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

const NONCE_MESSAGE =
  /nonce too (low|high)|invalid nonce|nonce has already been used|replacement transaction underpriced|already known|transaction already imported/i;
const NETWORK_MESSAGE =
  /fetch failed|socket hang up|ECONNREFUSED|ECONNRESET|network error|connection (refused|reset|closed)|timed? ?out|rate limit|too many requests|service unavailable|bad gateway|gateway timeout|header not found|unknown block/i;

/** Every error in a chain of causes (viem's `walk`, or `cause` links), outermost first. */
export function errorChain(e: unknown): unknown[] {
  const chain: unknown[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 32; depth++) {
    if (chain.includes(cur)) break;
    chain.push(cur);
    cur = (cur as { cause?: unknown }).cause;
  }
  return chain;
}

/** Whether the error is a nonce conflict (the local nonce is stale): reset the nonce manager and retry. */
export function isNonceError(e: unknown): boolean {
  return errorChain(e).some(
    (x) =>
      x instanceof NonceTooLowError ||
      x instanceof NonceTooHighError ||
      (x instanceof Error && NONCE_MESSAGE.test(x.message)) ||
      (x instanceof BaseError && NONCE_MESSAGE.test(x.details ?? "")),
  );
}

/** Whether the error is a network or node failure that may pass (not a contract's answer). */
export function isTransientError(e: unknown): boolean {
  const chain = errorChain(e);
  if (chain.some((x) => x instanceof ContractRevertError)) return false;
  if (isNonceError(e)) return true;
  return chain.some((x) => {
    if (
      x instanceof HttpRequestError ||
      x instanceof TimeoutError ||
      x instanceof WebSocketRequestError ||
      x instanceof SocketClosedError ||
      x instanceof LimitExceededRpcError ||
      x instanceof ResourceUnavailableRpcError ||
      x instanceof WaitForTransactionReceiptTimeoutError
    )
      return true;
    // HTTP status of a failed request: 408, 429, 5xx.
    const status = (x as { status?: unknown }).status;
    if (typeof status === "number" && (status === 408 || status === 429 || status >= 500))
      return true;
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    if (x instanceof InternalRpcError || x instanceof TransactionRejectedRpcError) {
      return NETWORK_MESSAGE.test((x as BaseError).details ?? "");
    }
    return x instanceof Error && NETWORK_MESSAGE.test(x.message);
  });
}

export interface RetryOptions {
  clock: Clock;
  policy?: BackoffPolicy;
  /** Gives up after this many attempts in all (default: no limit). */
  maxAttempts?: number;
  /** Which errors to retry (default {@link isTransientError}). */
  retryable?: (e: unknown) => boolean;
  /** Called before each wait: the failed attempt number, the delay and the error. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Stops retrying (rethrowing the last error) once aborted; waits end early too. */
  signal?: AbortSignal;
  random?: () => number;
}

/** Runs `fn` until it succeeds, retrying retryable errors with exponential backoff. */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions,
): Promise<T> {
  const policy = opts.policy ?? DEFAULT_BACKOFF;
  const retryable = opts.retryable ?? isTransientError;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const exhausted = opts.maxAttempts !== undefined && attempt >= opts.maxAttempts;
      if (!retryable(e) || exhausted || opts.signal?.aborted) throw e;
      const delayMs = backoffDelay(attempt, policy, opts.random);
      opts.onRetry?.({ attempt, delayMs, error: e });
      await opts.clock.sleep(delayMs, opts.signal);
      if (opts.signal?.aborted) throw e;
    }
  }
}

/** A short description of an error for logs: its short message, and the error name of a revert. */
export function describeError(e: unknown): string {
  if (e instanceof CascadeError) return e.message;
  if (e instanceof BaseError) return e.shortMessage;
  if (e instanceof Error) {
    const inner = errorChain(e)
      .slice(1)
      .find((x): x is BaseError => x instanceof BaseError);
    return inner ? `${e.message}: ${inner.shortMessage}` : e.message;
  }
  return String(e);
}
