// IPv6 addresses (RFC 4291) as 16 bytes in memory: classification, interface
// identifiers from IEEE 802.15.4 link addresses, solicited-node groups, prefix
// match, and text (RFC 4291 §2.2 parse, RFC 5952 canonical format).
import { AddrClass, AddrMode } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { isZero, memEqual } from '../mem';

/** RFC 4291 §2.4 address type of the 16 bytes at a. */
export function addrClass(a: usize): u32 {
  const b0 = <u32>load<u8>(a);
  if (b0 == 0xff) return AddrClass.Multicast;
  if (b0 == 0xfe && (load<u8>(a, 1) & 0xc0) == 0x80) return AddrClass.LinkLocal;
  if ((b0 & 0xfe) == 0xfc) return AddrClass.UniqueLocal; // RFC 4193 fc00::/7
  if (isZero(a, 10)) {
    if (load<u8>(a, 10) == 0xff && load<u8>(a, 11) == 0xff) return AddrClass.Ipv4Mapped;
    if (isZero(a + 10, 5)) {
      const last = load<u8>(a, 15);
      if (last == 0) return AddrClass.Unspecified;
      if (last == 1) return AddrClass.Loopback;
    }
  }
  return AddrClass.Global;
}

/** Multicast scope (RFC 4291 §2.7): the low nibble of the second byte. */
export function multicastScope(a: usize): u32 {
  return load<u8>(a, 1) & 0xf;
}

/** Writes the 8-byte interface identifier for a link address (as written, not
 *  on-air order) to out. RFC 4944 §6 and RFC 6282 §3.2.2:
 *  extended: the EUI-64 with the Universal/Local bit inverted (RFC 4291 App. A);
 *  short: 0000:00ff:fe00:XXXX. */
export function iidFromLink(out: usize, mode: u32, link: usize): void {
  if (mode == AddrMode.Extended) {
    memory.copy(out, link, 8);
    store<u8>(out, load<u8>(link) ^ 0x02);
  } else {
    store<u32>(out, 0);
    store<u8>(out, 0, 4);
    store<u8>(out, 0xff, 3);
    store<u8>(out, 0xfe, 4);
    store<u8>(out, 0, 5);
    store<u8>(out, load<u8>(link), 6);
    store<u8>(out, load<u8>(link, 1), 7);
  }
}

/** RFC 4291 §2.7.1: ff02::1:ffXX:XXXX from the low 24 bits of a. */
export function solicitedNode(out: usize, a: usize): void {
  memory.fill(out, 0, 16);
  store<u8>(out, 0xff);
  store<u8>(out, 0x02, 1);
  store<u8>(out, 0x01, 11);
  store<u8>(out, 0xff, 12);
  memory.copy(out + 13, a + 13, 3);
}

/** Number of leading bits a and b share (0..128). */
export function commonPrefixBits(a: usize, b: usize): i32 {
  for (let i = 0; i < 16; i++) {
    const x = <u32>(load<u8>(a + i) ^ load<u8>(b + i));
    if (x != 0) return i * 8 + (clz(x) - 24);
  }
  return 128;
}

/** True if the first `bits` bits of a and b are equal. */
export function prefixMatches(a: usize, b: usize, bits: i32): bool {
  const whole = bits >> 3;
  if (!memEqual(a, b, whole)) return false;
  const rest = bits & 7;
  if (rest == 0) return true;
  return ((<u32>load<u8>(a + whole) ^ <u32>load<u8>(b + whole)) & ((0xff00 >> <u32>rest) & 0xff)) == 0;
}

/** Copies the first `bits` bits of src over dst, leaving dst's other bits. */
export function copyPrefixBits(dst: usize, src: usize, bits: i32): void {
  const whole = bits >> 3;
  memory.copy(dst, src, <usize>whole);
  const rest = bits & 7;
  if (rest != 0) {
    const mask = <u32>(0xff00 >> rest) & 0xff;
    const d = <u32>load<u8>(dst + whole);
    store<u8>(dst + whole, <u8>((d & ~mask) | (<u32>load<u8>(src + whole) & mask)));
  }
}

// ---- text (RFC 4291 §2.2) ----

function hexValue(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return <i32>(l - 0x61 + 10);
  return -1;
}

/** Parses a dotted IPv4 address at t[i..end) into out[0..4); returns true if valid. */
function parseDotted(t: usize, i: i32, end: i32, out: usize): bool {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (; i <= end; i++) {
    const c = i < end ? <u32>load<u8>(t + i) : 0x2e;
    if (c == 0x2e) {
      if (digits == 0 || part > 3) return false;
      store<u8>(out + part, <u8>value);
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value == 0) return false; // no leading zeros
      value = value * 10 + <i32>(c - 0x30);
      digits++;
      if (value > 255) return false;
    } else return false;
  }
  return part == 4;
}

