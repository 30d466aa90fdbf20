/** Shared pieces: a query's loading and error states, a transaction button with its decoded failure, amounts. */
import type { UseQueryResult } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";

import { exactAmount } from "../../../sdk/index.js";
import { failureSentence, money, type Writer } from "../cascade.js";

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorText({ error }: { error: unknown }) {
  const [text, setText] = useState<string>();
  useEffect(() => {
    void failureSentence(error).then(setText);
  }, [error]);
  return (
    <p className="error" role="alert">
      {text ?? String((error as Error)?.message ?? error)}
    </p>
  );
}

/** Renders `children(data)` once the query has data; its loading and error states otherwise. */
export function Query<T>({
  query,
  what,
  children,
}: {
  query: UseQueryResult<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.isError) return <ErrorText error={query.error} />;
  return <>{children(query.data)}</>;
}

/** An amount in human units with the symbol; the exact base units in its title and `data-raw`. */
export function Amount({
  units,
  decimals,
  symbol,
}: {
  units: bigint;
  decimals: number;
  symbol: string;
}) {
  return (
    <span className="amount" data-raw={units.toString()} title={`${exactAmount(units, decimals)} ${symbol}`}>
      {money(units, decimals, symbol)}
    </span>
  );
}

/**
 * A button that sends a transaction with the connected wallet: disabled while it runs, then the result's sentence
 * or the failure's, decoded (`failureSentence`).
 */
export function TxButton({
  writer,
  label,
  run,
  onDone,
  disabled,
}: {
  writer: Writer | undefined;
  label: string;
  run: (w: Writer) => Promise<string>;
  onDone?: () => void;
  disabled?: boolean;
}) {
  const [state, setState] = useState<{ busy: boolean; ok?: string; error?: string }>({ busy: false });
  const click = async () => {
    if (!writer) return;
    setState({ busy: true });
    try {
      const ok = await run(writer);
      setState({ busy: false, ok });
      onDone?.();
    } catch (e) {
      setState({ busy: false, error: await failureSentence(e, writer.client) });
      onDone?.();
    }
  };
  return (
    <span className="tx">
      <button type="button" onClick={click} disabled={!writer || state.busy || disabled}>
        {state.busy ? `${label}…` : label}
      </button>
      {!writer && <span className="muted"> connect a wallet first</span>}
      {state.ok && (
        <span className="ok" role="status">
          {" "}
          {state.ok}
        </span>
      )}
      {state.error && (
        <span className="error" role="alert">
          {" "}
          {state.error}
        </span>
      )}
    </span>
  );
}
