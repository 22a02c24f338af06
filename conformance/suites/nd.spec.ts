// nd: Neighbor Discovery (RFC 4861; for 6LoWPAN-ND hosts as RFC 6775 §5
// keeps or changes it). The device's state is read from what it sends: an
// ND message it discarded changes nothing it does afterwards; a neighbor
// cache entry shows in where its packets go and when its NUD probes come; a
// default router in where off-link packets go (conformance catalogue, ND-xx).
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import type { LinkAddress } from '../../host/packet/link-address.js';
import { buildNdPacket, solicitedNodeAddress, type NdMessage, type NdPacketSpec } from '../../host/packet/ndp.js';
import { defineTest } from '../framework/define.js';
import { ALL_NODES, ROUTER_LINK, sameBytes, type Seen, type TestContext } from '../framework/context.js';
import { ECHO, JOIN } from './common.js';
import {
  actsOnRa, AIR, ALL_ROUTERS, DELAY_FIRST_PROBE_TIME, devicePing, echoRequest, frames, gaps, INVALID, introduce, isRs,
  isUnspecified, LARGE_PACKETS, linkText, llao, NEIGHBOR_ENTRY, LOWPAN_RTR_SOLICITATION_INTERVAL, MAX_MULTICAST_SOLICIT, MAX_RTR_SOLICITATION_DELAY,
  MAX_RTR_SOLICITATION_INTERVAL, MAX_RTR_SOLICITATIONS, MAX_UNICAST_SOLICIT, naFor, naFrom, ndOf, ndPacket, nsFor, nsFrom,
  OFF_LINK, pingOut, PREFIX, probeFor, reachable, resolutionFor, RETRANS_TIMER, RTR_SOLICITATION_INTERVAL, sameLink,
  sendAs, where, withIid, type Invalidity,
} from './nd-helpers.js';

// ------------------------------------------------------------ ND-01..05: validation

/** ND-01: an invalid NS for the device's address gets no NA (RFC 4861 §7.1.1);
 *  the same NS, valid, does (else the test proves nothing: inconclusive). */
for (const v of INVALID) {
  defineTest({
    id: `ND-01${v.letter}`, title: `an NS with ${v.what} is silently discarded: no NA answers it`, suite: 'nd',
    ref: 'RFC 4861 §7.1.1', level: 'MUST', spec: ['v6LC.2.1.7'], faults: [v.fault],
  }, async (t: TestContext) => {
    const spec: NdPacketSpec = {
      src: t.tester.ll, dst: t.device.ll, message: { kind: 'ns', target: t.device.ll, options: [{ kind: 'sllao', addr: t.tester.address }] },
    };
    const sent = await t.send(ndPacket(spec, v.how));
    await t.expectNone(naFor(t.device.ll), {
      rule: 'RFC 4861 §7.1.1', expected: `no NA: an NS with ${v.what} is silently discarded`, within: 1000, sent,
    });
    await t.send(ndPacket(spec));
    if (!(await t.waitFor(naFor(t.device.ll)))) t.inconclusive('the device does not answer the same NS when it is valid either');
  });
}

/**
 * ND-02: an invalid NA does not update the neighbor cache (RFC 4861 §7.1.2).
 * A host makes itself known (its NS with SLLAO: an entry at its own link
 * address), then announces another link address for itself in an NA with
 * O=1. Taken, the device's next packet to the host would go there; discarded,
 * it goes to the first. The same NA, valid, must move it (else inconclusive).
 */
function naIgnored(
  letter: string, what: string, fault: string, invalid: (spec: NdPacketSpec) => Uint8Array, valid: (h: { ll: Uint8Array }, link: LinkAddress) => NdPacketSpec,
): void {
  defineTest({
    id: `ND-02${letter}`, title: `an NA with ${what} is silently discarded: the neighbor cache keeps its link address`, suite: 'nd',
    ref: 'RFC 4861 §7.1.2', level: 'MUST', faults: [fault, 'na-override-not-honoured', 'ns-sllao-ignored@lowpan-nd'],
  }, async (t: TestContext) => {
    const host = t.host(0x21);
    const moved = t.host(0x31); // the link address the NA claims for the host
    await introduce(t, host);
    const spec = valid(host, moved.link);
    const sent = await sendAs(t, host, invalid(spec), true);
    const echo = await pingOut(t, host.ll, 1);
    if (!echo) t.inconclusive(`precondition: the device sent no Echo Request to ${formatIpv6(host.ll)}`);
    t.check(sameLink(echo.heard.dst, host.link), {
      rule: 'RFC 4861 §7.1.2', expected: `the Echo Request to the host's own link address ${linkText(host.link)}: the invalid NA changed nothing`,
      seen: `it went to ${linkText(echo.heard.dst)}, the address the invalid NA (${what}) announced`, frames: [...sent, ...echo.frames],
    });
    await sendAs(t, host, buildNdPacket(spec), true);
    const after = await pingOut(t, host.ll, 2);
    if (!after || !sameLink(after.heard.dst, moved.link)) t.inconclusive('the device does not take the same NA when it is valid either');
  });
}

for (const v of INVALID) {
  naIgnored(v.letter, v.what, v.fault, (spec) => ndPacket(spec, v.how), (h, link) => naFrom(h, ALL_NODES, { s: false, o: true }, link));
}
naIgnored('e', 'the Solicited flag set, sent to a multicast address', 'na-solicited-multicast-accepted',
  (spec) => buildNdPacket({ ...spec, message: { ...(spec.message as Extract<NdMessage, { kind: 'na' }>), solicited: true } }),
  (h, link) => naFrom(h, ALL_NODES, { s: false, o: true }, link));

