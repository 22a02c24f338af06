// report.html of a scenario run: one self-contained page (no script, no
// network: inline CSS and inline SVG plots, a Content-Security-Policy that
// allows nothing else) with the verdict, each assertion, the figures, and the
// plots: latency histogram, messages per second, registrations over time.
import { createHash } from 'node:crypto';
import type { AssertionResult, FlowMetrics, Histogram, LatencyStats, RegistrationMetrics } from './metrics.js';

export interface ScenarioMetrics {
  scenario: { name: string; file: string; description?: string };
  sixlabVersion: string;
  startedAt: string;
  wallMs: number;
  run: {
    /** Devices in the whole fleet, and in this run (this shard). */
    fleetDevices: number;
    devices: number;
    cells: number;
    shard?: string;
    broker: string;
    workers: number;
    clock: string;
    durationS: number;
    drainS: number;
    /** Devices powered on over this many seconds. */
    powerOnS: number;
  };
  phases: { joinMs: number; trafficMs: number; drainMs: number };
  registration: RegistrationMetrics;
  telemetry?: FlowMetrics;
  commands?: FlowMetrics;
  fleet: {
    lagMaxMs: number;
    lagMeanMs: number;
    events: number;
    transmissions: number;
    deliveries: number;
    drops: Record<string, number>;
    memoryPerDeviceBytes: number | null;
    published: number;
    stale: number;
    observeFailures: number;
    unmatchedMessages: number;
  };
  assertions: AssertionResult[];
  verdict: 'pass' | 'fail';
}

