// Runs a selection of tests against one board: for each, a device in a known
// state, the body under a timeout, a verdict with its evidence, and every
// reporter told as soon as the test ends (so a crash or Ctrl-C loses nothing
// already measured). A device that crashes or reboots mid-test gives that test
// an error verdict and the run goes on.
import { describeFrame } from './describe.js';
import { TestContext } from './context.js';
import { DEFAULT_TEST_MS, testInfo, type TestCase } from './define.js';
import type { Session, SessionFrame } from './session.js';
import { Fail, Inconclusive, NotApplicable } from './verdicts.js';
import type { EvidenceFrame, Reporter, RunInfo, RunSummary, TestResult, Verdict } from './types.js';

export interface RunOptions {
  bail?: boolean;
  /** Aborts the run (Ctrl-C): the test under way ends as an error, the rest are not run. */
  signal?: AbortSignal;
  /** Real-time boards: also run the tests that need more than the board's maxTestMs of real time. */
  long?: boolean;
  /** Keep every frame as evidence (default true); without, only the device's frames are read, to check they decode. */
  evidence?: boolean;
  /** Seed for every test's device (mixed with the test's id). */
  seed?: number;
}

export interface RunOutcome {
  results: TestResult[];
  interrupted: boolean;
  durationMs: number;
  boardMs: number;
}

interface Recorded {
  frame: SessionFrame;
  n: number;
}

/** Board-clock time a device gets to boot before the test body starts (classic DAD of its link-local takes up to ~2 s). */
export const VIRTUAL_SETTLE_MS = 3000;

export class Runner {
  private n = 0;
  private readonly numbers = new WeakMap<Uint8Array, number>();
  private current: Recorded[] = [];
  private pendingComment?: string;

  constructor(private readonly session: Session, private readonly reporters: Reporter[]) {
    session.onFrame((f) => this.frame(f));
  }

  private frame(f: SessionFrame): void {
    const n = ++this.n;
    this.numbers.set(f.psdu, n);
    this.current.push({ frame: f, n });
    const comment = [this.pendingComment, f.comment].filter(Boolean).join('; ') || undefined;
    this.pendingComment = undefined;
    const timestampUs = BigInt(Math.round((this.session.epochMs + f.runMs) * 1000));
    for (const r of this.reporters) r.onFrame?.({ n, timestampUs, psdu: f.psdu, direction: f.direction, comment });
  }

