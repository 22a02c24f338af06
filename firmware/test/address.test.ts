// IPv6 address functions of the core (firmware/assembly/wire/ipv6-address.ts),
// exercised through SixlabCore: text parse (RFC 4291 §2.2) and RFC 5952
// canonical format, classification (RFC 4291 §2.4, RFC 4193), interface
// identifiers from 802.15.4 link addresses (RFC 4291 App. A, RFC 4944 §6,
// RFC 6282 §3.2.2), solicited-node groups (RFC 4291 §2.7.1), common prefix length.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddrClass } from '../abi/layout.js';
import { Reason } from '../abi/reason.js';
import { CoreError, SixlabCore, type LinkAddress } from '../../host/core/sixlab-core.js';
import { formatIpv6, parseIpv6 } from '../../host/packet/ipv6-address.js';

const core = new SixlabCore();

/** 16 bytes from eight 16-bit groups. */
const fromGroups = (g: number[]) => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff]));
const bytesOf = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
const arr = (b: Uint8Array) => Array.from(b);

function isMapped(b: Uint8Array): boolean {
  return b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** RFC 5952 text expected from the core: §4 via the host library (ip-address),
 *  and §5 mixed notation for IPv4-mapped addresses (which the host library
 *  leaves in hex: see host/packet/ipv6-address.test.ts). */
function expectedText(b: Uint8Array): string {
  if (isMapped(b)) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  return formatIpv6(b);
}

function expectInvalid(text: string): void {
  let err: unknown;
  try {
    const got = core.parseAddress(text);
    err = `parsed to ${formatIpv6(got)}`;
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CoreError);
  expect(Reason[(err as CoreError).reason]).toBe(Reason[Reason.AddrTextInvalid]);
}

// ---------------------------------------------------------------------------

describe('parse and canonical format: RFC 5952 §4 examples', () => {
  it.each([
    // §4.1 leading zeros suppressed; a single 0000 field is "0"
    ['2001:0db8::0001', '2001:db8::1'],
    ['2001:db8:0000:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // §4.2.1 "::" used to its maximum capability
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8::0:1', '2001:db8::1'],
    // §4.2.2 "::" must not shorten one 16-bit 0 field
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // §4.2.3 longest run; the first of equal runs
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
    // §4.3 lowercase
    ['2001:DB8::ABCD:EF', '2001:db8::abcd:ef'],
    ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:AaAa', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'],
  ])('%s -> %s', (input, canonical) => {
    const b = core.parseAddress(input);
    expect(arr(b)).toEqual(arr(parseIpv6(input)));
    expect(core.formatAddress(b)).toBe(canonical);
  });

  it('§4.2.3 ties and runs at the edges', () => {
    const cases: [number[], string][] = [
      [[0, 0, 1, 0, 0, 1, 0, 0], '::1:0:0:1:0:0'], // three equal runs: the first
      [[1, 0, 0, 1, 0, 0, 0, 0], '1:0:0:1::'], // the longer, trailing run
      [[1, 0, 1, 0, 1, 0, 1, 0], '1:0:1:0:1:0:1:0'], // only single zeros: no "::"
      [[0, 1, 0, 1, 0, 1, 0, 1], '0:1:0:1:0:1:0:1'],
      [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
      [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
      [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
      [[0, 0, 0, 0, 0, 0, 1, 0], '::1:0'],
      [[0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff], 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
      [[0x1000, 0x0100, 0x0010, 0x0001, 0, 0xabc, 0, 0], '1000:100:10:1:0:abc::'],
    ];
    for (const [g, text] of cases) {
      expect(core.formatAddress(fromGroups(g))).toBe(text);
      expect(arr(core.parseAddress(text))).toEqual(arr(fromGroups(g)));
    }
  });
});

describe('parse and format: RFC 5952 §5 (IPv4-mapped in mixed notation)', () => {
  it.each([
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::FFFF:c000:0201', '::ffff:192.0.2.1'], // the same address written in hex
    ['::ffff:0.0.0.0', '::ffff:0.0.0.0'],
    ['::ffff:255.255.255.255', '::ffff:255.255.255.255'],
  ])('%s -> %s', (input, canonical) => {
    const b = core.parseAddress(input);
    expect(arr(b)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...canonical.slice(7).split('.').map(Number)]);
    expect(core.formatAddress(b)).toBe(canonical);
  });
});

describe('parse: RFC 4291 §2.2 forms', () => {
  it.each([
    // form 1: preferred x:x:x:x:x:x:x:x
    ['ABCD:EF01:2345:6789:ABCD:EF01:2345:6789', 'abcdef0123456789abcdef0123456789', 'abcd:ef01:2345:6789:abcd:ef01:2345:6789'],
    ['2001:DB8:0:0:8:800:200C:417A', '20010db80000000000080800200c417a', '2001:db8::8:800:200c:417a'],
    // form 2: "::"
    ['2001:DB8::8:800:200C:417A', '20010db80000000000080800200c417a', '2001:db8::8:800:200c:417a'],
    ['FF01:0:0:0:0:0:0:101', 'ff010000000000000000000000000101', 'ff01::101'],
    ['FF01::101', 'ff010000000000000000000000000101', 'ff01::101'],
    ['0:0:0:0:0:0:0:1', '00000000000000000000000000000001', '::1'],
    ['::1', '00000000000000000000000000000001', '::1'],
    ['0:0:0:0:0:0:0:0', '00000000000000000000000000000000', '::'],
    ['::', '00000000000000000000000000000000', '::'],
    // form 3: x:x:x:x:x:x:d.d.d.d
    ['0:0:0:0:0:FFFF:129.144.52.38', '00000000000000000000ffff81903426', '::ffff:129.144.52.38'],
    ['::FFFF:129.144.52.38', '00000000000000000000ffff81903426', '::ffff:129.144.52.38'],
    // §2.3 addresses (without their /60)
    ['2001:0DB8:0000:CD30:0000:0000:0000:0000', '20010db80000cd300000000000000000', '2001:db8:0:cd30::'],
    ['2001:0DB8::CD30:0:0:0:0', '20010db80000cd300000000000000000', '2001:db8:0:cd30::'],
    ['2001:0DB8:0:CD30::', '20010db80000cd300000000000000000', '2001:db8:0:cd30::'],
    ['2001:0DB8:0:CD30:123:4567:89AB:CDEF', '20010db80000cd300123456789abcdef', '2001:db8:0:cd30:123:4567:89ab:cdef'],
  ])('%s', (input, hex, canonical) => {
    const b = core.parseAddress(input);
    expect(arr(b)).toEqual(arr(bytesOf(hex)));
    expect(core.formatAddress(b)).toBe(canonical);
  });

  it('IPv4-compatible form 3 (::13.1.68.3, RFC 4291 §2.2) parses; its text round-trips', () => {
    for (const text of ['0:0:0:0:0:0:13.1.68.3', '::13.1.68.3']) {
      const b = core.parseAddress(text);
      expect(arr(b)).toEqual(arr(bytesOf('0000000000000000000000000d014403')));
      // RFC 5952 §5 only RECOMMENDS mixed notation for well-known prefixes; the
      // deprecated IPv4-compatible form (RFC 4291 §2.5.5.1) may stay in hex.
      const out = core.formatAddress(b);
      expect(['::d01:4403', '::13.1.68.3']).toContain(out);
      expect(arr(core.parseAddress(out))).toEqual(arr(b));
    }
  });

  it('embedded IPv4 after other groups', () => {
    expect(arr(core.parseAddress('1:2:3:4:5:6:7.8.9.10'))).toEqual(arr(fromGroups([1, 2, 3, 4, 5, 6, 0x0708, 0x090a])));
    expect(arr(core.parseAddress('64:ff9b::192.0.2.33'))).toEqual(arr(parseIpv6('64:ff9b::c000:221')));
    expect(arr(core.parseAddress('1::2:3.4.5.6'))).toEqual(arr(fromGroups([1, 0, 0, 0, 0, 2, 0x0304, 0x0506])));
  });

  it('RFC 5952 §2 flexibility: every spelling gives the same bytes', () => {
    const groups: string[][] = [
      ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:001',
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:01', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1'],
      ['2001:db8:aaaa:bbbb:cccc:dddd::1', '2001:db8:aaaa:bbbb:cccc:dddd:0:1'],
      ['2001:db8:0:0:0::1', '2001:db8:0:0::1', '2001:db8:0::1', '2001:db8::1'],
      ['2001:db8::aaaa:0:0:1', '2001:db8:0:0:aaaa::1'],
      ['2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa', '2001:db8:aaaa:bbbb:cccc:dddd:eeee:AAAA',
        '2001:db8:aaaa:bbbb:cccc:dddd:eeee:AaAa'],
    ];
    for (const g of groups) {
      const want = arr(parseIpv6(g[0]));
      for (const t of g) expect(arr(core.parseAddress(t)), t).toEqual(want);
    }
  });

  it('"::" may stand for one group, at the start, middle or end', () => {
    expect(arr(core.parseAddress('::2:3:4:5:6:7:8'))).toEqual(arr(fromGroups([0, 2, 3, 4, 5, 6, 7, 8])));
    expect(arr(core.parseAddress('1:2:3::5:6:7:8'))).toEqual(arr(fromGroups([1, 2, 3, 0, 5, 6, 7, 8])));
    expect(arr(core.parseAddress('1:2:3:4:5:6:7::'))).toEqual(arr(fromGroups([1, 2, 3, 4, 5, 6, 7, 0])));
  });

  it('the longest valid text (45 characters) parses', () => {
    const t = '0000:0000:0000:0000:0000:ffff:255.255.255.255';
    expect(t.length).toBe(45);
    expect(core.formatAddress(core.parseAddress(t))).toBe('::ffff:255.255.255.255');
  });
});

describe('parse: invalid text -> CoreError(AddrTextInvalid)', () => {
  it.each([
    [':::'],
    ['1::2::3'],
    ['1:2:3:4:5:6:7:8:9'], // 9 groups
    ['12345::'], // 5 hex digits
    ['1.2.3.4'], // bare IPv4
    [':1'],
    ['1:'],
    ['g::'],
    [''],
    ['0000:0000:0000:0000:0000:0000:0000:0000:0000'], // 49 characters
    ['1:2:3:4:5:6:7:8'.padEnd(70, '0')], // longer than the host's 64-octet limit
    ['0000:0000:0000:0000:0000:ffff:255.255.255.2550'], // 46 characters
    // more malformed forms
    [':'],
    ['1'],
    ['1:2:3:4:5:6:7'], // 7 groups, no "::"
    ['1:2:3:4:5:6:7:8::'], // "::" with 8 groups
    ['::1:2:3:4:5:6:7:8'],
    ['1::2:3:4:5:6:7:8'],
    ['1:::2'],
    ['1:2:3:4:5:6:7:8:'], // trailing single ':'
    ['::1:'],
    [':1:2:3:4:5:6:7:8'], // leading single ':'
    ['1:2:3:4:5:6:7:1.2.3.4'], // IPv4 leaves 9 groups
    ['1:2:3:4:5:6::1.2.3.4'], // "::" stands for nothing
    ['::1.2.3'],
    ['::1.2.3.4.5'],
    ['::256.1.1.1'],
    ['::1.2.3.4:5'],
    ['::1.2.3.'],
    ['::ffff:1.2.3.x'],
    ['1.2.3.4::'],
    [' ::1'],
    ['::1 '],
    ['fe80::1%eth0'],
    ['2001:db8::/64'],
    ['[::1]'],
    ['::-1'],
  ])('%j', (t) => expectInvalid(t));
});

// ---------------------------------------------------------------------------

/** Eight groups biased toward zero runs (and sometimes an IPv4-mapped prefix). */
const arbAddress = fc.oneof(
  { weight: 9, arbitrary: fc.array(fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.constant(0xffff) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 0xffff }) },
  ), { minLength: 8, maxLength: 8 }).map(fromGroups) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 4, maxLength: 4 }).map((v4) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4])) },
);

