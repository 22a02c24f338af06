import { describe, expect, it } from 'vitest';
import type { Reporter } from '../framework/types.js';
import { Reporters } from './multiplex.js';
import { drive, fixtureResults } from './test-util.js';

const HOOKS = ['onBegin', 'onTestBegin', 'onFrame', 'onTestEnd', 'onEnd'] as const;
type Hook = (typeof HOOKS)[number];

/** A reporter that logs "name:hook" on each call; async hooks log again when they finish. */
function recorder(name: string, log: string[], opts: { async?: boolean; failOn?: Hook; failAsync?: boolean } = {}): Reporter {
  const r: Record<string, unknown> = { name };
  for (const hook of HOOKS) {
    r[hook] = (..._args: unknown[]) => {
      log.push(`${name}:${hook}`);
      if (opts.failOn === hook && !opts.failAsync) throw new Error(`boom in ${hook}`);
      if (hook === 'onFrame') return;
      if (opts.async || (opts.failOn === hook && opts.failAsync)) {
        return new Promise<void>((resolve, reject) =>
          setTimeout(() => {
            if (opts.failOn === hook) return reject(new Error(`late boom\nin ${hook}`));
            log.push(`${name}:${hook}:done`);
            resolve();
          }, 2),
        );
      }
    };
  }
  return r as unknown as Reporter;
}

function stderr() {
  const lines: string[] = [];
  return { lines, write: (s: string) => lines.push(s) };
}

describe('Reporters', () => {
  it('calls each hook on every reporter in order, waiting for each one', async () => {
    const log: string[] = [];
    const all = new Reporters([recorder('a', log, { async: true }), recorder('b', log)], stderr());
    await drive(all, fixtureResults().slice(0, 1)); // one test, two frames
    expect(log).toEqual([
      'a:onBegin', 'a:onBegin:done', 'b:onBegin',
      'a:onTestBegin', 'a:onTestBegin:done', 'b:onTestBegin',
      'a:onFrame', 'b:onFrame', 'a:onFrame', 'b:onFrame',
      'a:onTestEnd', 'a:onTestEnd:done', 'b:onTestEnd',
      'a:onEnd', 'a:onEnd:done', 'b:onEnd',
    ]);
  });

  it('reports a reporter that throws once on stderr, drops it, and goes on with the others', async () => {
    const log: string[] = [];
    const err = stderr();
    const all = new Reporters([recorder('a', log), recorder('html', log, { failOn: 'onTestBegin' }), recorder('c', log)], err);
    await drive(all, fixtureResults().slice(0, 3));
    expect(err.lines).toEqual(['reporter html failed: boom in onTestBegin (in onTestBegin; its output is incomplete)\n']);
    expect(log.filter((l) => l.startsWith('html:'))).toEqual(['html:onBegin', 'html:onTestBegin']);
    expect(log.filter((l) => l.startsWith('c:onTestEnd'))).toHaveLength(3);
    expect(log.filter((l) => l.startsWith('a:onFrame'))).toHaveLength(5);
    expect(all.reporters.map((r) => r.name)).toEqual(['a', 'c']);
    expect(all.dropped.map((d) => [d.name, d.hook])).toEqual([['html', 'onTestBegin']]);
  });

  it('treats a rejected promise the same way, on one line', async () => {
    const log: string[] = [];
    const err = stderr();
    const all = new Reporters([recorder('junit', log, { failOn: 'onEnd', failAsync: true }), recorder('b', log)], err);
    await drive(all, fixtureResults().slice(0, 1));
    expect(err.lines).toEqual(['reporter junit failed: late boom in onEnd (in onEnd; its output is incomplete)\n']);
    expect(log).toContain('b:onEnd');
  });

  it('drops a reporter whose onFrame throws, and keeps sending frames to the others', async () => {
    const log: string[] = [];
    const err = stderr();
    const all = new Reporters([recorder('capture', log, { failOn: 'onFrame' }), recorder('b', log)], err);
    await drive(all, fixtureResults().slice(0, 2)); // 4 frames
    expect(log.filter((l) => l === 'capture:onFrame')).toHaveLength(1);
    expect(log.filter((l) => l === 'b:onFrame')).toHaveLength(4);
    expect(log).not.toContain('capture:onTestEnd');
    expect(err.lines).toHaveLength(1);
    expect(err.lines[0]).toMatch(/^reporter capture failed: boom in onFrame/);
  });
});
