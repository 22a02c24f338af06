// IPv6 extension headers (RFC 8200 §4): Hop-by-Hop Options (§4.3), Routing
// (§4.4), Fragment (§4.5) and Destination Options (§4.6).
import { concat } from './bytes.js';
import { PacketError, checkField, needBytes } from './errors.js';
import { IPV6_HEADER_LEN, parseIpv6Header } from './ipv6.js';
import { IpProtocol } from './protocols.js';

/** One TLV option (RFC 8200 §4.2). Type 0 is Pad1, which has no length or data. */
export type Ipv6Option = { type: number; data: Uint8Array };
export const PAD1 = 0;
export const PADN = 1;

export interface OptionsHeader {
  kind: 'hop-by-hop' | 'destination';
  /** A list of options, or the raw TLV area (everything after the 2 header octets). */
  options: Ipv6Option[] | Uint8Array;
  /** Append Pad1/PadN so the header is a multiple of 8 octets. */
  pad?: boolean;
}
export interface RoutingHeader {
  kind: 'routing';
  routingType: number;
  segmentsLeft: number;
  /** Type-specific data, from octet 4 on; 4 + data.length must be a multiple of 8. */
  data: Uint8Array;
}
export interface FragmentHeader {
  kind: 'fragment';
  fragmentOffset: number; // 13 bits, in 8-octet units
  more: boolean; // M flag
  identification: number; // 32 bits
  reserved?: number; // octet 1, default 0
  res?: number; // 2 bits before M, default 0
}
export type ExtensionHeader = OptionsHeader | RoutingHeader | FragmentHeader;

const PROTOCOL = {
  'hop-by-hop': IpProtocol.HopByHop,
  destination: IpProtocol.DestinationOptions,
  routing: IpProtocol.Routing,
  fragment: IpProtocol.Fragment,
} as const;

/** Next Header value identifying this header. */
export function extensionProtocol(h: ExtensionHeader): number {
  return PROTOCOL[h.kind];
}

export function isExtensionProtocol(p: number): boolean {
  return Object.values(PROTOCOL).includes(p as never);
}

/** TLV-encodes options (Pad1 as a single zero octet). */
export function encodeOptions(options: Ipv6Option[]): Uint8Array {
  const parts = options.map((o) => {
    checkField(o.type, 0xff, 'option type');
    if (o.type === PAD1) return Uint8Array.of(0);
    checkField(o.data.length, 0xff, 'option data length');
    return Uint8Array.of(o.type, o.data.length, ...o.data);
  });
  return concat(parts);
}

/** Pad1 or PadN option(s) that bring `length` octets up to a multiple of 8. */
export function paddingFor(length: number): Ipv6Option[] {
  const k = (8 - (length % 8)) % 8;
  if (k === 0) return [];
  if (k === 1) return [{ type: PAD1, data: new Uint8Array(0) }];
  return [{ type: PADN, data: new Uint8Array(k - 2) }];
}

/** Options without Pad1/PadN. */
export function stripPadding(options: Ipv6Option[]): Ipv6Option[] {
  return options.filter((o) => o.type !== PAD1 && o.type !== PADN);
}

/** Encodes one extension header; `nextHeader` is the protocol that follows it. */
export function emitExtensionHeader(h: ExtensionHeader, nextHeader: number): Uint8Array {
  checkField(nextHeader, 0xff, 'next header');
  if (h.kind === 'fragment') return emitFragment(h, nextHeader);
  const body = h.kind === 'routing' ? routingBody(h) : optionsArea(h);
  const total = 2 + body.length;
  if (total % 8 !== 0 || total > 2048) {
    throw new PacketError(`${h.kind} header: length ${total} is not a multiple of 8 in 8..2048 (use pad: true?)`);
  }
  return concat([Uint8Array.of(nextHeader, total / 8 - 1), body]);
}

function optionsArea(h: OptionsHeader): Uint8Array {
  const area = h.options instanceof Uint8Array ? h.options : encodeOptions(h.options);
  return h.pad ? concat([area, encodeOptions(paddingFor(2 + area.length))]) : area;
}

function routingBody(h: RoutingHeader): Uint8Array {
  checkField(h.routingType, 0xff, 'routing type');
  checkField(h.segmentsLeft, 0xff, 'segments left');
  return concat([Uint8Array.of(h.routingType, h.segmentsLeft), h.data]);
}

function emitFragment(h: FragmentHeader, nextHeader: number): Uint8Array {
  checkField(h.fragmentOffset, 0x1fff, 'fragment offset');
  checkField(h.identification, 0xffffffff, 'fragment identification');
  checkField(h.reserved ?? 0, 0xff, 'fragment reserved');
  checkField(h.res ?? 0, 3, 'fragment res');
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  out[0] = nextHeader;
  out[1] = h.reserved ?? 0;
  v.setUint16(2, (h.fragmentOffset << 3) | ((h.res ?? 0) << 1) | (h.more ? 1 : 0));
  v.setUint32(4, h.identification);
  return out;
}

