// Classic Neighbor Discovery between two nodes (RFC 4861 §7): address
// resolution, the neighbor cache states with the exact timer values of §10,
// NUD probing, and DAD (RFC 4862 §5.4).
import { describe, expect, it } from 'vitest';
import { buildNdPacket } from '../../../host/packet/ndp.js';
import { BROADCAST, Sim, eui, ip, linkLocal, text } from './sim.js';

const A_LINK = { mode: 'extended' as const, bytes: eui(0x0a) };
const B_LINK = { mode: 'extended' as const, bytes: eui(0x0b) };

function pair() {
  const sim = new Sim();
  const a = sim.addNode('a', { eui64: eui(0x0a), mode: 'classic' });
  const b = sim.addNode('b', { eui64: eui(0x0b), mode: 'classic' });
  sim.run(3000); // DAD of both link-local addresses
  return { sim, a, b, bAddr: linkLocal(B_LINK) };
}

const entry = (node: ReturnType<Sim['addNode']>, addr: Uint8Array) => node.neighbors().find((n) => text(n.address) === text(addr));

describe('neighbor cache (RFC 4861 §7.3)', () => {
  it('resolves by multicast NS, then REACHABLE for ReachableTime, then STALE', () => {
    const { sim, a, bAddr } = pair();
    expect(a.ping(bAddr, 1, 1, 8, sim.now)).toBe(0);
    sim.settle();
    const e = entry(a, bAddr)!;
    expect(e.state).toBe('reachable');
    expect(e.link).toEqual(eui(0x0b));
    expect(a.echoReplies().count).toBe(1);
    const rt = a.status().reachableTime;
    expect(rt).toBeGreaterThanOrEqual(15_000); // §6.3.2: 0.5 to 1.5 x 30 s
    expect(rt).toBeLessThanOrEqual(45_000);
    expect(e.deadline! - sim.now).toBe(rt);
    sim.run(rt - 1);
    expect(entry(a, bAddr)!.state).toBe('reachable');
    sim.run(1);
    expect(entry(a, bAddr)!.state).toBe('stale');
  });

  it('goes STALE -> DELAY (5 s) -> PROBE, and back to REACHABLE on the probe\'s answer', () => {
    const { sim, a, bAddr } = pair();
    a.ping(bAddr, 1, 1, 8, sim.now);
    sim.run(60_000);
    expect(entry(a, bAddr)!.state).toBe('stale');
    a.udpBind(7000);
    a.udpSend(bAddr, 9, 7000, Uint8Array.of(1), sim.now);
    expect(entry(a, bAddr)!.state).toBe('delay');
    expect(entry(a, bAddr)!.deadline! - sim.now).toBe(5000);
    const before = sim.heard.length;
    sim.run(5000);
    const probes = sim.heard.slice(before).filter((h) => h.from === 'a' && h.packet?.[40] === 135);
    expect(probes).toHaveLength(1);
    expect(text(probes[0].packet!.subarray(24, 40))).toBe(text(bAddr)); // unicast NUD probe
    expect(entry(a, bAddr)!.state).toBe('reachable');
  });

  it('gives up after MAX_UNICAST_SOLICIT probes, RetransTimer apart, when the neighbor is gone', () => {
    const { sim, a, bAddr } = pair();
    a.ping(bAddr, 1, 1, 8, sim.now);
    sim.run(60_000);
    sim.detached.add('b');
    a.udpBind(7000);
    a.udpSend(bAddr, 9, 7000, Uint8Array.of(1), sim.now);
    const start = sim.now;
    sim.run(5000);
    expect(entry(a, bAddr)!.state).toBe('probe');
    sim.run(2999);
    expect(entry(a, bAddr)!.probes).toBe(3);
    const probes = sim.heard.filter((h) => h.from === 'a' && h.at >= start && h.packet?.[40] === 135).map((h) => h.at - start);
    expect(probes).toEqual([5000, 6000, 7000]);
    sim.run(1);
    expect(entry(a, bAddr)).toBeUndefined();
  });

  it('fails resolution after MAX_MULTICAST_SOLICIT multicast NS, one second apart', () => {
    const { sim, a } = pair();
    const ghost = ip('fe80::212:4b00:0:77');
    const start = sim.now;
    a.ping(ghost, 1, 1, 8, sim.now);
    sim.run(2999);
    const ns = sim.heard.filter((h) => h.from === 'a' && h.at >= start && h.packet?.[40] === 135);
    expect(ns.map((h) => h.at - start)).toEqual([0, 1000, 2000]);
    expect(text(ns[0].packet!.subarray(24, 40))).toBe('ff02::1:ff00:77');
    expect(entry(a, ghost)!.state).toBe('incomplete');
    sim.run(1);
    expect(entry(a, ghost)).toBeUndefined();
  });
});

