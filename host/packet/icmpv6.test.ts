import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import { PacketError } from './errors.js';
import { parseHex } from './hex.js';
import { buildEcho, buildIcmpv6, icmpv6ChecksumOk, parseEcho, parseIcmpv6 } from './icmpv6.js';
import { parseIpv6 } from './ipv6-address.js';

const src = parseIpv6('fe80::1');
const dst = parseIpv6('fe80::2');
const u16 = fc.integer({ min: 0, max: 0xffff });

describe('ICMPv6 (RFC 4443)', () => {
  it('round-trips Echo Request/Reply with a valid checksum', () => {
    fc.assert(
      fc.property(fc.boolean(), u16, u16, fc.uint8Array({ maxLength: 64 }), (reply, identifier, sequence, data) => {
        const b = buildEcho(src, dst, { reply, identifier, sequence, data });
        expect(b[0]).toBe(reply ? 129 : 128);
        expect(b[1]).toBe(0);
        expect(icmpv6ChecksumOk(src, dst, b)).toBe(true);
        expect(parseEcho(parseIcmpv6(b))).toEqual({ reply, identifier, sequence, data });
      }),
    );
  });
  it('covers the pseudo header: another destination fails', () => {
    const b = buildEcho(src, dst, { reply: false, identifier: 1, sequence: 2, data: new Uint8Array(0) });
    expect(icmpv6ChecksumOk(src, parseIpv6('fe80::3'), b)).toBe(false);
  });
  it('builds a generic message with a known checksum', () => {
    // Destination Unreachable, code 4, unused word + invoking packet bytes.
    const b = buildIcmpv6(src, dst, 1, 4, parseHex('00000000 6000'));
    // 0xa1b2 from an independent Python computation
    expect(parseIcmpv6(b)).toMatchObject({ type: 1, code: 4, checksum: 0xa1b2, body: parseHex('00000000 6000') });
    expect(icmpv6ChecksumOk(src, dst, b)).toBe(true);
    expect(parseEcho(parseIcmpv6(b))).toBeUndefined();
  });
  it('can force a wrong checksum', () => {
    const b = buildIcmpv6(src, dst, 128, 0, new Uint8Array(4), 0x1234);
    expect(parseIcmpv6(b).checksum).toBe(0x1234);
    expect(icmpv6ChecksumOk(src, dst, b)).toBe(false);
  });
  it('rejects truncated messages', () => {
    expect(() => parseIcmpv6(new Uint8Array(3))).toThrow(PacketError);
    expect(() => parseEcho(parseIcmpv6(parseHex('80000000 0001')))).toThrow(/ICMPv6 echo/);
  });
});
