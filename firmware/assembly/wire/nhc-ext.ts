// LOWPAN_NHC for IPv6 extension headers (RFC 6282 §4.2).
//     0   1   2   3   4   5   6   7
//   +---+---+---+---+---+---+---+---+
//   | 1 | 1 | 1 | 0 |    EID    |NH |
//   +---+---+---+---+---+---+---+---+
// EID 0 hop-by-hop, 1 routing, 2 fragment, 3 destination options, 4 mobility,
// 5-6 reserved, 7 IPv6 (an IPHC header follows; NH MUST be 0).
// Then: the next header octet unless NH=1, a Length octet counting the octets
// that follow it (not 8-octet units), and the header's remaining octets. The
// fragment header has no length: its 7 octets follow as they are (Wireshark does
// the same). A trailing Pad1/PadN may be elided; the decompressor pads back to a
// multiple of 8 octets.
import { Reason } from '../../abi/reason';

export const NHC_EXT_MASK: u32 = 0xf0;
export const NHC_EXT_ID: u32 = 0xe0;
export const EID_IPV6: u32 = 7;

const EID_PROTOCOL: usize = memory.data<u8>([0, 43, 44, 60, 135, 0, 0, 41]);

export function extProtocol(eid: u32): u32 {
  return <u32>load<u8>(EID_PROTOCOL + (eid & 7));
}

/** The EID for an IPv6 next header value, or -1 when it has none. */
export function eidFor(protocol: u32): i32 {
  if (protocol == 0) return 0;
  if (protocol == 43) return 1;
  if (protocol == 44) return 2;
  if (protocol == 60) return 3;
  if (protocol == 135) return 4;
  if (protocol == 41) return 7;
  return -1;
}

/** Length in octets of the uncompressed extension header at h. */
export function extHeaderLen(protocol: u32, h: usize): i32 {
  return protocol == 44 ? 8 : (<i32>load<u8>(h, 1) + 1) << 3;
}

/** Octets of the extension header at h (length len) that the compressed form
 *  carries after the Length octet: all but a trailing Pad1/PadN that
 *  padTo8() regenerates exactly (hop-by-hop and destination options only). */
export function extCarriedLen(protocol: u32, h: usize, len: i32): i32 {
  const body = len - 2;
  if (protocol != 0 && protocol != 60) return body;
  // Walk the options (RFC 8200 §4.2) to find the last one.
  let o = 2;
  let last = -1;
  while (o < len) {
    last = o;
    const t = load<u8>(h + o);
    if (t == 0) {
      o += 1;
      continue;
    }
    if (o + 2 > len) return body;
    o += 2 + <i32>load<u8>(h + o + 1);
  }
  if (o != len || last < 0) return body;
  const padLen = len - last;
  const t = load<u8>(h + last);
  if (padLen > 7) return body;
  if (t == 0 && padLen == 1) return last - 2;
  if (t == 1 && padLen >= 2) {
    for (let i = last + 2; i < len; i++) if (load<u8>(h + i) != 0) return body;
    return last - 2;
  }
  return body;
}

/** Fills d[from..to) with Pad1 or one PadN (RFC 8200 §4.2), or zeros for headers
 *  that have no options. */
export function padTo8(d: usize, from: i32, to: i32, options: bool): void {
  const n = to - from;
  memory.fill(d + from, 0, <usize>n);
  if (!options || n < 2) return;
  store<u8>(d + from, 1);
  store<u8>(d + from, <u8>(n - 2), 1);
}

/** Decodes the extension header NHC at s into d (capacity cap). `nextInline`
 *  receives the next header octet position in d. Returns octets consumed, or a
 *  negative Reason; the uncompressed length goes to EXT_WRITTEN. */
export let extWritten: i32 = 0;

export function decodeExt(s: usize, avail: i32, d: usize, cap: i32): i32 {
  const b = <u32>load<u8>(s);
  const eid = (b >> 1) & 7;
  const nhc = (b & 1) != 0;
  if (eid == 5 || eid == 6) return -Reason.NhcReservedEid;
  const protocol = extProtocol(eid);
  let n = 1;
  let nh: u32 = 0;
  if (!nhc) {
    if (avail < n + 1) return -Reason.NhcTruncated;
    nh = <u32>load<u8>(s + n);
    n++;
  }
  if (protocol == 44) {
    if (avail < n + 7) return -Reason.NhcTruncated;
    if (cap < 8) return -Reason.NhcLengthOverflow;
    store<u8>(d, <u8>nh);
    memory.copy(d + 1, s + n, 7);
    extWritten = 8;
    return n + 7;
  }
  if (avail < n + 1) return -Reason.NhcTruncated;
  const carried = <i32>load<u8>(s + n);
  n++;
  if (avail < n + carried) return -Reason.NhcTruncated;
  const total = (2 + carried + 7) & ~7;
  if (total > cap) return -Reason.NhcLengthOverflow;
  store<u8>(d, <u8>nh);
  store<u8>(d, <u8>((total >> 3) - 1), 1);
  memory.copy(d + 2, s + n, <usize>carried);
  padTo8(d, 2 + carried, total, protocol == 0 || protocol == 60);
  extWritten = total;
  return n + carried;
}

/** Encodes the extension header at h (uncompressed length len). nextNhc: the
 *  following header is NHC-encoded too (NH=1). Returns octets written. */
export function encodeExt(out: usize, protocol: u32, h: usize, len: i32, nextNhc: bool): i32 {
  store<u8>(out, <u8>(NHC_EXT_ID | (<u32>eidFor(protocol) << 1) | (nextNhc ? 1 : 0)));
  let n = 1;
  if (!nextNhc) {
    store<u8>(out + n, load<u8>(h));
    n++;
  }
  if (protocol == 44) {
    memory.copy(out + n, h + 1, 7);
    return n + 7;
  }
  const carried = extCarriedLen(protocol, h, len);
  store<u8>(out + n, <u8>carried);
  memory.copy(out + n + 1, h + 2, <usize>carried);
  return n + 1 + carried;
}

/** Upper bound of encodeExt's output, or -1 when the header cannot be NHC-encoded
 *  (more than 255 octets after the Length octet). */
export function encodedExtSize(protocol: u32, h: usize, len: i32): i32 {
  if (protocol == 44) return 9;
  const carried = extCarriedLen(protocol, h, len);
  return carried > 255 ? -1 : 3 + carried;
}
