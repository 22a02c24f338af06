// The board tools as a user runs them: boards, ping and capture on the virtual
// board, and board up + ping/capture over a real PTY (one command at a time on
// a port, and the second one told who holds it).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPcapng } from '../capture/pcapng.js';
import { runTsharkFields } from '../packet/tshark.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const TMP = mkdtempSync(join(tmpdir(), 'sixlab-board-cmds-'));
const running = new Set<ChildProcessWithoutNullStreams>();

afterAll(async () => {
  for (const p of running) await stop(p);
  rmSync(TMP, { recursive: true, force: true });
});

function sixlab(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts a command in the background; `ready` resolves once its stdout matches. */
function start(args: string[], ready: RegExp): { proc: ChildProcessWithoutNullStreams; ready: Promise<string>; done: Promise<{ code: number | null; out: string }> } {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(proc);
  let out = '';
  let err = '';
  const ready_ = new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (ready.test(out)) resolve(out);
    });
    proc.stderr.on('data', (b: Buffer) => (err += b.toString()));
    proc.on('exit', (code) => reject(new Error(`sixlab ${args.join(' ')} exited ${code} before it was ready: ${err.trim()}`)));
  });
  const done = new Promise<{ code: number | null; out: string }>((resolve) => proc.on('exit', (code) => {
    running.delete(proc);
    resolve({ code, out });
  }));
  return { proc, ready: ready_, done };
}

async function stop(p: ChildProcessWithoutNullStreams): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.on('exit', r));
  p.kill('SIGINT');
  await exited;
}

function requireSocat(): void {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('socat is not installed: these tests serve the virtual board on a PTY with it (apt-get install -y socat; scripts/test-all.sh installs it)');
  }
}

/** boards/virtual-pty pointed at `path`, as a board.json under TMP. */
function ptyBoard(path: string): string {
  const base = JSON.parse(readFileSync(join(ROOT, 'boards', 'virtual-pty', 'board.json'), 'utf8'));
  base.link.path = path;
  delete base.$schema;
  const file = join(mkdtempSync(join(TMP, 'b-')), 'board.json');
  writeFileSync(file, JSON.stringify(base));
  return file;
}