defineTest({
  id: 'ND-03', title: 'a host silently discards Router Solicitations: no answer, no neighbor cache entry from their SLLAO', suite: 'nd',
  ref: 'RFC 4861 §6.2.6', level: 'MUST', spec: ['v6LC.2.2.3'], faults: ['host-processes-rs', 'wrong-hop-limit-ns@classic'],
}, async (t: TestContext) => {
  // RFC 4861 §6.1.1: "Hosts MUST silently discard any received Router Solicitation
  // Messages". A router would record the SLLAO (§6.2.6); a host must not. The RS
  // announces a decoy link address, so an entry made from it would show.
  const host = t.host(0x22);
  const decoy = t.host(0x32);
  const since = t.mark();
  const sent: number[] = [];
  for (const dst of [ALL_ROUTERS, ALL_NODES, t.device.ll]) {
    const rs = buildNdPacket({ src: host.ll, dst, message: { kind: 'rs', options: [{ kind: 'sllao', addr: decoy.link }] } });
    sent.push(...(await sendAs(t, host, rs, dst[0] === 0xff)));
  }
  await t.expectNone((s) => s.nd?.message.kind === 'ra' || s.nd?.message.kind === 'na' || (s.ip !== undefined && sameBytes(s.ip.header.dst, host.ll)), {
    rule: 'RFC 4861 §6.2.6', expected: 'no answer of any kind to the Router Solicitations', within: 1000, since, sent,
  });
  const echo = await pingOut(t, host.ll, 1);
  if (!echo) t.inconclusive(`precondition: the device sent no Echo Request to ${formatIpv6(host.ll)}`);
  t.check(!sameLink(echo.heard.dst, decoy.link), {
    rule: 'RFC 4861 §6.2.6', expected: 'no neighbor cache entry from the RS: the Echo Request not sent to the link address its SLLAO gave',
    seen: `the Echo Request went to ${linkText(echo.heard.dst)}, the RS's SLLAO`, frames: [...sent, ...echo.frames],
  });
  if (t.device.mode === 'classic') {
    // v6LC.2.2.3: a host without an entry resolves the address first (RFC 4861 §7.2.2).
    const ns = await t.waitFor(resolutionFor(host.ll), { since, within: 0 });
    t.check(ns && ns.at < echo.at, {
      rule: 'RFC 4861 §6.2.6', expected: `address resolution (a multicast NS for ${formatIpv6(host.ll)}) before the Echo Request: no entry came from the RS`,
      seen: 'the Echo Request without address resolution', frames: [...sent, ...echo.frames],
    });
  }
});

/**
 * ND-04: an invalid RA teaches nothing (RFC 4861 §6.1.2): the device neither
 * registers with the router nor forms an address from its prefix. The same
 * RA, valid, makes it do so (else inconclusive). The router stays silent
 * otherwise (no answer to RS).
 */
function raIgnored(id: string, what: string, fault: string, how: Invalidity | 'global-source', spec: string[] = []): void {
  defineTest({
    id, title: `an RA with ${what} is silently discarded: no router, no prefix taken from it`, suite: 'nd',
    ref: 'RFC 4861 §6.1.2', level: 'MUST', spec, faults: [fault],
  }, async (t: TestContext) => {
    const r = await t.router({ answerRs: false, prefixes: [{ prefix: PREFIX, onLink: t.device.mode === 'classic' }] }, false);
    const valid: NdPacketSpec = { src: r.ll, dst: ALL_NODES, message: r.raMessage() };
    // A global source: the router's own interface identifier in the advertised prefix.
    const bad = how === 'global-source' ? buildNdPacket({ ...valid, src: withIid(PREFIX, r.ll) }) : ndPacket(valid, how);
    const since = t.mark();
    const sent = await t.send(bad, { src: ROUTER_LINK, dst: t.broadcast });
    await t.expectNone(actsOnRa(r.ll, PREFIX), {
      rule: 'RFC 4861 §6.1.2', expected: `nothing taken from an RA with ${what}: no registration with the router, no address in ${formatIpv6(PREFIX)}/64`,
      within: 3000, since, sent,
    });
    await t.send(buildNdPacket(valid), { src: ROUTER_LINK, dst: t.broadcast });
    if (!(await t.waitFor(actsOnRa(r.ll, PREFIX), { within: 3000 }))) t.inconclusive('the device does not act on the same RA when it is valid either');
  });
}

// v6LC.2.2.2 parts C-F: a global source (ND-13c), hop limit, checksum, code.
for (const v of INVALID) raIgnored(`ND-04${v.letter}`, v.what, v.fault, v.how, v.how === 'zero-length-option' ? [] : ['v6LC.2.2.2']);

/**
 * ND-05: an invalid Redirect does not move traffic (RFC 4861 §8.1). The device
 * joins the tester's network and pings an off-link destination (through the
 * router); an invalid Redirect to another host follows; the next ping still
 * goes to the router. The same Redirect, valid, moves it (else inconclusive).
 */
for (const v of INVALID) {
  defineTest({
    id: `ND-05${v.letter}`, title: `a Redirect with ${v.what} is silently discarded: traffic keeps going to the router`, suite: 'nd',
    ref: 'RFC 4861 §8.1', level: 'MUST', faults: [v.fault, 'redirect-ignored', ...JOIN],
  }, async (t: TestContext) => {
    const { router, global } = await t.join();
    const target = t.host(0x23);
    await throughRouter(t, 1);
    const redirect: NdPacketSpec = {
      src: router.ll, dst: global, message: { kind: 'redirect', target: target.ll, destination: OFF_LINK, options: [{ kind: 'tllao', addr: target.link }] },
    };
    const sent = await t.send(ndPacket(redirect, v.how), { src: ROUTER_LINK });
    const echo = await pingOut(t, OFF_LINK, 2);
    if (!echo) t.inconclusive('precondition: the device sent no second Echo Request to the off-link destination');
    t.check(sameLink(echo.heard.dst, ROUTER_LINK), {
      rule: 'RFC 4861 §8.1', expected: `the Echo Request to the router (${linkText(ROUTER_LINK)}): a Redirect with ${v.what} is discarded`,
      seen: `it went to ${linkText(echo.heard.dst)}, the Redirect's target`, frames: [...sent, ...echo.frames],
    });
    await t.send(ndPacket(redirect), { src: ROUTER_LINK });
    const after = await pingOut(t, OFF_LINK, 3);
    if (!after || !sameLink(after.heard.dst, target.link)) t.inconclusive('the device does not follow the same Redirect when it is valid either');
  });
}

