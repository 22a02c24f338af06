// Joining a 6LoWPAN network as a host (RFC 6775 §5, RFC 8505 §5): Router
// Solicitation with its timers, RA processing, SLAAC, address registration
// with EARO and its answers, contexts from 6CO.
import { describe, expect, it } from 'vitest';
import { parseIeee802154 } from '../../../host/packet/ieee802154-parse.js';
import { buildDataFrame } from '../../../host/packet/ieee802154.js';
import { decodeLowpan, encodeLowpan } from '../../../host/packet/lowpan.js';
import { buildIpv6Packet } from '../../../host/packet/packet.js';
import { AroStatus, buildNdPacket, findNdOption } from '../../../host/packet/ndp.js';
import { TestRouter } from './router.js';
import { Sim, eui, ip, text } from './sim.js';

const ROUTER_LINK = { mode: 'extended' as const, bytes: eui(0xfe) };
/** The 6CIO's E flag (RFC 8505 §4.3): the router takes the EARO. */
const E = 0x0002;
const PREFIX = ip('2001:db8:1:2::');
const LL = 'fe80::212:4b00:0:1';
const GLOBAL = '2001:db8:1:2:212:4b00:0:1';
/** An answer for global targets only; the link-local registration succeeds. */
const forGlobal = (status: number) => (target: Uint8Array) => (text(target) === LL ? 0 : status);
/** Registration NSes for one target. */
const nsFor = (router: TestRouter, target: string, since = 0) =>
  router.nd('ns', since).filter((h) => h.nd!.message.kind === 'ns' && text(h.nd!.message.target) === target);

function network(routerOptions: Partial<ConstructorParameters<typeof TestRouter>[1]> = {}, nodeOptions = {}) {
  const sim = new Sim();
  const node = sim.addNode('n1', { eui64: eui(1), ...nodeOptions });
  const router = new TestRouter(sim, { link: ROUTER_LINK, prefix: PREFIX, ...routerOptions });
  return { sim, node, router };
}