/** Parses the ASCII text at t (len bytes) into 16 bytes at out. Returns a Reason. */
export function parseAddress(t: usize, len: i32, out: usize): i32 {
  if (len < 2 || len > 45) return Reason.AddrTextInvalid;
  memory.fill(out, 0, 16);
  let groups = 0; // 16-bit groups written
  let gap = -1; // group index where "::" stands
  let i = 0;
  if (load<u8>(t) == 0x3a) {
    if (load<u8>(t, 1) != 0x3a) return Reason.AddrTextInvalid;
    gap = 0;
    i = 2;
    if (i == len) return Reason.Ok; // "::"
  }
  while (i < len) {
    let value = 0;
    let digits = 0;
    const start = i;
    while (i < len && digits <= 4) {
      const h = hexValue(<u32>load<u8>(t + i));
      if (h < 0) break;
      value = (value << 4) | h;
      digits++;
      i++;
    }
    if (i < len && load<u8>(t + i) == 0x2e) {
      // Embedded IPv4 in the last 32 bits (RFC 4291 §2.2 form 3).
      if (groups > 6 || !parseDotted(t, start, len, out + groups * 2)) return Reason.AddrTextInvalid;
      groups += 2;
      i = len;
      break;
    }
    if (digits == 0 || digits > 4 || groups >= 8) return Reason.AddrTextInvalid;
    store<u8>(out + groups * 2, <u8>(value >> 8));
    store<u8>(out + groups * 2 + 1, <u8>value);
    groups++;
    if (i == len) break;
    if (load<u8>(t + i) != 0x3a) return Reason.AddrTextInvalid;
    i++;
    if (i < len && load<u8>(t + i) == 0x3a) {
      if (gap >= 0) return Reason.AddrTextInvalid; // only one "::"
      gap = groups;
      i++;
      if (i == len) break;
    } else if (i == len) return Reason.AddrTextInvalid; // trailing single ':'
  }
  if (gap < 0) return groups == 8 ? Reason.Ok : Reason.AddrTextInvalid;
  if (groups >= 8) return Reason.AddrTextInvalid; // "::" must stand for at least one group
  // Move the groups after the gap to the end.
  const tail = groups - gap;
  memory.copy(out + 16 - tail * 2, out + gap * 2, <usize>(tail * 2));
  memory.fill(out + gap * 2, 0, <usize>((8 - groups) * 2));
  return Reason.Ok;
}

const HEX_DIGITS: usize = memory.data<u8>([
  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66,
]);

function writeHexGroup(out: usize, o: i32, v: u32): i32 {
  let started = false;
  for (let s = 12; s >= 0; s -= 4) {
    const n = (v >> <u32>s) & 0xf;
    if (n != 0 || started || s == 0) {
      store<u8>(out + o, load<u8>(HEX_DIGITS + n));
      o++;
      started = true;
    }
  }
  return o;
}

function writeDecimal(out: usize, o: i32, v: u32): i32 {
  if (v >= 100) store<u8>(out + o++, <u8>(0x30 + v / 100));
  if (v >= 10) store<u8>(out + o++, <u8>(0x30 + (v / 10) % 10));
  store<u8>(out + o++, <u8>(0x30 + v % 10));
  return o;
}

/** Writes the RFC 5952 text of the 16 bytes at a to out; returns its length (≤ 45). */
export function formatAddress(a: usize, out: usize): i32 {
  // §4.2.3: the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let g = 0; g < 8; ) {
    if (load<u16>(a + g * 2) == 0) {
      let e = g;
      while (e < 8 && load<u16>(a + e * 2) == 0) e++;
      if (e - g > bestLen) {
        bestStart = g;
        bestLen = e - g;
      }
      g = e;
    } else g++;
  }
  // §5: IPv4-mapped addresses keep the dotted quad.
  const mapped = addrClass(a) == AddrClass.Ipv4Mapped;
  const lastGroup = mapped ? 6 : 8;
  if (mapped) bestStart = 0;
  if (mapped) bestLen = 5;
  let o = 0;
  for (let g = 0; g < lastGroup; g++) {
    if (g == bestStart) {
      store<u8>(out + o++, 0x3a);
      if (g == 0) store<u8>(out + o++, 0x3a);
      g += bestLen - 1;
      continue;
    }
    o = writeHexGroup(out, o, (<u32>load<u8>(a + g * 2) << 8) | load<u8>(a + g * 2 + 1));
    if (g < lastGroup - 1 || mapped) store<u8>(out + o++, 0x3a);
  }
  if (mapped) {
    for (let k = 12; k < 16; k++) {
      o = writeDecimal(out, o, load<u8>(a + k));
      if (k < 15) store<u8>(out + o++, 0x2e);
    }
  }
  return o;
}
