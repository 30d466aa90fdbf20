import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { createConfig, http, mock, WagmiProvider, type Config } from "wagmi";
import { connect } from "wagmi/actions";

import { useConfig } from "./cascade.js";
import { chainOf } from "./chain.js";
import { parseConfig } from "./config.js";
import { ChainProvider, NetworkPicker } from "./network.js";

afterEach(cleanup);

const chains = parseConfig({
  chains: [
    {
      chainId: 31337,
      chainName: "Local devnet (anvil)",
      rpcUrl: "http://127.0.0.1:8545",
      factory: "0x8a791620dd6260079bf849dc5567adc3f2fdc318",
      stablecoin: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      deals: [],
    },
    {
      chainId: 11155111,
      chainName: "Sepolia",
      rpcUrl: "https://sepolia.example/rpc",
      factory: "0x0000000000000000000000000000000000000f00",
      stablecoin: "0x1c7d4b196cb0c7b01d743fbc6116a902379c7238",
      deals: [],
    },
  ],
});
const ACCOUNT = "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f";

/** A wagmi configuration over the chains with a mock injected wallet (refusing switches when `refuse`). */
function wallet(refuse = false): Config {
  return createConfig({
    chains: [chainOf(chains[0]), chainOf(chains[1])],
    connectors: [mock({ accounts: [ACCOUNT], features: { switchChainError: refuse } })],
    transports: { 31337: http(chains[0].rpcUrl), 11155111: http(chains[1].rpcUrl) },
  });
}

/** What the pages see: the configuration of the chosen chain. */
function Shown() {
  return <p data-testid="shown">{useConfig().chainName}</p>;
}

function renderPicker(config: Config) {
  const wrap = ({ children }: { children: ReactNode }) => (
    <WagmiProvider config={config}>
      <QueryClientProvider client={new QueryClient()}>
        <ChainProvider chains={chains}>{children}</ChainProvider>
      </QueryClientProvider>
    </WagmiProvider>
  );
  render(
    <>
      <NetworkPicker />
      <Shown />
    </>,
    { wrapper: wrap },
  );
  return {
    picker: screen.getByLabelText("Network") as HTMLSelectElement,
    shown: () => screen.getByTestId("shown").textContent,
  };
}

const walletChain = (config: Config) =>
  config.state.connections.get(config.state.current!)?.chainId;

describe("NetworkPicker", () => {
  it("lists every chain by name and switches the app's chain without a wallet", () => {
    const { picker, shown } = renderPicker(wallet());
    expect([...picker.options].map((o) => [o.value, o.text])).toEqual([
      ["31337", "Local devnet (anvil)"],
      ["11155111", "Sepolia"],
    ]);
    expect(shown()).toBe("Local devnet (anvil)");
    fireEvent.change(picker, { target: { value: "11155111" } });
    expect(shown()).toBe("Sepolia");
    expect(picker.value).toBe("11155111");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("follows the wallet to a chain of the list, and asks it to switch when another is picked", async () => {
    const config = wallet();
    const { picker, shown } = renderPicker(config);
    await act(() => connect(config, { connector: config.connectors[0], chainId: 11155111 }));
    await waitFor(() => expect(shown()).toBe("Sepolia"));
    fireEvent.change(picker, { target: { value: "31337" } });
    expect(shown()).toBe("Local devnet (anvil)");
    await waitFor(() => expect(walletChain(config)).toBe(31337));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says when the wallet is on a chain the app does not list, and switches it on request", async () => {
    const config = wallet();
    const { shown } = renderPicker(config);
    await act(() => connect(config, { connector: config.connectors[0] }));
    act(() => config.connectors[0].emitter.emit("change", { chainId: 8453 }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(
      "The wallet is on chain 8453, which has no Cascade deployment in this app.",
    );
    expect(shown()).toBe("Local devnet (anvil)");
    fireEvent.click(
      screen.getByRole("button", { name: "Switch the wallet to Local devnet (anvil)" }),
    );
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
    expect(walletChain(config)).toBe(31337);
  });

  it("keeps the picked chain and says so when the wallet refuses to switch", async () => {
    const config = wallet(true);
    const { picker, shown } = renderPicker(config);
    await act(() => connect(config, { connector: config.connectors[0] }));
    fireEvent.change(picker, { target: { value: "11155111" } });
    expect(shown()).toBe("Sepolia");
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toBe(
        "The wallet is on Local devnet (anvil); this page shows Sepolia. Switch the wallet to Sepolia The wallet declined the request.",
      ),
    );
    expect(walletChain(config)).toBe(31337);
  });
});
