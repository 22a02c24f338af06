// Fuzz a running node: 100,000 random and mutated frames. Nothing may trap,
// its memory stays one page, and it still answers an Echo Request afterwards.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { echoBody } from '../../../host/packet/icmpv6.js';
import { buildDataFrame, fcs16 } from '../../../host/packet/ieee802154.js';
import { DISPATCH_IPV6 } from '../../../host/packet/lowpan-fragment.js';
import { buildIpv6Packet, parseIpv6Packet } from '../../../host/packet/packet.js';
import { arbIpv6Packet } from '../../../host/packet/arbitraries.js';
import { buildNdPacket } from '../../../host/packet/ndp.js';
import { TestRouter } from './router.js';
import { PAN, Sim, eui, ip, linkLocal } from './sim.js';

const FRAMES = 100_000;
const NODE_LINK = { mode: 'extended' as const, bytes: eui(1) };
const TESTER_LINK = { mode: 'extended' as const, bytes: eui(0x99) };

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s % n;
  };
}

/** Frames a node might meet: ND, echo, UDP, random packets, addressed to it. */
function corpus(): Uint8Array[] {
  const node = linkLocal(NODE_LINK);
  const tester = linkLocal(TESTER_LINK);
  const packets = fc.sample(arbIpv6Packet({ maxSize: 300, maxExtensions: 1 }), { numRuns: 200, seed: 3 }).map((g) => {
    const b = Uint8Array.from(g.bytes);
    b.set(tester, 8);
    b.set(node, 24);
    return b;
  });
  packets.push(buildIpv6Packet({ src: tester, dst: node, upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(1, 1, new Uint8Array(4)) } }));
  packets.push(buildNdPacket({ src: tester, dst: node, message: { kind: 'ra', curHopLimit: 64, managed: false, other: false, routerLifetime: 600, reachableTime: 0, retransTimer: 0, options: [{ kind: 'pio', prefixLength: 64, onLink: false, autonomous: true, validLifetime: 600, preferredLifetime: 300, prefix: ip('2001:db8::') }] } }));
  packets.push(buildNdPacket({ src: tester, dst: node, message: { kind: 'ns', target: node, options: [{ kind: 'sllao', addr: TESTER_LINK }] } }));
  return packets.filter((p) => p.length < 90).map((p) => buildDataFrame({ src: TESTER_LINK, dst: NODE_LINK, pan: PAN, seq: 1 }, Uint8Array.of(DISPATCH_IPV6, ...p)));
}

function mutate(src: Uint8Array, next: (n: number) => number): Uint8Array {
  const f = Uint8Array.from(src);
  const n = 1 + next(4);
  for (let i = 0; i < n; i++) {
    const at = 22 + next(Math.max(1, f.length - 24));
    if (next(2)) f[at] ^= 1 << next(8);
    else f[at] = next(256);
  }
  const c = fcs16(f.subarray(0, f.length - 2));
  f[f.length - 2] = c & 0xff;
  f[f.length - 1] = c >> 8;
  return f;
}

describe('node fuzz', () => {
  it(`survives ${FRAMES.toLocaleString('en')} mutated frames and still answers ping`, () => {
    const seed = Number(process.env.SIXLAB_SEED ?? Date.now() % 1e9);
    const next = rng(seed);
    const sim = new Sim();
    const node = sim.addNode('n1', { eui64: eui(1) });
    new TestRouter(sim, { link: { mode: 'extended', bytes: eui(0xfe) }, prefix: ip('2001:db8:1::') });
    sim.run(5000);
    const seeds = corpus();
    const pages = new Set<number>();
    for (let i = 0; i < FRAMES; i++) {
      const r = node.input(mutate(seeds[next(seeds.length)], next), sim.now);
      expect(r <= 0, `seed ${seed} frame ${i}`).toBe(true);
      if ((i & 255) === 0) {
        sim.now += 1 + next(5000);
        node.tick(sim.now);
        node.drain();
        pages.add(node.memoryBytes());
      }
    }
    expect([...pages]).toEqual([65536]);
    const replies: number[] = [];
    sim.addTester('probe', (h) => {
      const p = parseIpv6Packet(h.packet!);
      if (p.icmpv6?.type === 129) replies.push(p.icmpv6.echo!.sequence);
    });
    sim.inject(TESTER_LINK, NODE_LINK, buildIpv6Packet({ src: linkLocal(TESTER_LINK), dst: linkLocal(NODE_LINK), upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(7, 4242, new Uint8Array(4)) } }));
    sim.run(100);
    expect(replies).toContain(4242);
  });
});
