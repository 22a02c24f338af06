import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import { PacketError } from './errors.js';
import { formatIpv6, parseIpv6 } from './ipv6-address.js';

// Independent RFC 5952 §4 formatter to cross-check the ip-address based one.
function reference(b: Uint8Array): string {
  const g = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  let best = -1;
  let bestLen = 1; // a single zero group is never compressed (§4.2.2)
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i]; // strict >: first run wins ties (§4.2.3)
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

// Groups biased toward 0 so that runs and ties are common.
const arbAddress = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 0xffff })), {
    minLength: 8,
    maxLength: 8,
  })
  .map((g) => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff])));

describe('formatIpv6 (RFC 5952 §4)', () => {
  it.each([
    ['2001:0db8::0001', '2001:db8::1'], // §4.1 leading zeros
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'], // §4.2.1 shorten maximally
    ['2001:db8::0:1', '2001:db8::1'], // §4.2.1
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2 one zero group
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3 longest run
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3 first on ties
    ['2001:DB8::ABCD', '2001:db8::abcd'], // §4.3 lowercase
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['fe80:0:0:0:0:ff:fe00:1', 'fe80::ff:fe00:1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'], // IPv4-mapped stays hex
  ])('%s -> %s', (input, canonical) => {
    expect(formatIpv6(parseIpv6(input))).toBe(canonical);
  });

  it('matches an independent RFC 5952 formatter and round-trips', () => {
    fc.assert(
      fc.property(arbAddress, (a) => {
        const text = formatIpv6(a);
        expect(text).toBe(reference(a));
        expect(parseIpv6(text)).toEqual(a);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a wrong length', () => {
    expect(() => formatIpv6(new Uint8Array(15))).toThrow(PacketError);
  });
});

describe('parseIpv6', () => {
  it('returns 16 bytes', () => {
    expect(Array.from(parseIpv6('fe80::1'))).toEqual([0xfe, 0x80, ...new Array(13).fill(0), 1]);
  });
  it.each(['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'gg::', '', 'fe80::1%eth0', '2001:db8::/64', ' ::1'])(
    'rejects %j',
    (t) => {
      expect(() => parseIpv6(t)).toThrow(PacketError);
    },
  );
});
