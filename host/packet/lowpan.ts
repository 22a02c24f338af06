// The tester's own 6LoWPAN codec, written from RFC 4944 (dispatch, mesh,
// broadcast and fragment headers) and RFC 6282 (LOWPAN_IPHC, LOWPAN_NHC),
// independently of the firmware's. The decoder rejects reserved encodings
// with a LowpanError naming the reason; the encoder can produce the most
// compact encoding, everything in line, or any field-by-field choice
// (including illegal ones) so a test can send whatever it needs.
import { concat, bytesEqual } from './bytes.js';
import { udpChecksum } from './checksum.js';
import { PacketError, checkField } from './errors.js';
import { emitIpv6Header, parseIpv6Header } from './ipv6.js';
import { finalDestination, parseExtensionHeader, type ExtensionHeader } from './ipv6-ext.js';
import { checkLinkAddress, interfaceIdFromLinkAddress, type LinkAddress } from './link-address.js';
import { frag1Header, fragNHeader } from './lowpan-fragment.js';

/** A PacketError with a machine-readable reason (names follow sixlab's reason codes where one exists). */
export class LowpanError extends PacketError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** One context (RFC 6282 §3.1.2): prefix bits past `length` are ignored; `compress: false` = decompression only (RFC 6775 C flag). */
export interface LowpanContext {
  prefix: Uint8Array;
  length: number;
  compress?: boolean;
}
export type LowpanContexts = Map<number, LowpanContext>;

/** MAC source and destination (absent when the frame carries none). */
export interface LowpanLink {
  src?: LinkAddress;
  dst?: LinkAddress;
}

/** RFC 4944 §5.2. `deep`: Hops Left 0xF followed by an 8-bit Deep Hops Left. */
export interface MeshHeader {
  hopsLeft: number;
  deep?: boolean;
  originator: LinkAddress;
  final: LinkAddress;
}

/** The LOWPAN_IPHC bits (RFC 6282 §3.1.1); sci/dci are 0 when CID = 0. */
export interface IphcFields {
  tf: number;
  nh: number;
  hlim: number;
  cid: number;
  sac: number;
  sam: number;
  m: number;
  dac: number;
  dam: number;
  sci: number;
  dci: number;
}

/**
 * One LOWPAN_NHC header (RFC 6282 §4). For an extension header, `length` is
 * the Length octet (the fragment header, which has none, shows its 7 carried
 * octets) and `padding` the Pad1/PadN octets elided by the compressor.
 */
export type NhcInfo =
  | { type: 'ext'; eid: number; nh: number; length: number; padding: number }
  | { type: 'udp'; ports: number; checksumElided: boolean }
  | { type: 'ipv6'; iphc: IphcFields; nhc: NhcInfo[] };

export type LowpanEncoding = { mesh?: MeshHeader; bc0?: number } & (
  | { dispatch: 'ipv6' }
  | ({ dispatch: 'iphc'; nhc: NhcInfo[] } & IphcFields)
);

/** An elided UDP checksum (RFC 6282 §4.3.2) to compute once the datagram is whole. */
export interface ChecksumFixup {
  udp: number; // offset of the UDP header
  ip: number; // offset of the IPv6 header it belongs to
  routing: number[]; // offsets of Routing headers between the two (final destination, RFC 8200 §8.1)
}

export interface LowpanPacket {
  kind: 'ipv6';
  packet: Uint8Array;
  encoding: LowpanEncoding;
}

export interface LowpanFragment {
  kind: 'frag1' | 'fragn';
  size: number; // datagram_size
  tag: number; // datagram_tag
  offset: number; // octets (datagram_offset x 8; 0 for FRAG1)
  /** FRAG1: decompressed headers + payload; FRAGN: the payload. */
  data: Uint8Array;
  /** Reassembly key addresses: the mesh originator / final destination, else the MAC ones. */
  origin?: LinkAddress;
  final?: LinkAddress;
  /** FRAG1 only. */
  encoding?: LowpanEncoding;
  /** FRAG1 only: elided UDP checksums, filled in by the Reassembler. */
  checksums: ChecksumFixup[];
  mesh?: MeshHeader;
  bc0?: number;
}

export type LowpanDecoded = LowpanPacket | LowpanFragment;

const DISPATCH_IPV6 = 0x41; // RFC 4944 §5.1
const DISPATCH_ESC = 0x40; // RFC 6282 §2 (replaces 4944's 0x7f)
const DISPATCH_HC1 = 0x42;
const DISPATCH_BC0 = 0x50;
const MAX_TUNNEL_DEPTH = 4;
const HOP_LIMITS = [-1, 1, 64, 255]; // RFC 6282 §3.1.1 HLIM
const EID_PROTOCOL = [0, 43, 44, 60, 135, -1, -1, 41]; // RFC 6282 §4.2 EID -> Next Header
const OPTIONS_EIDS = new Set([0, 3]); // Hop-by-Hop, Destination Options: padding may be elided
const LINK_LOCAL_64 = Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0);

// ---------------------------------------------------------------- reading