describe('joining (RFC 6775 §5.3, RFC 8505 §5)', () => {
  it('solicits within 1 s, then every 10 s three times, then backs off to 60 s', () => {
    const { sim, router } = network({ answerRs: false });
    sim.run(400_000);
    const times = router.nd('rs').map((h) => h.at);
    expect(times[0]).toBeLessThanOrEqual(1000);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps.slice(0, 5)).toEqual([10_000, 10_000, 20_000, 40_000, 60_000]);
    expect(gaps.slice(5).every((g) => g === 60_000)).toBe(true);
    // RFC 4861 §6.3.7: from the link-local address, with an SLLAO.
    const rs = router.nd('rs')[0].nd!;
    expect(text(rs.header.src)).toBe('fe80::212:4b00:0:1');
    expect(text(rs.header.dst)).toBe('ff02::2');
    expect(rs.header.hopLimit).toBe(255);
    expect(findNdOption(rs.message, 'sllao')?.addr.bytes).toEqual(eui(1));
  });

  it('registers its link-local address, then the address it formed, with EARO from the link-local source', () => {
    const { sim, node, router } = network({ capabilities: E }); // a router that takes the EARO (RFC 8505 §6.3)
    sim.run(5_000);
    expect(node.addresses().map((a) => [text(a.address), a.registration])).toEqual([[LL, 'registered'], [GLOBAL, 'registered']]);
    // RFC 8505 §5.6: the link-local address is registered first, and is the source of every registration.
    const [first] = router.nd('ns');
    expect(first.nd!.message.kind === 'ns' && text(first.nd!.message.target)).toBe(LL);
    const ns = nsFor(router, GLOBAL)[0].nd!;
    expect(text(ns.header.src)).toBe(LL);
    expect(ns.header.dst).toEqual(router.ll);
    const aro = findNdOption(ns.message, 'aro')!;
    expect(aro.t).toBe(true);
    expect(aro.r).toBe(true);
    expect(aro.rovr).toEqual(eui(1));
    expect(aro.lifetime).toBe(60);
    expect(findNdOption(ns.message, 'sllao')?.addr.bytes).toEqual(eui(1));
    expect(node.routers().map((r) => r.address)).toEqual([router.ll]);
  });

  it('re-registers at 90% of the lifetime with a new TID', () => {
    const { sim, router } = network();
    sim.run(5_000);
    const first = nsFor(router, GLOBAL)[0];
    sim.run(60 * 60_000);
    const again = nsFor(router, GLOBAL, first.at + 1);
    expect(again.length).toBeGreaterThanOrEqual(1);
    expect(again[0].at - first.at).toBe(54 * 60_000);
    const tid = (h: typeof first) => findNdOption(h.nd!.message, 'aro')!.tid!;
    expect((tid(again[0]) - tid(first) + 256) % 256).toBe(1);
  });

  it('gives up an address the router calls a duplicate, and does not form it again (RFC 4862 §5.4.5)', () => {
    const { sim, node, router } = network({ aroStatus: forGlobal(AroStatus.Duplicate) });
    sim.run(5_000);
    expect(node.addresses().map((a) => [text(a.address), a.state])).toEqual([[LL, 'preferred'], [GLOBAL, 'duplicate']]);
    const tries = nsFor(router, GLOBAL).length;
    router.sendRa();
    sim.run(5_000);
    expect(nsFor(router, GLOBAL)).toHaveLength(tries);
    expect(node.ping(ip('2001:db8:1:2::99'), 1, 1, 4, sim.now)).toBeLessThan(0); // no usable global source
  });

  it('retries after a minute when the router\'s neighbor cache is full', () => {
    const { sim, node, router } = network({ aroStatus: forGlobal(AroStatus.NeighborCacheFull) });
    sim.run(5_000);
    const first = nsFor(router, GLOBAL)[0].at;
    expect(node.addresses()[1].registration).toBe('failed');
    router.options.aroStatus = AroStatus.Success;
    sim.run(60_000);
    const retry = nsFor(router, GLOBAL, first + 1)[0];
    expect(retry.at - first).toBe(60_000);
    expect(node.addresses()[1].registration).toBe('registered');
  });

  it('retransmits an unanswered registration three times, RetransTimer apart', () => {
    const { sim, node, router } = network({ aroStatus: undefined, capabilities: E }); // RFC 8505: link-local first
    sim.run(10_000);
    const ns = router.nd('ns');
    expect(ns.length).toBe(3);
    expect(ns.map((h) => h.at - ns[0].at)).toEqual([0, 1000, 2000]);
    expect(ns.every((h) => h.nd!.message.kind === 'ns' && text(h.nd!.message.target) === LL)).toBe(true);
    // Without its link-local registration, the global address is not registered either.
    expect(node.addresses().map((a) => a.registration)).toEqual(['failed', 'failed']);
  });

  it('learns contexts from 6CO and compresses with them', () => {
    const { sim, node, router } = network({
      contexts: [{ cid: 0, prefix: PREFIX, length: 64, compression: true, lifetimeMinutes: 10 }],
    });
    sim.run(5_000);
    const contexts = new Map([[0, { prefix: PREFIX, length: 64 }]]);
    const encoding = (frame: Uint8Array) => {
      const mac = parseIeee802154(frame);
      const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, contexts);
      if (d.kind !== 'ipv6' || d.encoding.dispatch !== 'iphc') throw new Error('expected a whole IPHC packet');
      return { ...d.encoding, packet: d.packet };
    };
    // A ping to a global address is compressed with the context; once the
    // context is withdrawn (lifetime 0, RFC 6775 §4.2), the source goes in-line.
    const far = ip('2001:db8:1:2::99');
    const pingSam = () => {
      node.ping(far, 1, 1, 4, sim.now);
      sim.run(10);
      const f = sim.heard.filter((h) => h.from === 'n1').pop()!;
      const r = encoding(f.frame);
      expect(text(r.packet.subarray(24, 40))).toBe('2001:db8:1:2::99');
      return (r.sac << 2) | r.sam;
    };
    expect(pingSam()).toBe(0b111); // SAC=1 SAM=11: context 0, IID from the link layer
    void router;
    router.sendRa(undefined, undefined, { contexts: [{ cid: 0, prefix: PREFIX, length: 64, compression: true, lifetimeMinutes: 0 }] });
    sim.run(1000);
    expect(pingSam()).toBe(0b000);
  });

  it('lets two joined nodes reach each other link-locally without multicast resolution (RFC 6775 §5.6)', () => {
    const { sim, node, router } = network(); // an RFC 6775 router (no 6CIO): the link-local addresses are not registered
    const other = sim.addNode('n2', { eui64: eui(2) });
    sim.run(5_000);
    expect(other.addresses().map((a) => a.registration)).toEqual(['none', 'registered']);
    const before = sim.heard.length;
    expect(node.ping(ip('fe80::212:4b00:0:2'), 3, 4, 8, sim.now)).toBe(0);
    sim.run(100);
    expect(node.echoReplies()).toMatchObject({ count: 1, lastId: 3, lastSeq: 4 });
    const ns = sim.heard.slice(before).filter((h) => h.packet?.[6] === 58 && h.packet?.[40] === 135);
    expect(ns).toHaveLength(0);
    void router;
  });

  it('starts the EARO TID at 240 (RFC 8505 §5.2.1) and ignores an answer for another ROVR', () => {
    const { sim, node, router } = network({ aroStatus: undefined, capabilities: E }); // the link-local address first
    sim.run(1500);
    const ns = router.nd('ns')[0].nd!;
    if (ns.message.kind !== 'ns') throw new Error('expected an NS');
    const aro = findNdOption(ns.message, 'aro')!;
    expect(aro.tid).toBe(240);
    // An NA whose EARO names someone else's ROVR is not an answer to us (RFC 6775 §5.5.2).
    router.send(buildNdPacket({
      src: router.ll, dst: ns.header.src,
      message: { kind: 'na', router: true, solicited: true, override: false, target: ns.message.target, options: [{ ...aro, rovr: eui(9) }] },
    }), { mode: 'extended', bytes: eui(1) });
    sim.run(10);
    expect(node.addresses()[0].registration).toBe('registering');
  });

  it('keeps every 6CO of an RA, up to 16: contexts 1..15 in one RA, then a packet with DCI=9 (RFC 6775 §5.4.2)', () => {
    // Context n: 2001:db8:c0:n::/64, but context 9 is the node's own prefix.
    const contexts = Array.from({ length: 15 }, (_, i) => ({
      cid: i + 1, prefix: i + 1 === 9 ? PREFIX : ip(`2001:db8:c0:${i + 1}::`), length: 64, compression: true, lifetimeMinutes: 10,
    }));
    const { sim, node } = network({ contexts });
    sim.run(5_000);
    expect(node.addresses()[1]?.registration).toBe('registered');
    node.udpBind(7000);
    const routerLink = { mode: 'extended' as const, bytes: eui(0xfe) };
    const nodeLink = { mode: 'extended' as const, bytes: eui(1) };
    const packet = buildIpv6Packet({ src: ip('2001:db8:77::99'), dst: ip(GLOBAL), upper: { kind: 'udp', srcPort: 1, dstPort: 7000, payload: Uint8Array.of(9) } });
    const payload = encodeLowpan(packet, { src: routerLink, dst: nodeLink }, new Map([[9, { prefix: PREFIX, length: 64 }]]));
    const d = decodeLowpan(payload, { src: routerLink, dst: nodeLink }, new Map([[9, { prefix: PREFIX, length: 64 }]]));
    expect(d.kind === 'ipv6' && d.encoding.dispatch === 'iphc' && [d.encoding.cid, d.encoding.dac, d.encoding.dci]).toEqual([1, 1, 9]);
    sim.injectFrame(buildDataFrame({ src: routerLink, dst: nodeLink, pan: 0xabcd, seq: 1 }, payload));
    sim.run(10);
    expect(node.counters().ContextUnknown ?? 0).toBe(0);
    expect(node.udpReceive()?.data).toEqual(Uint8Array.of(9));
  });

  it('ignores a PIO with the L flag in 6LoWPAN-ND (RFC 6775 §5.4)', () => {
    const { sim, node } = network({ onLink: true });
    sim.run(5_000);
    expect(node.addresses().map((a) => text(a.address))).toEqual([LL]);
  });

  it('keeps a 6CO with the longest lifetime (0xffff minutes) instead of overflowing the clock', () => {
    const { sim, node } = network({ contexts: [{ cid: 0, prefix: PREFIX, length: 64, compression: true, lifetimeMinutes: 0xffff }] });
    sim.run(5_000);
    const before = sim.heard.length;
    node.ping(ip('2001:db8:1:2::99'), 1, 1, 4, sim.now);
    sim.run(10);
    const f = sim.heard.slice(before).find((h) => h.from === 'n1')!;
    const mac = parseIeee802154(f.frame);
    const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, new Map([[0, { prefix: PREFIX, length: 64 }]]));
    expect(d.kind === 'ipv6' && d.encoding.dispatch === 'iphc' && [d.encoding.sac, d.encoding.sam]).toEqual([1, 3]);
  });

  it('keeps an expired context for decompression only, for twice the router lifetime (RFC 6775 §5.4.3)', () => {
    const { sim, node, router } = network({
      routerLifetime: 100, contexts: [{ cid: 0, prefix: PREFIX, length: 64, compression: true, lifetimeMinutes: 1 }],
    });
    sim.run(5_000);
    router.options.answerRs = false;
    const contexts = new Map([[0, { prefix: PREFIX, length: 64 }]]);
    const peer = ip('2001:db8:1:2::99');
    const routerLink = { mode: 'extended' as const, bytes: eui(0xfe) };
    const nodeLink = { mode: 'extended' as const, bytes: eui(1) };
    const compressed = () => {
      // A UDP datagram compressed with context 0 (SAC=1 SAM=01), as a 6LR would send it.
      const packet = buildIpv6Packet({ src: peer, dst: ip(GLOBAL), upper: { kind: 'udp', srcPort: 1, dstPort: 7000, payload: Uint8Array.of(1) } });
      sim.injectFrame(buildDataFrame({ src: routerLink, dst: nodeLink, pan: 0xabcd, seq: 1 }, encodeLowpan(packet, { src: routerLink, dst: nodeLink }, contexts)));
      sim.run(10);
    };
    node.udpBind(7000);
    sim.run(70_000 - sim.now); // the 6CO's minute is over
    compressed();
    expect(node.udpReceive()?.data).toEqual(Uint8Array.of(1)); // still read with the context
    sim.run(280_000 - sim.now); // 60 s + 2 x 100 s later it is gone
    compressed();
    expect(node.udpReceive()).toBeUndefined();
    expect(node.counters().ContextUnknown).toBe(1);
  });
});

