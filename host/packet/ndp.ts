// The tester's own IPv6 Neighbor Discovery library (independent of the
// firmware): RS, RA, NS, NA and Redirect (RFC 4861 §4.1-§4.5) with their
// options (§4.6) and the 6LoWPAN-ND options (RFC 6775 §4.1-§4.3, EARO of
// RFC 8505 §4.1), link-layer address options in the IEEE 802.15.4 forms of
// RFC 4944 §8. Every field is the caller's (so tests can build invalid
// messages); whole packets get hop limit 255 and a right checksum by default.
import { concat } from './bytes.js';
import { checkField, needBytes, PacketError } from './errors.js';
import { parseIcmpv6 } from './icmpv6.js';
import type { Ipv6Header } from './ipv6.js';
import { checkLinkAddress, type LinkAddress } from './link-address.js';
import { buildIpv6Packet, parseIpv6Packet } from './packet.js';
import { IpProtocol } from './protocols.js';

export const ND_RS = 133;
export const ND_RA = 134;
export const ND_NS = 135;
export const ND_NA = 136;
export const ND_REDIRECT = 137;

export const OPT_SLLAO = 1;
export const OPT_TLLAO = 2;
export const OPT_PIO = 3;
export const OPT_REDIRECTED = 4;
export const OPT_MTU = 5;
export const OPT_ARO = 33;
export const OPT_6CO = 34;
export const OPT_ABRO = 35;

/** ARO/EARO Status values (RFC 6775 §4.1 Table 1, RFC 8505 §4.1 Table 1). */
export enum AroStatus {
  Success = 0,
  Duplicate = 1,
  NeighborCacheFull = 2,
  Moved = 3,
  Removed = 4,
  ValidationRequested = 5,
  DuplicateSource = 6,
  InvalidSource = 7,
  TopologicallyIncorrect = 8,
  RegistrySaturated = 9,
  ValidationFailed = 10,
}

/**
 * One option. `lengthField`, on any kind, overrides the Length octet (the
 * bytes stay as built): a way to build zero-length or overrunning options.
 * Parsing fills every field and never sets lengthField; an option whose
 * length does not fit its kind parses as 'raw'.
 */
export type NdOption = (
  | { kind: 'sllao' | 'tllao'; addr: LinkAddress }
  | {
      kind: 'pio';
      prefixLength: number;
      onLink: boolean;
      autonomous: boolean;
      /** The 6 low bits of the flags octet (R of RFC 6275 and Reserved1). */
      reserved1?: number;
      validLifetime: number;
      preferredLifetime: number;
      reserved2?: number;
      prefix: Uint8Array; // 16 octets
    }
  | { kind: 'mtu'; mtu: number; reserved?: number }
  /** IP header + data; zero-padded to a multiple of 8 (RFC 4861 §4.6.3). */
  | { kind: 'redirected'; packet: Uint8Array }
  | {
      kind: 'aro';
      status: number;
      /** EARO fields (RFC 8505 §4.1); all 0 in an RFC 6775 ARO. */
      opaque?: number;
      i?: number; // 2 bits
      r?: boolean;
      t?: boolean;
      tid?: number;
      /** The 4 high (reserved) bits of the flags octet. */
      reservedFlags?: number;
      lifetime: number; // minutes
      /** EUI-64 or ROVR: 8, 16, 24 or 32 octets (Length = 1 + octets / 8). */
      rovr: Uint8Array;
    }
  | {
      kind: '6co';
      contextLength: number;
      compression: boolean;
      cid: number;
      /** The 3 reserved bits above C. */
      reservedBits?: number;
      validLifetime: number; // minutes
      /** Up to 8 octets: Length 2; up to 16: Length 3 (zero padded). */
      prefix: Uint8Array;
    }
  | { kind: 'abro'; version: number; validLifetime: number; address: Uint8Array }
  /** Anything: Type, Length (default: octets / 8, rounded up) and the octets after them, unpadded. */
  | { kind: 'raw'; type: number; length?: number; body: Uint8Array }
) & { lengthField?: number };

