// sixlab test / list-tests: run the conformance suites against a board and
// write the reports a lab files (conformance/README.md). The board is opened
// before anything is written; an existing report folder is never overwritten
// without --force; Ctrl-C stops cleanly and keeps every result so far.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import '../../conformance/suites/index.js';
import { allTests, selectTests, testInfo, type TestCase } from '../../conformance/framework/define.js';
import { Runner } from '../../conformance/framework/runner.js';
import { openSession } from '../../conformance/framework/session.js';
import { LEVELS, SUITES, type Level, type RunInfo } from '../../conformance/framework/types.js';
import { Reporters, standardReporters, summarize } from '../../conformance/reporters/index.js';
import { loadBoard } from '../board/board-config.js';
import { faultNames } from '../board/faults.js';
import { SIXLAB_VERSION } from './version.js';
import { UsageError } from './usage-error.js';
import type { Command } from 'commander';
import { collect } from './context-option.js';

export interface TestOptions {
  board: string;
  suite: string[];
  grep?: string;
  level?: string;
  fault: string[];
  core?: string;
  reportDir?: string;
  bail?: boolean;
  json?: boolean;
  force?: boolean;
  long?: boolean;
}

export const EXIT_INTERRUPTED = 130;

function checkSelection(o: { suite: string[]; grep?: string; level?: string }): { level?: Level } {
  for (const s of o.suite) {
    if (!(SUITES as readonly string[]).includes(s)) throw new UsageError(`--suite ${s}: unknown suite; known: ${SUITES.join(', ')}`);
  }
  if (o.grep !== undefined) {
    try {
      new RegExp(o.grep, 'i');
    } catch (err) {
      throw new UsageError(`--grep ${o.grep}: not a regular expression (${(err as Error).message})`);
    }
  }
  const level = o.level?.toUpperCase();
  if (level !== undefined && !(LEVELS as readonly string[]).includes(level)) throw new UsageError(`--level ${o.level}: expected MUST, SHOULD or MAY`);
  return { level: level as Level | undefined };
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
}

/** The report folder: new, or empty, or (with --force) reused. */
function reportFolder(dir: string | undefined, board: string, force: boolean): string {
  const path = resolve(dir ?? join('reports', `${timestamp()}-${board}`));
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new UsageError(`--report-dir ${path}: exists and is not a folder`);
    if (readdirSync(path).length > 0 && !force) throw new UsageError(`--report-dir ${path}: not empty (earlier reports?); use --force to overwrite`);
  }
  return path;
}

export async function testCommand(o: TestOptions): Promise<void> {
  const { level } = checkSelection(o);
  let board;
  try {
    board = loadBoard(o.board);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const known = faultNames();
  for (const f of o.fault) if (!known.includes(f)) throw new UsageError(`--fault ${f}: unknown; known: ${known.join(', ')}`);
  if (o.core && !existsSync(o.core)) throw new UsageError(`--core ${o.core}: no such file`);
  const tests = selectTests(allTests(), { suites: o.suite, grep: o.grep, level });
  if (tests.length === 0) throw new UsageError('no test matches the selection (see `sixlab list-tests`)');
  const dir = reportFolder(o.reportDir, board.name, o.force ?? false);
  // The board first: a missing device must not leave an empty report behind.
  const session = await openSession(board, { faults: o.fault, corePath: o.core }).catch((err: Error) => {
    throw new UsageError(`board ${board.name}: ${err.message.replace(/^sixlab: /, '')}`);
  });
  mkdirSync(dir, { recursive: true });
  const stream = o.json ? process.stderr : process.stdout;
  const reporters = new Reporters(standardReporters(dir, { stream, tty: !o.json && Boolean(process.stdout.isTTY) }).filter((r) => !(o.json && r.name === 'progress')));
  const jsonOut = o.json ? [{ name: 'json', onTestEnd: (r: unknown) => void process.stdout.write(JSON.stringify(r) + '\n') }] : [];
  const run: RunInfo = {
    board: board.name, boardKind: board.link.kind, boardDescription: board.description, faults: o.fault, core: session.core,
    sixlabVersion: SIXLAB_VERSION, startedAt: new Date().toISOString(), selection: { suites: o.suite, grep: o.grep, level }, total: tests.length,
  };
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const runner = new Runner(session, [reporters, ...jsonOut]);
    const out = await runner.run(run, tests, { bail: o.bail, signal: abort.signal, long: o.long });
    const summary = summarize(run, out.results, { durationMs: out.durationMs, boardMs: out.boardMs, interrupted: out.interrupted });
    await reporters.onEnd(summary, out.results);
    if (o.json) process.stdout.write(JSON.stringify({ summary, reportDir: dir }) + '\n');
    const bad = out.results.some((r) => r.verdict === 'fail' || r.verdict === 'error' || r.verdict === 'inconclusive');
    process.exitCode = out.interrupted ? EXIT_INTERRUPTED : bad ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await session.close();
  }
  // A test abandoned at its time limit may still hold a timer (a real-time
  // sleep of minutes): the run is over and every report is written, so leave.
  const code = Number(process.exitCode ?? 0);
  process.stdout.write('', () => process.exit(code));
}

