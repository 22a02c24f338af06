// Whole IPv6 packets: fixed header + extension headers + upper layer, with
// every length and checksum computed (RFC 8200 §3, §4, §8.1), and a
// validating parser for tests.
import { concat } from './bytes.js';
import { PacketError } from './errors.js';
import { buildIcmpv6, icmpv6ChecksumOk, parseEcho, parseIcmpv6, type Echo, type Icmpv6Message } from './icmpv6.js';
import { emitIpv6Header, parseIpv6Header, type Ipv6Header } from './ipv6.js';
import {
  emitExtensionHeader,
  extensionProtocol,
  finalDestination,
  parseExtensionHeader,
  parseHeaderChain,
  type ExtensionHeader,
  type HeaderChainEntry,
} from './ipv6-ext.js';
import { IpProtocol } from './protocols.js';
import { buildUdp, parseUdp, udpChecksumOk, type UdpDatagram, type UdpSpec } from './udp.js';

export type UpperSpec =
  | ({ kind: 'udp' } & UdpSpec)
  | { kind: 'icmpv6'; type: number; code: number; body: Uint8Array; forceChecksum?: number }
  | { kind: 'raw'; nextHeader: number; bytes: Uint8Array };

export interface Ipv6PacketSpec {
  src: Uint8Array;
  dst: Uint8Array;
  hopLimit?: number; // default 64
  trafficClass?: number; // default 0
  flowLabel?: number; // default 0
  extensions?: ExtensionHeader[];
  upper: UpperSpec;
  /** Overrides for deliberately malformed packets (written as given). */
  version?: number;
  payloadLength?: number;
  nextHeader?: number;
}

/** Next Header value of the upper layer. */
export function upperProtocol(u: UpperSpec): number {
  if (u.kind === 'udp') return IpProtocol.Udp;
  if (u.kind === 'icmpv6') return IpProtocol.Icmpv6;
  return u.nextHeader;
}

/** Upper-layer bytes; `dst` must be the final destination (RFC 8200 §8.1). */
export function buildUpper(src: Uint8Array, dst: Uint8Array, u: UpperSpec): Uint8Array {
  if (u.kind === 'udp') return buildUdp(src, dst, u);
  if (u.kind === 'icmpv6') return buildIcmpv6(src, dst, u.type, u.code, u.body, u.forceChecksum);
  return u.bytes;
}

/** Encodes the extension headers, each pointing at the next, the last at `upper`. */
export function emitExtensionChain(extensions: ExtensionHeader[], upper: number): Uint8Array {
  const parts = extensions.map((h, i) =>
    emitExtensionHeader(h, i + 1 < extensions.length ? extensionProtocol(extensions[i + 1]) : upper),
  );
  return concat(parts);
}

export function buildIpv6Packet(spec: Ipv6PacketSpec): Uint8Array {
  const extensions = spec.extensions ?? [];
  const upperNh = upperProtocol(spec.upper);
  const upper = buildUpper(spec.src, finalDestination(spec.dst, extensions), spec.upper);
  const exts = emitExtensionChain(extensions, upperNh);
  const header: Ipv6Header = {
    version: spec.version ?? 6,
    trafficClass: spec.trafficClass ?? 0,
    flowLabel: spec.flowLabel ?? 0,
    payloadLength: spec.payloadLength ?? exts.length + upper.length,
    nextHeader: spec.nextHeader ?? (extensions.length ? extensionProtocol(extensions[0]) : upperNh),
    hopLimit: spec.hopLimit ?? 64,
    src: spec.src,
    dst: spec.dst,
  };
  return concat([emitIpv6Header(header), exts, upper]);
}

export interface ParsedIpv6Packet {
  header: Ipv6Header;
  chain: HeaderChainEntry[];
  extensions: ExtensionHeader[];
  /** Last chain entry: upper-layer protocol, its offset and bytes. */
  upper: { protocol: number; offset: number; bytes: Uint8Array };
  /** A Fragment header with offset != 0 or M set: the upper layer is not parsed. */
  fragmented: boolean;
  udp?: UdpDatagram & { checksumOk: boolean };
  icmpv6?: Icmpv6Message & { checksumOk: boolean; echo?: Echo };
}

/** Parses and validates (version 6, lengths) a whole packet. */
export function parseIpv6Packet(bytes: Uint8Array): ParsedIpv6Packet {
  const header = parseIpv6Header(bytes);
  if (header.version !== 6) throw new PacketError(`IPv6 version field is ${header.version}, not 6`);
  const chain = parseHeaderChain(bytes);
  const extensions = chain.slice(0, -1).map((e) => parseExtensionHeader(e.protocol, bytes, e.offset).header);
  const last = chain[chain.length - 1];
  const upperBytes = bytes.slice(last.offset, last.offset + last.length);
  const upper = { protocol: last.protocol, offset: last.offset, bytes: upperBytes };
  const fragmented = extensions.some((h) => h.kind === 'fragment' && (h.fragmentOffset !== 0 || h.more));
  const out: ParsedIpv6Packet = { header, chain, extensions, upper, fragmented };
  if (!fragmented) parseUpper(out, finalDestination(header.dst, extensions));
  return out;
}

function parseUpper(p: ParsedIpv6Packet, dst: Uint8Array): void {
  const { protocol, bytes } = p.upper;
  const src = p.header.src;
  if (protocol === IpProtocol.Udp) {
    p.udp = { ...parseUdp(bytes), checksumOk: udpChecksumOk(src, dst, bytes) };
  } else if (protocol === IpProtocol.Icmpv6) {
    const msg = parseIcmpv6(bytes);
    p.icmpv6 = { ...msg, checksumOk: icmpv6ChecksumOk(src, dst, bytes), echo: parseEcho(msg) };
  }
}