export type NdMessage =
  | { kind: 'rs'; reserved?: number; options: NdOption[] }
  | {
      kind: 'ra';
      curHopLimit: number;
      managed: boolean;
      other: boolean;
      /** The 6 low bits of the flags octet (H, Prf, P, Reserved). */
      flagsRest?: number;
      routerLifetime: number;
      reachableTime: number;
      retransTimer: number;
      options: NdOption[];
    }
  | { kind: 'ns'; reserved?: number; target: Uint8Array; options: NdOption[] }
  | {
      kind: 'na';
      router: boolean;
      solicited: boolean;
      override: boolean;
      reserved?: number; // 29 bits
      target: Uint8Array;
      options: NdOption[];
    }
  | { kind: 'redirect'; reserved?: number; target: Uint8Array; destination: Uint8Array; options: NdOption[] };

const TYPE_OF = { rs: ND_RS, ra: ND_RA, ns: ND_NS, na: ND_NA, redirect: ND_REDIRECT } as const;

/** ICMPv6 type of a message. */
export function ndType(m: NdMessage): number {
  return TYPE_OF[m.kind];
}

// ---------------------------------------------------------------- encoding

function u16(v: number, what: string): number[] {
  checkField(v, 0xffff, what);
  return [v >> 8, v & 0xff];
}

