// The board tools as a user runs them: boards, ping and capture on the virtual
// board, and board up + ping over a real PTY.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPcapng } from '../capture/pcapng.js';
import { runTsharkFields } from '../packet/tshark.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const haveSocat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

function sixlab(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('sixlab boards', () => {
  it('lists every board with its link and whether it is usable', () => {
    const r = sixlab(['boards', '--json']);
    expect(r.code).toBe(0);
    const boards = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(boards.find((b) => b.name === 'virtual')).toMatchObject({ link: 'virtual', usable: true });
    expect(boards.find((b) => b.name === 'serial-example')).toMatchObject({ link: 'serial', usable: false });
  });

  it('names the field of a board.json that is wrong', () => {
    const r = sixlab(['ping', '--board', join(ROOT, 'host', 'cli', 'testdata', 'bad-board.json'), '--count', '1']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/\/device\/pan/);
  });
});

describe('sixlab ping', () => {
  it('pings the virtual board and reports as ping6 does', () => {
    const r = sixlab(['ping', '--board', 'virtual', '--count', '3', '--interval', '10']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PING fe80::212:4b00:0:1 via board virtual/);
    expect(r.out.match(/icmp_seq=\d+ time=[\d.]+ ms/g)).toHaveLength(3);
    expect(r.out).toContain('3 packets transmitted, 3 received, 0% packet loss');
  });

  it('fails on one line with exit 2, promptly, when the board\'s device is missing', () => {
    const t = performance.now();
    const r = sixlab(['ping', '--board', 'serial-example', '--count', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^sixlab: board serial-example: \/dev\/ttyACM0: not available after \d+ ms\n$/);
    expect(performance.now() - t).toBeLessThan(10_000); // it gave up, it did not hang retrying
  });

  it('exits 1 when nothing answers, 2 for a bad address or board', () => {
    expect(sixlab(['ping', '--board', 'virtual', '--count', '1', 'fe80::dead:1']).code).toBe(1);
    expect(sixlab(['ping', '--board', 'virtual', 'not-an-address']).code).toBe(2);
    expect(sixlab(['ping', '--board', 'nope']).err).toMatch(/^sixlab: no board "nope"/);
  });
});

describe('sixlab capture', () => {
  it('writes a pcapng of the virtual board that tshark reads, with virtual timestamps', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sixlab-cap-')), 'v.pcapng');
    const r = sixlab(['capture', '--board', 'virtual', '--out', out, '--duration', '45']);
    expect(r.code).toBe(0);
    const pcap = readPcapng(new Uint8Array(readFileSync(out)));
    expect(pcap.packets.length).toBe(4); // RS at t0, +10 s, +20 s, +40 s (RFC 6775 backoff)
    const rows = await runTsharkFields(out, ['icmpv6.type', 'frame.time_relative'], [], {});
    expect(rows.map((x) => x['icmpv6.type'])).toEqual(['133', '133', '133', '133']);
    expect(rows.map((x) => Math.round(Number(x['frame.time_relative'])))).toEqual([0, 10, 20, 40]);
  });
});

describe.skipIf(!haveSocat)('sixlab board up', () => {
  it('serves the virtual board on a PTY that sixlab ping reaches', async () => {
    const path = `/tmp/sixlab-cli-${process.pid}`;
    const up = spawn(process.execPath, [CLI, 'board', 'up', 'virtual', '--link', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        up.stdout.on('data', (b: Buffer) => resolve(b.toString()));
        up.on('exit', (code) => reject(new Error(`board up exited ${code}`)));
      });
      expect(line).toMatch(new RegExp(`served on /dev/pts/\\d+ \\(link ${path}\\)`));
      const board = join(mkdtempSync(join(tmpdir(), 'sixlab-b-')), 'board.json');
      const base = JSON.parse(readFileSync(join(ROOT, 'boards', 'virtual-pty', 'board.json'), 'utf8'));
      base.link.path = path;
      delete base.$schema;
      (await import('node:fs')).writeFileSync(board, JSON.stringify(base));
      const r = sixlab(['ping', '--board', board, '--count', '2', '--interval', '50']);
      expect(r.out).toContain('2 packets transmitted, 2 received');
    } finally {
      up.kill('SIGINT');
      await new Promise((r) => up.on('exit', r));
    }
  });
});
