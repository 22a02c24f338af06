// A fixed, seeded mix of packets and link addresses for the benchmarks: the
// same bytes every run, so figures compare across commits.
import fc from 'fast-check';
import type { TxOptions } from '../core/sixlab-core.js';
import { arbIpv6Packet, arbLinkAddress } from '../packet/arbitraries.js';
import { interfaceIdFromLinkAddress } from '../packet/link-address.js';
import { buildIpv6Packet } from '../packet/packet.js';

export interface MixCase {
  packet: Uint8Array;
  tx: TxOptions;
}

/** `count` packets that fit one frame (as most sensor traffic does), addresses
 *  mostly derived from the link layer, some contexts-free global ones. */
export function frameMix(count: number, maxSize = 90, seed = 42): MixCase[] {
  const arb = fc.record({
    gen: arbIpv6Packet({ maxSize, maxExtensions: 1 }),
    src: arbLinkAddress(),
    dst: arbLinkAddress(),
    derive: fc.boolean(),
  }).map(({ gen, src, dst, derive }) => {
    const spec = { ...gen.spec };
    if (derive && spec.dst[0] !== 0xff) {
      spec.src = Uint8Array.from(spec.src);
      spec.src.set([0xfe, 0x80, 0, 0, 0, 0, 0, 0], 0);
      spec.src.set(interfaceIdFromLinkAddress(src), 8);
      spec.dst = Uint8Array.from(spec.dst);
      spec.dst.set([0xfe, 0x80, 0, 0, 0, 0, 0, 0], 0);
      spec.dst.set(interfaceIdFromLinkAddress(dst), 8);
    }
    const link = spec.dst[0] === 0xff ? { mode: 'short' as const, bytes: Uint8Array.of(0xff, 0xff) } : dst;
    return { packet: buildIpv6Packet(spec), tx: { src, dst: link, pan: 0xabcd } };
  });
  return fc.sample(arb, { numRuns: count, seed });
}
