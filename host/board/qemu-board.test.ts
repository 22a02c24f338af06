// The qemu-mps2-an386 board end to end: the release core built as Cortex-M4
// firmware (scripts/build-firmware.mjs), booted under QEMU with its UART on a
// PTY (QemuServer), and reached only through that UART, as a board on the
// bench: the serial link's requests, a trap and a reboot, then the lowpan,
// icmpv6 and lowpan-nd suites with the built CLI, compared with the virtual
// board (docs/qemu-board.md). Needs the toolchain (scripts/install-toolchain.sh)
// and dist/ (npm test builds it); without them the tests fail, saying so.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../core/sixlab-core.js';
import { Tester } from '../harness/tester.js';
import { SerialLink } from '../link/serial-link.js';
import {
  FrameType, MessageDecoder, encodeControlFrame, encodeFrame, encodePsduFrame, type ControlMessage,
} from '../link/serial-framing.js';
import { linkLocalFromLinkAddress } from '../packet/link-address.js';
import { loadBoard, type Board } from './board-config.js';
import { QemuServer } from './qemu-server.js';

const ROOT = packageRoot();
const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const SUITES = ['lowpan', 'icmpv6', 'lowpan-nd'];
const board = loadBoard('qemu-mps2-an386');

let dir: string;
let server: QemuServer | undefined;
const servers: QemuServer[] = [];

/** Runs scripts/build-firmware.mjs; a missing toolchain fails here with its one-line reason. */
function buildFirmware(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'build-firmware.mjs'), '--require', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`firmware build failed: ${out.trim()} (CI runs scripts/install-toolchain.sh)`))));
  });
}

async function boot(name: string, firmware?: string): Promise<QemuServer> {
  const s = await QemuServer.start(board, join(dir, name), { firmware });
  servers.push(s);
  return s;
}

/** The serial link at the byte level: any frame out, every message in. */
class RawLink {
  readonly messages: ControlMessage[] = [];
  readonly psdus: Uint8Array[] = [];
  private readonly decoder = new MessageDecoder();
  private constructor(private readonly port: SerialPort) {
    port.on('data', (b: Buffer) => {
      for (const m of this.decoder.push(new Uint8Array(b))) {
        if (m.kind === 'psdu') this.psdus.push(m.psdu);
        else this.messages.push(m.message);
      }
    });
  }

