// The device under test as a run sees it: a board, reached over its link,
// brought to a known state before each test (virtual: a fresh node; serial:
// RESET then HELLO on the control channel), told to do what a test needs
// (send an Echo Request, a UDP datagram, reboot), and watched for crashes and
// reboots. Every frame on the link goes to the run's taps with its time.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Board } from '../../host/board/board-config.js';
import { openBoard, type OpenBoard } from '../../host/board/open-board.js';
import { VirtualBoard } from '../../host/board/virtual-board.js';
import { coreWasmPath } from '../../host/core/sixlab-core.js';
import type { Link, ReceivedFrame } from '../../host/link/link.js';
import { SerialLink } from '../../host/link/serial-link.js';
import type { LinkAddress } from '../../host/packet/link-address.js';
import type { Clock } from '../../host/sim/clock.js';
import type { Need } from './types.js';

export interface SessionFrame {
  /** Milliseconds on the run's timeline (board time, continued across device resets). */
  runMs: number;
  /** Milliseconds on the board's clock. */
  at: number;
  psdu: Uint8Array;
  direction: 'in' | 'out';
  comment?: string;
}

export interface BeginOptions {
  seed: number;
  /** The device uses its 16-bit short address (need: short-address). */
  shortSource?: boolean;
}

export class SessionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionError';
  }
}

