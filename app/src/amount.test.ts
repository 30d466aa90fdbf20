import { describe, expect, it } from "vitest";

import { parseAmountInput } from "./amount.js";

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