describe('a full neighbor cache (RFC 4861 §5.3, RFC 6583 §6)', () => {
  /** An RA from link eui(last) with only an SLLAO: its sender goes into the neighbor cache (§6.3.4). */
  const ra = (sim: Sim, last: number, routerLifetime: number) => {
    const link = { mode: 'extended' as const, bytes: eui(last) };
    sim.inject(link, BROADCAST, buildNdPacket({
      src: linkLocal(link), dst: ip('ff02::1'),
      message: { kind: 'ra', curHopLimit: 64, managed: false, other: false, routerLifetime, reachableTime: 0, retransTimer: 0, options: [{ kind: 'sllao', addr: link }] },
    }));
    sim.run(10);
  };

  it('replaces the entries of routers that are not default routers (lifetime 0) to resolve a new neighbor', () => {
    const { sim, a, bAddr } = pair();
    ra(sim, 0x80, 1800); // a default router: its entry stays
    for (let n = 1; n < 8; n++) ra(sim, 0x80 + n, 0); // Router Lifetime 0: not default routers (§6.3.4)
    expect(a.neighbors().map((e) => [e.state, e.isRouter])).toEqual(Array(8).fill(['stale', true]));
    expect(a.routers().map((r) => text(r.address))).toEqual([text(linkLocal({ mode: 'extended', bytes: eui(0x80) }))]);
    expect(a.ping(bAddr, 1, 1, 8, sim.now)).toBe(0);
    sim.run(100);
    expect(a.echoReplies().count).toBe(1);
    const kept = a.neighbors().map((e) => text(e.address));
    expect(kept).toContain(text(bAddr));
    expect(kept).toContain('fe80::212:4b00:0:80'); // the default router's
    expect(kept).not.toContain('fe80::212:4b00:0:81'); // the least recently used other one went
  });
});

describe('duplicate address detection (RFC 4862 §5.4)', () => {
  it('keeps the link-local address tentative for one RetransTimer after its probe, then prefers it', () => {
    const sim = new Sim();
    const a = sim.addNode('a', { eui64: eui(0x0a), mode: 'classic' });
    expect(a.addresses()[0].state).toBe('tentative');
    sim.run(1000);
    const probe = sim.heard.find((h) => h.from === 'a' && h.packet?.[40] === 135)!;
    expect(text(probe.packet!.subarray(8, 24))).toBe('::');
    sim.run(probe.at + 999 - sim.now);
    expect(a.addresses()[0].state).toBe('tentative');
    sim.run(1);
    expect(a.addresses()[0].state).toBe('preferred');
  });

  it('drops an address another node already uses', () => {
    const sim = new Sim();
    // Two EUI-64s, one short address: both form fe80::ff:fe00:202 (RFC 4944 §6).
    const a = sim.addNode('a', { eui64: eui(0x0a), mode: 'classic', shortAddress: 0x0202, shortSource: true });
    sim.run(3000);
    const twin = sim.addNode('twin', { eui64: eui(0x0b), mode: 'classic', shortAddress: 0x0202, shortSource: true });
    sim.run(3000);
    expect(a.addresses().map((x) => x.state)).toEqual(['preferred']);
    expect(twin.addresses().map((x) => x.state)).toEqual(['duplicate']);
  });
});
