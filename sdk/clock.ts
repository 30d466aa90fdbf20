/**
 * Time for the keeper service and the SDK's retried reads (`retry.ts`), injectable so tests can run retries,
 * backoff and shutdown on a fake clock.
 */

/** What retries and the keeper service need of time: the current time and an abortable sleep. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (it never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock (`Date.now`, `setTimeout`). */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/**
 * A clock that only moves when told: `advance(ms)` wakes the sleepers that are due, in order. Every sleep is
 * recorded in `sleeps` (the requested milliseconds), which is what backoff tests assert on.
 */
export class FakeClock implements Clock {
  private time: number;
  private sleepers: { until: number; resolve: () => void }[] = [];
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper = {
        until: this.time + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        sleeper.resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Number of sleeps in progress. */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by `ms`, resolving due sleepers one at a time (letting each one's continuation run). */
  async advance(ms: number): Promise<void> {
    // Sleeps that are about to start (in continuations already queued) count from now.
    await flush();
    const target = this.time + ms;
    for (;;) {
      this.sleepers.sort((a, b) => a.until - b.until);
      const next = this.sleepers[0];
      if (next === undefined || next.until > target) break;
      this.sleepers.shift();
      this.time = Math.max(this.time, next.until);
      next.resolve();
      await flush();
    }
    this.time = target;
    await flush();
  }
}

/** Lets pending promise continuations run. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