class Reader {
  constructor(
    readonly b: Uint8Array,
    public at = 0,
  ) {}
  take(n: number, reason: string, what: string): Uint8Array {
    if (this.b.length - this.at < n) {
      throw new LowpanError(reason, `${what}: need ${n} octets at offset ${this.at}, have ${this.b.length - this.at}`);
    }
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(reason: string, what: string): number {
    return this.take(1, reason, what)[0];
  }
  u16(reason: string, what: string): number {
    const b = this.take(2, reason, what);
    return (b[0] << 8) | b[1];
  }
  rest(): Uint8Array {
    return this.b.subarray(this.at);
  }
}

// Decompressed headers, with the fields to fill in once the datagram size is known.
class Out {
  parts: Uint8Array[] = [];
  length = 0;
  lengths: { kind: 'ipv6' | 'udp'; at: number }[] = [];
  checksums: ChecksumFixup[] = [];
  push(p: Uint8Array): number {
    const at = this.length;
    this.parts.push(p);
    this.length += p.length;
    return at;
  }
}

type Iids = { src?: Uint8Array; dst?: Uint8Array };

/**
 * Decodes one MAC payload: mesh / BC0 / fragment headers (RFC 4944 §5, in that
 * order), then LOWPAN_IPHC or the uncompressed IPv6 dispatch. An unfragmented
 * datagram comes back whole; FRAG1 / FRAGN come back for a Reassembler.
 */
export function decodeLowpan(payload: Uint8Array, link: LowpanLink = {}, contexts: LowpanContexts = new Map()): LowpanDecoded {
  const r = new Reader(payload);
  if (payload.length === 0) throw new LowpanError('EmptyPayload', '6LoWPAN: empty MAC payload');
  let origin = link.src;
  let final = link.dst;
  let mesh: MeshHeader | undefined;
  let bc0: number | undefined;
  let stage = 0; // 0: mesh allowed, 1: BC0 allowed, 2: fragment allowed, 3: dispatch
  for (;;) {
    const d = r.u8('EmptyPayload', '6LoWPAN dispatch');
    if ((d & 0xc0) === 0x80) {
      order(stage, 0, 'mesh header');
      mesh = readMesh(r, d);
      origin = mesh.originator;
      final = mesh.final;
      stage = 1;
    } else if (d === DISPATCH_BC0) {
      order(stage, 1, 'LOWPAN_BC0');
      bc0 = r.u8('BroadcastHeaderTruncated', 'LOWPAN_BC0 sequence number');
      stage = 2;
    } else if ((d & 0xd8) === 0xc0) {
      // 11000xxx FRAG1, 11100xxx FRAGN (RFC 4944 §5.3)
      order(stage, 2, 'fragment header');
      const first = (d & 0x20) === 0;
      const rest = r.take(first ? 3 : 4, 'FragHeaderTruncated', first ? 'FRAG1 header' : 'FRAGN header');
      const size = ((d & 7) << 8) | rest[0];
      const tag = (rest[1] << 8) | rest[2];
      const prefix = { origin, final, mesh, bc0 };
      if (!first) {
        const offset = rest[3] * 8;
        const data = r.rest().slice();
        if (offset + data.length > size) {
          throw new LowpanError('FragBeyondDatagram', `FRAGN: offset ${offset} + ${data.length} octets exceeds datagram_size ${size}`);
        }
        return clean({ kind: 'fragn', size, tag, offset, data, checksums: [], ...prefix });
      }
      const inner = decodeDatagram(r, origin, final, contexts, size);
      return clean({ kind: 'frag1', size, tag, offset: 0, data: inner.packet, checksums: inner.checksums, ...prefix, encoding: withPrefix(inner.encoding, mesh, bc0) });
    } else {
      r.at -= 1;
      const dg = decodeDatagram(r, origin, final, contexts, undefined);
      fillChecksums(dg.packet, dg.checksums);
      return { kind: 'ipv6', packet: dg.packet, encoding: withPrefix(dg.encoding, mesh, bc0) };
    }
  }
}

function order(stage: number, max: number, what: string): void {
  if (stage > max) throw new LowpanError('HeaderOrder', `6LoWPAN: ${what} after a later header (RFC 4944 §5: mesh, broadcast, fragment)`);
}

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function withPrefix(e: LowpanEncoding, mesh?: MeshHeader, bc0?: number): LowpanEncoding {
  return clean({ ...e, mesh, bc0 });
}

// RFC 4944 §5.2: 10 V F HopsLeft, [Deep Hops Left], originator, final (big-endian).
function readMesh(r: Reader, d: number): MeshHeader {
  const hops = d & 0xf;
  const deep = hops === 0xf;
  const hopsLeft = deep ? r.u8('MeshHeaderTruncated', 'mesh Deep Hops Left') : hops;
  const addr = (short: boolean, what: string): LinkAddress => ({
    mode: short ? 'short' : 'extended',
    bytes: r.take(short ? 2 : 8, 'MeshHeaderTruncated', what).slice(),
  });
  const originator = addr((d & 0x20) !== 0, 'mesh originator address');
  const final = addr((d & 0x10) !== 0, 'mesh final destination address');
  return deep ? { hopsLeft, deep, originator, final } : { hopsLeft, originator, final };
}

// The dispatch after any mesh/BC0/FRAG1 header: IPHC or uncompressed IPv6.
function decodeDatagram(
  r: Reader,
  src: LinkAddress | undefined,
  dst: LinkAddress | undefined,
  contexts: LowpanContexts,
  size: number | undefined,
): { packet: Uint8Array; encoding: LowpanEncoding; checksums: ChecksumFixup[] } {
  const d = r.u8('EmptyPayload', '6LoWPAN dispatch');
  if (d === DISPATCH_IPV6) {
    const packet = r.rest().slice();
    if (size !== undefined && packet.length > size) {
      throw new LowpanError('FragBeyondDatagram', `FRAG1: ${packet.length} octets exceed datagram_size ${size}`);
    }
    return { packet, encoding: { dispatch: 'ipv6' }, checksums: [] };
  }
  if ((d & 0xe0) !== 0x60) dispatchError(d);
  r.at -= 1;
  const out = new Out();
  const iids = { src: src && interfaceIdFromLinkAddress(src), dst: dst && interfaceIdFromLinkAddress(dst) };
  const { fields, nhc } = decompressIphc(r, iids, contexts, out, 0);
  const rest = r.rest();
  const total = size ?? out.length + rest.length;
  if (out.length > total) {
    throw new LowpanError('FragHeaderTooLarge', `FRAG1: decompressed headers (${out.length} octets) exceed datagram_size ${total}`);
  }
  if (out.length + rest.length > total) {
    throw new LowpanError('FragBeyondDatagram', `FRAG1: ${out.length + rest.length} octets exceed datagram_size ${total}`);
  }
  const packet = concat([...out.parts, rest]);
  fillLengths(packet, out.lengths, total);
  return { packet, encoding: { dispatch: 'iphc', ...fields, nhc }, checksums: out.checksums };
}

function dispatchError(d: number): never {
  const hex = `0x${d.toString(16).padStart(2, '0')}`;
  if ((d & 0xc0) === 0) throw new LowpanError('NotLowpan', `dispatch ${hex}: NALP, not a LoWPAN frame (RFC 4944 §5.1)`);
  if (d === DISPATCH_ESC) throw new LowpanError('DispatchEscUnsupported', `dispatch ${hex}: ESC (RFC 6282 §2) not supported`);
  if (d === DISPATCH_HC1) throw new LowpanError('DispatchHc1Unsupported', `dispatch ${hex}: LOWPAN_HC1 not supported (replaced by IPHC, RFC 6282)`);
  if (d === DISPATCH_BC0 || (d & 0xc0) === 0x80 || (d & 0xd8) === 0xc0) {
    throw new LowpanError('HeaderOrder', `dispatch ${hex} after a fragment header (RFC 4944 §5)`);
  }
  throw new LowpanError('DispatchReserved', `dispatch ${hex} is reserved (RFC 4944 §5.1)`);
}

function fillLengths(packet: Uint8Array, fixups: Out['lengths'], total: number): void {
  const v = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  for (const f of fixups) {
    if (f.kind === 'ipv6') {
      const plen = total - f.at - 40;
      if (plen < 0 || plen > 0xffff) throw new LowpanError('Ipv6LengthMismatch', `IPv6 payload length ${plen} not in 0..65535`);
      v.setUint16(f.at + 4, plen);
    } else {
      const len = total - f.at;
      if (len < 8 || len > 0xffff) throw new LowpanError('UdpLength', `UDP length ${len} not in 8..65535`);
      v.setUint16(f.at + 4, len);
    }
  }
}

/** Computes elided UDP checksums (RFC 6282 §4.3.2) in a whole datagram. */
export function fillChecksums(packet: Uint8Array, fixups: ChecksumFixup[]): void {
  for (const f of fixups) {
    const ip = parseIpv6Header(packet.subarray(f.ip));
    const routing = f.routing.map((at): ExtensionHeader => parseExtensionHeader(43, packet, at).header);
    const dst = finalDestination(ip.dst, routing);
    const len = (packet[f.udp + 4] << 8) | packet[f.udp + 5];
    if (f.udp + len > packet.length) throw new LowpanError('UdpLength', `UDP length ${len} runs past the datagram`);
    const sum = udpChecksum(ip.src, dst, packet.subarray(f.udp, f.udp + len));
    packet[f.udp + 6] = sum >> 8;
    packet[f.udp + 7] = sum & 0xff;
  }
}

// RFC 6282 §3: LOWPAN_IPHC and its in-line fields, then the LOWPAN_NHC chain.
function decompressIphc(
  r: Reader,
  iids: Iids,
  contexts: LowpanContexts,
  out: Out,
  depth: number,
): { fields: IphcFields; nhc: NhcInfo[] } {
  const T = 'IphcTruncated';
  const b0 = r.u8(T, 'LOWPAN_IPHC');
  if (b0 >> 5 !== 3) throw new LowpanError('NhcUnknown', `expected LOWPAN_IPHC (011xxxxx), got 0x${b0.toString(16)}`);
  const b1 = r.u8(T, 'LOWPAN_IPHC second octet');
  const f: IphcFields = {
    tf: (b0 >> 3) & 3,
    nh: (b0 >> 2) & 1,
    hlim: b0 & 3,
    cid: b1 >> 7,
    sac: (b1 >> 6) & 1,
    sam: (b1 >> 4) & 3,
    m: (b1 >> 3) & 1,
    dac: (b1 >> 2) & 1,
    dam: b1 & 3,
    sci: 0,
    dci: 0,
  };
  if (f.cid) {
    const x = r.u8(T, 'context identifier extension');
    f.sci = x >> 4;
    f.dci = x & 0xf;
  }
  if (f.dac && (f.m ? f.dam !== 0 : f.dam === 0)) {
    throw new LowpanError('IphcReservedMode', `LOWPAN_IPHC M=${f.m} DAC=1 DAM=${f.dam.toString(2).padStart(2, '0')} is reserved`);
  }
  const { trafficClass, flowLabel } = readTf(r, f.tf);
  const nextHeader = f.nh ? 0 : r.u8(T, 'in-line next header');
  const hopLimit = f.hlim ? HOP_LIMITS[f.hlim] : r.u8(T, 'in-line hop limit');
  const ctx = (id: number, which: string) => {
    const c = contexts.get(id);
    if (!c) throw new LowpanError('ContextUnknown', `LOWPAN_IPHC ${which} context ${id} is not defined`);
    return c;
  };
  const src = readAddress(r, false, 0, f.sac, f.sam, f.sac && f.sam ? () => ctx(f.sci, 'source') : noCtx, iids.src);
  const dst = readAddress(r, true, f.m, f.dac, f.dam, f.dac ? () => ctx(f.dci, 'destination') : noCtx, iids.dst);
  const header = emitIpv6Header({ version: 6, trafficClass, flowLabel, payloadLength: 0, nextHeader, hopLimit, src, dst });
  const ip = out.push(header);
  out.lengths.push({ kind: 'ipv6', at: ip });
  const nhc: NhcInfo[] = [];
  if (f.nh) decompressNhc(r, { arr: header, index: 6 }, { ip, src, dst, routing: [] }, contexts, out, depth, nhc);
  return { fields: f, nhc };
}

const noCtx = (): LowpanContext => {
  throw new Error('unreachable: context not used');
};

function readTf(r: Reader, tf: number): { trafficClass: number; flowLabel: number } {
  // RFC 6282 §3.2.1: the traffic class is carried rotated as ECN(2) | DSCP(6).
  const T = 'IphcTruncated';
  if (tf === 3) return { trafficClass: 0, flowLabel: 0 };
  const b = r.take([4, 3, 1][tf], T, `traffic class / flow label (TF=${tf.toString(2).padStart(2, '0')})`);
  const ecn = b[0] >> 6;
  if (tf === 2) return { trafficClass: ((b[0] & 0x3f) << 2) | ecn, flowLabel: 0 };
  if (tf === 1) return { trafficClass: ecn, flowLabel: ((b[0] & 0x0f) << 16) | (b[1] << 8) | b[2] };
  return { trafficClass: ((b[0] & 0x3f) << 2) | ecn, flowLabel: ((b[1] & 0x0f) << 16) | (b[2] << 8) | b[3] };
}

// In-line octets for each address mode (RFC 6282 §3.1.1).
function inlineLength(multicast: number, stateful: number, mode: number): number {
  if (multicast) return stateful ? (mode === 0 ? 6 : 0) : [16, 6, 4, 1][mode];
  return stateful ? [0, 8, 2, 0][mode] : [16, 8, 2, 0][mode];
}

function readAddress(
  r: Reader,
  isDst: boolean,
  m: number,
  stateful: number,
  mode: number,
  ctx: () => LowpanContext,
  iid: Uint8Array | undefined,
): Uint8Array {
  const what = `${isDst ? 'destination' : 'source'} address`;
  const inline = r.take(inlineLength(m, stateful, mode), 'IphcTruncated', what);
  if (!m && mode === 3 && !iid) {
    throw new LowpanError('LinkAddrInvalid', `${what} elided (mode 11) but the encapsulating header has no address`);
  }
  return m ? multicastAddress(stateful, mode, inline, stateful ? ctx() : undefined) : unicastAddress(stateful, mode, inline, stateful && mode ? ctx() : undefined, iid);
}

/** IID for 16 in-line bits: 0000:00ff:fe00:XXXX (RFC 6282 §3.2.2). */
function shortIid(x: Uint8Array): Uint8Array {
  return Uint8Array.of(0, 0, 0, 0xff, 0xfe, 0, x[0], x[1]);
}

/** Copies the first `ctx.length` bits of the context prefix over `addr`. */
function overlayPrefix(addr: Uint8Array, ctx: LowpanContext): void {
  const n = Math.min(ctx.length, 128);
  for (let bit = 0; bit < n; bit += 8) {
    const i = bit >> 3;
    const mask = (0xff << (8 - Math.min(8, n - bit))) & 0xff;
    addr[i] = (addr[i] & ~mask) | (ctx.prefix[i] & mask);
  }
}

/** SAC/DAC + SAM/DAM for a unicast address (M = 0), RFC 6282 §3.1.1. */
function unicastAddress(stateful: number, mode: number, inline: Uint8Array, ctx?: LowpanContext, iid?: Uint8Array): Uint8Array {
  if (mode === 0) return stateful ? new Uint8Array(16) : Uint8Array.from(inline); // SAC=1 SAM=00: ::
  const a = new Uint8Array(16);
  const id = mode === 1 ? inline : mode === 2 ? shortIid(inline) : (iid as Uint8Array);
  a.set(id, 8);
  if (stateful) overlayPrefix(a, ctx as LowpanContext);
  else a.set(LINK_LOCAL_64);
  return a;
}

/** DAC + DAM for a multicast destination (M = 1), RFC 6282 §3.1.1 and §3.2.3. */
function multicastAddress(stateful: number, mode: number, x: Uint8Array, ctx?: LowpanContext): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0xff;
  if (stateful) {
    // ffXX:XXLL:PPPP:PPPP:PPPP:PPPP:XXXX:XXXX (RFC 3306 unicast-prefix-based)
    const c = ctx as LowpanContext;
    const p = new Uint8Array(16);
    overlayPrefix(p, { prefix: c.prefix, length: Math.min(c.length, 64) });
    a[1] = x[0];
    a[2] = x[1];
    a[3] = c.length & 0xff;
    a.set(p.subarray(0, 8), 4);
    a.set(x.subarray(2, 6), 12);
    return a;
  }
  if (mode === 0) return Uint8Array.from(x);
  if (mode === 1) {
    a[1] = x[0];
    a.set(x.subarray(1, 6), 11); // ffXX::00XX:XXXX:XXXX
  } else if (mode === 2) {
    a[1] = x[0];
    a.set(x.subarray(1, 4), 13); // ffXX::00XX:XXXX
  } else {
    a[1] = 0x02;
    a[15] = x[0]; // ff02::00XX
  }
  return a;
}

