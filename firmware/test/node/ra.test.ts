// Router Advertisement processing (RFC 4861 §6.3.4), SLAAC lifetimes and the
// two-hour rule (RFC 4862 §5.5.3), ABRO versions (RFC 6775 §4.3), Redirect
// (RFC 4861 §8.3), and malformed ND messages landing in their drop counters.
import { describe, expect, it } from 'vitest';
import { buildNdPacket } from '../../../host/packet/ndp.js';
import { TestRouter } from './router.js';
import { BROADCAST, Sim, eui, ip, linkLocal, text } from './sim.js';

const ROUTER_LINK = { mode: 'extended' as const, bytes: eui(0xfe) };
const NODE_LINK = { mode: 'extended' as const, bytes: eui(1) };
const PREFIX = ip('2001:db8:1:2::');
const GLOBAL = '2001:db8:1:2:212:4b00:0:1';

function joined(options: Partial<ConstructorParameters<typeof TestRouter>[1]> = {}) {
  const sim = new Sim();
  const node = sim.addNode('n1', { eui64: eui(1) });
  const router = new TestRouter(sim, { link: ROUTER_LINK, prefix: PREFIX, ...options });
  sim.run(5000);
  return { sim, node, router, global: () => node.addresses().find((a) => text(a.address) === GLOBAL) };
}

