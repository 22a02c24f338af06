// The harness's end of the serial link (docs/serial-link.md) over
// node-serialport, for USB devices and PTYs alike. It reconnects when the port
// disappears and comes back (a device replugged), keeps what the device logged
// across reconnects, holds frames sent while the port is away and sends them
// once it is back, and releases the port on close.
import { existsSync, realpathSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { RealClock, type Clock } from '../sim/clock.js';
import type { Link, ReceivedFrame } from './link.js';
import {
  FrameDecoder, FrameType, decodeControlPayload, encodeControl, encodeFrame, type ControlMessage,
  type HelloResponseMessage, type ResultMessage,
} from './serial-framing.js';

export interface SerialLinkOptions {
  path: string;
  baudRate?: number;
  reconnectMs?: number;
  /** Lines the device logged that are kept (oldest dropped first). */
  logLines?: number;
}

export class SerialLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SerialLinkError';
  }
}

type Pending = { resolve: (m: ControlMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class SerialLink implements Link {
  readonly clock: Clock = new RealClock();
  readonly log: string[] = [];
  readonly decoder = new FrameDecoder();
  /** Times the port was (re)opened, and times it went away. */
  opens = 0;
  disconnects = 0;
  /** Control messages that did not decode, or of a type this harness does not know. */
  badControl = 0;
  private port?: SerialPort;
  private closed = false;
  private readonly queue: Uint8Array[] = [];
  private readonly listeners = new Set<(f: ReceivedFrame) => void>();
  private readonly pending = new Map<number, Pending>();
  private readonly bootListeners = new Set<(hello: HelloResponseMessage) => void>();
  private readonly openWaiters: (() => void)[] = [];
  private retry?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  /** The device node the path resolved to when opened (a PTY link can move). */
  private openedAs = '';
  private token = 1;

  private constructor(private readonly options: SerialLinkOptions) {}

  /** Opens the port, waiting up to timeoutMs for it to appear. */
  static async open(options: SerialLinkOptions, timeoutMs = 5000): Promise<SerialLink> {
    const link = new SerialLink(options);
    link.connect();
    link.watch();
    try {
      await link.whenOpen(timeoutMs);
    } catch (err) {
      await link.close(); // stop retrying: nobody will use this link
      throw err;
    }
    return link;
  }

  get connected(): boolean {
    return this.port?.isOpen ?? false;
  }

  private connect(): void {
    if (this.closed) return;
    const port = new SerialPort({ path: this.options.path, baudRate: this.options.baudRate ?? 115200, autoOpen: false });
    port.open((err) => {
      if (err) return this.scheduleReconnect();
      this.port = port;
      this.openedAs = resolved(this.options.path);
      this.opens++;
      this.decoder.reset();
      for (const w of this.openWaiters.splice(0)) w();
      for (const f of this.queue.splice(0)) port.write(f);
    });
    port.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk)));
    port.on('close', () => {
      if (this.port === port) {
        this.port = undefined;
        this.disconnects++;
      }
      this.scheduleReconnect();
    });
    port.on('error', () => {
      if (this.port === port) this.port = undefined;
    });
  }

  /** The port's 'close' does not always come when a device goes away (a PTY
   *  whose other end closed between two reads): check the path as well. */
  private watch(): void {
    this.watchdog = setInterval(() => {
      const port = this.port;
      if (!port?.isOpen || resolved(this.options.path) === this.openedAs) return;
      this.port = undefined;
      this.disconnects++;
      port.close(() => this.scheduleReconnect());
    }, this.options.reconnectMs ?? 200);
    this.watchdog.unref();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, this.options.reconnectMs ?? 200);
  }

  /** Resolves once the port is open (at once if it is). */
  whenOpen(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new SerialLinkError(`${this.options.path}: not available after ${timeoutMs} ms`)), timeoutMs);
      this.openWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private receive(chunk: Uint8Array): void {
    const at = this.clock.now();
    for (const f of this.decoder.push(chunk)) {
      if (f.type === FrameType.Psdu) {
        for (const l of this.listeners) l({ psdu: f.payload, at });
        continue;
      }
      let msg: ControlMessage;
      try {
        msg = decodeControlPayload(f.type, f.payload);
      } catch {
        this.badControl++; // unknown type or malformed: counted and ignored (docs/serial-link.md)
        continue;
      }
      this.control(msg);
    }
  }

  private control(msg: ControlMessage): void {
    if (msg.type === 'log') {
      this.log.push(msg.text);
      if (this.log.length > (this.options.logLines ?? 1000)) this.log.shift();
      return;
    }
    const token = 'token' in msg ? msg.token : 0;
    if (msg.type === 'hello-response' && token === 0) {
      for (const l of this.bootListeners) l(msg); // the device (re)booted: it says hello unasked
      return;
    }
    const p = this.pending.get(token);
    if (!p) return;
    this.pending.delete(token);
    clearTimeout(p.timer);
    if (msg.type === 'error') p.reject(new SerialLinkError(`device refused: ${msg.text || `code ${msg.code}`}`));
    else p.resolve(msg);
  }

  private write(bytes: Uint8Array): void {
    if (this.port?.isOpen) this.port.write(bytes);
    else this.queue.push(bytes); // sent once the port is back
  }

  async send(psdu: Uint8Array): Promise<void> {
    this.write(encodeFrame(FrameType.Psdu, psdu));
  }

  onFrame(listener: (f: ReceivedFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends a control message and waits for the answer with its token. */
  request<T extends ControlMessage>(msg: ControlMessage & { token: number }, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msg.token);
        reject(new SerialLinkError(`${this.options.path}: no answer to ${msg.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(msg.token, { resolve: resolve as (m: ControlMessage) => void, reject, timer });
      const bytes = encodeControl(msg);
      this.write(encodeFrame(bytes[0], bytes.subarray(1)));
    });
  }

  private nextToken(): number {
    this.token = (this.token % 0xfffe) + 1;
    return this.token;
  }

  /** Hello: the device's identity (firmware, EUI-64, capabilities). */
  hello(timeoutMs = 1000): Promise<HelloResponseMessage> {
    return this.request<HelloResponseMessage>({ type: 'hello', token: this.nextToken(), version: 1 }, timeoutMs);
  }

  reset(seed: number, timeoutMs = 2000): Promise<ResultMessage> {
    return this.request<ResultMessage>({ type: 'reset', token: this.nextToken(), seed }, timeoutMs);
  }

  reboot(timeoutMs = 2000): Promise<ResultMessage> {
    return this.request<ResultMessage>({ type: 'reboot', token: this.nextToken() }, timeoutMs);
  }

  /** The device sends one Echo Request (docs/serial-link.md, PING). */
  ping(destination: Uint8Array, identifier: number, sequence: number, size: number, timeoutMs = 2000): Promise<ResultMessage> {
    return this.request<ResultMessage>({ type: 'ping', token: this.nextToken(), destination, identifier, sequence, size, hopLimit: 0 }, timeoutMs);
  }

  /** The device sends one UDP datagram (docs/serial-link.md, UDP). */
  udp(destination: Uint8Array, destinationPort: number, sourcePort: number, data: Uint8Array, timeoutMs = 2000): Promise<ResultMessage> {
    return this.request<ResultMessage>({
      type: 'udp', token: this.nextToken(), destination, destinationPort, sourcePort, length: data.length, data,
    }, timeoutMs);
  }

  /** Called when the device says hello unasked: it has booted (or rebooted on its own). */
  onBoot(listener: (hello: HelloResponseMessage) => void): () => void {
    this.bootListeners.add(listener);
    return () => this.bootListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.watchdog) clearInterval(this.watchdog);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new SerialLinkError('link closed'));
    }
    this.pending.clear();
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.listeners.clear();
  }
}

/** What a path resolves to now ('' when it is gone). */
function resolved(path: string): string {
  try {
    return existsSync(path) ? realpathSync(path) : '';
  } catch {
    return '';
  }
}
