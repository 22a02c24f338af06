import { afterEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ProgressReporter } from './progress.js';
import { drive, fixtureResults, tempReportDir } from './test-util.js';

/** A stream that records what is written; isTTY as asked. */
function sink(isTTY: boolean): Writable & { isTTY?: boolean; columns?: number; text(): string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number; text(): string };
  if (isTTY) {
    s.isTTY = true;
    s.columns = 120;
  }
  s.text = () => chunks.join('');
  return s;
}

const SGR = /\x1b\[[0-9;]*m/;
const ESC = /\x1b/;

describe('ProgressReporter, not a TTY', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one aligned line per test as it ends, with reasons under FAIL, ERROR and INCONC', async () => {
    dir = tempReportDir();
    const out = sink(false);
    const reporter = new ProgressReporter({ stream: out, reportDir: dir });
    const results = fixtureResults();
    await drive(reporter, results, { skipEnd: true });
    const lines = out.text().split('\n');
    expect(lines[0]).toBe('sixlab 0.1.0: 12 tests on virtual (virtual), faults: no-ns-reply');
    expect(lines[1]).toBe('PASS   LOWPAN-01  uncompressed IPv6 dispatch (0x41) is accepted  (10 ms)');
    expect(lines[2]).toBe('FAIL   LOWPAN-25  a reserved dispatch is dropped  (11 ms)');
    expect(lines[3]).toBe('       the device answered a frame with a reserved dispatch');
    expect(lines[4]).toBe('       expected no answer; seen an Echo Reply (frames #4)');
    expect(lines[5]).toBe('PASS   IPV6-02    hop limit 64 on sent packets  (12 ms)');
    expect(lines[6]).toBe('INCONC IPV6-09    unknown extension header answered with Parameter Problem  (13 ms)');
    expect(lines[7]).toBe('       the rate limit left no answer to judge');
    expect(lines[8]).toBe('ERROR  ICMPV6-03  Echo Reply to a 1280-octet Echo Request  (14 ms)');
    expect(lines[9]).toBe('       device said <img src=x onerror=alert(2)>');
    expect(lines).toContain('N/A    ND-07      NUD probes a stale neighbor  (17 ms)');
    expect(lines.filter((l) => /^[A-Z/]+ +[A-Z]/.test(l))).toHaveLength(12);
    expect(out.text()).not.toMatch(ESC);
  });

  it('prints the counts, the readiness line and the report path at the end, without colour', async () => {
    dir = tempReportDir();
    writeFileSync(join(dir, 'report.html'), '<!DOCTYPE html>');
    const out = sink(false);
    await drive(new ProgressReporter({ stream: out, reportDir: dir, color: true }), fixtureResults());
    const tail = out.text().trimEnd().split('\n').slice(-3);
    expect(tail[0]).toBe('12 tests in 186 ms: 4 passed, 3 failed, 2 inconclusive, 2 not applicable, 1 errored');
    expect(tail[1]).toBe('NOT ready: 2 MUST requirements failed (LOWPAN-25, ND-06), 1 errored (ICMPV6-03), 1 inconclusive (IPV6-09)');
    expect(tail[2]).toBe(`report: ${join(dir, 'report.html')}`);
    expect(out.text()).not.toMatch(ESC);
  });

  it('says when report.html was not written, and when the run was interrupted', async () => {
    dir = tempReportDir();
    const out = sink(false);
    await drive(new ProgressReporter({ stream: out, reportDir: dir }), fixtureResults().slice(0, 2), { interrupted: true });
    const tail = out.text().trimEnd().split('\n').slice(-3);
    expect(tail[0]).toMatch(/^interrupted: 2 tests in 21 ms: 1 passed, 1 failed$/);
    expect(tail[1]).toBe('IPv6 readiness incomplete: the run was interrupted after 2 of 12 tests; already NOT ready: 1 MUST requirement failed (LOWPAN-25)');
    expect(tail[2]).toBe(`report: ${join(dir, 'report.html')} (not written)`);
  });

  it('never passes escape sequences from the data to the terminal', async () => {
    const out = sink(false);
    const [r] = fixtureResults();
    await drive(new ProgressReporter({ stream: out }), [{ ...r, verdict: 'error', title: 'x\x1b]0;pwned\x07', reason: 'a\x1b[2Jb\nc' }]);
    expect(out.text()).not.toMatch(ESC);
    expect(out.text()).toContain('x\\x1b]0;pwned\\x07');
    expect(out.text()).toContain('a\\x1b[2Jb c');
  });
});

describe('ProgressReporter, on a TTY', () => {
  it('draws a live bar with the counts, prints failures above it, and the summary after it', async () => {
    const out = sink(true);
    await drive(new ProgressReporter({ stream: out, env: {} }), fixtureResults());
    const text = out.text();
    const plain = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toMatch(/12\/12 {2}COAP-01 {2}pass 4 {2}fail 3 {2}other 5/);
    expect(plain).toContain('FAIL   LOWPAN-25  a reserved dispatch is dropped');
    expect(plain).toContain('ERROR  ICMPV6-03');
    expect(plain).not.toContain('PASS   LOWPAN-01'); // passes only move the bar
    expect(plain).toContain('NOT ready: 2 MUST requirements failed');
    expect(text).toMatch(SGR); // coloured
    expect(text).toContain('\x1b[1;31mNOT ready');
  });

  it('uses no colour when NO_COLOR is set', async () => {
    const out = sink(true);
    await drive(new ProgressReporter({ stream: out, env: { NO_COLOR: '1' } }), fixtureResults());
    expect(out.text()).not.toMatch(SGR);
    expect(out.text()).toContain('NOT ready: 2 MUST requirements failed');
  });

  it('follows the tty option over the stream', async () => {
    const out = sink(true);
    await drive(new ProgressReporter({ stream: out, tty: false }), fixtureResults());
    expect(out.text()).toContain('PASS   LOWPAN-01');
    expect(out.text()).not.toMatch(ESC);
  });
});