interface ChainState {
  ip: number; // offset of the IPv6 header these headers belong to
  src: Uint8Array;
  dst: Uint8Array;
  routing: number[];
}

// RFC 6282 §4: LOWPAN_NHC headers until one with NH = 0, UDP, or an IPv6 header.
function decompressNhc(
  r: Reader,
  pendingNh: { arr: Uint8Array; index: number },
  chain: ChainState,
  contexts: LowpanContexts,
  out: Out,
  depth: number,
  nhc: NhcInfo[],
): void {
  const T = 'NhcTruncated';
  let pending = pendingNh;
  for (;;) {
    const id = r.u8(T, 'LOWPAN_NHC octet');
    if ((id & 0xf8) === 0xf0) {
      pending.arr[pending.index] = 17;
      nhc.push(readUdp(r, id, chain, out));
      return;
    }
    if ((id & 0xf0) !== 0xe0) throw new LowpanError('NhcUnknown', `LOWPAN_NHC 0x${id.toString(16)} is not an assigned encoding`);
    const eid = (id >> 1) & 7;
    const nhBit = id & 1;
    if (eid === 5 || eid === 6) throw new LowpanError('NhcReservedEid', `LOWPAN_NHC extension header EID ${eid} is reserved`);
    pending.arr[pending.index] = EID_PROTOCOL[eid];
    if (eid === 7) {
      // IPv6 in IPv6: the inner IIDs come from the outer addresses (RFC 6282 §3.2.2, §4.2).
      if (nhBit) throw new LowpanError('NhcReservedMode', 'LOWPAN_NHC EID 7 (IPv6 header) with NH=1: the bit MUST be 0');
      if (depth + 1 > MAX_TUNNEL_DEPTH) throw new LowpanError('NhcTooDeep', `more than ${MAX_TUNNEL_DEPTH} nested IPv6 headers`);
      const inner = decompressIphc(r, { src: chain.src.slice(8), dst: chain.dst.slice(8) }, contexts, out, depth + 1);
      nhc.push({ type: 'ipv6', iphc: inner.fields, nhc: inner.nhc });
      return;
    }
    const next = nhBit ? 0 : r.u8(T, 'in-line next header');
    let header: Uint8Array;
    let length: number;
    let padding = 0;
    if (eid === 2) {
      // Fragment header: no Length field; its remaining 7 octets are carried as they are.
      length = 7;
      header = concat([Uint8Array.of(next), r.take(7, T, 'fragment header')]);
    } else {
      length = r.u8(T, 'extension header Length');
      const data = r.take(length, T, 'extension header data');
      const size = 2 + length;
      if (OPTIONS_EIDS.has(eid)) padding = (8 - (size % 8)) % 8;
      else if (size % 8 !== 0) {
        throw new LowpanError('NhcLengthInvalid', `extension header EID ${eid}: 2 + Length ${length} is not a multiple of 8 and cannot be padded`);
      }
      header = new Uint8Array(size + padding);
      header[0] = next;
      header[1] = (size + padding) / 8 - 1;
      header.set(data, 2);
      // RFC 8200 §4.2: Pad1 is one zero octet, PadN is type 1, length, zeros.
      if (padding >= 2) header.set([1, padding - 2], size);
    }
    const at = out.push(header);
    if (eid === 1) chain.routing.push(at);
    nhc.push({ type: 'ext', eid, nh: nhBit, length, padding });
    if (!nhBit) return;
    pending = { arr: header, index: 0 };
  }
}

