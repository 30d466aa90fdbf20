import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { Amount } from "./ui.js";

describe("Amount", () => {
  it("shows human units with the symbol and keeps the exact base units", () => {
    render(<Amount units={1_234_567_891n} decimals={6} symbol="USDC" />);
    const el = screen.getByText("1,234.57 USDC");
    expect(el.getAttribute("data-raw")).toBe("1234567891");
    expect(el.getAttribute("title")).toBe("1234.567891 USDC");
  });
});
