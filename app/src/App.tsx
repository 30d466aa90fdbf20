import { useEffect, useState } from "react";
import { useAccount, useConnect, useDisconnect } from "wagmi";

import { short, useConfig } from "./cascade.js";
import { NetworkPicker } from "./network.js";
import { DealPage } from "./pages/Deal.js";
import { DealsPage } from "./pages/Deals.js";
import { IssuePage } from "./pages/Issue.js";
import { PortfolioPage } from "./pages/Portfolio.js";
import { RiskPage } from "./pages/Risk.js";
import { SubscribePage } from "./pages/Subscribe.js";

/** The route: `#/deals`, `#/deal/<address>`, `#/portfolio`, `#/subscribe/<address>`, `#/issue`, `#/risk/<address>`. */
export function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

function Wallet() {
  const { address, connector } = useAccount();
  const { connectors, connect, error, isPending } = useConnect();
  const { disconnect } = useDisconnect();
  const [choice, setChoice] = useState("");
  if (address)
    return (
      <div className="wallet">
        <span data-testid="connected" title={address}>
          {connector?.name ?? "wallet"} · {short(address)}
        </span>
        <button type="button" onClick={() => disconnect()}>
          Disconnect
        </button>
      </div>
    );
  return (
    <form
      className="wallet"
      onSubmit={(e) => {
        e.preventDefault();
        const c = connectors.find((x) => x.uid === choice) ?? connectors[0];
        if (c) connect({ connector: c });
      }}
    >
      <label htmlFor="connector">Wallet</label>
      <select id="connector" value={choice} onChange={(e) => setChoice(e.target.value)}>
        {connectors.map((c) => (
          <option key={c.uid} value={c.uid}>
            {c.name}
          </option>
        ))}
      </select>
      <button type="submit" disabled={isPending}>
        Connect
      </button>
      {error && (
        <span className="error" role="alert">
          {error.message.split("\n")[0]}
        </span>
      )}
    </form>
  );
}

export function App() {
  const config = useConfig();
  const route = useRoute();
  const [page, arg] = route;
  const links: [string, string][] = [
    ["#/deals", "Deals"],
    ["#/portfolio", "Portfolio"],
    ["#/subscribe", "Subscribe"],
    ["#/issue", "Issue"],
    ["#/risk", "Risk"],
  ];
  const current = `#/${page ?? "deals"}`;
  return (
    <>
      <header className="top">
        <a className="brand" href="#/deals">
          Cascade
        </a>
        <nav aria-label="Pages">
          {links.map(([href, label]) => (
            <a key={href} href={href} aria-current={current === href ? "page" : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <NetworkPicker />
        <Wallet />
      </header>
      <main className="page" key={config.chainId}>
        {page === "deal" && arg ? (
          <DealPage deal={arg as `0x${string}`} />
        ) : page === "portfolio" ? (
          <PortfolioPage />
        ) : page === "subscribe" ? (
          <SubscribePage deal={arg as `0x${string}` | undefined} />
        ) : page === "issue" ? (
          <IssuePage />
        ) : page === "risk" ? (
          <RiskPage deal={arg as `0x${string}` | undefined} />
        ) : (
          <DealsPage />
        )}
      </main>
    </>
  );
}
