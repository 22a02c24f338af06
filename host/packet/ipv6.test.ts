import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import { PacketError } from './errors.js';
import { parseHex } from './hex.js';
import { parseIpv6 } from './ipv6-address.js';
import { emitIpv6Header, parseIpv6Header, type Ipv6Header } from './ipv6.js';

const header: Ipv6Header = {
  version: 6,
  trafficClass: 0xab,
  flowLabel: 0x12345,
  payloadLength: 8,
  nextHeader: 17,
  hopLimit: 255,
  src: parseIpv6('fe80::1'),
  dst: parseIpv6('ff02::1'),
};

describe('IPv6 fixed header (RFC 8200 §3)', () => {
  it('emits the documented bit layout', () => {
    const b = emitIpv6Header(header);
    expect(b.length).toBe(40);
    // version 6, TC 0xab, flow 0x12345 -> 6ab12345
    expect(b.subarray(0, 8)).toEqual(parseHex('6ab12345 0008 11 ff'));
    expect(b.subarray(8, 24)).toEqual(header.src);
    expect(b.subarray(24, 40)).toEqual(header.dst);
  });
  it('parses what it emits', () => {
    const arb = fc.record({
      version: fc.integer({ min: 0, max: 15 }),
      trafficClass: fc.integer({ min: 0, max: 255 }),
      flowLabel: fc.integer({ min: 0, max: 0xfffff }),
      payloadLength: fc.integer({ min: 0, max: 0xffff }),
      nextHeader: fc.integer({ min: 0, max: 255 }),
      hopLimit: fc.integer({ min: 0, max: 255 }),
      src: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      dst: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    });
    fc.assert(
      fc.property(arb, (h) => {
        expect(parseIpv6Header(emitIpv6Header(h))).toEqual(h);
      }),
    );
  });
  it('builds deliberately malformed headers (version 5, wrong payload length)', () => {
    const b = emitIpv6Header({ ...header, version: 5, payloadLength: 0xffff });
    expect(b[0] >> 4).toBe(5);
    expect(parseIpv6Header(b).payloadLength).toBe(0xffff);
  });
  it('rejects values that do not fit their field', () => {
    expect(() => emitIpv6Header({ ...header, version: 16 })).toThrow(/version 16 out of range/);
    expect(() => emitIpv6Header({ ...header, flowLabel: 0x100000 })).toThrow(PacketError);
    expect(() => emitIpv6Header({ ...header, hopLimit: -1 })).toThrow(PacketError);
    expect(() => emitIpv6Header({ ...header, src: new Uint8Array(4) })).toThrow(/16 bytes/);
  });
  it('rejects a short buffer before reading', () => {
    expect(() => parseIpv6Header(new Uint8Array(39))).toThrow(/need 40 bytes at offset 0, have 39/);
  });
  it('reads from a subarray at a non-zero byteOffset', () => {
    const buf = new Uint8Array(41);
    buf.set(emitIpv6Header(header), 1);
    expect(parseIpv6Header(buf.subarray(1))).toEqual(header);
  });
});
