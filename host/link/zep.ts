// ZEP v2 (the ZigBee Encapsulation Protocol Wireshark dissects) over UDP: how
// simulated third-party nodes expose an 802.15.4 radio (RIOT native's
// socket_zep, Contiki's native radio). Field order as in Wireshark's
// packet-zep.c and RIOT's net/zep.h:
//
//   data (type 1), 32 octets then the PSDU:
//     0 "EX" | 2 version (2) | 3 type | 4 channel | 5 device id (16, BE)
//     | 7 LQI mode (0 LQI, 1 CRC) | 8 LQI | 9 NTP timestamp (64, BE)
//     | 17 sequence (32, BE) | 21 reserved (10 octets) | 31 length
//   ack (type 2), 8 octets: "EX" | 2 version | 3 type | 4 sequence (32, BE)
//
// The length counts the PSDU including its 2-octet FCS. With LQI mode 0
// Wireshark reads the last two octets as TI CC24xx RSSI/LQI metadata, with
// mode 1 as the FCS; RIOT sends mode 1, and so do we by default.
//
// ZepEndpoint is the tester's radio on such a link, with the MAC the simulated
// medium has (IEEE 802.15.4-2015 §6.7.4.3): it answers frames that ask for an
// acknowledgment with an Imm-Ack, promptly (a RIOT node expects it within
// about 1 ms), and hides retransmissions from the upper layer; its own unicast
// frames with AR set wait for their ACK, are retransmitted without one, and
// are reported lost after macMaxFrameRetries (zep-mac.ts).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { bytesEqual } from '../packet/bytes.js';
import { PacketError } from '../packet/errors.js';
import { parseIeee802154, FrameType, type ParsedMacFrame } from '../packet/ieee802154-parse.js';
import { buildDataFrame, fcs16 } from '../packet/ieee802154.js';
import { parseLinkAddress, shortAddress as shortLinkAddress, type LinkAddress } from '../packet/link-address.js';
import { RealClock, type Clock } from '../sim/clock.js';
import type { Link, ReceivedFrame } from './link.js';
import { MacTransmitter, type TxResult, type ZepMacSettings } from './zep-mac.js';

export { ZEP_MAC_DEFAULTS, type TxResult, type TxStatus, type ZepMacSettings } from './zep-mac.js';

export const ZEP_PORT = 17754;
export const ZEP_V2_HEADER_LENGTH = 32;
export const ZEP_V2_ACK_LENGTH = 8;
export const ZEP_TYPE_DATA = 1;
export const ZEP_TYPE_ACK = 2;
/** LQI mode: 0 = the frame ends in LQI metadata, 1 = it ends in the FCS. */
export const ZEP_LQI_MODE_LQI = 0;
export const ZEP_LQI_MODE_CRC = 1;
/** aMaxPhyPacketSize (IEEE 802.15.4 §11.3). */
export const MAX_PSDU_LENGTH = 127;

/** Seconds from the NTP era (1900-01-01) to the Unix epoch. */
const NTP_UNIX_OFFSET = 2_208_988_800n;

export type ZepErrorReason = 'Short' | 'Preamble' | 'Version' | 'Type' | 'Length';

/** A one-line decoding/encoding error with a machine-readable reason. */
export class ZepError extends PacketError {
  constructor(
    readonly reason: ZepErrorReason | 'Field' | 'State',
    message: string,
  ) {
    super(message);
    this.name = 'ZepError';
  }
}

export interface ZepDataFields {
  channel: number;
  deviceId: number;
  /** 0 = LQI, 1 = CRC (default 1: the PSDU ends in its FCS). */
  lqiMode?: number;
  /** Default 255. */
  lqi?: number;
  /** Microseconds since the Unix epoch, sent as an NTP timestamp (default: the wall clock now). */
  timestamp?: number | bigint;
  /** ZEP sequence number (32 bits). */
  seq: number;
  /** The PSDU, FCS included (2..127 octets). */
  psdu: Uint8Array;
}

export interface ZepData {
  type: 'data';
  version: number;
  channel: number;
  deviceId: number;
  lqiMode: number;
  lqi: number;
  /** Microseconds since the Unix epoch (negative before 1970), from the NTP timestamp. */
  timestamp: number;
  ntpSeconds: number;
  ntpFraction: number;
  seq: number;
  psdu: Uint8Array;
}