describe('Router Advertisements', () => {
  it('keeps the default router for its lifetime, then forgets it and solicits again', () => {
    const { sim, node, router } = joined({ routerLifetime: 100 });
    expect(node.routers()).toHaveLength(1);
    const heardAt = router.nd('rs')[0].at; // the RA answered this RS at once
    expect(node.routers()[0].until! - heardAt).toBe(100_000);
    router.options.answerRs = false;
    sim.run(100_000);
    expect(node.routers()).toHaveLength(0);
    expect(router.nd('rs', heardAt + 1).length).toBeGreaterThan(0);
  });

  it('drops the router at once on a lifetime of 0', () => {
    const { sim, node, router } = joined();
    router.sendRa(undefined, undefined, { routerLifetime: 0 });
    sim.run(10);
    expect(node.routers()).toHaveLength(0);
  });

  it('solicits again once an RA with Router Lifetime 0 empties the default router list (RFC 6775 §5.3)', () => {
    const { sim, node, router } = joined();
    router.options.answerRs = false;
    const t0 = sim.now;
    router.sendRa(undefined, undefined, { routerLifetime: 0 });
    sim.run(120_000);
    expect(node.routers()).toHaveLength(0);
    // A random delay of at most MAX_RTR_SOLICITATION_DELAY, then RTR_SOLICITATION_INTERVAL
    // three times, then the backoff (RFC 6775 §5.3, §9).
    const times = router.nd('rs', t0).map((h) => h.at - t0);
    expect(times[0]).toBeLessThanOrEqual(1000);
    expect(times.slice(1).map((t, i) => t - times[i])).toEqual([10_000, 10_000, 20_000, 40_000]);
    // An RA ends the solicitations (RFC 6775 §5.3).
    router.sendRa();
    const t1 = sim.now;
    sim.run(120_000);
    expect(router.nd('rs', t1)).toHaveLength(0);
  });

  it('solicits again when the last default router expires, whichever router the RS schedule was set for', () => {
    // Router A (lifetime 1800 s) is heard first; B (100 s) answers last, then A withdraws with
    // lifetime 0: the list holds B only, and when B expires it is empty.
    const sim = new Sim();
    const node = sim.addNode('n1', { eui64: eui(1) });
    const a = new TestRouter(sim, { link: ROUTER_LINK, prefix: PREFIX, name: 'router A' });
    const b = new TestRouter(sim, { link: { mode: 'extended', bytes: eui(0xfd) }, prefix: PREFIX, routerLifetime: 100, name: 'router B' });
    sim.run(5000);
    expect(node.routers().map((r) => text(r.address))).toEqual([text(a.ll), text(b.ll)]);
    a.options.answerRs = false;
    b.options.answerRs = false;
    const withdrawn = sim.now;
    a.sendRa(undefined, undefined, { routerLifetime: 0 });
    sim.run(10);
    expect(node.routers().map((r) => text(r.address))).toEqual([text(b.ll)]);
    const gone = node.routers()[0].until!;
    sim.run(gone - sim.now);
    expect(node.routers()).toHaveLength(0);
    sim.run(60_000);
    const rs = a.nd('rs', withdrawn);
    expect(rs.length).toBeGreaterThanOrEqual(2);
    expect(rs[0].at).toBeLessThanOrEqual(gone + 1000);
  });

  it('takes reachable time and retrans timer, and re-randomises ReachableTime', () => {
    const { sim, node, router } = joined();
    router.sendRa(undefined, undefined, { reachableTime: 10_000, retransTimer: 2000 });
    sim.run(10);
    const s = node.status();
    expect(s.baseReachableTime).toBe(10_000);
    expect(s.reachableTime).toBeGreaterThanOrEqual(5000);
    expect(s.reachableTime).toBeLessThanOrEqual(15_000);
    expect(s.retransTimer).toBe(2000);
  });

  it('deprecates the address at its preferred lifetime and removes it at its valid lifetime', () => {
    const { sim, router, global } = joined({ validLifetime: 7300, preferredLifetime: 3600 });
    router.options.answerRs = false; // no fresh RA to extend the lifetimes
    expect(global()?.state).toBe('preferred');
    sim.run(3600_000);
    expect(global()?.state).toBe('deprecated');
    sim.run(3700_000);
    expect(global()).toBeUndefined();
  });

  it('still sends from a deprecated address when no preferred one fits (RFC 4862 §5.5.4)', () => {
    const { sim, node, router, global } = joined({ validLifetime: 7300, preferredLifetime: 3600, routerLifetime: 9000 });
    router.options.answerRs = false;
    sim.run(3600_000);
    expect(global()?.state).toBe('deprecated');
    const since = sim.now;
    expect(node.ping(ip('2001:db8:99::1'), 5, 1, 8, sim.now)).toBe(0);
    sim.run(10);
    const request = router.heard.find((h) => h.at >= since && h.packet?.[40] === 128);
    expect(request && text(request.packet!.subarray(8, 24))).toBe(GLOBAL);
  });

  it('keeps a 30-day valid lifetime finite (only all ones means infinity, RFC 4861 §4.6.2)', () => {
    const { global } = joined({ validLifetime: 2_592_000, preferredLifetime: 604_800 });
    expect(global()!.validUntil).toBeDefined();
    expect(global()!.preferredUntil).toBeDefined();
  });

  it('applies the two-hour rule to a shortened valid lifetime (RFC 4862 §5.5.3 e)', () => {
    const { sim, router, global } = joined({ validLifetime: 86400, preferredLifetime: 3600 });
    router.options.answerRs = false;
    const t0 = sim.now;
    router.sendRa(undefined, undefined, { validLifetime: 60, preferredLifetime: 30 });
    sim.run(10);
    expect(global()!.validUntil! - t0).toBe(2 * 3600_000);
    // Less than two hours left: a shorter advertised lifetime is ignored.
    sim.run(3600_000);
    const before = global()!.validUntil;
    router.sendRa(undefined, undefined, { validLifetime: 60, preferredLifetime: 30 });
    sim.run(10);
    expect(global()!.validUntil).toBe(before);
    // A longer one is always taken.
    router.sendRa(undefined, undefined, { validLifetime: 100_000, preferredLifetime: 30 });
    sim.run(10);
    expect(global()!.validUntil! - sim.now + 10).toBe(100_000_000);
  });

  it('ignores prefixes and contexts from an ABRO older than the one it holds', () => {
    const { sim, node, router } = joined({ abroVersion: 5 });
    expect(node.status().abroVersion).toBe(5);
    router.sendRa(undefined, undefined, { abroVersion: 4, prefix: ip('2001:db8:9::') });
    sim.run(10);
    expect(node.addresses().some((a) => text(a.address).startsWith('2001:db8:9:'))).toBe(false);
    router.sendRa(undefined, undefined, { abroVersion: 6, prefix: ip('2001:db8:9::') });
    sim.run(10);
    expect(node.addresses().some((a) => text(a.address).startsWith('2001:db8:9:'))).toBe(true);
  });
});