/** A non-canonical but valid RFC 4291 spelling of b: random leading zeros,
 *  case, and which zero run (if any, possibly a part of it) "::" replaces. */
const arbSpelling = (b: Uint8Array) =>
  fc.record({
    pad: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
    upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    pick: fc.nat(),
    dotted: fc.boolean(),
  }).map(({ pad, upper, pick, dotted }) => {
    const g = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
    const field = (i: number) => {
      const h = g[i].toString(16);
      const s = h.padStart(Math.min(4, h.length + pad[i]), '0');
      return upper[i] ? s.toUpperCase() : s;
    };
    // Candidate "::" spans: any non-empty sub-run of zero groups.
    const spans: [number, number][] = [];
    for (let s = 0; s < 8; s++) for (let e = s; e < 8 && g[e] === 0; e++) spans.push([s, e + 1]);
    const choice = pick % (spans.length + 1);
    const useDotted = dotted && (choice === spans.length || spans[choice][1] <= 6);
    const last = useDotted ? 6 : 8;
    const tail = useDotted ? `${b[12]}.${b[13]}.${b[14]}.${b[15]}` : '';
    const join = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => field(from + k)).join(':');
    const withTail = (s: string) => (tail ? (s ? `${s}:${tail}` : tail) : s);
    if (choice === spans.length) return withTail(join(0, last));
    const [s, e] = spans[choice];
    return `${join(0, s)}::${withTail(join(e, last))}`;
  });