/** The device's Echo Request to OFF_LINK goes to the router (precondition of the Redirect tests). */
async function throughRouter(t: TestContext, seq: number): Promise<Seen> {
  const echo = await pingOut(t, OFF_LINK, seq);
  if (!echo || !sameLink(echo.heard.dst, ROUTER_LINK)) {
    t.inconclusive(`precondition: the device's Echo Request to ${formatIpv6(OFF_LINK)} did not go to the default router (${echo ? where(echo) : 'none sent'})`);
  }
  return echo;
}

// ------------------------------------------------------------ ND-06..08: answering NS

defineTest({
  id: 'ND-06a', title: 'an NS from a unicast address is answered by a solicited NA to that address', suite: 'nd',
  ref: 'RFC 4861 §7.2.4', level: 'MUST', faults: ['na-not-solicited', 'wrong-hop-limit-na'],
}, async (t: TestContext) => {
  const sent = await t.send(nsFrom(t, { ll: t.tester.ll, link: t.tester.address }));
  const na = await t.expect(naFor(t.device.ll), { rule: 'RFC 4861 §7.2.4', expected: 'an NA for the device\'s link-local address', sent });
  const m = ndOf(na, 'na')!;
  const seen = `an NA to ${formatIpv6(na.ip!.header.dst)}, S=${+m.solicited}, hop limit ${na.ip!.header.hopLimit}`;
  const f = [...sent, ...na.frames];
  t.check(sameBytes(na.ip!.header.dst, t.tester.ll), { rule: 'RFC 4861 §7.2.4', expected: `the NA unicast to the NS's source ${formatIpv6(t.tester.ll)}`, seen, frames: f });
  t.check(m.solicited, { rule: 'RFC 4861 §7.2.4', expected: 'the Solicited flag set (the NS came from a unicast address)', seen, frames: f });
  t.check(na.ip!.header.hopLimit === 255, { rule: 'RFC 4861 §4.4', expected: 'hop limit 255', seen, frames: f });
});

defineTest({
  id: 'ND-06b', title: 'an NA for the device\'s own address that carries its link address (TLLAO) has the Override flag set', suite: 'nd',
  ref: 'RFC 4861 §7.2.4', level: 'SHOULD', faults: ['na-without-override'],
}, async (t: TestContext) => {
  // §7.2.4: the TLLAO MAY be left out of an answer to a unicast NS, but when
  // it is there for the node's own (not anycast, not proxied) address, O SHOULD be 1.
  const sent = await t.send(nsFrom(t, { ll: t.tester.ll, link: t.tester.address }));
  const na = await t.expect(naFor(t.device.ll), { rule: 'RFC 4861 §7.2.4', expected: 'an NA for the device\'s link-local address', sent });
  const m = ndOf(na, 'na')!;
  const tllao = llao(m, 'tllao');
  t.check(!tllao || m.override, {
    rule: 'RFC 4861 §7.2.4', expected: 'O=1 on an NA with a TLLAO for the device\'s own address', seen: `O=0 with TLLAO ${linkText(tllao)}`,
    frames: [...sent, ...na.frames],
  });
  if (!tllao) t.note('the NA carried no TLLAO (allowed in answer to a unicast NS)');
});

defineTest({
  id: 'ND-07', title: 'an NS from the unspecified address (a DAD probe) is answered by an NA to all nodes, S=0, with a TLLAO', suite: 'nd',
  ref: 'RFC 4861 §7.2.4', level: 'MUST', needs: ['classic'],
  faults: ['dad-answer-solicited', 'wrong-hop-limit-na', 'iphc-unspecified-source-misdecoded'],
}, async (t: TestContext) => {
  // RFC 4862 §5.4.3: for an assigned (not tentative) address, the DAD probe is
  // answered as RFC 4861 §7.2.4 says: S=0, to all nodes, and (multicast NS) a TLLAO.
  const ns = buildNdPacket({ src: new Uint8Array(16), dst: solicitedNodeAddress(t.device.ll), message: { kind: 'ns', target: t.device.ll, options: [] } });
  const sent = await t.send(ns, { dst: t.broadcast });
  const na = await t.expect(naFor(t.device.ll), { rule: 'RFC 4861 §7.2.4', expected: 'an NA defending the device\'s link-local address', sent });
  const m = ndOf(na, 'na')!;
  const f = [...sent, ...na.frames];
  const seen = `an NA to ${formatIpv6(na.ip!.header.dst)}, S=${+m.solicited}, TLLAO ${linkText(llao(m, 'tllao'))}, hop limit ${na.ip!.header.hopLimit}`;
  t.check(sameBytes(na.ip!.header.dst, ALL_NODES), { rule: 'RFC 4861 §7.2.4', expected: 'the NA multicast to all nodes (ff02::1)', seen, frames: f });
  t.check(!m.solicited, { rule: 'RFC 4861 §7.2.4', expected: 'the Solicited flag clear', seen, frames: f });
  t.check(sameLink(llao(m, 'tllao'), t.device.link), {
    rule: 'RFC 4861 §7.2.4', expected: `a TLLAO with the device's link address ${linkText(t.device.link)} (the NS was multicast)`, seen, frames: f,
  });
  t.check(na.ip!.header.hopLimit === 255, { rule: 'RFC 4861 §4.4', expected: 'hop limit 255', seen, frames: f });
});

defineTest({
  id: 'ND-08', title: 'an NS whose target is a multicast address is silently discarded', suite: 'nd',
  ref: 'RFC 4861 §7.1.1', level: 'MUST', spec: ['v6LC.2.1.7'], faults: ['ns-multicast-target-accepted'],
}, async (t: TestContext) => {
  const since = t.mark();
  const sent = await t.send(buildNdPacket({
    src: t.tester.ll, dst: t.device.ll, message: { kind: 'ns', target: solicitedNodeAddress(t.device.ll), options: [{ kind: 'sllao', addr: t.tester.address }] },
  }));
  await t.expectNone((s) => s.nd?.message.kind === 'na', { rule: 'RFC 4861 §7.1.1', expected: 'no NA: the target is a multicast address', within: 1000, since, sent });
  await t.send(nsFrom(t, { ll: t.tester.ll, link: t.tester.address }));
  if (!(await t.waitFor(naFor(t.device.ll)))) t.inconclusive('the device does not answer a valid NS either');
});

