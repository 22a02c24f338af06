// The 6LoWPAN context table (RFC 6282 §3.1.2, RFC 6775 §4.2 6CO): up to 16
// prefixes, each usable for decompression, and for compression only while its
// C flag allows (RFC 6775 §7.2: a context is kept for decompression only during
// its last lifetime period).
import { Capacity } from '../../abi/layout';
import { Reason } from '../../abi/reason';

const ENTRY: i32 = 20; // prefix (16) | length in bits (1) | flags (1) | pad (2)
const TABLE: usize = memory.data(Capacity.Contexts * ENTRY, 4);

export const CTX_VALID: u32 = 1;
export const CTX_COMPRESS: u32 = 2;

@inline function entry(cid: u32): usize {
  return TABLE + <usize>(cid * ENTRY);
}

export function contextSet(cid: u32, prefix: usize, bits: u32, compress: bool): i32 {
  if (cid >= <u32>Capacity.Contexts) return Reason.ContextIdInvalid;
  if (bits == 0 || bits > 128) return Reason.PrefixLengthInvalid;
  const e = entry(cid);
  memory.fill(e, 0, 16);
  // Keep only the prefix bits, so matches never see stray host bits.
  memory.copy(e, prefix, bits >> 3);
  if (bits & 7) store<u8>(e + (bits >> 3), load<u8>(prefix + (bits >> 3)) & <u8>(0xff00 >> (bits & 7)));
  store<u8>(e, <u8>bits, 16);
  store<u8>(e, <u8>(CTX_VALID | (compress ? CTX_COMPRESS : 0)), 17);
  return Reason.Ok;
}

export function contextClear(cid: u32): i32 {
  if (cid >= <u32>Capacity.Contexts) return Reason.ContextIdInvalid;
  memory.fill(entry(cid), 0, ENTRY);
  return Reason.Ok;
}

/** The context stays for decompression only (RFC 6775: C=0). */
export function contextDemote(cid: u32): void {
  const e = entry(cid & 15);
  store<u8>(e, load<u8>(e, 17) & ~<u8>CTX_COMPRESS, 17);
}

export function contextClearAll(): void {
  memory.fill(TABLE, 0, Capacity.Contexts * ENTRY);
}

/** Pointer to the 16 prefix bytes of a usable context, or 0. */
export function contextPrefix(cid: u32): usize {
  const e = entry(cid & 15);
  return load<u8>(e, 17) & CTX_VALID ? e : 0;
}

export function contextBits(cid: u32): i32 {
  return <i32>load<u8>(entry(cid & 15), 16);
}

export function contextCompresses(cid: u32): bool {
  return (load<u8>(entry(cid & 15), 17) & (CTX_VALID | CTX_COMPRESS)) == (CTX_VALID | CTX_COMPRESS);
}
