// junit.xml for CI systems: one <testsuite> per suite, one <testcase> per test;
// fail -> <failure>, error -> <error>, inconclusive and not applicable -> <skipped>.
import { join } from 'node:path';
import type { Reporter, RunInfo, RunSummary, TestInfo, TestResult } from '../framework/types.js';
import { escapeXml, VERDICT_WORD, writeFileAtomic } from './util.js';

const attr = (v: unknown) => escapeXml(v, true);
const text = (v: unknown) => escapeXml(v, false);
const seconds = (ms: number) => (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);

function property(name: string, value: unknown): string {
  return `<property name="${attr(name)}" value="${attr(value)}"/>`;
}

function failureBody(r: TestResult): string {
  const lines: string[] = [];
  if (r.reason) lines.push(r.reason);
  const f = r.finding;
  if (f) {
    lines.push(`rule: ${f.rule}`, `expected: ${f.expected}`, `seen: ${f.seen}`, `frames: ${f.frames.join(', ') || 'none'}`);
    for (const n of f.frames) {
      const frame = r.frames.find((x) => x.n === n);
      if (frame) lines.push(`  #${frame.n} ${frame.direction} ${frame.summary}`);
    }
  }
  return lines.join('\n');
}

function testcase(r: TestResult): string {
  const out: string[] = [];
  out.push(`    <testcase classname="${attr(`sixlab.${r.suite}`)}" name="${attr(`${r.id} ${r.title}`)}" time="${seconds(r.durationMs)}">`);
  const props = [property('verdict', r.verdict), property('ref', r.ref), property('level', r.level)];
  for (const s of r.spec) props.push(property('spec', s));
  for (const n of r.needs) props.push(property('needs', n));
  out.push(`      <properties>${props.join('')}</properties>`);
  const message = r.reason ?? r.finding?.rule ?? VERDICT_WORD[r.verdict];
  switch (r.verdict) {
    case 'fail':
      out.push(`      <failure message="${attr(message)}" type="${attr(r.finding?.rule ?? 'fail')}">${text(failureBody(r))}</failure>`);
      break;
    case 'error':
      out.push(`      <error message="${attr(message)}" type="error">${text(failureBody(r))}</error>`);
      break;
    case 'inconclusive':
    case 'not-applicable':
      out.push(`      <skipped message="${attr(`${VERDICT_WORD[r.verdict]}${r.reason ? `: ${r.reason}` : ''}`)}"/>`);
      break;
    case 'pass':
      break;
  }
  if (r.notes.length) out.push(`      <system-out>${text(r.notes.join('\n'))}</system-out>`);
  out.push('    </testcase>');
  return out.join('\n');
}

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  ms: number;
}

function tally(results: TestResult[]): Tally {
  const t: Tally = { tests: 0, failures: 0, errors: 0, skipped: 0, ms: 0 };
  for (const r of results) {
    t.tests++;
    if (r.verdict === 'fail') t.failures++;
    else if (r.verdict === 'error') t.errors++;
    else if (r.verdict === 'inconclusive' || r.verdict === 'not-applicable') t.skipped++;
    t.ms += r.durationMs;
  }
  return t;
}

const counts = (t: Tally) =>
  `tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(t.ms)}"`;

/** The junit.xml document for these results. */
export function junitXml(run: RunInfo, results: TestResult[], summary?: RunSummary): string {
  const suites = new Map<string, TestResult[]>();
  for (const r of results) {
    const list = suites.get(r.suite) ?? [];
    list.push(r);
    suites.set(r.suite, list);
  }
  const runProps = [property('board', run.board), property('boardKind', run.boardKind), property('sixlabVersion', run.sixlabVersion)];
  if (run.core?.sha256) runProps.push(property('core.sha256', run.core.sha256));
  if (run.core?.firmware) runProps.push(property('core.firmware', run.core.firmware));
  for (const f of run.faults) runProps.push(property('fault', f));
  if (summary) runProps.push(property('readiness', summary.readiness));

  const all = tally(results);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="sixlab" ${counts(all)} timestamp="${attr(run.startedAt)}">`);
  for (const [name, list] of suites) {
    out.push(`  <testsuite name="${attr(name)}" ${counts(tally(list))} timestamp="${attr(list[0].startedAt)}">`);
    out.push(`    <properties>${runProps.join('')}</properties>`);
    for (const r of list) out.push(testcase(r));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

/** Writes junit.xml in the report directory at the end of the run. */
export class JunitReporter implements Reporter {
  readonly name = 'junit';
  private run: RunInfo | undefined;

  constructor(private readonly dir: string) {}

  get path(): string {
    return join(this.dir, 'junit.xml');
  }

  onBegin(run: RunInfo, _tests: TestInfo[]): void {
    this.run = run;
  }

  onEnd(summary: RunSummary, results: TestResult[]): void {
    if (!this.run) throw new Error('onEnd before onBegin');
    writeFileAtomic(this.path, junitXml(this.run, results, summary));
  }
}
