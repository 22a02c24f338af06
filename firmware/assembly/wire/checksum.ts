// The Internet checksum (RFC 1071) and the IPv6 pseudo-header (RFC 8200 §8.1).
import { rd16be } from '../mem';

/** Adds the 16-bit big-endian words of p[0..len) to sum (odd tail padded with zero). */
export function sumWords(sum: u32, p: usize, len: i32): u32 {
  let i = 0;
  for (; i + 1 < len; i += 2) sum += rd16be(p + i);
  if (i < len) sum += <u32>load<u8>(p + i) << 8;
  return sum;
}

export function foldSum(sum: u32): u32 {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

/** Checksum of an upper-layer message at p (length len, next header nh) carried
 *  in the IPv6 header at ip6, with its checksum field counted as zero. */
export function upperLayerChecksum(ip6: usize, nh: u32, p: usize, len: i32, checksumOffset: i32): u32 {
  let sum = sumWords(0, ip6 + 8, 32); // source and destination addresses
  sum += (<u32>len >> 16) + (<u32>len & 0xffff) + nh;
  sum = sumWords(sum, p, len);
  sum -= rd16be(p + checksumOffset); // the field itself counts as zero
  return ~foldSum(sum) & 0xffff;
}
