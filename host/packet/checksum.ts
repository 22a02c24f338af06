// Internet checksum (RFC 1071) and the IPv6 upper-layer pseudo header
// (RFC 8200 §8.1).
import { PacketError } from './errors.js';

/**
 * 16-bit one's complement sum (not complemented) of the concatenation of
 * `parts`, treated as one byte stream (RFC 1071 §4.1): an odd-length part
 * does not restart the 16-bit alignment.
 */
export function onesComplementSum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      sum += odd ? p[i] : p[i] << 8;
      odd = !odd;
    }
    sum = fold(sum);
  }
  return fold(sum);
}

// End-around carry until the value fits in 16 bits (safe above 2^32).
function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** RFC 1071 checksum: one's complement of the one's complement sum. */
export function internetChecksum(...parts: Uint8Array[]): number {
  return ~onesComplementSum(...parts) & 0xffff;
}

/** The 40-byte pseudo header of RFC 8200 §8.1. */
export function ipv6PseudoHeader(
  src: Uint8Array,
  dst: Uint8Array,
  upperLength: number,
  nextHeader: number,
): Uint8Array {
  if (src.length !== 16 || dst.length !== 16) throw new PacketError('pseudo header: addresses must be 16 bytes');
  const ph = new Uint8Array(40);
  ph.set(src, 0);
  ph.set(dst, 16);
  new DataView(ph.buffer).setUint32(32, upperLength >>> 0);
  ph[39] = nextHeader & 0xff;
  return ph;
}

/**
 * Checksum over pseudo header + `upper` (whose checksum field should be zero
 * when computing; if it holds a correct checksum the result is 0).
 */
export function ipv6PseudoHeaderChecksum(
  src: Uint8Array,
  dst: Uint8Array,
  upperLength: number,
  nextHeader: number,
  upper: Uint8Array,
): number {
  return internetChecksum(ipv6PseudoHeader(src, dst, upperLength, nextHeader), upper);
}

/**
 * Value for the UDP checksum field (RFC 768; RFC 8200 §8.1) of the datagram
 * `udp` (its checksum field is ignored): a computed 0 is sent as 0xffff,
 * since 0 means "no checksum", which IPv6 forbids.
 */
export function udpChecksum(src: Uint8Array, dst: Uint8Array, udp: Uint8Array, udpLength = udp.length): number {
  const copy = Uint8Array.from(udp);
  copy.fill(0, 6, 8);
  const c = ipv6PseudoHeaderChecksum(src, dst, udpLength, 17, copy);
  return c === 0 ? 0xffff : c;
}

/** True if `upper` (checksum field filled in) verifies against the pseudo header. */
export function verifyIpv6Checksum(
  src: Uint8Array,
  dst: Uint8Array,
  nextHeader: number,
  upper: Uint8Array,
  upperLength = upper.length,
): boolean {
  return onesComplementSum(ipv6PseudoHeader(src, dst, upperLength, nextHeader), upper) === 0xffff;
}
