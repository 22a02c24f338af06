// Boots a board's firmware under qemu-system-arm with its UART on a PTY, under
// a stable symlink (e.g. /tmp/sixlab-qemu-mps2-an386) that the harness opens
// with node-serialport exactly as it opens a USB device (docs/qemu-board.md).
//
// QEMU drops what the guest writes while nobody holds the PTY open, so the
// machine starts halted (-S): the port is opened first, then the monitor's
// `cont` starts the CPU, and the boot's unasked HELLO (token 0) is read. Then
// the port is closed again and the device is the harness's to open. (QEMU
// notices a reopened PTY within a second; until then the harness's first bytes
// wait, which its HELLO timeout covers.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { packageRoot } from '../core/sixlab-core.js';
import { MessageDecoder, type HelloResponseMessage } from '../link/serial-framing.js';
import type { Board } from './board-config.js';

export class QemuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QemuError';
  }
}

export interface QemuOptions {
  /** The image to boot (default build/boards/<board>/firmware.elf, from `npm run build:firmware`). */
  firmware?: string;
  /** QEMU machine (default: the board name without its "qemu-" prefix, e.g. mps2-an386). */
  machine?: string;
  /** How long to wait for the boot's HELLO (default 10 s). */
  helloTimeoutMs?: number;
  /** The emulator binary (default qemu-system-arm). */
  qemu?: string;
}

/** The firmware image `npm run build:firmware` writes for a board. */
export function firmwarePath(board: Pick<Board, 'name'>): string {
  return join(packageRoot(), 'build', 'boards', board.name, 'firmware.elf');
}

function machineOf(board: Pick<Board, 'name'>): string {
  return board.name.replace(/^qemu-/, '');
}

/** True when qemu-system-arm runs here. */
export function qemuAvailable(qemu = 'qemu-system-arm'): boolean {
  return spawnSync(qemu, ['--version'], { stdio: 'ignore' }).status === 0;
}

export class QemuServer {
  /** The PTY QEMU made (/dev/pts/N); linkPath points to it. */
  devicePath = '';
  /** Milliseconds from `cont` to the boot's HELLO (token 0). */
  bootMs = 0;
  /** The device's identity, from that HELLO. */
  hello!: HelloResponseMessage;
  /** LOG lines the device sent while booting. */
  readonly bootLog: string[] = [];
  private qemu?: ChildProcess;
  private exited?: Promise<void>;
  private output = '';
  private spawnError?: NodeJS.ErrnoException;
  private stopping = false;

  private constructor(readonly board: Board, readonly linkPath: string, private readonly options: QemuOptions) {}

