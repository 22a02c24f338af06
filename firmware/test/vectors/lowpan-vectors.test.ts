// Integrity checks of the test-vector DATA only (no decoder involved): the annotated chunks are
// well formed, each FCS is right (or deliberately wrong), and each packetHex agrees with its own
// expect fields and carries a valid UDP / ICMPv6 checksum. Guards against hand edits that break a vector.
import { describe, it, expect } from 'vitest';
import { LOWPAN_VECTORS } from './lowpan-vectors.js';
import { Reason } from '../../abi/reason.js';

const REF_FRAME = '41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f216d';

function unhex(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
}
function crc16kermit(b: Uint8Array): number {
  let c = 0;
  for (const x of b) {
    c ^= x;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  }
  return c;
}
function addrBytes(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const a = head ? head.split(':') : [];
  const b = tail ? tail.split(':') : [];
  const groups = tail === undefined ? a : [...a, ...Array<string>(8 - a.length - b.length).fill('0'), ...b];
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
}
function sum16(bytes: ArrayLike<number>, init = 0): number {
  let s = init;
  for (let i = 0; i < bytes.length; i += 2) s += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
// Internet checksum over pseudo-header + segment; 0xffff means the stored checksum is right.
function verifies(p: Uint8Array, ipOff: number, nh: number, seg: Uint8Array): boolean {
  const len = seg.length;
  const pseudo = [...p.subarray(ipOff + 8, ipOff + 40), len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, 0, 0, 0, nh];
  return sum16(seg, sum16(pseudo)) === 0xffff;
}

describe('LOWPAN_VECTORS data', () => {
  it('has unique names and a reasonable count', () => {
    const names = LOWPAN_VECTORS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(35);
  });

  it('contains the reference frame verbatim', () => {
    const v = LOWPAN_VECTORS.find((x) => x.name === 'ref-iphc-ext-udp-p11');
    expect(v?.frames[0].map((c) => c.hex.replace(/ /g, '')).join('')).toBe(REF_FRAME);
  });

  for (const v of LOWPAN_VECTORS) {
    it(`${v.name}: chunks, length and FCS`, () => {
      expect(v.frames.length).toBeGreaterThan(0);
      for (const f of v.frames) {
        for (const c of f) {
          expect(c.hex).toMatch(/^[0-9a-f]{2}( [0-9a-f]{2})*$/);
          expect(c.note.length).toBeGreaterThan(0);
        }
        const psdu = unhex(f.map((c) => c.hex.replace(/ /g, '')).join(''));
        expect(psdu.length).toBeLessThanOrEqual(127);
        const fcs = psdu[psdu.length - 2] | (psdu[psdu.length - 1] << 8);
        const good = crc16kermit(psdu.subarray(0, psdu.length - 2)) === fcs;
        expect(good).toBe(!('error' in v.expect && v.expect.error === 'BadFcs'));
      }
    });

    it(`${v.name}: expect is consistent`, () => {
      const e = v.expect;
      if ('error' in e) {
        expect(Object.keys(Reason)).toContain(e.error);
        return;
      }
      const p = unhex(e.packetHex);
      const w0 = ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
      expect(w0 >>> 28).toBe(6);
      expect((w0 >>> 20) & 0xff).toBe(e.ipv6.trafficClass);
      expect(w0 & 0xfffff).toBe(e.ipv6.flowLabel);
      expect((p[4] << 8) | p[5]).toBe(p.length - 40);
      expect(e.ipv6.payloadLength).toBe(p.length - 40);
      expect(p[6]).toBe(e.ipv6.nextHeader);
      expect(p[7]).toBe(e.ipv6.hopLimit);
      expect(Array.from(p.subarray(8, 24))).toEqual(addrBytes(e.ipv6.src));
      expect(Array.from(p.subarray(24, 40))).toEqual(addrBytes(e.ipv6.dst));
      // walk the header chain to the upper layer
      let ipOff = 0, nh = p[6], off = 40;
      for (;;) {
        if (nh === 0 || nh === 43 || nh === 60) { const n = p[off]; off += (p[off + 1] + 1) * 8; nh = n; }
        else if (nh === 41) { ipOff = off; nh = p[off + 6]; off += 40; }
        else break;
      }
      if (e.udp) {
        expect(nh).toBe(17);
        const seg = p.subarray(off);
        expect((seg[0] << 8) | seg[1]).toBe(e.udp.srcPort);
        expect((seg[2] << 8) | seg[3]).toBe(e.udp.dstPort);
        expect((seg[4] << 8) | seg[5]).toBe(seg.length);
        expect((seg[6] << 8) | seg[7]).toBe(e.udp.checksum);
        expect(verifies(p, ipOff, 17, seg)).toBe(true);
      }
      if (nh === 58) expect(verifies(p, ipOff, 58, p.subarray(off))).toBe(true);
    });
  }
});