describe('format and parse properties', () => {
  it('formatAddress(bytes) equals the host library (RFC 5952) and parse(format(bytes)) == bytes', () => {
    fc.assert(
      fc.property(arbAddress, (b) => {
        const text = core.formatAddress(b);
        expect(text).toBe(expectedText(b));
        expect(arr(core.parseAddress(text))).toEqual(arr(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('formatAddress(parseAddress(x)) is canonical for any valid spelling x', () => {
    fc.assert(
      fc.property(arbAddress.chain((b) => arbSpelling(b).map((x) => ({ b, x }))), ({ b, x }) => {
        expect(arr(parseIpv6(x)), `host library reading ${x}`).toEqual(arr(b)); // the spelling is valid
        const parsed = core.parseAddress(x);
        expect(arr(parsed), x).toEqual(arr(b));
        expect(core.formatAddress(parsed)).toBe(expectedText(b));
      }),
      { numRuns: 3000 },
    );
  });
});

// ---------------------------------------------------------------------------

describe('classification (RFC 4291 §2.4, RFC 4193, §2.7 scope)', () => {
  it.each([
    ['::', AddrClass.Unspecified, 0],
    ['::1', AddrClass.Loopback, 0],
    ['fe80::1', AddrClass.LinkLocal, 0],
    ['febf:ffff::1', AddrClass.LinkLocal, 0], // fe80::/10 ends at febf
    ['fd00::1', AddrClass.UniqueLocal, 0],
    ['fc00::1', AddrClass.UniqueLocal, 0],
    ['2001:db8::1', AddrClass.Global, 0],
    ['fec0::1', AddrClass.Global, 0], // outside fe80::/10 (deprecated site-local: "everything else")
    ['fbff::1', AddrClass.Global, 0], // just below fc00::/7
    ['::2', AddrClass.Global, 0],
    ['ff02::1', AddrClass.Multicast, 2],
    ['ff05::2', AddrClass.Multicast, 5],
    ['ff01::1', AddrClass.Multicast, 1],
    ['ff0e::101', AddrClass.Multicast, 14],
    ['ff12::1', AddrClass.Multicast, 2], // transient (T=1), link scope
    ['::ffff:1.2.3.4', AddrClass.Ipv4Mapped, 0],
  ])('%s -> class %i, scope %i', (text, cls, scope) => {
    expect(core.addressClass(parseIpv6(text))).toEqual([cls, scope]);
  });
});

describe('interface identifiers from link addresses', () => {
  const ext = (bytes: number[]): LinkAddress => ({ mode: 'extended', bytes: Uint8Array.from(bytes) });
  const short = (v: number): LinkAddress => ({ mode: 'short', bytes: Uint8Array.of(v >> 8, v & 0xff) });

  it('EUI-64 00:12:4b:00:00:01:02:03 -> 0212:4b00:0001:0203 (U/L bit inverted, RFC 4291 App. A)', () => {
    expect(arr(core.iidFromLink(ext([0x00, 0x12, 0x4b, 0x00, 0x00, 0x01, 0x02, 0x03]))))
      .toEqual([0x02, 0x12, 0x4b, 0x00, 0x00, 0x01, 0x02, 0x03]);
  });

  it('a locally administered EUI-64 gets the U/L bit cleared', () => {
    expect(arr(core.iidFromLink(ext([0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]))))
      .toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(arr(core.iidFromLink(ext([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))))
      .toEqual([0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('short 0x1a2b -> 0000:00ff:fe00:1a2b (RFC 6282 §3.2.2)', () => {
    expect(arr(core.iidFromLink(short(0x1a2b)))).toEqual([0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x1a, 0x2b]);
    expect(arr(core.iidFromLink(short(0x0001)))).toEqual([0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x01]);
  });

  it('any link address (property)', () => {
    fc.assert(
      fc.property(fc.oneof(
        fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b): LinkAddress => ({ mode: 'extended', bytes: b })),
        fc.integer({ min: 0, max: 0xffff }).map(short),
      ), (a) => {
        const want = a.mode === 'extended'
          ? [a.bytes[0] ^ 0x02, ...a.bytes.subarray(1)]
          : [0x00, 0x00, 0x00, 0xff, 0xfe, 0x00, a.bytes[0], a.bytes[1]];
        expect(arr(core.iidFromLink(a))).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });
});

describe('solicited-node multicast (RFC 4291 §2.7.1)', () => {
  it.each([
    ['2001:db8::1:2:3:4', 'ff02::1:ff03:4'],
    ['fe80::212:4b00:1:203', 'ff02::1:ff01:203'],
    ['fe80::ff:fe00:1a2b', 'ff02::1:ff00:1a2b'],
    ['4037::01:800:200e:8c6c', 'ff02::1:ff0e:8c6c'],
    ['::', 'ff02::1:ff00:0'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ff02::1:ffff:ffff'],
  ])('%s -> %s', (addr, group) => {
    expect(formatIpv6(core.solicitedNode(parseIpv6(addr)))).toBe(group);
  });

  it('keeps the low-order 24 bits under FF02:0:0:0:0:1:FF00::/104 (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (a) => {
        const want = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, a[13], a[14], a[15]];
        expect(arr(core.solicitedNode(a))).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });
});

describe('common prefix length', () => {
  /** Bit-by-bit reference. */
  function refCommon(a: Uint8Array, b: Uint8Array): number {
    for (let i = 0; i < 128; i++) {
      const bit = (x: Uint8Array) => (x[i >> 3] >> (7 - (i & 7))) & 1;
      if (bit(a) !== bit(b)) return i;
    }
    return 128;
  }

  it.each([
    ['8000::', '::', 0],
    ['::', '4000::', 1],
    ['2001:db8:1:2::', '2001:db8:1:3::', 63],
    ['2001:db8:1:2::1', '2001:db8:1:2:8000::1', 64],
    ['2001:db8::1', '2001:db8::', 127],
    ['2001:db8::1', '2001:db8::1', 128],
    ['fe80::1', 'fe80::1', 128],
    ['fe80::', 'fec0::', 9], // 1111 1110 1|0.. vs 1111 1110 1|1..
  ])('%s vs %s -> %i', (a, b, n) => {
    const x = parseIpv6(a as string);
    const y = parseIpv6(b as string);
    expect(refCommon(x, y)).toBe(n);
    expect(core.commonPrefixLength(x, y)).toBe(n);
    expect(core.commonPrefixLength(y, x)).toBe(n);
  });

  it('matches the bit-by-bit reference (property, every length reached)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 0, max: 128 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (a, k, noise) => {
          // b shares the first k bits with a, differs at bit k (if k < 128), then is random.
          const b = Uint8Array.from(a);
          for (let i = k; i < 128; i++) {
            const mask = 0x80 >> (i & 7);
            const want = i === k ? ~a[i >> 3] & mask : noise[i >> 3] & mask;
            b[i >> 3] = (b[i >> 3] & ~mask) | want;
          }
          expect(refCommon(a, b)).toBe(k);
          expect(core.commonPrefixLength(a, b)).toBe(k);
          expect(core.commonPrefixLength(a, noise)).toBe(refCommon(a, noise));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
