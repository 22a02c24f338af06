// sixlab test and list-tests as a user runs them: the built CLI in a child process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPcapng } from '../capture/pcapng.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'sixlab-test-cmd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sixlab(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A wasm module exporting abi_version() = 999 and nothing else. */
function foreignCore(): string {
  const bytes = Uint8Array.of(
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
    0x03, 0x02, 0x01, 0x00, // one function of that type
    0x07, 0x0f, 0x01, 0x0b, ...Buffer.from('abi_version'), 0x00, 0x00, // export it
    0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0xe7, 0x07, 0x0b, // i32.const 999
  );
  const path = join(tmp, 'foreign.wasm');
  writeFileSync(path, bytes);
  return path;
}

describe('sixlab test', () => {
  it('runs a suite, writes every report, and exits 0 when all pass', () => {
    const dir = join(tmp, 'ok');
    const r = sixlab(['test', '--board', 'virtual', '--suite', 'lowpan', '--grep', '^LOWPAN-0[1-3]\\b', '--report-dir', dir]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/PASS +LOWPAN-01/);
    expect(r.out).toContain('IPv6 ready');
    expect(r.out).toContain(join(dir, 'report.html'));
    expect(readdirSync(dir).sort()).toEqual(['capture.pcapng', 'junit.xml', 'report.html', 'results.jsonl', 'summary.json']);
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['LOWPAN-01', 'LOWPAN-02', 'LOWPAN-03']);
    const cap = readPcapng(readFileSync(join(dir, 'capture.pcapng')));
    expect(cap.packets.filter((p) => p.comments.some((c) => c.startsWith('TEST '))).length).toBe(3);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.ready).toBe(true);
    expect(summary.core.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('exits 1 when a test fails (a device with a fault), with the reason', () => {
    const r = sixlab(['test', '--board', 'virtual', '--grep', '^LOWPAN-01$', '--fault', 'drop-echo-replies', '--report-dir', join(tmp, 'fault')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL +LOWPAN-01/);
    expect(r.out).toContain('NOT ready');
  });

  it('prints one JSON line per result and the summary with --json', () => {
    const r = sixlab(['test', '--board', 'virtual-classic', '--grep', '^LOWPAN-0[12]$', '--json', '--report-dir', join(tmp, 'json')]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 2).map((l) => [l.id, l.verdict])).toEqual([['LOWPAN-01', 'pass'], ['LOWPAN-02', 'pass']]);
    expect(lines[2].summary.counts.pass).toBe(2);
  });

  it('refuses a report folder that is not empty unless --force', () => {
    const dir = join(tmp, 'full');
    mkdirSync(dir);
    writeFileSync(join(dir, 'report.html'), 'an earlier report');
    const r = sixlab(['test', '--board', 'virtual', '--grep', '^LOWPAN-01$', '--report-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('not empty');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe('an earlier report');
    expect(sixlab(['test', '--board', 'virtual', '--grep', '^LOWPAN-01$', '--report-dir', dir, '--force']).code).toBe(0);
  });

  it('opens the board before writing anything: a missing device leaves no report folder', () => {
    const dir = join(tmp, 'absent');
    const r = sixlab(['test', '--board', 'serial-example', '--report-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(dir)).toBe(false);
  });

  it('runs another build of the core with --core, and refuses another ABI in one line', () => {
    const debug = sixlab(['test', '--board', 'virtual', '--grep', '^LOWPAN-01$', '--core', join(ROOT, 'build', 'sixlab-core.debug.wasm'), '--report-dir', join(tmp, 'debug')]);
    expect(debug.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(tmp, 'debug', 'summary.json'), 'utf8'));
    expect(summary.core.path).toContain('sixlab-core.debug.wasm');
    const r = sixlab(['test', '--board', 'virtual', '--core', foreignCore(), '--report-dir', join(tmp, 'foreign')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^sixlab: board virtual: .*foreign\.wasm has core ABI 999, this harness speaks ABI \d+\n$/);
    expect(existsSync(join(tmp, 'foreign'))).toBe(false);
  });

  it('refuses an unknown suite, level, fault or pattern with exit 2', () => {
    for (const args of [['--suite', 'nope'], ['--level', 'COULD'], ['--fault', 'nope'], ['--grep', '(']]) {
      const r = sixlab(['test', '--board', 'virtual', ...args]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('sixlab list-tests', () => {
  it('lists the catalogue as implemented, as text and JSON', () => {
    const text = sixlab(['list-tests', '--suite', 'lowpan']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^LOWPAN-01 +MUST +lowpan +RFC 4944 §5\.1 +uncompressed/m);
    const json = sixlab(['list-tests', '--json']).out.trim().split('\n').map((l) => JSON.parse(l));
    expect(json.find((t) => t.id === 'LOWPAN-01')).toMatchObject({ suite: 'lowpan', level: 'MUST', spec: expect.arrayContaining(['TD_6Lo_FORMAT_01']) });
  });
});

describe('sixlab test over a real PTY', () => {
  it('runs the lowpan and icmpv6 suites in real time against `sixlab board up virtual`', async () => {
    const path = join(tmp, 'pty-link');
    const up = spawn(process.execPath, [CLI, 'board', 'up', 'virtual', '--link', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        up.stdout.on('data', () => resolve());
        up.on('exit', (code) => reject(new Error(`board up exited ${code}`)));
      });
      const board = JSON.parse(readFileSync(join(ROOT, 'boards', 'virtual-pty', 'board.json'), 'utf8'));
      board.link.path = path;
      delete board.$schema;
      const file = join(tmp, 'pty-board.json');
      writeFileSync(file, JSON.stringify(board));
      const dir = join(tmp, 'pty-report');
      const r = await sixlabAsync(['test', '--board', file, '--suite', 'lowpan', '--suite', 'icmpv6', '--report-dir', dir]);
      expect(r.err).toBe('');
      const results = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const bad = results.filter((x) => x.verdict !== 'pass' && x.verdict !== 'not-applicable').map((x) => `${x.id} ${x.verdict}: ${x.reason}`);
      expect(bad).toEqual([]);
      expect(results.filter((x) => x.verdict === 'pass').length).toBeGreaterThan(0);
      expect(r.code).toBe(0);
    } finally {
      up.kill('SIGINT');
      await new Promise((res) => up.on('exit', res));
    }
  }, 600_000);
});

function sixlabAsync(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}
