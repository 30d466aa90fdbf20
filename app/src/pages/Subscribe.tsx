import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Address } from "viem";
import { useAccount } from "wagmi";

import type { OfferingProgress } from "../../../sdk/index.js";
import { parseAmountInput } from "../amount.js";
import { dealName } from "../config.js";
import { exactMoney, failureSentence, useConfig, useReader, useWriter, when } from "../cascade.js";
import { Amount, Query, TxButton } from "../components/ui.js";
import { useDealAudit, useOfferingProgress, usePosition } from "../queries.js";

export function SubscribePage({ deal }: { deal: Address | undefined }) {
  const config = useConfig();
  const chosen = deal ?? config.deals[config.deals.length - 1]?.deal;
  return (
    <section aria-labelledby="subscribe-title">
      <h1 id="subscribe-title">Subscribe</h1>
      <label htmlFor="subscribe-deal">Deal</label>{" "}
      <select
        id="subscribe-deal"
        value={chosen}
        onChange={(e) => (window.location.hash = `#/subscribe/${e.target.value}`)}
      >
        {config.deals.map((d) => (
          <option key={d.deal} value={d.deal}>
            {d.name}
          </option>
        ))}
      </select>
      {chosen && <Offerings deal={chosen} />}
    </section>
  );
}

function Offerings({ deal }: { deal: Address }) {
  const progress = useOfferingProgress(deal);
  const audit = useDealAudit(deal);
  const { address } = useAccount();
  const position = usePosition(deal, address);
  const config = useConfig();
  return (
    <Query query={audit} what="the deal">
      {(a) => (
        <Query query={progress} what="the offerings">
          {(p) => (
            <>
              <p>
                {dealName(config, deal)} · chain time {when(p.now)}
              </p>
              {p.offerings.map((o) => (
                <OfferingCard
                  key={o.offering}
                  offering={o}
                  decimals={a.decimals}
                  symbol={a.symbol}
                  mine={position.data?.tranches.find((t) => t.offering === o.offering)}
                />
              ))}
            </>
          )}
        </Query>
      )}
    </Query>
  );
}

function OfferingCard({
  offering: o,
  decimals,
  symbol,
  mine,
}: {
  offering: OfferingProgress;
  decimals: number;
  symbol: string;
  mine: { pendingRequest: bigint; claimableRequest: bigint; refundable: bigint; balance: bigint } | undefined;
}) {
  const writer = useWriter();
  const reader = useReader();
  const client = useQueryClient();
  const refresh = () => void client.invalidateQueries();
  const [amount, setAmount] = useState("");
  const [check, setCheck] = useState<{ ok: boolean; text: string }>();
  const id = `amount-${o.symbol}`;
  const amt = (u: bigint) => <Amount units={u} decimals={decimals} symbol={symbol} />;
  return (
    <section className="card" aria-label={`Offering ${o.symbol}`} data-testid={`offering-${o.symbol}`}>
      <h2>
        {o.symbol} · {o.phase}
      </h2>
      <p>
        Window {when(o.opensAt)} – {when(o.closesAt)} · requested {amt(o.requested)} of a cap of {amt(o.cap)} ·
        minimum raise {amt(o.minRaise)} · minimum ticket {amt(o.minTicket)}
      </p>
      {mine && (
        <p data-testid="mine">
          Yours: pending <span data-raw={mine.pendingRequest.toString()}>{exactMoney(mine.pendingRequest, decimals, symbol)}</span> ·
          shares to claim <span data-raw={mine.claimableRequest.toString()}>{exactMoney(mine.claimableRequest, decimals, symbol)}</span> ·
          refundable {exactMoney(mine.refundable, decimals, symbol)} · tokens held {exactMoney(mine.balance, decimals, symbol)}
        </p>
      )}
      {o.phase === "open" && (
        <form
          className="form"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!writer) return;
            try {
              const assets = parseAmountInput(amount, decimals, "amount");
              const r = await reader.checkSubscription({ offering: o.offering, assets, owner: writer.address });
              setCheck(r.allowed ? { ok: true, text: "The offering would take this request." } : { ok: false, text: r.error?.message ?? "refused" });
            } catch (err) {
              setCheck({ ok: false, text: await failureSentence(err, reader) });
            }
          }}
        >
          <label htmlFor={id}>Amount ({symbol})</label>
          <input id={id} value={amount} inputMode="decimal" onChange={(e) => setAmount(e.target.value)} />
          <button type="submit" disabled={!writer}>
            Check
          </button>
          <TxButton
            writer={writer}
            label={`Subscribe ${o.symbol} with a permit`}
            run={async (w) => {
              const assets = parseAmountInput(amount, decimals, "amount");
              const r = await w.client.subscribe({ offering: o.offering, assets, method: "permit" });
              return `requested ${exactMoney(r.assets, decimals, symbol)} (${r.method}); pending ${exactMoney(r.pending, decimals, symbol)}`;
            }}
            onDone={refresh}
          />
        </form>
      )}
      {check && (
        <p role={check.ok ? "status" : "alert"} className={check.ok ? "ok" : "error"}>
          {check.text}
        </p>
      )}
      {(o.phase === "closed" || o.phase === "failed") && (
        <TxButton
          writer={writer}
          label={`Claim ${o.symbol} shares and refund`}
          disabled={!mine || (mine.claimableRequest === 0n && mine.refundable === 0n)}
          run={async (w) => {
            const r = await w.client.claimShares({ offering: o.offering });
            return `received ${exactMoney(r.shares, decimals, symbol)} of tokens; refunded ${exactMoney(r.refunded, decimals, symbol)}`;
          }}
          onDone={refresh}
        />
      )}
    </section>
  );
}
