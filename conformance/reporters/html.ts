// report.html: one self-contained page (inline CSS, a few lines of inline JS
// for filters, nothing fetched) a lab can read, print and sign: the run, the
// IPv6 readiness verdict, warnings, counts, then every test with its evidence.
// Every piece of text is escaped (frame summaries come from device bytes), and
// a Content-Security-Policy allows only the page's own script, by hash.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  LEVELS,
  VERDICTS,
  type EvidenceFrame,
  type Reporter,
  type RunInfo,
  type RunSummary,
  type TestInfo,
  type TestResult,
  type Verdict,
} from '../framework/types.js';
import { readinessOf, suiteDurations } from './summary.js';
import { escapeHtml as h, formatDuration, plural, VERDICT_LABEL, VERDICT_WORD, writeFileAtomic } from './util.js';

const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--error:#8250df;--inconclusive:#9a6700;--not-applicable:#6e7781;--line:#d0d7de;--muted:#57606a}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1f2328}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line)}h3{font-size:15px;margin:0 0 6px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{margin:4px 0;white-space:pre-wrap;word-break:break-word}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;word-break:break-word}
.readiness{border:3px solid;border-radius:8px;padding:12px 18px;margin:16px 0}
.readiness .big{font-size:28px;font-weight:700;margin:0;letter-spacing:.02em}.readiness p{margin:4px 0}
.readiness.ready{border-color:var(--pass);background:#dafbe1}.readiness.ready .big{color:var(--pass)}
.readiness.not-ready{border-color:var(--fail);background:#ffebe9}.readiness.not-ready .big{color:var(--fail)}
.readiness.incomplete{border-color:var(--inconclusive);background:#fff8c5}.readiness.incomplete .big{color:var(--inconclusive)}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:#afb8c1}
.v{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;padding:0 6px;color:#fff;font-weight:600;font-size:12px}
.v-pass{background:var(--pass)}.v-fail{background:var(--fail)}.v-error{background:var(--error)}.v-inconclusive{background:var(--inconclusive)}.v-not-applicable{background:var(--not-applicable)}
.test{border:1px solid var(--line);border-left:6px solid var(--not-applicable);border-radius:6px;padding:10px 14px;margin:12px 0}
.test.t-pass{border-left-color:var(--pass)}.test.t-fail{border-left-color:var(--fail)}.test.t-error{border-left-color:var(--error)}.test.t-inconclusive{border-left-color:var(--inconclusive)}
.reason{font-weight:600;margin:6px 0}.finding{background:#fff5f5;border:1px solid #ffcecb;border-radius:6px;padding:6px 10px;margin:6px 0}
.notes{margin:6px 0;padding-left:20px}
table.frames{width:100%;table-layout:fixed}table.frames td{font-size:12px}
table.frames col.c-n{width:4em}table.frames col.c-t{width:7.5em}table.frames col.c-d{width:4.5em}table.frames col.c-s{width:7em}
tr.in td:nth-child(3){color:#0969da}tr.out td:nth-child(3){color:#8250df}tr.cited{background:#fff8c5}tr:target{outline:2px solid #0969da}
.hex{display:block;word-break:break-all;color:var(--muted);margin-top:4px}.bad{color:var(--fail);font-weight:600}
summary{cursor:pointer}#filters{margin:6px 0}#filters label{margin-right:10px}
.muted{color:var(--muted)}
@media print{#filters{display:none}.test{break-inside:avoid-page}}
`;

// Filters (verdict checkboxes, suite select), and a followed link to a frame opens its details.
// The page reads the same without it: the filter controls stay hidden.
const SCRIPT = `(function(){
var f=document.getElementById('filters');if(!f)return;f.hidden=false;
function apply(){var on={},s=f.querySelector('select').value;
f.querySelectorAll('input').forEach(function(c){on[c.value]=c.checked});
document.querySelectorAll('[data-verdict]').forEach(function(e){e.hidden=!(on[e.getAttribute('data-verdict')]&&(!s||e.getAttribute('data-suite')===s))});}
f.addEventListener('change',apply);
function reveal(){var e=location.hash&&document.getElementById(decodeURIComponent(location.hash.slice(1)));
if(e&&e.tagName==='TR'){var d=e.querySelector('details');if(d)d.open=true;}
for(;e;e=e.parentElement){if(e.tagName==='DETAILS')e.open=true;if(e.hidden)e.hidden=false;}}
window.addEventListener('hashchange',reveal);
document.addEventListener('click',function(ev){var a=ev.target.closest&&ev.target.closest('a[href^="#"]');if(a)setTimeout(reveal,0);});
reveal();
})();`;

const SCRIPT_HASH = createHash('sha256').update(SCRIPT, 'utf8').digest('base64');
const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src 'none'; base-uri 'none'; form-action 'none'`;

const HEADLINE = { ready: 'IPv6 READY', 'not-ready': 'NOT READY', incomplete: 'INCOMPLETE' } as const;

/** A safe id attribute for a test. */
export function testAnchor(id: string): string {
  return `t-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** The id attribute of frame n (capture numbering, unique in the run). */
export function frameAnchor(n: number): string {
  return `f${Math.trunc(n)}`;
}

const verdictBadge = (v: Verdict) => `<span class="v v-${h(v)}">${h(VERDICT_LABEL[v])}</span>`;
const num = (n: number) => `<td class="n${n === 0 ? ' zero' : ''}">${n}</td>`;
const ms = (x: number) => `${Number.isFinite(x) ? Number(x.toFixed(3)) : '?'} ms`;

function countsTable(id: string, head: string, rows: Array<[string, Record<Verdict, number>]>): string {
  const total = (c: Record<Verdict, number>) => VERDICTS.reduce((s, v) => s + (c[v] ?? 0), 0);
  const out = [`<table id="${id}"><thead><tr><th>${h(head)}</th>`];
  for (const v of VERDICTS) out.push(`<th>${h(VERDICT_WORD[v])}</th>`);
  out.push('<th>total</th></tr></thead><tbody>');
  for (const [name, c] of rows) {
    out.push(`<tr><th scope="row">${h(name)}</th>${VERDICTS.map((v) => num(c[v] ?? 0)).join('')}${num(total(c))}</tr>`);
  }
  out.push('</tbody></table>');
  return out.join('');
}

function frameRow(f: EvidenceFrame, cited: boolean): string {
  const station = f.station ?? (f.direction === 'in' ? 'device' : 'tester');
  const dir = f.direction === 'in' ? 'in ←' : 'out →';
  const cls = `${f.direction === 'in' ? 'in' : 'out'}${cited ? ' cited' : ''}`;
  const body: string[] = [];
  if (f.undecodable !== undefined) body.push(`<div class="bad">undecodable: ${h(f.undecodable)}</div>`);
  if (f.comment) body.push(`<div class="muted">${h(f.comment)}</div>`);
  if (f.detail.length) body.push(`<pre>${h(f.detail.join('\n'))}</pre>`);
  body.push(`<code class="hex">${h(f.hex)}</code>`);
  return (
    `<tr id="${frameAnchor(f.n)}" class="${cls}"><td class="n">${Math.trunc(f.n)}</td><td class="n">+${h(ms(f.at))}</td>` +
    `<td>${dir}</td><td>${h(station)}</td><td><details><summary>${h(f.summary || '(no summary)')}</summary>${body.join('')}</details></td></tr>`
  );
}

function frameLinks(r: TestResult, ns: number[]): string {
  if (!ns.length) return 'none';
  const known = new Set(r.frames.map((f) => f.n));
  return ns
    .map((n) => (known.has(n) ? `<a href="#${frameAnchor(n)}">#${Math.trunc(n)}</a>` : `#${h(n)} <span class="muted">(not in this test's evidence)</span>`))
    .join(', ');
}

function testSection(r: TestResult): string {
  const out: string[] = [];
  out.push(`<article class="test t-${h(r.verdict)}" id="${testAnchor(r.id)}" data-verdict="${h(r.verdict)}" data-suite="${h(r.suite)}">`);
  out.push(`<h3>${verdictBadge(r.verdict)} ${h(r.id)} <span class="title">${h(r.title)}</span></h3>`);
  out.push('<dl class="kv">');
  out.push(`<dt>reference</dt><dd>${h(r.ref)}</dd><dt>level</dt><dd>${h(r.level)}</dd><dt>suite</dt><dd>${h(r.suite)}</dd>`);
  if (r.spec.length) out.push(`<dt>spec</dt><dd>${h(r.spec.join(', '))}</dd>`);
  if (r.needs.length) out.push(`<dt>needs</dt><dd>${h(r.needs.join(', '))}</dd>`);
  out.push(`<dt>verdict</dt><dd>${h(VERDICT_WORD[r.verdict])}</dd>`);
  out.push(`<dt>time</dt><dd>${h(formatDuration(r.durationMs))} (board clock ${h(formatDuration(r.boardMs))}), started ${h(r.startedAt)}</dd>`);
  out.push('</dl>');
  if (r.reason) out.push(`<p class="reason">${h(r.reason)}</p>`);
  if (r.finding) {
    const f = r.finding;
    out.push(
      `<div class="finding"><dl class="kv"><dt>rule</dt><dd>${h(f.rule)}</dd><dt>expected</dt><dd>${h(f.expected)}</dd>` +
        `<dt>seen</dt><dd>${h(f.seen)}</dd><dt>frames</dt><dd>${frameLinks(r, f.frames)}</dd></dl></div>`,
    );
  }
  if (r.notes.length) out.push(`<ul class="notes">${r.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`);
  if (r.frames.length) {
    const cited = new Set(r.finding?.frames ?? []);
    const open = r.verdict === 'pass' || r.verdict === 'not-applicable' ? '' : ' open';
    out.push(`<details class="evidence"${open}><summary>${plural(r.frames.length, 'frame')} exchanged</summary>`);
    out.push('<table class="frames"><colgroup><col class="c-n"><col class="c-t"><col class="c-d"><col class="c-s"><col></colgroup>');
    out.push('<thead><tr><th>#</th><th>time</th><th>dir</th><th>station</th><th>frame (details and hex)</th></tr></thead><tbody>');
    for (const f of r.frames) out.push(frameRow(f, cited.has(f.n)));
    out.push('</tbody></table></details>');
  } else {
    out.push('<p class="muted">no frames exchanged</p>');
  }
  out.push('</article>');
  return out.join('\n');
}

/** The whole page. `tests` (optional) lists the tests selected, to show those an interrupted run never reached. */
export function renderHtml(run: RunInfo, summary: RunSummary, results: TestResult[], tests: TestInfo[] = []): string {
  const status = readinessOf(summary);
  const core = run.core ?? summary.core;
  const faults = run.faults.length ? run.faults.join(', ') : 'none';
  const sel = run.selection;
  const selection = [`suites ${sel.suites.length ? sel.suites.join(', ') : 'all'}`];
  if (sel.grep) selection.push(`grep ${sel.grep}`);
  if (sel.level) selection.push(`level ${sel.level}`);
  const suites = Object.keys(summary.bySuite);
  const durations = suiteDurations(results);
  const countLine = VERDICTS.filter((v) => summary.counts[v]).map((v) => `${summary.counts[v]} ${VERDICT_WORD[v]}`).join(', ');

  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>sixlab report: ${h(run.board)}: ${HEADLINE[status]}</title>`);
  out.push(`<style>${CSS}</style></head><body>`);

  out.push('<header><h1>sixlab conformance report</h1><dl class="kv" id="run">');
  out.push(`<dt>board</dt><dd>${h(run.board)} <span class="muted">(${h(run.boardKind)})</span>${run.boardDescription ? ` ${h(run.boardDescription)}` : ''}</dd>`);
  out.push(`<dt>faults</dt><dd>${h(faults)}</dd>`);
  if (core?.sha256) out.push(`<dt>core sha256</dt><dd class="mono">${h(core.sha256)}</dd>`);
  if (core?.path) out.push(`<dt>core module</dt><dd class="mono">${h(core.path)}</dd>`);
  if (core?.firmware) out.push(`<dt>firmware</dt><dd>${h(core.firmware)}</dd>`);
  if (!core?.sha256 && !core?.firmware) out.push('<dt>core</dt><dd class="muted">not reported</dd>');
  out.push(`<dt>sixlab</dt><dd>${h(run.sixlabVersion)}</dd>`);
  out.push(`<dt>started</dt><dd>${h(run.startedAt)}</dd>`);
  out.push(`<dt>duration</dt><dd>${h(formatDuration(summary.durationMs))} (board clock ${h(formatDuration(summary.boardMs))})</dd>`);
  out.push(`<dt>selection</dt><dd>${h(selection.join('; '))}</dd>`);
  out.push(`<dt>tests</dt><dd>${results.length} of ${run.total} run${countLine ? `: ${h(countLine)}` : ''}</dd>`);
  out.push('</dl></header>');

  out.push(`<section id="verdict" class="readiness ${status}"><p class="big">${HEADLINE[status]}</p><p>${h(summary.readiness)}</p>`);
  if (summary.interrupted) out.push(`<p>The run was interrupted: ${results.length} of ${plural(run.total, 'test')} ran.</p>`);
  out.push('</section>');

  out.push(`<section id="warnings"><h2>Warnings: SHOULD requirements not met (${summary.warnings.length})</h2>`);
  if (summary.warnings.length) {
    out.push('<ul>');
    for (const w of summary.warnings) {
      out.push(`<li>${verdictBadge(w.verdict)} <a href="#${testAnchor(w.id)}">${h(w.id)}</a> ${h(w.title)}${w.reason ? `: ${h(w.reason)}` : ''}</li>`);
    }
    out.push('</ul>');
  } else {
    out.push('<p class="muted">none</p>');
  }
  out.push('</section>');

  out.push('<section id="summary"><h2>Summary</h2>');
  out.push(countsTable('by-suite', 'suite', suites.map((s) => [s, summary.bySuite[s]])));
  out.push(countsTable('by-level', 'level', LEVELS.map((l) => [l, summary.byLevel[l]])));
  out.push('<table id="suite-times"><thead><tr><th>suite</th><th>tests</th><th>time</th><th>board clock</th></tr></thead><tbody>');
  for (const s of suites) {
    const d = durations[s];
    if (d) out.push(`<tr><th scope="row">${h(s)}</th>${num(d.tests)}<td class="n">${h(formatDuration(d.durationMs))}</td><td class="n">${h(formatDuration(d.boardMs))}</td></tr>`);
  }
  out.push('</tbody></table></section>');

  const ran = new Set(results.map((r) => r.id));
  const notRun = tests.filter((t) => !ran.has(t.id));
  if (notRun.length) {
    out.push(`<section id="not-run"><h2>Not run (${notRun.length})</h2><p>${notRun.map((t) => h(t.id)).join(', ')}</p></section>`);
  }

  out.push('<section id="tests"><h2>Tests</h2>');
  out.push('<div id="filters" hidden>show: ');
  for (const v of VERDICTS) out.push(`<label><input type="checkbox" value="${v}" checked> ${h(VERDICT_WORD[v])}</label>`);
  out.push(`<label>suite <select><option value="">all</option>${suites.map((s) => `<option value="${h(s)}">${h(s)}</option>`).join('')}</select></label></div>`);
  out.push('<table id="index"><thead><tr><th>test</th><th>suite</th><th>level</th><th>verdict</th><th>title</th></tr></thead><tbody>');
  for (const r of results) {
    out.push(
      `<tr data-verdict="${h(r.verdict)}" data-suite="${h(r.suite)}"><td><a href="#${testAnchor(r.id)}">${h(r.id)}</a></td>` +
        `<td>${h(r.suite)}</td><td>${h(r.level)}</td><td>${verdictBadge(r.verdict)}</td><td>${h(r.title)}</td></tr>`,
    );
  }
  out.push('</tbody></table>');
  for (const r of results) out.push(testSection(r));
  out.push('</section>');

  out.push(`<footer class="muted"><p>Generated by sixlab ${h(run.sixlabVersion)}. Frame numbers are those of capture.pcapng; every result with its frames is in results.jsonl.</p></footer>`);
  out.push(`<script>${SCRIPT}</script>`);
  out.push('</body></html>', '');
  return out.join('\n');
}

/** Writes report.html in the report directory at the end of the run. */
export class HtmlReporter implements Reporter {
  readonly name = 'html';
  private run: RunInfo | undefined;
  private tests: TestInfo[] = [];

  constructor(private readonly dir: string) {}

  get path(): string {
    return join(this.dir, 'report.html');
  }

  onBegin(run: RunInfo, tests: TestInfo[]): void {
    this.run = run;
    this.tests = tests;
  }

  onEnd(summary: RunSummary, results: TestResult[]): void {
    if (!this.run) throw new Error('onEnd before onBegin');
    writeFileAtomic(this.path, renderHtml(this.run, summary, results, this.tests));
  }
}