  static open(path: string): Promise<RawLink> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new RawLink(port))));
    });
  }

  write(bytes: Uint8Array): void {
    this.port.write(Buffer.from(bytes));
  }

  /** Waits for a message `match` accepts (from index `from` on), sending `again` every second until then (QEMU may hold the first bytes after an open). */
  async expect(match: (m: ControlMessage) => boolean, ms = 5000, again?: () => void, from = 0): Promise<ControlMessage> {
    const deadline = Date.now() + ms;
    let resend = 0;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such message within ${ms} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`);
      if (again && Date.now() >= resend) {
        again();
        resend = Date.now() + 1000;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}

/** A copy of the board's board.json whose link is `link` (never the default /tmp path a user's board may hold). */
function boardFile(link: string, name: string): string {
  const config = JSON.parse(readFileSync(join(board.dir, 'board.json'), 'utf8'));
  delete config.$schema;
  config.link.path = link;
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

interface Result { id: string; verdict: string; reason?: string; boardMs: number }

/**
 * `sixlab test` on the suites; its results once its reports are written. A run
 * in which a test timed out on a real-time board can leave that test's body
 * sleeping (LND-07 waits an hour), which keeps the CLI's process alive after
 * the run: once summary.json is there, a process still running after a grace
 * period is stopped.
 */
function runSuites(boardArg: string, reportDir: string, grep?: string): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const args = [CLI, 'test', '--board', boardArg, ...SUITES.flatMap((s) => ['--suite', s]), ...(grep ? ['--grep', grep] : []), '--report-dir', reportDir, '--json'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let stopped = false;
    child.stderr.on('data', (b) => (err += b));
    const results = () => readFileSync(join(reportDir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Result);
    let doneAt: number | undefined;
    const watch = setInterval(() => {
      if (!existsSync(join(reportDir, 'summary.json'))) return;
      doneAt ??= Date.now();
      if (Date.now() - doneAt > 10_000) {
        stopped = true;
        child.kill('SIGTERM');
      }
    }, 500);
    child.on('exit', (code) => {
      clearInterval(watch);
      if (!stopped && code !== 0 && code !== 1) return reject(new Error(`sixlab test --board ${boardArg} exited ${code}: ${err.trim()}`));
      resolve(results());
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sixlab-qemu-test-'));
  if (spawnSync(process.execPath, [CLI, '--version']).status !== 0) throw new Error(`${CLI} missing: build the host first (npm run build)`);
  // The board's image (build/boards/…), and one that traps on its first frame (SIXLAB_TRAP_TEST).
  await Promise.all([buildFirmware([]), buildFirmware(['--out', join(dir, 'trap'), '--define', 'SIXLAB_TRAP_TEST'])]);
  server = await boot('link');
}, 300_000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('qemu-mps2-an386 board', () => {
  it('boots and says hello (token 0) with the identity board.json gives', () => {
    const hello = server!.hello;
    expect([...hello.eui64]).toEqual([...board.deviceLink.bytes]);
    expect(hello.panId).toBe(board.pan);
    expect(hello.shortAddress).toBe(0xfffe);
    expect(hello.firmware).toMatch(/^sixlab-mps2-an386 \d+\.\d+\.\d+ core [0-9a-f]{8}$/);
    expect(server!.bootLog.join('\n')).toMatch(/up, boot \d+/);
    expect(server!.bootMs).toBeGreaterThan(0);
  });

  it('answers an Echo Request through its UART, and sends one and a UDP datagram on command', async () => {
    const link = await SerialLink.open({ path: server!.linkPath }, 5000);
    const tester = new Tester(link, board);
    try {
      await link.hello(3000);
      expect((await link.reset(42, 2000)).status).toBe(0);
      const rtt = await tester.ping(linkLocalFromLinkAddress(board.deviceLink), board.deviceLink, 7, 1, 16, 2000);
      expect(rtt).toBeDefined();
      const heard: Uint8Array[] = [];
      link.onFrame((f) => heard.push(f.psdu));
      const ping = await link.ping(tester.ll, 0x1234, 1, 8, 2000);
      expect(ping).toMatchObject({ status: 0, command: FrameType.Ping });
      expect(ping.detail).toBeGreaterThanOrEqual(1);
      const udp = await link.udp(tester.ll, 5683, 61617, Uint8Array.of(1, 2, 3), 2000);
      expect(udp).toMatchObject({ status: 0, command: FrameType.Udp });
      await new Promise((r) => setTimeout(r, 200));
      expect(heard.length).toBeGreaterThanOrEqual(ping.detail + udp.detail);
    } finally {
      tester.close();
      await link.close();
    }
  });

  it('refuses what it cannot take with ERROR or RESULT BadArgument, as docs/serial-link.md says', async () => {
    const raw = await RawLink.open(server!.linkPath);
    try {
      await raw.expect((m) => m.type === 'hello-response' && m.token === 9, 5000, () => raw.write(encodeControlFrame({ type: 'hello', token: 9, version: 1 })));
      raw.write(encodeFrame(0x42, Uint8Array.of(0x00, 0x07)));
      expect(await raw.expect((m) => m.type === 'error' && m.token === 7)).toMatchObject({ refused: 0x42, code: 1 });
      raw.write(encodeFrame(FrameType.Hello, Uint8Array.of(0x00, 0x08)));
      expect(await raw.expect((m) => m.type === 'error' && m.token === 8)).toMatchObject({ refused: FrameType.Hello, code: 2 });
      raw.write(encodeControlFrame({ type: 'register', token: 10, router: new Uint8Array(16), lifetime: 0 }));
      expect(await raw.expect((m) => m.type === 'result' && m.token === 10)).toMatchObject({ command: FrameType.Register, status: 3 });
      raw.write(encodeControlFrame({ type: 'ping', token: 11, destination: new Uint8Array(16).fill(0xfe, 0, 1), identifier: 1, sequence: 1, size: 8, hopLimit: 5 }));
      expect(await raw.expect((m) => m.type === 'result' && m.token === 11)).toMatchObject({ command: FrameType.Ping, status: 3 });
    } finally {
      await raw.close();
    }
  });

  it('reports a trap in the core as ERROR (code 5) for the frame that caused it, then restarts clean', async () => {
    const trap = await boot('trap-link', join(dir, 'trap', 'firmware.elf'));
    const raw = await RawLink.open(trap.linkPath);
    try {
      await raw.expect((m) => m.type === 'hello-response' && m.token === 1, 5000, () => raw.write(encodeControlFrame({ type: 'hello', token: 1, version: 1 })));
      const from = raw.messages.length;
      raw.write(encodePsduFrame(Uint8Array.of(0x41, 0x88, 0x01, 0xcd, 0xab, 0xff, 0xff, 0x01, 0x00, 0x41, 0x60, 0x00, 0x00)));
      const error = await raw.expect((m) => m.type === 'error', 5000, undefined, from);
      expect(error).toMatchObject({ token: 0, refused: FrameType.Psdu, code: 5 });
      expect((error as { text: string }).text).toBe('trap: call stack exhausted in node_input');
      const log = await raw.expect((m) => m.type === 'log' && /restarted after: trap/.test(m.text), 5000, undefined, from);
      expect((log as { text: string }).text).toMatch(/boot 2, restarted after: trap: call stack exhausted in node_input/);
      await raw.expect((m) => m.type === 'hello-response' && m.token === 0, 5000, undefined, from);
    } finally {
      await raw.close();
      await trap.stop();
    }
  });

  it('REBOOT: RESULT first, then a restart that says hello unasked', async () => {
    const raw = await RawLink.open(server!.linkPath);
    try {
      await raw.expect((m) => m.type === 'hello-response' && m.token === 20, 5000, () => raw.write(encodeControlFrame({ type: 'hello', token: 20, version: 1 })));
      const from = raw.messages.length;
      raw.write(encodeControlFrame({ type: 'reboot', token: 21 }));
      expect(await raw.expect((m) => m.type === 'result' && m.token === 21, 5000, undefined, from)).toMatchObject({ status: 0 });
      const log = await raw.expect((m) => m.type === 'log' && /up, boot/.test(m.text), 5000, undefined, from);
      expect((log as { text: string }).text).toMatch(/restarted after: REBOOT request/);
      await raw.expect((m) => m.type === 'hello-response' && m.token === 0, 5000, undefined, from);
    } finally {
      await raw.close();
    }
  });

  it('passes through its UART every lowpan, icmpv6 and lowpan-nd test that fits in real time', async () => {
    // The virtual board first (virtual time: seconds): it says how much board
    // time each test takes. A test that needs more than this board gives a test
    // (timeouts.testMs) cannot run in real time here, e.g. LND-07 waits through a
    // 60-minute registration lifetime (docs/qemu-board.md, "Differences").
    const testMs = board.timeouts?.testMs ?? 60_000;
    const virtual = await runSuites('virtual', join(dir, 'report-virtual'));
    const fits = virtual.filter((r) => r.boardMs <= testMs).map((r) => r.id);
    expect(fits.length).toBeGreaterThan(virtual.length / 2);
    const qemu = await runSuites(boardFile(server!.linkPath, 'board.json'), join(dir, 'report-qemu'), `^(${fits.join('|')})$`);
    expect(qemu.map((r) => r.id)).toEqual(fits);
    const other = qemu.filter((r) => r.verdict !== 'pass' && r.verdict !== 'not-applicable');
    expect(other.map((r) => `${r.id} ${r.verdict}: ${r.reason ?? ''}`)).toEqual([]);
  }, 60 * 60_000);
});
