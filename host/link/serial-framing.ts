// Byte-stream framing between the harness and a device reached over a serial
// port (or the virtual board behind a PTY). The wire format, every message
// layout and the rules are in docs/serial-link.md; this file is its code.
//
//   frame on the wire:  END  SLIP-escape( type | payload | CRC-16 )  END
//
// SLIP (RFC 1055) with a leading END before every frame (Karn's rule); the CRC
// is CRC-16/CCITT-FALSE over type + payload, sent most significant octet first.
// Multi-byte message fields are big-endian (network order).
import { PacketError } from '../packet/errors.js';

/** Thrown for anything that cannot be encoded or decoded; the message is one line. */
export class SerialLinkError extends PacketError {
  constructor(message: string) {
    super(message);
    this.name = 'SerialLinkError';
  }
}

// ---------------------------------------------------------------------------
// Constants

/** SLIP special octets (RFC 1055). */
export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

/** Version of the control protocol this code speaks (carried by HELLO). */
export const PROTOCOL_VERSION = 1;
/** Largest payload (after the type octet, before the CRC) of any frame. */
export const MAX_PAYLOAD = 255;
/** Largest PSDU (aMaxPhyPacketSize, FCS included). */
export const MAX_PSDU = 127;
/** Largest unescaped frame body: type + payload + CRC. */
export const MAX_FRAME_BODY = 1 + MAX_PAYLOAD + 2;

/**
 * The type octet that starts every frame. Bit 7 clear: harness → device;
 * bit 7 set: device → harness; PSDU goes both ways. 0x00 and 0xFF are never
 * assigned.
 */
export const FrameType = {
  Psdu: 0x01,
  Hello: 0x10,
  Reset: 0x11,
  Reboot: 0x12,
  Ping: 0x20,
  Udp: 0x21,
  Register: 0x22,
  HelloResponse: 0x90,
  Result: 0xa0,
  Log: 0xb0,
  Error: 0xe0,
} as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

/** Capability bits in HELLO-RESPONSE. Unknown bits are passed through. */
export const Capability = {
  Ping: 1 << 0,
  Udp: 1 << 1,
  Register: 1 << 2,
  Reboot: 1 << 3,
  Reset: 1 << 4,
  Log: 1 << 5,
  Fragmentation: 1 << 6,
  Router: 1 << 7,
} as const;

/** RESULT status. Unknown values are passed through. */
export const ResultStatus = {
  Ok: 0,
  Failed: 1,
  Busy: 2,
  BadArgument: 3,
  NoRoute: 4,
  Timeout: 5,
} as const;

/** ERROR code. Unknown values are passed through. */
export const ErrorCode = {
  UnknownType: 1,
  BadLength: 2,
  BadValue: 3,
  Unsupported: 4,
  /** The core trapped; the device restarts (docs/serial-link.md). */
  Trap: 5,
} as const;

/** LOG level. Unknown values are passed through. */
export const LogLevel = {
  Error: 0,
  Warn: 1,
  Info: 2,
  Debug: 3,
} as const;

// ---------------------------------------------------------------------------
// CRC-16/CCITT-FALSE (a.k.a. CRC-16/IBM-3740): poly 0x1021, init 0xFFFF,
// no reflection, no final XOR. Check value ("123456789") 0x29B1.

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 8;
    for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[n] = c;
  }
  return t;
})();

