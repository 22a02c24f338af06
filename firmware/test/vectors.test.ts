// Every annotated vector (verified with tshark when written) through the core:
// the decoded packet, its fields, or the reason for refusing it.
import { describe, expect, it } from 'vitest';
import { SixlabCore } from '../../host/core/sixlab-core.js';
import { reasonName } from '../../host/core/reasons.js';
import { parseHex, toHex } from '../../host/packet/hex.js';
import { formatIpv6, parseIpv6 } from '../../host/packet/ipv6-address.js';
import { parseIpv6Packet } from '../../host/packet/packet.js';
import { LOWPAN_VECTORS, type LowpanVector } from './vectors/lowpan-vectors.js';

function coreFor(v: LowpanVector): SixlabCore {
  const core = new SixlabCore();
  for (const c of v.contexts ?? []) {
    const [prefix, bits] = c.prefix.split('/');
    core.setContext(c.id, parseIpv6(prefix), Number(bits));
  }
  return core;
}

const psdu = (frame: { hex: string }[]) => parseHex(frame.map((c) => c.hex).join(''));

describe('annotated vectors (RFC 4944, RFC 6282)', () => {
  for (const v of LOWPAN_VECTORS) {
    it(`${v.name} (${v.ref})`, () => {
      const core = coreFor(v);
      const results = v.frames.map((f) => core.decode(psdu(f), 0));
      const last = results[results.length - 1];
      if ('error' in v.expect) {
        expect(last.kind).toBe('rejected');
        if (last.kind === 'rejected') expect(reasonName(last.reason)).toBe(v.expect.error);
        return;
      }
      for (const r of results.slice(0, -1)) expect(r.kind).toBe('pending');
      expect(last.kind, last.kind === 'rejected' ? last.message : '').toBe('packet');
      if (last.kind !== 'packet') return;
      expect(toHex(last.packet)).toBe(v.expect.packetHex);
      const p = parseIpv6Packet(last.packet);
      const h = p.header;
      expect({
        src: formatIpv6(h.src), dst: formatIpv6(h.dst), nextHeader: h.nextHeader, hopLimit: h.hopLimit,
        trafficClass: h.trafficClass, flowLabel: h.flowLabel, payloadLength: h.payloadLength,
      }).toEqual(v.expect.ipv6);
    });
  }

  it('has at least 35 vectors', () => {
    expect(LOWPAN_VECTORS.length).toBeGreaterThanOrEqual(35);
  });
});
