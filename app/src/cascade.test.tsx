import { act, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";

import {
  CascadeError,
  TermSheetError,
  TRANSFER_RESTRICTION_MESSAGES,
  TransferRestrictedError,
} from "../../sdk/index.js";
import { useRoute } from "./App.js";
import { ConfigContext, failureSentence, short, wadNumber, when } from "./cascade.js";
import type { AppConfig } from "./config.js";
import { useFromBlock } from "./queries.js";

describe("failureSentence", () => {
  it("gives a refused transfer as the token's sentence", async () => {
    const e = new TransferRestrictedError({ code: 9, operation: "transfer" });
    expect(await failureSentence(e)).toBe(
      `transfer restricted (9 ReceiverNotRegistered): ${TRANSFER_RESTRICTION_MESSAGES[9]}`,
    );
  });
  it("lists a term sheet's problems with their fields", async () => {
    const e = new TermSheetError([
      { path: "tranches[0].face", message: "expected an amount" },
      { path: "pledgedSharePct", message: "at most 100" },
    ]);
    expect(await failureSentence(e)).toBe(
      "tranches[0].face: expected an amount; pledgedSharePct: at most 100",
    );
  });
  it("says when the wallet declined, and keeps an SDK error's message", async () => {
    expect(await failureSentence(new Error("User rejected the request."))).toBe(
      "The wallet declined the request.",
    );
    expect(await failureSentence(new CascadeError("no account: pass `account`"))).toBe(
      "no account: pass `account`",
    );
  });
});

describe("screen helpers", () => {
  it("shortens addresses, reads WAD ratios for charts and marks the unbounded ratio", () => {
    expect(short("0x8A791620dd6260079BF849Dc5567aDC3F2FdC318")).toBe("0x8A79…C318");
    expect(wadNumber(1_150_000_000_000_000_000n)).toBe(1.15);
    expect(wadNumber(2n ** 256n - 1n)).toBe(null);
  });
  it("prints dates in the user's time zone", () => {
    const seconds = 1_767_225_600n; // 2026-01-01T00:00:00Z
    expect(when(seconds)).toBe(
      new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(
        new Date(1_767_225_600_000),
      ),
    );
  });
});

describe("hooks", () => {
  it("useRoute follows the location's hash", async () => {
    window.location.hash = "#/deal/0xabc";
    const { result } = renderHook(() => useRoute());
    expect(result.current).toEqual(["deal", "0xabc"]);
    await act(async () => {
      window.location.hash = "#/portfolio";
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    });
    expect(result.current).toEqual(["portfolio"]);
  });
  it("useFromBlock starts a deal's reads at its creation block, else at the protocol's", () => {
    const config: AppConfig = {
      chainId: 31337,
      chainName: "devnet",
      rpcUrl: "http://127.0.0.1:8545",
      factory: "0x8A791620dd6260079BF849Dc5567aDC3F2FdC318",
      stablecoin: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      fromBlock: "7",
      deals: [{ name: "A", deal: "0x8aCd85898458400f7Db866d53FCFF6f0D49741FF", blockNumber: "20" }],
    };
    const wrapper = ({ children }: { children: ReactNode }) => (
      <ConfigContext.Provider value={config}>{children}</ConfigContext.Provider>
    );
    const known = renderHook(() => useFromBlock("0x8acd85898458400f7db866d53fcff6f0d49741ff"), { wrapper });
    expect(known.result.current).toBe(20n);
    const other = renderHook(() => useFromBlock("0x0000000000000000000000000000000000000001"), { wrapper });
    expect(other.result.current).toBe(7n);
  });
});
