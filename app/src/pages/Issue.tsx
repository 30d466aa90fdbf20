import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { Address } from "viem";

import { parseTermSheet, TermSheetError, type TermSheet, type TermSheetIssue } from "../../../sdk/index.js";
import { parseAmountInput } from "../amount.js";
import { exactMoney, useConfig, useReader, useWriter } from "../cascade.js";
import { TxButton } from "../components/ui.js";

/** The term sheet's `$name` placeholders this chain fills: the stablecoin, the registry and the dev accounts' roles. */
function useAddresses(): Record<string, Address> {
  const config = useConfig();
  const out: Record<string, Address> = { stablecoin: config.stablecoin };
  if (config.registry) out.registry = config.registry;
  for (const a of config.devAccounts ?? []) out[a.role] = a.address;
  return out;
}

export function IssuePage() {
  const config = useConfig();
  const reader = useReader();
  const writer = useWriter();
  const addresses = useAddresses();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const [result, setResult] = useState<{ terms?: TermSheet; issues?: readonly TermSheetIssue[]; error?: string }>();

  const validate = async (): Promise<TermSheet> => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      const error = `The term sheet is not JSON: ${(e as Error).message}`;
      setResult({ error });
      throw new Error(error);
    }
    const now = (await reader.getBlock()).timestamp;
    try {
      const { terms } = parseTermSheet(json, { now, addresses });
      setResult({ terms });
      return terms;
    } catch (e) {
      if (e instanceof TermSheetError) setResult({ issues: e.issues });
      else setResult({ error: (e as Error).message });
      throw e;
    }
  };

  return (
    <section aria-labelledby="issue-title">
      <h1 id="issue-title">Issue</h1>
      <section className="card" aria-labelledby="sheet-title">
        <h2 id="sheet-title">Term sheet</h2>
        <p className="muted">
          Paste or upload a term sheet (the JSON format of examples/h100-fleet.json). Placeholders this chain fills:{" "}
          {Object.keys(addresses).map((k) => `$${k}`).join(", ")}.
        </p>
        <label htmlFor="sheet-file">Upload</label>{" "}
        <input
          id="sheet-file"
          type="file"
          accept="application/json,.json"
          onChange={async (e) => {
            const f = e.target.files?.[0];
            if (f) setText(await f.text());
          }}
        />
        <label htmlFor="sheet-text" className="block">
          Term sheet JSON
        </label>
        <textarea id="sheet-text" rows={12} value={text} onChange={(e) => setText(e.target.value)} />
        <p>
          <button type="button" onClick={() => void validate().catch(() => {})}>
            Validate
          </button>{" "}
          <TxButton
            writer={writer}
            label="Create the deal"
            run={async (w) => {
              const terms = await validate();
              const r = await w.client.createDeal({ factory: config.factory, terms });
              return `created deal ${r.deal}`;
            }}
            onDone={() => void client.invalidateQueries()}
          />
        </p>
        {result?.terms && (
          <p className="ok" role="status">
            The term sheet is valid: {result.terms.tranches.length} tranches, {result.terms.periodCount} periods.
          </p>
        )}
        {result?.error && (
          <p className="error" role="alert">
            {result.error}
          </p>
        )}
        {result?.issues && (
          <div role="alert">
            <p className="error">{result.issues.length} problems:</p>
            <ul data-testid="issues">
              {result.issues.map((i, n) => (
                <li key={n}>
                  <code>{i.path || "(term sheet)"}</code>: {i.message}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>
      <Servicing />
    </section>
  );
}

function Servicing() {
  const config = useConfig();
  const reader = useReader();
  const writer = useWriter();
  const client = useQueryClient();
  const [deal, setDeal] = useState<Address | undefined>(config.deals[0]?.deal);
  const [amount, setAmount] = useState("");
  return (
    <section className="card" aria-labelledby="servicing-title">
      <h2 id="servicing-title">Collections and offerings</h2>
      <label htmlFor="servicing-deal">Deal</label>{" "}
      <select id="servicing-deal" value={deal} onChange={(e) => setDeal(e.target.value as Address)}>
        {config.deals.map((d) => (
          <option key={d.deal} value={d.deal}>
            {d.name}
          </option>
        ))}
      </select>
      <div className="form">
        <label htmlFor="collections">Collections to deposit</label>
        <input id="collections" value={amount} inputMode="decimal" onChange={(e) => setAmount(e.target.value)} />
        <TxButton
          writer={writer}
          label="Deposit collections"
          run={async (w) => {
            const { decimals, symbol } = await reader.dealAudit({ deal: deal! });
            const units = parseAmountInput(amount, decimals, "collections");
            await w.client.depositCollections({ deal: deal!, amount: units });
            return `deposited ${exactMoney(units, decimals, symbol)}`;
          }}
          onDone={() => void client.invalidateQueries()}
        />
      </div>
      <TxButton
        writer={writer}
        label="Close the offerings"
        run={async (w) => {
          const { snapshot: s, decimals, symbol } = await reader.dealAudit({ deal: deal! });
          const out: string[] = [];
          for (const t of s.tranches) {
            const r = await w.client.closeOffering({ offering: t.offering });
            out.push(`${t.symbol}: accepted ${exactMoney(r.accepted, decimals, symbol)}`);
          }
          return `closed: ${out.join(", ")}`;
        }}
        onDone={() => void client.invalidateQueries()}
      />
    </section>
  );
}
