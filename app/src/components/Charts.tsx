/**
 * The deal's charts (recharts), every point from the SDK's statements: utilization, DSCR and trailing DSCR against
 * their trigger thresholds, LTV and senior curve, collateral value against the notes outstanding, cash to each
 * tranche, and a period's waterfall by step.
 */
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import {
  RiskMetric,
  thresholdsOf,
  type DealHistory,
  type PeriodView,
  type StatementFacts,
} from "../../../sdk/index.js";
import type { StatementText } from "../../../sdk/statementText.js";
import { unitsNumber, wadNumber } from "../cascade.js";

export const COLORS = ["#1f5fa8", "#b3541e", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457", "#5d4037", "#455a64"];

/** A chart in a captioned figure; `points` (its data points) is on the figure for tests. */
export function Chart({
  id,
  title,
  children,
  points,
  height = 240,
}: {
  id: string;
  title: string;
  children: React.ReactElement;
  points: number;
  height?: number;
}) {
  return (
    <figure className="chart" data-testid={`chart-${id}`} data-points={points} aria-label={title}>
      <figcaption>{title}</figcaption>
      <div className="chart-box" style={{ height }}>
        <ResponsiveContainer width="100%" height={height}>
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** A line per series over the periods, in a captioned figure; `children`: reference lines (trigger thresholds). */
export function LinesChart({
  id,
  title,
  rows,
  series,
  unit,
  domain,
  children,
}: {
  id: string;
  title: string;
  rows: readonly Record<string, number | string | null>[];
  series: readonly { key: string; name: string; color: string }[];
  unit?: string;
  domain?: [number | "auto", number | "auto"];
  children?: React.ReactNode;
}) {
  return (
    <Chart id={id} title={title} points={rows.length}>
      <LineChart data={rows as Record<string, number | string | null>[]}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="period" />
        <YAxis unit={unit} domain={domain} />
        <Tooltip />
        <Legend />
        {series.map((x) => (
          <Line key={x.key} type="monotone" dataKey={x.key} name={x.name} stroke={x.color} isAnimationActive={false} />
        ))}
        {children}
      </LineChart>
    </Chart>
  );
}

const pct = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 100);

function thresholdLines(metric: number, facts: StatementFacts, scale: (v: number) => number) {
  return thresholdsOf(metric, facts.triggers).map((t, i) => {
    const v = wadNumber(t);
    return v === null ? null : (
      <ReferenceLine
        key={`${metric}-${i}`}
        y={scale(v)}
        stroke="#c62828"
        strokeDasharray="4 3"
        label={{ value: `trigger ${scale(v)}`, position: "insideTopRight", fontSize: 11 }}
      />
    );
  });
}

export function DealCharts({ history, facts, decimals, symbol }: {
  history: DealHistory;
  facts: StatementFacts;
  decimals: number;
  symbol: string;
}) {
  const rows = history.periods.map((p) => {
    const m = p.metrics;
    const notes = p.record.statement.outstanding;
    const row: Record<string, number | null | string> = {
      period: p.number,
      utilization: pct(wadNumber(m.utilization)),
      dscr: wadNumber(m.dscr),
      trailingDscr: wadNumber(m.trailingDscr),
      ltv: pct(wadNumber(m.ltv)),
      seniorCurve: pct(wadNumber(m.seniorCurve)),
      collateral: unitsNumber(m.collateralValue, decimals),
      notes: unitsNumber(m.notesOutstanding, decimals),
      senior: unitsNumber(notes[0] ?? 0n, decimals),
    };
    facts.symbols.forEach((sym, i) => {
      const s = p.record.statement;
      const cash =
        i < s.interestPaid.length
          ? (s.interestPaid[i] ?? 0n) + (s.principalPaid[i] ?? 0n)
          : i === s.interestPaid.length
            ? s.residualPaid
            : 0n;
      row[sym] = unitsNumber(cash, decimals);
    });
    return row;
  });
  return (
    <div className="charts">
      <LinesChart
        id="utilization"
        title="Utilization by period (%), against its triggers"
        rows={rows}
        series={[{ key: "utilization", name: "utilization %", color: COLORS[0] }]}
        unit="%"
        domain={[0, 100]}
      >
        {thresholdLines(RiskMetric.Utilization, facts, (v) => Math.round(v * 10_000) / 100)}
      </LinesChart>
      <LinesChart
        id="dscr"
        title="DSCR and trailing DSCR (×), against their triggers"
        rows={rows}
        series={[
          { key: "dscr", name: "DSCR", color: COLORS[0] },
          { key: "trailingDscr", name: "trailing DSCR", color: COLORS[1] },
        ]}
        domain={[0, "auto"]}
      >
        {thresholdLines(RiskMetric.Dscr, facts, (v) => v)}
        {thresholdLines(RiskMetric.TrailingDscr, facts, (v) => v)}
      </LinesChart>
      <LinesChart
        id="collateral"
        title={`Collateral value against notes and senior outstanding (${symbol})`}
        rows={rows}
        series={[
          { key: "collateral", name: "collateral value", color: COLORS[2] },
          { key: "notes", name: "notes outstanding", color: COLORS[1] },
          { key: "senior", name: "senior outstanding", color: COLORS[0] },
        ]}
      />
      <LinesChart
        id="ltv"
        title="LTV and senior curve (%), against their triggers"
        rows={rows}
        series={[
          { key: "ltv", name: "LTV %", color: COLORS[3] },
          { key: "seniorCurve", name: "senior curve %", color: COLORS[4] },
        ]}
        unit="%"
      >
        {thresholdLines(RiskMetric.Ltv, facts, (v) => Math.round(v * 10_000) / 100)}
        {thresholdLines(RiskMetric.SeniorCurve, facts, (v) => Math.round(v * 10_000) / 100)}
      </LinesChart>
      <Chart id="cash" title={`Cash to each tranche by period (${symbol})`} points={rows.length}>
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="period" />
          <YAxis />
          <Tooltip />
          <Legend />
          {facts.symbols.map((sym, i) => (
            <Bar key={sym} dataKey={sym} stackId="cash" fill={COLORS[i % COLORS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </Chart>
    </div>
  );
}

/** One period's waterfall: what each step brought in or paid, in the order the contract ran them. */
export function WaterfallChart({ period, text }: { period: PeriodView; text: StatementText }) {
  const rows = period.rows.map((r) => ({
    step: text.label(period, r).trim(),
    in: r.direction === "in" ? unitsNumber(r.paid, text.decimals) : 0,
    out: r.direction === "out" ? unitsNumber(r.paid, text.decimals) : 0,
  }));
  return (
    <Chart
      id="waterfall"
      title={`Waterfall of period ${period.number} by step`}
      points={rows.length}
      height={80 + rows.length * 30}
    >
      <BarChart data={rows} layout="vertical" margin={{ left: 8, right: 16 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis type="number" />
        <YAxis type="category" dataKey="step" width={200} interval={0} tick={{ fontSize: 11 }} />
        <Tooltip />
        <Legend />
        <Bar dataKey="in" name="cash in" stackId="step" fill={COLORS[2]} isAnimationActive={false} />
        <Bar dataKey="out" name="paid" stackId="step" fill={COLORS[0]} isAnimationActive={false} />
      </BarChart>
    </Chart>
  );
}