// RFC 6282 §4.3.3: 11110 C PP, ports, checksum; the length is always elided.
function readUdp(r: Reader, id: number, chain: ChainState, out: Out): NhcInfo {
  const T = 'UdpTruncated';
  const c = (id >> 2) & 1;
  const p = id & 3;
  let src: number;
  let dst: number;
  if (p === 3) {
    const x = r.u8(T, 'UDP 4-bit ports');
    src = 0xf0b0 | (x >> 4);
    dst = 0xf0b0 | (x & 0xf);
  } else {
    src = p === 2 ? 0xf000 | r.u8(T, 'UDP source port (8 bits)') : r.u16(T, 'UDP source port');
    dst = p === 1 ? 0xf000 | r.u8(T, 'UDP destination port (8 bits)') : r.u16(T, 'UDP destination port');
  }
  const checksum = c ? 0 : r.u16(T, 'UDP checksum');
  const udp = Uint8Array.of(src >> 8, src & 0xff, dst >> 8, dst & 0xff, 0, 0, checksum >> 8, checksum & 0xff);
  const at = out.push(udp);
  out.lengths.push({ kind: 'udp', at });
  if (c) out.checksums.push({ udp: at, ip: chain.ip, routing: [...chain.routing] });
  return { type: 'udp', ports: p, checksumElided: c === 1 };
}

