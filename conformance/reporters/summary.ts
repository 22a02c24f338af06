// The run's summary: counts by verdict, suite and level, and the IPv6
// readiness verdict (every MUST requirement met), plus summary.json.
import { join } from 'node:path';
import {
  LEVELS,
  SUITES,
  VERDICTS,
  type Level,
  type Reporter,
  type RunInfo,
  type RunSummary,
  type TestInfo,
  type TestResult,
  type Verdict,
} from '../framework/types.js';
import { plural, writeFileAtomic } from './util.js';

export interface SummarizeOptions {
  durationMs: number;
  boardMs: number;
  interrupted: boolean;
}

/** ready / not ready / incomplete (an interrupted run), for the reports' headline. */
export type Readiness = 'ready' | 'not-ready' | 'incomplete';

export function readinessOf(summary: Pick<RunSummary, 'ready' | 'interrupted'>): Readiness {
  if (summary.interrupted) return 'incomplete';
  return summary.ready ? 'ready' : 'not-ready';
}

export function emptyCounts(): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
}

/** Ids listed in the readiness line at most; the rest are counted. */
const MAX_IDS = 6;

function idList(ids: string[]): string {
  const shown = ids.slice(0, MAX_IDS).join(', ');
  return ids.length > MAX_IDS ? `${shown}, +${ids.length - MAX_IDS} more` : shown;
}

export function summarize(run: RunInfo, results: TestResult[], opts: SummarizeOptions): RunSummary {
  const counts = emptyCounts();
  const bySuite: Record<string, Record<Verdict, number>> = {};
  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, emptyCounts()])) as Record<Level, Record<Verdict, number>>;
  // Suites in the catalogue's order, then any others in the order first seen.
  const order = (s: string) => {
    const i = (SUITES as readonly string[]).indexOf(s);
    return i < 0 ? SUITES.length : i;
  };
  const suites = [...new Set(results.map((r) => r.suite as string))].sort((a, b) => order(a) - order(b));
  for (const s of suites) bySuite[s] = emptyCounts();
  for (const r of results) {
    counts[r.verdict]++;
    bySuite[r.suite][r.verdict]++;
    (byLevel[r.level] ??= emptyCounts())[r.verdict]++;
  }

  const must = results.filter((r) => r.level === 'MUST');
  const ids = (v: Verdict) => must.filter((r) => r.verdict === v).map((r) => r.id);
  const failed = ids('fail');
  const errored = ids('error');
  const inconclusive = ids('inconclusive');
  const passed = ids('pass').length;
  const notApplicable = ids('not-applicable').length;

  const warnings = results
    .filter((r) => r.level === 'SHOULD' && r.verdict !== 'pass' && r.verdict !== 'not-applicable')
    .map((r) => ({ id: r.id, title: r.title, verdict: r.verdict, ...(r.reason !== undefined ? { reason: r.reason } : {}) }));

  const problems: string[] = [];
  if (failed.length) problems.push(`${plural(failed.length, 'MUST requirement')} failed (${idList(failed)})`);
  if (errored.length) problems.push(`${problems.length ? errored.length : plural(errored.length, 'MUST requirement')} errored (${idList(errored)})`);
  if (inconclusive.length) {
    problems.push(`${problems.length ? inconclusive.length : plural(inconclusive.length, 'MUST requirement')} inconclusive (${idList(inconclusive)})`);
  }
  const warningText = warnings.length ? plural(warnings.length, 'SHOULD warning') : '';

  const ready = !opts.interrupted && problems.length === 0 && passed > 0;
  let readiness: string;
  if (opts.interrupted) {
    readiness = `IPv6 readiness incomplete: the run was interrupted after ${results.length} of ${plural(run.total, 'test')}`;
    if (problems.length) readiness += `; already NOT ready: ${problems.join(', ')}`;
  } else if (ready) {
    const extra = [notApplicable ? `${notApplicable} not applicable` : '', warningText].filter(Boolean).join('; ');
    readiness = `IPv6 ready: all ${plural(passed, 'MUST requirement')} met${extra ? ` (${extra})` : ''}`;
  } else if (problems.length) {
    readiness = `NOT ready: ${problems.join(', ')}`;
  } else if (must.length === 0) {
    readiness = 'NOT ready: no MUST requirement was tested';
  } else {
    readiness = `NOT ready: no MUST requirement passed (${plural(notApplicable, 'MUST test')} not applicable)`;
  }

  return {
    board: run.board,
    counts,
    bySuite,
    byLevel,
    ready,
    readiness,
    warnings,
    durationMs: opts.durationMs,
    boardMs: opts.boardMs,
    interrupted: opts.interrupted,
    ...(run.core !== undefined ? { core: run.core } : {}),
    sixlabVersion: run.sixlabVersion,
    faults: run.faults,
  };
}

/** Wall-clock and board-clock time spent per suite. */
export function suiteDurations(results: TestResult[]): Record<string, { tests: number; durationMs: number; boardMs: number }> {
  const out: Record<string, { tests: number; durationMs: number; boardMs: number }> = {};
  for (const r of results) {
    const s = (out[r.suite] ??= { tests: 0, durationMs: 0, boardMs: 0 });
    s.tests++;
    s.durationMs += r.durationMs;
    s.boardMs += r.boardMs;
  }
  return out;
}

/** The content of summary.json. */
export interface SummaryFile extends RunSummary {
  status: Readiness;
  run: {
    board: string;
    boardKind: string;
    boardDescription?: string;
    faults: string[];
    core?: RunInfo['core'];
    sixlabVersion: string;
    selection: RunInfo['selection'];
    startedAt: string;
    finishedAt: string;
    total: number;
    executed: number;
  };
  suites: Record<string, { tests: number; durationMs: number; boardMs: number }>;
}

/** Writes summary.json in the report directory at the end of the run. */
export class SummaryJsonReporter implements Reporter {
  readonly name = 'summary-json';
  private run: RunInfo | undefined;

  constructor(
    private readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get path(): string {
    return join(this.dir, 'summary.json');
  }

  onBegin(run: RunInfo, _tests: TestInfo[]): void {
    this.run = run;
  }

  onEnd(summary: RunSummary, results: TestResult[]): void {
    const run = this.run;
    if (!run) throw new Error('onEnd before onBegin');
    const file: SummaryFile = {
      ...summary,
      status: readinessOf(summary),
      run: {
        board: run.board,
        boardKind: run.boardKind,
        ...(run.boardDescription !== undefined ? { boardDescription: run.boardDescription } : {}),
        faults: run.faults,
        ...(run.core !== undefined ? { core: run.core } : {}),
        sixlabVersion: run.sixlabVersion,
        selection: run.selection,
        startedAt: run.startedAt,
        finishedAt: this.now().toISOString(),
        total: run.total,
        executed: results.length,
      },
      suites: suiteDurations(results),
    };
    writeFileAtomic(this.path, JSON.stringify(file, null, 2) + '\n');
  }
}