/** The 6CIO (RFC 7400 §3.3, Type 36) among an ND message's options, as the tester parses it (an unknown kind: raw). */
const cioOf = (h: { nd?: { message: { options: unknown[] } } }) =>
  (h.nd!.message.options as { kind: string; type?: number; body?: Uint8Array }[]).find((o) => o.kind === 'raw' && o.type === 36);
/** Registration NSes for one target sent to this router (every station hears every frame). */
const nsTo = (router: TestRouter, target: string) =>
  nsFor(router, target).filter((h) => text(h.nd!.header.dst) === text(router.ll));
const ROUTER_B_LINK = { mode: 'extended' as const, bytes: eui(0xfd) };

describe('6LoWPAN capabilities (RFC 8505 §6.1, §6.3; 6CIO of RFC 7400 §3.3)', () => {
  it('sends a 6CIO with the E flag in its Router Solicitations', () => {
    const { sim, router } = network({ answerRs: false });
    sim.run(12_000);
    const rs = router.nd('rs');
    expect(rs.length).toBeGreaterThanOrEqual(2);
    // Type 36, Length 1; octets 2-3: Reserved(10) D L B P E G, E = 0x0002 (RFC 8505 §4.3); 4 reserved octets.
    for (const h of rs) expect(cioOf(h)).toEqual({ kind: 'raw', type: 36, length: 1, body: Uint8Array.of(0, 0x02, 0, 0, 0, 0) });
  });

  it('sends no 6CIO when configured for the RFC 6775 ARO, nor in classic ND', () => {
    for (const nodeOptions of [{ useAro: true }, { mode: 'classic' as const }]) {
      const { sim, router } = network({ answerRs: false }, nodeOptions);
      sim.run(2_000);
      expect(router.nd('rs').length).toBeGreaterThanOrEqual(1);
      expect(cioOf(router.nd('rs')[0])).toBeUndefined();
    }
  });

  it('registers the RFC 6775 way with a router whose 6CIO has E clear: the address is the source, no link-local first', () => {
    const { sim, node, router } = network({ capabilities: 0x0010 }); // L: a 6LR, without EARO support
    sim.run(5_000);
    expect(node.addresses().map((a) => [text(a.address), a.registration])).toEqual([[LL, 'none'], [GLOBAL, 'registered']]);
    expect(nsFor(router, LL)).toHaveLength(0);
    const ns = nsFor(router, GLOBAL)[0].nd!;
    expect(text(ns.header.src)).toBe(GLOBAL); // RFC 6775 §4.1: the registered address is the NS source
    const aro = findNdOption(ns.message, 'aro')!;
    expect(aro.rovr).toEqual(eui(1)); // RFC 8505 §6.3: a 64-bit ROVR (the EUI-64)
    // RFC 8505 §6.3: still an EARO (T and TID in fields an RFC 6775 router ignores).
    expect([aro.t, aro.tid]).toEqual([true, 240]);
  });

  it('registers the RFC 6775 way with a router that sends no 6CIO: it is RFC 6775-only (RFC 8505 §6.3)', () => {
    const { sim, node, router } = network({ capabilities: undefined });
    sim.run(5_000);
    expect(node.addresses().map((a) => [text(a.address), a.registration])).toEqual([[LL, 'none'], [GLOBAL, 'registered']]);
    expect(nsFor(router, LL)).toHaveLength(0); // the link-local address is not registered
    const ns = nsFor(router, GLOBAL)[0].nd!;
    expect(text(ns.header.src)).toBe(GLOBAL); // RFC 6775 §4.1: the registered address is the NS source
    expect(ns.header.dst).toEqual(router.ll);
    const aro = findNdOption(ns.message, 'aro')!;
    // RFC 8505 §6.3: an EARO all the same, T set, with a 64-bit ROVR (the EUI-64).
    expect([aro.t, aro.tid, aro.rovr]).toEqual([true, 240, eui(1)]);
  });

  it('switches to RFC 8505 registration once the router\'s 6CIO shows E, and keeps it when later RAs omit the 6CIO', () => {
    const { sim, node, router } = network({ capabilities: undefined });
    sim.run(5_000);
    expect(node.addresses().map((a) => a.registration)).toEqual(['none', 'registered']);
    router.sendRa(undefined, undefined, { capabilities: E });
    sim.run(10);
    router.sendRa(); // RFC 8505 §6.1: the 6CIO may be left out once shared
    sim.run(5_000);
    expect(node.addresses().map((a) => a.registration)).toEqual(['registered', 'registered']);
    // The refresh at 90% of 60 minutes: from the link-local address now.
    const since = sim.now;
    sim.run(60 * 60_000);
    expect(nsFor(router, GLOBAL, since).map((h) => text(h.nd!.header.src))).toContain(LL);
  });

  it('registers with the EARO from the link-local source when the router\'s 6CIO has E set', () => {
    const { sim, node, router } = network({ capabilities: 0x0012 }); // L and E
    sim.run(5_000);
    expect(node.addresses().map((a) => a.registration)).toEqual(['registered', 'registered']);
    const [first] = router.nd('ns');
    expect(first.nd!.message.kind === 'ns' && text(first.nd!.message.target)).toBe(LL);
    expect(text(nsFor(router, GLOBAL)[0].nd!.header.src)).toBe(LL);
  });
});

