import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { JsonLinesReporter, parseJsonLines } from './jsonl.js';
import { drive, fixtureResults, HOSTILE_SUMMARY, infoOf, RUN, tempReportDir } from './test-util.js';

describe('JsonLinesReporter', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('has each result on disk, frames included, as soon as the test ends (before onEnd)', async () => {
    dir = tempReportDir();
    const path = join(dir, 'results.jsonl');
    const reporter = new JsonLinesReporter(dir);
    const results = fixtureResults();
    reporter.onBegin(RUN, results.map(infoOf));
    expect(readFileSync(path, 'utf8')).toBe('');
    for (const [i, r] of results.slice(0, 3).entries()) {
      reporter.onTestEnd(r, i);
      const lines = readFileSync(path, 'utf8').split('\n');
      expect(lines).toHaveLength(i + 2); // i+1 lines and the empty string after the last newline
      expect(JSON.parse(lines[i])).toEqual(r);
    }
    // the hostile frame summary, control characters included, survives the round trip
    const back = parseJsonLines(readFileSync(path, 'utf8'));
    expect(back[1].frames[1].summary).toBe(HOSTILE_SUMMARY);
    expect(back[1].finding?.frames).toEqual([4]);
  });

  it('writes one line per result over a whole run, in order', async () => {
    dir = tempReportDir();
    const results = fixtureResults();
    await drive(new JsonLinesReporter(dir), results);
    const text = readFileSync(join(dir, 'results.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n')).toHaveLength(12);
    expect(parseJsonLines(text)).toEqual(results);
    expect(parseJsonLines(text).reduce((n, r) => n + r.frames.length, 0)).toBe(13);
  });

  it('creates the report directory', async () => {
    dir = tempReportDir();
    const nested = join(dir, 'a', 'b');
    await drive(new JsonLinesReporter(nested), fixtureResults().slice(0, 1));
    expect(existsSync(join(nested, 'results.jsonl'))).toBe(true);
  });

  it('refuses a result before onBegin', () => {
    dir = tempReportDir();
    expect(() => new JsonLinesReporter(dir).onTestEnd(fixtureResults()[0], 0)).toThrow(/before onBegin/);
  });
});

describe('parseJsonLines', () => {
  it('ignores a last line cut short by a killed run, but not a bad line in the middle', () => {
    const [a, b] = fixtureResults();
    const good = JSON.stringify(a) + '\n' + JSON.stringify(b) + '\n';
    expect(parseJsonLines(good + '{"id":"LOW')).toHaveLength(2);
    expect(() => parseJsonLines('{"id":\n' + good)).toThrow(/line 1/);
  });
});