/** CRC-16/CCITT-FALSE of `bytes[start..end)`. */
export function crc16CcittFalse(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffff;
  for (let i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ CRC_TABLE[((c >>> 8) ^ bytes[i]) & 0xff];
  return c;
}

// ---------------------------------------------------------------------------
// Framing

/** Largest payload a frame of this type may carry. */
export function maxPayloadFor(type: number): number {
  return type === FrameType.Psdu ? MAX_PSDU : MAX_PAYLOAD;
}

/**
 * SLIP-escapes `body` and delimits it with END (a leading END too unless
 * `leadingEnd` is false). No CRC and no limits: the raw tool, also for
 * building frames a correct peer never would.
 */
export function slipEncode(body: Uint8Array, leadingEnd = true): Uint8Array {
  let n = body.length + (leadingEnd ? 2 : 1);
  for (const b of body) if (b === SLIP_END || b === SLIP_ESC) n++;
  const out = new Uint8Array(n);
  let at = 0;
  if (leadingEnd) out[at++] = SLIP_END;
  for (const b of body) {
    if (b === SLIP_END) {
      out[at++] = SLIP_ESC;
      out[at++] = SLIP_ESC_END;
    } else if (b === SLIP_ESC) {
      out[at++] = SLIP_ESC;
      out[at++] = SLIP_ESC_ESC;
    } else {
      out[at++] = b;
    }
  }
  out[at] = SLIP_END;
  return out;
}

/** type + payload + CRC (big-endian), unescaped. */
export function frameBody(type: number, payload: Uint8Array): Uint8Array {
  checkInt(type, 0x01, 0xfe, 'frame type');
  const max = maxPayloadFor(type);
  if (payload.length > max) {
    throw new SerialLinkError(`frame type 0x${hex2(type)}: payload of ${payload.length} octets exceeds ${max}`);
  }
  const body = new Uint8Array(payload.length + 3);
  body[0] = type;
  body.set(payload, 1);
  const crc = crc16CcittFalse(body, 0, payload.length + 1);
  body[payload.length + 1] = crc >>> 8;
  body[payload.length + 2] = crc & 0xff;
  return body;
}

export interface EncodeFrameOptions {
  /** Send END before the frame too (default true; RFC 1055, "Phil Karn suggests"). */
  leadingEnd?: boolean;
}

/** One frame ready for the wire: END, escaped type + payload + CRC, END. */
export function encodeFrame(type: number, payload: Uint8Array, options: EncodeFrameOptions = {}): Uint8Array {
  return slipEncode(frameBody(type, payload), options.leadingEnd ?? true);
}

/** A frame the decoder accepted (CRC good, within limits). */
export interface Frame {
  type: number;
  payload: Uint8Array;
}

/** What the decoder counted. `frames` are accepted frames; the rest are refusals. */
export interface FrameStats {
  frames: number;
  /** CRC did not match. */
  crc: number;
  /** Body longer than the limit for its type: dropped up to the next END. */
  oversize: number;
  /** ESC followed by anything but ESC_END / ESC_ESC (END included). */
  badEscape: number;
  /** 1 or 2 octets between ENDs: too short for type + CRC. */
  runt: number;
}

/**
 * Resumable, incremental SLIP + CRC decoder: `push` any chunk of the byte
 * stream, get back every frame it completed. Partial state is kept between
 * chunks, so the result does not depend on how the stream is cut. Every END
 * ends whatever came before it, so the decoder is in sync again at the next END
 * after any noise; memory is bounded by MAX_FRAME_BODY.
 */
export class FrameDecoder {
  readonly stats: FrameStats = { frames: 0, crc: 0, oversize: 0, badEscape: 0, runt: 0 };
  private readonly buf = new Uint8Array(MAX_FRAME_BODY);
  private len = 0;
  private escaped = false;
  /** Dropping octets until the next END (oversize or bad escape already counted). */
  private dropping = false;

  push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === SLIP_END) {
        this.endOfFrame(out);
        continue;
      }
      if (this.dropping) continue;
      let v = b;
      if (this.escaped) {
        this.escaped = false;
        if (b === SLIP_ESC_END) v = SLIP_END;
        else if (b === SLIP_ESC_ESC) v = SLIP_ESC;
        else {
          this.stats.badEscape++;
          this.dropping = true;
          continue;
        }
      } else if (b === SLIP_ESC) {
        this.escaped = true;
        continue;
      }
      const limit = this.len === 0 ? MAX_FRAME_BODY : maxPayloadFor(this.buf[0]) + 3;
      if (this.len >= limit) {
        this.stats.oversize++;
        this.dropping = true;
        continue;
      }
      this.buf[this.len++] = v;
    }
    return out;
  }

  /** Forgets a partial frame (counts nothing). */
  reset(): void {
    this.len = 0;
    this.escaped = false;
    this.dropping = false;
  }

  private endOfFrame(out: Frame[]): void {
    const len = this.len;
    const dropping = this.dropping;
    const escaped = this.escaped;
    this.reset();
    if (dropping) return;
    if (escaped) {
      this.stats.badEscape++; // ESC END: the frame is cut; the END still delimits
      return;
    }
    if (len === 0) return; // back-to-back ENDs: the normal leading END
    if (len < 3) {
      this.stats.runt++;
      return;
    }
    const crc = (this.buf[len - 2] << 8) | this.buf[len - 1];
    if (crc16CcittFalse(this.buf, 0, len - 2) !== crc) {
      this.stats.crc++;
      return;
    }
    this.stats.frames++;
    out.push({ type: this.buf[0], payload: this.buf.slice(1, len - 2) });
  }
}