// ---------------------------------------------------------------- reassembly

interface Partial {
  start: number;
  buf: Uint8Array;
  pieces: { offset: number; length: number }[];
  received: number;
  checksums: ChecksumFixup[];
}

const addrKey = (a?: LinkAddress) => (a ? `${a.mode}:${Array.from(a.bytes).join('.')}` : '-');

/**
 * RFC 4944 §5.3 reassembly keyed by (originator, final destination,
 * datagram_size, datagram_tag). Times are given by the caller (ms); a datagram
 * not completed within `timeoutMs` of its first fragment is discarded. An
 * overlapping fragment that differs in offset or size discards what was
 * accumulated and starts afresh with it; an exact duplicate is ignored.
 */
export class Reassembler {
  private partials = new Map<string, Partial>();
  constructor(readonly timeoutMs = 60_000) {}

  /** Adds a fragment; returns the whole datagram once complete. */
  accept(f: LowpanFragment, nowMs: number): Uint8Array | undefined {
    if (f.offset + f.data.length > f.size) {
      throw new LowpanError('FragBeyondDatagram', `fragment at ${f.offset} + ${f.data.length} octets exceeds datagram_size ${f.size}`);
    }
    const key = `${addrKey(f.origin)}|${addrKey(f.final)}|${f.size}|${f.tag}`;
    let p = this.partials.get(key);
    if (p && nowMs - p.start > this.timeoutMs) p = undefined;
    const end = f.offset + f.data.length;
    if (p) {
      const hit = p.pieces.find((x) => x.offset < end && f.offset < x.offset + x.length);
      if (hit && hit.offset === f.offset && hit.length === f.data.length) return undefined;
      if (hit) p = undefined;
    }
    if (!p) {
      p = { start: nowMs, buf: new Uint8Array(f.size), pieces: [], received: 0, checksums: [] };
      this.partials.set(key, p);
    }
    p.buf.set(f.data, f.offset);
    p.pieces.push({ offset: f.offset, length: f.data.length });
    p.received += f.data.length;
    if (f.kind === 'frag1') p.checksums = f.checksums;
    if (p.received < f.size) return undefined;
    this.partials.delete(key);
    fillChecksums(p.buf, p.checksums);
    return p.buf;
  }

  /** Datagrams still being reassembled. */
  get pending(): number {
    return this.partials.size;
  }
}

// ---------------------------------------------------------------- encoding

export type HcMode = 'most-compact' | 'inline' | 'uncompressed';

/** Field-by-field LOWPAN_IPHC choices; written as given, even where they cannot represent the packet. */
export interface IphcOverrides {
  tf?: number;
  nh?: number;
  hlim?: number;
  /** true/false forces the CID bit; default: set when a non-zero context is used. */
  cid?: boolean;
  sac?: number;
  sam?: number;
  sci?: number;
  m?: number;
  dac?: number;
  dam?: number;
  dci?: number;
}

export interface LowpanEncodeOptions extends IphcOverrides {
  /** most-compact (default), inline (IPHC with every field in line, no NHC) or uncompressed (0x41). */
  hcMode?: HcMode;
  /** Headers after the IPv6 header to compress with LOWPAN_NHC (default: as many as can be, 0 for inline). */
  nhcDepth?: number;
  /** UDP P bits (default: the smallest that fits; 00 for inline). */
  udpPorts?: number;
  /** RFC 6282 §4.3.2: elide only with upper-layer authorization (default inline). */
  udpChecksum?: 'inline' | 'elided';
  /** Elide a trailing Pad1/PadN where RFC 6282 §4.2 allows (default: true unless inline). */
  elidePadding?: boolean;
  /** Options for the inner header of IPv6-in-IPv6 (default: the same hcMode). */
  inner?: LowpanEncodeOptions;
  mesh?: MeshHeader;
  bc0?: number;
}

export interface CompressedLowpan {
  /** Mesh and BC0 headers (they precede a fragment header). */
  prefix: Uint8Array;
  /** Dispatch and compressed headers (IPHC + NHC), or just 0x41. */
  header: Uint8Array;
  /** How many octets of the packet `header` stands for. */
  covered: number;
  encoding: LowpanEncoding;
}

/** A way to encode one address: SAC/SAM (or M/DAC/DAM) and the context used, with its in-line cost. */
export interface AddressChoice {
  stateful: number;
  mode: number;
  m: number;
  ctx?: number;
  cost: number;
}

/** Encodes a whole IPv6 packet as one unfragmented 6LoWPAN payload. */
export function encodeLowpan(
  packet: Uint8Array,
  link: LowpanLink = {},
  contexts: LowpanContexts = new Map(),
  options: LowpanEncodeOptions = {},
): Uint8Array {
  const c = compressLowpan(packet, link, contexts, options);
  return concat([c.prefix, c.header, packet.subarray(c.covered)]);
}

/**
 * The compressed headers and how much of the packet they cover. A packet
 * that IPHC cannot express (version not 6, or a Payload Length that
 * disagrees with its size) is sent with the 0x41 dispatch.
 */