export interface ZepAck {
  type: 'ack';
  version: number;
  seq: number;
}

export type ZepMessage = ZepData | ZepAck;

function field(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ZepError('Field', `ZEP ${what} ${value} out of range 0..${max}`);
  }
}

/** The wall clock in microseconds since the Unix epoch. */
export function wallClockUs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

/** Encodes a ZEP v2 data datagram (32-octet header + PSDU). */
export function encodeZep(f: ZepDataFields): Uint8Array {
  field(f.channel, 0xff, 'channel');
  field(f.deviceId, 0xffff, 'device id');
  const lqiMode = f.lqiMode ?? ZEP_LQI_MODE_CRC;
  field(lqiMode, 0xff, 'LQI mode');
  const lqi = f.lqi ?? 0xff;
  field(lqi, 0xff, 'LQI');
  field(f.seq, 0xffffffff, 'sequence number');
  if (f.psdu.length < 2 || f.psdu.length > MAX_PSDU_LENGTH) {
    throw new ZepError('Field', `ZEP PSDU of ${f.psdu.length} octets: need 2..${MAX_PSDU_LENGTH} (FCS included)`);
  }
  const us = f.timestamp === undefined ? wallClockUs() : toBigIntUs(f.timestamp);
  const seconds = floorDiv(us, 1_000_000n) + NTP_UNIX_OFFSET;
  if (seconds < 0n || seconds > 0xffffffffn) {
    throw new ZepError('Field', `ZEP timestamp ${us} µs is outside the NTP era 0 (1900..2036)`);
  }
  const fraction = ((us - floorDiv(us, 1_000_000n) * 1_000_000n) << 32n) / 1_000_000n;
  const out = new Uint8Array(ZEP_V2_HEADER_LENGTH + f.psdu.length);
  const v = new DataView(out.buffer);
  out[0] = 0x45; // 'E'
  out[1] = 0x58; // 'X'
  out[2] = 2;
  out[3] = ZEP_TYPE_DATA;
  out[4] = f.channel;
  v.setUint16(5, f.deviceId);
  out[7] = lqiMode;
  out[8] = lqi;
  v.setUint32(9, Number(seconds));
  v.setUint32(13, Number(fraction));
  v.setUint32(17, f.seq);
  // 21..30 reserved, zero
  out[31] = f.psdu.length;
  out.set(f.psdu, ZEP_V2_HEADER_LENGTH);
  return out;
}

/** Encodes a ZEP v2 ack datagram (8 octets). */
export function encodeZepAck(seq: number): Uint8Array {
  field(seq, 0xffffffff, 'sequence number');
  const out = Uint8Array.of(0x45, 0x58, 2, ZEP_TYPE_ACK, 0, 0, 0, 0);
  new DataView(out.buffer).setUint32(4, seq);
  return out;
}

/** Decodes one ZEP v2 datagram; throws a one-line ZepError for anything malformed. */
export function decodeZep(bytes: Uint8Array): ZepMessage {
  if (bytes.length < 4) throw new ZepError('Short', `ZEP: datagram of ${bytes.length} octets, need at least 4`);
  if (bytes[0] !== 0x45 || bytes[1] !== 0x58) {
    const hex = Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join('');
    throw new ZepError('Preamble', `ZEP: preamble 0x${hex} is not "EX" (0x4558)`);
  }
  const version = bytes[2];
  if (version !== 2) throw new ZepError('Version', `ZEP: version ${version} not supported (only 2)`);
  const type = bytes[3];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === ZEP_TYPE_ACK) {
    if (bytes.length !== ZEP_V2_ACK_LENGTH) {
      throw new ZepError('Length', `ZEP ack: ${bytes.length} octets, expected ${ZEP_V2_ACK_LENGTH}`);
    }
    return { type: 'ack', version, seq: v.getUint32(4) };
  }
  if (type !== ZEP_TYPE_DATA) throw new ZepError('Type', `ZEP: type ${type} is neither data (1) nor ack (2)`);
  if (bytes.length < ZEP_V2_HEADER_LENGTH) {
    throw new ZepError('Short', `ZEP data: ${bytes.length} octets, header alone needs ${ZEP_V2_HEADER_LENGTH}`);
  }
  const length = bytes[31];
  if (length > MAX_PSDU_LENGTH) throw new ZepError('Length', `ZEP data: length field ${length} exceeds ${MAX_PSDU_LENGTH}`);
  if (length < 2) throw new ZepError('Length', `ZEP data: length field ${length} cannot hold the 2-octet FCS`);
  const carried = bytes.length - ZEP_V2_HEADER_LENGTH;
  if (carried !== length) {
    throw new ZepError('Length', `ZEP data: length field says ${length} octets, datagram carries ${carried}`);
  }
  const ntpSeconds = v.getUint32(9);
  const ntpFraction = v.getUint32(13);
  const timestamp = (ntpSeconds - Number(NTP_UNIX_OFFSET)) * 1e6 + Math.round((ntpFraction * 1e6) / 2 ** 32);
  return {
    type: 'data',
    version,
    channel: bytes[4],
    deviceId: v.getUint16(5),
    lqiMode: bytes[7],
    lqi: bytes[8],
    timestamp,
    ntpSeconds,
    ntpFraction,
    seq: v.getUint32(17),
    psdu: bytes.slice(ZEP_V2_HEADER_LENGTH),
  };
}

