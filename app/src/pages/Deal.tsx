import { useMemo, useState } from "react";
import type { Address } from "viem";

import {
  bpsText,
  dealStatusName,
  describeCovenant,
  exactAmount,
  formatRate,
  historyTotals,
  ReportState,
  statusReason,
  type DealAuditReturnType,
} from "../../../sdk/index.js";
import {
  durationText,
  factorText,
  historyCsv,
  historyJson,
  StatementText,
} from "../../../sdk/statementText.js";
import { dealName } from "../config.js";
import { day, short, useConfig, when } from "../cascade.js";
import { DealCharts, WaterfallChart } from "../components/Charts.js";
import { Amount, Query } from "../components/ui.js";
import { useDealAudit, useOfferingProgress, useReportHistory } from "../queries.js";

function download(name: string, type: string, body: string) {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

const bigintJson = (v: unknown) =>
  JSON.stringify(v, (_, x: unknown) => (typeof x === "bigint" ? x.toString() : x), 2);

export function DealPage({ deal }: { deal: Address }) {
  const query = useDealAudit(deal);
  return (
    <Query query={query} what="the deal">
      {(audit) => <DealView audit={audit} />}
    </Query>
  );
}

function DealView({ audit }: { audit: DealAuditReturnType }) {
  const config = useConfig();
  const { snapshot: s, history, facts, decimals, symbol } = audit;
  const names = useMemo(
    () => new Map(config.deals.map((d) => [d.deal.toLowerCase(), d.name])),
    [config],
  );
  const text = useMemo(() => new StatementText(facts, decimals, names), [facts, decimals, names]);
  const reason = statusReason(s.status, audit.risk.activeMask, history, facts);
  const name = dealName(config, s.deal);
  const amt = (u: bigint) => <Amount units={u} decimals={decimals} symbol={symbol} />;
  const [selected, setSelected] = useState(history.periods.length);
  const period = history.periods[selected - 1];
  const last = audit.records[audit.records.length - 1];
  const exportHead = {
    name,
    deal: s.deal,
    stablecoin: s.stablecoin,
    status: s.statusName,
    why: text.reason(reason),
    blockNumber: audit.blockNumber,
  };
  const totals = history.periods.length > 0 ? historyTotals(history.periods) : undefined;
  const reportHistory = useReportHistory(s.deal);
  const rounds = new Map((reportHistory.data ?? []).map((p) => [p.period, p]));
  const signedBy = (period: bigint, round: number) => {
    if (reportHistory.isPending) return "…";
    if (reportHistory.isError) return "unavailable";
    const signers = rounds.get(period)?.rounds.find((x) => x.round === round)?.signers;
    return signers === undefined ? "—" : signers.map(short).join(", ");
  };
  const disputes = (period: bigint) =>
    (rounds.get(period)?.rounds ?? [])
      .filter((x) => x.disputed !== undefined)
      .map((x) => `round ${x.round} by ${short(x.disputed!.by)}`)
      .join("; ") || "none";

  return (
    <article aria-labelledby="deal-title">
      <h1 id="deal-title">{name}</h1>
      <p>
        <strong data-testid="deal-status">{s.statusName}</strong> · {history.periods.length} of{" "}
        {facts.periodCount} periods distributed · {text.reason(reason)}
      </p>
      <p className="links">
        <a href={`#/risk/${s.deal}`}>Risk projection</a>
        <a href={`#/subscribe/${s.deal}`}>Subscribe</a>
        {s.site && s.site.site !== "0x0000000000000000000000000000000000000000" && (
          <a href={`#/deal/${s.site.site}`}>Its site: {dealName(config, s.site.site)}</a>
        )}
        {s.tenants.map((t) => (
          <a key={t} href={`#/deal/${t}`}>
            Tenant: {dealName(config, t)}
          </a>
        ))}
      </p>

      <section aria-labelledby="terms">
        <h2 id="terms">Term sheet</h2>
        <dl className="grid">
          <dt>Deal</dt>
          <dd className="mono">{s.deal}</dd>
          <dt>Stablecoin</dt>
          <dd>
            {symbol} ({decimals} decimals) <span className="mono">{s.stablecoin}</span>
          </dd>
          <dt>Start</dt>
          <dd>{when(s.start)}</dd>
          <dt>Periods</dt>
          <dd>
            {String(s.periodCount)} × {durationText(BigInt(s.periodLength))} · final maturity{" "}
            {day(s.finalMaturity)}
          </dd>
          <dt>Pledged share of revenue</dt>
          <dd>{bpsText(Number(s.pledgedShareBps))}</dd>
          <dt>Servicer fee</dt>
          <dd>{bpsText(Number(s.servicerFeeBps))} of the period's cash</dd>
          <dt>Trustee fee</dt>
          <dd>{amt(s.trusteeFeePerPeriod)} a period</dd>
          <dt>Keeper bounty</dt>
          <dd>{amt(s.keeperBounty)}</dd>
          <dt>Oracle</dt>
          <dd>
            {s.oracleTerms.threshold} of {s.oracleTerms.reporters.length} reporters · dispute window{" "}
            {durationText(BigInt(s.oracleTerms.disputeWindow))} · reports due{" "}
            {durationText(BigInt(s.oracleTerms.reportDeadline))} after a period ends
          </dd>
          <dt>Covenants</dt>
          <dd>
            <ul>
              {facts.triggers.map((t, i) => (
                <li key={i}>{describeCovenant(t)}</li>
              ))}
            </ul>
          </dd>
        </dl>
      </section>

      <section aria-labelledby="tranches">
        <h2 id="tranches">Tranches</h2>
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Tranche</th>
                <th scope="col">Supply</th>
                <th scope="col">Factor</th>
                <th scope="col">Outstanding</th>
                <th scope="col">Coupon last period</th>
                <th scope="col">Arrears</th>
                <th scope="col">Written down</th>
              </tr>
            </thead>
            <tbody>
              {s.tranches.map((t) => (
                <tr key={t.index}>
                  <th scope="row">
                    {t.symbol} <span className="muted">{t.name}</span>
                  </th>
                  <td>{exactAmount(t.supply, decimals)}</td>
                  <td>{factorText(t.factor)}</td>
                  <td>{amt(t.outstanding)}</td>
                  <td>
                    {last && t.index < last.rates.length ? formatRate(last.rates[t.index]) : "—"}
                  </td>
                  <td>{amt(t.arrears)}</td>
                  <td>{amt(t.writtenDown)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <dl className="grid">
          <dt>Reserve</dt>
          <dd>
            {amt(s.reserve.balance)} of a target of {amt(s.reserve.target)}
          </dd>
          <dt>Collections held</dt>
          <dd>{amt(s.collections)}</dd>
          <dt>Fees owed (credited, not withdrawn)</dt>
          <dd>
            trustee {amt(s.feesOwed.trustee)} · servicer {amt(s.feesOwed.servicer)}
          </dd>
          <dt>Fee arrears</dt>
          <dd>
            trustee {amt(s.feeArrears.trustee)} · servicer {amt(s.feeArrears.servicer)}
          </dd>
        </dl>
      </section>

      <Offerings deal={s.deal} decimals={decimals} symbol={symbol} />

      {history.periods.length > 0 && (
        <>
          <section aria-labelledby="charts">
            <h2 id="charts">Over time</h2>
            <DealCharts history={history} facts={facts} decimals={decimals} symbol={symbol} />
          </section>

          <section aria-labelledby="statements">
            <h2 id="statements">Period statements</h2>
            <p className="export">
              <button
                type="button"
                onClick={() =>
                  download(`${name}-history.csv`, "text/csv", historyCsv(text, history.periods))
                }
              >
                Export CSV
              </button>
              <button
                type="button"
                onClick={() =>
                  download(
                    `${name}-history.json`,
                    "application/json",
                    bigintJson(historyJson(text, history, history.periods, totals, exportHead)),
                  )
                }
              >
                Export JSON
              </button>
            </p>
            <label htmlFor="period">Period</label>{" "}
            <select
              id="period"
              value={selected}
              onChange={(e) => setSelected(Number(e.target.value))}
            >
              {history.periods.map((p) => (
                <option key={p.number} value={p.number}>
                  {p.number} · ended {day(p.endsAt)}
                </option>
              ))}
            </select>
            {period && (
              <>
                <div className="scroll">
                  <table data-testid="statement" data-period={period.number}>
                    <caption>
                      Period {period.number}, ended {when(period.endsAt)} ({symbol})
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">#</th>
                        <th scope="col">Step</th>
                        <th scope="col">Due</th>
                        <th scope="col">Paid</th>
                        <th scope="col">Unpaid</th>
                        <th scope="col">Cash left</th>
                        <th scope="col">Reserve</th>
                      </tr>
                    </thead>
                    <tbody>
                      {period.rows.map((r) => (
                        <tr key={r.order} data-kind={r.kind}>
                          <td>{r.order}</td>
                          <th scope="row">{text.label(period, r).trim()}</th>
                          {([r.due, r.paid, r.unpaid, r.cashLeft, r.reserve] as const).map(
                            (v, i) => (
                              <td key={i} className="num" data-raw={v === undefined ? "" : v.toString()}>
                                {v === undefined ? "" : exactAmount(v, decimals)}
                              </td>
                            ),
                          )}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <WaterfallChart period={period} text={text} />
              </>
            )}
          </section>

          <section aria-labelledby="events">
            <h2 id="events">Trigger events and status changes</h2>
            <ul data-testid="events">
              {history.periods.flatMap((p) => [
                ...p.fired.map((e) => (
                  <li key={`f${p.number}-${e.index}`}>Period {p.number}: {text.event(e, "fired").trim()}</li>
                )),
                ...p.cured.map((e) => (
                  <li key={`c${p.number}-${e.index}`}>Period {p.number}: {text.event(e, "cured").trim()}</li>
                )),
                ...(p.statusBefore !== p.statusAfter
                  ? [
                      <li key={`s${p.number}`}>
                        Period {p.number}: status {dealStatusName(p.statusBefore)} →{" "}
                        {dealStatusName(p.statusAfter)}
                      </li>,
                    ]
                  : []),
              ])}
            </ul>
          </section>
        </>
      )}

      <section aria-labelledby="reports">
        <h2 id="reports">Reports</h2>
        <div className="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">State</th>
                <th scope="col">Round (disputes)</th>
                <th scope="col">Proposed</th>
                <th scope="col">Final from</th>
                <th scope="col">Billed / available</th>
                <th scope="col">Revenue</th>
                <th scope="col">Signed by</th>
                <th scope="col">Disputes</th>
              </tr>
            </thead>
            <tbody>
              {s.reports
                .filter((r) => r.state !== 0)
                .map((r) => (
                  <tr key={String(r.period)}>
                    <td>{Number(r.period) + 1}</td>
                    <td>{r.stateName}</td>
                    <td>{r.round}</td>
                    <td>{r.proposedAt === 0n ? "—" : when(r.proposedAt)}</td>
                    <td>{r.finalAt === undefined ? "—" : when(r.finalAt)}</td>
                    <td>
                      {r.gpuHoursBilled.toLocaleString()} / {r.gpuHoursAvailable.toLocaleString()}
                    </td>
                    <td>{amt(r.revenue)}</td>
                    <td data-testid={`signers-${r.period}`}>
                      {r.state === ReportState.Unreported ? "—" : signedBy(r.period, r.round)}
                    </td>
                    <td>{disputes(r.period)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
        <p className="muted">
          {s.oracleTerms.threshold} of the deal's {s.oracleTerms.reporters.length} reporters sign each report:{" "}
          {s.oracleTerms.reporters.join(", ")}
        </p>
      </section>
    </article>
  );
}

function Offerings({ deal, decimals, symbol }: { deal: Address; decimals: number; symbol: string }) {
  const q = useOfferingProgress(deal);
  return (
    <section aria-labelledby="offering">
      <h2 id="offering">Offerings</h2>
      <Query query={q} what="the offerings">
        {(p) => (
          <div className="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Tranche</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Window</th>
                  <th scope="col">Requested</th>
                  <th scope="col">Minimum raise</th>
                  <th scope="col">Cap</th>
                  <th scope="col">Accepted</th>
                </tr>
              </thead>
              <tbody>
                {p.offerings.map((o) => (
                  <tr key={o.offering}>
                    <th scope="row">{o.symbol}</th>
                    <td>{o.phase}</td>
                    <td>
                      {when(o.opensAt)} – {when(o.closesAt)}
                    </td>
                    <td>
                      <Amount units={o.requested} decimals={decimals} symbol={symbol} />
                      {o.cap > 0n && (
                        <progress max={Number(o.cap)} value={Number(o.requested > o.cap ? o.cap : o.requested)} aria-label={`${o.symbol} requested of cap`} />
                      )}
                    </td>
                    <td><Amount units={o.minRaise} decimals={decimals} symbol={symbol} /></td>
                    <td><Amount units={o.cap} decimals={decimals} symbol={symbol} /></td>
                    <td><Amount units={o.accepted} decimals={decimals} symbol={symbol} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Query>
    </section>
  );
}