export function compressLowpan(
  packet: Uint8Array,
  link: LowpanLink = {},
  contexts: LowpanContexts = new Map(),
  options: LowpanEncodeOptions = {},
): CompressedLowpan {
  const prefix = concat([options.mesh ? meshHeader(options.mesh) : new Uint8Array(0), options.bc0 === undefined ? new Uint8Array(0) : bc0Header(options.bc0)]);
  const m = options.mesh;
  const mesh = m && (m.deep || m.hopsLeft >= 0xf ? { hopsLeft: m.hopsLeft, deep: true, originator: m.originator, final: m.final } : { hopsLeft: m.hopsLeft, originator: m.originator, final: m.final });
  const extra = clean({ mesh, bc0: options.bc0 });
  const mode = options.hcMode ?? 'most-compact';
  if (mode === 'uncompressed' || !iphcCanExpress(packet, 0)) {
    return { prefix, header: Uint8Array.of(DISPATCH_IPV6), covered: 0, encoding: { dispatch: 'ipv6', ...extra } };
  }
  const src = options.mesh?.originator ?? link.src;
  const dst = options.mesh?.final ?? link.dst;
  const iids = { src: src && interfaceIdFromLinkAddress(src), dst: dst && interfaceIdFromLinkAddress(dst) };
  const c = compressIphc(packet, 0, iids, contexts, options, 0);
  return { prefix, header: c.bytes, covered: c.covered, encoding: { dispatch: 'iphc', ...c.fields, nhc: c.nhc, ...extra } };
}

function iphcCanExpress(packet: Uint8Array, at: number): boolean {
  if (packet.length - at < 40) return false;
  const h = parseIpv6Header(packet.subarray(at));
  return h.version === 6 && h.payloadLength === packet.length - at - 40;
}

/** RFC 4944 §5.2 mesh header. */
export function meshHeader(m: MeshHeader): Uint8Array {
  checkLinkAddress(m.originator);
  checkLinkAddress(m.final);
  checkField(m.hopsLeft, 0xff, 'mesh hops left');
  const deep = m.deep || m.hopsLeft >= 0xf;
  const b0 = 0x80 | (m.originator.mode === 'short' ? 0x20 : 0) | (m.final.mode === 'short' ? 0x10 : 0) | (deep ? 0xf : m.hopsLeft);
  return concat([Uint8Array.of(b0), deep ? Uint8Array.of(m.hopsLeft) : new Uint8Array(0), m.originator.bytes, m.final.bytes]);
}

/** RFC 4944 §5.1 / §11.1 LOWPAN_BC0. */
export function bc0Header(seq: number): Uint8Array {
  checkField(seq, 0xff, 'BC0 sequence number');
  return Uint8Array.of(DISPATCH_BC0, seq);
}

const isMulticast = (a: Uint8Array) => a[0] === 0xff;

function tfChoices(tc: number, fl: number): number[] {
  const out = [0];
  if (tc >> 2 === 0) out.push(1); // DSCP elided
  if (fl === 0) out.push(2);
  if (tc === 0 && fl === 0) out.push(3);
  return out;
}

function hlimChoices(hopLimit: number): number[] {
  const i = HOP_LIMITS.indexOf(hopLimit);
  return i > 0 ? [0, i] : [0];
}

function tfBytes(tf: number, tc: number, fl: number): Uint8Array {
  const ecn = tc & 3;
  const dscp = tc >> 2;
  if (tf === 0) return Uint8Array.of((ecn << 6) | dscp, (fl >> 16) & 0xf, (fl >> 8) & 0xff, fl & 0xff);
  if (tf === 1) return Uint8Array.of((ecn << 6) | ((fl >> 16) & 0xf), (fl >> 8) & 0xff, fl & 0xff);
  if (tf === 2) return Uint8Array.of((ecn << 6) | dscp);
  return new Uint8Array(0);
}

// In-line octets of `a` for a mode (the inverse of unicastAddress / multicastAddress).
function addressBytes(a: Uint8Array, m: number, stateful: number, mode: number): Uint8Array {
  if (m) {
    if (stateful) return mode === 0 ? Uint8Array.of(a[1], a[2], ...a.subarray(12)) : new Uint8Array(0);
    if (mode === 0) return a.slice();
    if (mode === 1) return Uint8Array.of(a[1], ...a.subarray(11));
    if (mode === 2) return Uint8Array.of(a[1], ...a.subarray(13));
    return Uint8Array.of(a[15]);
  }
  if (mode === 0) return stateful ? new Uint8Array(0) : a.slice();
  if (mode === 1) return a.slice(8);
  if (mode === 2) return a.slice(14);
  return new Uint8Array(0);
}

/**
 * Every (stateful, mode, context) that reproduces `a` exactly (RFC 6282
 * §3.1.1), cheapest first; contexts with compress: false are not used.
 */
export function addressChoices(a: Uint8Array, isDst: boolean, iid: Uint8Array | undefined, contexts: LowpanContexts): AddressChoice[] {
  const m = isDst && isMulticast(a) ? 1 : 0;
  const out: AddressChoice[] = [];
  const tryMode = (stateful: number, mode: number, ctxId?: number) => {
    if (stateful && !m && mode === 0 && isDst) return; // DAC=1 DAM=00 reserved
    if (m && stateful && mode !== 0) return; // reserved
    if (!m && mode === 3 && !iid) return;
    const ctx = ctxId === undefined ? undefined : contexts.get(ctxId);
    const inline = addressBytes(a, m, stateful, mode);
    const back = m ? multicastAddress(stateful, mode, inline, ctx) : unicastAddress(stateful, mode, inline, ctx, iid);
    if (bytesEqual(back, a)) out.push(clean({ stateful, mode, m, ctx: ctxId, cost: inline.length }));
  };
  for (let mode = 0; mode < 4; mode++) tryMode(0, mode);
  if (!isDst) tryMode(1, 0); // SAC=1 SAM=00: the unspecified address
  for (const [id, c] of [...contexts].sort((x, y) => x[0] - y[0])) {
    if (c.compress === false) continue;
    for (let mode = m ? 0 : 1; mode < (m ? 1 : 4); mode++) tryMode(1, mode, id);
  }
  return out.sort((x, y) => x.cost - y.cost || x.stateful - y.stateful);
}

/** The legal TF, HLIM and address encodings of the packet's (outer) IPv6 header, IIDs from `link`. */
export function iphcChoices(
  packet: Uint8Array,
  link: LowpanLink,
  contexts: LowpanContexts,
): { tf: number[]; hlim: number[]; src: AddressChoice[]; dst: AddressChoice[] } {
  const h = parseIpv6Header(packet);
  const iid = (a?: LinkAddress) => a && interfaceIdFromLinkAddress(a);
  return {
    tf: tfChoices(h.trafficClass, h.flowLabel),
    hlim: hlimChoices(h.hopLimit),
    src: addressChoices(h.src, false, iid(link.src), contexts),
    dst: addressChoices(h.dst, true, iid(link.dst), contexts),
  };
}