export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
const h = escapeHtml;

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;padding:0 1em;color:#1b1f24}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #d0d7de}
.verdict{padding:.8em 1em;border-radius:6px;font-weight:600}.pass{background:#dafbe1;color:#116329}.fail{background:#ffebe9;color:#a40e26}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .8em;border-bottom:1px solid #eaeef2;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
ul.assertions{list-style:none;padding:0}ul.assertions li{padding:.2em 0}.ok::before{content:"✔ ";color:#116329}.ko::before{content:"✘ ";color:#a40e26}
figure{margin:1em 0}figcaption{font-size:.9em;color:#57606a}svg{max-width:100%;height:auto;background:#fff;border:1px solid #eaeef2}
svg text{font:11px system-ui,sans-serif;fill:#57606a}.muted{color:#57606a}
`;

const W = 640;
const H = 240;
const M = { l: 52, r: 12, t: 26, b: 36 };

/** The top of an axis with four ticks of a round size, a little above v. */
function niceMax(v: number): number {
  if (v <= 0) return 4;
  const step = (v * 1.05) / 4;
  const p = 10 ** Math.floor(Math.log10(step));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= step) return 4 * m * p;
  return 40 * p;
}

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

function axes(xLabel: string, yLabel: string, yMax: number): string[] {
  const out: string[] = [];
  const x0 = M.l;
  const y0 = H - M.b;
  out.push(`<line x1="${x0}" y1="${M.t}" x2="${x0}" y2="${y0}" stroke="#8c959f"/>`);
  out.push(`<line x1="${x0}" y1="${y0}" x2="${W - M.r}" y2="${y0}" stroke="#8c959f"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    const y = y0 - ((y0 - M.t) * i) / 4;
    out.push(`<line x1="${x0 - 3}" y1="${y}" x2="${W - M.r}" y2="${y}" stroke="#eaeef2"/>`);
    out.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end">${h(num(v))}</text>`);
  }
  out.push(`<text x="${(x0 + W - M.r) / 2}" y="${H - 4}" text-anchor="middle">${h(xLabel)}</text>`);
  out.push(`<text x="12" y="${(M.t + y0) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(M.t + y0) / 2})">${h(yLabel)}</text>`);
  return out;
}

function svg(id: string, title: string, body: string[]): string {
  return `<svg id="${id}" role="img" aria-label="${h(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${h(title)}</title>${body.join('')}</svg>`;
}

/** Bars, one per histogram bucket ("≤ 5 ms"). */
export function histogramSvg(id: string, title: string, hist: Histogram): string {
  const yMax = niceMax(Math.max(0, ...hist.counts));
  const out = axes('latency (ms, bucket upper edge)', 'messages', yMax);
  const n = Math.max(1, hist.counts.length);
  const slot = (W - M.l - M.r) / n;
  hist.counts.forEach((c, i) => {
    const bh = ((H - M.t - M.b) * c) / yMax;
    const x = M.l + i * slot + 2;
    const label = hist.edges[i] === -1 ? `>${num(hist.edges[i - 1] ?? 0)}` : `≤${num(hist.edges[i])}`;
    out.push(`<rect class="bar" x="${x.toFixed(1)}" y="${(H - M.b - bh).toFixed(1)}" width="${Math.max(1, slot - 4).toFixed(1)}" height="${bh.toFixed(1)}" fill="#0969da"><title>${h(`${label} ms: ${c}`)}</title></rect>`);
    out.push(`<text x="${(x + slot / 2 - 2).toFixed(1)}" y="${H - M.b + 13}" text-anchor="middle">${h(label)}</text>`);
  });
  return svg(id, title, out);
}

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  step?: boolean;
}

/** Lines (or steps) over x, with a legend. */
export function lineSvg(id: string, title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = niceMax(Math.max(1, ...xs));
  const yMax = niceMax(Math.max(0, ...ys));
  const out = axes(xLabel, yLabel, yMax);
  const sx = (x: number) => M.l + ((W - M.l - M.r) * x) / xMax;
  const sy = (y: number) => H - M.b - ((H - M.t - M.b) * y) / yMax;
  for (let i = 0; i <= 4; i++) {
    const v = (xMax * i) / 4;
    out.push(`<text x="${sx(v).toFixed(1)}" y="${H - M.b + 13}" text-anchor="middle">${h(num(v))}</text>`);
  }
  series.forEach((s, k) => {
    const pts: string[] = [];
    s.points.forEach(([x, y], i) => {
      if (s.step && i > 0) pts.push(`${sx(x).toFixed(1)},${sy(s.points[i - 1][1]).toFixed(1)}`);
      pts.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    });
    if (pts.length > 0) out.push(`<polyline class="series" data-name="${h(s.name)}" fill="none" stroke="${s.color}" stroke-width="1.6" points="${pts.join(' ')}"/>`);
    // The legend, in a row above the plot.
    const x = M.l + k * 150;
    out.push(`<rect x="${x}" y="9" width="10" height="3" fill="${s.color}"/><text x="${x + 15}" y="14">${h(s.name)}</text>`);
  });
  return svg(id, title, out);
}

const ms = (v: number | null) => (v === null ? '–' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);

function latencyRow(name: string, l: LatencyStats): string {
  return `<tr><th scope="row">${h(name)}</th><td class="n">${l.count}</td><td class="n">${ms(l.p50)}</td><td class="n">${ms(l.p90)}</td><td class="n">${ms(l.p99)}</td><td class="n">${ms(l.max)}</td></tr>`;
}

function flowRow(name: string, f: FlowMetrics): string {
  const ratio = f.deliveryRatio === null ? '–' : `${(f.deliveryRatio * 100).toFixed(2)} %`;
  return `<tr><th scope="row">${h(name)}</th><td class="n">${f.sent}</td><td class="n">${f.delivered}</td><td class="n">${ratio}</td><td class="n">${f.duplicates}</td></tr>`;
}

export function renderReport(m: ScenarioMetrics): string {
  const out: string[] = [];
  const styleHash = createHash('sha256').update(CSS).digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'none'; script-src 'none'`;
  out.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="${csp}">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${h(`sixlab scenario ${m.scenario.name}: ${m.verdict === 'pass' ? 'PASS' : 'FAIL'}`)}</title>`);
  out.push(`<style>${CSS}</style></head><body>`);
  out.push(`<h1>Scenario ${h(m.scenario.name)}</h1>`);
  if (m.scenario.description) out.push(`<p class="muted">${h(m.scenario.description)}</p>`);
  const failed = m.assertions.filter((a) => !a.ok);
  out.push(`<section id="verdict"><p class="verdict ${m.verdict}">${m.verdict === 'pass' ? `PASS: every assertion holds (${m.assertions.length})` : `FAIL: ${failed.length} of ${m.assertions.length} assertions failed (${h([...new Set(failed.map((a) => a.name))].join(', '))})`}</p>`);
  out.push('<ul class="assertions" id="assertions">');
  for (const a of m.assertions) out.push(`<li class="${a.ok ? 'ok' : 'ko'}" data-name="${h(a.name)}"><b>${h(a.name)}</b>: ${h(a.message)}</li>`);
  out.push('</ul></section>');

  out.push('<section id="run"><h2>Run</h2><table>');
  const r = m.run;
  const rows: [string, string][] = [
    ['scenario file', m.scenario.file], ['started', m.startedAt], ['devices', r.shard ? `${r.devices} of ${r.fleetDevices} (shard ${r.shard})` : String(r.devices)],
    ['cells', String(r.cells)], ['power-on', `devices powered on at random moments over ${r.powerOnS} s`], ['broker', r.broker], ['worker threads', String(r.workers)], ['clock', r.clock],
    ['traffic', `${r.durationS} s, then up to ${r.drainS} s for messages on their way`],
    ['phases', `join ${(m.phases.joinMs / 1000).toFixed(1)} s, traffic ${(m.phases.trafficMs / 1000).toFixed(1)} s, drain ${(m.phases.drainMs / 1000).toFixed(1)} s`],
    ['sixlab', m.sixlabVersion],
  ];
  for (const [k, v] of rows) out.push(`<tr><th scope="row">${h(k)}</th><td>${h(v)}</td></tr>`);
  out.push('</table></section>');

  out.push('<section id="figures"><h2>Delivery and latency</h2>');
  out.push('<table id="delivery"><thead><tr><th></th><th>sent</th><th>delivered</th><th>ratio</th><th>duplicates</th></tr></thead><tbody>');
  if (m.telemetry) out.push(flowRow('telemetry (device → MQTT)', m.telemetry));
  if (m.commands) out.push(flowRow('commands (MQTT → device → result)', m.commands));
  out.push('</tbody></table>');
  out.push('<table id="latency"><thead><tr><th>latency</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead><tbody>');
  if (m.telemetry) out.push(latencyRow('telemetry: sample time → MQTT delivery', m.telemetry.latencyMs));
  if (m.commands) out.push(latencyRow('commands: .../set published → .../result delivered', m.commands.latencyMs));
  out.push(latencyRow('registration: power-on → registered', m.registration.latencyMs));
  out.push('</tbody></table>');
  if (m.telemetry) out.push(`<p class="muted">Telemetry latency runs from the moment the simulated sensor took the reading to the moment the scenario's own MQTT client received it. The bridge's payload carries the gateway's receive time (timeSource "gateway"): the core's sensor resources send the value only.</p>`);
  if (m.commands) out.push(`<p class="muted">Command latency runs from the moment the scenario's MQTT client published .../set to the moment it received the matching .../result; a result with an error code or none is not delivered.</p>`);
  out.push('</section>');

  out.push('<section id="plots"><h2>Plots</h2>');
  for (const [flow, f] of [['telemetry', m.telemetry], ['commands', m.commands]] as const) {
    if (!f) continue;
    out.push(`<figure>${histogramSvg(`histogram-${flow}`, `${flow} latency histogram`, f.histogram)}<figcaption>Latency histogram, ${flow} (${f.latencyMs.count} messages)</figcaption></figure>`);
  }
  const series: Series[] = [];
  if (m.telemetry) {
    series.push({ name: 'readings taken', color: '#8c959f', points: m.telemetry.perSecond.map((p) => [p.t, p.sent]) });
    series.push({ name: 'telemetry delivered', color: '#0969da', points: m.telemetry.perSecond.map((p) => [p.t, p.delivered]) });
  }
  if (m.commands) {
    series.push({ name: 'commands sent', color: '#bf8700', points: m.commands.perSecond.map((p) => [p.t, p.sent]) });
    series.push({ name: 'results delivered', color: '#8250df', points: m.commands.perSecond.map((p) => [p.t, p.delivered]) });
  }
  out.push(`<figure>${lineSvg('rate', 'messages per second', 'seconds since the traffic started', 'messages per second', series)}<figcaption>Messages per second</figcaption></figure>`);
  const reg = m.registration.times;
  const regPoints: [number, number][] = [[0, 0], ...reg.map((t, i): [number, number] => [t / 1000, i + 1])];
  out.push(`<figure>${lineSvg('registrations', 'registrations over time', 'seconds from a device\'s power-on', 'devices registered', [{ name: `registered (${m.registration.registered} of ${m.registration.devices})`, color: '#1a7f37', points: regPoints, step: true }])}<figcaption>Registrations over time</figcaption></figure>`);
  out.push('</section>');

  out.push('<section id="fleet"><h2>Fleet</h2><table>');
  const f = m.fleet;
  const fleetRows: [string, string][] = [
    ['scheduler lag (how late simulated events ran)', `max ${f.lagMaxMs.toFixed(1)} ms, mean ${f.lagMeanMs.toFixed(2)} ms over ${f.events} events`],
    ['frames on the air', `${f.transmissions} transmissions, ${f.deliveries} receptions`],
    ['memory per device (RSS growth while the fleet booted, worker threads included)', f.memoryPerDeviceBytes === null ? '–' : `${(f.memoryPerDeviceBytes / 1024).toFixed(0)} KiB`],
    ['bridge', `${f.published} published, ${f.stale} stale notifications dropped, ${f.observeFailures} observe failures`],
    ['telemetry that matched no reading', String(f.unmatchedMessages)],
    ['drops counted by the devices', Object.entries(f.drops).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'],
  ];
  for (const [k, v] of fleetRows) out.push(`<tr><th scope="row">${h(k)}</th><td>${h(v)}</td></tr>`);
  out.push('</table></section>');
  out.push('</body></html>');
  return out.join('\n');
}