// ---------------------------------------------------------------------------
// Control messages

export interface HelloMessage {
  type: 'hello';
  token: number;
  /** Highest protocol version the harness speaks. */
  version: number;
}
export interface HelloResponseMessage {
  type: 'hello-response';
  /** The HELLO's token; 0 when sent unasked (after boot). */
  token: number;
  /** Highest protocol version the device speaks. */
  version: number;
  /** 8 octets, as written (00:12:4b:...), not in 802.15.4 on-air order. */
  eui64: Uint8Array;
  /** 0xFFFE: none. */
  shortAddress: number;
  /** 0xFFFF: none. */
  panId: number;
  /** `Capability` bits, unsigned 32-bit (a negative int32 from `|` is accepted when encoding). */
  capabilities: number;
  /** UTF-8. */
  firmware: string;
}
export interface ResetMessage {
  type: 'reset';
  token: number;
  /** Seeds the device's randomness (datagram tags, ND jitter). */
  seed: number;
}
export interface RebootMessage {
  type: 'reboot';
  token: number;
}
export interface PingMessage {
  type: 'ping';
  token: number;
  /** IPv6 address, 16 octets. */
  destination: Uint8Array;
  identifier: number;
  sequence: number;
  /** Echo data octets; octet i of the data is i mod 256. */
  size: number;
  /** 0: the device's default. */
  hopLimit: number;
}
export interface UdpMessage {
  type: 'udp';
  token: number;
  /** IPv6 address, 16 octets. */
  destination: Uint8Array;
  sourcePort: number;
  destinationPort: number;
  /** UDP payload length; octet i of the payload is data[i mod data.length] (0 if data is empty). */
  length: number;
  data: Uint8Array;
}
export interface RegisterMessage {
  type: 'register';
  token: number;
  /** Router to register with, 16 octets; all zero: the router the device learned from RA. */
  router: Uint8Array;
  /** ARO Registration Lifetime, units of 60 s; 0 deregisters. */
  lifetime: number;
}
export interface ResultMessage {
  type: 'result';
  token: number;
  /** Type octet of the command answered. */
  command: number;
  /** `ResultStatus`. */
  status: number;
  /** Command-specific, 0 unless stated (see docs/serial-link.md). */
  detail: number;
}
export interface LogMessage {
  type: 'log';
  /** `LogLevel`. */
  level: number;
  text: string;
}
export interface ErrorMessage {
  type: 'error';
  /** First two payload octets of the refused frame, 0 if it had fewer. */
  token: number;
  /** Type octet of the refused frame. */
  refused: number;
  /** `ErrorCode`. */
  code: number;
  text: string;
}

export type ControlMessage =
  | HelloMessage
  | HelloResponseMessage
  | ResetMessage
  | RebootMessage
  | PingMessage
  | UdpMessage
  | RegisterMessage
  | ResultMessage
  | LogMessage
  | ErrorMessage;

export type ControlMessageType = ControlMessage['type'];

const TYPE_OCTET: Record<ControlMessageType, number> = {
  hello: FrameType.Hello,
  'hello-response': FrameType.HelloResponse,
  reset: FrameType.Reset,
  reboot: FrameType.Reboot,
  ping: FrameType.Ping,
  udp: FrameType.Udp,
  register: FrameType.Register,
  result: FrameType.Result,
  log: FrameType.Log,
  error: FrameType.Error,
};

const TYPE_NAME = new Map<number, ControlMessageType>(
  Object.entries(TYPE_OCTET).map(([name, octet]) => [octet, name as ControlMessageType]),
);

