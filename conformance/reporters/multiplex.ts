// Calls every reporter's hooks in order, awaiting each; a reporter that throws
// (or rejects) is reported once on stderr and dropped, and the run goes on.
import type { Reporter, RunFrame, RunInfo, RunSummary, TestInfo, TestResult } from '../framework/types.js';
import { errorMessage } from './util.js';

export interface DroppedReporter {
  name: string;
  hook: string;
  error: unknown;
}

export class Reporters implements Reporter {
  readonly name = 'reporters';
  private active: Reporter[];
  /** Reporters dropped after a failure, with the hook that failed. */
  readonly dropped: DroppedReporter[] = [];

  constructor(
    reporters: Reporter[],
    private readonly stderr: { write(text: string): unknown } = process.stderr,
  ) {
    this.active = [...reporters];
  }

  /** The reporters still running. */
  get reporters(): readonly Reporter[] {
    return this.active;
  }

  private drop(r: Reporter, hook: string, error: unknown): void {
    if (!this.active.includes(r)) return;
    this.active = this.active.filter((x) => x !== r);
    this.dropped.push({ name: r.name, hook, error });
    try {
      this.stderr.write(`reporter ${r.name} failed: ${errorMessage(error)} (in ${hook}; its output is incomplete)\n`);
    } catch {
      // nowhere left to say it
    }
  }

  private async each(hook: string, call: (r: Reporter) => void | Promise<void> | undefined): Promise<void> {
    for (const r of [...this.active]) {
      try {
        await call(r);
      } catch (e) {
        this.drop(r, hook, e);
      }
    }
  }

  onBegin(run: RunInfo, tests: TestInfo[]): Promise<void> {
    return this.each('onBegin', (r) => r.onBegin?.(run, tests));
  }

  onTestBegin(test: TestInfo, index: number): Promise<void> {
    return this.each('onTestBegin', (r) => r.onTestBegin?.(test, index));
  }

  /** Synchronous, as frames come: a hook that returns a promise has it watched for rejection, not awaited. */
  onFrame(frame: RunFrame): void {
    for (const r of [...this.active]) {
      try {
        const p: unknown = r.onFrame?.(frame);
        if (p instanceof Promise) p.catch((e: unknown) => this.drop(r, 'onFrame', e));
      } catch (e) {
        this.drop(r, 'onFrame', e);
      }
    }
  }

  onTestEnd(result: TestResult, index: number): Promise<void> {
    return this.each('onTestEnd', (r) => r.onTestEnd?.(result, index));
  }

  onEnd(summary: RunSummary, results: TestResult[]): Promise<void> {
    return this.each('onEnd', (r) => r.onEnd?.(summary, results));
  }
}
