// Sending an IPv6 packet: next-hop determination (RFC 4861 §5.2), link-layer
// address resolution through the neighbor cache (§7.2.2) or, in 6LoWPAN-ND,
// from the IID (RFC 6775 §5.6: no multicast resolution), then 6LoWPAN
// compression and fragmentation into the output queue.
import { AddrMode, Capacity, NcState, NodeConfig, NodeMode, NodeNeighbor, Tx, TxFlag } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { OUT, TX, fail, wr16be } from '../mem';
import { packetToFrames } from '../lowpan/fragmenter';
import { CONFIG, mode, sourceLink, sourceMode } from './iface';
import { DELAY_FIRST_PROBE_TIME_MS, PENDING_PACKETS, REDIRECTS } from './limits';
import { ncCreate, ncFind, ncSetState, ncState, ncUsed } from './neighbors';
import { defaultRouter, onLink } from './routers';
import { startResolution } from './nd-send';
import { enqueueFrames } from './output-queue';

export { TXPKT } from './buffers';

// Packets waiting for address resolution: [used u8][order u8][len u16][next hop 16][data].
let pendingOrder: u32 = 0;
const PENDING_SIZE: i32 = 20 + Capacity.Packet;
const PENDING: usize = memory.data(PENDING_PACKETS * PENDING_SIZE, 8);

const BROADCAST: usize = memory.data<u8>([0xff, 0xff]);

// The destination cache, reduced to what Redirects set (RFC 4861 §5.2, §8.3):
// destination -> first hop, oldest entry replaced.
const REDIRECT: usize = memory.data(REDIRECTS * 32, 8);
let nextRedirect: i32 = 0;
/** The link address linkFromIid() derived. */
export const DERIVED: usize = memory.data(8, 8);

/** Writes an IPv6 header at p (RFC 8200 §3); traffic class and flow label 0. */
export function writeHeader(p: usize, src: usize, dst: usize, nextHeader: u32, hopLimit: u32, payloadLen: i32): void {
  store<u32>(p, 0x60);
  wr16be(p + 4, <u32>payloadLen);
  store<u8>(p, <u8>nextHeader, 6);
  store<u8>(p, <u8>hopLimit, 7);
  memory.copy(p + 8, src, 16);
  memory.copy(p + 24, dst, 16);
}

/** Hands the packet at p to the adaptation layer for the link address (mode, link). */
export function transmit(p: usize, len: i32, linkMode: u32, link: usize): i32 {
  store<u8>(TX, <u8>sourceMode(), Tx.SrcMode);
  memory.copy(TX + Tx.SrcAddr, sourceLink(), 8);
  store<u8>(TX, <u8>linkMode, Tx.DstMode);
  memory.copy(TX + Tx.DstAddr, link, linkMode == AddrMode.Short ? 2 : 8);
  store<u16>(TX, load<u16>(CONFIG, NodeConfig.Pan), Tx.Pan);
  store<u8>(TX, load<u8>(CONFIG, NodeConfig.FrameVersion), Tx.FrameVersion);
  // Never TxFlag.ElideUdpChecksum: no upper layer here authorizes it (RFC 6282 §4.3.2).
  store<u8>(TX, TxFlag.AckRequest, Tx.Flags);
  const n = packetToFrames(p, len);
  if (n < 0) return fail(-n);
  if (!enqueueFrames(OUT, n)) return fail(Reason.OutputQueueFull);
  return 0;
}

/** RFC 6775 §5.6 / RFC 4944 §6: the link address an IID was formed from, when it was. */
export function linkFromIid(ip: usize): u32 {
  const iid = ip + 8;
  if (load<u32>(iid) == 0xff000000 && load<u8>(iid, 4) == 0xfe && load<u8>(iid, 5) == 0) {
    store<u8>(DERIVED, load<u8>(iid, 6));
    store<u8>(DERIVED, load<u8>(iid, 7), 1);
    return AddrMode.Short;
  }
  memory.copy(DERIVED, iid, 8);
  store<u8>(DERIVED, load<u8>(iid) ^ 0x02);
  return AddrMode.Extended;
}

function isLinkLocal(a: usize): bool {
  return load<u8>(a) == 0xfe && (load<u8>(a, 1) & 0xc0) == 0x80;
}

export function setRedirect(dst: usize, firstHop: usize): void {
  let slot = REDIRECT + <usize>(nextRedirect * 32);
  for (let i = 0; i < REDIRECTS; i++) {
    const s = REDIRECT + <usize>(i * 32);
    if (memEqual16(s, dst)) slot = s;
  }
  if (slot == REDIRECT + <usize>(nextRedirect * 32)) nextRedirect = (nextRedirect + 1) % REDIRECTS;
  memory.copy(slot, dst, 16);
  memory.copy(slot + 16, firstHop, 16);
}

