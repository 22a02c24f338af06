// What the CoAP server sends, recorded for its tests instead of going out: a
// ring of the last datagrams that the tests drain (udpSentCount/udpSentAt...).
// Record: [dst 16][dstPort u16][srcPort u16][len u16][pad 2][now u32][octets UDP_RING_BYTES]

export const UDP_RING: i32 = 8;
/** Octets kept per datagram; R_LEN still says how many were sent. */
export const UDP_RING_BYTES: i32 = 256;
const R_DST_PORT = 16;
const R_SRC_PORT = 18;
const R_LEN = 20;
const R_NOW = 24;
const R_DATA = 28;
const R_SIZE = R_DATA + UDP_RING_BYTES;

const RING: usize = memory.data(UDP_RING * R_SIZE, 8);
let head: i32 = 0; // oldest record
let count: i32 = 0;
let total: u32 = 0;

export function udpRecord(dst: usize, dstPort: u32, srcPort: u32, payload: usize, len: i32, now: u32): i32 {
  if (<u32>len > 0xffff - 8) return -1;
  if (count == UDP_RING) head = (head + 1) % UDP_RING; // the oldest is overwritten
  else count++;
  const r = RING + <usize>(((head + count - 1) % UDP_RING) * R_SIZE);
  memory.copy(r, dst, 16);
  store<u16>(r, <u16>dstPort, R_DST_PORT);
  store<u16>(r, <u16>srcPort, R_SRC_PORT);
  store<u16>(r, <u16>len, R_LEN);
  store<u32>(r, now, R_NOW);
  memory.copy(r + R_DATA, payload, <usize>(len < UDP_RING_BYTES ? len : UDP_RING_BYTES));
  total++;
  return 0;
}

/** Records held (at most UDP_RING). */
export function udpSentCount(): i32 {
  return count;
}

/** Datagrams sent since the start, held or overwritten. */
export function udpSentTotal(): u32 {
  return total;
}

/** The i-th oldest record held, or 0. */
export function udpSentAt(i: i32): usize {
  return <u32>i < <u32>count ? RING + <usize>(((head + i) % UDP_RING) * R_SIZE) : 0;
}

export function udpSentClear(): void {
  head = 0;
  count = 0;
}
