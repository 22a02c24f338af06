import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestResult, Verdict } from '../framework/types.js';
import { readinessOf, summarize, SummaryJsonReporter, type SummaryFile } from './summary.js';
import { drive, fixtureResults, RUN, tempReportDir } from './test-util.js';

const opts = { durationMs: 1234, boardMs: 5678, interrupted: false };

function must(id: string, verdict: Verdict): TestResult {
  const base = fixtureResults()[0];
  return { ...base, id, level: 'MUST', verdict, frames: [] };
}

describe('summarize', () => {
  it('counts by verdict, by suite (catalogue order) and by level', () => {
    const s = summarize(RUN, fixtureResults(), opts);
    expect(s.counts).toEqual({ pass: 4, fail: 3, inconclusive: 2, 'not-applicable': 2, error: 1 });
    expect(Object.keys(s.bySuite)).toEqual(['lowpan', 'ipv6', 'icmpv6', 'nd', 'slaac', 'udp', 'coap']);
    expect(s.bySuite.lowpan).toEqual({ pass: 1, fail: 1, inconclusive: 0, 'not-applicable': 0, error: 0 });
    expect(s.bySuite.icmpv6).toEqual({ pass: 0, fail: 1, inconclusive: 0, 'not-applicable': 0, error: 1 });
    expect(s.byLevel.MUST).toEqual({ pass: 2, fail: 2, inconclusive: 1, 'not-applicable': 1, error: 1 });
    expect(s.byLevel.SHOULD).toEqual({ pass: 1, fail: 1, inconclusive: 1, 'not-applicable': 1, error: 0 });
    expect(s.byLevel.MAY).toEqual({ pass: 1, fail: 0, inconclusive: 0, 'not-applicable': 0, error: 0 });
    expect(s).toMatchObject({ board: 'virtual', durationMs: 1234, boardMs: 5678, interrupted: false, sixlabVersion: '0.1.0', faults: ['no-ns-reply'] });
    expect(s.core?.sha256).toBe(RUN.core?.sha256);
  });

  it('is not ready when a MUST fails, and names the failed, errored and inconclusive ones', () => {
    const s = summarize(RUN, fixtureResults(), opts);
    expect(s.ready).toBe(false);
    expect(readinessOf(s)).toBe('not-ready');
    expect(s.readiness).toBe('NOT ready: 2 MUST requirements failed (LOWPAN-25, ND-06), 1 errored (ICMPV6-03), 1 inconclusive (IPV6-09)');
  });

  it('warns about SHOULD tests that did not pass, but not those not applicable', () => {
    const s = summarize(RUN, fixtureResults(), opts);
    expect(s.warnings.map((w) => [w.id, w.verdict])).toEqual([['ICMPV6-11', 'fail'], ['UDP-02', 'inconclusive']]);
    expect(s.warnings[0]).toEqual({ id: 'ICMPV6-11', title: 'errors are rate limited', verdict: 'fail', reason: '200 errors in 1 s' });
  });

  it('is ready when every MUST passed or was not applicable', () => {
    const results = fixtureResults().filter((r) => r.level !== 'MUST' || r.verdict === 'pass' || r.verdict === 'not-applicable');
    const s = summarize(RUN, results, opts);
    expect(s.ready).toBe(true);
    expect(readinessOf(s)).toBe('ready');
    expect(s.readiness).toBe('IPv6 ready: all 2 MUST requirements met (1 not applicable; 2 SHOULD warnings)');
    const clean = summarize(RUN, [must('A-1', 'pass')], opts);
    expect(clean.readiness).toBe('IPv6 ready: all 1 MUST requirement met');
  });

  it('is never ready when interrupted, even with every MUST passed', () => {
    const s = summarize(RUN, [must('A-1', 'pass'), must('A-2', 'pass')], { ...opts, interrupted: true });
    expect(s.ready).toBe(false);
    expect(readinessOf(s)).toBe('incomplete');
    expect(s.readiness).toBe('IPv6 readiness incomplete: the run was interrupted after 2 of 12 tests');
    const failing = summarize(RUN, [must('A-1', 'fail')], { ...opts, interrupted: true });
    expect(readinessOf(failing)).toBe('incomplete');
    expect(failing.readiness).toContain('already NOT ready: 1 MUST requirement failed (A-1)');
  });

  it('is not ready when MUST tests only errored or were inconclusive', () => {
    const errors = summarize(RUN, [must('A-1', 'error'), must('A-2', 'error'), must('A-3', 'not-applicable')], opts);
    expect(errors.ready).toBe(false);
    expect(errors.readiness).toBe('NOT ready: 2 MUST requirements errored (A-1, A-2)');
    const inconc = summarize(RUN, [must('A-1', 'inconclusive')], opts);
    expect(inconc.ready).toBe(false);
    expect(inconc.readiness).toBe('NOT ready: 1 MUST requirement inconclusive (A-1)');
  });

  it('is not ready when no MUST test passed (all n/a, or none run)', () => {
    const na = summarize(RUN, [must('A-1', 'not-applicable')], opts);
    expect(na.ready).toBe(false);
    expect(na.readiness).toBe('NOT ready: no MUST requirement passed (1 MUST test not applicable)');
    const none = summarize(RUN, fixtureResults().filter((r) => r.level !== 'MUST'), opts);
    expect(none.ready).toBe(false);
    expect(none.readiness).toBe('NOT ready: no MUST requirement was tested');
    expect(summarize(RUN, [], opts).ready).toBe(false);
  });

  it('lists at most six ids and counts the rest', () => {
    const results = Array.from({ length: 9 }, (_, i) => must(`X-${i + 1}`, 'fail'));
    expect(summarize(RUN, results, opts).readiness).toBe('NOT ready: 9 MUST requirements failed (X-1, X-2, X-3, X-4, X-5, X-6, +3 more)');
  });
});

describe('SummaryJsonReporter', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes summary.json with the summary, the run and per-suite durations', async () => {
    dir = tempReportDir();
    const reporter = new SummaryJsonReporter(dir, () => new Date('2025-01-02T03:10:00.000Z'));
    const results = fixtureResults();
    const summary = await drive(reporter, results);
    const file = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryFile;
    expect(file.readiness).toBe(summary.readiness);
    expect(file.counts).toEqual(summary.counts);
    expect(file.status).toBe('not-ready');
    expect(file.run).toMatchObject({
      board: 'virtual',
      boardKind: 'virtual',
      core: RUN.core,
      sixlabVersion: '0.1.0',
      selection: RUN.selection,
      startedAt: RUN.startedAt,
      finishedAt: '2025-01-02T03:10:00.000Z',
      total: 12,
      executed: 12,
    });
    const nd = results.filter((r) => r.suite === 'nd');
    expect(file.suites.nd).toEqual({
      tests: 2,
      durationMs: nd.reduce((s, r) => s + r.durationMs, 0),
      boardMs: nd.reduce((s, r) => s + r.boardMs, 0),
    });
    expect(Object.keys(file.suites).sort()).toEqual(Object.keys(summary.bySuite).sort());
  });

  it('refuses to end a run it did not see begin', () => {
    dir = tempReportDir();
    const reporter = new SummaryJsonReporter(dir);
    expect(() => reporter.onEnd(summarize(RUN, [], opts), [])).toThrow(/before onBegin/);
  });
});