// ------------------------------------------------------------ ND-09..11: the neighbor cache

defineTest({
  id: 'ND-09a', title: 'an NS with an SLLAO creates a neighbor cache entry: the NA goes straight to that link address', suite: 'nd',
  ref: 'RFC 4861 §7.2.3', level: 'SHOULD', needs: ['classic'], faults: ['ns-sllao-ignored'],
}, async (t: TestContext) => {
  // §7.2.3: the recipient SHOULD create or update the entry from the SLLAO
  // (STALE); without one it would first resolve the address (§7.2.2).
  const host = t.host(0x24);
  const since = t.mark();
  const sent = await sendAs(t, host, nsFrom(t, host));
  const na = await t.expect((s) => naFor(t.device.ll)(s) && sameBytes(s.ip!.header.dst, host.ll), {
    rule: 'RFC 4861 §7.2.4', expected: `an NA to ${formatIpv6(host.ll)}`, within: 3000, since, sent,
  });
  const resolved = t.seen.slice(since).find((s) => resolutionFor(host.ll)(s) && s.at < na.at);
  t.check(!resolved && sameLink(na.heard.dst, host.link), {
    rule: 'RFC 4861 §7.2.3', expected: `the NA sent at once to the SLLAO's link address ${linkText(host.link)}, without address resolution`,
    seen: resolved ? `a multicast NS for ${formatIpv6(host.ll)} first: the SLLAO was not taken` : `the NA went to ${linkText(na.heard.dst)}`,
    frames: [...sent, ...frames([resolved, na])],
  });
});

defineTest({
  id: 'ND-09b', title: 'NUD: STALE, then DELAY for 5 s, then MAX_UNICAST_SOLICIT unicast probes RetransTimer apart, then the entry is gone',
  suite: 'nd', ref: 'RFC 4861 §7.3.3', level: 'MUST', faults: ['nud-no-probe', 'ns-sent-twice', 'wrong-hop-limit-ns', ...NEIGHBOR_ENTRY],
  timeoutMs: 20_000,
}, async (t: TestContext) => {
  // A host that has gone silent: the device's NA to it (its first packet to a
  // STALE entry) starts DELAY; DELAY_FIRST_PROBE_TIME (5 s) later come unicast
  // probes, RetransTimer (1 s) apart, MAX_UNICAST_SOLICIT (3) of them, and no more.
  const host = t.host(0x25);
  host.answerNs = false;
  const na = await introduce(t, host);
  const since = t.mark();
  await t.sleep(DELAY_FIRST_PROBE_TIME + (MAX_UNICAST_SOLICIT + 2) * RETRANS_TIMER);
  const probes = t.seen.slice(since).filter(probeFor(host.ll));
  const rule = 'RFC 4861 §7.3.3';
  const f = frames([na, ...probes]);
  const times = probes.map((p) => Math.round(p.at - na.at));
  t.check(probes.length > 0, { rule, expected: `unicast NS probes for ${formatIpv6(host.ll)} from ${DELAY_FIRST_PROBE_TIME} ms after the NA`, seen: 'no probe', frames: f });
  t.check(Math.abs(times[0] - DELAY_FIRST_PROBE_TIME) <= AIR, {
    rule, expected: `the first probe DELAY_FIRST_PROBE_TIME (${DELAY_FIRST_PROBE_TIME} ms) after the first packet to the STALE entry`,
    seen: `probes at ${times.join(', ')} ms`, frames: f,
  });
  t.check(probes.every((p) => sameLink(p.heard.dst, host.link) && sameBytes(p.ip!.header.dst, host.ll) && p.ip!.header.hopLimit === 255), {
    rule, expected: `every probe a valid NS (hop limit 255) unicast to ${formatIpv6(host.ll)} at its cached link address ${linkText(host.link)}`,
    seen: probes.map(where).join('; '), frames: f,
  });
  t.check(probes.length === MAX_UNICAST_SOLICIT && gaps(probes).every((g) => Math.abs(g - RETRANS_TIMER) <= AIR), {
    rule, expected: `${MAX_UNICAST_SOLICIT} probes (MAX_UNICAST_SOLICIT) ${RETRANS_TIMER} ms (RetransTimer) apart, then no more`,
    seen: `${probes.length} probes at ${times.join(', ')} ms`, frames: f,
  });
  if (t.device.mode === 'classic') {
    // The entry was deleted: traffic to the host resolves its address anew.
    const ping = t.mark();
    await devicePing(t, host.ll, 1);
    const first = await t.waitFor((s) => nsFor(host.ll)(s) || echoRequest(1)(s), { since: ping, within: 2000 });
    t.check(first && resolutionFor(host.ll)(first), {
      rule, expected: 'the entry deleted after the unanswered probes: the next packet starts address resolution (a multicast NS)',
      seen: first ? where(first) : 'nothing', frames: frames([first]),
    });
  }
});

defineTest({
  id: 'ND-10a', title: 'address resolution: a multicast NS to the target\'s solicited-node group with an SLLAO; the waiting packet follows the NA',
  suite: 'nd', ref: 'RFC 4861 §7.2.2', level: 'MUST', needs: ['classic'], spec: ['v6LC.2.1.5'],
  faults: ['resolution-ns-to-all-nodes', 'wrong-hop-limit-ns'],
}, async (t: TestContext) => {
  const host = t.host(0x26);
  const since = t.mark();
  if (!(await devicePing(t, host.ll, 1))) t.inconclusive('precondition: the device refused to send an Echo Request to a link-local address');
  const rule = 'RFC 4861 §7.2.2';
  const ns = await t.expect(nsFor(host.ll), { rule, expected: `an NS for ${formatIpv6(host.ll)}`, within: 1000, since });
  const sllao = llao(ndOf(ns, 'ns')!, 'sllao');
  const seen = `${where(ns)}, from ${formatIpv6(ns.ip!.header.src)}, SLLAO ${linkText(sllao)}, hop limit ${ns.ip!.header.hopLimit}`;
  t.check(sameBytes(ns.ip!.header.dst, solicitedNodeAddress(host.ll)), {
    rule, expected: `the NS sent to the target's solicited-node group ${formatIpv6(solicitedNodeAddress(host.ll))}`, seen, frames: ns.frames,
  });
  t.check(sameLink(sllao, t.device.link), { rule, expected: `an SLLAO with the device's link address ${linkText(t.device.link)}`, seen, frames: ns.frames });
  t.check(ns.ip!.header.hopLimit === 255 && sameBytes(ns.ip!.header.src, t.device.ll), {
    rule, expected: 'hop limit 255, from the source of the waiting packet (the device\'s link-local address)', seen, frames: ns.frames,
  });
  const echo = await t.expect(echoRequest(1), { rule, expected: 'the waiting Echo Request sent once the NA arrived', within: 2000, since });
  t.check(sameLink(echo.heard.dst, host.link), {
    rule: 'RFC 4861 §7.2.5', expected: `the Echo Request to the link address the NA gave (${linkText(host.link)})`, seen: where(echo), frames: echo.frames,
  });
});

