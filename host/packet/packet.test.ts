import { describe, it, expect } from 'vitest';
import * as fc from 'fast-check';
import { arbIpv6Packet } from './arbitraries.js';
import { concat } from './bytes.js';
import { PacketError } from './errors.js';
import { echoBody } from './icmpv6.js';
import { parseIpv6 } from './ipv6-address.js';
import { stripPadding, type ExtensionHeader, type Ipv6Option } from './ipv6-ext.js';
import { buildIpv6Packet, parseIpv6Packet, type Ipv6PacketSpec, type ParsedIpv6Packet } from './packet.js';

const src = parseIpv6('2001:db8::1');
const dst = parseIpv6('2001:db8::2');

// The extension header as the parser will report it (pads removed, fragment defaults filled).
function normalize(h: ExtensionHeader): ExtensionHeader {
  if (h.kind === 'fragment') return { reserved: 0, res: 0, ...h };
  if (h.kind === 'routing') return h;
  return { kind: h.kind, options: stripPadding(h.options as Ipv6Option[]) };
}

function expectMatches(p: ParsedIpv6Packet, spec: Ipv6PacketSpec, size: number): void {
  const { src, dst, trafficClass = 0, flowLabel = 0, hopLimit = 64 } = spec;
  expect(p.header).toMatchObject({ version: 6, payloadLength: size - 40, src, dst, trafficClass, flowLabel, hopLimit });
  expect(p.extensions.map(normalize)).toEqual((spec.extensions ?? []).map(normalize));
  const u = spec.upper;
  if (u.kind === 'udp') {
    expect(p.udp).toMatchObject({ srcPort: u.srcPort, dstPort: u.dstPort, payload: u.payload, checksumOk: true });
  } else if (u.kind === 'icmpv6') {
    expect(p.icmpv6).toMatchObject({ type: u.type, code: u.code, body: u.body, checksumOk: true });
  } else {
    expect(p.upper).toMatchObject({ protocol: u.nextHeader, bytes: u.bytes });
  }
}

describe('buildIpv6Packet / parseIpv6Packet', () => {
  it('round-trips random valid packets', () => {
    fc.assert(
      fc.property(arbIpv6Packet(), ({ bytes, spec }) => {
        expect(bytes.length).toBeGreaterThanOrEqual(40);
        expect(bytes.length).toBeLessThanOrEqual(1280);
        expectMatches(parseIpv6Packet(bytes), spec, bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  it('chains next headers and lengths through extension headers', () => {
    const bytes = buildIpv6Packet({
      src,
      dst,
      extensions: [
        { kind: 'hop-by-hop', options: [], pad: true },
        { kind: 'fragment', fragmentOffset: 0, more: false, identification: 7 },
      ],
      upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(1, 2, new Uint8Array(3)) },
    });
    const p = parseIpv6Packet(bytes);
    expect(p.header.nextHeader).toBe(0);
    expect(p.header.payloadLength).toBe(8 + 8 + 11);
    expect(p.chain.map((e) => e.protocol)).toEqual([0, 44, 58]);
    expect(p.icmpv6?.echo).toEqual({ reply: false, identifier: 1, sequence: 2, data: new Uint8Array(3) });
  });

  it('uses the final destination of a routing header in the pseudo header (RFC 8200 §8.1)', () => {
    const last = parseIpv6('2001:db8::99');
    const rh: ExtensionHeader = { kind: 'routing', routingType: 2, segmentsLeft: 1, data: concat([new Uint8Array(4), last]) };
    const udp = { kind: 'udp' as const, srcPort: 1, dstPort: 2, payload: new Uint8Array(5) };
    const routed = buildIpv6Packet({ src, dst, extensions: [rh], upper: udp });
    expect(parseIpv6Packet(routed).udp?.checksumOk).toBe(true);
    // The same UDP bytes are wrong for dst when there is no routing header.
    const plain = buildIpv6Packet({ src, dst: last, upper: udp });
    expect(routed.subarray(64)).toEqual(plain.subarray(40));
  });

  it('builds deliberately malformed packets that the parser then rejects or flags', () => {
    const upper = { kind: 'udp' as const, srcPort: 1, dstPort: 2, payload: new Uint8Array(4) };
    expect(() => parseIpv6Packet(buildIpv6Packet({ src, dst, upper, version: 5 }))).toThrow(/version field is 5/);
    expect(() => parseIpv6Packet(buildIpv6Packet({ src, dst, upper, payloadLength: 13 }))).toThrow(PacketError);
    const bad = parseIpv6Packet(buildIpv6Packet({ src, dst, upper: { ...upper, forceChecksum: 1 } }));
    expect(bad.udp?.checksumOk).toBe(false);
    const nh = parseIpv6Packet(buildIpv6Packet({ src, dst, upper, nextHeader: 59 }));
    expect(nh.upper.protocol).toBe(59);
    expect(nh.udp).toBeUndefined();
  });

  it('does not parse the upper layer of a fragment', () => {
    const frag: ExtensionHeader = { kind: 'fragment', fragmentOffset: 0, more: true, identification: 1 };
    const upper = { kind: 'udp' as const, srcPort: 1, dstPort: 2, payload: new Uint8Array(0) };
    const p = parseIpv6Packet(buildIpv6Packet({ src, dst, extensions: [frag], upper }));
    expect(p.fragmented).toBe(true);
    expect(p.udp).toBeUndefined();
  });
});