/** RFC 4861 §6.3.5: entries whose first hop was a router now removed. */
export function clearRedirectsVia(router: usize): void {
  for (let i = 0; i < REDIRECTS; i++) {
    const s = REDIRECT + <usize>(i * 32);
    if (memEqual16(s + 16, router)) memory.fill(s, 0, 32);
  }
}

export function resetRedirects(): void {
  memory.fill(REDIRECT, 0, REDIRECTS * 32);
}

/** The next hop for dst (RFC 4861 §5.2): a redirected first hop, dst itself
 *  when on-link, else the default router; 0 when there is none. */
export function nextHop(dst: usize): usize {
  for (let i = 0; i < REDIRECTS; i++) {
    const s = REDIRECT + <usize>(i * 32);
    if (memEqual16(s, dst)) return s + 16;
  }
  if (isLinkLocal(dst) || (mode == NodeMode.Classic && onLink(dst))) return dst;
  return defaultRouter();
}

/** Sends the IPv6 packet at p (len octets) now or after address resolution.
 *  Returns 0 or a negative Reason. */
export function sendPacket(p: usize, len: i32, now: u32): i32 {
  const dst = p + 24;
  if (load<u8>(dst) == 0xff) return transmit(p, len, AddrMode.Short, BROADCAST);
  const hop = nextHop(dst);
  if (hop == 0) return fail(Reason.NoRoute);
  let r = ncFind(hop);
  if (r != 0 && ncState(r) != NcState.Incomplete) {
    if (ncState(r) == NcState.Stale) ncSetState(r, NcState.Delay, now + DELAY_FIRST_PROBE_TIME_MS); // §7.3.3
    ncUsed(r, now);
    return transmit(p, len, <u32>load<u8>(r, NodeNeighbor.LinkMode), r + NodeNeighbor.Link);
  }
  if (mode == NodeMode.LowpanNd) {
    // No multicast address resolution in 6LoWPAN-ND: link-local IIDs come from link addresses.
    if (!isLinkLocal(hop)) return fail(Reason.AddressResolutionFailed);
    return transmit(p, len, linkFromIid(hop), DERIVED);
  }
  if (r == 0) {
    r = ncCreate(hop, now);
    if (r == 0) return fail(Reason.NeighborCacheFull);
    holdPacket(p, len, hop); // before the NS is built over it in TXPKT
    startResolution(r, now);
    return 0;
  }
  return holdPacket(p, len, hop);
}

/** Keeps a packet until its next hop is resolved; the oldest waiting one gives way. */
function holdPacket(p: usize, len: i32, hop: usize): i32 {
  let slot: usize = 0;
  let oldest: usize = PENDING;
  for (let i = 0; i < PENDING_PACKETS; i++) {
    const s = PENDING + <usize>(i * PENDING_SIZE);
    if (!load<u8>(s)) {
      slot = s;
      break;
    }
    if (<i8>(load<u8>(s, 1) - load<u8>(oldest, 1)) < 0) oldest = s; // byte 1: arrival order, wrapping
  }
  if (slot == 0) slot = oldest; // §7.2.2: the new packet replaces the oldest
  store<u8>(slot, 1);
  store<u8>(slot, <u8>(++pendingOrder & 0xff), 1);
  store<u16>(slot, <u16>len, 2);
  memory.copy(slot + 4, hop, 16);
  memory.copy(slot + 20, p, <usize>len);
  return 0;
}

/** Sends the packets waiting for `hop`, now that its entry r is resolved. */
export function flushPending(hop: usize, r: usize): void {
  for (let i = 0; i < PENDING_PACKETS; i++) {
    const s = PENDING + <usize>(i * PENDING_SIZE);
    if (!load<u8>(s) || !memEqual16(s + 4, hop)) continue;
    store<u8>(s, 0);
    transmit(s + 20, <i32>load<u16>(s, 2), <u32>load<u8>(r, NodeNeighbor.LinkMode), r + NodeNeighbor.Link);
  }
}

/** Drops the packets waiting for `hop` (resolution failed); returns one of them
 *  (for the ICMPv6 Address Unreachable of RFC 4861 §7.2.2) or 0. */
export function dropPending(hop: usize): usize {
  let last: usize = 0;
  for (let i = 0; i < PENDING_PACKETS; i++) {
    const s = PENDING + <usize>(i * PENDING_SIZE);
    if (!load<u8>(s) || !memEqual16(s + 4, hop)) continue;
    store<u8>(s, 0);
    last = s + 20;
  }
  return last;
}

export function pendingLength(packet: usize): i32 {
  return <i32>load<u16>(packet - 18);
}

export function resetPending(): void {
  memory.fill(PENDING, 0, PENDING_PACKETS * PENDING_SIZE);
}

function memEqual16(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8);
}
