// The protocol constants the node runs on (its table sizes live in ../config.ts).

export {
  ADDRESSES, NEIGHBORS, ONLINK_PREFIXES, OUTPUT_FRAMES, PENDING_PACKETS, REDIRECTS, ROUTERS, UDP_QUEUE, UDP_QUEUE_BYTES,
  UDP_SOCKETS,
} from '../config';

// RFC 4861 §10 (host constants).
export const MAX_RTR_SOLICITATION_DELAY_MS: u32 = 1000;
export const MAX_MULTICAST_SOLICIT: u32 = 3;
export const MAX_UNICAST_SOLICIT: u32 = 3;
export const REACHABLE_TIME_MS: u32 = 30000;
export const RETRANS_TIMER_MS: u32 = 1000;
export const DELAY_FIRST_PROBE_TIME_MS: u32 = 5000;

// RFC 6775 §9 (6LoWPAN-ND host constants, replacing RFC 4861's for RS).
export const RTR_SOLICITATION_INTERVAL_MS: u32 = 10000;
export const MAX_RTR_SOLICITATIONS: u32 = 3;
export const MAX_RTR_SOLICITATION_INTERVAL_MS: u32 = 60000;

// RFC 4862 §5.5.3 (e): the two-hour rule.
export const TWO_HOURS_MS: u32 = 7200000;

export const NEVER: u32 = 0xffffffff;

/** a is before b on the wrapping millisecond clock. */
export function before(a: u32, b: u32): bool {
  return <i32>(a - b) < 0;
}

/** The earlier of two deadlines (NEVER is later than everything). */
export function earliest(a: u32, b: u32, now: u32): u32 {
  if (a == NEVER) return b;
  if (b == NEVER) return a;
  return <i32>(a - now) <= <i32>(b - now) ? a : b;
}

/** Seconds from an ND lifetime field to milliseconds, saturating to NEVER. */
export function lifetimeMs(seconds: u32, now: u32): u32 {
  if (seconds == 0xffffffff) return NEVER; // RFC 4861 §4.6.2: all ones is infinity
  return deadline(now, seconds >= MAX_DELTA_MS / 1000 ? MAX_DELTA_MS : seconds * 1000);
}

/** A lifetime in units of 60 s (RFC 6775 §4.1, §4.2) from now. */
export function minutesMs(minutes: u32, now: u32): u32 {
  return deadline(now, minutes >= MAX_DELTA_MS / 60000 ? MAX_DELTA_MS : minutes * 60000);
}

/** The wrapping clock compares times less than 2^31 ms apart: longer
 *  lifetimes are clamped there (about 24.8 days; a router refreshes them
 *  long before). NEVER is kept for infinity. */
const MAX_DELTA_MS: u32 = 0x7ffffffe;

function deadline(now: u32, delta: u32): u32 {
  const t = now + delta;
  return t == NEVER ? t - 1 : t;
}
