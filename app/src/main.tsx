import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { WagmiProvider } from "wagmi";

import { App } from "./App.js";
import { ConfigContext } from "./cascade.js";
import { wagmiConfig } from "./chain.js";
import { loadConfig } from "./config.js";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);
try {
  const config = await loadConfig();
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
  });
  root.render(
    <StrictMode>
      <ConfigContext.Provider value={config}>
        <WagmiProvider config={wagmiConfig(config)}>
          <QueryClientProvider client={queryClient}>
            <App />
          </QueryClientProvider>
        </WagmiProvider>
      </ConfigContext.Provider>
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
