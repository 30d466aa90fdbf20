import { useState } from "react";
import type { Address } from "viem";

import { dealStatusName, formatMetric, RiskMetric } from "../../../sdk/index.js";
import { money, unitsNumber, useConfig, wadNumber } from "../cascade.js";
import { COLORS, LinesChart } from "../components/Charts.js";
import { Query } from "../components/ui.js";
import { STRESS_PATHS, useRiskProjection, useStress } from "../queries.js";

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
                  ? `Projected periods report ${p.assumption.gpuHoursBilled.toLocaleString()} of ${p.assumption.gpuHoursAvailable.toLocaleString()} GPU-hours, revenue ${money(p.assumption.revenue, decimals, symbol)}.`
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
                          {x.statement.outstanding.map((o, i) => `${facts.symbols[i]} ${money(o, decimals, symbol)}`).join(" · ")}
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
      <StressPanel deal={chosen} />
    </section>
  );
}

const pct = (x: number, digits = 2) => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : "—");

/** The stress engine's Monte Carlo and break-evens of the deal's remaining periods (docs/stress.md). */
function StressPanel({ deal }: { deal: Address | undefined }) {
  const stress = useStress(deal);
  return (
    <section aria-labelledby="stress-title">
      <h2 id="stress-title">Stress and Monte Carlo</h2>
      <p className="muted">
        {STRESS_PATHS.toLocaleString()} paths of the default scenario (H100 rental prices with drift and volatility,
        utilization with tenant losses, servicer shortfalls in crypto drawdowns, sale after default with a haircut),
        seed 1, from the deal's state on chain — the same figures as <code>cascade stress</code>.
      </p>
      <Query query={stress} what="the stress run">
        {(x) =>
          x.report === undefined ? (
            <p role="status">No period is left to simulate: the deal has run its course.</p>
          ) : (
            <>
              <p role="status">
                {x.report.paths.toLocaleString()} paths × {x.report.periods} periods from period{" "}
                {x.report.firstPeriod + 1}; accelerated on {pct(x.report.accelerationProbability)} of them.
              </p>
              <div className="scroll">
                <table data-testid="stress-notes">
                  <thead>
                    <tr>
                      <th scope="col">Note</th>
                      <th scope="col">P(loss)</th>
                      <th scope="col">Expected loss</th>
                      <th scope="col">Loss given default</th>
                      <th scope="col">WAL</th>
                      <th scope="col">IRR p5 / p50 / p95</th>
                      <th scope="col">Steepest price decline survived</th>
                      <th scope="col">Deepest utilization drop survived</th>
                    </tr>
                  </thead>
                  <tbody>
                    {x.report.tranches.map((t, i) => {
                      const b = x.breakEvens[i];
                      return (
                        <tr key={t.name}>
                          <th scope="row">{t.name}</th>
                          <td>{pct(t.defaultProbability)}</td>
                          <td>
                            {pct(t.expectedLoss, 3)} ± {pct(t.expectedLossStdError, 3)}
                          </td>
                          <td>{pct(t.lossGivenDefault, 1)}</td>
                          <td>{t.wal.toFixed(2)} y</td>
                          <td>
                            {pct(t.irr.p5, 1)} / {pct(t.irr.p50, 1)} / {pct(t.irr.p95, 1)}
                          </td>
                          <td>
                            {b?.decline === undefined
                              ? "none: loses with flat prices"
                              : `${pct(b.decline, 1)} a year${b.declineCapped ? " or more" : ""}`}
                          </td>
                          <td>
                            {b?.utilizationDrop === undefined
                              ? "none"
                              : `${(b.utilizationDrop * 100).toFixed(1)} points${b.utilizationCapped ? " (all)" : ""}`}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              {x.charts.map((c) => (
                // The engine's own SVG (its text escaped): the same files `cascade stress` writes.
                <figure key={c.id} className="stress-chart" data-testid={`stress-${c.id}`}>
                  <div dangerouslySetInnerHTML={{ __html: c.svg }} />
                </figure>
              ))}
            </>
          )
        }
      </Query>
    </section>
  );
}
