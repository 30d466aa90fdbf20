/**
 * The stress report's charts as SVG text (no browser, no canvas): each note's loss distribution, the fan of the
 * collateral's value against the senior note's outstanding principal over the deal's life (the depreciation curve the
 * notes are sized against), and when each trigger first fires. Pure: strings only.
 */
import type { StressReport } from "./engine.js";

const W = 720;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function svg(width: number, height: number, body: string, title: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n` +
    `<title>${esc(title)}</title>\n<rect width="100%" height="100%" fill="#ffffff"/>\n` +
    `<text x="12" y="22" ${FONT} font-size="15" font-weight="bold">${esc(title)}</text>\n${body}</svg>\n`
  );
}

function money(x: number, unit: number): string {
  const usd = x / unit;
  // Three significant digits at most, trailing zeros dropped: $7.5k, $18.3M, $250.
  const short = (v: number) => String(Number(v.toPrecision(3)));
  if (Math.abs(usd) >= 1e6) return `$${short(usd / 1e6)}M`;
  if (Math.abs(usd) >= 1e3) return `$${short(usd / 1e3)}k`;
  return `$${short(usd)}`;
}

/** Each note's loss distribution: share of paths by loss (5 % bins of its principal), the no-loss share stated. */
export function lossDistributionSvg(r: StressReport): string {
  const rows = r.tranches.length;
  const h = 40 + rows * 150;
  let body = "";
  r.tranches.forEach((t, i) => {
    const top = 40 + i * 150;
    const left = 60;
    const plotW = W - left - 20;
    const plotH = 100;
    const max = Math.max(1, ...t.lossHistogram);
    body += `<text x="${left}" y="${top + 12}" ${FONT} font-size="12">${esc(t.name)}: P(loss) ${(t.defaultProbability * 100).toFixed(2)} %, expected loss ${(t.expectedLoss * 100).toFixed(3)} % of principal, no loss on ${t.none} of ${r.paths} paths</text>\n`;
    const bw = plotW / 20;
    t.lossHistogram.forEach((c, b) => {
      const bh = (c / max) * plotH;
      body += `<rect x="${(left + b * bw + 1).toFixed(1)}" y="${(top + 20 + plotH - bh).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="#c0392b"><title>${b * 5}–${b * 5 + 5} %: ${c} paths</title></rect>\n`;
    });
    body += `<line x1="${left}" y1="${top + 20 + plotH}" x2="${left + plotW}" y2="${top + 20 + plotH}" stroke="#333"/>\n`;
    for (let b = 0; b <= 20; b += 4)
      body += `<text x="${(left + b * bw).toFixed(1)}" y="${top + 20 + plotH + 14}" ${FONT} font-size="10" text-anchor="middle">${b * 5} %</text>\n`;
    body += `<text x="${left - 6}" y="${top + 26}" ${FONT} font-size="10" text-anchor="end">${max}</text>\n`;
  });
  return svg(W, h, body, `${r.deal}: loss distribution per note (${r.paths} paths)`);
}