function u32(v: number, what: string): number[] {
  checkField(v, 0xffffffff, what);
  return [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function addr16(a: Uint8Array, what: string): Uint8Array {
  if (a.length !== 16) throw new PacketError(`${what} must be 16 octets, got ${a.length}`);
  return a;
}

function padTo(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(bytes.subarray(0, n));
  return out;
}

// Type, Length (in 8-octet units) and body, padded to a multiple of 8.
function option(type: number, body: Uint8Array): Uint8Array {
  const total = Math.ceil((body.length + 2) / 8) * 8;
  const out = new Uint8Array(total);
  out[0] = type;
  out[1] = total / 8;
  out.set(body, 2);
  return out;
}

/** The octets of one option. */
export function encodeNdOption(o: NdOption): Uint8Array {
  let out: Uint8Array;
  switch (o.kind) {
    case 'sllao':
    case 'tllao':
      checkLinkAddress(o.addr);
      // RFC 4944 §8: 2 octets + 4 zero (Length 1), 8 octets + 6 zero (Length 2).
      out = option(o.kind === 'sllao' ? OPT_SLLAO : OPT_TLLAO, o.addr.bytes);
      break;
    case 'pio': {
      checkField(o.prefixLength, 0xff, 'PIO prefix length');
      const flags = (o.onLink ? 0x80 : 0) | (o.autonomous ? 0x40 : 0) | (o.reserved1 ?? 0);
      checkField(flags, 0xff, 'PIO flags');
      out = option(
        OPT_PIO,
        Uint8Array.from([
          o.prefixLength,
          flags,
          ...u32(o.validLifetime, 'PIO valid lifetime'),
          ...u32(o.preferredLifetime, 'PIO preferred lifetime'),
          ...u32(o.reserved2 ?? 0, 'PIO reserved2'),
          ...addr16(o.prefix, 'PIO prefix'),
        ]),
      );
      break;
    }
    case 'mtu':
      out = option(OPT_MTU, Uint8Array.from([...u16(o.reserved ?? 0, 'MTU reserved'), ...u32(o.mtu, 'MTU')]));
      break;
    case 'redirected':
      out = option(OPT_REDIRECTED, concat([new Uint8Array(6), o.packet]));
      break;
    case 'aro': {
      if (![8, 16, 24, 32].includes(o.rovr.length)) {
        throw new PacketError(`ARO EUI-64/ROVR must be 8, 16, 24 or 32 octets, got ${o.rovr.length}`);
      }
      checkField(o.status, 0xff, 'ARO status');
      checkField(o.opaque ?? 0, 0xff, 'EARO opaque');
      checkField(o.i ?? 0, 3, 'EARO I');
      checkField(o.reservedFlags ?? 0, 0xf, 'EARO reserved flags');
      checkField(o.tid ?? 0, 0xff, 'EARO TID');
      const flags = ((o.reservedFlags ?? 0) << 4) | ((o.i ?? 0) << 2) | (o.r ? 2 : 0) | (o.t ? 1 : 0);
      out = option(
        OPT_ARO,
        Uint8Array.from([o.status, o.opaque ?? 0, flags, o.tid ?? 0, ...u16(o.lifetime, 'ARO lifetime'), ...o.rovr]),
      );
      break;
    }
    case '6co': {
      if (o.prefix.length > 16) throw new PacketError(`6CO prefix must be at most 16 octets, got ${o.prefix.length}`);
      checkField(o.contextLength, 0xff, '6CO context length');
      checkField(o.cid, 0xf, '6CO CID');
      checkField(o.reservedBits ?? 0, 7, '6CO reserved bits');
      const flags = ((o.reservedBits ?? 0) << 5) | (o.compression ? 0x10 : 0) | o.cid;
      const prefix = padTo(o.prefix, o.prefix.length <= 8 ? 8 : 16);
      out = option(
        OPT_6CO,
        Uint8Array.from([o.contextLength, flags, 0, 0, ...u16(o.validLifetime, '6CO lifetime'), ...prefix]),
      );
      break;
    }
    case 'abro':
      checkField(o.version, 0xffffffff, 'ABRO version');
      // RFC 6775 §4.3: Version Low (least significant 16 bits) first.
      out = option(
        OPT_ABRO,
        Uint8Array.from([
          ...u16(o.version & 0xffff, 'ABRO version low'),
          ...u16(o.version >>> 16, 'ABRO version high'),
          ...u16(o.validLifetime, 'ABRO lifetime'),
          ...addr16(o.address, 'ABRO 6LBR address'),
        ]),
      );
      break;
    case 'raw':
      checkField(o.type, 0xff, 'option type');
      out = concat([Uint8Array.of(o.type, 0), o.body]);
      out[1] = o.length ?? Math.ceil(out.length / 8);
      checkField(out[1], 0xff, 'option length');
      break;
  }
  if (o.lengthField !== undefined) {
    checkField(o.lengthField, 0xff, 'option length field');
    out[1] = o.lengthField;
  }
  return out;
}

/** The octets after Type, Code, Checksum: fixed part and options. */
export function encodeNdBody(m: NdMessage): Uint8Array {
  let fixed: number[];
  switch (m.kind) {
    case 'rs':
      fixed = u32(m.reserved ?? 0, 'RS reserved');
      break;
    case 'ra': {
      checkField(m.curHopLimit, 0xff, 'RA cur hop limit');
      const flags = (m.managed ? 0x80 : 0) | (m.other ? 0x40 : 0) | (m.flagsRest ?? 0);
      checkField(flags, 0xff, 'RA flags');
      fixed = [
        m.curHopLimit,
        flags,
        ...u16(m.routerLifetime, 'RA router lifetime'),
        ...u32(m.reachableTime, 'RA reachable time'),
        ...u32(m.retransTimer, 'RA retrans timer'),
      ];
      break;
    }
    case 'ns':
      fixed = [...u32(m.reserved ?? 0, 'NS reserved'), ...addr16(m.target, 'NS target')];
      break;
    case 'na': {
      checkField(m.reserved ?? 0, 0x1fffffff, 'NA reserved');
      const word = ((m.router ? 0x80000000 : 0) | (m.solicited ? 0x40000000 : 0) | (m.override ? 0x20000000 : 0) | (m.reserved ?? 0)) >>> 0;
      fixed = [...u32(word, 'NA flags'), ...addr16(m.target, 'NA target')];
      break;
    }
    case 'redirect':
      fixed = [
        ...u32(m.reserved ?? 0, 'Redirect reserved'),
        ...addr16(m.target, 'Redirect target'),
        ...addr16(m.destination, 'Redirect destination'),
      ];
      break;
  }
  return concat([Uint8Array.from(fixed), ...m.options.map(encodeNdOption)]);
}

/** The ICMPv6 message with checksum 0 (for a core that is given the message alone). */
export function encodeNdMessage(m: NdMessage, code = 0): Uint8Array {
  checkField(code, 0xff, 'ICMPv6 code');
  return concat([Uint8Array.of(ndType(m), code, 0, 0), encodeNdBody(m)]);
}

export interface NdPacketSpec {
  src: Uint8Array;
  dst: Uint8Array;
  message: NdMessage;
  hopLimit?: number; // default 255
  code?: number; // default 0
  /** Cut the ICMPv6 message to this many octets (before the checksum). */
  truncate?: number;
  /** Written instead of the right checksum. */
  forceChecksum?: number;
  /** ICMPv6 type written instead of the message's. */
  type?: number;
}

/** The whole IPv6 packet. */
export function buildNdPacket(spec: NdPacketSpec): Uint8Array {
  let body = encodeNdBody(spec.message);
  const type = spec.type ?? ndType(spec.message);
  const code = spec.code ?? 0;
  const base = { src: spec.src, dst: spec.dst, hopLimit: spec.hopLimit ?? 255 };
  if (spec.truncate !== undefined && spec.truncate < 4) {
    // Not even an ICMPv6 header: no checksum field to fill.
    const bytes = Uint8Array.of(type, code, 0, 0).slice(0, Math.max(0, spec.truncate));
    return buildIpv6Packet({ ...base, upper: { kind: 'raw', nextHeader: IpProtocol.Icmpv6, bytes } });
  }
  if (spec.truncate !== undefined) body = body.slice(0, spec.truncate - 4);
  return buildIpv6Packet({ ...base, upper: { kind: 'icmpv6', type, code, body, forceChecksum: spec.forceChecksum } });
}

/** RFC 4291 §2.7.1: ff02::1:ffXX:XXXX for the low 24 bits of `a`. */
export function solicitedNodeAddress(a: Uint8Array): Uint8Array {
  const out = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 0);
  out.set(addr16(a, 'address').subarray(13), 13);
  return out;
}

// ---------------------------------------------------------------- parsing

function rd16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function rd32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** One option from its octets (Type, Length and the rest, Length*8 of them). */
export function parseNdOption(o: Uint8Array): NdOption {
  const type = o[0];
  const units = o[1];
  const raw: NdOption = { kind: 'raw', type, length: units, body: o.slice(2) };
  switch (type) {
    case OPT_SLLAO:
    case OPT_TLLAO: {
      if (units !== 1 && units !== 2) return raw;
      const bytes = o.slice(2, units === 1 ? 4 : 10);
      return { kind: type === OPT_SLLAO ? 'sllao' : 'tllao', addr: { mode: units === 1 ? 'short' : 'extended', bytes } };
    }
    case OPT_PIO:
      if (units !== 4) return raw;
      return {
        kind: 'pio',
        prefixLength: o[2],
        onLink: (o[3] & 0x80) !== 0,
        autonomous: (o[3] & 0x40) !== 0,
        reserved1: o[3] & 0x3f,
        validLifetime: rd32(o, 4),
        preferredLifetime: rd32(o, 8),
        reserved2: rd32(o, 12),
        prefix: o.slice(16, 32),
      };
    case OPT_MTU:
      if (units !== 1) return raw;
      return { kind: 'mtu', reserved: rd16(o, 2), mtu: rd32(o, 4) };
    case OPT_REDIRECTED:
      return { kind: 'redirected', packet: o.slice(8) };
    case OPT_ARO:
      if (units < 2 || units > 5) return raw;
      return {
        kind: 'aro',
        status: o[2],
        opaque: o[3],
        reservedFlags: o[4] >> 4,
        i: (o[4] >> 2) & 3,
        r: (o[4] & 2) !== 0,
        t: (o[4] & 1) !== 0,
        tid: o[5],
        lifetime: rd16(o, 6),
        rovr: o.slice(8),
      };
    case OPT_6CO:
      if (units !== 2 && units !== 3) return raw;
      return {
        kind: '6co',
        contextLength: o[2],
        reservedBits: o[3] >> 5,
        compression: (o[3] & 0x10) !== 0,
        cid: o[3] & 0xf,
        validLifetime: rd16(o, 6),
        prefix: o.slice(8),
      };
    case OPT_ABRO:
      if (units !== 3) return raw;
      return { kind: 'abro', version: (rd16(o, 2) | (rd16(o, 4) << 16)) >>> 0, validLifetime: rd16(o, 6), address: o.slice(8, 24) };
    default:
      return raw;
  }
}

/** Splits the options area; throws on a zero Length or an overrun (RFC 4861 §4.6). */
export function parseNdOptions(b: Uint8Array): NdOption[] {
  const out: NdOption[] = [];
  for (let at = 0; at < b.length; ) {
    needBytes(b, at, 2, 'ND option header');
    const n = b[at + 1] * 8;
    if (n === 0) throw new PacketError(`ND option type ${b[at]} at offset ${at} has length 0`);
    needBytes(b, at, n, `ND option type ${b[at]}`);
    out.push(parseNdOption(b.slice(at, at + n)));
    at += n;
  }
  return out;
}

/** Octets of the fixed part of each ND message, including Type, Code, Checksum. */
export const ND_FIXED_LEN: Record<number, number> = { [ND_RS]: 8, [ND_RA]: 16, [ND_NS]: 24, [ND_NA]: 24, [ND_REDIRECT]: 40 };

export interface ParsedNdMessage {
  type: number;
  code: number;
  checksum: number;
  message: NdMessage;
}

/** An ND message from its ICMPv6 octets (Type first). Every field is filled. */
export function parseNdMessage(icmp: Uint8Array): ParsedNdMessage {
  const { type, code, checksum } = parseIcmpv6(icmp);
  const fixed = ND_FIXED_LEN[type];
  if (fixed === undefined) throw new PacketError(`ICMPv6 type ${type} is not a Neighbor Discovery message`);
  needBytes(icmp, 0, fixed, `ND type ${type} fixed part`);
  const options = parseNdOptions(icmp.slice(fixed));
  const addr = (at: number) => icmp.slice(at, at + 16);
  let message: NdMessage;
  if (type === ND_RS) message = { kind: 'rs', reserved: rd32(icmp, 4), options };
  else if (type === ND_RA) {
    message = {
      kind: 'ra',
      curHopLimit: icmp[4],
      managed: (icmp[5] & 0x80) !== 0,
      other: (icmp[5] & 0x40) !== 0,
      flagsRest: icmp[5] & 0x3f,
      routerLifetime: rd16(icmp, 6),
      reachableTime: rd32(icmp, 8),
      retransTimer: rd32(icmp, 12),
      options,
    };
  } else if (type === ND_NS) message = { kind: 'ns', reserved: rd32(icmp, 4), target: addr(8), options };
  else if (type === ND_NA) {
    const w = rd32(icmp, 4);
    message = {
      kind: 'na',
      router: (w & 0x80000000) !== 0,
      solicited: (w & 0x40000000) !== 0,
      override: (w & 0x20000000) !== 0,
      reserved: w & 0x1fffffff,
      target: addr(8),
      options,
    };
  } else message = { kind: 'redirect', reserved: rd32(icmp, 4), target: addr(8), destination: addr(24), options };
  return { type, code, checksum, message };
}

export interface ParsedNdPacket extends ParsedNdMessage {
  header: Ipv6Header;
  checksumOk: boolean;
}

/** Dissects a whole IPv6 packet carrying an ND message (no extension headers expected, but allowed). */
export function parseNd(bytes: Uint8Array): ParsedNdPacket {
  const p = parseIpv6Packet(bytes);
  if (p.upper.protocol !== IpProtocol.Icmpv6 || !p.icmpv6) {
    throw new PacketError(`not ICMPv6: next header ${p.upper.protocol}`);
  }
  return { header: p.header, checksumOk: p.icmpv6.checksumOk, ...parseNdMessage(p.upper.bytes) };
}

/** The first option of a kind in a parsed message. */
export function findNdOption<K extends NdOption['kind']>(m: NdMessage, kind: K): (NdOption & { kind: K }) | undefined {
  return m.options.find((o) => o.kind === kind) as (NdOption & { kind: K }) | undefined;
}
