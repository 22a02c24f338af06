// Fuzz: random and mutated frames into the decoder, random bytes into the
// compressor. Nothing may trap (a trap on a microcontroller is a reset), every
// call returns a result in its documented range, memory stays one page, and the
// core still works afterwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REASON_COUNT } from '../abi/reason.js';
import { SixlabCore } from '../../host/core/sixlab-core.js';
import { parseHex } from '../../host/packet/hex.js';
import { arbLinkCase } from './round-trip.js';
import { LOWPAN_VECTORS } from './vectors/lowpan-vectors.js';

const FRAMES = 100_000;
const REFERENCE = parseHex('41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f216d');

/** xorshift32: fast and seeded, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s % n;
  };
}

function crc(b: Uint8Array, len: number): number {
  let c = 0;
  for (let i = 0; i < len; i++) {
    c ^= b[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  }
  return c;
}

/** Valid frames to mutate: the vectors and frames the core itself sends. */
function corpus(): Uint8Array[] {
  const out = LOWPAN_VECTORS.flatMap((v) => v.frames.map((f) => parseHex(f.map((c) => c.hex).join(''))));
  const sender = new SixlabCore();
  for (const c of fc.sample(arbLinkCase(), { numRuns: 300, seed: 7 })) {
    try {
      out.push(...sender.compress(c.packet, c.tx));
    } catch {
      // a context-free sender may refuse nothing here, but keep the corpus robust
    }
  }
  return out;
}

function mutate(src: Uint8Array, next: (n: number) => number): Uint8Array {
  const f = Uint8Array.from(src);
  const kind = next(6);
  const n = 1 + next(4);
  if (kind === 0) for (let i = 0; i < n; i++) f[next(f.length)] ^= 1 << next(8); // bit flips
  else if (kind === 1) for (let i = 0; i < n; i++) f[next(f.length)] = next(256); // byte sets
  else if (kind === 2) return f.slice(0, next(f.length + 1)); // truncation
  else if (kind === 3) { // random bytes after the MAC header
    for (let i = 9 + next(14); i < f.length; i++) f[i] = next(256);
  } else if (kind === 4) { // a 6LoWPAN header byte from the interesting ranges
    const at = Math.min(f.length - 1, 9 + next(20));
    f[at] = [0x41, 0x42, 0x40, 0x50, 0x60 + next(32), 0x80 + next(64), 0xc0 + next(8), 0xe0 + next(8), 0xf0 + next(8)][next(9)];
  } else { // random length, random content
    const r = new Uint8Array(next(128));
    for (let i = 0; i < r.length; i++) r[i] = next(256);
    r[0] = 0x41; r[1] = 0x88 | next(0x78);
    return fixFcs(r);
  }
  return next(4) === 0 ? f : fixFcs(f); // most mutants get a valid FCS so they reach 6LoWPAN
}

function fixFcs(f: Uint8Array): Uint8Array {
  if (f.length < 4) return f;
  const c = crc(f, f.length - 2);
  f[f.length - 2] = c & 0xff;
  f[f.length - 1] = c >> 8;
  return f;
}

function fuzzDecoder(frames: number, debug: boolean): void {
  const seed = Number(process.env.SIXLAB_SEED ?? Date.now() % 1e9);
  const next = rng(seed);
  const core = new SixlabCore({ debug });
  core.setContext(0, parseHex('20010db8000000000000000000000000'), 64);
  const pages = new Set<number>();
  const seeds = corpus();
  const outcomes = { packet: 0, pending: 0, rejected: 0 };
  let now = 0;
  for (let i = 0; i < frames; i++) {
    const frame = mutate(seeds[next(seeds.length)], next);
    now += next(2000);
    const r = core.decodeRaw(frame, now);
    expect(Number.isInteger(r), `seed ${seed} frame ${i}`).toBe(true);
    expect(r >= -REASON_COUNT && r <= 1280, `seed ${seed} frame ${i}: result ${r}`).toBe(true);
    outcomes[r > 0 ? 'packet' : r === 0 ? 'pending' : 'rejected']++;
    if (r > 0) core.lastPacket(r);
    if ((i & 1023) === 0) pages.add(core.memoryBytes());
  }
  expect([...pages]).toEqual([65536]);
  // Every kind of outcome was reached, so the fuzzer got past the MAC layer.
  expect(outcomes.packet).toBeGreaterThan(frames / 1000);
  expect(outcomes.pending).toBeGreaterThan(frames / 1000);
  expect(outcomes.rejected).toBeGreaterThan(frames / 1000);
  const ok = core.decode(REFERENCE, now);
  expect(ok.kind).toBe('packet');
}

describe('fuzz', () => {
  it(`survives ${FRAMES.toLocaleString('en')} random and mutated frames`, () => fuzzDecoder(FRAMES, false));

  it('keeps every assertion of the debug build on 20,000 more', () => fuzzDecoder(20_000, true));

  it('refuses random bytes given to the compressor without trapping', () => {
    const next = rng(12345);
    const core = new SixlabCore();
    const tx = { src: { mode: 'short' as const, bytes: Uint8Array.of(0, 1) }, dst: { mode: 'short' as const, bytes: Uint8Array.of(0, 2) }, pan: 1 };
    core.setTx(tx);
    for (let i = 0; i < 20_000; i++) {
      const p = new Uint8Array(40 + next(1241));
      for (let k = 0; k < p.length; k++) p[k] = next(256);
      p[0] = 0x60 | (p[0] & 0x0f);
      if (next(2)) { p[4] = (p.length - 40) >> 8; p[5] = (p.length - 40) & 0xff; } // often a consistent length
      if (next(2)) p[6] = [0, 17, 41, 43, 44, 58, 60][next(7)];
      const n = core.compressRaw(p);
      expect(n >= -REASON_COUNT && n <= 24).toBe(true);
    }
  });
});