describe('sixlab boards', () => {
  it('lists every board with its link and whether it is usable', () => {
    const r = sixlab(['boards', '--json']);
    expect(r.code).toBe(0);
    const boards = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(boards.find((b) => b.name === 'virtual')).toMatchObject({ link: 'virtual', status: 'usable', usable: true });
    expect(boards.find((b) => b.name === 'serial-example')).toMatchObject({ link: 'serial', status: 'unusable', usable: false });
  });

  it('calls a ZEP board configured, not usable: whether its peer runs is not checked', () => {
    // Before: "usable   UDP on [::1]:17754", whether or not anything listened.
    const r = sixlab(['boards']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^zep-riot +zep +configured UDP \[::1\]:17754 → 17755; not checked {2}- /m);
  });

  it('checks what the schema cannot: a name that is not its folder\'s, a fault that does not exist', () => {
    // Before: both listed as "usable   in-process".
    const dir = mkdtempSync(join(TMP, 'boards-'));
    const write = (folder: string, board: object) => {
      mkdirSync(join(dir, folder));
      writeFileSync(join(dir, folder, 'board.json'), JSON.stringify(board));
    };
    const device = { eui64: '00:12:4b:00:00:00:00:01', pan: '0xabcd' };
    write('good', { name: 'good', link: { kind: 'virtual', faults: ['mute'] }, device });
    write('renamed', { name: 'other', link: { kind: 'virtual' }, device });
    write('faulty', { name: 'faulty', link: { kind: 'virtual', faults: ['echo-reply-wrong-dat'] }, device });
    write('misspelt', { name: 'misspelt', link: { kind: 'serial', path: '/dev/null', baudrate: 115200 }, device });
    const r = sixlab(['boards', '--json', '--dir', dir]);
    expect(r.code).toBe(1);
    const boards = Object.fromEntries(r.out.trim().split('\n').map((l) => JSON.parse(l)).map((b) => [b.name, b]));
    expect(boards.good).toMatchObject({ status: 'usable', usable: true });
    expect(boards.renamed).toMatchObject({ status: 'invalid', usable: false, why: 'name "other" does not match its folder "renamed"' });
    expect(boards.faulty).toMatchObject({ status: 'invalid', why: 'link.faults: unknown fault "echo-reply-wrong-dat" (did you mean echo-reply-wrong-data?)' });
    expect(boards.misspelt.why).toMatch(/board\.json: link: unknown field baudrate \(did you mean baudRate\?\)$/);
    expect(sixlab(['boards', '--dir', join(dir, 'nope')])).toMatchObject({ code: 2, err: `sixlab: --dir ${join(dir, 'nope')}: no such folder\n` });
  });

  it('names the field of a board.json that is wrong', () => {
    const r = sixlab(['ping', '--board', join(ROOT, 'host', 'cli', 'testdata', 'bad-board.json'), '--count', '1']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/bad-board\.json: device\.pan: "43981" is not valid; expected something like "0xabcd"\n$/);
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
  it('writes a pcapng of the virtual board that tshark reads, with virtual time from the wall clock of the start', async () => {
    const out = join(TMP, 'v.pcapng');
    const before = Date.now();
    const r = sixlab(['capture', '--board', 'virtual', '--out', out, '--duration', '45']);
    expect(r.code).toBe(0);
    const pcap = readPcapng(new Uint8Array(readFileSync(out)));
    expect(pcap.packets.length).toBe(4); // RS at t0, +10 s, +20 s, +40 s (RFC 6775 backoff)
    // Before: the first frame was at 0 µs (1970-01-01).
    const first = Number(pcap.packets[0].timeUs / 1000n);
    expect(first).toBeGreaterThanOrEqual(before - 1000);
    expect(first).toBeLessThan(Date.now() + 2000); // the first RS comes up to 1 s (virtual) after the start
    const rows = await runTsharkFields(out, ['icmpv6.type', 'frame.time_relative'], [], {});
    expect(rows.map((x) => x['icmpv6.type'])).toEqual(['133', '133', '133', '133']);
    expect(rows.map((x) => Math.round(Number(x['frame.time_relative'])))).toEqual([0, 10, 20, 40]);
  });

  it('never loses a file: an existing --out is kept without --force, and a capture that fails leaves it as it was', () => {
    const out = join(TMP, 'precious.pcapng');
    writeFileSync(out, 'an earlier capture');
    // Before: each of these truncated the file before the board was opened.
    const refused = sixlab(['capture', '--board', 'virtual', '--out', out, '--duration', '1']);
    expect(refused).toMatchObject({ code: 2, out: '', err: `sixlab: --out ${out}: the file exists; use --force to replace it\n` });
    const badFault = sixlab(['capture', '--board', 'virtual', '--out', out, '--force', '--fault', 'nope']);
    expect(badFault.code).toBe(2);
    expect(badFault.err).toMatch(/^sixlab: board virtual: unknown fault "nope"/);
    const absent = sixlab(['capture', '--board', 'serial-example', '--out', out, '--force', '--duration', '1']);
    expect(absent.code).toBe(2);
    expect(absent.err).toMatch(/^sixlab: board serial-example: \/dev\/ttyACM0: not available/);
    expect(readFileSync(out, 'utf8')).toBe('an earlier capture');
    const noFolder = sixlab(['capture', '--board', 'virtual', '--out', join(TMP, 'no', 'x.pcapng')]);
    expect(noFolder).toMatchObject({ code: 2, err: `sixlab: --out ${join(TMP, 'no', 'x.pcapng')}: folder ${join(TMP, 'no')} does not exist\n` });

    const forced = sixlab(['capture', '--board', 'virtual', '--out', out, '--force', '--duration', '1']);
    expect(forced.code).toBe(0);
    expect(readPcapng(new Uint8Array(readFileSync(out))).packets.length).toBe(1);
  });
});

describe('sixlab board up', () => {
  it('serves the virtual board on a PTY that sixlab ping reaches, with wall-clock times in --pcap', async () => {
    requireSocat();
    const path = join(TMP, 'pty-ping');
    const up = start(['board', 'up', 'virtual', '--link', path], /served on/);
    try {
      expect(await up.ready).toMatch(new RegExp(`served on /dev/pts/\\d+ \\(link ${path}\\)`));
      const pcap = join(TMP, 'pty.pcapng');
      const before = Date.now();
      const r = sixlab(['ping', '--board', ptyBoard(path), '--count', '2', '--interval', '50', '--pcap', pcap]);
      expect(r.out).toContain('2 packets transmitted, 2 received');
      const packets = readPcapng(new Uint8Array(readFileSync(pcap))).packets;
      expect(packets.filter((p) => p.direction === 'out')).toHaveLength(2);
      for (const p of packets) {
        expect(Number(p.timeUs / 1000n)).toBeGreaterThanOrEqual(before - 1000);
        expect(Number(p.timeUs / 1000n)).toBeLessThanOrEqual(Date.now());
      }
    } finally {
      await stop(up.proc);
    }
  });

  it('tells a second command on a busy port who holds it', async () => {
    requireSocat();
    const path = join(TMP, 'pty-busy');
    const up = start(['board', 'up', 'virtual', '--link', path], /served on/);
    try {
      await up.ready;
      const board = ptyBoard(path);
      const first = start(['ping', '--board', board, '--count', '1000', '--interval', '50'], /icmp_seq=1 /);
      await first.ready;
      // Before: "board virtual-pty: <path>: not available after 1000 ms".
      const again = sixlab(['ping', '--board', board, '--count', '1']);
      expect(again.code).toBe(2);
      expect(again.err).toMatch(new RegExp(`^sixlab: board virtual-pty: ${path}: in use by pid ${first.proc.pid} \\(.*main\\.js ping --board .*\\)\\n$`));
      const capture = sixlab(['capture', '--board', board, '--out', join(TMP, 'busy.pcapng'), '--duration', '1']);
      expect(capture.code).toBe(2);
      expect(capture.err).toMatch(new RegExp(`^sixlab: board virtual-pty: ${path}: in use by pid ${first.proc.pid} `));
      first.proc.kill('SIGINT'); // ping6 prints its statistics on Ctrl-C
      const done = await first.done;
      expect(done.out).toMatch(/\d+ packets transmitted, \d+ received/);
    } finally {
      await stop(up.proc);
    }
  });
});