/** UDP P values that reproduce the ports (RFC 6282 §4.3.3), cheapest last. */
export function udpPortChoices(srcPort: number, dstPort: number): number[] {
  const out = [0];
  if (dstPort >> 8 === 0xf0) out.push(1);
  if (srcPort >> 8 === 0xf0) out.push(2);
  if (srcPort >> 4 === 0xf0b && dstPort >> 4 === 0xf0b) out.push(3);
  return out;
}

const FIELD_MAX: Record<keyof IphcFields, number> = { tf: 3, nh: 1, hlim: 3, cid: 1, sac: 1, sam: 3, m: 1, dac: 1, dam: 3, sci: 15, dci: 15 };

interface Compressed {
  bytes: Uint8Array;
  covered: number;
  fields: IphcFields;
  nhc: NhcInfo[];
}

function compressIphc(packet: Uint8Array, at: number, iids: Iids, contexts: LowpanContexts, o: LowpanEncodeOptions, depth: number): Compressed {
  const h = parseIpv6Header(packet.subarray(at));
  const inline = o.hcMode === 'inline';
  const tf = o.tf ?? (inline ? 0 : tfChoices(h.trafficClass, h.flowLabel).pop()!);
  const hlim = o.hlim ?? (inline ? 0 : hlimChoices(h.hopLimit).pop()!);
  const { src, dst } = pickAddresses(h.src, h.dst, iids, contexts, inline);
  const sac = o.sac ?? src.stateful;
  const sam = o.sam ?? src.mode;
  const m = o.m ?? dst.m;
  const dac = o.dac ?? dst.stateful;
  const dam = o.dam ?? dst.mode;
  const sci = o.sci ?? src.ctx ?? 0;
  const dci = o.dci ?? dst.ctx ?? 0;
  const cid = o.cid ?? ((sac === 1 && sci !== 0) || (dac === 1 && dci !== 0));

  const depthLimit = o.nh === 0 ? 0 : o.nhcDepth ?? (inline ? 0 : Infinity);
  const chain = compressChain(packet, at + 40, h.nextHeader, h, contexts, o, depthLimit, o.nh === 1, depth);
  const nh = o.nh ?? (chain ? 1 : 0);

  const f: IphcFields = { tf, nh, hlim, cid: cid ? 1 : 0, sac, sam, m, dac, dam, sci: cid ? sci : 0, dci: cid ? dci : 0 };
  for (const [k, v] of Object.entries(f)) checkField(v, FIELD_MAX[k as keyof IphcFields], `IPHC ${k}`);
  const parts = [
    Uint8Array.of(0x60 | (tf << 3) | (nh << 2) | hlim, (f.cid << 7) | (sac << 6) | (sam << 4) | (m << 3) | (dac << 2) | dam),
    f.cid ? Uint8Array.of((sci << 4) | dci) : new Uint8Array(0),
    tfBytes(tf, h.trafficClass, h.flowLabel),
    nh ? new Uint8Array(0) : Uint8Array.of(h.nextHeader),
    hlim ? new Uint8Array(0) : Uint8Array.of(h.hopLimit),
    addressBytes(h.src, 0, sac, sam),
    addressBytes(h.dst, m, dac, dam),
  ];
  if (nh && chain) parts.push(chain.bytes);
  return { bytes: concat(parts), covered: nh && chain ? chain.covered : at + 40, fields: f, nhc: nh && chain ? chain.nhc : [] };
}

// The cheapest pair of address encodings, counting the CID octet a non-zero context costs.
function pickAddresses(
  src: Uint8Array,
  dst: Uint8Array,
  iids: Iids,
  contexts: LowpanContexts,
  inline: boolean,
): { src: AddressChoice; dst: AddressChoice } {
  if (inline) {
    const m = isMulticast(dst) ? 1 : 0;
    return { src: { stateful: 0, mode: 0, m: 0, cost: 16 }, dst: { stateful: 0, mode: 0, m, cost: 16 } };
  }
  const srcs = addressChoices(src, false, iids.src, contexts);
  const dsts = addressChoices(dst, true, iids.dst, contexts);
  let best: { src: AddressChoice; dst: AddressChoice; cost: number } | undefined;
  for (const s of srcs) {
    for (const d of dsts) {
      const cidCost = (s.stateful && s.ctx) || (d.stateful && d.ctx) ? 1 : 0;
      const cost = s.cost + d.cost + cidCost;
      if (!best || cost < best.cost) best = { src: s, dst: d, cost };
    }
  }
  return best!; // SAM=00 / DAM=00 (128 bits in line) always qualify
}

interface ChainOut {
  bytes: Uint8Array;
  covered: number;
  nhc: NhcInfo[];
}

/**
 * LOWPAN_NHC for the header `proto` at `off`, and the ones after it, or
 * undefined when it is not to be (or cannot be) compressed.
 */
function compressChain(
  packet: Uint8Array,
  off: number,
  proto: number,
  ip: { src: Uint8Array; dst: Uint8Array },
  contexts: LowpanContexts,
  o: LowpanEncodeOptions,
  depthLeft: number,
  force: boolean,
  tunnelDepth: number,
): ChainOut | undefined {
  if (depthLeft <= 0) return undefined;
  const left = packet.length - off;
  if (proto === 17) {
    if (left < 8) return undefined;
    const u = packet.subarray(off, off + 8);
    const length = (u[4] << 8) | u[5];
    if (length !== left && !force) return undefined;
    return { ...udpNhc(u, o), covered: off + 8 };
  }
  if (proto === 41) {
    if (tunnelDepth + 1 > MAX_TUNNEL_DEPTH) return undefined;
    if (!iphcCanExpress(packet, off) && !(force && left >= 40)) return undefined;
    const inner = compressIphc(packet, off, { src: ip.src.slice(8), dst: ip.dst.slice(8) }, contexts, o.inner ?? { hcMode: o.hcMode }, tunnelDepth + 1);
    return { bytes: concat([Uint8Array.of(0xee), inner.bytes]), covered: inner.covered, nhc: [{ type: 'ipv6', iphc: inner.fields, nhc: inner.nhc }] };
  }
  const eid = EID_PROTOCOL.indexOf(proto);
  if (eid < 0 || eid === 7) {
    if (force) throw new PacketError(`LOWPAN_NHC: next header ${proto} has no LOWPAN_NHC encoding (nh=1 impossible)`);
    return undefined;
  }
  const size = eid === 2 ? 8 : left >= 2 ? (packet[off + 1] + 1) * 8 : Infinity;
  if (size > left) return undefined;
  const h = packet.subarray(off, off + size);
  let body = eid === 2 ? h.subarray(1) : h.subarray(2);
  let padding = 0;
  if (OPTIONS_EIDS.has(eid) && (o.elidePadding ?? o.hcMode !== 'inline')) {
    padding = elidablePadding(body);
    body = body.subarray(0, body.length - padding);
  }
  if (eid !== 2 && body.length > 255) return undefined; // RFC 6282 §4.2: Length is one octet
  // What follows a non-first IPv6 fragment is not a header.
  const fragData = eid === 2 && ((h[2] << 8) | h[3]) >> 3 !== 0;
  const next = fragData ? undefined : compressChain(packet, off + size, h[0], ip, contexts, o, depthLeft - 1, false, tunnelDepth);
  const parts: Uint8Array[] = [Uint8Array.of(0xe0 | (eid << 1) | (next ? 1 : 0))];
  if (!next) parts.push(Uint8Array.of(h[0]));
  parts.push(eid === 2 ? body : concat([Uint8Array.of(body.length), body]));
  const info: NhcInfo = { type: 'ext', eid, nh: next ? 1 : 0, length: eid === 2 ? 7 : body.length, padding };
  if (next) parts.push(next.bytes);
  return { bytes: concat(parts), covered: next ? next.covered : off + size, nhc: [info, ...(next?.nhc ?? [])] };
}

