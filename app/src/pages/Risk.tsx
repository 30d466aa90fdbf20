import { useState } from "react";
import type { Address } from "viem";

import { dealStatusName, exactAmount, formatMetric, RiskMetric } from "../../../sdk/index.js";
import { unitsNumber, useConfig, wadNumber } from "../cascade.js";
import { COLORS, LinesChart } from "../components/Charts.js";
import { Query } from "../components/ui.js";
import { useRiskProjection } from "../queries.js";

export function RiskPage({ deal }: { deal: Address | undefined }) {
  const config = useConfig();
  const chosen = deal ?? config.deals[0]?.deal;
  const [utilization, setUtilization] = useState<number | undefined>();
  const projection = useRiskProjection(
    chosen,
    utilization === undefined ? undefined : { utilizationBps: utilization * 100 },
  );
  return (
    <section aria-labelledby="risk-title">
      <h1 id="risk-title">Risk</h1>
      <p className="muted">
        The deterministic model's projection: the SDK's model replays every distributed period (checked against the
        chain's statements) and runs the rest on one assumption — the last report again, or the utilization you set.
      </p>
      <label htmlFor="risk-deal">Deal</label>{" "}
      <select id="risk-deal" value={chosen} onChange={(e) => (window.location.hash = `#/risk/${e.target.value}`)}>
        {config.deals.map((d) => (
          <option key={d.deal} value={d.deal}>
            {d.name}
          </option>
        ))}
      </select>{" "}
      <label htmlFor="risk-utilization">Utilization of the remaining periods: {utilization ?? "last report's"} %</label>
      <input
        id="risk-utilization"
        type="range"
        min={0}
        max={100}
        value={utilization ?? 80}
        onChange={(e) => setUtilization(Number(e.target.value))}
      />
      <Query query={projection} what="the projection">
        {(p) => {
          const { decimals, symbol, facts } = p.audit;
          const notes = facts.symbols.slice(0, p.periods[0]?.statement.outstanding.length ?? 0);
          const rows = p.periods.map((x) => ({
            period: x.period + 1,
            dscr: wadNumber(x.statement.metrics.dscr),
            ...Object.fromEntries(
              x.statement.outstanding.map((o, i) => [facts.symbols[i], unitsNumber(o, decimals)]),
            ),
          }));
          return (
            <>
              <p role="status">
                {p.agreesWithChain
                  ? "The model's replay of every distributed period equals the chain's statements."
                  : "The model's replay differs from the chain's statements."}{" "}
                {p.assumption
                  ? `Projected periods report ${p.assumption.gpuHoursBilled.toLocaleString()} of ${p.assumption.gpuHoursAvailable.toLocaleString()} GPU-hours, revenue ${exactAmount(p.assumption.revenue, decimals)} ${symbol}.`
                  : "No report is final yet: nothing to project from."}
              </p>
              {rows.length > 0 && (
                <LinesChart
                  id="projection"
                  title={`Notes outstanding by period (${symbol}): distributed, then projected`}
                  rows={rows}
                  series={notes.map((sym, i) => ({ key: sym, name: sym, color: COLORS[i % COLORS.length] }))}
                />
              )}
              <div className="scroll">
                <table data-testid="projection">
                  <thead>
                    <tr>
                      <th scope="col">Period</th>
                      <th scope="col">Source</th>
                      <th scope="col">DSCR</th>
                      <th scope="col">Notes outstanding after</th>
                      <th scope="col">Status after</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.periods.map((x) => (
                      <tr key={x.period}>
                        <td>{x.period + 1}</td>
                        <td>{x.projected ? "projected" : "chain"}</td>
                        <td>{formatMetric(RiskMetric.Dscr, x.statement.metrics.dscr, facts.triggers)}</td>
                        <td>
                          {x.statement.outstanding.map((o, i) => `${facts.symbols[i]} ${exactAmount(o, decimals)}`).join(" · ")}
                        </td>
                        <td>{dealStatusName(x.status)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </Query>
    </section>
  );
}