defineTest({
  id: 'ND-10b', title: 'unanswered address resolution: MAX_MULTICAST_SOLICIT NS, RetransTimer apart, then no more', suite: 'nd',
  ref: 'RFC 4861 §7.2.2', level: 'MUST', needs: ['classic'], faults: ['ns-sent-twice'],
}, async (t: TestContext) => {
  // §7.2.2: retransmitted about every RetransTimer, never more often (MUST);
  // after MAX_MULTICAST_SOLICIT unanswered NS resolution has failed.
  const ghost = withIid(Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0), Uint8Array.of(0x02, 0x12, 0x4b, 0xaa, 0xbb, 0xcc, 0x00, 0x77));
  const since = t.mark();
  if (!(await devicePing(t, ghost, 1))) t.inconclusive('precondition: the device refused to send an Echo Request to a link-local address');
  await t.sleep((MAX_MULTICAST_SOLICIT + 3) * RETRANS_TIMER);
  const ns = t.seen.slice(since).filter(resolutionFor(ghost));
  const times = ns.map((s) => Math.round(s.at - ns[0].at));
  t.check(ns.length === MAX_MULTICAST_SOLICIT && gaps(ns).every((g) => Math.abs(g - RETRANS_TIMER) <= AIR), {
    rule: 'RFC 4861 §7.2.2', expected: `${MAX_MULTICAST_SOLICIT} multicast NS (MAX_MULTICAST_SOLICIT), ${RETRANS_TIMER} ms (RetransTimer) apart, then none`,
    seen: `${ns.length} NS at ${times.join(', ')} ms`, frames: frames(ns),
  });
});

/**
 * ND-11: an NA changing a REACHABLE entry's link address: with O=0 the entry
 * turns STALE and keeps its address; with O=1 the address is replaced (RFC
 * 4861 §7.2.5). STALE shows in the next packet: it starts DELAY, so a probe
 * follows DELAY_FIRST_PROBE_TIME later (a REACHABLE entry would not be probed).
 */
for (const override of [false, true]) {
  defineTest({
    id: override ? 'ND-11b' : 'ND-11a',
    title: override
      ? 'an NA with O=1 and a new link address replaces a REACHABLE entry\'s link address'
      : 'an NA with O=0 and a new link address turns a REACHABLE entry STALE and keeps its link address',
    suite: 'nd', ref: 'RFC 4861 §7.2.5', level: 'MUST',
    faults: [...(override ? ['na-override-not-honoured'] : ['na-override-ignored', 'wrong-hop-limit-ns']), 'nud-no-probe', ...NEIGHBOR_ENTRY],
    timeoutMs: 20_000,
}, async (t: TestContext) => {
    const host = t.host(0x27);
    const other = t.host(0x37);
    await reachable(t, host);
    const sent = await sendAs(t, host, buildNdPacket(naFrom(host, t.device.ll, { s: false, o: override }, other.link)));
    const echo = await pingOut(t, host.ll, 1);
    if (!echo) t.inconclusive(`precondition: the device sent no Echo Request to ${formatIpv6(host.ll)}`);
    const rule = 'RFC 4861 §7.2.5';
    const want = override ? other.link : host.link;
    t.check(sameLink(echo.heard.dst, want), {
      rule, expected: override
        ? `the Echo Request to the new link address ${linkText(other.link)} (O=1 overrides)`
        : `the Echo Request still to the cached link address ${linkText(host.link)} (O=0 does not override)`,
      seen: where(echo), frames: [...sent, ...echo.frames],
    });
    if (override) return;
    const probe = await t.waitFor(probeFor(host.ll), { since: t.mark(), within: DELAY_FIRST_PROBE_TIME + 500 });
    t.check(probe && Math.abs(probe.at - echo.at - DELAY_FIRST_PROBE_TIME) <= AIR && sameLink(probe.heard.dst, host.link), {
      rule, expected: `the entry STALE: a unicast probe to ${linkText(host.link)} DELAY_FIRST_PROBE_TIME (${DELAY_FIRST_PROBE_TIME} ms) after the Echo Request`,
      seen: probe ? `${where(probe)}, ${Math.round(probe.at - echo.at)} ms after` : 'no probe: the entry stayed REACHABLE', frames: [...sent, ...frames([echo, probe])],
    });
  });
}

// ------------------------------------------------------------ ND-12: Router Solicitation

/** The device's RS over `ms` after a reboot (its start), and when it restarted. */
async function rsAfterReboot(t: TestContext, ms: number): Promise<{ rs: Seen[]; start: number }> {
  const start = t.now();
  const since = t.mark();
  await t.reboot();
  await t.sleep(ms);
  return { rs: t.seen.slice(since).filter(isRs), start };
}

