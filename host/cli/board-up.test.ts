// sixlab board up as a user runs it (the built CLI): serving the virtual board
// on a PTY that sixlab ping reaches, refusing what would harm a user's files or
// a running board, failing on one line (exit 2) instead of hanging, and serving
// the core on ZEP.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadBoard, type Board } from '../board/board-config.js';
import { openBoard } from '../board/open-board.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { ZepEndpoint } from '../link/zep.js';
import { echoBody } from '../packet/icmpv6.js';
import { formatIpv6 } from '../packet/ipv6-address.js';
import { buildIpv6Packet, parseIpv6Packet } from '../packet/packet.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const TMP = mkdtempSync(join(tmpdir(), 'sixlab-board-up-'));
const running = new Set<ChildProcessWithoutNullStreams>();

afterAll(async () => {
  for (const p of running) await stop(p);
  rmSync(TMP, { recursive: true, force: true });
});

function sixlab(args: string[], env: NodeJS.ProcessEnv = process.env, timeout = 20_000) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout, env });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: performance.now() - t, timedOut: r.error !== undefined || r.signal !== null };
}

/** Starts `sixlab board up ...` and resolves with its first stdout line (rejects if it exits first). */
function up(args: string[]): Promise<{ proc: ChildProcessWithoutNullStreams; line: string }> {
  const proc = spawn(process.execPath, [CLI, 'board', 'up', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr.on('data', (b: Buffer) => (err += b.toString()));
    proc.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ proc, line: out.slice(0, nl) });
    });
    proc.on('exit', (code) => reject(new Error(`board up exited ${code}: ${err.trim()}`)));
  });
}

async function stop(p: ChildProcessWithoutNullStreams): Promise<number | string | null> {
  running.delete(p);
  if (p.exitCode !== null || p.signalCode !== null) return p.exitCode ?? `died before it was stopped, by ${p.signalCode}`;
  const exited = new Promise<number | string | null>((r) => p.once('exit', (code, signal) => r(code ?? `killed by ${signal}`)));
  p.kill('SIGINT');
  return exited;
}

function ptyBoard(path: string): string {
  const file = join(mkdtempSync(join(TMP, 'board-')), 'board.json');
  const base = JSON.parse(readFileSync(join(ROOT, 'boards', 'virtual-pty', 'board.json'), 'utf8'));
  base.link.path = path;
  delete base.$schema;
  writeFileSync(file, JSON.stringify(base));
  return file;
}

