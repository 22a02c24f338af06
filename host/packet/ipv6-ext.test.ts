import { describe, it, expect } from 'vitest';
import { concat } from './bytes.js';
import { PacketError } from './errors.js';
import { parseHex } from './hex.js';
import { parseIpv6 } from './ipv6-address.js';
import {
  emitExtensionHeader,
  finalDestination,
  paddingFor,
  parseExtensionHeader,
  parseHeaderChain,
  parseOptions,
  stripPadding,
  type ExtensionHeader,
} from './ipv6-ext.js';
import { emitIpv6Header } from './ipv6.js';

const src = parseIpv6('fe80::1');
const dst = parseIpv6('fe80::2');

// Fixed header in front of `payload`, payload length set correctly.
function withHeader(nextHeader: number, payload: Uint8Array): Uint8Array {
  const h = { version: 6, trafficClass: 0, flowLabel: 0, payloadLength: payload.length, nextHeader, hopLimit: 64, src, dst };
  return concat([emitIpv6Header(h), payload]);
}

describe('options headers (RFC 8200 §4.2, §4.3, §4.6)', () => {
  it('pads with PadN to a multiple of 8', () => {
    const h: ExtensionHeader = { kind: 'hop-by-hop', options: [{ type: 0x1e, data: Uint8Array.of(0xaa) }], pad: true };
    // 2 header + 3 option = 5, PadN of 3 (1, 1, 0)
    expect(emitExtensionHeader(h, 17)).toEqual(parseHex('11 00 1e01aa 010100'));
  });
  it('pads with Pad1 when one octet is missing', () => {
    const h: ExtensionHeader = { kind: 'destination', options: [{ type: 0x1e, data: new Uint8Array(3) }], pad: true };
    expect(emitExtensionHeader(h, 59)).toEqual(parseHex('3b 00 1e03000000 00'));
  });
  it('emits an empty options header as one PadN of 6', () => {
    expect(emitExtensionHeader({ kind: 'destination', options: [], pad: true }, 58)).toEqual(parseHex('3a00 0104 00000000'));
  });
  it('uses Hdr Ext Len in 8-octet units not counting the first 8', () => {
    const h: ExtensionHeader = { kind: 'destination', options: [{ type: 0x3e, data: new Uint8Array(12) }], pad: true };
    const b = emitExtensionHeader(h, 17);
    expect(b.length).toBe(16);
    expect(b[1]).toBe(1);
  });
  it('accepts a raw TLV area and refuses a misaligned one unless padding is asked for', () => {
    expect(emitExtensionHeader({ kind: 'destination', options: parseHex('01040000 0000') }, 17).length).toBe(8);
    expect(() => emitExtensionHeader({ kind: 'destination', options: parseHex('1e00') }, 17)).toThrow(/multiple of 8/);
  });
  it('paddingFor covers every remainder', () => {
    for (let n = 0; n < 16; n++) {
      const pads = paddingFor(n);
      const size = pads.reduce((s, o) => s + (o.type === 0 ? 1 : 2 + o.data.length), 0);
      expect((n + size) % 8).toBe(0);
    }
  });
  it('parses options including pads; stripPadding removes them', () => {
    const opts = parseOptions(parseHex('00 1e02abcd 0100'));
    expect(opts.map((o) => o.type)).toEqual([0, 0x1e, 1]);
    expect(stripPadding(opts)).toEqual([{ type: 0x1e, data: parseHex('abcd') }]);
  });
  it('rejects an option whose length runs past the header', () => {
    expect(() => parseOptions(parseHex('1e05 0000'))).toThrow(PacketError);
    expect(() => parseOptions(parseHex('1e'))).toThrow(/option header/);
  });
});

