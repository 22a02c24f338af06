// Serves a virtual board on a real PTY (socat, from Debian, makes the PTY and
// relays it to our stdio), under a stable symlink such as /tmp/sixlab-virtual:
// a harness opens that path with node-serialport exactly as it opens a USB
// device. Stopping socat and starting it again is a replug.
//
// The link path is a user's path: the server never replaces what is there
// (socat's link= would replace a regular file, and remove it on exit), never
// takes over the link of a board that is running (a lock file beside the link,
// PATH.lock, holds the serving process's pid), and removes only what it made
// (socat removes its link; the server its lock). A missing folder, a missing
// socat, or socat failing to make the link is an error at start, not a hang.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Board } from './board-config.js';
import { SerialDevice } from './serial-device.js';

export class PtyError extends Error {
  /** 'link': the message is about the link path (a CLI names its flag before it). */
  constructor(message: string, readonly about?: 'link') {
    super(message);
    this.name = 'PtyError';
  }
}

/** Link paths this process serves (a second server in the same process is refused too). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where a symlink points (resolved against its folder), or undefined. */
function linkTarget(path: string): string | undefined {
  try {
    return resolve(dirname(path), readlinkSync(path));
  } catch {
    return undefined;
  }
}

const isPty = (target: string) => /^\/dev\/pts\/\d+$/.test(target);

/**
 * Checks that `path` may become our link and takes its lock (PATH.lock, our
 * pid, created exclusively). Throws a one-line PtyError otherwise. A lock or a
 * PTY link left by a board that is gone (its process dead, its PTY closed) is
 * taken over.
 */
function claim(path: string): string {
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new PtyError(`${path}: folder ${dir} does not exist`, 'link');
  const lock = `${path}.lock`;
  if (held.has(path)) throw new PtyError(`${path} is the link of a running board (this process): stop it first or choose another link path`, 'link');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST' || attempt > 0) throw new PtyError(`${lock}: cannot create the board's lock: ${e.message}`, 'link');
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(lock, 'utf8').trim());
    } catch {
      // unreadable: treat as stale below
    }
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      const target = linkTarget(path);
      throw new PtyError(`${path} is the link of a running board (pid ${pid}${target ? `, ${target}` : ''}): stop it first or choose another link path`, 'link');
    }
    unlinkSync(lock); // stale: its board is gone
  }
  try {
    checkPath(path);
  } catch (err) {
    unlinkSync(lock);
    throw err;
  }
  held.add(path);
  return lock;
}

/** What is at `path` now: nothing, or a link to a PTY that is gone (removed); anything else is refused. */
function checkPath(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return; // nothing there
  }
  const target = st.isSymbolicLink() ? linkTarget(path) : undefined;
  if (!target || !isPty(target)) throw new PtyError(`${path} exists and is not a PTY link: refusing to replace it`, 'link');
  if (existsSync(target)) {
    throw new PtyError(`${path} is the link of a live PTY (${target}) that no sixlab board holds: stop whatever serves it, or choose another link path`, 'link');
  }
  unlinkSync(path); // a link to a PTY that is gone: left by a board that was killed
}

export class PtyServer {
  devicePath = '';
  /** Resolves with a one-line reason if socat exits on its own (not through unplug or stop). */
  readonly died: Promise<string>;
  private socat?: ChildProcess;
  private readonly device: SerialDevice;
  private stopping = false;
  private lock?: string;
  private die!: (reason: string) => void;

  private constructor(readonly board: Board, readonly linkPath: string, faults: string[]) {
    this.device = new SerialDevice(board, (bytes) => this.socat?.stdin?.write(bytes), faults);
    this.died = new Promise((r) => (this.die = r));
  }

  static async start(board: Board, linkPath: string, faults: string[] = []): Promise<PtyServer> {
    const path = resolve(linkPath);
    const lock = claim(path);
    let server: PtyServer | undefined;
    try {
      server = new PtyServer(board, path, faults);
      server.lock = lock;
      await server.plug();
      return server;
    } catch (err) {
      if (server) await server.stop();
      else release(path, lock);
      throw err;
    }
  }

  /** Starts socat: a new PTY appears under linkPath. */
  async plug(): Promise<void> {
    const socat = spawn('socat', ['-d', '-d', `PTY,rawer,link=${this.linkPath}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.socat = socat;
    socat.stdout!.on('data', (chunk: Buffer) => this.device.receive(new Uint8Array(chunk)));
    socat.stdin!.on('error', () => {}); // a PTY torn down mid-write is a replug, not a crash
    let err = '';
    const lastLine = () => err.trim().split('\n').pop()?.replace(/^\S+ \S+ socat\[\d+\] [A-Z] /, '') ?? '';
    const exited = new Promise<number | null>((r) => socat.once('exit', (code) => r(code)));
    socat.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const started = new Promise<string>((resolve, reject) => {
      socat.once('error', (e: NodeJS.ErrnoException) =>
        reject(new PtyError(e.code === 'ENOENT' ? 'socat not found: install it (apt-get install -y socat)' : `socat: ${e.message}`)));
      void exited.then((code) => reject(new PtyError(`socat exited (${code}) before serving ${this.linkPath}: ${lastLine()}`)));
      socat.stderr!.on('data', () => {
        const m = /PTY is (\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
    });
    try {
      this.devicePath = await started;
      // socat says "PTY is" before it makes the link; it is served once the link is there.
      for (let i = 0; !existsSync(this.linkPath); i++) {
        const gone = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10))]);
        if (gone) throw new PtyError(`socat exited before making ${this.linkPath}: ${lastLine()}`);
        if (i >= 500) throw new PtyError(`socat made no link ${this.linkPath} within 5 s`);
      }
    } catch (e) {
      if (this.socat === socat) this.socat = undefined;
      if (socat.exitCode === null && socat.signalCode === null) {
        socat.kill('SIGTERM');
        await exited;
      }
      throw e;
    }
    void exited.then((code) => {
      if (this.socat !== socat) return; // unplugged or stopped on purpose
      this.socat = undefined;
      this.die(`socat exited (${code}): ${lastLine() || 'the PTY is gone'}`);
    });
  }

  /** Stops socat: the PTY and its link disappear, as when a device is unplugged. */
  async unplug(): Promise<void> {
    const socat = this.socat;
    if (!socat) return;
    this.socat = undefined;
    if (socat.exitCode !== null || socat.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      socat.on('exit', () => resolve());
      socat.kill('SIGTERM');
    });
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.unplug();
    this.device.close();
    if (this.lock) release(this.linkPath, this.lock);
  }
}

/** Removes our lock (only if it still holds our pid). */
function release(path: string, lock: string): void {
  held.delete(path);
  try {
    if (Number(readFileSync(lock, 'utf8').trim()) === process.pid) unlinkSync(lock);
  } catch {
    // already gone
  }
}
