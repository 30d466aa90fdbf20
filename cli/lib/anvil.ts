/**
 * A local anvil node from the npm package (`@foundry-rs/anvil`, node_modules/.bin/anvil) for the tools that start
 * their own chain: `npm run app` and the benchmarks.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const ANVIL = fileURLToPath(new URL("../../node_modules/.bin/anvil", import.meta.url));

/** A TCP port free on 127.0.0.1 now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts anvil on `port` (extra flags in `args`) in its own process group — the npm `anvil` is a Node wrapper around
 * the binary, so stop it with `process.kill(-child.pid)` — and waits until it answers. `onSpawn` sees the process
 * as soon as it exists (to stop it on exit).
 */
export async function startAnvil(
  port: number,
  args: readonly string[] = [],
  onSpawn?: (child: ChildProcess) => void,
): Promise<ChildProcess> {
  const child = spawn(ANVIL, ["--port", String(port), ...args], {
    stdio: "ignore",
    detached: true,
  });
  onSpawn?.(child);
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
    if (Date.now() > deadline) {
      stopAnvil(child);
      throw new Error("anvil did not answer");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops an anvil started by `startAnvil` (its whole process group). */
export function stopAnvil(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}
