// sixlab-core's part-1 ABI: codecs and addresses (docs/core-abi.md). Sans-IO:
// the host writes inputs into linear memory, calls a function, and reads
// results. Calls that can fail return a negative Reason (abi/reason.ts).
import { ABI_VERSION, Capacity } from '../abi/layout';
import { REASON_COUNT, Reason } from '../abi/reason';
import { COUNTERS, IN, INFO, OUT, TX } from './mem';
import { contextClear, contextClearAll, contextSet } from './lowpan/context';
import { frameToPacket, packetPtr } from './lowpan/deframer';
import { packetToFrames, setDatagramTag } from './lowpan/fragmenter';
import * as reassembly from './lowpan/reassembly';
import {
  addrClass, commonPrefixBits, formatAddress, iidFromLink, multicastScope, parseAddress, solicitedNode,
} from './wire/ipv6-address';

export function abi_version(): u32 {
  return ABI_VERSION;
}

/** Input buffer (Capacity.Packet octets): packets, frames, prefixes, text. */
export function buffer_in(): usize {
  return IN;
}

/** Output buffer: frames of compress() as [length][PSDU] records; other results. */
export function buffer_out(): usize {
  return OUT;
}

/** Transmit parameters for compress() (layout.Tx). */
export function tx_params(): usize {
  return TX;
}

/** What the last decode() saw (layout.Info). */
export function info(): usize {
  return INFO;
}

/** The packet the last decode() completed. */
export function packet(): usize {
  return packetPtr;
}

/** Clears all state: contexts, reassembly, counters; `seed` picks the first datagram tag. */
export function reset(seed: u32): void {
  contextClearAll();
  reassembly.reset();
  setDatagramTag(seed);
  memory.fill(COUNTERS, 0, REASON_COUNT * 4);
}

/** Context `cid` := the prefix in buffer_in()[0..16), `bits` long. `compress`:
 *  usable for compression too (RFC 6775 §5.4.3 C flag). */
export function context_set(cid: u32, bits: u32, compress: bool): i32 {
  const r = contextSet(cid, IN, bits, compress);
  return r == Reason.Ok ? 0 : -r;
}

export function context_clear(cid: u32): i32 {
  const r = contextClear(cid);
  return r == Reason.Ok ? 0 : -r;
}

/** Compresses the IPv6 packet in buffer_in()[0..len) into frames (in
 *  buffer_out()) for the link addresses in tx_params(). Returns the number of
 *  frames or a negative Reason. */
export function compress(len: i32): i32 {
  if (len < 0 || len > Capacity.Packet) return -Reason.PacketTooLarge;
  return packetToFrames(IN, len);
}

/** Decodes the frame in buffer_in()[0..len) (FCS included) received at `now`
 *  (ms, any origin, wrapping). Returns the length of a completed packet at
 *  packet(), 0 when none is complete yet, or a negative Reason. */
export function decode(len: i32, now: u32): i32 {
  if (len < 0 || len > Capacity.Psdu) return -Reason.FrameTooLong;
  return frameToPacket(IN, len, now);
}

/** Runs timers; returns the next time poll() has work, or 0xffffffff. */
export function poll(now: u32): u32 {
  reassembly.expire(now);
  return reassembly.nextDeadline(now);
}

/** How often `reason` was returned (or, for timeouts and evictions, happened). */
export function counter(reason: u32): u32 {
  return reason < <u32>REASON_COUNT ? load<u32>(COUNTERS + (<usize>reason << 2)) : 0;
}

// ---- addresses ----

/** Parses the text in buffer_in()[0..len) into buffer_out()[0..16). */
export function addr_parse(len: i32): i32 {
  if (len < 0 || len > 64) return -Reason.AddrTextInvalid;
  const r = parseAddress(IN, len, OUT);
  return r == Reason.Ok ? 0 : -r;
}

/** RFC 5952 text of buffer_in()[0..16) into buffer_out(); returns its length. */
export function addr_format(): i32 {
  return formatAddress(IN, OUT);
}

/** AddrClass of buffer_in()[0..16); for multicast, the scope is in bits 8-11. */
export function addr_class(): u32 {
  const c = addrClass(IN);
  return c == 2 ? c | (multicastScope(IN) << 8) : c;
}

/** Solicited-node group of buffer_in()[0..16) into buffer_out()[0..16). */
export function addr_solicited_node(): void {
  solicitedNode(OUT, IN);
}

/** Leading bits buffer_in()[0..16) and buffer_in()[16..32) share. */
export function addr_common_prefix(): i32 {
  return commonPrefixBits(IN, IN + 16);
}

/** IID (buffer_out()[0..8)) from the link address in buffer_in() (as written, 2 or 8 octets). */
export function iid_from_link(mode: u32): i32 {
  if (mode != 2 && mode != 3) return -Reason.LinkAddrInvalid;
  iidFromLink(OUT, mode, IN);
  return 0;
}