// Octets of a single trailing Pad1/PadN (zero-filled, at most 7 octets) that the decompressor will restore.
function elidablePadding(area: Uint8Array): number {
  let last = -1;
  for (let i = 0; i < area.length; ) {
    last = i;
    if (area[i] === 0) i += 1;
    else if (i + 1 < area.length) i += 2 + area[i + 1];
    else return 0;
    if (i > area.length) return 0;
  }
  if (last < 0) return 0;
  const pad = area.length - last;
  if (area[last] === 0) return 1;
  if (area[last] !== 1 || pad > 7 || area.subarray(last + 2).some((b) => b !== 0)) return 0;
  return pad;
}

function udpNhc(u: Uint8Array, o: LowpanEncodeOptions): ChainOut {
  const srcPort = (u[0] << 8) | u[1];
  const dstPort = (u[2] << 8) | u[3];
  const p = o.udpPorts ?? (o.hcMode === 'inline' ? 0 : udpPortChoices(srcPort, dstPort).pop()!);
  checkField(p, 3, 'UDP P bits');
  const c = o.udpChecksum === 'elided' ? 1 : 0;
  const ports =
    p === 3 ? Uint8Array.of(((srcPort & 0xf) << 4) | (dstPort & 0xf))
    : p === 2 ? Uint8Array.of(srcPort & 0xff, dstPort >> 8, dstPort & 0xff)
    : p === 1 ? Uint8Array.of(srcPort >> 8, srcPort & 0xff, dstPort & 0xff)
    : u.slice(0, 4);
  const bytes = concat([Uint8Array.of(0xf0 | (c << 2) | p), ports, c ? new Uint8Array(0) : u.slice(6, 8)]);
  return { bytes, covered: 8, nhc: [{ type: 'udp', ports: p, checksumElided: c === 1 }] };
}

// ---------------------------------------------------------------- fragmentation

/**
 * Splits a compressed datagram into FRAG1 / FRAGN payloads (RFC 4944 §5.3,
 * RFC 6282 §2): FRAG1 = `prefix` + FRAG1 header + the compressed header +
 * packet octets up to a multiple of 8 (all compressed headers must fit in
 * it); each FRAGN carries a multiple of 8 octets except the last. Sizes and
 * offsets count uncompressed octets. Each payload is at most `maxPayload`.
 */
export function fragmentLowpan(
  compressedHeader: Uint8Array,
  coveredOctets: number,
  packet: Uint8Array,
  maxPayload: number,
  tag: number,
  prefix: Uint8Array = new Uint8Array(0),
): Uint8Array[] {
  const size = packet.length;
  checkField(size, 0x7ff, 'datagram_size');
  checkField(tag, 0xffff, 'datagram_tag');
  const room1 = maxPayload - prefix.length - 4 - compressedHeader.length;
  if (room1 < 0) throw new PacketError(`fragmentLowpan: compressed headers (${compressedHeader.length} octets) do not fit in the first fragment`);
  let end = size - coveredOctets <= room1 ? size : Math.floor((coveredOctets + room1) / 8) * 8;
  if (end < coveredOctets) {
    throw new PacketError(`fragmentLowpan: no multiple of 8 at or after ${coveredOctets} fits in a ${maxPayload}-octet first fragment`);
  }
  const out = [concat([prefix, frag1Header(size, tag), compressedHeader, packet.subarray(coveredOctets, end)])];
  const chunk = Math.floor((maxPayload - prefix.length - 5) / 8) * 8;
  if (end < size && chunk <= 0) throw new PacketError(`fragmentLowpan: a ${maxPayload}-octet payload leaves no room for FRAGN data`);
  while (end < size) {
    const next = Math.min(size, end + chunk);
    out.push(concat([prefix, fragNHeader(size, tag, end), packet.subarray(end, next)]));
    end = next;
  }
  return out;
}

/**
 * encodeLowpan, fragmented when the result exceeds `maxPayload` octets. When
 * the compressed headers do not fit in FRAG1, fewer headers are compressed
 * with LOWPAN_NHC (RFC 6282 §2: a header that cannot fit within the first
 * fragment MUST NOT be compressed).
 */
export function lowpanPayloads(
  packet: Uint8Array,
  link: LowpanLink,
  contexts: LowpanContexts,
  options: LowpanEncodeOptions,
  maxPayload: number,
  tag: number,
): Uint8Array[] {
  let opts = options;
  for (;;) {
    const c = compressLowpan(packet, link, contexts, opts);
    const whole = concat([c.prefix, c.header, packet.subarray(c.covered)]);
    if (whole.length <= maxPayload) return [whole];
    const nhc = c.encoding.dispatch === 'iphc' ? c.encoding.nhc.length : 0;
    if (c.prefix.length + 4 + c.header.length <= maxPayload || nhc === 0) {
      return fragmentLowpan(c.header, c.covered, packet, maxPayload, tag, c.prefix);
    }
    opts = { ...opts, nhcDepth: nhc - 1 };
  }
}