describe('routing and fragment headers (RFC 8200 §4.4, §4.5)', () => {
  it('emits and parses a fragment header', () => {
    const h: ExtensionHeader = { kind: 'fragment', fragmentOffset: 0x1abc, more: true, identification: 0xdeadbeef };
    const b = emitExtensionHeader(h, 17);
    expect(b).toEqual(parseHex('11 00 d5e1 deadbeef'));
    expect(parseExtensionHeader(44, b, 0)).toEqual({ header: { ...h, reserved: 0, res: 0 }, nextHeader: 17, length: 8 });
  });
  it('emits and parses a routing header', () => {
    const h: ExtensionHeader = { kind: 'routing', routingType: 253, segmentsLeft: 0, data: parseHex('01020304') };
    const b = emitExtensionHeader(h, 58);
    expect(b).toEqual(parseHex('3a 00 fd 00 01020304'));
    expect(parseExtensionHeader(43, b, 0).header).toEqual(h);
  });
  it('rejects a routing header that is not a multiple of 8', () => {
    expect(() => emitExtensionHeader({ kind: 'routing', routingType: 0, segmentsLeft: 0, data: new Uint8Array(2) }, 17)).toThrow(
      PacketError,
    );
  });
  it('takes the final destination from a routing header with segments left', () => {
    const last = parseIpv6('2001:db8::99');
    const rh: ExtensionHeader = { kind: 'routing', routingType: 2, segmentsLeft: 1, data: concat([new Uint8Array(4), last]) };
    expect(finalDestination(dst, [rh])).toEqual(last);
    expect(finalDestination(dst, [{ ...rh, segmentsLeft: 0 }])).toEqual(dst);
  });
  it('decompresses the last RPL SRH address (RFC 6554 §3)', () => {
    // CmprI = CmprE = 15: one octet per address; 2 addresses + 6 pad octets -> a 16-octet header
    const rh: ExtensionHeader = { kind: 'routing', routingType: 3, segmentsLeft: 2, data: parseHex('ff 60 0000 05 07 000000000000') };
    expect(emitExtensionHeader(rh, 17).length).toBe(16);
    expect(finalDestination(dst, [rh])).toEqual(parseIpv6('fe80::7'));
  });
});

describe('parseHeaderChain', () => {
  it('lists each extension header and then the upper layer', () => {
    const hbh = emitExtensionHeader({ kind: 'hop-by-hop', options: [], pad: true }, 60);
    const dest = emitExtensionHeader({ kind: 'destination', options: [{ type: 0x1e, data: new Uint8Array(10) }], pad: true }, 44);
    const frag = emitExtensionHeader({ kind: 'fragment', fragmentOffset: 0, more: false, identification: 1 }, 17);
    const packet = withHeader(0, concat([hbh, dest, frag, new Uint8Array(12)]));
    expect(parseHeaderChain(packet)).toEqual([
      { protocol: 0, offset: 40, length: 8 },
      { protocol: 60, offset: 48, length: 16 },
      { protocol: 44, offset: 64, length: 8 },
      { protocol: 17, offset: 72, length: 12 },
    ]);
  });
  it('stops after a non-first fragment', () => {
    const frag = emitExtensionHeader({ kind: 'fragment', fragmentOffset: 1, more: false, identification: 1 }, 60);
    expect(parseHeaderChain(withHeader(44, concat([frag, new Uint8Array(8)])))).toEqual([
      { protocol: 44, offset: 40, length: 8 },
      { protocol: 60, offset: 48, length: 8 },
    ]);
  });
  it('ignores bytes past the payload length', () => {
    const packet = concat([withHeader(59, new Uint8Array(0)), new Uint8Array(5)]);
    expect(parseHeaderChain(packet)).toEqual([{ protocol: 59, offset: 40, length: 0 }]);
  });
  it('rejects a payload length beyond the packet', () => {
    const packet = withHeader(17, new Uint8Array(8)).subarray(0, 47);
    expect(() => parseHeaderChain(packet)).toThrow(/payload length 8 exceeds the 7 bytes/);
  });
  it('rejects an extension header running past the payload', () => {
    const dest = emitExtensionHeader({ kind: 'destination', options: [{ type: 0x1e, data: new Uint8Array(10) }], pad: true }, 17);
    expect(() => parseHeaderChain(withHeader(60, dest.subarray(0, 8)))).toThrow(/need 16 bytes/);
    expect(() => parseHeaderChain(withHeader(44, new Uint8Array(4)))).toThrow(/need 8 bytes/);
  });
});
