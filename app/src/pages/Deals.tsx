import type { Address } from "viem";

import { covenantTest, formatMetric, RiskMetric } from "../../../sdk/index.js";
import { dealName } from "../config.js";
import { day, useConfig } from "../cascade.js";
import { Amount, ErrorText, Loading, Query } from "../components/ui.js";
import { useDealAudit, useFactoryDeals, useOfferingProgress } from "../queries.js";

export function DealsPage() {
  const deals = useFactoryDeals();
  return (
    <section aria-labelledby="deals-title">
      <h1 id="deals-title">Deals</h1>
      <Query query={deals} what="the factory's deals">
        {(list) =>
          list.length === 0 ? (
            <p>The factory has created no deal yet.</p>
          ) : (
            <div className="scroll">
              <table data-testid="deals">
                <thead>
                  <tr>
                    <th scope="col">Deal</th>
                    <th scope="col">Status</th>
                    <th scope="col">Size</th>
                    <th scope="col">Tranches</th>
                    <th scope="col">Next period</th>
                    <th scope="col">Last DSCR</th>
                    <th scope="col">Last LTV</th>
                    <th scope="col">Covenants last period (value against threshold)</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((d) => (
                    <DealRow key={d} deal={d} />
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Query>
    </section>
  );
}

function DealRow({ deal }: { deal: Address }) {
  const config = useConfig();
  const q = useDealAudit(deal);
  const offerings = useOfferingProgress(deal);
  const name = dealName(config, deal);
  if (q.isPending || q.isError)
    return (
      <tr>
        <th scope="row">
          <a href={`#/deal/${deal}`}>{name}</a>
        </th>
        <td colSpan={7}>{q.isPending ? <Loading what="the deal" /> : <ErrorText error={q.error} />}</td>
      </tr>
    );
  const { snapshot: s, history, facts, decimals, symbol } = q.data;
  // Issued once the offerings settled; before, the tranches' face (the offerings' caps).
  const issued = s.tranches.reduce((a, t) => a + t.issued, 0n);
  const size =
    issued > 0n ? issued : offerings.data?.offerings.reduce((a, o) => a + o.cap, 0n);
  const last = history.periods[history.periods.length - 1];
  const next = s.nextPeriod < s.periodCount ? s.start + (s.nextPeriod + 1n) * BigInt(s.periodLength) : undefined;
  return (
    <tr>
      <th scope="row">
        <a href={`#/deal/${deal}`}>{name}</a>
      </th>
      <td>{s.statusName}</td>
      <td>
        {size === undefined ? "…" : <Amount units={size} decimals={decimals} symbol={symbol} />}
        {issued === 0n && " offered"}
      </td>
      <td>{s.tranches.map((t) => t.symbol).join(" · ")}</td>
      <td>{next === undefined ? "—" : `${Number(s.nextPeriod) + 1} ends ${day(next)}`}</td>
      <td>{last ? formatMetric(RiskMetric.Dscr, last.metrics.dscr, facts.triggers) : "—"}</td>
      <td>{last ? formatMetric(RiskMetric.Ltv, last.metrics.ltv, facts.triggers) : "—"}</td>
      <td>
        {last ? (
          <ul className="plain">
            {last.triggers.map((t) => (
              <li key={t.index} className={t.breached ? "error" : undefined}>
                {formatMetric(t.terms.metric, t.value, facts.triggers)} vs {covenantTest(t.terms)}
                {t.active ? " (active)" : t.breached ? " (breached)" : ""}
              </li>
            ))}
          </ul>
        ) : (
          "—"
        )}
      </td>
    </tr>
  );
}