/**
 * An 802.15.4 Imm-Ack (§7.3.3): FCF with frame type 2 and the frame version of
 * the acknowledged frame, its sequence number, and the FCS.
 */
export function buildAckFrame(seq: number, version = 1, framePending = false): Uint8Array {
  field(seq, 0xff, '802.15.4 sequence number');
  field(version, 3, '802.15.4 frame version');
  const fcf = FrameType.Ack | (framePending ? 0x10 : 0) | (version << 12);
  const body = Uint8Array.of(fcf & 0xff, fcf >> 8, seq);
  const fcs = fcs16(body);
  return Uint8Array.of(...body, fcs & 0xff, fcs >> 8);
}

function toBigIntUs(t: number | bigint): bigint {
  if (typeof t === 'bigint') return t;
  if (!Number.isSafeInteger(t)) throw new ZepError('Field', `ZEP timestamp ${t} µs is not a safe integer`);
  return BigInt(t);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

// --- the endpoint ------------------------------------------------------------

export interface ZepEndpointOptions {
  /** Local address to bind (default "::1"). An IPv4 literal selects a udp4 socket. */
  address?: string;
  /** Local port (default 17754; 0 = any free port, see port()). */
  localPort?: number;
  /** Where send() goes (default: `address`). */
  remoteAddress?: string;
  /** Remote port; when absent, the source of the first datagram received becomes the remote. */
  remotePort?: number;
  /** Channel written in sent headers and, when filtering, required of received ones (default 26). */
  channel?: number;
  /** ZEP device id written in sent headers (default 0). */
  deviceId?: number;
  /** LQI written in sent headers (default 255). */
  lqi?: number;
  /** This radio's PAN ID, short address and extended address (written order, or "aa:bb:..:hh"). */
  pan?: number;
  shortAddress?: number;
  extendedAddress?: LinkAddress | string;
  /**
   * Frame filtering (default: on when any of pan/shortAddress/extendedAddress
   * is set). On: frames on another channel, with another destination PAN
   * or address, are dropped; only frames addressed to this radio are
   * acknowledged. Off: everything is delivered and every unicast frame with
   * AR set is acknowledged.
   */
  filter?: boolean;
  /** Send Imm-Acks (default true). */
  autoAck?: boolean;
  /** Deliver frames whose FCS is wrong (never acknowledged; default false: dropped, as a radio would). */
  acceptBadFcs?: boolean;
  /** A frame with the source address and sequence number of one seen this recently is a retransmission (default 1000 ms; 0 = off). */
  dedupWindowMs?: number;
  /** Clock for ReceivedFrame.at and the retransmission window (default: a RealClock). */
  clock?: Clock;
  /** The transmitting MAC: ACK wait, retries, gap (default ZEP_MAC_DEFAULTS; ackWaitMs 0 switches it off). */
  mac?: Partial<ZepMacSettings>;
  /** Warm the ACK path up at bind, so that the first frame is acknowledged as fast as later ones (default true). */
  warmUp?: boolean;
}

export interface ZepFrameInfo {
  /** Milliseconds on the endpoint's clock when the datagram arrived. */
  at: number;
  from: { address: string; port: number };
  zep: Omit<ZepData, 'psdu' | 'type'>;
  /** The parsed MAC header, unless the frame could not be parsed. */
  mac?: ParsedMacFrame;
  /** Whether this endpoint acknowledged the frame. */
  acked: boolean;
}

export interface AckSentInfo {
  to: { address: string; port: number };
  /** Sequence number of the acknowledged frame. */
  seq: number;
  /** Microseconds from the datagram's arrival to the ACK's send completing. */
  turnaroundUs: number;
}

export interface AckTurnaroundStats {
  count: number;
  lastUs: number;
  minUs: number;
  maxUs: number;
  meanUs: number;
  /** Over the last 1024 ACKs. */
  p50Us: number;
  p99Us: number;
}

export interface ZepStats {
  datagramsIn: number;
  /** Datagrams that are not valid ZEP v2 (counted and ignored). */
  malformed: number;
  /** ZEP-level ack datagrams (type 2), ignored. */
  zepAcksIn: number;
  wrongChannel: number;
  badFcs: number;
  notForMe: number;
  /** Retransmissions hidden from the upper layer. */
  duplicates: number;
  /** Frames whose MAC header could not be parsed (delivered, never acknowledged). */
  unparsed: number;
  framesDelivered: number;
  /** Data datagrams sent, retransmissions included. */
  framesSent: number;
  /** Frames of ours whose Imm-Ack came back. */
  framesAcked: number;
  /** Frames of ours that got no ACK after 1 + maxFrameRetries attempts. */
  framesLost: number;
  retransmissions: number;
  acksSent: number;
  sendErrors: number;
  ackTurnaround: AckTurnaroundStats;
}

export type ZepEvents = {
  /** A received PSDU (FCS included), once per frame. */
  frame: [psdu: Uint8Array, info: ZepFrameInfo];
  /** A datagram that is not valid ZEP v2 (also counted in stats.malformed). */
  malformed: [error: ZepError, from: { address: string; port: number }];
  /** An Imm-Ack this endpoint sent (PSDU with FCS). */
  ackSent: [psdu: Uint8Array, info: AckSentInfo];
  /** One datagram of ours on the air: attempt 0 is the frame, 1.. its retransmissions (for captures). */
  transmit: [psdu: Uint8Array, info: { attempt: number; at: number; to: { address: string; port: number } }];
  /** A frame of ours that got no ACK after every retry. */
  lost: [psdu: Uint8Array, result: TxResult];
  /** Socket errors (if nobody listens, they are only counted in stats.sendErrors). */
  error: [error: Error];
  close: [];
};

type Pending = { ready: boolean; deliver: () => void };

const ZERO_COUNTERS = {
  datagramsIn: 0,
  malformed: 0,
  zepAcksIn: 0,
  wrongChannel: 0,
  badFcs: 0,
  notForMe: 0,
  duplicates: 0,
  unparsed: 0,
  framesDelivered: 0,
  framesSent: 0,
  acksSent: 0,
  sendErrors: 0,
};

const RING = 1024;

// IP literals resolve synchronously, so an ACK goes out within the 'message' handler.
function literalLookup(
  hostname: string,
  options: LookupOneOptions | number,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  if (family) return callback(null, hostname, family);
  dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
}

/**
 * The tester's 802.15.4 radio on a ZEP v2 link: one UDP socket, frames out with
 * send(), frames in as 'frame' events (and through the Link interface).
 * An Imm-Ack goes back to the datagram's sender from within the socket's
 * 'message' handler (IP literals are resolved synchronously, so nothing waits
 * for a DNS tick); the acknowledged frame is delivered once that send has
 * completed, and frames are always delivered in arrival order.
 */
export class ZepEndpoint extends EventEmitter<ZepEvents> implements Link {
  readonly clock: Clock;
  /** Resolves once the socket is bound. */
  readonly ready: Promise<void>;
  private readonly socket: Socket;
  private readonly opts: ZepEndpointOptions;
  private readonly filter: boolean;
  private readonly extended?: LinkAddress;
  private remote?: { address: string; port: number };
  private txSeq = 0;
  private readonly tx: MacTransmitter;
  private closed = false;
  private closing?: Promise<void>;
  private readonly seen = new Map<string, number>();
  private readonly pending: Pending[] = [];
  private readonly turnaround: number[] = [];
  private turnaroundSum = 0;
  private readonly counters = { ...ZERO_COUNTERS };
  private ack = { count: 0, lastUs: 0, minUs: Infinity, maxUs: 0 };
  /** Whether warmUp() ran the ACK path through (its frames came back). */
  warmedUp = false;
  /** Set while warmUp() runs: its frames (from `self`) are handled in full but leave no trace. */
  private warmingUp = false;
  private warmed?: () => void;
  private self?: { address: string; port: number };
  private readonly scratch = { ...ZERO_COUNTERS };
  private readonly scratchSeen = new Map<string, number>();

  constructor(options: ZepEndpointOptions = {}) {
    super();
    this.opts = options;
    this.clock = options.clock ?? new RealClock();
    const address = options.address ?? '::1';
    if (options.channel !== undefined) field(options.channel, 0xff, 'channel');
    if (options.deviceId !== undefined) field(options.deviceId, 0xffff, 'device id');
    if (options.lqi !== undefined) field(options.lqi, 0xff, 'LQI');
    if (options.pan !== undefined) field(options.pan, 0xffff, 'PAN ID');
    if (options.shortAddress !== undefined) field(options.shortAddress, 0xffff, 'short address');
    if (options.extendedAddress !== undefined) {
      this.extended =
        typeof options.extendedAddress === 'string' ? parseLinkAddress(options.extendedAddress) : options.extendedAddress;
      if (this.extended.mode !== 'extended' || this.extended.bytes.length !== 8) {
        throw new ZepError('Field', 'ZEP endpoint: extendedAddress must be an 8-octet extended address');
      }
    }
    this.filter =
      options.filter ??
      (options.pan !== undefined || options.shortAddress !== undefined || options.extendedAddress !== undefined);
    if (options.remotePort !== undefined) {
      field(options.remotePort, 0xffff, 'remote port');
      this.remote = { address: options.remoteAddress ?? address, port: options.remotePort };
    }
    try {
      this.tx = new MacTransmitter(options.mac ?? {});
    } catch (e) {
      throw new ZepError('Field', (e as Error).message);
    }
    this.socket = createSocket({ type: isIP(address) === 4 ? 'udp4' : 'udp6', lookup: literalLookup as never });
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', (e) => this.socketError(e));
    this.ready = new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(new ZepError('State', `ZEP endpoint: cannot bind [${address}]:${options.localPort ?? ZEP_PORT}: ${e.message}`));
      this.socket.once('error', onError);
      this.socket.bind({ address, port: options.localPort ?? ZEP_PORT }, () => {
        this.socket.off('error', onError);
        if (options.warmUp === false) return resolve();
        this.warmUp().then(resolve, resolve);
      });
    });
    // A bind failure is reported through `ready` (and open()); don't let it go unhandled.
    this.ready.catch(() => {});
  }

  /** Creates an endpoint and waits for its socket to be bound. */
  static async open(options: ZepEndpointOptions = {}): Promise<ZepEndpoint> {
    const ep = new ZepEndpoint(options);
    try {
      await ep.ready;
    } catch (e) {
      await ep.close();
      throw e;
    }
    return ep;
  }

  /**
   * Warms the ACK path up before the endpoint is used. A RIOT node retransmits
   * a frame whose ACK is not back within about 1 ms, and the first frame a new
   * process acknowledged came 0.8-5 ms late (later ones 0.2-0.6 ms): none of
   * the code on the ACK path had run yet (V8 compiles a function on first
   * use), nor had the socket's send path. So the endpoint sends itself a few
   * frames that ask for an ACK, before `ready` resolves: they take the whole
   * path (decode, parse, address check, the ACK built and sent, the ACK heard
   * back), and leave nothing behind (no counters, no delivery, no remote).
   * Frames from anyone else meanwhile are handled as always.
   */
  private async warmUp(): Promise<void> {
    const self = this.local();
    this.self = self;
    const dst = this.opts.shortAddress !== undefined ? shortLinkAddress(this.opts.shortAddress)
      : this.extended ?? shortLinkAddress(0x0001);
    const rounds = 3; // one round did most of it (measured: docs/zep.md); two more for V8's baseline tier
    this.warmingUp = true;
    try {
      for (let i = 0; i < rounds; i++) {
        const psdu = buildDataFrame({ src: shortLinkAddress(0xfffe), dst, pan: this.opts.pan ?? 0xffff, seq: i, ackRequest: true }, Uint8Array.of(0x41));
        const datagram = encodeZep({ channel: this.opts.channel ?? 26, deviceId: this.opts.deviceId ?? 0, seq: i, psdu });
        // Done when the datagram is back (and, if it was acknowledged, the ACK too), or after 100 ms.
        this.warmedUp = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 100);
          this.warmed = () => {
            clearTimeout(timer);
            resolve(true);
          };
          this.socket.send(datagram, self.port, self.address, (err) => {
            if (err) {
              clearTimeout(timer);
              resolve(false);
            }
          });
        });
      }
    } finally {
      this.warmed = undefined;
      this.warmingUp = false;
      this.scratchSeen.clear();
    }
  }

  /** The bound local address and port. */
  local(): { address: string; port: number } {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** The bound local port. */
  port(): number {
    return this.socket.address().port;
  }

  /** Where send() goes, if known. */
  remoteEndpoint(): { address: string; port: number } | undefined {
    return this.remote ? { ...this.remote } : undefined;
  }

  /** Sets where send() goes. */
  setRemote(address: string, port: number): void {
    field(port, 0xffff, 'remote port');
    this.remote = { address, port };
  }

  /** A snapshot of the counters and the ACK turnaround figures. */
  get stats(): ZepStats {
    const sorted = [...this.turnaround].sort((a, b) => a - b);
    const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0);
    return {
      ...this.counters,
      ...this.tx.counters,
      ackTurnaround: {
        count: this.ack.count,
        lastUs: this.ack.lastUs,
        minUs: this.ack.count ? this.ack.minUs : 0,
        maxUs: this.ack.maxUs,
        meanUs: this.ack.count ? this.turnaroundSum / this.ack.count : 0,
        p50Us: pct(50),
        p99Us: pct(99),
      },
    };
  }

  /** The MAC settings in force (ACK wait, retries, gap). */
  get macSettings(): ZepMacSettings {
    return { ...this.tx.settings };
  }

  /**
   * Link: sends one PSDU (FCS included) through the MAC, to the remote or to
   * `to`, and resolves once the MAC is done with it: acknowledged, sent (no
   * ACK asked), or lost after every retry (then stats.framesLost counts it and
   * 'lost' is emitted; transmit() returns the outcome). Rejects for what is
   * the caller's mistake: after close, no remote yet, a PSDU that does not fit.
   */
  async send(psdu: Uint8Array, to?: { address: string; port: number }): Promise<void> {
    await this.transmit(psdu, to);
  }

  /** As send(), with the MAC's outcome: acked, sent, lost or dropped (closed meanwhile), and the attempts it took. */
  async transmit(psdu: Uint8Array, to?: { address: string; port: number }): Promise<TxResult> {
    if (this.closed) throw new ZepError('State', 'ZEP endpoint: send after close');
    if (psdu.length < 2 || psdu.length > MAX_PSDU_LENGTH) {
      throw new ZepError('Field', `ZEP PSDU of ${psdu.length} octets: need 2..${MAX_PSDU_LENGTH} (FCS included)`);
    }
    await this.ready;
    const dest = to ?? this.remote;
    if (!dest) throw new ZepError('State', 'ZEP endpoint: no remote yet (set remotePort, or wait for a datagram)');
    const result = await this.tx.send(psdu, (attempt) => this.put(psdu, dest, attempt));
    if (result.status === 'lost' && this.listenerCount('lost') > 0) this.emit('lost', psdu, result);
    return result;
  }

  /** One datagram on the wire: resolves when the kernel has it. */
  private put(psdu: Uint8Array, dest: { address: string; port: number }, attempt: number): Promise<void> {
    const datagram = encodeZep({
      channel: this.opts.channel ?? 26,
      deviceId: this.opts.deviceId ?? 0,
      lqi: this.opts.lqi ?? 0xff,
      seq: this.txSeq,
      psdu,
    });
    this.txSeq = (this.txSeq + 1) >>> 0;
    if (this.listenerCount('transmit') > 0) this.emit('transmit', psdu, { attempt, at: this.clock.now(), to: dest });
    return new Promise<void>((resolve, reject) => {
      this.socket.send(datagram, dest.port, dest.address, (err) => {
        if (err) {
          this.counters.sendErrors++;
          reject(new ZepError('State', `ZEP endpoint: send to [${dest.address}]:${dest.port} failed: ${err.message}`));
        } else {
          this.counters.framesSent++;
          resolve();
        }
      });
    });
  }

  /** Link: calls `listener` for every frame delivered; returns an unsubscribe function. */
  onFrame(listener: (frame: ReceivedFrame) => void): () => void {
    const wrapped = (psdu: Uint8Array, info: ZepFrameInfo) => listener({ psdu, at: info.at });
    this.on('frame', wrapped);
    return () => {
      this.off('frame', wrapped);
    };
  }

  /** Closes the socket (idempotent). Frames awaiting their ACK's completion are still delivered. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.tx.close();
    this.closing = new Promise<void>((resolve) => {
      for (const p of this.pending) p.ready = true;
      this.flush();
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // never bound, or already closed
      }
    }).then(() => {
      this.emit('close');
    });
    return this.closing;
  }

  private socketError(e: Error): void {
    this.counters.sendErrors++;
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const t0 = process.hrtime.bigint();
    // warmUp()'s own frames (from this socket, while it runs) take the whole path but leave no trace.
    const dry = this.warmingUp && rinfo.port === this.self?.port && rinfo.address === this.self.address;
    const c = dry ? this.scratch : this.counters;
    const at = this.clock.now();
    c.datagramsIn++;
    const from = { address: rinfo.address, port: rinfo.port };
    let zep: ZepMessage;
    try {
      zep = decodeZep(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
    } catch (e) {
      c.malformed++;
      if (this.listenerCount('malformed') > 0) this.emit('malformed', e as ZepError, from);
      return;
    }
    if (zep.type === 'ack') {
      c.zepAcksIn++;
      return;
    }
    if (!this.remote && !dry) this.remote = from;
    if (this.filter && zep.channel !== (this.opts.channel ?? 26)) {
      c.wrongChannel++;
      return;
    }
    const { psdu, type: _data, ...header } = zep;
    let mac: ParsedMacFrame | undefined;
    try {
      mac = parseIeee802154(psdu);
    } catch {
      c.unparsed++;
    }
    const info: ZepFrameInfo = { at, from, zep: header, acked: false };
    if (mac) info.mac = mac;
    // An Imm-Ack for the frame our MAC is waiting on ends that wait (it is still delivered: captures show ACKs).
    if (mac && mac.fcsOk && mac.frameType === FrameType.Ack && mac.seq !== undefined && !dry) this.tx.ack(mac.seq);

    if (mac && !mac.fcsOk) {
      c.badFcs++;
      if (this.opts.acceptBadFcs) this.enqueue(psdu, info, dry);
      return;
    }
    const forMe = mac ? this.addressedToMe(mac) : 'broadcast';
    if (this.filter && forMe === 'other') {
      c.notForMe++;
      return;
    }
    // Acknowledge first (a retransmission too: its sender missed our ACK), then hide duplicates.
    let entry: Pending | undefined;
    if (mac && this.shouldAck(mac, forMe)) {
      entry = this.sendAck(mac, from, t0, dry);
      info.acked = true;
    }
    if (mac && this.isRetransmission(mac, at, dry ? this.scratchSeen : this.seen)) {
      c.duplicates++;
      if (entry) entry.deliver = () => {};
      return;
    }
    if (entry) {
      entry.deliver = () => this.deliver(psdu, info, dry);
    } else {
      this.enqueue(psdu, info, dry);
    }
  }

  /** 'me': unicast to one of our addresses; 'broadcast'; 'other'. Checks the destination PAN when one is configured. */
  private addressedToMe(mac: ParsedMacFrame): 'me' | 'broadcast' | 'other' {
    const pan = this.opts.pan;
    if (pan !== undefined && mac.dstPan !== undefined && mac.dstPan !== 0xffff && mac.dstPan !== pan) return 'other';
    const dst = mac.dst;
    if (!dst) return 'broadcast'; // no destination (beacons, frames to the PAN coordinator, ACKs)
    if (dst.mode === 'short') {
      if (dst.bytes[0] === 0xff && dst.bytes[1] === 0xff) return 'broadcast';
      const mine = this.opts.shortAddress;
      return mine !== undefined && bytesEqual(dst.bytes, shortLinkAddress(mine).bytes) ? 'me' : 'other';
    }
    return this.extended && bytesEqual(dst.bytes, this.extended.bytes) ? 'me' : 'other';
  }

  private shouldAck(mac: ParsedMacFrame, forMe: 'me' | 'broadcast' | 'other'): boolean {
    if (this.opts.autoAck === false || !mac.ackRequest || mac.seq === undefined || !mac.dst) return false;
    if (mac.frameType !== FrameType.Data && mac.frameType !== FrameType.MacCommand) return false;
    if (forMe === 'broadcast') return false;
    return this.filter ? forMe === 'me' : true;
  }

  private sendAck(mac: ParsedMacFrame, to: { address: string; port: number }, t0: bigint, dry = false): Pending {
    const seq = mac.seq as number;
    const ackPsdu = buildAckFrame(seq, mac.version);
    const datagram = encodeZep({
      channel: this.opts.channel ?? 26,
      deviceId: this.opts.deviceId ?? 0,
      lqi: this.opts.lqi ?? 0xff,
      seq: dry ? 0 : this.txSeq,
      psdu: ackPsdu,
    });
    if (!dry) this.txSeq = (this.txSeq + 1) >>> 0;
    const entry: Pending = { ready: false, deliver: () => {} };
    this.pending.push(entry);
    const done = (err: Error | null) => {
      if (dry) {
        // warmUp(): the send path has run; nothing to record
      } else if (err) {
        this.counters.sendErrors++;
      } else {
        const us = Number(process.hrtime.bigint() - t0) / 1000;
        this.counters.acksSent++;
        this.recordTurnaround(us);
        if (this.listenerCount('ackSent') > 0) this.emit('ackSent', ackPsdu, { to, seq, turnaroundUs: us });
      }
      entry.ready = true;
      this.flush();
    };
    try {
      this.socket.send(datagram, to.port, to.address, done);
    } catch (e) {
      queueMicrotask(() => done(e as Error));
    }
    return entry;
  }

  private recordTurnaround(us: number): void {
    this.ack.count++;
    this.ack.lastUs = us;
    this.ack.minUs = Math.min(this.ack.minUs, us);
    this.ack.maxUs = Math.max(this.ack.maxUs, us);
    this.turnaroundSum += us;
    if (this.turnaround.length === RING) this.turnaround.shift();
    this.turnaround.push(us);
  }

  private isRetransmission(mac: ParsedMacFrame, now: number, seen: Map<string, number>): boolean {
    const window = this.opts.dedupWindowMs ?? 1000;
    if (window <= 0 || !mac.src || mac.seq === undefined || mac.frameType === FrameType.Ack) return false;
    // Forget what is older than the window (the map is in order of last sighting).
    for (const [k, t] of seen) {
      if (now - t < window) break;
      seen.delete(k);
    }
    const key = `${mac.frameType}/${mac.src.mode}/${Buffer.from(mac.src.bytes).toString('hex')}/${mac.seq}`;
    const last = seen.get(key);
    seen.delete(key);
    seen.set(key, now);
    return last !== undefined && now - last < window;
  }

  // Frames are delivered in arrival order; one whose ACK is still being sent holds back those behind it.
  private enqueue(psdu: Uint8Array, info: ZepFrameInfo, dry = false): void {
    if (this.pending.length === 0) {
      this.deliver(psdu, info, dry);
      return;
    }
    this.pending.push({ ready: true, deliver: () => this.deliver(psdu, info, dry) });
  }

  private flush(): void {
    while (this.pending.length && this.pending[0].ready) {
      (this.pending.shift() as Pending).deliver();
    }
  }

  private deliver(psdu: Uint8Array, info: ZepFrameInfo, dry = false): void {
    if (dry) {
      // warmUp(): its frame (unacknowledged) or the ACK it drew is back; the path has run.
      if (!info.mac || !info.mac.ackRequest || !info.acked) this.warmed?.();
      return;
    }
    this.counters.framesDelivered++;
    this.emit('frame', psdu, info);
  }
}
