// Shared by the core's tests and benchmarks: send a packet through one core
// instance and receive it with another, as two devices on one link would.
import fc from 'fast-check';
import { SixlabCore, type LinkAddress, type TxOptions } from '../../host/core/sixlab-core.js';
import { arbContextTable, arbIpv6Packet, arbLinkAddress, maskPrefix, type ContextEntry } from '../../host/packet/arbitraries.js';
import { buildIpv6Packet, type Ipv6PacketSpec } from '../../host/packet/packet.js';
import { interfaceIdFromLinkAddress } from '../../host/packet/link-address.js';

export interface LinkCase {
  packet: Uint8Array;
  tx: TxOptions;
  contexts: ContextEntry[];
}

export function coreWith(contexts: ContextEntry[], options: { debug?: boolean } = {}): SixlabCore {
  const core = new SixlabCore(options);
  for (const c of contexts) core.setContext(c.id, c.prefix, c.length, c.compress);
  return core;
}

/** Decodes frames in order; returns the packet the last one completes. */
export function receive(core: SixlabCore, frames: Uint8Array[], now = 0): Uint8Array | string {
  let packet: Uint8Array | string = 'no packet completed';
  for (const [i, f] of frames.entries()) {
    const r = core.decode(f, now);
    if (r.kind === 'rejected') return `frame ${i}: ${r.message}`;
    if (r.kind === 'packet') packet = i === frames.length - 1 ? r.packet : `packet completed early at frame ${i}`;
  }
  return packet;
}

function withIid(addr: Uint8Array, link: LinkAddress): Uint8Array {
  const a = Uint8Array.from(addr);
  a.set(interfaceIdFromLinkAddress(link), 8);
  return a;
}

/** Random link cases: packets whose addresses often derive from the link
 *  addresses or share a prefix with a context, so every IPHC mode is reached. */
export function arbLinkCase(maxSize = 1280): fc.Arbitrary<LinkCase> {
  return fc
    .record({
      gen: arbIpv6Packet({ maxSize }),
      src: arbLinkAddress(),
      dst: arbLinkAddress(),
      deriveSrc: fc.boolean(),
      deriveDst: fc.boolean(),
      contexts: arbContextTable(),
      prefixFromPacket: fc.array(fc.record({ id: fc.integer({ min: 0, max: 15 }), bits: fc.integer({ min: 1, max: 128 }), fromDst: fc.boolean() }), { maxLength: 3 }),
      version: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
      elide: fc.boolean(),
      seq: fc.integer({ min: 0, max: 255 }),
    })
    .map((r) => {
      const spec: Ipv6PacketSpec = { ...r.gen.spec };
      const multicastDst = spec.dst[0] === 0xff;
      if (r.deriveSrc && spec.src.some((b) => b !== 0)) spec.src = withIid(spec.src, r.src);
      if (r.deriveDst && !multicastDst) spec.dst = withIid(spec.dst, r.dst);
      const packet = buildIpv6Packet(spec);
      const contexts = new Map(r.contexts.map((c) => [c.id, c]));
      for (const p of r.prefixFromPacket) {
        const addr = p.fromDst ? spec.dst : spec.src;
        contexts.set(p.id, { id: p.id, prefix: maskPrefix(addr, p.bits), length: p.bits, compress: true });
      }
      const dst: LinkAddress = multicastDst ? { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) } : r.dst;
      return {
        packet,
        contexts: [...contexts.values()],
        tx: { src: r.src, dst, pan: 0xabcd, seq: r.seq, frameVersion: r.version, elideUdpChecksum: r.elide },
      };
    });
}
