import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { readPcapng } from '../../host/capture/pcapng.js';
import { parseJsonLines, Reporters, standardReporters } from './index.js';
import { drive, fixtureResults, tempReportDir } from './test-util.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

describe('standardReporters', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the evidence first and the terminal last', () => {
    dir = tempReportDir();
    const names = standardReporters(join(dir, 'r'), { stream: sink().stream, tty: false }).map((r) => r.name);
    expect(names).toEqual(['jsonl', 'capture', 'junit', 'summary-json', 'html', 'progress']);
  });

  it('writes every report of a run, and the terminal points at report.html', async () => {
    dir = tempReportDir();
    const out = sink();
    const err: string[] = [];
    const reportDir = join(dir, 'report');
    const all = new Reporters(standardReporters(reportDir, { stream: out.stream, tty: false }), { write: (s: string) => err.push(s) });
    const results = fixtureResults();
    await drive(all, results);
    expect(err).toEqual([]);
    expect(readdirSync(reportDir).sort()).toEqual(['capture.pcapng', 'junit.xml', 'report.html', 'results.jsonl', 'summary.json']);
    expect(parseJsonLines(readFileSync(join(reportDir, 'results.jsonl'), 'utf8'))).toHaveLength(12);
    expect(readPcapng(new Uint8Array(readFileSync(join(reportDir, 'capture.pcapng')))).packets).toHaveLength(13);
    expect(JSON.parse(readFileSync(join(reportDir, 'summary.json'), 'utf8')).counts.fail).toBe(3);
    expect(readFileSync(join(reportDir, 'junit.xml'), 'utf8')).toContain('<testsuites name="sixlab" tests="12" failures="3" errors="1" skipped="4"');
    expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).toContain('NOT READY');
    expect(out.text().trimEnd().split('\n').pop()).toBe(`report: ${join(reportDir, 'report.html')}`);
  });
});
