// Receiving side of RFC 4944 §5.3: fragments are put back together in a fixed
// number of buffers, keyed by link-layer source and destination, datagram_size
// and datagram_tag.
//
// Rules (RFC 4944 §5.3 and what it leaves to the implementation):
// - A datagram not complete 60 s after its first fragment is discarded.
// - A fragment overlapping octets already held discards the whole datagram,
//   unless every one of its octets is already held with the same value: that
//   is a duplicate (a MAC retransmission whose ACK was lost), and is ignored.
// - A fragment whose datagram_size differs from the datagram with the same
//   source, destination and tag discards that datagram.
// - When every buffer is busy, the datagram that started first is evicted.
import { Capacity } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { REASSEMBLY_SLOTS, REASSEMBLY_TIMEOUT_MS } from '../config';
import { fail, memEqual } from '../mem';

// Slot header fields.
const S_USED = 0; // u8
const S_SRC_MODE = 1; // u8
const S_DST_MODE = 2; // u8
const S_ELIDED = 3; // u8: the UDP checksum must be computed at completion
const S_SRC = 4; // 8
const S_DST = 12; // 8
const S_SIZE = 20; // u16
const S_TAG = 22; // u16
const S_START = 24; // u32 ms
const S_RECEIVED = 28; // u16 octets held
const S_UDP = 30; // i16 UDP header offset or -1
const S_UDP_IP = 32; // u16 its IPv6 header offset
const S_BITMAP = 40; // one bit per octet of the datagram
const S_DATA = S_BITMAP + Capacity.Packet / 8;
const SLOT_SIZE = S_DATA + Capacity.Packet;

const SLOTS: usize = memory.data(REASSEMBLY_SLOTS * SLOT_SIZE, 8);

@inline function slot(i: i32): usize {
  return SLOTS + <usize>(i * SLOT_SIZE);
}

export function slotData(s: usize): usize {
  return s + S_DATA;
}

function release(s: usize): void {
  store<u8>(s, 0, S_USED);
}

/** Discards datagrams older than the timeout (RFC 4944 §5.3). */
export function expire(now: u32): void {
  for (let i = 0; i < REASSEMBLY_SLOTS; i++) {
    const s = slot(i);
    if (load<u8>(s, S_USED) && now - load<u32>(s, S_START) >= REASSEMBLY_TIMEOUT_MS) {
      release(s);
      fail(Reason.FragTimeout);
    }
  }
}

/** The next time expire() has work, or 0xffffffff when nothing is held. */
export function nextDeadline(now: u32): u32 {
  let best: u32 = 0xffffffff;
  for (let i = 0; i < REASSEMBLY_SLOTS; i++) {
    const s = slot(i);
    if (!load<u8>(s, S_USED)) continue;
    const at = load<u32>(s, S_START) + REASSEMBLY_TIMEOUT_MS;
    if (best == 0xffffffff || <i32>(at - now) < <i32>(best - now)) best = at;
  }
  return best;
}

export function reset(): void {
  for (let i = 0; i < REASSEMBLY_SLOTS; i++) release(slot(i));
}

function sameLink(s: usize, at: i32, modeAt: i32, mode: u32, addr: usize): bool {
  return <u32>load<u8>(s + modeAt) == mode && memEqual(s + at, addr, mode == 3 ? 8 : 2);
}

/** Finds or opens the buffer for a fragment. Returns the slot, or 0 after
 *  counting the reason (size mismatch) in `lastReason`. */
export let lastReason: i32 = 0;

export function open(srcMode: u32, src: usize, dstMode: u32, dst: usize, size: i32, tag: u32, now: u32): usize {
  let free: usize = 0;
  let oldest: usize = 0;
  for (let i = 0; i < REASSEMBLY_SLOTS; i++) {
    const s = slot(i);
    if (!load<u8>(s, S_USED)) {
      if (free == 0) free = s;
      continue;
    }
    if (oldest == 0 || now - load<u32>(s, S_START) > now - load<u32>(oldest, S_START)) oldest = s;
    if (<u32>load<u16>(s, S_TAG) != tag || !sameLink(s, S_SRC, S_SRC_MODE, srcMode, src)
      || !sameLink(s, S_DST, S_DST_MODE, dstMode, dst)) continue;
    if (<i32>load<u16>(s, S_SIZE) == size) return s;
    release(s);
    lastReason = Reason.FragSizeMismatch;
    return 0;
  }
  if (free == 0) {
    free = oldest;
    fail(Reason.FragBufferEvicted);
  }
  const s = free;
  memory.fill(s, 0, S_DATA);
  store<u8>(s, 1, S_USED);
  store<u8>(s, <u8>srcMode, S_SRC_MODE);
  store<u8>(s, <u8>dstMode, S_DST_MODE);
  memory.copy(s + S_SRC, src, 8);
  memory.copy(s + S_DST, dst, 8);
  store<u16>(s, <u16>size, S_SIZE);
  store<u16>(s, <u16>tag, S_TAG);
  store<u32>(s, now, S_START);
  store<i16>(s, -1, S_UDP);
  return s;
}

/** Notes that the datagram's UDP checksum was elided (it is computed at completion). */
export function noteElidedChecksum(s: usize, udp: i32, ip: i32): void {
  store<u8>(s, 1, S_ELIDED);
  store<i16>(s, <i16>udp, S_UDP);
  store<u16>(s, <u16>ip, S_UDP_IP);
}

export function elidedUdp(s: usize): i32 {
  return load<u8>(s, S_ELIDED) ? <i32>load<i16>(s, S_UDP) : -1;
}

export function elidedUdpIp(s: usize): i32 {
  return <i32>load<u16>(s, S_UDP_IP);
}

@inline function bitSet(s: usize, i: i32): bool {
  return (load<u8>(s + S_BITMAP + (i >> 3)) & <u8>(1 << <u8>(i & 7))) != 0;
}

/** Adds octets [off, off+n) from src. Returns Reason.Ok, FragDuplicate (ignored),
 *  or a reason for which the datagram was discarded or the fragment refused. */
export function insert(s: usize, off: i32, src: usize, n: i32): i32 {
  const size = <i32>load<u16>(s, S_SIZE);
  if (off + n > size) return Reason.FragBeyondDatagram;
  assert(off >= 0 && n >= 0 && size <= Capacity.Packet, 'fragment bounds');
  let held = 0;
  for (let i = off; i < off + n; i++) if (bitSet(s, i)) held++;
  if (held > 0) {
    if (held == n && memEqual(s + S_DATA + off, src, n)) return Reason.FragDuplicate;
    release(s);
    return Reason.FragOverlap;
  }
  memory.copy(s + S_DATA + off, src, <usize>n);
  for (let i = off; i < off + n; i++) {
    const b = s + S_BITMAP + (i >> 3);
    store<u8>(b, load<u8>(b) | <u8>(1 << <u8>(i & 7)));
  }
  store<u16>(s, <u16>(<i32>load<u16>(s, S_RECEIVED) + n), S_RECEIVED);
  return Reason.Ok;
}

/** True once every octet is held; the caller then releases the slot. */
export function complete(s: usize): bool {
  return load<u16>(s, S_RECEIVED) == load<u16>(s, S_SIZE);
}

export function finish(s: usize): void {
  release(s);
}
