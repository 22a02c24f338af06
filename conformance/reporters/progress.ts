// Progress on the terminal: a live bar on a TTY (failures printed above it as
// they happen), one plain line per test otherwise; then the counts, the
// readiness line and where report.html is.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { VERDICTS, type Reporter, type RunInfo, type RunSummary, type TestInfo, type TestResult, type Verdict } from '../framework/types.js';
import { readinessOf, type Readiness } from './summary.js';
import { formatDuration, plural, terminalSafe as safe, VERDICT_LABEL } from './util.js';

export interface ProgressOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Live bar (true) or one line per test (false); default: whether the stream is a TTY. */
  tty?: boolean;
  /** Where report.html is written, printed at the end. */
  reportDir?: string;
  /** Colour; default: a TTY and NO_COLOR unset or empty. Never colour when not a TTY. */
  color?: boolean;
  /** Environment read for NO_COLOR (default process.env). */
  env?: Record<string, string | undefined>;
}

const SGR: Record<Verdict | Readiness, string> = {
  pass: '32',
  fail: '31',
  error: '35',
  inconclusive: '33',
  'not-applicable': '90',
  ready: '1;32',
  'not-ready': '1;31',
  incomplete: '1;33',
};

const COUNT_WORD: Record<Verdict, string> = {
  pass: 'passed',
  fail: 'failed',
  error: 'errored',
  inconclusive: 'inconclusive',
  'not-applicable': 'not applicable',
};

const LABEL_WIDTH = Math.max(...Object.values(VERDICT_LABEL).map((l) => l.length)) + 1;
const INDENT = ' '.repeat(LABEL_WIDTH);

export class ProgressReporter implements Reporter {
  readonly name = 'progress';
  private readonly stream: ProgressOptions['stream'];
  private readonly tty: boolean;
  private readonly color: boolean;
  private readonly reportDir: string | undefined;
  private multibar: cliProgress.MultiBar | undefined;
  private bar: cliProgress.SingleBar | undefined;
  private idWidth = 0;
  private counts = { pass: 0, fail: 0, other: 0 };

  constructor(opts: ProgressOptions) {
    this.stream = opts.stream;
    this.tty = opts.tty ?? opts.stream.isTTY === true;
    const env = opts.env ?? process.env;
    this.color = this.tty && (opts.color ?? !env.NO_COLOR);
    this.reportDir = opts.reportDir;
  }

  private paint(code: string, text: string): string {
    return this.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  private write(line: string): void {
    if (this.multibar) this.multibar.log(line + '\n');
    else this.stream.write(line + '\n');
  }

  onBegin(run: RunInfo, tests: TestInfo[]): void {
    const total = tests.length || run.total;
    this.idWidth = Math.min(24, Math.max(0, ...tests.map((t) => safe(t.id).length)));
    this.counts = { pass: 0, fail: 0, other: 0 };
    const faults = run.faults.length ? run.faults.join(', ') : 'none';
    this.stream.write(safe(`sixlab ${run.sixlabVersion}: ${plural(total, 'test')} on ${run.board} (${run.boardKind}), faults: ${faults}`) + '\n');
    if (!this.tty) return;
    this.multibar = new cliProgress.MultiBar(
      {
        stream: this.stream as NodeJS.WritableStream,
        format: `{bar} {value}/{total}  {id}  ${this.paint(SGR.pass, 'pass {pass}')}  ${this.paint(SGR.fail, 'fail {fail}')}  other {other}`,
        barsize: 30,
        hideCursor: false,
        clearOnComplete: true,
        gracefulExit: false,
        noTTYOutput: this.stream.isTTY !== true, // tty asked for on a stream that is not one: draw anyway
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.multibar.create(total, 0, { id: '', ...this.counts });
  }

  onTestBegin(test: TestInfo, _index: number): void {
    this.bar?.update({ id: safe(test.id) });
  }

  onTestEnd(r: TestResult, _index: number): void {
    if (r.verdict === 'pass') this.counts.pass++;
    else if (r.verdict === 'fail') this.counts.fail++;
    else this.counts.other++;
    const label = this.paint(SGR[r.verdict] ?? '0', (VERDICT_LABEL[r.verdict] ?? safe(r.verdict)).padEnd(LABEL_WIDTH));
    const line = `${label}${safe(r.id).padEnd(this.idWidth)}  ${safe(r.title)}  (${formatDuration(r.durationMs)})`;
    if (this.bar) {
      this.bar.increment(1, { id: safe(r.id), ...this.counts });
      if (r.verdict !== 'pass' && r.verdict !== 'not-applicable') this.write(line + this.reasonLines(r));
      return;
    }
    this.write(line + this.reasonLines(r));
  }

  private reasonLines(r: TestResult): string {
    if (r.verdict !== 'fail' && r.verdict !== 'error' && r.verdict !== 'inconclusive') return '';
    const f = r.finding;
    let out = `\n${INDENT}${safe(r.reason ?? f?.rule ?? 'no reason given')}`;
    if (r.verdict === 'fail' && f) {
      const frames = f.frames.length ? ` (frames ${f.frames.map((n) => `#${n}`).join(', ')})` : '';
      out += `\n${INDENT}${safe(`expected ${f.expected}; seen ${f.seen}${frames}`)}`;
    }
    return out;
  }

  onEnd(summary: RunSummary, results: TestResult[]): void {
    if (this.multibar) {
      this.multibar.update(); // flush lines logged since the last redraw
      this.multibar.stop();
      this.multibar = undefined;
      this.bar = undefined;
    }
    const counts = VERDICTS.filter((v) => summary.counts[v] > 0)
      .map((v) => this.paint(SGR[v], `${summary.counts[v]} ${COUNT_WORD[v]}`))
      .join(', ');
    const ran = `${plural(results.length, 'test')} in ${formatDuration(summary.durationMs)}`;
    const lines = [`${summary.interrupted ? `interrupted: ${ran}` : ran}${counts ? `: ${counts}` : ''}`];
    lines.push(this.paint(SGR[readinessOf(summary)], safe(summary.readiness)));
    if (this.reportDir !== undefined) {
      const report = join(this.reportDir, 'report.html');
      lines.push(`report: ${safe(report)}${existsSync(report) ? '' : ' (not written)'}`);
    }
    this.stream.write(lines.join('\n') + '\n');
  }
}
