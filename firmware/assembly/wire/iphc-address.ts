// IPHC address encodings (RFC 6282 §3.1.1 SAC/SAM, M/DAC/DAM and §3.2.2).
// Unicast modes, the same for source and destination:
//   mode 00: 128 bits inline (stateless) | unspecified :: (SAC=1, source only)
//   mode 01: 64 bits inline: the IID; the prefix is fe80::/64 or the context's
//   mode 10: 16 bits inline: IID 0000:00ff:fe00:XXXX
//   mode 11: 0 bits: IID from the encapsulating header (link layer or outer IPv6)
// "Bits covered by context information are always used" (§3.1.1): the context
// prefix is laid over whatever the mode produced, even into the IID.
import { Reason } from '../../abi/reason';
import { isZero, memEqual } from '../mem';
import { contextBits, contextCompresses, contextPrefix } from '../lowpan/context';
import { copyPrefixBits, prefixMatches } from './ipv6-address';

/** fe80::/64, the prefix of stateless unicast modes. */
const LINK_LOCAL: usize = memory.data<u8>([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const CANDIDATE: usize = memory.data(16, 8);

export const INLINE_BYTES: usize = memory.data<u8>([16, 8, 2, 0]);

/** Builds the address that unicast `mode` gives, from prefix (bits long), the
 *  inline bytes at src and the derivation IID. */
function unicastFrom(out: usize, mode: u32, prefix: usize, bits: i32, src: usize, iid: usize): void {
  store<u64>(out, 0);
  store<u64>(out, 0, 8);
  if (mode == 1) store<u64>(out, load<u64>(src), 8);
  else if (mode == 2) {
    store<u8>(out, 0xff, 11);
    store<u8>(out, 0xfe, 12);
    store<u8>(out, load<u8>(src), 14);
    store<u8>(out, load<u8>(src, 1), 15);
  } else store<u64>(out, load<u64>(iid), 8);
  if (bits == 64) store<u64>(out, load<u64>(prefix)); // the common /64, without the general path
  else copyPrefixBits(out, prefix, bits);
}

/** Decodes a unicast address. ctx < 0 means stateless. Returns the inline bytes
 *  consumed or a negative Reason. */
export function decodeUnicast(out: usize, mode: u32, ctx: i32, src: usize, avail: i32, iid: usize): i32 {
  if (mode == 0 && ctx >= 0) {
    memory.fill(out, 0, 16); // SAC=1 SAM=00: the unspecified address
    return 0;
  }
  const n = <i32>load<u8>(INLINE_BYTES + mode);
  if (avail < n) return -Reason.IphcTruncated;
  if (mode == 0) {
    memory.copy(out, src, 16);
    return n;
  }
  if (mode == 3 && iid == 0) return -Reason.LinkAddrInvalid;
  let prefix = LINK_LOCAL;
  let bits = 64;
  if (ctx >= 0) {
    prefix = contextPrefix(<u32>ctx);
    if (prefix == 0) return -Reason.ContextUnknown;
    bits = contextBits(<u32>ctx);
  }
  unicastFrom(out, mode, prefix, bits, src, iid);
  return n;
}

/** The most compact unicast mode (1..3) with which prefix/bits reproduces a, or 0. */
function bestUnicastMode(a: usize, prefix: usize, bits: i32, iid: usize): u32 {
  // Every mode keeps the prefix bits, so a prefix that differs rules all out.
  if (!prefixMatches(a, prefix, bits)) return 0;
  for (let mode: u32 = 3; mode >= 1; mode--) {
    if (mode == 3 && iid == 0) continue;
    const src = mode == 1 ? a + 8 : a + 14;
    unicastFrom(CANDIDATE, mode, prefix, bits, src, iid);
    if (memEqual(CANDIDATE, a, 16)) return mode;
  }
  return 0;
}

/** Result of chooseUnicast(): mode, context (-1 stateless), cost in octets, for
 *  the best choice without a CID octet (index 0) and with one allowed (index 1). */
export const CHOICE: usize = memory.data(2 * 3 * 4, 4);
const C_MODE = 0;
const C_CTX = 4;
const C_COST = 8;

@inline function setChoice(slot: i32, mode: u32, ctx: i32, cost: i32): void {
  const p = CHOICE + <usize>(slot * 12);
  store<i32>(p, <i32>mode, C_MODE);
  store<i32>(p, ctx, C_CTX);
  store<i32>(p, cost, C_COST);
}

export function choiceMode(slot: i32): u32 { return <u32>load<i32>(CHOICE + <usize>(slot * 12), C_MODE); }
export function choiceCtx(slot: i32): i32 { return load<i32>(CHOICE + <usize>(slot * 12), C_CTX); }
export function choiceCost(slot: i32): i32 { return load<i32>(CHOICE + <usize>(slot * 12), C_COST); }

/** Picks the unicast encodings of a (§3.2.2); `source` allows the unspecified form. */
export function chooseUnicast(a: usize, iid: usize, source: bool): void {
  if (source && isZero(a, 16)) {
    setChoice(0, 0, 0, 0); // SAC=1 SAM=00 with context 0: no CID octet needed
    setChoice(1, 0, 0, 0);
    return;
  }
  let mode = bestUnicastMode(a, LINK_LOCAL, 64, iid);
  let cost = <i32>load<u8>(INLINE_BYTES + mode);
  setChoice(0, mode, -1, cost);
  setChoice(1, mode, -1, cost);
  for (let c = 0; c < 16; c++) {
    if (!contextCompresses(<u32>c)) continue;
    const m = bestUnicastMode(a, contextPrefix(<u32>c), contextBits(<u32>c), iid);
    if (m == 0) continue;
    const k = <i32>load<u8>(INLINE_BYTES + m);
    if (c == 0 && k < choiceCost(0)) setChoice(0, m, 0, k);
    if (k < choiceCost(1)) setChoice(1, m, c, k);
  }
}

/** Writes the inline bytes of unicast mode for a; returns how many. */
export function emitUnicast(out: usize, a: usize, mode: u32, ctx: i32): i32 {
  if (mode == 0) {
    if (ctx >= 0) return 0; // unspecified
    memory.copy(out, a, 16);
    return 16;
  }
  if (mode == 1) {
    memory.copy(out, a + 8, 8);
    return 8;
  }
  if (mode == 2) {
    memory.copy(out, a + 14, 2);
    return 2;
  }
  return 0;
}

// ---- multicast (M=1) ----
//   DAC=0 DAM=00: 128 bits | 01: ffXX::00XX:XXXX:XXXX (48) | 10: ffXX::00XX:XXXX (32)
//          11: ff02::00XX (8)
//   DAC=1 DAM=00: ffXX:XXLL:PPPP:PPPP:PPPP:PPPP:XXXX:XXXX (48; RFC 3306 with the
//          prefix P and its length L from the context); DAC=1 DAM=01..11 reserved.
const MCAST_INLINE: usize = memory.data<u8>([16, 6, 4, 1]);

export function decodeMulticast(out: usize, dac: bool, dam: u32, ctx: i32, src: usize, avail: i32): i32 {
  if (dac && dam != 0) return -Reason.IphcReservedMode;
  const n = dac ? 6 : <i32>load<u8>(MCAST_INLINE + dam);
  if (avail < n) return -Reason.IphcTruncated;
  memory.fill(out, 0, 16);
  store<u8>(out, 0xff);
  if (dac) {
    const prefix = contextPrefix(<u32>ctx);
    if (prefix == 0) return -Reason.ContextUnknown;
    const bits = contextBits(<u32>ctx);
    if (bits > 64) return -Reason.IphcReservedMode;
    store<u8>(out, load<u8>(src), 1);
    store<u8>(out, load<u8>(src, 1), 2);
    store<u8>(out, <u8>bits, 3);
    memory.copy(out + 4, prefix, 8);
    memory.copy(out + 12, src + 2, 4);
  } else if (dam == 0) memory.copy(out, src, 16);
  else if (dam == 1) {
    store<u8>(out, load<u8>(src), 1);
    memory.copy(out + 11, src + 1, 5);
  } else if (dam == 2) {
    store<u8>(out, load<u8>(src), 1);
    memory.copy(out + 13, src + 1, 3);
  } else {
    store<u8>(out, 0x02, 1);
    store<u8>(out, load<u8>(src), 15);
  }
  return n;
}

/** Chooses a multicast encoding for a: fills CHOICE like chooseUnicast (mode = DAM,
 *  ctx >= 0 means DAC=1). */
export function chooseMulticast(a: usize): void {
  let dam: u32 = 0;
  if (load<u8>(a, 1) == 0x02 && isZero(a + 2, 13)) dam = 3;
  else if (isZero(a + 2, 11)) dam = 2;
  else if (isZero(a + 2, 9)) dam = 1;
  const cost = <i32>load<u8>(MCAST_INLINE + dam);
  setChoice(0, dam, -1, cost);
  setChoice(1, dam, -1, cost);
  if (dam != 0) return;
  // RFC 3306 unicast-prefix-based: worth 6 octets instead of 16.
  for (let c = 0; c < 16; c++) {
    if (!contextCompresses(<u32>c)) continue;
    const bits = contextBits(<u32>c);
    if (bits > 64 || <i32>load<u8>(a, 3) != bits) continue;
    if (!memEqual(a + 4, contextPrefix(<u32>c), 8)) continue;
    if (c == 0) setChoice(0, 0, 0, 6);
    if (6 < choiceCost(1)) setChoice(1, 0, c, 6);
  }
}

export function emitMulticast(out: usize, a: usize, dam: u32, ctx: i32): i32 {
  if (ctx >= 0) {
    store<u8>(out, load<u8>(a, 1));
    store<u8>(out, load<u8>(a, 2), 1);
    memory.copy(out + 2, a + 12, 4);
    return 6;
  }
  if (dam == 0) {
    memory.copy(out, a, 16);
    return 16;
  }
  if (dam == 1) {
    store<u8>(out, load<u8>(a, 1));
    memory.copy(out + 1, a + 11, 5);
    return 6;
  }
  if (dam == 2) {
    store<u8>(out, load<u8>(a, 1));
    memory.copy(out + 1, a + 13, 3);
    return 4;
  }
  store<u8>(out, load<u8>(a, 15));
  return 1;
}
