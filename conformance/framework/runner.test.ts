// The runner's own behaviour, with tests made up for the purpose: verdicts,
// not applicable with its reason, a crashing device, a hung test, Ctrl-C,
// --bail, evidence frames numbered as in the capture.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../../host/board/board-config.js';
import { Runner } from './runner.js';
import { VirtualSession } from './session.js';
import { testInfo, type TestCase } from './define.js';
import type { TestContext } from './context.js';
import type { RunFrame, RunInfo } from './types.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function made(id: string, run: (t: TestContext) => Promise<void>, extra: Partial<TestCase> = {}): TestCase {
  return { id, title: id, suite: 'lowpan', ref: 'RFC 4944 §5.1', level: 'MUST', needs: [], spec: [], shortSource: false, faults: [], run, ...extra };
}

const info = (n: number): RunInfo => ({ board: 'virtual', boardKind: 'virtual', faults: [], sixlabVersion: 't', startedAt: '', selection: { suites: [] }, total: n });

function boardFile(timeouts: Record<string, number>, capabilities: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'sixlab-runner-'));
  dirs.push(dir);
  const path = join(dir, 'board.json');
  writeFileSync(path, JSON.stringify({
    name: 'made-up', link: { kind: 'virtual', delayMs: 2 }, device: { eui64: '00:12:4b:00:00:00:00:01', pan: '0xabcd' },
    capabilities, timeouts,
  }));
  return path;
}

async function run(tests: TestCase[], options: { board?: string; signal?: AbortSignal; bail?: boolean } = {}) {
  const session = new VirtualSession(loadBoard(options.board ?? 'virtual'), {});
  const frames: RunFrame[] = [];
  const runner = new Runner(session, [{ name: 'frames', onFrame: (f) => frames.push(f) }]);
  const out = await runner.run(info(tests.length), tests, { signal: options.signal, bail: options.bail });
  await session.close();
  return { ...out, frames };
}

describe('runner', () => {
  it('gives each verdict from what the body does, with the finding and the frames', async () => {
    const { results, frames } = await run([
      made('A-pass', async (t) => void (await t.echo())),
      made('B-fail', async (t) => void (await t.echo({ dst: Uint8Array.of(0xfe, 0x80, ...new Array(13).fill(0), 9) }))),
      made('C-inconclusive', async (t) => t.inconclusive('no router')),
      made('D-error', async () => {
        throw new TypeError('a bug in the test');
      }),
    ]);
    expect(results.map((r) => r.verdict)).toEqual(['pass', 'fail', 'inconclusive', 'error']);
    const fail = results[1];
    expect(fail.finding?.rule).toBe('RFC 4443 §4.2');
    expect(fail.finding?.expected).toContain('Echo Reply');
    // The finding points at the request the tester sent, numbered as in the capture.
    expect(fail.finding!.frames.length).toBeGreaterThan(0);
    const sent = frames.find((f) => f.n === fail.finding!.frames[0])!;
    expect(sent.direction).toBe('out');
    expect(fail.frames.map((f) => f.n)).toContain(sent.n);
    // The first frame of each test carries its name, for Wireshark.
    expect(frames.filter((f) => f.comment?.startsWith('TEST ')).map((f) => f.comment!.split(' ')[1])).toEqual(['A-pass', 'B-fail', 'C-inconclusive', 'D-error']);
    expect(results[3].reason).toBe('TypeError: a bug in the test');
    // Frames are numbered 1, 2, 3... in capture order, with time going forward.
    expect(frames.map((f) => f.n)).toEqual(frames.map((_, i) => i + 1));
    for (let i = 1; i < frames.length; i++) expect(frames[i].timestampUs >= frames[i - 1].timestampUs).toBe(true);
  });

  it('says which capability the board lacks instead of running the test', async () => {
    const { results } = await run([made('N', async () => {}, { needs: ['ping', 'coap'] })], { board: boardFile({ testMs: 5000 }, ['ping']) });
    expect(results[0]).toMatchObject({ verdict: 'not-applicable', reason: 'board made-up lacks: coap' });
  });

  it('gives an error to a test whose device crashed, and a fresh device to the next', async () => {
    const { results } = await run([
      made('crash', async (t) => {
        const node = (t.session as VirtualSession).virtual!.node;
        node.input = () => {
          throw new WebAssembly.RuntimeError('unreachable');
        };
        await t.echo();
      }),
      made('after', async (t) => void (await t.echo())),
    ]);
    expect(results[0].verdict).toBe('error');
    expect(results[0].reason).toContain('the device crashed: unreachable');
    expect(results[1].verdict).toBe('pass');
  });

  it('stops a test that hangs after the board\'s time limit and goes on', async () => {
    const board = boardFile({ testMs: 200 });
    const started = performance.now();
    const { results } = await run([made('hang', () => new Promise(() => {})), made('next', async (t) => void (await t.echo()))], { board });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(results[0]).toMatchObject({ verdict: 'error', reason: 'Timeout: the test did not finish within 200 ms of wall time' });
    expect(results[1].verdict).toBe('pass');
  });

  it('stops cleanly when interrupted, keeping what ran', async () => {
    const abort = new AbortController();
    const out = await run([
      made('one', async (t) => void (await t.echo())),
      made('two', async () => {
        abort.abort();
        await new Promise(() => {});
      }),
      made('three', async () => {}),
    ], { signal: abort.signal });
    expect(out.interrupted).toBe(true);
    expect(out.results.map((r) => [r.id, r.verdict])).toEqual([['one', 'pass'], ['two', 'error']]);
    expect(out.results[1].reason).toBe('Interrupted: interrupted (Ctrl-C)');
  });

  it('stops at the first failure with --bail', async () => {
    const out = await run([made('x', async (t) => t.fail({ rule: 'r', expected: 'e', seen: 's' })), made('y', async () => {})], { bail: true });
    expect(out.results.map((r) => r.id)).toEqual(['x']);
  });

  it('turns a frame from the device that the tester cannot decode into a failure', async () => {
    const { results } = await run([made('garbage', async (t) => {
      const vb = (t.session as VirtualSession).virtual!;
      // The device sends a data frame with a reserved dispatch (RFC 4944 §5.1 NALP 00xxxxxx).
      await vb.medium.transmit('device', t.tester.frame(Uint8Array.of(0x01, 0x02), { src: t.device.link, dst: t.tester.address }));
    })]);
    expect(results[0].verdict).toBe('fail');
    expect(results[0].finding?.expected).toBe('every frame the device sends decodes');
    expect(results[0].frames.some((f) => f.undecodable)).toBe(true);
  });

  it('describes tests with their metadata', () => {
    const t = made('M', async () => {}, { spec: ['TD_6Lo_FORMAT_01'], needs: ['coap'] });
    expect(testInfo(t)).toEqual({ id: 'M', title: 'M', suite: 'lowpan', ref: 'RFC 4944 §5.1', level: 'MUST', needs: ['coap'], spec: ['TD_6Lo_FORMAT_01'] });
  });
});
