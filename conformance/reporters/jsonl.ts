// results.jsonl: one JSON line per test result, frames included (they are the
// evidence), written and fsynced as each test ends so a killed run keeps them.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, RunInfo, RunSummary, TestInfo, TestResult } from '../framework/types.js';

export class JsonLinesReporter implements Reporter {
  readonly name = 'jsonl';
  private fd: number | undefined;

  constructor(private readonly dir: string) {}

  get path(): string {
    return join(this.dir, 'results.jsonl');
  }

  onBegin(_run: RunInfo, _tests: TestInfo[]): void {
    mkdirSync(this.dir, { recursive: true });
    this.fd = openSync(this.path, 'w');
  }

  onTestEnd(result: TestResult, _index: number): void {
    if (this.fd === undefined) throw new Error('test ended before onBegin (or after onEnd)');
    const line = Buffer.from(JSON.stringify(result) + '\n', 'utf8');
    let at = 0;
    while (at < line.length) at += writeSync(this.fd, line, at, line.length - at);
    fsyncSync(this.fd);
  }

  onEnd(_summary: RunSummary, _results: TestResult[]): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fsyncSync(fd);
    closeSync(fd);
  }
}

/** Reads results.jsonl back (a trailing partial line, from a run killed mid-write, is ignored). */
export function parseJsonLines(text: string): TestResult[] {
  const lines = text.split('\n');
  const out: TestResult[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]) continue;
    try {
      out.push(JSON.parse(lines[i]) as TestResult);
    } catch (e) {
      if (i === lines.length - 1) break; // the last line, not newline-terminated: cut short
      throw new Error(`results.jsonl line ${i + 1}: ${(e as Error).message}`);
    }
  }
  return out;
}