/** What every kind of board offers the runner. */
export interface Session {
  readonly board: Board;
  readonly kind: string;
  readonly needs: Set<Need>;
  /** The link and clock of the current device (a virtual board gets new ones per test). */
  link: Link & { adopt?(link: LinkAddress): void };
  clock: Clock;
  readonly core?: { path?: string; sha256?: string; firmware?: string };
  /** Milliseconds since the Unix epoch at run time 0. */
  readonly epochMs: number;
  onFrame(listener: (f: SessionFrame) => void): void;
  /** A device in a known state, ready for a test. */
  begin(options: BeginOptions): Promise<void>;
  /** What went wrong with the device during the test (crash, reboot), if anything. */
  trouble(): string | undefined;
  /** After a test: bring the board back if it needs it. */
  end(): Promise<void>;
  reboot(): Promise<void>;
  devicePing(dst: Uint8Array, id: number, seq: number, size: number): Promise<void>;
  deviceUdp(dst: Uint8Array, dstPort: number, srcPort: number, data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** The needs a board meets: its mode and the capabilities its board.json lists. */
export function boardNeeds(board: Board, extra: Need[] = []): Set<Need> {
  const needs = new Set<Need>(extra);
  needs.add((board.device.mode ?? 'lowpan-nd') === 'classic' ? 'classic' : 'lowpan-nd');
  for (const c of board.capabilities ?? []) {
    if (c === 'ping' || c === 'udp-send' || c === 'coap' || c === 'short-address' || c === 'reboot') needs.add(c);
  }
  return needs;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A virtual board: a fresh board (node, medium, virtual clock) for every test. */
export class VirtualSession implements Session {
  readonly kind = 'virtual';
  readonly needs: Set<Need>;
  readonly epochMs = Date.now();
  readonly core: { path: string; sha256: string };
  link!: VirtualBoard['link'];
  clock!: Clock;
  private vb?: VirtualBoard;
  private base = 0;
  private readonly listeners: ((f: SessionFrame) => void)[] = [];

  constructor(readonly board: Board, private readonly options: { faults?: string[]; corePath?: string; observeFaults?: (name: string) => void }) {
    this.needs = boardNeeds(board);
    const path = options.corePath ?? coreWasmPath();
    this.core = { path, sha256: sha256File(path) };
    // Fail now, with one line, on a core this harness cannot run.
    new VirtualBoard(board, { faults: options.faults, corePath: options.corePath });
  }

  onFrame(listener: (f: SessionFrame) => void): void {
    this.listeners.push(listener);
  }

  async begin(options: BeginOptions): Promise<void> {
    if (this.vb) this.base += this.vb.clock.now() + 1000; // a second of air between tests
    const vb = new VirtualBoard(this.board, {
      faults: this.options.faults, corePath: this.options.corePath, seed: options.seed, shortSource: options.shortSource,
      observeFaults: this.options.observeFaults,
    });
    const base = this.base;
    vb.onTransmission((t) => {
      if (this.vb !== vb) return; // a board from an earlier test: its frames are not this test's
      const f: SessionFrame = {
        runMs: base + t.at, at: t.at, psdu: t.psdu, direction: t.from === 'device' ? 'in' : 'out',
        comment: t.attempt > 0 ? `retransmission ${t.attempt}` : undefined,
      };
      for (const l of this.listeners) l(f);
    });
    this.vb = vb;
    this.link = vb.link;
    this.clock = vb.clock;
  }

  trouble(): string | undefined {
    const crash = this.vb?.device.crash;
    return crash ? `the device crashed: ${crash.message}` : undefined;
  }

  async end(): Promise<void> {
    // The next test gets a fresh board anyway.
  }

  async reboot(): Promise<void> {
    this.vb!.reboot((this.vb!.node.status().rsSent + 7) >>> 0);
  }

  async devicePing(dst: Uint8Array, id: number, seq: number, size: number): Promise<void> {
    const r = this.vb!.node.ping(dst, id, seq, size, Math.floor(this.clock.now()));
    this.vb!.device.service();
    if (r < 0) throw new SessionError(`the device refused to send the Echo Request (reason ${-r})`);
  }

  async deviceUdp(dst: Uint8Array, dstPort: number, srcPort: number, data: Uint8Array): Promise<void> {
    const r = this.vb!.node.udpSend(dst, dstPort, srcPort, data, Math.floor(this.clock.now()));
    this.vb!.device.service();
    if (r < 0) throw new SessionError(`the device refused to send the UDP datagram (reason ${-r})`);
  }

  /** The board of the current test (virtual boards only: for the runner's own checks). */
  get virtual(): VirtualBoard | undefined {
    return this.vb;
  }

  async close(): Promise<void> {
    const vb = this.vb;
    this.vb = undefined;
    await vb?.link.close();
  }
}

/** A board reached over a real link (serial or ZEP): one link for the whole run, real time. */
export class LinkSession implements Session {
  readonly kind: string;
  readonly needs: Set<Need>;
  readonly epochMs: number;
  link: Link;
  clock: Clock;
  core?: { firmware?: string };
  private readonly listeners: ((f: SessionFrame) => void)[] = [];
  private rebooted = false;
  private lost?: string;

  private constructor(readonly board: Board, private readonly opened: OpenBoard) {
    this.kind = board.link.kind;
    this.link = opened.link;
    this.clock = opened.link.clock;
    this.epochMs = Date.now() - this.clock.now();
    this.needs = boardNeeds(board);
    opened.tap((f) => {
      const frame: SessionFrame = { runMs: f.at, at: f.at, psdu: f.psdu, direction: f.direction, comment: f.comment };
      for (const l of this.listeners) l(frame);
    });
    this.serial?.onBoot(() => (this.rebooted = true));
  }

  static async open(board: Board): Promise<LinkSession> {
    const opened = await openBoard(board);
    const s = new LinkSession(board, opened);
    if (s.serial) {
      try {
        const hello = await s.serial.hello(board.timeouts?.helloMs ?? 1000);
        s.core = { firmware: hello.firmware };
      } catch (err) {
        await opened.close();
        throw new SessionError(`board ${board.name}: the device does not answer HELLO (${(err as Error).message})`);
      }
    }
    return s;
  }

  private get serial(): SerialLink | undefined {
    return this.opened.link instanceof SerialLink ? this.opened.link : (this.rawSerial ??= findSerial(this.opened));
  }

  private rawSerial?: SerialLink;

  onFrame(listener: (f: SessionFrame) => void): void {
    this.listeners.push(listener);
  }

  private has(c: string): boolean {
    return (this.board.capabilities ?? []).includes(c as never);
  }

  async begin(options: BeginOptions): Promise<void> {
    if (this.lost) throw new SessionError(this.lost);
    if (options.shortSource) throw new SessionError('this board cannot be configured to use its short address');
    const serial = this.serial;
    if (serial && this.has('reset')) {
      await serial.reset(options.seed, this.board.timeouts?.helloMs ?? 2000);
      await serial.hello(this.board.timeouts?.helloMs ?? 1000);
      await this.clock.sleep(this.board.timeouts?.bootMs ?? 0);
    }
    this.rebooted = false;
  }

  trouble(): string | undefined {
    return this.rebooted ? 'the device rebooted during the test (it said hello unasked)' : undefined;
  }

  /** Ready-check: HELLO; a device that does not answer is rebooted and asked again. */
  async end(): Promise<void> {
    const serial = this.serial;
    if (!serial) return;
    const helloMs = this.board.timeouts?.helloMs ?? 1000;
    try {
      await serial.hello(helloMs);
      return;
    } catch {
      // brought back below
    }
    try {
      if (this.has('reboot')) await serial.reboot(helloMs);
      await this.clock.sleep(this.board.timeouts?.bootMs ?? 0);
      await serial.hello(helloMs);
    } catch (err) {
      this.lost = `board ${this.board.name} did not come back: ${(err as Error).message}`;
    }
  }

  /** A reboot the test asked for: the device answers RESULT, restarts and says hello unasked; only then is it back. */
  async reboot(): Promise<void> {
    const serial = this.serial;
    if (!serial || !this.has('reboot')) throw new SessionError('this board cannot be rebooted by the harness');
    const helloMs = this.board.timeouts?.helloMs ?? 2000;
    let booted!: () => void;
    const hello = new Promise<void>((resolve) => (booted = resolve));
    const stop = serial.onBoot(() => booted());
    try {
      await serial.reboot(helloMs);
      await Promise.race([hello, this.clock.sleep((this.board.timeouts?.bootMs ?? 0) + helloMs)]);
      await serial.hello(helloMs);
    } finally {
      stop();
    }
    this.rebooted = false;
  }

  async devicePing(dst: Uint8Array, id: number, seq: number, size: number): Promise<void> {
    const serial = this.serial;
    if (!serial) throw new SessionError('this board has no control channel');
    const r = await serial.ping(dst, id, seq, size, this.board.timeouts?.replyMs ?? 2000);
    if (r.status !== 0) throw new SessionError(`the device refused to send the Echo Request (status ${r.status}, detail ${r.detail})`);
  }

  async deviceUdp(dst: Uint8Array, dstPort: number, srcPort: number, data: Uint8Array): Promise<void> {
    const serial = this.serial;
    if (!serial) throw new SessionError('this board has no control channel');
    const r = await serial.udp(dst, dstPort, srcPort, data, this.board.timeouts?.replyMs ?? 2000);
    if (r.status !== 0) throw new SessionError(`the device refused to send the UDP datagram (status ${r.status}, detail ${r.detail})`);
  }

  async close(): Promise<void> {
    await this.opened.close();
  }
}

function findSerial(opened: OpenBoard): SerialLink | undefined {
  return (opened as OpenBoard & { raw?: Link }).raw instanceof SerialLink ? (opened as OpenBoard & { raw?: Link }).raw as SerialLink : undefined;
}

export async function openSession(board: Board, options: { faults?: string[]; corePath?: string }): Promise<Session> {
  if (board.link.kind === 'virtual') return new VirtualSession(board, options);
  if (options.faults?.length) throw new SessionError(`board ${board.name}: faults need a virtual board`);
  if (options.corePath) throw new SessionError(`board ${board.name}: --core needs a virtual board (a real device runs its own firmware)`);
  return LinkSession.open(board);
}

export type { ReceivedFrame };
