// LOWPAN_NHC for UDP (RFC 6282 §4.3).
//     0   1   2   3   4   5   6   7
//   +---+---+---+---+---+---+---+---+
//   | 1 | 1 | 1 | 1 | 0 | C |   P   |
//   +---+---+---+---+---+---+---+---+
// P=00: both ports inline | 01: dst 0xF0XX (8 bits) | 10: src 0xF0XX (8 bits)
// P=11: both 0xF0BX (4 bits each). C=1: checksum elided (§4.3.2, only when the
// upper layer allows it; the decompressor recomputes it).
// Length is always elided (§4.3.3): it comes from the IPv6 payload length.
import { Reason } from '../../abi/reason';
import { rd16be, wr16be } from '../mem';
import { upperLayerChecksum } from './checksum';

export const NHC_UDP_MASK: u32 = 0xf8;
export const NHC_UDP_ID: u32 = 0xf0;
const C_BIT: u32 = 4;

/** Decodes NHC UDP at s (avail octets) into an 8-octet UDP header at d (length 0,
 *  checksum 0 when elided). Returns octets consumed or a negative Reason. */
export function decodeUdp(s: usize, avail: i32, d: usize): i32 {
  const b = <u32>load<u8>(s);
  const p = b & 3;
  const portBytes = p == 0 ? 4 : p == 3 ? 1 : 3;
  const n = 1 + portBytes + ((b & C_BIT) ? 0 : 2);
  if (avail < n) return -Reason.UdpTruncated;
  let src: u32, dst: u32;
  if (p == 0) {
    src = rd16be(s + 1);
    dst = rd16be(s + 3);
  } else if (p == 1) {
    src = rd16be(s + 1);
    dst = 0xf000 | <u32>load<u8>(s, 3);
  } else if (p == 2) {
    src = 0xf000 | <u32>load<u8>(s, 1);
    dst = rd16be(s + 2);
  } else {
    const x = <u32>load<u8>(s, 1);
    src = 0xf0b0 | (x >> 4);
    dst = 0xf0b0 | (x & 0xf);
  }
  wr16be(d, src);
  wr16be(d + 2, dst);
  wr16be(d + 4, 0);
  wr16be(d + 6, (b & C_BIT) ? 0 : rd16be(s + 1 + portBytes));
  return n;
}

export function udpElided(nhc: u32): bool {
  return (nhc & C_BIT) != 0;
}

/** Encodes the UDP header at u (inside the IPv6 packet whose header is at ip6, with
 *  `udpLen` octets of UDP) at out; returns octets written (at most 7). */
export function encodeUdp(out: usize, u: usize, ip6: usize, udpLen: i32, elide: bool): i32 {
  const src = rd16be(u);
  const dst = rd16be(u + 2);
  const sum = rd16be(u + 6);
  // Elide only a checksum the decompressor will compute to the same value.
  const c = elide && sum != 0 && udpChecksum(ip6, u, udpLen) == sum;
  let n = 1;
  let p: u32 = 0;
  if ((src & 0xfff0) == 0xf0b0 && (dst & 0xfff0) == 0xf0b0) {
    p = 3;
    store<u8>(out, <u8>(((src & 0xf) << 4) | (dst & 0xf)), 1);
    n = 2;
  } else if ((dst & 0xff00) == 0xf000) {
    p = 1;
    wr16be(out + 1, src);
    store<u8>(out, <u8>dst, 3);
    n = 4;
  } else if ((src & 0xff00) == 0xf000) {
    p = 2;
    store<u8>(out, <u8>src, 1);
    wr16be(out + 2, dst);
    n = 4;
  } else {
    wr16be(out + 1, src);
    wr16be(out + 3, dst);
    n = 5;
  }
  store<u8>(out, <u8>(NHC_UDP_ID | (c ? C_BIT : 0) | p));
  if (!c) {
    wr16be(out + n, sum);
    n += 2;
  }
  return n;
}

/** UDP checksum (RFC 8200 §8.1; a computed 0 is sent as 0xffff, RFC 768). */
export function udpChecksum(ip6: usize, u: usize, udpLen: i32): u32 {
  const sum = upperLayerChecksum(ip6, 17, u, udpLen, 6);
  return sum == 0 ? 0xffff : sum;
}