defineTest({
  id: 'ND-12a', title: 'at start, Router Solicitations to all routers: classic up to 3, 4 s apart; 6LoWPAN-ND 10 s apart, then backing off to 60 s',
  suite: 'nd', ref: 'RFC 4861 §6.3.7', level: 'SHOULD', needs: ['reboot'], spec: ['v6LC.2.2.1'], faults: ['rs-to-all-nodes', 'rs-sent-twice'],
  timeoutMs: 200_000,
}, async (t: TestContext) => {
  const classic = t.device.mode === 'classic';
  const { rs, start } = await rsAfterReboot(t, classic ? 20_000 : 150_000);
  const times = rs.map((s) => Math.round(s.at - start));
  const seen = `${rs.length} RS at ${times.join(', ')} ms after the restart`;
  const f = frames(rs);
  t.check(rs.length > 0 && times[0] <= MAX_RTR_SOLICITATION_DELAY + 2 * RETRANS_TIMER, {
    rule: 'RFC 4861 §6.3.7', expected: 'a first Router Solicitation soon after the start (within the random delay and DAD)', seen, frames: f,
  });
  const bad = rs.find((s) => !sameBytes(s.ip!.header.dst, ALL_ROUTERS) || s.ip!.header.hopLimit !== 255);
  t.check(!bad, { rule: 'RFC 4861 §6.3.7', expected: 'every RS to all routers (ff02::2), hop limit 255', seen: bad ? where(bad) : '', frames: frames([bad]) });
  const g = gaps(rs);
  if (classic) {
    t.check(rs.length <= MAX_RTR_SOLICITATIONS && g.every((x) => x >= RTR_SOLICITATION_INTERVAL - AIR), {
      rule: 'RFC 4861 §6.3.7', expected: `at most ${MAX_RTR_SOLICITATIONS} RS (MAX_RTR_SOLICITATIONS), at least ${RTR_SOLICITATION_INTERVAL} ms (RTR_SOLICITATION_INTERVAL) apart`,
      seen, frames: f,
    });
    return;
  }
  // RFC 6775 §5.3: up to 3 at least 10 s apart, then truncated binary exponential
  // backoff to MAX_RTR_SOLICITATION_INTERVAL (60 s), until an RA comes.
  const initial = g.slice(0, MAX_RTR_SOLICITATIONS - 1);
  const later = g.slice(MAX_RTR_SOLICITATIONS - 1);
  t.check(initial.every((x) => x >= LOWPAN_RTR_SOLICITATION_INTERVAL - AIR), {
    rule: 'RFC 6775 §5.3', expected: `the first ${MAX_RTR_SOLICITATIONS} RS at least ${LOWPAN_RTR_SOLICITATION_INTERVAL} ms apart`, seen, frames: f,
  });
  t.check(rs.length >= 5 && later.every((x, i) => x >= (i ? later[i - 1] : initial[initial.length - 1] ?? 0) - AIR && x <= MAX_RTR_SOLICITATION_INTERVAL + AIR), {
    rule: 'RFC 6775 §5.3', expected: `RS going on while no RA comes, the interval growing (binary exponential backoff) up to ${MAX_RTR_SOLICITATION_INTERVAL} ms`,
    seen, frames: f,
  });
});

defineTest({
  id: 'ND-12b', title: 'Router Solicitations stop once a valid RA with a router lifetime has come', suite: 'nd',
  ref: 'RFC 4861 §6.3.7', level: 'MUST', needs: ['reboot'], spec: ['v6LC.2.2.2'], faults: ['rs-continues-after-ra', 'rs-sent-twice'],
  timeoutMs: 40_000,
}, async (t: TestContext) => {
  // §6.3.7: having received a valid RA with a non-zero Router Lifetime the host
  // MUST desist from sending additional solicitations (RFC 6775 §5.3: "the RS
  // retransmissions are terminated when an RA is received").
  await t.router({ prefixes: [{ prefix: PREFIX, onLink: t.device.mode === 'classic' }] }, false); // answers the first RS
  const { rs, start } = await rsAfterReboot(t, 30_000);
  if (!rs.length) t.inconclusive('precondition: the device sent no Router Solicitation after its restart');
  const more = rs.slice(1);
  t.check(more.length === 0, {
    rule: 'RFC 4861 §6.3.7', expected: 'one Router Solicitation: the router answered it at once',
    seen: `${rs.length} RS at ${rs.map((s) => Math.round(s.at - start)).join(', ')} ms after the restart`, frames: frames(rs),
  });
});

defineTest({
  id: 'ND-12c', title: 'a Router Solicitation from the unspecified address carries no SLLAO', suite: 'nd',
  ref: 'RFC 4861 §4.1', level: 'MUST', needs: ['classic', 'reboot'], faults: ['rs-sllao-from-unspecified'],
  timeoutMs: 20_000,
}, async (t: TestContext) => {
  // Before DAD of its link-local address has ended the host may solicit from ::
  // (§6.3.7), and then MUST NOT include an SLLAO (§4.1); from its link-local
  // address it SHOULD include one.
  const { rs } = await rsAfterReboot(t, 12_000);
  const unspecified = rs.filter((s) => isUnspecified(s.ip!.header.src));
  if (!unspecified.length) t.note('every RS came from the link-local address: the rule for :: was not exercised');
  const bad = unspecified.find((s) => llao(ndOf(s, 'rs')!, 'sllao'));
  t.check(!bad, { rule: 'RFC 4861 §4.1', expected: 'no SLLAO in an RS from the unspecified address', seen: bad ? `an SLLAO in ${where(bad)}` : '', frames: frames([bad]) });
  const bare = rs.filter((s) => !isUnspecified(s.ip!.header.src) && !llao(ndOf(s, 'rs')!, 'sllao'));
  if (bare.length) t.note(`${bare.length} RS from the link-local address without an SLLAO (RFC 4861 §6.3.7: SHOULD include it)`);
});

defineTest({
  id: 'ND-12d', title: 'a 6LoWPAN-ND host solicits from its link-local address, never from ::, always with an SLLAO', suite: 'nd',
  ref: 'RFC 6775 §5.3', level: 'MUST', needs: ['lowpan-nd', 'reboot'], faults: ['rs-without-sllao'],
  timeoutMs: 35_000,
}, async (t: TestContext) => {
  const { rs } = await rsAfterReboot(t, 25_000);
  if (!rs.length) t.inconclusive('precondition: the device sent no Router Solicitation after its restart');
  const bad = rs.find((s) => isUnspecified(s.ip!.header.src) || !sameLink(llao(ndOf(s, 'rs')!, 'sllao'), t.device.link));
  t.check(!bad, {
    rule: 'RFC 6775 §5.3', expected: `every RS from the link-local address with an SLLAO of the device's link address ${linkText(t.device.link)}`,
    seen: bad ? `${where(bad)} from ${formatIpv6(bad.ip!.header.src)}, SLLAO ${linkText(llao(ndOf(bad, 'rs')!, 'sllao'))}` : '',
    frames: frames([bad]),
  });
});

