import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import { arbLinkAddress } from './arbitraries.js';
import { PacketError } from './errors.js';
import {
  formatLinkAddress,
  interfaceIdFromLinkAddress,
  parseLinkAddress,
  parsePanId,
  shortAddress,
} from './link-address.js';

describe('parseLinkAddress', () => {
  it('parses extended addresses with colons or dashes', () => {
    const a = parseLinkAddress('00:12:4B:00:00:01:02:03');
    expect(a.mode).toBe('extended');
    expect(Array.from(a.bytes)).toEqual([0, 0x12, 0x4b, 0, 0, 1, 2, 3]);
    expect(parseLinkAddress('00-12-4b-00-00-01-02-03')).toEqual(a);
  });
  it('parses short addresses with 1..4 hex digits', () => {
    expect(parseLinkAddress('0x0001')).toEqual(shortAddress(1));
    expect(Array.from(parseLinkAddress('0xABCD').bytes)).toEqual([0xab, 0xcd]);
    expect(parseLinkAddress('0x1')).toEqual(shortAddress(1));
  });
  it.each([
    '00:12:4b:00:00:01:02', // 7 octets
    '00:12:4b:00:00:01:02:03:04', // 9 octets
    '00:12:4b-00:00:01:02:03', // mixed separators
    '0:12:4b:00:00:01:02:03', // one digit
    '0x12345', // 5 digits
    '0x', // no digits
    '1234', // no 0x
    '0xgg',
    '',
  ])('rejects %j', (text) => {
    expect(() => parseLinkAddress(text)).toThrow(PacketError);
  });
});

describe('formatLinkAddress', () => {
  it('formats both modes', () => {
    expect(formatLinkAddress(parseLinkAddress('00-12-4B-00-00-01-02-03'))).toBe('00:12:4b:00:00:01:02:03');
    expect(formatLinkAddress(shortAddress(0xabc))).toBe('0x0abc');
  });
  it('rejects a wrong byte count for the mode', () => {
    expect(() => formatLinkAddress({ mode: 'short', bytes: new Uint8Array(8) })).toThrow(/must be 2 bytes/);
  });
  it('round-trips', () => {
    fc.assert(fc.property(arbLinkAddress(), (a) => {
        expect(parseLinkAddress(formatLinkAddress(a))).toEqual(a);
      }));
  });
});

describe('parsePanId', () => {
  it('accepts hex and decimal', () => {
    expect(parsePanId('0xabcd')).toBe(0xabcd);
    expect(parsePanId('65535')).toBe(0xffff);
    expect(parsePanId('0')).toBe(0);
  });
  it.each(['65536', '0x10000', '-1', 'abcd', '0x', '1.5', ''])('rejects %j', (t) => {
    expect(() => parsePanId(t)).toThrow(PacketError);
  });
});

describe('interfaceIdFromLinkAddress (RFC 4944 §6)', () => {
  it('flips the U/L bit of an EUI-64', () => {
    const iid = interfaceIdFromLinkAddress(parseLinkAddress('00:12:4b:00:00:01:02:03'));
    expect(Array.from(iid)).toEqual([0x02, 0x12, 0x4b, 0, 0, 1, 2, 3]);
  });
  it('maps a short address to 0000:00ff:fe00:XXXX', () => {
    expect(Array.from(interfaceIdFromLinkAddress(shortAddress(0x1234)))).toEqual([0, 0, 0, 0xff, 0xfe, 0, 0x12, 0x34]);
  });
});