/** Parses a TLV options area (RFC 8200 §4.2), checking every length. */
export function parseOptions(area: Uint8Array): Ipv6Option[] {
  const out: Ipv6Option[] = [];
  for (let i = 0; i < area.length; ) {
    if (area[i] === PAD1) {
      out.push({ type: PAD1, data: new Uint8Array(0) });
      i += 1;
      continue;
    }
    needBytes(area, i, 2, 'option header');
    needBytes(area, i + 2, area[i + 1], `option type ${area[i]} data`);
    out.push({ type: area[i], data: area.slice(i + 2, i + 2 + area[i + 1]) });
    i += 2 + area[i + 1];
  }
  return out;
}

export interface ParsedExtension {
  header: ExtensionHeader;
  nextHeader: number;
  length: number; // octets, including the first 8
}

/** Parses the extension header `protocol` at `offset` of `bytes`. */
export function parseExtensionHeader(protocol: number, bytes: Uint8Array, offset: number): ParsedExtension {
  const length = extensionLength(protocol, bytes, offset);
  const b = bytes.subarray(offset, offset + length);
  const nextHeader = b[0];
  if (protocol === IpProtocol.Fragment) return { header: parseFragment(b), nextHeader, length };
  if (protocol === IpProtocol.Routing) {
    return { header: { kind: 'routing', routingType: b[2], segmentsLeft: b[3], data: b.slice(4) }, nextHeader, length };
  }
  const kind = protocol === IpProtocol.HopByHop ? 'hop-by-hop' : 'destination';
  return { header: { kind, options: parseOptions(b.subarray(2)) }, nextHeader, length };
}

/** Length in octets of the extension header at `offset`, checked to fit in `bytes`. */
export function extensionLength(protocol: number, bytes: Uint8Array, offset: number): number {
  if (!isExtensionProtocol(protocol)) throw new PacketError(`protocol ${protocol} is not an extension header`);
  needBytes(bytes, offset, 8, `extension header ${protocol}`);
  const length = protocol === IpProtocol.Fragment ? 8 : (bytes[offset + 1] + 1) * 8;
  needBytes(bytes, offset, length, `extension header ${protocol}`);
  return length;
}

function parseFragment(b: Uint8Array): FragmentHeader {
  const word = (b[2] << 8) | b[3];
  const identification = new DataView(b.buffer, b.byteOffset + 4, 4).getUint32(0);
  return {
    kind: 'fragment',
    fragmentOffset: word >> 3,
    more: (word & 1) === 1,
    identification,
    reserved: b[1],
    res: (word >> 1) & 3,
  };
}

export interface HeaderChainEntry {
  protocol: number;
  offset: number;
  length: number;
}

/**
 * Walks the header chain of a whole IPv6 packet. One entry per extension
 * header, then a last entry for the upper layer (which may be 59, No Next
 * Header) covering the rest of the payload. Walking stops after a Fragment
 * header with a non-zero offset, as what follows is not a header start.
 * Header order is not validated (RFC 8200 §4.1 is the caller's business).
 */
export function parseHeaderChain(packet: Uint8Array): HeaderChainEntry[] {
  const ip = parseIpv6Header(packet);
  const end = IPV6_HEADER_LEN + ip.payloadLength;
  if (end > packet.length) {
    const have = packet.length - IPV6_HEADER_LEN;
    throw new PacketError(`IPv6 payload length ${ip.payloadLength} exceeds the ${have} bytes present`);
  }
  const payload = packet.subarray(0, end);
  const chain: HeaderChainEntry[] = [];
  let protocol = ip.nextHeader;
  let offset = IPV6_HEADER_LEN;
  while (isExtensionProtocol(protocol)) {
    const ext = parseExtensionHeader(protocol, payload, offset);
    chain.push({ protocol, offset, length: ext.length });
    offset += ext.length;
    protocol = ext.nextHeader;
    if (ext.header.kind === 'fragment' && ext.header.fragmentOffset !== 0) break;
  }
  chain.push({ protocol, offset, length: end - offset });
  return chain;
}

/**
 * Destination used in the upper-layer pseudo header (RFC 8200 §8.1): the last
 * address of a Routing header with Segments Left > 0 (types 0 and 2: plain
 * addresses after 4 reserved octets; type 3: RFC 6554 §3 compressed), else `dst`.
 */
export function finalDestination(dst: Uint8Array, extensions: ExtensionHeader[]): Uint8Array {
  const rh = extensions.find((h): h is RoutingHeader => h.kind === 'routing');
  if (!rh || rh.segmentsLeft === 0) return dst;
  if (rh.routingType === 0 || rh.routingType === 2) {
    if (rh.data.length < 20) throw new PacketError('routing header: no address to take the final destination from');
    return rh.data.slice(rh.data.length - 16);
  }
  if (rh.routingType === 3) return rplSrhLastAddress(dst, rh.data);
  return dst;
}

// RFC 6554 §3: last address = first CmprE octets of dst + (16 - CmprE) octets before Pad.
function rplSrhLastAddress(dst: Uint8Array, data: Uint8Array): Uint8Array {
  needBytes(data, 0, 4, 'RPL source routing header');
  const cmprE = data[0] & 0xf;
  const pad = data[1] >> 4;
  const end = data.length - pad;
  if (end - (16 - cmprE) < 4) throw new PacketError('RPL source routing header: addresses do not fit');
  const out = Uint8Array.from(dst);
  out.set(data.subarray(end - (16 - cmprE), end), cmprE);
  return out;
}