// ------------------------------------------------------------ ND-13, ND-14: what an RA teaches

/** Whether the device sends its Echo Request to OFF_LINK through the router: the packet, or undefined if it sends none. */
async function offLinkPing(t: TestContext, seq: number): Promise<Seen | undefined> {
  const echo = await pingOut(t, OFF_LINK, seq, 1500);
  return echo && sameLink(echo.heard.dst, ROUTER_LINK) ? echo : undefined;
}

defineTest({
  id: 'ND-13a', title: 'an RA makes its source a default router for off-link traffic, for its Router Lifetime and no longer', suite: 'nd',
  ref: 'RFC 4861 §6.3.4', level: 'MUST', faults: ['router-lifetime-ignored', ...JOIN],
  timeoutMs: 40_000,
}, async (t: TestContext) => {
  const lifetime = 20;
  const start = t.now();
  await t.join({ routerLifetime: lifetime, answerRs: false });
  const rule = 'RFC 4861 §6.3.4';
  const first = await pingOut(t, OFF_LINK, 1, 1500);
  t.check(first && sameLink(first.heard.dst, ROUTER_LINK), {
    rule, expected: `the Echo Request to ${formatIpv6(OFF_LINK)} sent to the default router (${linkText(ROUTER_LINK)})`,
    seen: first ? where(first) : 'no Echo Request', frames: frames([first]),
  });
  await t.sleep(Math.max(0, start + lifetime * 1000 + 1000 - t.now()));
  const late = await offLinkPing(t, 2);
  t.check(!late, {
    rule, expected: `nothing sent to the router once its Router Lifetime (${lifetime} s) has run out`, seen: late ? where(late) : '', frames: frames([late]),
  });
});

defineTest({
  id: 'ND-13b', title: 'an RA with Router Lifetime 0 removes its source from the default routers at once', suite: 'nd',
  ref: 'RFC 4861 §6.3.4', level: 'MUST', faults: ['router-lifetime-ignored', ...JOIN],
}, async (t: TestContext) => {
  const { router } = await t.join({ answerRs: false });
  await throughRouter(t, 1);
  const sent = await t.send(buildNdPacket({ src: router.ll, dst: ALL_NODES, message: router.raMessage({ routerLifetime: 0, prefixes: [] }) }), {
    src: ROUTER_LINK, dst: t.broadcast,
  });
  const late = await offLinkPing(t, 2);
  t.check(!late, {
    rule: 'RFC 4861 §6.3.4', expected: 'nothing sent to the router after its RA with Router Lifetime 0', seen: late ? where(late) : '', frames: [...sent, ...frames([late])],
  });
});

raIgnored('ND-13c', 'a global (not link-local) source address', 'ra-any-source-accepted', 'global-source', ['v6LC.2.2.2']);

defineTest({
  id: 'ND-14a', title: 'an MTU option below the IPv6 minimum of 1280 is ignored: 1280-octet packets still go out', suite: 'nd',
  ref: 'RFC 4861 §6.3.4', level: 'SHOULD', faults: ['ra-mtu-below-minimum-accepted', ...ECHO, ...LARGE_PACKETS],
}, async (t: TestContext) => {
  // §6.3.4: the MTU is copied only if at least the minimum link MTU (RFC 8200
  // §5: 1280) and at most the link's (RFC 4944 §4: 1280 on 802.15.4).
  await t.router({ mtu: 1000 });
  await t.sleep(100);
  const reply = await t.echo({ data: Uint8Array.from({ length: 1232 }, (_, i) => i & 0xff), within: 3000, rule: 'RFC 4861 §6.3.4' });
  t.check(reply.heard.packet.length === 1280 && reply.ip!.extensions.length === 0, {
    rule: 'RFC 4861 §6.3.4', expected: 'the 1280-octet Echo Reply in one IPv6 packet (no Fragment header): the link MTU is still 1280',
    seen: `${reply.heard.packet.length} octets, ${reply.ip!.extensions.map((e) => e.kind).join(', ') || 'no extension headers'}`, frames: reply.frames,
  });
});

defineTest({
  id: 'ND-14b', title: 'the RA\'s Retrans Timer is used: NUD probes come that far apart', suite: 'nd',
  ref: 'RFC 4861 §6.3.4', level: 'SHOULD', faults: ['ra-timers-ignored', 'nud-no-probe', 'ns-sent-twice', ...NEIGHBOR_ENTRY],
  timeoutMs: 25_000,
}, async (t: TestContext) => {
  const retrans = 2500;
  await t.router({ retransTimer: retrans });
  await t.sleep(100);
  const host = t.host(0x28);
  host.answerNs = false;
  const na = await introduce(t, host);
  await t.sleep(DELAY_FIRST_PROBE_TIME + MAX_UNICAST_SOLICIT * retrans + 1000);
  const probes = t.seen.filter((s) => s.at > na.at && probeFor(host.ll)(s));
  t.check(probes.length >= 2 && gaps(probes).every((g) => Math.abs(g - retrans) <= AIR), {
    rule: 'RFC 4861 §6.3.4', expected: `NUD probes ${retrans} ms apart (the advertised Retrans Timer)`,
    seen: `${probes.length} probes, ${gaps(probes).join(', ')} ms apart`, frames: frames(probes),
  });
});

