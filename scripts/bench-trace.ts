/**
 * Where a measured transaction's gas goes, from the node's opcode trace (`debug_traceTransaction`): intrinsic and
 * calldata gas, storage writes by kind (fresh zero → non-zero, rewritten, no-op), storage reads (cold / warm),
 * events, external calls (their access overhead), refunds, and the same per call frame as a tree.
 * Used by `npm run bench -- --trace <id,...>`.
 */

interface StructLog {
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

interface Tally {
  sstoreFresh: number;
  sstoreFreshGas: number;
  sstoreRewrite: number;
  sstoreRewriteGas: number;
  sstoreClear: number;
  sstoreClearGas: number;
  sstoreNoop: number;
  sstoreNoopGas: number;
  sloadCold: number;
  sloadWarm: number;
  sloadGas: number;
  logs: number;
  logGas: number;
  calls: number;
  callsCold: number;
  callGas: number;
  creates: number;
  createGas: number;
  /** Calls to precompiles (ecrecover: 3 000 + 100 access), whole. */
  precompileGas: number;
  keccakGas: number;
  tstoreGas: number;
  other: number;
}

const emptyTally = (): Tally => ({
  sstoreFresh: 0,
  sstoreFreshGas: 0,
  sstoreRewrite: 0,
  sstoreRewriteGas: 0,
  sstoreClear: 0,
  sstoreClearGas: 0,
  sstoreNoop: 0,
  sstoreNoopGas: 0,
  sloadCold: 0,
  sloadWarm: 0,
  sloadGas: 0,
  logs: 0,
  logGas: 0,
  calls: 0,
  callsCold: 0,
  callGas: 0,
  creates: 0,
  createGas: 0,
  precompileGas: 0,
  keccakGas: 0,
  tstoreGas: 0,
  other: 0,
});

interface Frame {
  label: string;
  depth: number;
  startGas: number;
  used: number;
  self: Tally;
  /** Each event (`LOGn:data bytes=gas`) and each storage write (`slot:kind=gas`) of the frame itself. */
  detail: string[];
  children: Frame[];
}

const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE", "CREATE", "CREATE2"]);

function add(t: Tally, s: StructLog, extra: number): void {
  const cost = s.gasCost;
  const stack = s.stack ?? [];
  switch (s.op) {
    case "SSTORE": {
      const value = BigInt(stack[stack.length - 2] ?? "0x0");
      if (cost >= 20_000) {
        t.sstoreFresh++;
        t.sstoreFreshGas += cost;
      } else if (cost >= 2_900 && value === 0n) {
        t.sstoreClear++;
        t.sstoreClearGas += cost;
      } else if (cost >= 2_900) {
        t.sstoreRewrite++;
        t.sstoreRewriteGas += cost;
      } else {
        t.sstoreNoop++;
        t.sstoreNoopGas += cost;
      }
      return;
    }
    case "SLOAD":
      if (cost >= 2_100) t.sloadCold++;
      else t.sloadWarm++;
      t.sloadGas += cost;
      return;
    case "KECCAK256":
      t.keccakGas += cost;
      return;
    case "TSTORE":
    case "TLOAD":
      t.tstoreGas += cost;
      return;
  }
  if (s.op.startsWith("LOG")) {
    t.logs++;
    t.logGas += cost;
  } else if (s.op.startsWith("CREATE")) {
    t.creates++;
    t.createGas += extra;
  } else if (CALLS.has(s.op)) {
    t.calls++;
    if (extra >= 2_600) t.callsCold++;
    t.callGas += extra;
  } else {
    t.other += cost;
  }
}

function sum(into: Tally, from: Tally): void {
  for (const k of Object.keys(into) as (keyof Tally)[]) into[k] += from[k];
}

function describe(t: Tally): string {
  const parts: string[] = [];
  if (t.sstoreFresh) parts.push(`${t.sstoreFresh} fresh SSTORE (${t.sstoreFreshGas})`);
  if (t.sstoreRewrite) parts.push(`${t.sstoreRewrite} rewrite SSTORE (${t.sstoreRewriteGas})`);
  if (t.sstoreClear) parts.push(`${t.sstoreClear} clearing SSTORE (${t.sstoreClearGas})`);
  if (t.sstoreNoop) parts.push(`${t.sstoreNoop} no-op/dirty SSTORE (${t.sstoreNoopGas})`);
  if (t.sloadCold + t.sloadWarm)
    parts.push(`SLOAD ${t.sloadCold} cold + ${t.sloadWarm} warm (${t.sloadGas})`);
  if (t.logs) parts.push(`${t.logs} LOG (${t.logGas})`);
  if (t.calls) parts.push(`${t.calls} calls, ${t.callsCold} cold (${t.callGas} overhead)`);
  if (t.creates) parts.push(`${t.creates} CREATE (${t.createGas}, with code deposit)`);
  if (t.precompileGas) parts.push(`precompiles ${t.precompileGas}`);
  if (t.keccakGas) parts.push(`keccak ${t.keccakGas}`);
  if (t.tstoreGas) parts.push(`transient ${t.tstoreGas}`);
  parts.push(`other ops ${t.other}`);
  return parts.join(", ");
}

export interface TraceProvider {
  send(method: string, params: unknown[]): Promise<unknown>;
  getTransaction(hash: string): Promise<{ data: string; to: string | null } | null>;
  getTransactionReceipt(hash: string): Promise<{ gasUsed: bigint } | null>;
}

/** Breakdown of transaction `hash`; `names` labels addresses (lower case) of proxies and implementations. */
export async function traceBreakdown(
  provider: TraceProvider,
  hash: string,
  names: Map<string, string>,
): Promise<string> {
  const tx = (await provider.getTransaction(hash))!;
  const receipt = (await provider.getTransactionReceipt(hash))!;
  const trace = (await provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStorage: true },
  ])) as { structLogs: StructLog[] };
  const logs = trace.structLogs;
  const name = (a: string) => names.get(a.toLowerCase()) ?? a.slice(0, 10);
  const addr = (word: string) => "0x" + BigInt(word).toString(16).padStart(40, "0");

  const root: Frame = {
    label: name(tx.to ?? "create"),
    depth: 1,
    startGas: logs[0].gas,
    used: 0,
    self: emptyTally(),
    detail: [],
    children: [],
  };
  const stack: Frame[] = [root];
  // For each open call: the caller frame, the call step and its index.
  const pending: { step: StructLog; callee: Frame | null }[] = [];
  for (let i = 0; i < logs.length; i++) {
    const s = logs[i];
    const frame = stack[stack.length - 1];
    const next = logs[i + 1];
    if (CALLS.has(s.op)) {
      const st = s.stack ?? [];
      const created = s.op.startsWith("CREATE");
      const target = created ? "" : addr(st[st.length - 2]);
      const label = created ? s.op : `${s.op === "DELEGATECALL" ? "→ " : ""}${name(target)}`;
      if (next !== undefined && next.depth === s.depth + 1) {
        const callee: Frame = {
          label,
          depth: s.depth + 1,
          startGas: next.gas,
          used: 0,
          self: emptyTally(),
          detail: [],
          children: [],
        };
        frame.children.push(callee);
        stack.push(callee);
        pending.push({ step: s, callee });
      } else {
        // A call that runs no EVM code (a precompile such as ecrecover, or an account without code).
        const total = next === undefined ? s.gasCost : s.gas - next.gas;
        frame.children.push({
          label: `${label} (precompile / no code)`,
          depth: s.depth + 1,
          startGas: 0,
          used: total,
          self: emptyTally(),
          detail: [],
          children: [],
        });
        frame.self.precompileGas += total;
      }
      continue;
    }
    add(frame.self, s, 0);
    const st = s.stack ?? [];
    if (s.op.startsWith("LOG"))
      frame.detail.push(`${s.op}:${Number(st[st.length - 2])}B=${s.gasCost}`);
    if (s.op === "SSTORE") {
      const slot = BigInt(st[st.length - 1]);
      const key = slot < 4096n ? `slot ${slot}` : `0x${slot.toString(16).slice(0, 6)}…`;
      const kind =
        s.gasCost >= 20_000
          ? "fresh"
          : s.gasCost < 2_900
            ? "noop"
            : BigInt(st[st.length - 2]) === 0n
              ? "clear"
              : "rewrite";
      frame.detail.push(`${key}:${kind}=${s.gasCost}`);
    }
    if (next !== undefined && next.depth < s.depth) {
      // The frame ends with this step: close it and charge the call's overhead to the caller.
      frame.used = frame.startGas - (s.gas - s.gasCost);
      stack.pop();
      const call = pending.pop()!;
      const caller = stack[stack.length - 1];
      const overhead = call.step.gas - next.gas - frame.used;
      add(caller.self, call.step, overhead);
      if (call.step.op.startsWith("CREATE")) caller.detail.push(`${call.step.op}=${overhead}`);
    }
  }
  const last = logs[logs.length - 1];
  root.used = root.startGas - (last.gas - last.gasCost);

  const data = tx.data.slice(2);
  let calldata = 0;
  for (let i = 0; i < data.length; i += 2) calldata += data.slice(i, i + 2) === "00" ? 4 : 16;
  const gasUsed = Number(receipt.gasUsed);
  const refund = 21_000 + calldata + root.used - gasUsed;

  const total = emptyTally();
  const lines: string[] = [];
  const walk = (f: Frame, indent: string) => {
    sum(total, f.self);
    lines.push(`${indent}${f.label}: ${f.used} inclusive — ${describe(f.self)}`);
    if (f.detail.length > 0) lines.push(`${indent}    [${f.detail.join(", ")}]`);
    for (const c of f.children) walk(c, indent + "  ");
  };
  walk(root, "  ");
  return [
    `gasUsed ${gasUsed} = 21000 intrinsic + ${calldata} calldata (${data.length / 2} bytes) + ${root.used} execution − ${refund} refund`,
    `all frames: ${describe(total)}`,
    "call tree (inclusive gas of each frame; its own ops; '→' marks a delegatecall to an implementation):",
    ...lines,
  ].join("\n");
}