  /** Boots the board's firmware and resolves once it has said hello; the PTY is then free for the harness. */
  static async start(board: Board, linkPath: string, options: QemuOptions = {}): Promise<QemuServer> {
    const server = new QemuServer(board, linkPath, options);
    try {
      await server.boot();
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  get pid(): number | undefined {
    return this.qemu?.pid;
  }

  private async boot(): Promise<void> {
    const firmware = this.options.firmware ?? firmwarePath(this.board);
    if (!existsSync(firmware)) throw new QemuError(`${firmware} is missing: run "npm run build:firmware" (it needs scripts/install-toolchain.sh)`);
    const binary = this.options.qemu ?? 'qemu-system-arm';
    const qemu = spawn(binary, [
      '-M', this.options.machine ?? machineOf(this.board), '-nographic', '-S',
      '-serial', 'pty', '-monitor', 'stdio', '-kernel', firmware,
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.qemu = qemu;
    this.exited = new Promise((resolve) => {
      qemu.once('exit', () => resolve());
      qemu.once('error', (e: NodeJS.ErrnoException) => {
        this.spawnError = e;
        resolve();
      });
    });
    qemu.stdin!.on('error', () => {}); // QEMU gone: its exit says why
    const collect = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-4000);
    };
    qemu.stdout!.on('data', collect);
    qemu.stderr!.on('data', collect);

    this.devicePath = await this.waitFor(() => /char device redirected to (\/dev\/\S+) \(label serial0\)/.exec(this.output)?.[1], 10_000,
      () => `QEMU did not make its PTY: ${this.lastOutput()}`, binary);
    this.link();

    // Open before `cont`: what the guest writes before the PTY is open is lost.
    const port = await openPort(this.devicePath);
    try {
      const decoder = new MessageDecoder();
      let hello: HelloResponseMessage | undefined;
      port.on('data', (chunk: Buffer) => {
        for (const m of decoder.push(new Uint8Array(chunk))) {
          if (m.kind !== 'control') continue;
          if (m.message.type === 'log') this.bootLog.push(m.message.text);
          if (m.message.type === 'hello-response' && m.message.token === 0) hello ??= m.message;
        }
      });
      const t0 = performance.now();
      qemu.stdin!.write('cont\n');
      this.hello = await this.waitFor(() => hello, this.options.helloTimeoutMs ?? 10_000,
        () => `the firmware did not say hello${this.bootLog.length ? ` (it logged: ${this.bootLog.join(' | ')})` : ''}`, binary);
      this.bootMs = performance.now() - t0;
    } finally {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }

  /** Polls `get` until it returns something, QEMU exits, or the time is up. */
  private waitFor<T>(get: () => T | undefined, ms: number, why: () => string, binary: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + ms;
      const timer = setInterval(() => {
        const v = get();
        let err: Error | undefined;
        if (v !== undefined) {
          clearInterval(timer);
          return resolve(v);
        }
        if (this.spawnError) {
          err = new QemuError(this.spawnError.code === 'ENOENT'
            ? `${binary} not found: run scripts/install-toolchain.sh (apt-get install qemu-system-arm)` : this.spawnError.message);
        } else if (this.qemu && (this.qemu.exitCode !== null || this.qemu.signalCode !== null)) {
          err = new QemuError(`QEMU exited (${this.qemu.exitCode ?? this.qemu.signalCode}): ${this.lastOutput()}`);
        } else if (Date.now() > deadline) {
          err = new QemuError(why());
        }
        if (err) {
          clearInterval(timer);
          reject(err);
        }
      }, 5);
    });
  }

  private lastOutput(): string {
    // eslint-disable-next-line no-control-regex
    const lines = this.output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n').map((l) => l.trim()).filter((l) => l && l !== '(qemu)');
    // QEMU's own complaints first (a fatal error is followed by a register dump).
    const said = lines.filter((l) => /qemu[-:]|fatal|error|warning/i.test(l));
    return (said.length ? said : lines).slice(-3).join(' | ') || 'no output';
  }

  /** linkPath -> the PTY. An old symlink there (a board that was not stopped) is replaced; anything else is refused. */
  private link(): void {
    let stat;
    try {
      stat = lstatSync(this.linkPath);
    } catch {
      stat = undefined;
    }
    if (stat && !stat.isSymbolicLink()) throw new QemuError(`${this.linkPath} exists and is not a symlink: choose another link path`);
    if (stat) unlinkSync(this.linkPath);
    symlinkSync(this.devicePath, this.linkPath);
  }

  /** Stops QEMU (monitor `quit`, then a kill if it lingers) and removes the link. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const qemu = this.qemu;
    if (qemu && !this.spawnError && qemu.exitCode === null && qemu.signalCode === null) {
      qemu.stdin!.write('quit\n');
      const timer = setTimeout(() => qemu.kill('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(timer);
    }
    try {
      if (this.devicePath && readlinkSync(this.linkPath) === this.devicePath) unlinkSync(this.linkPath);
    } catch {
      // already gone
    }
  }
}

function openPort(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    port.open((err) => (err ? reject(new QemuError(`${path}: ${err.message}`)) : resolve(port)));
  });
}
