// Static buffers and byte helpers. Nothing here allocates: every buffer is a
// data segment reserved at compile time by memory.data().
import { Capacity, Info, Tx } from '../abi/layout';
import { REASON_COUNT } from '../abi/reason';

/** Input: an IPv6 packet for compress(), a frame for decode(), text for addr_parse(). */
export const IN: usize = memory.data(Capacity.Packet + 8, 8);
/** Output of compress(): [length u8][PSDU] repeated; other calls write results here. */
export const OUT: usize = memory.data(Capacity.Frames * (Capacity.Psdu + 1), 8);
/** A decompressed packet that arrived in one frame. */
export const PACKET: usize = memory.data(Capacity.Packet, 8);
/** Compressed headers before they are framed (IPHC + NHC never exceed this). */
export const HDR: usize = memory.data(512, 8);
export const INFO: usize = memory.data(Info.Size, 8);
export const TX: usize = memory.data(Tx.Size, 8);
/** One counter per Reason: how often each was returned. */
export const COUNTERS: usize = memory.data(REASON_COUNT * 4, 8);

export function rd16be(p: usize): u32 {
  return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p, 1);
}

export function wr16be(p: usize, v: u32): void {
  store<u8>(p, <u8>(v >> 8));
  store<u8>(p, <u8>v, 1);
}

export function rd16le(p: usize): u32 {
  return <u32>load<u8>(p) | (<u32>load<u8>(p, 1) << 8);
}

export function wr16le(p: usize, v: u32): void {
  store<u8>(p, <u8>v);
  store<u8>(p, <u8>(v >> 8), 1);
}

// Eight octets at a time: addresses and IIDs are compared on every packet.
export function memEqual(a: usize, b: usize, n: i32): bool {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
  }
  for (; i < n; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}

export function isZero(p: usize, n: i32): bool {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    if (load<u64>(p + i) != 0) return false;
  }
  for (; i < n; i++) {
    if (load<u8>(p + i) != 0) return false;
  }
  return true;
}

/** Copies n bytes reversing their order (802.15.4 sends addresses little-endian). */
export function copyReversed(dst: usize, src: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u8>(dst + i, load<u8>(src + n - 1 - i));
}

/** Counts a refusal and returns its negated reason, the convention of every ABI call. */
export function fail(reason: i32): i32 {
  const p = COUNTERS + (<usize>reason << 2);
  store<u32>(p, load<u32>(p) + 1);
  return -reason;
}