/** Octets before the variable tail (or the whole payload for fixed messages). */
const FIXED_LEN: Record<ControlMessageType, number> = {
  hello: 3,
  'hello-response': 19,
  reset: 6,
  reboot: 2,
  ping: 25,
  udp: 24,
  register: 20,
  result: 6,
  log: 1,
  error: 4,
};
const VARIABLE = new Set<ControlMessageType>(['hello-response', 'udp', 'log', 'error']);

/** The type octet of a control message. */
export function controlTypeOctet(type: ControlMessageType): number {
  return TYPE_OCTET[type];
}

/** True for the type octets `decodeControl` knows. */
export function isControlType(octet: number): boolean {
  return TYPE_NAME.has(octet);
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0');
}

function checkInt(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SerialLinkError(`${what} ${value} out of range ${min}..${max}`);
  }
}

function checkBytes(value: Uint8Array, len: number, what: string): void {
  if (!(value instanceof Uint8Array) || value.length !== len) {
    throw new SerialLinkError(`${what} must be ${len} octets, got ${value instanceof Uint8Array ? value.length : typeof value}`);
  }
}

function encodeText(text: string, what: string): Uint8Array {
  if (typeof text !== 'string') throw new SerialLinkError(`${what} must be a string`);
  if (/\p{Cs}/u.test(text)) throw new SerialLinkError(`${what} holds a lone surrogate (not encodable as UTF-8)`);
  return utf8.encode(text);
}

class Writer {
  readonly bytes: Uint8Array;
  private at = 0;
  constructor(len: number) {
    this.bytes = new Uint8Array(len);
  }
  u8(v: number, what: string): void {
    checkInt(v, 0, 0xff, what);
    this.bytes[this.at++] = v;
  }
  u16(v: number, what: string): void {
    checkInt(v, 0, 0xffff, what);
    this.bytes[this.at++] = v >>> 8;
    this.bytes[this.at++] = v & 0xff;
  }
  u32(v: number, what: string): void {
    checkInt(v, 0, 0xffffffff, what);
    this.u16(Math.floor(v / 0x10000), what);
    this.u16(v % 0x10000, what);
  }
  raw(v: Uint8Array): void {
    this.bytes.set(v, this.at);
    this.at += v.length;
  }
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  u8(): number {
    return this.bytes[this.at++];
  }
  u16(): number {
    const v = (this.bytes[this.at] << 8) | this.bytes[this.at + 1];
    this.at += 2;
    return v;
  }
  u32(): number {
    return this.u16() * 0x10000 + this.u16();
  }
  take(n: number): Uint8Array {
    const v = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return v;
  }
  rest(): Uint8Array {
    return this.take(this.bytes.length - this.at);
  }
}

