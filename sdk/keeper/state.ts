/**
 * Where the keeper keeps its scan cursor between runs. It only saves work (no rescan of old blocks): the chain
 * decides what is ready, so a missing, stale or foreign state is harmless.
 */
import { readFile, rename, writeFile } from "node:fs/promises";

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

/** A JSON file, replaced atomically (written next to it, then renamed) so a crash never leaves half a file. */
export function fileStateStore(path: string): KeeperStateStore {
  return {
    description: path,
    async load() {
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
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
      await rename(tmp, path);
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
