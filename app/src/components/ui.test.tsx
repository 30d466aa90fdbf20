import type { UseQueryResult } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { TransferRestrictedError } from "../../../sdk/index.js";
import type { Writer } from "../cascade.js";
import { Amount, Query, TxButton } from "./ui.js";

afterEach(cleanup);

describe("Amount", () => {
  it("shows human units with the symbol and keeps the exact base units", () => {
    render(<Amount units={1_234_567_891n} decimals={6} symbol="USDC" />);
    const el = screen.getByText("1,234.57 USDC");
    expect(el.getAttribute("data-raw")).toBe("1234567891");
    expect(el.getAttribute("title")).toBe("1234.567891 USDC");
  });
});

describe("Query", () => {
  const query = (o: object) => o as unknown as UseQueryResult<string>;
  it("shows its loading state, its error as a sentence, then its data", async () => {
    const { rerender } = render(
      <Query query={query({ isPending: true })} what="the deal">
        {(d) => <p>{d}</p>}
      </Query>,
    );
    expect(screen.getByRole("status").textContent).toBe("Loading the deal…");
    rerender(
      <Query query={query({ isPending: false, isError: true, error: new Error("HTTP request failed") })} what="the deal">
        {(d) => <p>{d}</p>}
      </Query>,
    );
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("HTTP request failed"));
    rerender(
      <Query query={query({ isPending: false, isError: false, data: "ready" })} what="the deal">
        {(d) => <p>{d}</p>}
      </Query>,
    );
    expect(screen.getByText("ready")).toBeTruthy();
  });
});

describe("TxButton", () => {
  it("asks for a wallet first, then shows a refusal's decoded sentence", async () => {
    const refused = new TransferRestrictedError({ code: 9, operation: "transfer" });
    const { rerender } = render(<TxButton writer={undefined} label="Transfer" run={async () => "sent"} />);
    expect(screen.getByRole("button", { name: "Transfer" })).toHaveProperty("disabled", true);
    expect(screen.getByText("connect a wallet first")).toBeTruthy();
    const writer = { client: {}, address: "0x0000000000000000000000000000000000000001" } as unknown as Writer;
    rerender(
      <TxButton
        writer={writer}
        label="Transfer"
        run={async () => {
          throw refused;
        }}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Transfer" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain(refused.message));
  });
});
