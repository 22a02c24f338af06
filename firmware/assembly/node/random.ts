// The node's only source of randomness: xorshift32 seeded by the host (sans-IO:
// the core has no entropy of its own). Used for ND's randomised timers
// (RFC 4861 §6.3.2, §10), CoAP message IDs and ACK_RANDOM_FACTOR (RFC 7252 §4.8).
let state: u32 = 0x9e3779b9;

export function seedRandom(seed: u32): void {
  state = seed != 0 ? seed : 0x9e3779b9;
}

export function randomU32(): u32 {
  let x = state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  state = x;
  return x;
}

/** A uniformly distributed integer in [lo, hi] (hi - lo < 2^32). */
export function randomBetween(lo: u32, hi: u32): u32 {
  const span = hi - lo + 1;
  return span == 0 ? randomU32() : lo + randomU32() % span;
}