/** The fan of collateral value (5–95 % and 25–75 % bands, median) against the senior note's outstanding principal. */
export function fanChartSvg(r: StressReport): string {
  const H = 400;
  const left = 70;
  const top = 40;
  const plotW = W - left - 20;
  const plotH = H - top - 80;
  const T = r.periods;
  const max = Math.max(1, ...r.fan.collateral.map((p) => p.p95), ...r.fan.senior.map((p) => p.p95));
  const x = (t: number) => left + (T <= 1 ? 0 : (t / (T - 1)) * plotW);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const band = (lo: (t: number) => number, hi: (t: number) => number) => {
    const pts: string[] = [];
    for (let t = 0; t < T; t++) pts.push(`${x(t).toFixed(1)},${y(hi(t)).toFixed(1)}`);
    for (let t = T - 1; t >= 0; t--) pts.push(`${x(t).toFixed(1)},${y(lo(t)).toFixed(1)}`);
    return pts.join(" ");
  };
  const line = (f: (t: number) => number) =>
    Array.from({ length: T }, (_, t) => `${x(t).toFixed(1)},${y(f(t)).toFixed(1)}`).join(" ");
  const c = r.fan.collateral;
  const s = r.fan.senior;
  let body = "";
  body += `<polygon points="${band(
    (t) => c[t].p5,
    (t) => c[t].p95,
  )}" fill="#2e86c1" fill-opacity="0.18"/>\n`;
  body += `<polygon points="${band(
    (t) => c[t].p25,
    (t) => c[t].p75,
  )}" fill="#2e86c1" fill-opacity="0.35"/>\n`;
  body += `<polyline points="${line((t) => c[t].p50)}" fill="none" stroke="#1b4f72" stroke-width="2"/>\n`;
  body += `<polygon points="${band(
    (t) => s[t].p5,
    (t) => s[t].p95,
  )}" fill="#c0392b" fill-opacity="0.18"/>\n`;
  body += `<polyline points="${line((t) => s[t].p50)}" fill="none" stroke="#c0392b" stroke-width="2"/>\n`;
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    body += `<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${left + plotW}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>\n`;
    body += `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" ${FONT} font-size="10" text-anchor="end">${money(v, r.unit)}</text>\n`;
  }
  const step = Math.max(1, Math.ceil(T / 12));
  for (let t = 0; t < T; t += step)
    body += `<text x="${x(t).toFixed(1)}" y="${top + plotH + 16}" ${FONT} font-size="10" text-anchor="middle">${r.firstPeriod + t + 1}</text>\n`;
  body += `<text x="${left + plotW / 2}" y="${top + plotH + 32}" ${FONT} font-size="11" text-anchor="middle">period</text>\n`;
  const legend = H - 14;
  body += `<rect x="${left}" y="${legend - 8}" width="12" height="8" fill="#2e86c1" fill-opacity="0.5"/><text x="${left + 16}" y="${legend}" ${FONT} font-size="11">collateral value (median, 25–75 %, 5–95 %)</text>\n`;
  body += `<rect x="${left + 300}" y="${legend - 8}" width="12" height="8" fill="#c0392b" fill-opacity="0.5"/><text x="${left + 316}" y="${legend}" ${FONT} font-size="11">senior outstanding (median, 5–95 %)</text>\n`;
  return svg(W, H, body, `${r.deal}: collateral value against senior outstanding`);
}

/** When each trigger first fires: per trigger and period, the share of paths (darker: more). */
export function triggerTimingSvg(r: StressReport): string {
  const K = r.triggers.length;
  const left = 230;
  const top = 40;
  const rowH = 22;
  const T = r.periods;
  const plotW = W - left - 20;
  const cw = plotW / Math.max(T, 1);
  const H = top + K * rowH + 40;
  let body = "";
  r.triggers.forEach((tr, k) => {
    const yy = top + k * rowH;
    body += `<text x="${left - 8}" y="${yy + 15}" ${FONT} font-size="11" text-anchor="end">${esc(tr.label)} — ${(tr.probability * 100).toFixed(1)} %</text>\n`;
    tr.firstFired.forEach((count, t) => {
      if (count === 0) return;
      const share = count / r.paths;
      const opacity = Math.min(1, 0.08 + Math.sqrt(share) * 1.6);
      body += `<rect x="${(left + t * cw).toFixed(1)}" y="${yy + 3}" width="${Math.max(cw - 1, 1).toFixed(1)}" height="${rowH - 6}" fill="${tr.accelerates ? "#c0392b" : "#d68910"}" fill-opacity="${opacity.toFixed(3)}"><title>period ${r.firstPeriod + t + 1}: ${(share * 100).toFixed(2)} %</title></rect>\n`;
    });
  });
  const step = Math.max(1, Math.ceil(T / 12));
  for (let t = 0; t < T; t += step)
    body += `<text x="${(left + t * cw + cw / 2).toFixed(1)}" y="${top + K * rowH + 14}" ${FONT} font-size="10" text-anchor="middle">${r.firstPeriod + t + 1}</text>\n`;
  body += `<text x="${left + plotW / 2}" y="${H - 8}" ${FONT} font-size="11" text-anchor="middle">period a trigger first fires (red: accelerates; amber: cash trap)</text>\n`;
  return svg(W, H, body, `${r.deal}: trigger timing (${r.paths} paths)`);
}
