/**
 * Where the keeper keeps its scan cursor between runs. It only saves work (no rescan of old blocks): the chain
 * decides what is ready, so a missing, stale or foreign state is harmless.
 */
import { unlinkSync } from "node:fs";
import { readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

import type { Address } from "../types.js";

export interface KeeperStateDeal {
  deal: Address;
  dealId: string;
  /** Block of its `DealCreated` event. */
  blockNumber: string;
}

/** The persisted state (integers as decimal strings). */
export interface KeeperState {
  version: 1;
  chainId: number;
  factory: Address;
  /** Next block to scan for `DealCreated`. */
  nextBlock: string;
  deals: KeeperStateDeal[];
}

export interface KeeperStateStore {
  /** The saved state, or undefined when there is none. */
  load(): Promise<KeeperState | undefined>;
  save(state: KeeperState): Promise<void>;
  /** Where it lives, for logs. */
  readonly description: string;
  /**
   * Removes what a save in progress left (synchronous, for an `exit` handler): a process that exits while writing
   * leaves no temporary file.
   */
  dispose?(): void;
}

function isState(v: unknown): v is KeeperState {
  const s = v as Partial<KeeperState> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    s.version === 1 &&
    typeof s.chainId === "number" &&
    typeof s.factory === "string" &&
    typeof s.nextBlock === "string" &&
    /^\d+$/.test(s.nextBlock) &&
    Array.isArray(s.deals) &&
    s.deals.every(
      (d) =>
        typeof d?.deal === "string" &&
        typeof d.dealId === "string" &&
        typeof d.blockNumber === "string",
    )
  );
}

/** Whether process `pid` is alive (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as { code?: string }).code === "EPERM";
  }
}

/**
 * A JSON file, replaced atomically (written to `<file>.<pid>.tmp` next to it, then renamed) so a crash never leaves
 * half a file. The temporary file never outlives its process: a failed save removes it, `dispose()` (call it on
 * exit) removes one being written, and loading removes those of processes that are gone (killed mid-write).
 */
export function fileStateStore(path: string): KeeperStateStore {
  const tmp = `${path}.${process.pid}.tmp`;
  let writing = false;
  return {
    description: path,
    async load() {
      const prefix = `${basename(path)}.`;
      const names = await readdir(dirname(path)).catch(() => [] as string[]);
      for (const name of names) {
        const m = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
        if (m && Number(m[1]) !== process.pid && !alive(Number(m[1])))
          await unlink(join(dirname(path), name)).catch(() => undefined);
      }
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (e) {
        if ((e as { code?: string }).code === "ENOENT") return undefined;
        throw e;
      }
      const parsed: unknown = JSON.parse(text);
      if (!isState(parsed)) throw new Error(`${path} is not a keeper state file`);
      return parsed;
    },
    async save(state) {
      writing = true;
      try {
        await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
        await rename(tmp, path);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e;
      } finally {
        writing = false;
      }
    },
    dispose() {
      if (!writing) return;
      try {
        unlinkSync(tmp);
      } catch {
        // Not created yet, or renamed already.
      }
    },
  };
}

/** An in-memory store (for tests, or a keeper that always starts from its `fromBlock`). */
export function memoryStateStore(initial?: KeeperState): KeeperStateStore & {
  state: KeeperState | undefined;
} {
  const store = {
    description: "memory",
    state: initial,
    async load() {
      return store.state === undefined ? undefined : structuredClone(store.state);
    },
    async save(state: KeeperState) {
      store.state = structuredClone(state);
    },
  };
  return store;
}
