import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { WagmiProvider } from "wagmi";

import { App } from "./App.js";
import { wagmiConfig } from "./chain.js";
import { loadConfig } from "./config.js";
import { ChainProvider } from "./network.js";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
try {
  const chains = await loadConfig();
  const walletQueries = new QueryClient({
    defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
  });
  root.render(
    <StrictMode>
      <WagmiProvider config={wagmiConfig(chains)}>
        <QueryClientProvider client={walletQueries}>
          <ChainProvider chains={chains}>
            <App />
          </ChainProvider>
        </QueryClientProvider>
      </WagmiProvider>
    </StrictMode>,
  );
} catch (e) {
  root.render(
    <main className="page">
      <h1>Cascade</h1>
      <p role="alert">The app has no chain configuration: {String((e as Error).message)}</p>
    </main>,
  );
}