export function listTestsCommand(o: { suite: string[]; grep?: string; level?: string; json?: boolean }): void {
  const { level } = checkSelection(o);
  const tests: TestCase[] = selectTests(allTests(), { suites: o.suite, grep: o.grep, level });
  for (const t of tests) {
    if (o.json) {
      process.stdout.write(JSON.stringify({ ...testInfo(t), shortSource: t.shortSource, faults: t.faults }) + '\n');
      continue;
    }
    const spec = t.spec.length ? `  [${t.spec.join(', ')}]` : '';
    const needs = t.needs.length ? `  needs ${t.needs.join(', ')}` : '';
    process.stdout.write(`${t.id.padEnd(14)} ${t.level.padEnd(6)} ${t.suite.padEnd(10)} ${t.ref.padEnd(22)} ${t.title}${spec}${needs}\n`);
  }
  if (!o.json) process.stdout.write(`${tests.length} tests\n`);
}

export function reportPath(dir: string): string {
  return relative(process.cwd(), join(dir, 'report.html')) || 'report.html';
}

/** Declares `test` and `list-tests` on the program. */
export function registerTest(p: Command): void {
  p.command('test')
    .description('run the conformance suites against a board and write the reports (results.jsonl, junit.xml, report.html, capture.pcapng, summary.json)')
    .requiredOption('--board <name>', 'board to test (boards/<name>/board.json)')
    .option('--suite <name>', 'a suite to run (repeatable): lowpan, ipv6, icmpv6, nd, slaac, lowpan-nd, udp, coap, robustness', collect, [])
    .option('--grep <regex>', 'only tests whose id, title or spec ids match')
    .option('--level <level>', 'only tests at this level and above: MUST, SHOULD or MAY')
    .option('--fault <name>', 'virtual boards: make the device misbehave in one named way (repeatable)', collect, [])
    .option('--core <file.wasm>', 'virtual boards: run this build of the core instead of build/sixlab-core.wasm')
    .option('--report-dir <dir>', 'where the reports go (default reports/<time>-<board>/)')
    .option('--force', 'write into a report folder that is not empty')
    .option('--bail', 'stop at the first failure or error')
    .option('--long', 'real-time boards: also run the tests that need more than the board\'s maxTestMs (lifetimes of minutes or hours)')
    .option('--json', 'one JSON line per test result on stdout, then the summary (progress and terminal output off)')
    .addHelpText('after', '\nExit codes: 0 every test passed or was not applicable, 1 a test failed, errored or was inconclusive,\n2 usage or setup error, 130 interrupted (Ctrl-C; the reports so far are kept).')
    .action((opts) => testCommand(opts));

  p.command('list-tests')
    .description('print the conformance tests as implemented')
    .option('--suite <name>', 'a suite to list (repeatable)', collect, [])
    .option('--grep <regex>', 'only tests whose id, title or spec ids match')
    .option('--level <level>', 'only tests at this level and above')
    .option('--json', 'one JSON object per test')
    .action((opts) => listTestsCommand(opts));
}