describe('malformed ND messages land in their counters', () => {
  const ll = linkLocal(ROUTER_LINK);
  const node = linkLocal(NODE_LINK);
  const ra = { kind: 'ra' as const, curHopLimit: 64, managed: false, other: false, routerLifetime: 600, reachableTime: 0, retransTimer: 0, options: [] };
  const cases: [string, Parameters<typeof buildNdPacket>[0]][] = [
    ['NdHopLimit', { src: ll, dst: node, hopLimit: 254, message: ra }],
    ['NdCode', { src: ll, dst: node, code: 1, message: ra }],
    ['NdLength', { src: ll, dst: node, message: ra, truncate: 12 }],
    ['Icmpv6Checksum', { src: ll, dst: node, message: ra, forceChecksum: 0x1234 }],
    ['NdOptionLength', { src: ll, dst: node, message: { ...ra, options: [{ kind: 'sllao', addr: ROUTER_LINK, lengthField: 0 }] } }],
    ['NdRouterSource', { src: ip('2001:db8::1'), dst: node, message: ra }],
    ['NdTargetMulticast', { src: ll, dst: node, message: { kind: 'ns', target: ip('ff02::1'), options: [] } }],
    ['NdSolicitedMulticast', { src: ll, dst: ip('ff02::1'), message: { kind: 'na', router: false, solicited: true, override: false, target: ll, options: [] } }],
    ['NdUnspecifiedSource', { src: ip('::'), dst: ip('ff02::1:ff00:1'), message: { kind: 'ns', target: node, options: [{ kind: 'sllao', addr: ROUTER_LINK }] } }],
    ['NdRedirectInvalid', { src: ll, dst: node, message: { kind: 'redirect', target: ip('fe80::5'), destination: ip('2001:db8::7'), options: [] } }],
    ['NdOptionInvalid', { src: ll, dst: node, message: { ...ra, options: [{ kind: 'pio', prefixLength: 200, onLink: false, autonomous: true, validLifetime: 1, preferredLifetime: 1, prefix: PREFIX }] } }],
  ];
  for (const [reason, spec] of cases) {
    it(reason, () => {
      const sim = new Sim();
      const n = sim.addNode('n1', { eui64: eui(1) });
      sim.run(10);
      const multicast = spec.dst[0] === 0xff;
      sim.inject(ROUTER_LINK, multicast ? BROADCAST : NODE_LINK, buildNdPacket(spec));
      sim.run(10);
      expect(n.counters()[reason]).toBe(1);
      expect(n.routers()).toHaveLength(0);
    });
  }
});

describe('Redirect (RFC 4861 §8.3)', () => {
  it('sends later packets for the destination to the redirect target', () => {
    const { sim, node, router } = joined();
    const better = { mode: 'extended' as const, bytes: eui(0xbb) };
    const far = ip('2001:db8:77::1');
    router.send(buildNdPacket({
      src: router.ll, dst: linkLocal(NODE_LINK),
      message: { kind: 'redirect', target: linkLocal(better), destination: far, options: [{ kind: 'tllao', addr: better }] },
    }), NODE_LINK);
    sim.run(10);
    node.ping(far, 9, 9, 4, sim.now);
    sim.run(10);
    const last = sim.heard.filter((h) => h.from === 'n1').pop()!;
    expect(Array.from(last.frame.subarray(5, 13)).reverse()).toEqual(Array.from(eui(0xbb)));
  });
});
