import { describe, expect, it } from "vitest";

import { parseAmountInput } from "./amount.js";
import { parseConfig } from "./config.js";

describe("parseAmountInput", () => {
  it("reads whole units with separators and decimals to base units", () => {
    expect(parseAmountInput("1,000", 6, "amount")).toBe(1_000_000_000n);
    expect(parseAmountInput("2.5", 6, "amount")).toBe(2_500_000n);
    expect(parseAmountInput("0.000001", 6, "amount")).toBe(1n);
  });
  it("refuses what is not an amount, naming the field", () => {
    expect(() => parseAmountInput("ten", 6, "amount")).toThrow('amount: "ten" is not an amount');
    expect(() => parseAmountInput("1.0000001", 6, "amount")).toThrow("more than 6 decimal places");
  });
});

describe("parseConfig", () => {
  it("checksums addresses and names a missing field", () => {
    const c = parseConfig({
      chainId: 31337,
      rpcUrl: "http://127.0.0.1:8545",
      factory: "0x8a791620dd6260079bf849dc5567adc3f2fdc318",
      stablecoin: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      deals: [],
    });
    expect(c.factory).toBe("0x8A791620dd6260079BF849Dc5567aDC3F2FdC318");
    expect(c.fromBlock).toBe("0");
    expect(() => parseConfig({ chainId: 1 })).toThrow('"rpcUrl" is missing or malformed');
  });
});
