import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import { PacketError } from './errors.js';
import { parseIpv6 } from './ipv6-address.js';
import { buildUdp, parseUdp, udpChecksumOk } from './udp.js';

const src = parseIpv6('2001:db8::1');
const dst = parseIpv6('2001:db8::2');
const u16 = fc.integer({ min: 0, max: 0xffff });

describe('UDP (RFC 768)', () => {
  it('round-trips with a valid checksum', () => {
    fc.assert(
      fc.property(u16, u16, fc.uint8Array({ maxLength: 100 }), (srcPort, dstPort, payload) => {
        const b = buildUdp(src, dst, { srcPort, dstPort, payload });
        const d = parseUdp(b);
        expect(d).toMatchObject({ srcPort, dstPort, length: 8 + payload.length, payload });
        expect(d.checksum).not.toBe(0);
        expect(udpChecksumOk(src, dst, b)).toBe(true);
        expect(udpChecksumOk(src, parseIpv6('2001:db8::3'), b)).toBe(false);
      }),
    );
  });
  it('can force a wrong or zero checksum', () => {
    const good = buildUdp(src, dst, { srcPort: 1, dstPort: 2, payload: new Uint8Array(3) });
    const bad = buildUdp(src, dst, { srcPort: 1, dstPort: 2, payload: new Uint8Array(3), forceChecksum: (good[6] << 8) ^ 0x100 });
    expect(udpChecksumOk(src, dst, bad)).toBe(false);
    const zero = buildUdp(src, dst, { srcPort: 1, dstPort: 2, payload: new Uint8Array(3), forceChecksum: 0 });
    expect(parseUdp(zero).checksum).toBe(0);
    expect(udpChecksumOk(src, dst, zero)).toBe(false); // 0 is not allowed over IPv6 (RFC 8200 §8.1)
  });
  it('can force a wrong length field', () => {
    const b = buildUdp(src, dst, { srcPort: 1, dstPort: 2, payload: new Uint8Array(4), forceLength: 9 });
    expect(b.length).toBe(12);
    expect(parseUdp(b)).toMatchObject({ length: 9, payload: new Uint8Array(1) });
    const long = buildUdp(src, dst, { srcPort: 1, dstPort: 2, payload: new Uint8Array(4), forceLength: 13 });
    expect(() => parseUdp(long)).toThrow(/UDP length field 13 not in 8..12/);
  });
  it('rejects short input and a length field below 8', () => {
    expect(() => parseUdp(new Uint8Array(7))).toThrow(PacketError);
    expect(() => parseUdp(Uint8Array.of(0, 1, 0, 2, 0, 7, 0, 0))).toThrow(/length field 7/);
  });
  it('rejects out-of-range ports', () => {
    expect(() => buildUdp(src, dst, { srcPort: 0x10000, dstPort: 2, payload: new Uint8Array(0) })).toThrow(/source port/);
  });
});