describe('neighbor cache full at one router (RFC 6775 §5.5.3)', () => {
  /** A, whose neighbor cache is full, and B; both take the EARO (6CIO with E) unless told otherwise. */
  function twoRouters(b: Partial<ConstructorParameters<typeof TestRouter>[1]> = {}, a: Partial<ConstructorParameters<typeof TestRouter>[1]> = {}) {
    const sim = new Sim();
    const node = sim.addNode('n1', { eui64: eui(1) });
    const ra = new TestRouter(sim, { link: ROUTER_LINK, prefix: PREFIX, aroStatus: AroStatus.NeighborCacheFull, name: 'router A', capabilities: E, ...a });
    const rb = new TestRouter(sim, { link: ROUTER_B_LINK, prefix: PREFIX, name: 'router B', capabilities: E, ...b });
    return { sim, node, a: ra, b: rb };
  }

  it('drops the router that answered status 2 and registers with the other one', () => {
    const { sim, node, a, b } = twoRouters();
    sim.run(5_000);
    expect(nsTo(a, LL)).toHaveLength(1); // the first registration went to A (the first RA), which is full
    expect(nsTo(a, GLOBAL)).toHaveLength(0);
    expect(nsTo(b, LL).length).toBeGreaterThanOrEqual(1);
    expect(nsTo(b, GLOBAL).length).toBeGreaterThanOrEqual(1);
    expect(node.addresses().map((a) => a.registration)).toEqual(['registered', 'registered']);
    expect(node.routers().map((r) => text(r.address))).toEqual([text(b.ll)]);
  });

  it('does the same with RFC 6775-only routers (no 6CIO): the address itself, from itself, to each', () => {
    const { sim, node, a, b } = twoRouters({ capabilities: undefined }, { capabilities: undefined });
    sim.run(5_000);
    expect(nsTo(a, LL)).toHaveLength(0);
    expect(nsTo(a, GLOBAL)).toHaveLength(1); // refused with status 2
    expect(nsTo(b, LL)).toHaveLength(0);
    const ns = nsTo(b, GLOBAL)[0].nd!;
    expect(text(ns.header.src)).toBe(GLOBAL);
    expect(node.addresses().map((a) => a.registration)).toEqual(['none', 'registered']);
    expect(node.routers().map((r) => text(r.address))).toEqual([text(b.ll)]);
  });

  it('registers with the other router the way its own 6CIO says (per-router capabilities)', () => {
    const { sim, node, a, b } = twoRouters({ capabilities: 0 }); // B: 6CIO with E clear
    sim.run(5_000);
    expect(nsTo(a, LL)).toHaveLength(1); // A (6CIO with E): EARO, link-local first
    expect(nsTo(b, LL)).toHaveLength(0); // B: RFC 6775 style, the address as its own source
    const ns = nsTo(b, GLOBAL)[0].nd!;
    expect(text(ns.header.src)).toBe(GLOBAL);
    expect(node.addresses()[1].registration).toBe('registered');
  });
});
