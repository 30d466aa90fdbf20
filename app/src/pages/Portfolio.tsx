import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { isAddress, parseUnits, type Address } from "viem";
import { useAccount } from "wagmi";

import { exactAmount, type PositionReturnType } from "../../../sdk/index.js";
import { factorText } from "../../../sdk/statementText.js";
import { dealName } from "../config.js";
import { exactMoney, failureSentence, useConfig, useReader, useWriter, when } from "../cascade.js";
import { Amount, Query, TxButton } from "../components/ui.js";
import { usePositions } from "../queries.js";

export function PortfolioPage() {
  const { address } = useAccount();
  const positions = usePositions(address);
  const writer = useWriter();
  const client = useQueryClient();
  const refresh = () => void client.invalidateQueries();
  return (
    <section aria-labelledby="portfolio-title">
      <h1 id="portfolio-title">Portfolio</h1>
      {!address ? (
        <p>Connect a wallet to see its positions.</p>
      ) : (
        <Query query={positions} what="your positions">
          {(p) => (
            <>
              {p.totals.map((t) => (
                <p key={t.stablecoin} data-testid="totals">
                  Across {p.positions.length} deal{p.positions.length === 1 ? "" : "s"}: face outstanding{" "}
                  <Amount units={t.faceOutstanding} decimals={t.decimals} symbol={t.symbol} /> · claimable{" "}
                  <Amount units={t.claimable} decimals={t.decimals} symbol={t.symbol} /> · claimed to date{" "}
                  <Amount units={t.claimed ?? 0n} decimals={t.decimals} symbol={t.symbol} />
                </p>
              ))}
              <TxButton
                writer={writer}
                label="Claim all"
                run={async (w) => {
                  const r = await w.client.claimDeals({
                    deals: p.positions.map((d) => ({ deal: d.deal })),
                  });
                  const claimed = r.claims.filter((c) => c.outcome === "claimed");
                  const refused = r.claims.filter((c) => c.outcome === "refused");
                  return (
                    `claimed ${claimed.length} tranche${claimed.length === 1 ? "" : "s"}` +
                    (refused.length ? `; refused: ${refused.map((c) => `${c.symbol}: ${c.reason}`).join("; ")}` : "")
                  );
                }}
                onDone={refresh}
              />
              {p.positions.length === 0 && <p>No positions in the factory's deals.</p>}
              {p.positions.map((d) => (
                <DealPositions key={d.deal} position={d} onDone={refresh} />
              ))}
              <Transfer positions={p.positions} onDone={refresh} />
            </>
          )}
        </Query>
      )}
    </section>
  );
}

function DealPositions({ position: d, onDone }: { position: PositionReturnType; onDone: () => void }) {
  const config = useConfig();
  const writer = useWriter();
  const amt = (u: bigint) => <Amount units={u} decimals={d.decimals} symbol={d.stablecoinSymbol} />;
  return (
    <section aria-label={`Positions in ${dealName(config, d.deal)}`} className="card">
      <h2>
        <a href={`#/deal/${d.deal}`}>{dealName(config, d.deal)}</a>
      </h2>
      {d.record && (
        <p className="muted">
          Registry record: {d.record.registered ? `identity ${d.record.identity}` : "not registered"} ·
          classes {d.record.classNames.join(", ") || "none"} · KYC until {when(d.record.kycExpiry)}
          {d.record.frozen ? " · frozen" : ""}
        </p>
      )}
      <div className="scroll">
        <table data-testid={`positions-${dealName(config, d.deal)}`}>
          <thead>
            <tr>
              <th scope="col">Tranche</th>
              <th scope="col">Balance</th>
              <th scope="col">Factor</th>
              <th scope="col">Face outstanding</th>
              <th scope="col">Claimable</th>
              <th scope="col">Claimed</th>
              <th scope="col">Eligibility and locks</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {d.tranches.map((t) => (
              <tr key={t.token} data-symbol={t.symbol}>
                <th scope="row">{t.symbol}</th>
                <td data-raw={t.balance.toString()}>{exactAmount(t.balance, d.decimals)}</td>
                <td>{factorText(t.factor)}</td>
                <td>{amt(t.faceOutstanding)}</td>
                <td data-testid="claimable" data-raw={t.claimable.toString()}>
                  {exactMoney(t.claimable, d.decimals, d.stablecoinSymbol)}
                </td>
                <td data-testid="claimed" data-raw={(t.claimed ?? 0n).toString()}>
                  {exactMoney(t.claimed ?? 0n, d.decimals, d.stablecoinSymbol)}
                </td>
                <td>
                  {t.eligibility.code === 0 ? "eligible" : t.eligibility.message}
                  {t.frozen > 0n && ` · ${exactAmount(t.frozen, d.decimals)} frozen`}
                  {t.fresh > 0n && ` · ${exactAmount(t.fresh, d.decimals)} held until ${when(t.freshReleasedAt)}`}
                  {t.voteLocked && ` · vote-locked until ${when(t.voteLockedUntil)}`}
                  {t.pendingRequest > 0n && ` · request pending ${exactAmount(t.pendingRequest, d.decimals)}`}
                  {t.claimableRequest > 0n && ` · shares to claim ${exactAmount(t.claimableRequest, d.decimals)}`}
                </td>
                <td>
                  <TxButton
                    writer={writer}
                    label={`Claim ${t.symbol}`}
                    disabled={t.claimable === 0n}
                    run={async (w) => {
                      const r = await w.client.claim({ token: t.token });
                      return `claimed ${exactMoney(r.amount, d.decimals, d.stablecoinSymbol)}`;
                    }}
                    onDone={onDone}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Transfer({ positions, onDone }: { positions: PositionReturnType[]; onDone: () => void }) {
  const config = useConfig();
  const reader = useReader();
  const writer = useWriter();
  const options = positions.flatMap((d) =>
    d.tranches
      .filter((t) => t.balance > 0n)
      .map((t) => ({ key: t.token, label: `${dealName(config, d.deal)} ${t.symbol}`, token: t.token, decimals: d.decimals })),
  );
  const [token, setToken] = useState<string>("");
  const [to, setTo] = useState("");
  const [amount, setAmount] = useState("");
  const [check, setCheck] = useState<{ ok: boolean; text: string }>();
  const chosen = options.find((o) => o.key === token) ?? options[0];
  const parsed = (): { to: Address; amount: bigint } => {
    if (!isAddress(to)) throw new Error(`"${to}" is not an address`);
    if (!/^\d+(\.\d+)?$/.test(amount.replace(/,/g, ""))) throw new Error(`"${amount}" is not an amount`);
    return { to, amount: parseUnits(amount.replace(/,/g, ""), chosen.decimals) };
  };
  if (!chosen) return null;
  return (
    <section aria-labelledby="transfer-title" className="card">
      <h2 id="transfer-title">Transfer</h2>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!writer) return;
          try {
            const p = parsed();
            const r = await reader.transferRestriction({ token: chosen.token, from: writer.address, to: p.to, amount: p.amount });
            setCheck({ ok: r.allowed, text: r.allowed ? "The token allows this transfer." : `Refused (${r.code} ${r.restriction}): ${r.message}` });
          } catch (err) {
            setCheck({ ok: false, text: await failureSentence(err, reader) });
          }
        }}
      >
        <label htmlFor="transfer-token">Tranche</label>
        <select id="transfer-token" value={chosen.key} onChange={(e) => { setToken(e.target.value); setCheck(undefined); }}>
          {options.map((o) => (
            <option key={o.key} value={o.key}>{o.label}</option>
          ))}
        </select>
        <label htmlFor="transfer-to">To</label>
        <input id="transfer-to" value={to} onChange={(e) => { setTo(e.target.value); setCheck(undefined); }} placeholder="0x…" />
        <label htmlFor="transfer-amount">Tokens</label>
        <input id="transfer-amount" value={amount} inputMode="decimal" onChange={(e) => { setAmount(e.target.value); setCheck(undefined); }} />
        <button type="submit" disabled={!writer}>Check</button>
        <TxButton
          writer={writer}
          label="Transfer"
          run={async (w) => {
            const p = parsed();
            await w.client.transfer({ token: chosen.token, to: p.to, amount: p.amount });
            return `sent ${exactAmount(p.amount, chosen.decimals)} tokens`;
          }}
          onDone={onDone}
        />
      </form>
      {check && (
        <p role={check.ok ? "status" : "alert"} className={check.ok ? "ok" : "error"} data-testid="transfer-check">
          {check.text}
        </p>
      )}
    </section>
  );
}