/** The payload (after the type octet) of a control message. */
function encodePayload(msg: ControlMessage): Uint8Array {
  const fixed = FIXED_LEN[msg.type];
  const room = MAX_PAYLOAD - fixed;
  const tail = (bytes: Uint8Array, what: string): Writer => {
    if (bytes.length > room) {
      throw new SerialLinkError(`${msg.type}: ${what} of ${bytes.length} octets exceeds ${room}`);
    }
    return new Writer(fixed + bytes.length);
  };
  let w: Writer;
  switch (msg.type) {
    case 'hello':
      w = new Writer(fixed);
      w.u16(msg.token, 'hello token');
      w.u8(msg.version, 'hello version');
      return w.bytes;
    case 'hello-response': {
      const fw = encodeText(msg.firmware, 'hello-response firmware');
      checkBytes(msg.eui64, 8, 'hello-response eui64');
      w = tail(fw, 'firmware');
      w.u16(msg.token, 'hello-response token');
      w.u8(msg.version, 'hello-response version');
      w.raw(msg.eui64);
      w.u16(msg.shortAddress, 'hello-response shortAddress');
      w.u16(msg.panId, 'hello-response panId');
      // Bit 31 set with `|` gives a negative int32: take it as the same 32 bits.
      const caps = Number.isInteger(msg.capabilities) && msg.capabilities < 0 && msg.capabilities >= -0x80000000
        ? msg.capabilities >>> 0
        : msg.capabilities;
      w.u32(caps, 'hello-response capabilities');
      w.raw(fw);
      return w.bytes;
    }
    case 'reset':
      w = new Writer(fixed);
      w.u16(msg.token, 'reset token');
      w.u32(msg.seed, 'reset seed');
      return w.bytes;
    case 'reboot':
      w = new Writer(fixed);
      w.u16(msg.token, 'reboot token');
      return w.bytes;
    case 'ping':
      checkBytes(msg.destination, 16, 'ping destination');
      w = new Writer(fixed);
      w.u16(msg.token, 'ping token');
      w.raw(msg.destination);
      w.u16(msg.identifier, 'ping identifier');
      w.u16(msg.sequence, 'ping sequence');
      w.u16(msg.size, 'ping size');
      w.u8(msg.hopLimit, 'ping hopLimit');
      return w.bytes;
    case 'udp':
      checkBytes(msg.destination, 16, 'udp destination');
      if (!(msg.data instanceof Uint8Array)) throw new SerialLinkError('udp data must be a Uint8Array');
      w = tail(msg.data, 'data');
      checkInt(msg.length, msg.data.length, 0xffff, 'udp length');
      w.u16(msg.token, 'udp token');
      w.raw(msg.destination);
      w.u16(msg.sourcePort, 'udp sourcePort');
      w.u16(msg.destinationPort, 'udp destinationPort');
      w.u16(msg.length, 'udp length');
      w.raw(msg.data);
      return w.bytes;
    case 'register':
      checkBytes(msg.router, 16, 'register router');
      w = new Writer(fixed);
      w.u16(msg.token, 'register token');
      w.raw(msg.router);
      w.u16(msg.lifetime, 'register lifetime');
      return w.bytes;
    case 'result':
      w = new Writer(fixed);
      w.u16(msg.token, 'result token');
      w.u8(msg.command, 'result command');
      w.u8(msg.status, 'result status');
      w.u16(msg.detail, 'result detail');
      return w.bytes;
    case 'log': {
      const text = encodeText(msg.text, 'log text');
      w = tail(text, 'text');
      w.u8(msg.level, 'log level');
      w.raw(text);
      return w.bytes;
    }
    case 'error': {
      const text = encodeText(msg.text, 'error text');
      w = tail(text, 'text');
      w.u16(msg.token, 'error token');
      w.u8(msg.refused, 'error refused');
      w.u8(msg.code, 'error code');
      w.raw(text);
      return w.bytes;
    }
    default: {
      const never: never = msg;
      throw new SerialLinkError(`unknown control message type ${JSON.stringify((never as { type: unknown }).type)}`);
    }
  }
}

/** A control message as [type octet][payload] (no CRC, not escaped). */
export function encodeControl(msg: ControlMessage): Uint8Array {
  if (msg === null || typeof msg !== 'object' || !Object.hasOwn(TYPE_OCTET, msg.type)) {
    throw new SerialLinkError(`unknown control message type ${JSON.stringify((msg as { type?: unknown })?.type)}`);
  }
  const payload = encodePayload(msg);
  const out = new Uint8Array(payload.length + 1);
  out[0] = TYPE_OCTET[msg.type];
  out.set(payload, 1);
  return out;
}

/** A control message from [type octet][payload]. Throws SerialLinkError on anything malformed. */
export function decodeControl(bytes: Uint8Array): ControlMessage {
  if (bytes.length < 1) throw new SerialLinkError('control message: empty');
  return decodeControlPayload(bytes[0], bytes.subarray(1));
}

