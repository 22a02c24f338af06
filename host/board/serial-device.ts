// The device's end of the serial link (docs/serial-link.md) for a virtual
// board: PSDU frames from the harness go onto the board's medium as if on
// the air; what the harness's station hears comes back as PSDU frames; control
// messages (hello, reset, reboot, ping, udp) are served from the board. This
// is what `sixlab board up` puts behind a PTY, so the serial path is exercised
// exactly as with hardware.
import {
  Capability, ErrorCode, FrameDecoder, FrameType, LogLevel, PROTOCOL_VERSION, ResultStatus,
  decodeControl, encodeControl, encodeFrame, isControlType, type ControlMessage,
} from '../link/serial-framing.js';
import { RealScheduler } from '../sim/clock.js';
import type { Board } from './board-config.js';
import { VirtualBoard } from './virtual-board.js';

export const FIRMWARE = 'sixlab-virtual 0.1.0';

export class SerialDevice {
  private vb!: VirtualBoard;
  private unsubscribe?: () => void;
  private readonly decoder = new FrameDecoder();
  private readonly clock = new RealScheduler();

  constructor(private readonly board: Board, private readonly write: (bytes: Uint8Array) => void, private readonly faults: string[] = []) {
    this.boot(1);
  }

  private boot(seed: number): void {
    this.unsubscribe?.();
    this.vb = new VirtualBoard(this.board, { clock: this.clock, faults: this.faults, seed, ackAll: true });
    this.unsubscribe = this.vb.link.onFrame((f) => this.write(encodeFrame(FrameType.Psdu, f.psdu)));
    this.send({ type: 'log', level: LogLevel.Info, text: `${FIRMWARE} up (seed ${seed})` });
    this.send(this.identity(0));
  }

  /** Bytes from the harness. */
  receive(chunk: Uint8Array): void {
    for (const frame of this.decoder.push(chunk)) {
      if (frame.type === FrameType.Psdu) {
        void this.vb.link.send(frame.payload);
        continue;
      }
      if (!isControlType(frame.type)) {
        this.send({ type: 'error', token: 0, refused: frame.type, code: ErrorCode.UnknownType, text: 'unknown frame type' });
        continue;
      }
      try {
        this.command(decodeControl(Uint8Array.of(frame.type, ...frame.payload)));
      } catch (err) {
        this.send({ type: 'error', token: 0, refused: frame.type, code: ErrorCode.BadLength, text: (err as Error).message.slice(0, 80) });
      }
    }
  }

  private identity(token: number): ControlMessage {
    return {
      type: 'hello-response', token, version: PROTOCOL_VERSION, eui64: this.board.deviceLink.bytes,
      shortAddress: this.board.deviceShort ?? 0xfffe, panId: this.board.pan,
      capabilities: Capability.Ping | Capability.Udp | Capability.Reset | Capability.Reboot | Capability.Log | Capability.Fragmentation,
      firmware: FIRMWARE,
    };
  }

  private command(msg: ControlMessage): void {
    const now = Math.floor(this.clock.now());
    const result = (command: number, token: number, status: number, detail = 0) =>
      this.send({ type: 'result', token, command, status, detail });
    switch (msg.type) {
      case 'hello':
        return this.send(this.identity(msg.token));
      case 'reset':
        this.boot(msg.seed || 1);
        return result(FrameType.Reset, msg.token, ResultStatus.Ok);
      case 'reboot':
        this.boot(1);
        return result(FrameType.Reboot, msg.token, ResultStatus.Ok);
      case 'ping': {
        const r = this.vb.node.ping(msg.destination, msg.identifier, msg.sequence, msg.size, now);
        this.vb.device.service();
        return result(FrameType.Ping, msg.token, r === 0 ? ResultStatus.Ok : ResultStatus.Failed, r < 0 ? -r : 0);
      }
      case 'udp': {
        const data = Uint8Array.from({ length: msg.length }, (_, i) => (msg.data.length ? msg.data[i % msg.data.length] : 0));
        const r = this.vb.node.udpSend(msg.destination, msg.destinationPort, msg.sourcePort, data, now);
        this.vb.device.service();
        return result(FrameType.Udp, msg.token, r === 0 ? ResultStatus.Ok : ResultStatus.Failed, r < 0 ? -r : 0);
      }
      default:
        return this.send({ type: 'error', token: 'token' in msg ? msg.token : 0, refused: 0, code: ErrorCode.Unsupported, text: `${msg.type} not supported by this board` });
    }
  }

  private send(msg: ControlMessage): void {
    const bytes = encodeControl(msg);
    this.write(encodeFrame(bytes[0], bytes.subarray(1)));
  }

  close(): void {
    this.unsubscribe?.();
    this.clock.stop();
  }
}
