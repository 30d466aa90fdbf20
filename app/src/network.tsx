/**
 * The app's chain among those of the configuration: chosen with the header's network picker, and following the
 * connected wallet when it moves to another chain of the list. Each chain has its own query cache, so nothing read
 * on one chain shows on another; a wallet on a chain the list does not have is told so and offered the switch.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useConnection, useSwitchChain } from "wagmi";

import { ConfigContext, failureSentence } from "./cascade.js";
import type { AppConfig } from "./config.js";

export interface ChainChoice {
  /** Every chain of the configuration, in its order. */
  chains: readonly AppConfig[];
  /** The chain the app shows. */
  config: AppConfig;
  /** Shows `chainId`; a connected wallet is asked to switch to it too. */
  select(chainId: number): void;
  /** The connected wallet's chain when it is not the app's. */
  walletChainId?: number;
  /** That chain's configuration when it is one of the list. */
  walletChain?: AppConfig;
  /** Asks the connected wallet to switch to the app's chain. */
  switchWallet(): void;
  switching: boolean;
  /** The wallet's refusal of the last switch, as a sentence. */
  switchFailure?: string;
}

/** The chain choice over `chains` (the first is shown until the picker or the wallet says otherwise). */
export function useChainChoice(chains: readonly AppConfig[]): ChainChoice {
  const [chainId, setChainId] = useState(chains[0].chainId);
  const { isConnected, chainId: walletChainId } = useConnection();
  const { mutate: switchChain, error, isPending, reset } = useSwitchChain();
  const [switchFailure, setSwitchFailure] = useState<string>();
  const known = (id: number | undefined) => chains.find((c) => c.chainId === id);

  // The wallet moved (or connected) to another chain of the list: show that chain.
  useEffect(() => {
    if (
      isConnected &&
      walletChainId !== undefined &&
      chains.some((c) => c.chainId === walletChainId)
    )
      setChainId(walletChainId);
  }, [isConnected, walletChainId, chains]);

  useEffect(() => {
    let live = true;
    if (error) void failureSentence(error).then((s) => live && setSwitchFailure(s));
    else setSwitchFailure(undefined);
    return () => {
      live = false;
    };
  }, [error]);

  const config = known(chainId) ?? chains[0];
  const elsewhere = isConnected && walletChainId !== undefined && walletChainId !== config.chainId;
  return {
    chains,
    config,
    select(id) {
      if (!known(id)) return;
      setChainId(id);
      reset();
      if (isConnected && walletChainId !== id) switchChain({ chainId: id });
    },
    walletChainId: elsewhere ? walletChainId : undefined,
    walletChain: elsewhere ? known(walletChainId) : undefined,
    switchWallet: () => switchChain({ chainId: config.chainId }),
    switching: isPending,
    switchFailure,
  };
}

const ChainChoiceContext = createContext<ChainChoice | undefined>(undefined);

export function useChains(): ChainChoice {
  const choice = useContext(ChainChoiceContext);
  if (choice === undefined) throw new Error("no chains: wrap the app in ChainProvider");
  return choice;
}

/**
 * Provides the chosen chain's configuration (`useConfig`), the choice itself (`useChains`) and the chosen chain's
 * query cache. Inside a `WagmiProvider` and a `QueryClientProvider` (wagmi's own queries).
 */
export function ChainProvider({
  chains,
  children,
}: {
  chains: readonly AppConfig[];
  children: ReactNode;
}) {
  const choice = useChainChoice(chains);
  const caches = useRef(new Map<number, QueryClient>());
  const id = choice.config.chainId;
  let cache = caches.current.get(id);
  if (cache === undefined) {
    cache = new QueryClient({
      defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
    });
    caches.current.set(id, cache);
  }
  return (
    <ChainChoiceContext.Provider value={choice}>
      <ConfigContext.Provider value={choice.config}>
        <QueryClientProvider client={cache}>{children}</QueryClientProvider>
      </ConfigContext.Provider>
    </ChainChoiceContext.Provider>
  );
}

/** The header's network picker, and what to do when the wallet is on another chain. */
export function NetworkPicker() {
  const c = useChains();
  return (
    <div className="network">
      <label htmlFor="network">Network</label>
      <select
        id="network"
        value={c.config.chainId}
        onChange={(e) => c.select(Number(e.target.value))}
      >
        {c.chains.map((x) => (
          <option key={x.chainId} value={x.chainId}>
            {x.chainName}
          </option>
        ))}
      </select>
      {c.walletChainId !== undefined && (
        <span className="error" role="alert">
          {c.walletChain
            ? `The wallet is on ${c.walletChain.chainName}; this page shows ${c.config.chainName}.`
            : `The wallet is on chain ${c.walletChainId}, which has no Cascade deployment in this app.`}{" "}
          <button type="button" onClick={c.switchWallet} disabled={c.switching}>
            Switch the wallet to {c.config.chainName}
          </button>
          {c.switchFailure && ` ${c.switchFailure}`}
        </span>
      )}
    </div>
  );
}
