// The fixed 40-byte IPv6 header (RFC 8200 §3).
import { PacketError, checkField, needBytes } from './errors.js';

export const IPV6_HEADER_LEN = 40;

export interface Ipv6Header {
  version: number; // 4 bits, 6 for a valid packet
  trafficClass: number; // 8 bits
  flowLabel: number; // 20 bits
  payloadLength: number; // 16 bits: octets after this header
  nextHeader: number; // 8 bits
  hopLimit: number; // 8 bits
  src: Uint8Array; // 16 bytes
  dst: Uint8Array; // 16 bytes
}

/**
 * Reads the fixed header from the start of `bytes`. Only the length is
 * checked, so malformed headers (version 5, payload length too big) can be
 * inspected; parseIpv6Packet (packet.ts) is the validating parser.
 */
export function parseIpv6Header(bytes: Uint8Array): Ipv6Header {
  needBytes(bytes, 0, IPV6_HEADER_LEN, 'IPv6 header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, IPV6_HEADER_LEN);
  const word0 = v.getUint32(0);
  return {
    version: word0 >>> 28,
    trafficClass: (word0 >>> 20) & 0xff,
    flowLabel: word0 & 0xfffff,
    payloadLength: v.getUint16(4),
    nextHeader: bytes[6],
    hopLimit: bytes[7],
    src: bytes.slice(8, 24),
    dst: bytes.slice(24, 40),
  };
}

/**
 * Writes any representable header (each field only has to fit its width),
 * so deliberately wrong versions or payload lengths can be built.
 */
export function emitIpv6Header(h: Ipv6Header): Uint8Array {
  checkField(h.version, 0xf, 'IPv6 version');
  checkField(h.trafficClass, 0xff, 'IPv6 traffic class');
  checkField(h.flowLabel, 0xfffff, 'IPv6 flow label');
  checkField(h.payloadLength, 0xffff, 'IPv6 payload length');
  checkField(h.nextHeader, 0xff, 'IPv6 next header');
  checkField(h.hopLimit, 0xff, 'IPv6 hop limit');
  if (h.src.length !== 16 || h.dst.length !== 16) {
    throw new PacketError(`IPv6 header: addresses must be 16 bytes (src ${h.src.length}, dst ${h.dst.length})`);
  }
  const out = new Uint8Array(IPV6_HEADER_LEN);
  const v = new DataView(out.buffer);
  v.setUint32(0, ((h.version << 28) | (h.trafficClass << 20) | h.flowLabel) >>> 0);
  v.setUint16(4, h.payloadLength);
  out[6] = h.nextHeader;
  out[7] = h.hopLimit;
  out.set(h.src, 8);
  out.set(h.dst, 24);
  return out;
}