  async run(run: RunInfo, tests: TestCase[], options: RunOptions = {}): Promise<RunOutcome> {
    const started = performance.now();
    let boardMs = 0;
    const results: TestResult[] = [];
    for (const r of this.reporters) await r.onBegin?.(run, tests.map(testInfo));
    let interrupted = false;
    for (let i = 0; i < tests.length; i++) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      const test = tests[i];
      for (const r of this.reporters) await r.onTestBegin?.(testInfo(test), i);
      const result = await this.runOne(test, testSeed(test.id, options.seed ?? 1), options.signal, options.evidence ?? true, options.long ?? false);
      boardMs += result.boardMs;
      results.push(result);
      for (const r of this.reporters) await r.onTestEnd?.(result, i);
      if (options.signal?.aborted) interrupted = true;
      if (interrupted || (options.bail && (result.verdict === 'fail' || result.verdict === 'error'))) break;
    }
    return { results, interrupted, durationMs: performance.now() - started, boardMs };
  }

  private async runOne(test: TestCase, seed: number, signal: AbortSignal | undefined, keepEvidence: boolean, long: boolean): Promise<TestResult> {
    const wallStart = performance.now();
    const startedAt = new Date().toISOString();
    const base = { ...testInfo(test), notes: [] as string[], startedAt, frames: [] as EvidenceFrame[] };
    const missing = test.needs.filter((n) => !this.session.needs.has(n));
    if (missing.length) {
      return { ...base, verdict: 'not-applicable', reason: `board ${this.session.board.name} lacks: ${missing.join(', ')}`, durationMs: 0, boardMs: 0 };
    }
    const maxMs = this.session.board.timeouts?.maxTestMs ?? 120_000;
    if (this.session.kind !== 'virtual' && !long && (test.timeoutMs ?? DEFAULT_TEST_MS) > maxMs) {
      const minutes = Math.ceil((test.timeoutMs ?? DEFAULT_TEST_MS) / 60_000);
      return { ...base, verdict: 'not-applicable', reason: `needs about ${minutes} min of real time on this board (more than its maxTestMs); run with --long`, durationMs: 0, boardMs: 0 };
    }
    this.current = [];
    this.pendingComment = `TEST ${test.id} ${test.title}`;
    let verdict: Verdict = 'pass';
    let reason: string | undefined;
    let finding: TestResult['finding'];
    let ctx: TestContext | undefined;
    let boardStart = 0;
    try {
      await this.session.begin({ seed, shortSource: test.shortSource });
      boardStart = this.session.clock.now();
      ctx = new TestContext(this.session, (p) => this.numbers.get(p), test.shortSource);
      const c = ctx;
      const body = async () => {
        if (this.session.kind === 'virtual') await c.sleep(VIRTUAL_SETTLE_MS);
        else await c.sleep(this.session.board.timeouts?.bootMs ?? 0);
        c.mark();
        await test.run(c);
      };
      await withLimits(body(), this.wallLimit(test), signal);
    } catch (err) {
      ({ verdict, reason, finding } = classify(err));
    }
    const trouble = this.session.trouble();
    if (trouble && verdict !== 'error') {
      verdict = 'error';
      reason = `${trouble}${reason ? ` (the test had said: ${reason})` : ''}`;
      finding = undefined;
    }
    const boardMs = ctx ? this.session.clock.now() - boardStart : 0;
    const frames = this.evidence(ctx, boardStart, keepEvidence);
    const undecodable = frames.filter((f) => f.direction === 'in' && f.undecodable);
    if (undecodable.length && verdict === 'pass') {
      verdict = 'fail';
      finding = {
        rule: 'RFC 6282 §3, RFC 4944 §5', expected: 'every frame the device sends decodes',
        seen: `${undecodable.length} frame(s) the tester cannot decode: ${undecodable[0].undecodable}`, frames: undecodable.map((f) => f.n),
      };
      reason = `${finding.rule}: ${finding.seen}`;
    }
    ctx?.close();
    try {
      await this.session.end();
    } catch (err) {
      if (verdict !== 'error') {
        verdict = 'error';
        reason = `the board did not come back after the test: ${(err as Error).message}`;
      }
    }
    return {
      ...base, verdict, reason, finding, notes: ctx?.notes ?? [], durationMs: performance.now() - wallStart, boardMs, frames,
    };
  }

  private wallLimit(test: TestCase): number {
    const testMs = this.session.board.timeouts?.testMs ?? 60_000;
    if (this.session.kind === 'virtual') return testMs; // virtual time costs (almost) no wall time
    return Math.max(testMs, (test.timeoutMs ?? DEFAULT_TEST_MS) * 1.5) + (this.session.board.timeouts?.bootMs ?? 0) + 5000;
  }

  /** The test's frames as evidence: data frames decoded with the contexts the tester knew by the end. */
  private evidence(ctx: TestContext | undefined, boardStart: number, all: boolean): EvidenceFrame[] {
    const contexts = ctx?.tester.contexts ?? new Map();
    return this.current.filter((r) => !isAck(r.frame.psdu) && (all || r.frame.direction === 'in')).map((r) => {
      const d = describeFrame(r.frame.psdu, contexts);
      return {
        n: r.n, at: Math.round((r.frame.at - boardStart) * 1000) / 1000, direction: r.frame.direction,
        station: r.frame.direction === 'in' ? 'device' : 'tester', hex: Buffer.from(r.frame.psdu).toString('hex'),
        summary: d.summary, detail: d.detail, undecodable: d.undecodable, comment: r.frame.comment,
      };
    });
  }
}

/** A test's device seed from its id: a test runs the same whatever else is selected. */
export function testSeed(id: string, base: number): number {
  let h = 2166136261 ^ base;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) || 1;
}

function isAck(psdu: Uint8Array): boolean {
  return psdu.length >= 3 && (psdu[0] & 7) === 2;
}

function classify(err: unknown): { verdict: Verdict; reason: string; finding?: TestResult['finding'] } {
  if (err instanceof Fail) return { verdict: 'fail', reason: err.message, finding: err.finding };
  if (err instanceof Inconclusive) return { verdict: 'inconclusive', reason: err.message };
  if (err instanceof NotApplicable) return { verdict: 'not-applicable', reason: err.message };
  const e = err as Error;
  if (process.env.SIXLAB_DEBUG) console.error(e?.stack);
  return { verdict: 'error', reason: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`.split('\n')[0] };
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`the test did not finish within ${ms} ms of wall time`);
    this.name = 'Timeout';
  }
}

class InterruptedError extends Error {
  constructor() {
    super('interrupted (Ctrl-C)');
    this.name = 'Interrupted';
  }
}

async function withLimits<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limits = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
    onAbort = () => reject(new InterruptedError());
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => {}); // a body abandoned after a timeout must not crash the process
  try {
    return await Promise.race([work, limits]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

export type { RunSummary };