/** A control message from a frame's type octet and payload. */
export function decodeControlPayload(typeOctet: number, payload: Uint8Array): ControlMessage {
  const type = TYPE_NAME.get(typeOctet);
  if (type === undefined) {
    throw new SerialLinkError(`control message: unknown type 0x${hex2(typeOctet)}`);
  }
  const fixed = FIXED_LEN[type];
  if (VARIABLE.has(type) ? payload.length < fixed || payload.length > MAX_PAYLOAD : payload.length !== fixed) {
    const want = VARIABLE.has(type) ? `${fixed}..${MAX_PAYLOAD}` : `${fixed}`;
    throw new SerialLinkError(`${type}: payload of ${payload.length} octets, want ${want}`);
  }
  const r = new Reader(payload);
  const text = (what: string): string => {
    const raw = r.rest();
    try {
      return utf8Strict.decode(raw);
    } catch {
      throw new SerialLinkError(`${type}: ${what} is not valid UTF-8`);
    }
  };
  switch (type) {
    case 'hello':
      return { type, token: r.u16(), version: r.u8() };
    case 'hello-response':
      return {
        type,
        token: r.u16(),
        version: r.u8(),
        eui64: r.take(8),
        shortAddress: r.u16(),
        panId: r.u16(),
        capabilities: r.u32(),
        firmware: text('firmware'),
      };
    case 'reset':
      return { type, token: r.u16(), seed: r.u32() };
    case 'reboot':
      return { type, token: r.u16() };
    case 'ping':
      return {
        type,
        token: r.u16(),
        destination: r.take(16),
        identifier: r.u16(),
        sequence: r.u16(),
        size: r.u16(),
        hopLimit: r.u8(),
      };
    case 'udp': {
      const token = r.u16();
      const destination = r.take(16);
      const sourcePort = r.u16();
      const destinationPort = r.u16();
      const length = r.u16();
      const data = r.rest();
      if (length < data.length) {
        throw new SerialLinkError(`udp: length ${length} shorter than its ${data.length} data octets`);
      }
      return { type, token, destination, sourcePort, destinationPort, length, data };
    }
    case 'register':
      return { type, token: r.u16(), router: r.take(16), lifetime: r.u16() };
    case 'result':
      return { type, token: r.u16(), command: r.u8(), status: r.u8(), detail: r.u16() };
    case 'log':
      return { type, level: r.u8(), text: text('text') };
    case 'error':
      return { type, token: r.u16(), refused: r.u8(), code: r.u8(), text: text('text') };
  }
}

/** A control message framed for the wire. */
export function encodeControlFrame(msg: ControlMessage, options: EncodeFrameOptions = {}): Uint8Array {
  const bytes = encodeControl(msg);
  return encodeFrame(bytes[0], bytes.subarray(1), options);
}

/** A PSDU (FCS included, ≤ 127 octets) framed for the wire. */
export function encodePsduFrame(psdu: Uint8Array, options: EncodeFrameOptions = {}): Uint8Array {
  return encodeFrame(FrameType.Psdu, psdu, options);
}

// ---------------------------------------------------------------------------
// Messages from a byte stream

export type LinkMessage =
  | { kind: 'psdu'; psdu: Uint8Array }
  | { kind: 'control'; message: ControlMessage };

export interface MessageStats {
  /** Frames with a good CRC whose type octet is not known: ignored. */
  unknownType: number;
  /** Frames with a good CRC and a known type whose payload does not fit its layout: ignored. */
  badMessage: number;
}

export interface MessageDecoderOptions {
  /** Told about every ignored frame (one line each). */
  onWarning?: (text: string) => void;
}

/**
 * FrameDecoder plus the message codecs: bytes in, PSDUs and control messages
 * out. A frame of an unknown type, or one that does not fit its layout, is
 * counted, reported to `onWarning` and skipped; decoding goes on.
 */
export class MessageDecoder {
  readonly frames = new FrameDecoder();
  readonly stats: MessageStats = { unknownType: 0, badMessage: 0 };
  private readonly onWarning?: (text: string) => void;

  constructor(options: MessageDecoderOptions = {}) {
    this.onWarning = options.onWarning;
  }

  push(chunk: Uint8Array): LinkMessage[] {
    const out: LinkMessage[] = [];
    for (const frame of this.frames.push(chunk)) {
      if (frame.type === FrameType.Psdu) {
        out.push({ kind: 'psdu', psdu: frame.payload });
      } else if (!isControlType(frame.type)) {
        this.stats.unknownType++;
        this.onWarning?.(`serial link: ignored frame of unknown type 0x${hex2(frame.type)} (${frame.payload.length} octets)`);
      } else {
        try {
          out.push({ kind: 'control', message: decodeControlPayload(frame.type, frame.payload) });
        } catch (e) {
          this.stats.badMessage++;
          this.onWarning?.(`serial link: ignored malformed frame: ${(e as Error).message}`);
        }
      }
    }
    return out;
  }
}