describe('sixlab board up (PTY)', () => {
  it('serves the virtual board on a PTY that sixlab ping reaches, and removes its link and lock on exit', async () => {
    const path = join(TMP, 'served');
    const { proc, line } = await up(['virtual', '--link', path]);
    expect(line).toMatch(new RegExp(`served on /dev/pts/\\d+ \\(link ${path}\\)`));
    expect(readlinkSync(path)).toMatch(/^\/dev\/pts\/\d+$/);
    const r = sixlab(['ping', '--board', ptyBoard(path), '--count', '2', '--interval', '50']);
    expect(r.out).toContain('2 packets transmitted, 2 received');
    expect(await stop(proc)).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('refuses to replace a regular file given as --link, and leaves it as it was', () => {
    const path = join(TMP, 'precious.txt');
    writeFileSync(path, 'a user file\n');
    const r = sixlab(['board', 'up', 'virtual', '--link', path], process.env, 10_000);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^sixlab: .*precious\.txt exists and is not a PTY link: refusing to replace it\n$/);
    expect(lstatSync(path).isFile()).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('a user file\n');
  });

  it('refuses to take over the link of a running board; the running board keeps serving', async () => {
    const path = join(TMP, 'busy');
    const { proc } = await up(['virtual', '--link', path]);
    const pts = readlinkSync(path);
    const second = sixlab(['board', 'up', 'virtual', '--link', path], process.env, 10_000);
    expect(second.timedOut).toBe(false);
    expect(second.code).toBe(2);
    expect(second.err).toMatch(new RegExp(`^sixlab: --link ${path} is the link of a running board \\(pid ${proc.pid}, ${pts}\\): stop it first or choose another link path\\n$`));
    expect(readlinkSync(path)).toBe(pts);
    const r = sixlab(['ping', '--board', ptyBoard(path), '--count', '1']);
    expect(r.out).toContain('1 packets transmitted, 1 received');
    expect(await stop(proc)).toBe(0);
  });

  it('takes over a stale link and lock left by a board that was killed', async () => {
    const path = join(TMP, 'stale');
    const { proc } = await up(['virtual', '--link', path]);
    const killed = new Promise((r) => proc.once('exit', r));
    running.delete(proc);
    proc.kill('SIGKILL'); // neither the lock nor (maybe) socat's link get cleaned up
    await killed;
    await new Promise((r) => setTimeout(r, 200)); // socat notices its stdin closed and exits
    expect(existsSync(`${path}.lock`)).toBe(true);
    const again = await up(['virtual', '--link', path]);
    expect(again.line).toMatch(/served on \/dev\/pts\/\d+/);
    expect(await stop(again.proc)).toBe(0);
  });

  it('exits 2 on one line when socat dies while the board is served (it does not go on serving nothing)', async () => {
    const path = join(TMP, 'socat-dies');
    const { proc } = await up(['virtual', '--link', path]);
    let err = '';
    proc.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const children = spawnSync('ps', ['--ppid', String(proc.pid), '-o', 'pid=,comm='], { encoding: 'utf8' }).stdout;
    const socat = /^\s*(\d+)\s+socat$/m.exec(children);
    expect(socat, children).not.toBeNull();
    process.kill(Number(socat![1]), 'SIGKILL');
    expect(await exited).toBe(2);
    running.delete(proc);
    expect(err).toMatch(/^sixlab: board virtual: socat exited \(null\): .*\n$/);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('exits 2 on one line, promptly, when socat is not installed', () => {
    const empty = mkdtempSync(join(TMP, 'no-socat-'));
    const r = sixlab(['board', 'up', 'virtual', '--link', join(TMP, 'nosocat')], { ...process.env, PATH: empty }, 10_000);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.err).toBe('sixlab: socat not found: install it (apt-get install -y socat)\n');
    expect(r.ms).toBeLessThan(8_000);
  });

  it('exits 2 on one line, promptly, when the folder of --link does not exist', () => {
    const path = join(TMP, 'no-such-folder', 'link');
    const r = sixlab(['board', 'up', 'virtual', '--link', path], process.env, 10_000);
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.out).not.toMatch(/served/);
    expect(r.err).toBe(`sixlab: --link ${path}: folder ${join(TMP, 'no-such-folder')} does not exist\n`);
  });
});

/** Answers Echo Requests to the tester's link-local address (the tester's own packet library), fragmenting as needed. */
function answerPings(tester: Tester): { requests: number[] } {
  const requests: number[] = [];
  tester.onPacket((h) => {
    const p = parseIpv6Packet(h.packet);
    const e = p.icmpv6?.echo;
    if (p.icmpv6?.type !== 128 || !e || !h.src) return;
    requests.push(h.frames.length);
    void tester.send(buildIpv6Packet({ src: tester.ll, dst: p.header.src, upper: { kind: 'icmpv6', type: 129, code: 0, body: echoBody(e.identifier, e.sequence, e.data) } }), h.src);
  });
  return { requests };
}

describe('sixlab board up --zep (the core on ZEP)', () => {
  it('serves a zep board\'s device: the harness pings it with fragments, and it pings the harness from its console', async () => {
    const template = loadBoard('zep-core');
    // The harness first, on a port of the system's choosing; the core is told where it is, and the harness where the core is.
    const board: Board = { ...template, link: { ...template.link, kind: 'zep', localPort: 0, remotePort: undefined } };
    const opened = await openBoard(board);
    const harness = opened.raw as ZepEndpoint;
    const tester = new Tester(opened.link, board);
    const served = answerPings(tester);
    try {
      const { proc, line } = await up(['zep-core', '--zep', '[::1]:0', '--zep-remote', `[::1]:${harness.port()}`]);
      const m = /served on ZEP \[::1\]:(\d+) \(device 00:12:4b:00:00:00:00:01, fe80::212:4b00:0:1, PAN 0x0023, channel 26; peer \[::1\]:(\d+); MAC: ACK wait 3 ms, 3 retries, gap 2 ms\)/.exec(line);
      expect(m, line).not.toBeNull();
      expect(Number(m![2])).toBe(harness.port());
      harness.setRemote('::1', Number(m![1]));
      for (const size of [200, 1000]) {
        for (let seq = 1; seq <= 3; seq++) {
          expect(await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 3, seq, size, 5000), `${size} octets, seq ${seq}`).toBeDefined();
        }
      }
      let out = '';
      proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
      proc.stdin.write(`ping ${formatIpv6(tester.ll)} 1000 2\n`);
      await vi.waitFor(() => expect(out.match(/1008 bytes from fe80::212:4bff:ffff:fffe: icmp_seq=\d+ time=[\d.]+ ms/g)).toHaveLength(2), { timeout: 10_000, interval: 20 });
      expect(served.requests).toHaveLength(2);
      expect(served.requests[0]).toBeGreaterThanOrEqual(9); // the core's 1000-octet request came in fragments
      expect(harness.stats.framesLost).toBe(0);
      expect(await stop(proc)).toBe(0); // Ctrl-C: a clean stop
    } finally {
      tester.close();
      await opened.close();
    }
  });

  it('exits 2 on one line when its UDP port is taken, or for a bad --zep value, or with --link', async () => {
    const holder = await ZepEndpoint.open({ localPort: 0, warmUp: false });
    try {
      const r = sixlab(['board', 'up', 'virtual', '--zep', `[::1]:${holder.port()}`], process.env, 10_000);
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`^sixlab: --zep \\[::1\\]:${holder.port()}: UDP port in use \\(.*\\)\\n$`));
    } finally {
      await holder.close();
    }
    const bad = sixlab(['board', 'up', 'virtual', '--zep', 'localhost:x'], process.env, 10_000);
    expect([bad.code, bad.err]).toEqual([2, 'sixlab: --zep localhost:x: expected [IPv6]:PORT, IPv4:PORT or PORT (e.g. [::1]:17754)\n']);
    const both = sixlab(['board', 'up', 'virtual', '--zep', '--link', join(TMP, 'x')], process.env, 10_000);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/^sixlab: --link is for a PTY/);
  });
});
