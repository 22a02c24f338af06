// UDP over IPv6 (RFC 768; checksum mandatory per RFC 8200 §8.1).
import { concat } from './bytes.js';
import { udpChecksum, verifyIpv6Checksum } from './checksum.js';
import { PacketError, checkField, needBytes } from './errors.js';
import { IpProtocol } from './protocols.js';

export const UDP_HEADER_LEN = 8;

export interface UdpSpec {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  /** Written instead of the correct checksum (e.g. 0 or a wrong value). */
  forceChecksum?: number;
  /** Written instead of the real length; the checksum still covers the real bytes and length. */
  forceLength?: number;
}

export interface UdpDatagram {
  srcPort: number;
  dstPort: number;
  length: number;
  checksum: number;
  payload: Uint8Array;
}

/** Builds a datagram; `dst` is the final destination used in the pseudo header. */
export function buildUdp(src: Uint8Array, dst: Uint8Array, spec: UdpSpec): Uint8Array {
  checkField(spec.srcPort, 0xffff, 'UDP source port');
  checkField(spec.dstPort, 0xffff, 'UDP destination port');
  const realLength = UDP_HEADER_LEN + spec.payload.length;
  checkField(realLength, 0xffff, 'UDP datagram size');
  const length = spec.forceLength ?? realLength;
  checkField(length, 0xffff, 'UDP length');
  const out = concat([new Uint8Array(UDP_HEADER_LEN), spec.payload]);
  const v = new DataView(out.buffer);
  v.setUint16(0, spec.srcPort);
  v.setUint16(2, spec.dstPort);
  v.setUint16(4, realLength & 0xffff);
  const checksum = spec.forceChecksum ?? udpChecksum(src, dst, out);
  checkField(checksum, 0xffff, 'UDP checksum');
  v.setUint16(4, length);
  v.setUint16(6, checksum);
  return out;
}

/** Parses a datagram; the length field must be 8..bytes.length (bytes past it are ignored). */
export function parseUdp(bytes: Uint8Array): UdpDatagram {
  needBytes(bytes, 0, UDP_HEADER_LEN, 'UDP header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, UDP_HEADER_LEN);
  const length = v.getUint16(4);
  if (length < UDP_HEADER_LEN || length > bytes.length) {
    throw new PacketError(`UDP length field ${length} not in ${UDP_HEADER_LEN}..${bytes.length} (bytes present)`);
  }
  return {
    srcPort: v.getUint16(0),
    dstPort: v.getUint16(2),
    length,
    checksum: v.getUint16(6),
    payload: bytes.slice(UDP_HEADER_LEN, length),
  };
}

/** True if the checksum is non-zero (RFC 8200 §8.1) and verifies over the first `length` bytes. */
export function udpChecksumOk(src: Uint8Array, dst: Uint8Array, bytes: Uint8Array): boolean {
  const d = parseUdp(bytes);
  return d.checksum !== 0 && verifyIpv6Checksum(src, dst, IpProtocol.Udp, bytes.subarray(0, d.length));
}
