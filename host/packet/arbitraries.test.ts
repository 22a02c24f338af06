import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import { arbContextTable, arbIpv6Packet, arbLinkAddress, maskPrefix } from './arbitraries.js';
import { emitExtensionHeader, parseOptions } from './ipv6-ext.js';
import { parseIpv6Packet } from './packet.js';

const sample = fc.sample(arbIpv6Packet(), { numRuns: 2000, seed: 42 });
const share = (pred: (p: (typeof sample)[number]) => boolean) => sample.filter(pred).length / sample.length;

describe('arbLinkAddress', () => {
  it('gives 2- or 8-byte addresses, never short 0xfffe/0xffff', () => {
    fc.assert(
      fc.property(arbLinkAddress(), (a) => {
        expect(a.bytes.length).toBe(a.mode === 'short' ? 2 : 8);
        if (a.mode === 'short') expect(a.bytes[0] === 0xff && a.bytes[1] >= 0xfe).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('arbContextTable', () => {
  it('has 0..16 contexts with distinct ids, valid lengths and zero bits past the prefix', () => {
    fc.assert(
      fc.property(arbContextTable(), (table) => {
        expect(table.length).toBeLessThanOrEqual(16);
        expect(new Set(table.map((c) => c.id)).size).toBe(table.length);
        for (const c of table) {
          expect(c.id >= 0 && c.id <= 15 && c.length >= 1 && c.length <= 128).toBe(true);
          expect(maskPrefix(c.prefix, c.length)).toEqual(c.prefix);
        }
      }),
    );
  });
  it('maskPrefix keeps exactly `length` bits', () => {
    const ones = new Uint8Array(16).fill(0xff);
    expect(Array.from(maskPrefix(ones, 12).subarray(0, 3))).toEqual([0xff, 0xf0, 0]);
    expect(maskPrefix(ones, 128)).toEqual(ones);
  });
  it('is biased toward /64', () => {
    const lengths = fc.sample(arbContextTable(), { numRuns: 300, seed: 1 }).flat().map((c) => c.length);
    expect(lengths.filter((l) => l === 64).length / lengths.length).toBeGreaterThan(0.3);
  });
});

describe('arbIpv6Packet', () => {
  it('stays within 40..1280 bytes and parses cleanly', () => {
    for (const { bytes } of sample) {
      expect(bytes.length).toBeGreaterThanOrEqual(40);
      expect(bytes.length).toBeLessThanOrEqual(1280);
      parseIpv6Packet(bytes);
    }
    expect(share((p) => p.bytes.length === 1280)).toBeGreaterThan(0.05);
    expect(share((p) => p.bytes.length < 100)).toBeGreaterThan(0.2);
  });
  it('respects maxSize and upper-layer choice', () => {
    fc.assert(
      fc.property(arbIpv6Packet({ maxSize: 200, upper: ['icmpv6'] }), ({ bytes, spec }) => {
        expect(bytes.length).toBeLessThanOrEqual(200);
        expect(spec.upper.kind).toBe('icmpv6');
      }),
    );
  });
  it('puts Hop-by-Hop only first and never a multicast source', () => {
    for (const { spec } of sample) {
      expect((spec.extensions ?? []).slice(1).some((h) => h.kind === 'hop-by-hop')).toBe(false);
      expect(spec.src[0]).not.toBe(0xff);
    }
  });
  it('covers the interesting forms', () => {
    const hex = (a: Uint8Array) => Buffer.from(a).toString('hex');
    const kinds = (k: string) => (p: (typeof sample)[number]) => (p.spec.extensions ?? []).some((h) => h.kind === k);
    const port = (lo: number, hi: number) => (p: (typeof sample)[number]) =>
      p.spec.upper.kind === 'udp' && p.spec.upper.dstPort >= lo && p.spec.upper.dstPort <= hi;
    const checks: Record<string, (p: (typeof sample)[number]) => boolean> = {
      'unspecified src': (p) => p.spec.src.every((b) => b === 0),
      'fe80::/64': (p) => hex(p.spec.dst).startsWith('fe80000000000000'),
      'IID 0000:00ff:fe00:XXXX': (p) => hex(p.spec.src).slice(16, 28) === '000000fffe00',
      'ff02::1': (p) => hex(p.spec.dst) === 'ff020000000000000000000000000001',
      'ff02::XX (not 1)': (p) => /^ff020{26}(?!01)..$/.test(hex(p.spec.dst)),
      'ffXX::00XX:XXXX': (p) => /^ff..0{22}(?!00)....../.test(hex(p.spec.dst)),
      'ffXX::00XX:XXXX:XXXX': (p) => /^ff..0{18}(?!00)........../.test(hex(p.spec.dst)),
      'ports 0xf0b0..0xf0bf': port(0xf0b0, 0xf0bf),
      'ports 0xf000..0xf0ff outside 0xf0bX': (p) => port(0xf000, 0xf0ff)(p) && !port(0xf0b0, 0xf0bf)(p),
      'icmpv6 echo': (p) => p.spec.upper.kind === 'icmpv6',
      'raw upper': (p) => p.spec.upper.kind === 'raw',
      'hop-by-hop': kinds('hop-by-hop'),
      destination: kinds('destination'),
      routing: kinds('routing'),
      fragment: kinds('fragment'),
      'three extension headers': (p) => (p.spec.extensions ?? []).length === 3,
      'non-zero flow label': (p) => (p.spec.flowLabel ?? 0) !== 0,
      'non-zero traffic class': (p) => (p.spec.trafficClass ?? 0) !== 0,
      'hop limit 255': (p) => p.spec.hopLimit === 255,
    };
    for (const [name, pred] of Object.entries(checks)) expect(share(pred), name).toBeGreaterThan(0.01);
  });
  it('produces both Pad1 and PadN trailing padding', () => {
    const pads = new Set<number>();
    for (const { spec } of sample) {
      for (const h of spec.extensions ?? []) {
        if (h.kind !== 'hop-by-hop' && h.kind !== 'destination') continue;
        const area = emitExtensionHeader(h, 59).subarray(2);
        const last = parseOptions(area).at(-1);
        if (last && last.type <= 1) pads.add(last.type);
      }
    }
    expect([...pads].sort()).toEqual([0, 1]);
  });
});