defineTest({
  id: 'ND-14c', title: 'the RA\'s Reachable Time is used: a REACHABLE entry turns STALE after it', suite: 'nd',
  ref: 'RFC 4861 §6.3.4', level: 'SHOULD', faults: ['ra-timers-ignored', 'nud-no-probe', 'wrong-hop-limit-ns', ...NEIGHBOR_ENTRY],
  timeoutMs: 30_000,
}, async (t: TestContext) => {
  // BaseReachableTime 4 s: ReachableTime is 2..6 s (§6.3.2, factors 0.5..1.5).
  // 7 s after the confirmation the entry is STALE, so the next packet starts
  // DELAY and a probe follows 5 s later; with the default 30 s (15..45 s) the
  // entry would still be REACHABLE and no probe would come.
  const base = 4000;
  await t.router({ reachableTime: base });
  await t.sleep(100);
  const host = t.host(0x29);
  await reachable(t, host);
  await t.sleep(1.5 * base + 1000);
  const echo = await pingOut(t, host.ll, 1);
  if (!echo) t.inconclusive(`precondition: the device sent no Echo Request to ${formatIpv6(host.ll)}`);
  const probe = await t.waitFor(probeFor(host.ll), { since: t.mark(), within: DELAY_FIRST_PROBE_TIME + 500 });
  t.check(probe && Math.abs(probe.at - echo.at - DELAY_FIRST_PROBE_TIME) <= AIR, {
    rule: 'RFC 4861 §6.3.4', expected: `the entry STALE after the advertised Reachable Time (${base} ms × 0.5..1.5): a probe ${DELAY_FIRST_PROBE_TIME} ms after the next packet`,
    seen: probe ? `a probe ${Math.round(probe.at - echo.at)} ms after` : 'no probe: the entry was still REACHABLE', frames: frames([echo, probe]),
  });
});

defineTest({
  id: 'ND-14d', title: 'a prefix with the on-link flag makes its addresses on-link: resolved on the link, not sent to the router', suite: 'nd',
  ref: 'RFC 4861 §6.3.4', level: 'MUST', needs: ['classic'], spec: ['v6LC.2.1.3'], faults: ['pio-on-link-flag-ignored', 'wrong-hop-limit-ns', ...JOIN],
}, async (t: TestContext) => {
  await t.join(); // classic: the prefix is advertised with L=1
  const neighbor = withIid(PREFIX, Uint8Array.of(0x02, 0x12, 0x4b, 0xaa, 0xbb, 0xcc, 0x00, 0x2a));
  const host = t.host(0x2a, [neighbor]);
  const since = t.mark();
  if (!(await devicePing(t, neighbor, 1))) t.inconclusive('precondition: the device refused to send an Echo Request to an address of the prefix');
  const first = await t.waitFor((s) => nsFor(neighbor)(s) || echoRequest(1)(s), { since, within: 2000 });
  t.check(first && resolutionFor(neighbor)(first), {
    rule: 'RFC 4861 §6.3.4', expected: `address resolution for ${formatIpv6(neighbor)} (on-link, L=1), not the packet to the router`,
    seen: first ? where(first) : 'nothing', frames: frames([first]),
  });
  const echo = await t.expect(echoRequest(1), { rule: 'RFC 4861 §5.2', expected: 'the Echo Request once resolved', within: 2000, since });
  t.check(sameLink(echo.heard.dst, host.link), {
    rule: 'RFC 4861 §5.2', expected: `the Echo Request to the neighbor's link address ${linkText(host.link)}`, seen: where(echo), frames: echo.frames,
  });
});

// ------------------------------------------------------------ ND-15: Redirect

/** A Redirect of OFF_LINK to another host on the link, from `src` (the router's link-local address by default). */
function redirectOf(t: TestContext, router: { ll: Uint8Array }, global: Uint8Array, target: ReturnType<TestContext['host']>, src = router.ll): Uint8Array {
  return buildNdPacket({
    src, dst: global, message: { kind: 'redirect', target: target.ll, destination: OFF_LINK, options: [{ kind: 'tllao', addr: target.link }] },
  });
}

defineTest({
  id: 'ND-15a', title: 'a Redirect from the first-hop router moves the destination\'s traffic to the target', suite: 'nd',
  ref: 'RFC 4861 §8.3', level: 'SHOULD', faults: ['redirect-ignored', ...JOIN],
}, async (t: TestContext) => {
  const { router, global } = await t.join();
  const target = t.host(0x2b);
  await throughRouter(t, 1);
  const sent = await t.send(redirectOf(t, router, global, target), { src: ROUTER_LINK });
  const echo = await pingOut(t, OFF_LINK, 2);
  t.check(echo && sameLink(echo.heard.dst, target.link), {
    rule: 'RFC 4861 §8.3', expected: `the next Echo Request to ${formatIpv6(OFF_LINK)} sent to the Redirect's target (${linkText(target.link)}, its TLLAO)`,
    seen: echo ? where(echo) : 'no Echo Request', frames: [...sent, ...frames([echo])],
  });
});

defineTest({
  id: 'ND-15b', title: 'a Redirect from a router that is not the first hop for the destination is ignored', suite: 'nd',
  ref: 'RFC 4861 §8.1', level: 'MUST', faults: ['redirect-from-any-router', 'redirect-ignored', ...JOIN],
}, async (t: TestContext) => {
  const { router, global } = await t.join();
  const target = t.host(0x2c);
  const stranger = t.host(0x3c); // another node on the link, posing as a router
  await throughRouter(t, 1);
  const sent = await sendAs(t, stranger, redirectOf(t, router, global, target, stranger.ll));
  const echo = await pingOut(t, OFF_LINK, 2);
  if (!echo) t.inconclusive('precondition: the device sent no second Echo Request to the off-link destination');
  t.check(sameLink(echo.heard.dst, ROUTER_LINK), {
    rule: 'RFC 4861 §8.1', expected: `the Echo Request still to the first-hop router (${linkText(ROUTER_LINK)})`,
    seen: `${where(echo)}: the Redirect from ${formatIpv6(stranger.ll)} was followed`, frames: [...sent, ...echo.frames],
  });
  await t.send(redirectOf(t, router, global, target), { src: ROUTER_LINK });
  const after = await pingOut(t, OFF_LINK, 3);
  if (!after || !sameLink(after.heard.dst, target.link)) t.inconclusive('the device does not follow the same Redirect from its first-hop router either');
});
