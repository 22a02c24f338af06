import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EvidenceFrame, RunInfo, TestResult, Verdict } from '../framework/types.js';
import { HtmlReporter, renderHtml } from './html.js';
import { summarize } from './summary.js';
import { drive, fixtureResults, HOSTILE, infoOf, RUN, tempReportDir } from './test-util.js';

const opts = { durationMs: 83_000, boardMs: 3_600_000, interrupted: false };

function page(results: TestResult[], o = opts, run: RunInfo = RUN): string {
  return renderHtml(run, summarize(run, results, o), results, results.map(infoOf));
}

/** The text of the element with this id (tags stripped, entities left). */
function section(html: string, id: string): string {
  const m = new RegExp(`<(section|table|article|dl)[^>]* id="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  if (!m) throw new Error(`no element with id ${id}`);
  return m[2];
}

function tableRows(html: string, id: string): Record<string, number[]> {
  const rows: Record<string, number[]> = {};
  for (const m of section(html, id).matchAll(/<tr><th scope="row">([^<]*)<\/th>(.*?)<\/tr>/g)) {
    rows[m[1]] = [...m[2].matchAll(/<td class="n[^"]*">(\d+)<\/td>/g)].map((c) => Number(c[1]));
  }
  return rows;
}

describe('renderHtml', () => {
  it('escapes hostile text from device bytes and reasons, everywhere', () => {
    const html = page(fixtureResults());
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39; \\x1b[2J\\x00 bell\\x07');
    expect(html).toContain('device said &lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&lt;b&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/b&gt;');
    expect(html).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('is self-contained: nothing fetched, and only its own script allowed to run', () => {
    const html = page(fixtureResults());
    expect(html).not.toMatch(/<[a-z][^>]*\ssrc=/i); // (the escaped hostile reason says "src=" as text)
    expect(html).not.toMatch(/<link|@import|url\(|https?:\/\//i);
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#[A-Za-z0-9_.-]+$/);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const hash = createHash('sha256').update(script).digest('base64');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
  });

  it('shows the run: board, faults, core hash, version, date, duration', () => {
    const run = section(page(fixtureResults()), 'run').replace(/<[^>]+>/g, ' ');
    for (const s of ['virtual', 'no-ns-reply', RUN.core!.sha256!, '0.1.0', '2025-01-02T03:04:05.000Z', '1 min 23 s', '60 min 00 s', '12 of 12']) {
      expect(run).toContain(s);
    }
  });

  it('puts the readiness verdict first: NOT READY, IPv6 READY or INCOMPLETE with the readiness line', () => {
    const results = fixtureResults();
    const notReady = page(results);
    expect(notReady).toMatch(/<section id="verdict" class="readiness not-ready"><p class="big">NOT READY<\/p><p>NOT ready: 2 MUST requirements failed \(LOWPAN-25, ND-06\), 1 errored/);
    expect(notReady.indexOf('id="verdict"')).toBeLessThan(notReady.indexOf('id="summary"'));
    const passing = results.filter((r) => r.level !== 'MUST' || r.verdict === 'pass');
    expect(page(passing)).toMatch(/class="readiness ready"><p class="big">IPv6 READY<\/p><p>IPv6 ready: all 2 MUST requirements met/);
    const cut = page(passing.slice(0, 3), { ...opts, interrupted: true });
    expect(cut).toMatch(/class="readiness incomplete"><p class="big">INCOMPLETE<\/p><p>IPv6 readiness incomplete/);
    expect(cut).toContain('The run was interrupted: 3 of 12 tests ran.');
  });

  it('lists the tests an interrupted run did not reach', () => {
    const results = fixtureResults();
    const html = renderHtml(RUN, summarize(RUN, results.slice(0, 10), { ...opts, interrupted: true }), results.slice(0, 10), results.map(infoOf));
    expect(section(html, 'not-run')).toContain('SLAAC-04, COAP-01');
  });

  it('lists SHOULD failures as warnings, linked to the tests', () => {
    const warnings = section(page(fixtureResults()), 'warnings');
    expect(warnings).toContain('(2)');
    expect(warnings).toContain('<a href="#t-ICMPV6-11">ICMPV6-11</a> errors are rate limited: 200 errors in 1 s');
    expect(warnings).toContain('<a href="#t-UDP-02">UDP-02</a>');
    expect(warnings).not.toContain('SLAAC-04');
    expect(warnings).not.toContain('ND-06');
  });

  it('counts per suite and per level, in verdict columns', () => {
    const html = page(fixtureResults());
    // columns: pass, fail, inconclusive, not applicable, error, total
    expect(tableRows(html, 'by-suite')).toEqual({
      lowpan: [1, 1, 0, 0, 0, 2],
      ipv6: [1, 0, 1, 0, 0, 2],
      icmpv6: [0, 1, 0, 0, 1, 2],
      nd: [0, 1, 0, 1, 0, 2],
      slaac: [0, 0, 0, 1, 0, 1],
      udp: [1, 0, 1, 0, 0, 2],
      coap: [1, 0, 0, 0, 0, 1],
    });
    expect(tableRows(html, 'by-level')).toEqual({
      MUST: [2, 2, 1, 1, 1, 7],
      SHOULD: [1, 1, 1, 1, 0, 4],
      MAY: [1, 0, 0, 0, 0, 1],
    });
  });

  it('shows each test with its metadata, verdict, reason, finding linked to its frames, and notes', () => {
    const html = page(fixtureResults());
    const t = section(html, 't-LOWPAN-25');
    expect(t).toContain('<span class="v v-fail">FAIL</span> LOWPAN-25');
    expect(t).toContain('<dt>reference</dt><dd>RFC 4944 §5.1</dd><dt>level</dt><dd>MUST</dd>');
    expect(t).toContain('<dt>spec</dt><dd>TD_6Lo_FORMAT_09, TD_6Lo_FORMAT_10</dd>');
    expect(t).toContain('<p class="reason">the device answered a frame with a reserved dispatch</p>');
    expect(t).toContain('<dt>expected</dt><dd>no answer</dd><dt>seen</dt><dd>an Echo Reply</dd><dt>frames</dt><dd><a href="#f4">#4</a></dd>');
    expect(t).toContain('<tr id="f4" class="in cited">');
    expect(t).toContain('<details class="evidence" open><summary>2 frames exchanged</summary>');
    expect(section(html, 't-COAP-01')).toContain('<li>round trip 12 ms</li>');
    expect(section(html, 't-COAP-01')).toContain('<details class="evidence"><summary>1 frame exchanged</summary>');
    expect(section(html, 't-ND-07')).toContain('<p class="reason">the board does not do classic ND</p>');
    expect(section(html, 't-ND-07')).toContain('<dt>needs</dt><dd>classic</dd>');
    // every frame anchor id is unique, and every test has one section
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(html.match(/<article /g)).toHaveLength(12);
  });

  it('shows each frame: number, time, direction, station, summary, with details and hex collapsed', () => {
    const r = fixtureResults()[0];
    const html = page([r]);
    const f = r.frames[0];
    expect(html).toContain(
      `<tr id="f1" class="out"><td class="n">1</td><td class="n">+0 ms</td><td>out →</td><td>tester-1</td>` +
        `<td><details><summary>LOWPAN_IPV6 fe80::1 -&gt; fe80::2 ICMPv6 Echo Request id 1 seq 1</summary>` +
        `<pre>802.15.4 data frame seq 0\nIPv6 uncompressed (dispatch 0x41)</pre><code class="hex">${f.hex}</code></details></td></tr>`,
    );
    expect(html).toContain('<tr id="f2" class="in"><td class="n">2</td><td class="n">+12.5 ms</td><td>in ←</td><td>device</td>');
  });

  it('stays small for a full run: each frame once, no more than 1.6 times the evidence it shows', () => {
    const verdicts: Verdict[] = ['pass', 'pass', 'pass', 'fail', 'not-applicable', 'error', 'inconclusive'];
    const base = fixtureResults()[0];
    let n = 1;
    const results: TestResult[] = Array.from({ length: 150 }, (_, t) => {
      const frames: EvidenceFrame[] = Array.from({ length: 20 }, (_, i) => ({
        n: n++,
        at: i * 7.25,
        direction: i % 2 ? 'in' : 'out',
        hex: (n.toString(16).padStart(8, '0') + 'ab'.repeat(56)).slice(0, 120),
        summary: `IPHC fe80::${t}:${i} -> fe80::2 UDP 61616 -> 5683 len 40`,
        detail: Array.from({ length: 8 }, (_, d) => `  header ${d}: field value ${t}.${i}.${d} (some explanation)`),
      }));
      return { ...base, id: `T-${t}`, verdict: verdicts[t % verdicts.length], frames };
    });
    const html = page(results);
    const evidence = results.flatMap((r) => r.frames).reduce((s, f) => s + f.hex.length + f.summary.length + f.detail.join('\n').length, 0);
    expect(html.length).toBeLessThan(evidence * 1.6);
    for (const f of [results[0].frames[0], results[77].frames[13], results[149].frames[19]]) {
      expect(html.split(f.hex)).toHaveLength(2);
    }
  });
});

describe('HtmlReporter', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes report.html at the end of the run', async () => {
    dir = tempReportDir();
    const results = fixtureResults();
    const summary = await drive(new HtmlReporter(dir), results);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toBe(renderHtml(RUN, summary, results, results.map(infoOf)));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  });
});
