// Serves a virtual board on a real PTY (socat, from Debian, makes the PTY and
// relays it to our stdio), under a stable symlink such as /tmp/sixlab-virtual:
// a harness opens that path with node-serialport exactly as it opens a USB
// device. Stopping socat and starting it again is a replug.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Board } from './board-config.js';
import { SerialDevice } from './serial-device.js';

export class PtyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PtyError';
  }
}

export class PtyServer {
  devicePath = '';
  private socat?: ChildProcess;
  private readonly device: SerialDevice;
  private stopping = false;

  private constructor(readonly board: Board, readonly linkPath: string, faults: string[]) {
    this.device = new SerialDevice(board, (bytes) => this.socat?.stdin?.write(bytes), faults);
  }

  static async start(board: Board, linkPath: string, faults: string[] = []): Promise<PtyServer> {
    const server = new PtyServer(board, linkPath, faults);
    await server.plug();
    return server;
  }

  /** Starts socat: a new PTY appears under linkPath. */
  async plug(): Promise<void> {
    const socat = spawn('socat', ['-d', '-d', `PTY,rawer,link=${this.linkPath}`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.socat = socat;
    socat.stdout!.on('data', (chunk: Buffer) => this.device.receive(new Uint8Array(chunk)));
    socat.stdin!.on('error', () => {}); // a PTY torn down mid-write is a replug, not a crash
    this.devicePath = await new Promise<string>((resolve, reject) => {
      let err = '';
      socat.on('error', (e: NodeJS.ErrnoException) =>
        reject(new PtyError(e.code === 'ENOENT' ? 'socat not found: install it (apt-get install -y socat)' : e.message)));
      socat.on('exit', (code) => reject(new PtyError(`socat exited (${code}): ${err.trim().split('\n').pop() ?? ''}`)));
      socat.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /PTY is (\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
    });
    socat.removeAllListeners('exit');
    socat.on('exit', () => {
      if (this.socat === socat) this.socat = undefined;
    });
    for (let i = 0; i < 100 && !existsSync(this.linkPath); i++) await new Promise((r) => setTimeout(r, 10));
  }

  /** Stops socat: the PTY and its link disappear, as when a device is unplugged. */
  async unplug(): Promise<void> {
    const socat = this.socat;
    if (!socat) return;
    this.socat = undefined;
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
  }
}
