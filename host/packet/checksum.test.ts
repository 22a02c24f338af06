import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { concat } from './bytes.js';
import {
  internetChecksum,
  ipv6PseudoHeader,
  ipv6PseudoHeaderChecksum,
  onesComplementSum,
  udpChecksum,
  verifyIpv6Checksum,
} from './checksum.js';
import { parseIpv6 } from './ipv6-address.js';
import { buildIpv6Packet } from './packet.js';
import { LINKTYPE_IPV6, writePcap } from './pcap.js';
import { tempDir } from './test-util.js';
import { runTsharkFields, tsharkAvailable } from './tshark.js';
import { buildUdp } from './udp.js';

// Straightforward RFC 1071 reference: pad to even, add 16-bit words, fold.
function naiveSum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

describe('RFC 1071 checksum', () => {
  it('matches the numerical example of RFC 1071 §3', () => {
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(onesComplementSum(b)).toBe(0xddf2);
    expect(internetChecksum(b)).toBe(0x220d);
  });
  it('treats odd-length parts as one byte stream', () => {
    const b = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(onesComplementSum(b.subarray(0, 3), b.subarray(3, 4), b.subarray(4))).toBe(0xddf2);
  });
  it('pads a trailing odd byte with zero', () => {
    expect(onesComplementSum(Uint8Array.of(0x12, 0x34, 0x56))).toBe(0x1234 + 0x5600);
  });
  it('does not overflow on large inputs', () => {
    const big = new Uint8Array(200_000).fill(0xff);
    expect(onesComplementSum(big)).toBe(0xffff);
    expect(onesComplementSum(big.subarray(1))).toBe(naiveSum(big.subarray(1)));
  });
  it('agrees with a naive implementation for any split', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), (parts) => {
        expect(onesComplementSum(...parts)).toBe(naiveSum(concat(parts)));
      }),
    );
  });
});

describe('IPv6 pseudo header (RFC 8200 §8.1)', () => {
  const src = parseIpv6('fe80::1');
  const dst = parseIpv6('ff02::1');
  it('has the documented layout', () => {
    const ph = ipv6PseudoHeader(src, dst, 0x10203, 17);
    expect(ph.length).toBe(40);
    expect(Array.from(ph.subarray(32))).toEqual([0, 1, 2, 3, 0, 0, 0, 17]);
    expect(ph.subarray(16, 32)).toEqual(dst);
  });
  it('gives the known UDP checksum 0xdd17 (also checked with tshark below)', () => {
    const udp = buildUdp(src, dst, { srcPort: 0xf0b1, dstPort: 0xf0b2, payload: new TextEncoder().encode('hello') });
    expect((udp[6] << 8) | udp[7]).toBe(0xdd17);
    expect(verifyIpv6Checksum(src, dst, 17, udp)).toBe(true);
    udp[8] ^= 1;
    expect(verifyIpv6Checksum(src, dst, 17, udp)).toBe(false);
  });
  it('udpChecksum sends a computed 0 as 0xffff', () => {
    const udp = buildUdp(src, dst, { srcPort: 1, dstPort: 2, payload: new Uint8Array(2), forceChecksum: 0 });
    const c = ipv6PseudoHeaderChecksum(src, dst, udp.length, 17, udp);
    udp.set([c >> 8, c & 0xff], 8); // makes the one's complement sum 0xffff
    expect(ipv6PseudoHeaderChecksum(src, dst, udp.length, 17, udp)).toBe(0);
    expect(udpChecksum(src, dst, udp)).toBe(0xffff);
    udp.set([0xff, 0xff], 6);
    expect(verifyIpv6Checksum(src, dst, 17, udp)).toBe(true);
  });
});

describe.skipIf(!tsharkAvailable())('checksum vs tshark (raw IPv6 pcap, LINKTYPE_IPV6 = 229)', () => {
  it('tshark finds our UDP checksum good and a corrupted one bad', async () => {
    const src = parseIpv6('fe80::1');
    const dst = parseIpv6('ff02::1');
    const payload = new TextEncoder().encode('hello');
    const good = buildIpv6Packet({ src, dst, upper: { kind: 'udp', srcPort: 0xf0b1, dstPort: 0xf0b2, payload } });
    const bad = buildIpv6Packet({ src, dst, upper: { kind: 'udp', srcPort: 0xf0b1, dstPort: 0xf0b2, payload, forceChecksum: 0xdd18 } });
    const file = join(tempDir(), 'udp.pcap');
    await writePcap(file, LINKTYPE_IPV6, [{ timeUs: 0, data: good }, { timeUs: 1000, data: bad }]);
    const rows = await runTsharkFields(file, ['udp.checksum', 'udp.checksum.status'], ['udp.check_checksum:TRUE']);
    expect(rows.map((r) => [r['udp.checksum'], r['udp.checksum.status']])).toEqual([
      ['0xdd17', '1'], // 1 = Good
      ['0xdd18', '0'], // 0 = Bad
    ]);
  });
});
