import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import { PacketError } from './errors.js';
import { parseHex, toHex } from './hex.js';

describe('parseHex', () => {
  it('accepts whitespace and a 0x prefix', () => {
    expect(Array.from(parseHex('0x41 d8\n01\tcD'))).toEqual([0x41, 0xd8, 0x01, 0xcd]);
    expect(Array.from(parseHex('  0XfF'))).toEqual([0xff]);
    expect(parseHex('').length).toBe(0);
  });
  it('rejects odd length, naming the unpaired digit', () => {
    expect(() => parseHex('abc')).toThrow(PacketError);
    expect(() => parseHex('ab c')).toThrow(/odd number of hex digits \(3\); unpaired digit at position 3/);
  });
  it('rejects a non-hex character with its position', () => {
    expect(() => parseHex('01 0g')).toThrow(/non-hex character "g" at position 4/);
    expect(() => parseHex('0x0x00')).toThrow(/"x" at position 3/);
  });
  it('messages are one line', () => {
    expect(() => parseHex('\n\nzz')).toThrow(/^[^\n]*$/);
  });
});

describe('toHex', () => {
  it('is lowercase without separators', () => {
    expect(toHex(Uint8Array.of(0, 0xab, 0x0f))).toBe('00ab0f');
  });
  it('round-trips with parseHex', () => {
    fc.assert(fc.property(fc.uint8Array(), (b) => {
        expect(parseHex(toHex(b))).toEqual(b);
      }));
  });
});
