// lowpan-nd: 6LoWPAN Neighbor Discovery for hosts (RFC 6775 §5, RFC 8505).
// The tester plays the 6LR/6LBR (RA with PIO, 6CO, ABRO, 6CIO; registration
// answers with any status) and judges the device by what it sends: its RS,
// its registrations, which addresses it uses as sources and answers on, and
// how it compresses (a context is installed when the device compresses with
// it or decodes with it). Conformance catalogue LND-01..09 and the ETSI 6Lo
// plugtest ND TDs (TD_6Lo_ND_xx, TD_6Lo_ND_HC_xx).
import { ALL_NODES } from '../../host/harness/router.js';
import { BROADCAST } from '../../host/harness/tester.js';
import type { ContextSpec, RouterConfig, TesterRouter } from '../../host/harness/router.js';
import type { LowpanEncodeOptions } from '../../host/packet/lowpan.js';
import { buildNdPacket } from '../../host/packet/ndp.js';
import { defineTest } from '../framework/define.js';
import { sameBytes, type Seen, type TestContext } from '../framework/context.js';
import { JOIN } from './common.js';
import {
  CID_DECODE, CIO_E, CIO_L, CONTEXT_0_DECODE, JOINED_ECHO, NO_CONTEXT_USE, SHORT_ADDRESS, OTHER_ROUTER_LINK, PEER_PREFIX_A, PEER_PREFIX_B, PREFIX, PREFIX_B, REMOTE, ROUTER_LINK,
  addressOf, aroOf, cioOf, contextUsed, describeIphc, echoReply, eventually, fmt, iphcOf, isLinkLocal, isMulticast, isRegistration,
  isUnspecified, peerIn, registered, sllaoOf, targetOf, tidNewer, tryDevicePing,
} from './lnd-helpers.js';

const ND = ['lowpan-nd'] as const;

// ------------------------------------------------------------------ shared steps

/** The router's own address in `prefix` (ETSI: "the Router ... using its own global address as the source"). */
const routerGlobal = (prefix = PREFIX) => addressOf(prefix, ROUTER_LINK);

/** An Echo exchange from `src` (an address behind or of the router) to `dst`, sent from the router's link address. */
async function echoViaRouter(t: TestContext, src: Uint8Array, dst: Uint8Array, o: { id?: number; inline?: boolean; encoding?: LowpanEncodeOptions; rule?: string } = {}): Promise<Seen> {
  return t.echo({
    src, dst, id: o.id ?? 0x4e44, seq: 1, rule: o.rule,
    send: { src: ROUTER_LINK, encoding: o.inline ? ADDRESSES_IN_LINE : o.encoding },
  });
}

/** Both addresses carried in line (SAM = DAM = 00): the device reads them without any context. */
const ADDRESSES_IN_LINE: LowpanEncodeOptions = { sac: 0, sam: 0, dac: 0, dam: 0 };

/** The notes the ETSI TDs ask for on a reply ('f' lines: good compression, not a verdict). */
function noteTdFeatures(t: TestContext, reply: Seen): void {
  const f = iphcOf(reply);
  if (!f) return t.note('the reply used the uncompressed dispatch (ETSI TDs expect IPHC, "011TFxHL")');
  if (f.tf !== 3) t.note(`reply TF=${f.tf.toString(2).padStart(2, '0')} (ETSI expects 11: traffic class and flow label elided)`);
  if (f.hlim !== 2 && reply.ip?.header.hopLimit === 64) t.note(`reply HLIM=${f.hlim.toString(2).padStart(2, '0')} for hop limit 64 (ETSI expects 10)`);
}

/** A context for `prefix` (a /64) as a 6CO gives it. */
const ctx = (cid: number, prefix: Uint8Array, compression = true, lifetimeMinutes = 60): ContextSpec => ({ cid, prefix, length: 64, compression, lifetimeMinutes });

/** Registration NSes the device sent for `target`, since the start of the test. */
const registrationsFor = (t: TestContext, target: Uint8Array) => t.seen.filter((s) => isRegistration(s, target));

// ------------------------------------------------------------------ LND-01 RS, no multicast resolution

defineTest({
  id: 'LND-01a', title: 'the host solicits routers: RS to ff02::2 from its link-local address, with an SLLAO', suite: 'lowpan-nd',
  ref: 'RFC 6775 §5.3', level: 'MUST', needs: [...ND], spec: ['TD_6Lo_ND_01'], faults: ['rs-without-sllao', 'rs-to-all-nodes'],
}, async (t: TestContext) => {
  // The runner gave the device 3 s to boot; its first RS comes within 1 s (RFC 4861 §6.3.7 delay).
  const rs = await t.expect((s) => s.nd?.message.kind === 'rs', {
    since: 0, within: 12_000, rule: 'RFC 6775 §5.3', expected: 'a Router Solicitation after the interface came up',
  });
  const h = rs.nd!.header;
  t.check(sameBytes(h.dst, Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2)), {
    rule: 'RFC 6775 §5.3, RFC 4861 §6.3.7', expected: 'the RS sent to the all-routers address ff02::2', seen: `sent to ${fmt(h.dst)}`, frames: rs.frames,
  });
  t.check(!isUnspecified(h.src) && isLinkLocal(h.src), {
    rule: 'RFC 6775 §5.3', expected: 'a link-local source (an unspecified source MUST NOT be used)', seen: `source ${fmt(h.src)}`, frames: rs.frames,
  });
  t.check(h.hopLimit === 255, { rule: 'RFC 4861 §6.1.1', expected: 'hop limit 255', seen: `hop limit ${h.hopLimit}`, frames: rs.frames });
  const sllao = sllaoOf(rs);
  t.check(sllao && sameBytes(sllao.bytes, t.device.link.bytes), {
    rule: 'RFC 6775 §5.3', expected: `an SLLAO with the device's link address (so that the router can unicast its RA)`,
    seen: sllao ? `an SLLAO with ${Buffer.from(sllao.bytes).toString('hex')}` : 'no SLLAO', frames: rs.frames,
  });
});

defineTest({
  id: 'LND-01b', title: 'the host never multicasts an NS: link-local neighbors are reached at the link address of their IID, the rest through the router',
  suite: 'lowpan-nd', ref: 'RFC 6775 §5.1', level: 'MUST', needs: [...ND, 'ping'], faults: [...JOIN, 'multicast-ns-resolution'],
}, async (t: TestContext) => {
  await t.join();
  // RFC 6775 §5.6: link-local destinations by reversing RFC 4291 App. A, every other prefix off-link.
  await t.devicePing(t.tester.ll, 0x0101, 1, 8);
  const local = await t.expect((s) => s.ip?.icmpv6?.type === 128 && sameBytes(s.ip.header.dst, t.tester.ll), {
    rule: 'RFC 6775 §5.6', expected: `the Echo Request to ${fmt(t.tester.ll)}`,
  });
  t.check(sameBytes(local.heard.dst?.bytes ?? new Uint8Array(0), t.tester.address.bytes), {
    rule: 'RFC 6775 §5.6', expected: "the frame sent to the link address the destination's IID gives",
    seen: `sent to ${Buffer.from(local.heard.dst?.bytes ?? []).toString('hex')}`, frames: local.frames,
  });
  await t.devicePing(REMOTE, 0x0102, 1, 8);
  const far = await t.expect((s) => s.ip?.icmpv6?.type === 128 && sameBytes(s.ip.header.dst, REMOTE), {
    rule: 'RFC 6775 §5.6', expected: `the Echo Request to ${fmt(REMOTE)}`,
  });
  t.check(sameBytes(far.heard.dst?.bytes ?? new Uint8Array(0), ROUTER_LINK.bytes), {
    rule: 'RFC 6775 §5.6', expected: 'an off-link destination sent to the default router', seen: `sent to ${Buffer.from(far.heard.dst?.bytes ?? []).toString('hex')}`, frames: far.frames,
  });
  await t.sleep(2000);
  const multicastNs = t.seen.find((s) => s.nd?.message.kind === 'ns' && isMulticast(s.nd.header.dst));
  t.check(!multicastNs, {
    rule: 'RFC 6775 §5.1', expected: 'no multicast NS at all (no address resolution, no multicast DAD)',
    seen: multicastNs ? `an NS to ${fmt(multicastNs.nd!.header.dst)} for ${fmt(targetOf(multicastNs)!)}` : '', frames: multicastNs?.frames,
  });
});

// ------------------------------------------------------------------ LND-02 contexts (6CO)

/**
 * ETSI TD_6Lo_ND_HC_01..04: the router gives context `cid` for the global
 * prefix, sends an Echo Request compressed with it from its own global
 * address, and the device's reply is compressed with it too (SAC = DAC = 1),
 * with the CID extension exactly when the context is not 0 (RFC 6282 §3.1.1).
 */
function contextUseTest(id: string, td: string, cid: number, shortSource: boolean): void {
  defineTest({
    id, title: `a 6CO with C=1 installs context ${cid} for compression: the reply to a request compressed with it is compressed with it (${shortSource ? '16-bit' : 'EUI-64'} address)`,
    suite: 'lowpan-nd', ref: 'RFC 6775 §5.4.2', level: 'SHOULD', needs: [...ND], spec: [td], shortSource,
    faults: [...JOINED_ECHO, ...NO_CONTEXT_USE, ...(cid ? CID_DECODE : CONTEXT_0_DECODE), ...(shortSource ? SHORT_ADDRESS : [])],
  }, async (t: TestContext) => {
    const { global } = await t.join({ contexts: [ctx(cid, PREFIX)] });
    const reply = await echoViaRouter(t, routerGlobal(), global, { rule: 'RFC 6282 §3.1.2' });
    const f = iphcOf(reply);
    t.check(contextUsed(f, 'src') === cid && contextUsed(f, 'dst') === cid, {
      rule: 'RFC 6775 §5.4.2, RFC 6282 §3.1.1', expected: `source and destination compressed with context ${cid} (SAC=1, DAC=1${cid ? ', CID extension' : ', no CID extension'})`,
      seen: describeIphc(f), frames: reply.frames,
    });
    t.check((f!.cid === 1) === (cid !== 0), {
      rule: 'RFC 6282 §3.1.1', expected: cid ? 'the CID extension present' : 'no CID extension (context 0 is implied)', seen: describeIphc(f), frames: reply.frames,
    });
    noteTdFeatures(t, reply);
  });
}
contextUseTest('LND-02a', 'TD_6Lo_ND_HC_01', 0, false);
contextUseTest('LND-02b', 'TD_6Lo_ND_HC_03', 5, false);
contextUseTest('LND-02c', 'TD_6Lo_ND_HC_02', 0, true);
contextUseTest('LND-02d', 'TD_6Lo_ND_HC_04', 5, true);

defineTest({
  id: 'LND-02e', title: 'a context whose 6CO has C=0 is never used for compression', suite: 'lowpan-nd',
  ref: 'RFC 6775 §5.4.2', level: 'MUST', needs: [...ND], faults: [...JOINED_ECHO, 'compress-with-c0-context'],
}, async (t: TestContext) => {
  const { global } = await t.join({ contexts: [ctx(1, PREFIX, false)] });
  // The tester does not compress with a C=0 context either: the request carries the prefix in line.
  const reply = await echoViaRouter(t, routerGlobal(), global);
  const f = iphcOf(reply);
  t.check(contextUsed(f, 'src') === undefined && contextUsed(f, 'dst') === undefined, {
    rule: 'RFC 6775 §5.4.2', expected: 'no address compressed with context 1 (C=0: decompression only)', seen: describeIphc(f), frames: reply.frames,
  });
});

defineTest({
  id: 'LND-02f', title: 'a context whose 6CO has C=0 is still used to decompress what a peer compressed with it', suite: 'lowpan-nd',
  ref: 'RFC 6775 §4.2', level: 'SHOULD', needs: [...ND], faults: [...JOINED_ECHO, ...CID_DECODE, 'c0-context-not-decompressed'],
}, async (t: TestContext) => {
  const { global } = await t.join({ contexts: [ctx(1, PREFIX, false)] });
  // Both addresses compressed with context 1 all the same (SAC=DAC=1, SAM=DAM=11, CID 1/1), as a
  // compressor that has not yet heard of C=0 would (RFC 6775 §4.2: "SHOULD be used in decompression").
  await echoViaRouter(t, routerGlobal(), global, {
    rule: 'RFC 6775 §4.2', encoding: { sac: 1, sam: 3, dac: 1, dam: 3, cid: true, sci: 1, dci: 1 },
  });
});

defineTest({
  id: 'LND-02g', title: 'a context whose lifetime ran out is no longer used for compression (receive-only)', suite: 'lowpan-nd',
  ref: 'RFC 6775 §5.4.3', level: 'MUST', timeoutMs: 90_000, needs: [...ND], faults: [...JOINED_ECHO, ...NO_CONTEXT_USE, 'context-lifetime-ignored'],
}, async (t: TestContext) => {
  const { router, global } = await t.join({ contexts: [ctx(0, PREFIX, true, 1)] });
  // From now on the router's RAs (answers to RS) carry no 6CO: the one-minute lifetime is not renewed.
  router.config = { ...router.config, contexts: [] };
  const before = iphcOf(await echoViaRouter(t, routerGlobal(), global, { id: 1, inline: true }));
  if (contextUsed(before, 'src') !== 0) t.inconclusive(`precondition: the device does not compress with context 0 while it is valid (${describeIphc(before)})`);
  await t.sleep(70_000);
  const reply = await echoViaRouter(t, routerGlobal(), global, { id: 2, inline: true });
  const f = iphcOf(reply);
  t.check(contextUsed(f, 'src') === undefined && contextUsed(f, 'dst') === undefined, {
    rule: 'RFC 6775 §5.4.3', expected: 'after the 6CO valid lifetime (1 min) no address compressed with context 0 (receive-only, as with C=0)',
    seen: describeIphc(f), frames: reply.frames,
  });
});

defineTest({
  id: 'LND-02h', title: 'a 6CO with valid lifetime 0 removes the context at once: not used to compress nor to decompress', suite: 'lowpan-nd',
  ref: 'RFC 6775 §4.2', level: 'MUST', needs: [...ND], faults: [...JOINED_ECHO, ...NO_CONTEXT_USE, ...CID_DECODE, 'context-removal-ignored'],
}, async (t: TestContext) => {
  const { router, global } = await t.join({ contexts: [ctx(2, PREFIX)] });
  const before = iphcOf(await echoViaRouter(t, routerGlobal(), global, { id: 1 }));
  if (contextUsed(before, 'src') !== 2) t.inconclusive(`precondition: the device does not compress with context 2 while it is valid (${describeIphc(before)})`);
  router.config = { ...router.config, contexts: [] };
  await router.sendRa(ALL_NODES, BROADCAST, { contexts: [ctx(2, PREFIX, true, 0)] });
  await t.sleep(500);
  const reply = await echoViaRouter(t, routerGlobal(), global, { id: 2, inline: true });
  const f = iphcOf(reply);
  t.check(contextUsed(f, 'src') === undefined && contextUsed(f, 'dst') === undefined, {
    rule: 'RFC 6775 §4.2', expected: 'no address compressed with context 2 after its removal', seen: describeIphc(f), frames: reply.frames,
  });
  // The tester still compresses with context 2: a device that removed it cannot read the request.
  const sent = await t.send(t.echoRequest({ id: 3, src: routerGlobal(), dst: global }), { src: ROUTER_LINK });
  await t.expectNone(echoReply(3), {
    rule: 'RFC 6775 §4.2', expected: 'no answer to a request compressed with the removed context 2 (the entry "MUST be removed immediately")', sent, within: 2000,
  });
});

// ------------------------------------------------------------------ LND-03 ABRO versions

/** Joins with an ABRO of `version` and context 1 for `contextPrefix`; checks the device compresses a peer in it with context 1. */
async function joinWithAbro(t: TestContext, version: number, contextPrefix: Uint8Array): Promise<{ router: TesterRouter; global: Uint8Array }> {
  const j = await t.join({ abro: { version }, contexts: [ctx(1, contextPrefix)] });
  const f = iphcOf(await echoViaRouter(t, peerIn(contextPrefix), j.global, { id: 1, inline: true }));
  if (contextUsed(f, 'dst') !== 1) t.inconclusive(`precondition: the device does not compress a peer in ${fmt(contextPrefix)}/64 with context 1 (${describeIphc(f)})`);
  return j;
}

/** The RA of a 6LBR that changed its context 1: ABRO `version`, context 1 for `contextPrefix`. */
async function announce(router: TesterRouter, version: number, contextPrefix: Uint8Array, keep: boolean): Promise<void> {
  const change: Partial<RouterConfig> = { abro: { version }, contexts: [ctx(1, contextPrefix)] };
  if (keep) router.config = { ...router.config, ...change };
  await router.sendRa(ALL_NODES, BROADCAST, change);
}

defineTest({
  id: 'LND-03a', title: 'an RA with a newer ABRO version replaces the stored context information', suite: 'lowpan-nd',
  ref: 'RFC 6775 §8.1.3', level: 'MUST', needs: [...ND], faults: [...JOINED_ECHO, ...NO_CONTEXT_USE, 'abro-newer-version-ignored'],
}, async (t: TestContext) => {
  const { router, global } = await joinWithAbro(t, 10, PEER_PREFIX_A);
  await announce(router, 11, PEER_PREFIX_B, true);
  t.tester.contexts.set(1, { prefix: PEER_PREFIX_B, length: 64, compress: true });
  await t.sleep(500);
  // Sent with the addresses in line, so that the device's reading does not depend on its contexts.
  const reply = await echoViaRouter(t, peerIn(PEER_PREFIX_B), global, { id: 2, inline: true });
  const f = iphcOf(reply);
  t.check(contextUsed(f, 'dst') === 1, {
    rule: 'RFC 6775 §8.1.3, §5.4.2', expected: `the reply to ${fmt(peerIn(PEER_PREFIX_B))} compressed with context 1 as version 11 defines it (${fmt(PEER_PREFIX_B)}/64)`,
    seen: describeIphc(f), frames: reply.frames,
  });
});

defineTest({
  id: 'LND-03b', title: 'an RA with an older ABRO version is ignored: its contexts do not replace the newer ones', suite: 'lowpan-nd',
  // RFC 6775 §8.1.3 states the rule for the routers that relay 6LBR information; a host that keeps
  // that information (RFC 6775 §4.3) is held to the same rule here, as a SHOULD.
  ref: 'RFC 6775 §8.1.3', level: 'SHOULD', needs: [...ND], faults: [...JOINED_ECHO, ...NO_CONTEXT_USE, 'abro-ignored'],
}, async (t: TestContext) => {
  const { router, global } = await joinWithAbro(t, 11, PEER_PREFIX_B);
  await announce(router, 10, PEER_PREFIX_A, false);
  await t.sleep(500);
  const reply = await echoViaRouter(t, peerIn(PEER_PREFIX_B), global, { id: 2, inline: true });
  const f = iphcOf(reply);
  t.check(contextUsed(f, 'dst') === 1, {
    rule: 'RFC 6775 §8.1.3', expected: `context 1 still ${fmt(PEER_PREFIX_B)}/64 (version 11): the reply to ${fmt(peerIn(PEER_PREFIX_B))} compressed with it`,
    seen: describeIphc(f), frames: reply.frames,
  });
});

// ------------------------------------------------------------------ LND-04 registration

/** Checks one registration NS (RFC 6775 §5.5.1, §4.1; RFC 8505 §5.5, §4.1). */
function checkRegistrationNs(t: TestContext, ns: Seen, routerLl: Uint8Array): void {
  const h = ns.nd!.header;
  const aro = aroOf(ns)!;
  const rule = 'RFC 6775 §5.5.1';
  t.check(sameBytes(h.dst, routerLl) && sameBytes(ns.heard.dst?.bytes ?? new Uint8Array(0), ROUTER_LINK.bytes), {
    rule: 'RFC 6775 §5.5', expected: `a unicast NS to the router (${fmt(routerLl)})`, seen: `sent to ${fmt(h.dst)}`, frames: ns.frames,
  });
  t.check(!isUnspecified(h.src), { rule, expected: 'a source address (an unspecified source MUST NOT be used)', seen: 'the unspecified source', frames: ns.frames });
  t.check(h.hopLimit === 255, { rule: 'RFC 4861 §7.1.1', expected: 'hop limit 255', seen: `hop limit ${h.hopLimit}`, frames: ns.frames });
  const sllao = sllaoOf(ns);
  t.check(sllao && sameBytes(sllao.bytes, t.device.link.bytes), {
    rule, expected: `an SLLAO with the link address the device sends from`, seen: sllao ? `SLLAO ${Buffer.from(sllao.bytes).toString('hex')}` : 'no SLLAO', frames: ns.frames,
  });
  t.check(aro.status === 0 && aro.lifetime > 0, {
    rule: 'RFC 6775 §4.1', expected: 'an ARO with Status 0 and a non-zero Registration Lifetime', seen: `Status ${aro.status}, lifetime ${aro.lifetime} min`, frames: ns.frames,
  });
}

/**
 * The faults that keep a device on its 16-bit short address from being reached in the LND-04
 * tests. The router sends no 6CIO (the ETSI TDs' RFC 6775 routers): the host registers its global
 * address from that address (RFC 8505 §6.3, RFC 6775 §4.1) and the router answers it there, and
 * no context is given, so no address the device receives is elided from its short address: a
 * misread 16-bit IID (short-iid-byte-swapped) does not touch these tests (LND-02c/d check it).
 */
const SHORT_DESTINATION = ['short-mac-destination-ignored'];

function registrationTest(id: string, td: string, shortSource: boolean): void {
  defineTest({
    id, title: `the host registers its global address (NS with ARO and SLLAO to the router) and answers on it once registered (${shortSource ? '16-bit' : 'EUI-64'} address)`,
    suite: 'lowpan-nd', ref: 'RFC 6775 §5.5.1', level: 'MUST', needs: [...ND], spec: [td], shortSource,
    faults: [...JOINED_ECHO, 'registration-without-sllao', ...(shortSource ? SHORT_DESTINATION : [])],
  }, async (t: TestContext) => {
    const { router, global } = await t.join();
    const ns = registrationsFor(t, global)[0];
    checkRegistrationNs(t, ns, router.ll);
    const reply = await echoViaRouter(t, routerGlobal(), global);
    noteTdFeatures(t, reply);
  });
}
registrationTest('LND-04a', 'TD_6Lo_ND_01', false);
registrationTest('LND-04b', 'TD_6Lo_ND_02', true);

function multiPrefixTest(id: string, td: string, shortSource: boolean): void {
  defineTest({
    id, title: `with two prefixes advertised the host forms, registers and answers on an address in each (${shortSource ? '16-bit' : 'EUI-64'} address)`,
    // RFC 4862 §5.5.3 d) forms an address per advertised prefix; RFC 6775 §5.4.1 registers every
    // configured address. The ETSI TD marks it optional: not every host handles several prefixes.
    suite: 'lowpan-nd', ref: 'RFC 6775 §5.4.1', level: 'SHOULD', needs: [...ND], spec: [td], shortSource,
    faults: [...JOINED_ECHO, 'registers-one-global-address', ...(shortSource ? SHORT_DESTINATION : [])],
  }, async (t: TestContext) => {
    const { router, global } = await t.join({ prefixes: [{ prefix: PREFIX }, { prefix: PREFIX_B }] });
    const second = t.addressIn(PREFIX_B);
    t.check(await registered(t, router, second, 10_000), {
      rule: 'RFC 6775 §5.4.1', expected: `a registration of ${fmt(second)} (the address in the second prefix)`,
      seen: `registrations only for ${[...new Set(router.registrations.map((r) => fmt(r.target)))].join(', ')}`,
      frames: t.seen.filter((s) => isRegistration(s)).flatMap((s) => s.frames),
    });
    await echoViaRouter(t, routerGlobal(PREFIX), global, { id: 1 });
    await echoViaRouter(t, routerGlobal(PREFIX_B), second, { id: 2 });
  });
}
multiPrefixTest('LND-04c', 'TD_6Lo_ND_06', false);
multiPrefixTest('LND-04d', 'TD_6Lo_ND_07', true);

defineTest({
  id: 'LND-04e', title: 'host NUD: traffic through the router after ReachableTime makes the host probe it with a unicast NS',
  suite: 'lowpan-nd', ref: 'RFC 6775 §5.5', level: 'MUST', timeoutMs: 45_000, needs: [...ND, 'ping'], spec: ['TD_6Lo_ND_03'], faults: [...JOIN, 'nud-no-probe'],
}, async (t: TestContext) => {
  // BaseReachableTime 10 s: the router's entry is STALE after at most 15 s (RFC 4861 §6.3.2);
  // traffic then moves it to DELAY and, 5 s later, to PROBE with a unicast NS (RFC 4861 §7.3.3).
  const { router } = await t.join({ reachableTime: 10_000 });
  await t.sleep(20_000);
  const from = t.mark();
  for (let seq = 1; seq <= 10; seq++) {
    await t.devicePing(REMOTE, 0x4e55, seq, 4);
    await t.sleep(1000);
  }
  await t.expect((s) => s.nd?.message.kind === 'ns' && sameBytes(s.nd.header.dst, router.ll) && (sameBytes(s.nd.message.target, router.ll) || !!aroOf(s)), {
    since: from, within: 5000, rule: 'RFC 6775 §5.5, RFC 4861 §7.3.3',
    expected: `a unicast NS to the router ${fmt(router.ll)} (NUD: DELAY_FIRST_PROBE_TIME after traffic to a STALE entry)`,
  });
});

/** ETSI TD_6Lo_ND_04/05: the 6LR probes the host with a unicast NS after some traffic; the host answers with a solicited NA. */
async function answerNudProbe(t: TestContext, router: TesterRouter, global: Uint8Array): Promise<void> {
  const probe = buildNdPacket({
    src: router.ll, dst: global,
    message: { kind: 'ns', target: global, options: [{ kind: 'sllao', addr: ROUTER_LINK }] },
  });
  const since = t.mark();
  await router.send(probe, t.device.link);
  const na = await t.expect((s) => s.nd?.message.kind === 'na' && sameBytes(s.nd.message.target, global), {
    since, rule: 'RFC 4861 §7.2.4', expected: `a Neighbor Advertisement for ${fmt(global)} in answer to the router's unicast NS`,
  });
  const m = na.nd!.message;
  if (m.kind !== 'na') return;
  t.check(m.solicited, { rule: 'RFC 4861 §7.2.4', expected: 'Solicited flag set', seen: 'S=0', frames: na.frames });
  t.check(sameBytes(na.nd!.header.dst, router.ll), {
    rule: 'RFC 4861 §7.2.4', expected: `sent to the NS source ${fmt(router.ll)}`, seen: `sent to ${fmt(na.nd!.header.dst)}`, frames: na.frames,
  });
  t.check(na.nd!.header.hopLimit === 255, { rule: 'RFC 4861 §7.1.2', expected: 'hop limit 255', seen: `hop limit ${na.nd!.header.hopLimit}`, frames: na.frames });
}

defineTest({
  id: 'LND-04f', title: 'router NUD (ICMP): after a sequence of Echo Requests the host answers the router\'s unicast NS with a solicited NA',
  suite: 'lowpan-nd', ref: 'RFC 6775 §5.5', level: 'MUST', spec: ['TD_6Lo_ND_04'],
  faults: [...JOIN, 'drop-echo-replies', 'echo-reply-wrong-data', 'echo-reply-from-link-local', 'ignore-ns-for-global', 'wrong-hop-limit-na', 'na-not-solicited'],
}, async (t: TestContext) => {
  const { router, global } = await t.join();
  for (let seq = 1; seq <= 3; seq++) await t.echo({ src: router.ll, dst: global, id: 0x4e34, seq, send: { src: ROUTER_LINK } });
  await t.sleep(10_000);
  await answerNudProbe(t, router, global);
});

defineTest({
  id: 'LND-04g', title: 'router NUD (UDP): after a sequence of CoAP pings the host answers the router\'s unicast NS with a solicited NA',
  suite: 'lowpan-nd', ref: 'RFC 6775 §5.5', level: 'MUST', needs: ['coap'], spec: ['TD_6Lo_ND_05'],
  faults: [...JOIN, 'ignore-ns-for-global', 'wrong-hop-limit-na', 'na-not-solicited', 'coap-ping-unanswered'],
}, async (t: TestContext) => {
  const { router, global } = await t.join();
  for (let mid = 1; mid <= 3; mid++) {
    // A CoAP ping: an Empty Confirmable message, answered by a Reset (RFC 7252 §4.3).
    const ping = t.packet({ src: router.ll, dst: global, upper: { kind: 'udp', srcPort: 5683, dstPort: 5683, payload: Uint8Array.of(0x40, 0, 0x70, mid) } });
    const sent = await t.send(ping, { src: ROUTER_LINK });
    await t.expect((s) => s.ip?.udp?.srcPort === 5683 && s.ip.udp.payload.length === 4 && (s.ip.udp.payload[0] & 0x30) === 0x30 && s.ip.udp.payload[3] === mid, {
      rule: 'RFC 7252 §4.3', expected: `a Reset for the CoAP ping (Message ID 0x70${mid.toString(16).padStart(2, '0')})`, sent,
    });
  }
  await t.sleep(10_000);
  await answerNudProbe(t, router, global);
});

// ------------------------------------------------------------------ LND-05/06 registration failures

/** Answers registrations of global addresses with `status`, the link-local one with success. */
const refuseGlobal = (status: number) => (target: Uint8Array) => (isLinkLocal(target) ? 0 : status);

defineTest({
  id: 'LND-05', title: 'an address the router calls a duplicate (ARO status 1) is not used: no source, no answers on it',
  suite: 'lowpan-nd', ref: 'RFC 6775 §5.5.3', level: 'MUST', needs: [...ND, 'ping'], faults: ['ignore-aro-status', ...JOIN],
}, async (t: TestContext) => {
  const router = await t.router({ prefixes: [{ prefix: PREFIX }], aroStatus: refuseGlobal(1) });
  const dup = t.addressIn(PREFIX);
  if (!(await registered(t, router, dup, 30_000, 1))) t.inconclusive(`precondition: the device never tried to register ${fmt(dup)}`);
  const from = t.mark();
  await t.sleep(1000);
  const sent = await t.send(t.echoRequest({ id: 0x0d, src: router.ll, dst: dup }), { src: ROUTER_LINK });
  await t.expectNone(echoReply(0x0d), {
    rule: 'RFC 6775 §5.5.3, RFC 4862 §5.4.5', expected: `no Echo Reply from the duplicate address ${fmt(dup)}`, sent, within: 2000,
  });
  await tryDevicePing(t, REMOTE, 0x0e, 1);
  await t.sleep(2000);
  const used = t.seen.slice(from).find((s) => s.ip && sameBytes(s.ip.header.src, dup));
  t.check(!used, {
    rule: 'RFC 6775 §5.5.3', expected: `no packet from ${fmt(dup)} after the router answered status 1 (the host MUST NOT use the address)`,
    seen: used ? `a packet from it (ICMPv6 type ${used.ip!.icmpv6?.type ?? '-'})` : '', frames: used?.frames,
  });
});

defineTest({
  id: 'LND-06', title: 'after ARO status 2 (neighbor cache full) the host drops that router and registers with another one it knows',
  suite: 'lowpan-nd', ref: 'RFC 6775 §5.5.3', level: 'SHOULD', needs: [...ND, 'ping'], faults: [...JOIN, 'ignore-aro-status', 'cache-full-retries-same-router', 'rs-continues-after-ra'],
}, async (t: TestContext) => {
  // Each router answers only the registrations sent to it: A is full, B accepts.
  const toRouter = (ll: () => Uint8Array, status: number) => (_: Uint8Array, ns: { header: { dst: Uint8Array } }) => (sameBytes(ns.header.dst, ll()) ? status : undefined);
  let a!: TesterRouter;
  let b!: TesterRouter;
  a = await t.router({ prefixes: [{ prefix: PREFIX }], aroStatus: toRouter(() => a.ll, 2) });
  b = await t.router({ link: OTHER_ROUTER_LINK, prefixes: [{ prefix: PREFIX }], aroStatus: toRouter(() => b.ll, 0) });
  const global = t.addressIn(PREFIX);
  if (!(await eventually(t, () => a.registrations.some((r) => r.status === 2), 30_000))) {
    t.inconclusive('precondition: the device never registered with router A (the first to advertise)');
  }
  t.check(await registered(t, b, global, 30_000), {
    rule: 'RFC 6775 §5.5.3', expected: `${fmt(global)} registered with router B (${fmt(b.ll)}) after router A answered status 2`,
    seen: `registrations with B: ${b.registrations.map((r) => `${fmt(r.target)} status ${r.status}`).join(', ') || 'none'}`,
    frames: t.seen.filter((s) => isRegistration(s)).flatMap((s) => s.frames),
  });
  // The full router is out of the default router list: off-link traffic goes to B.
  await t.devicePing(REMOTE, 0x0b, 1, 8);
  const far = await t.expect((s) => s.ip?.icmpv6?.type === 128 && sameBytes(s.ip.header.dst, REMOTE), { rule: 'RFC 6775 §5.6', expected: `the Echo Request to ${fmt(REMOTE)}` });
  t.check(sameBytes(far.heard.dst?.bytes ?? new Uint8Array(0), OTHER_ROUTER_LINK.bytes), {
    rule: 'RFC 6775 §5.5.3', expected: 'off-link traffic sent through router B (A removed from the default router list)',
    seen: `sent to ${Buffer.from(far.heard.dst?.bytes ?? []).toString('hex')}`, frames: far.frames,
  });
});

// ------------------------------------------------------------------ LND-07/08 re-registration, EARO

/** Joins (with a router configured so) and waits through one registration lifetime; returns the first accepted registration of the global address and those after it. */
async function throughOneLifetime(t: TestContext, config: Partial<RouterConfig> = {}): Promise<{ router: TesterRouter; global: Uint8Array; first: Seen; later: Seen[]; lifetimeMs: number }> {
  const { router, global } = await t.join(config);
  const first = registrationsFor(t, global).pop()!;
  const lifetimeMs = aroOf(first)!.lifetime * 60_000;
  await t.sleep(Math.max(0, first.at + lifetimeMs - 1000 - t.now()));
  const later = registrationsFor(t, global).filter((s) => s.at > first.at && s.at < first.at + lifetimeMs);
  return { router, global, first, later, lifetimeMs };
}

defineTest({
  id: 'LND-07', title: 'the host re-registers its address before the registration lifetime ends', suite: 'lowpan-nd',
  ref: 'RFC 6775 §5.5.1', level: 'MUST', timeoutMs: 3_700_000, needs: [...ND], faults: [...JOINED_ECHO, 'no-re-registration'],
}, async (t: TestContext) => {
  const { global, first, later, lifetimeMs } = await throughOneLifetime(t);
  t.check(later.length > 0 && aroOf(later[0])!.lifetime > 0, {
    rule: 'RFC 6775 §5.5.1, §5.5', expected: `a new NS with ARO for ${fmt(global)} within the ${lifetimeMs / 60_000}-minute lifetime registered at ${Math.round(first.at / 1000)} s`,
    seen: later.length ? `an NS with lifetime ${aroOf(later[0])!.lifetime}` : 'no registration NS before the lifetime ended', frames: [...first.frames, ...later.flatMap((s) => s.frames)],
  });
  await t.sleep(2000);
  await echoViaRouter(t, routerGlobal(), global, { rule: 'RFC 6775 §5.5' });
});

defineTest({
  id: 'LND-08a', title: 'EARO: each re-registration carries a newer TID (T flag set)', suite: 'lowpan-nd',
  ref: 'RFC 8505 §5.2', level: 'MUST', timeoutMs: 3_700_000, needs: [...ND], faults: [...JOIN, 'no-re-registration', 'earo-tid-constant', 'aro-without-t-flag'],
}, async (t: TestContext) => {
  // An RFC 8505 router (6CIO with E, §6.3): the one that reads the TID.
  const { first, later } = await throughOneLifetime(t, { cioFlags: CIO_E });
  if (!later.length) t.fail({ rule: 'RFC 8505 §5.2', expected: 'a re-registration within the registration lifetime', seen: 'none', frames: first.frames });
  const a = aroOf(first)!;
  const b = aroOf(later[0])!;
  t.check(a.t && b.t, { rule: 'RFC 8505 §5.1', expected: 'the T flag set (an EARO with a TID)', seen: `T=${a.t ? 1 : 0} then T=${b.t ? 1 : 0}`, frames: [...first.frames, ...later[0].frames] });
  t.check(tidNewer(b.tid!, a.tid!) === true, {
    rule: 'RFC 8505 §5.2, §5.2.1', expected: `a TID more recent than ${a.tid} (lollipop comparison)`, seen: `TID ${b.tid}`, frames: [...first.frames, ...later[0].frames],
  });
});

defineTest({
  id: 'LND-08b', title: 'EARO: a host sets the R flag and the T flag, Status 0 and I=0 in its registrations', suite: 'lowpan-nd',
  ref: 'RFC 8505 §5.1', level: 'MUST', needs: [...ND], faults: [...JOIN, 'earo-r-flag-clear', 'aro-without-t-flag'],
}, async (t: TestContext) => {
  // An RFC 8505 router (6CIO with E, §6.3): every registration, the link-local one (§5.6) included.
  const { global } = await t.join({ cioFlags: CIO_E });
  for (const ns of t.seen.filter((s) => isRegistration(s))) {
    const aro = aroOf(ns)!;
    const seen = `R=${aro.r ? 1 : 0} T=${aro.t ? 1 : 0} Status ${aro.status} I=${aro.i} for ${fmt(targetOf(ns)!)}`;
    t.check(aro.t, { rule: 'RFC 8505 §5.1, §6', expected: 'T set: an updated 6LN always uses the EARO', seen, frames: ns.frames });
    t.check(aro.r, { rule: 'RFC 8505 §5.1', expected: 'R set (a 6LN that acts only as a host MUST set it)', seen, frames: ns.frames });
    t.check(aro.status === 0 && aro.i === 0, { rule: 'RFC 8505 §4.1', expected: 'Status 0 in an NS, I=0', seen, frames: ns.frames });
  }
  t.check(registrationsFor(t, global).length > 0, { rule: 'RFC 8505 §5.5', expected: 'a registration of the global address', seen: 'none' });
});

defineTest({
  id: 'LND-08c', title: 'an NA whose EARO carries another ROVR is not an answer: a "duplicate" for someone else is ignored', suite: 'lowpan-nd',
  ref: 'RFC 6775 §5.5.2', level: 'MUST', needs: [...ND], faults: [...JOINED_ECHO, 'rovr-not-checked'],
}, async (t: TestContext) => {
  const global = t.addressIn(PREFIX);
  let forged = false;
  // Silent on the first registration of the global address, so that the forged answer comes first.
  const router = await t.router({ prefixes: [{ prefix: PREFIX }], aroStatus: (target) => (sameBytes(target, global) && !forged ? undefined : 0) });
  const ns = await t.expect((s) => isRegistration(s, global), { since: 0, within: 30_000, rule: 'RFC 6775 §5.5.1', expected: `a registration of ${fmt(global)}` });
  const aro = aroOf(ns)!;
  const otherRovr = aro.rovr.map((b) => b ^ 0x5a);
  const na = buildNdPacket({
    src: router.ll, dst: ns.nd!.header.src,
    message: { kind: 'na', router: true, solicited: true, override: false, target: global, options: [{ ...aro, status: 1, rovr: otherRovr }] },
  });
  forged = true;
  await router.send(na, t.device.link);
  t.check(await registered(t, router, global, 10_000), {
    rule: 'RFC 6775 §5.5.2', expected: 'the registration retried and completed (the NA for another ROVR silently ignored)',
    seen: 'no further registration: the device took the duplicate status meant for another ROVR', frames: ns.frames,
  });
  await echoViaRouter(t, routerGlobal(), global);
});

// ------------------------------------------------------------------ LND-09 6CIO, EARO with any router

defineTest({
  id: 'LND-09a', title: 'the host\'s RS carries a 6CIO with the E flag (EARO support)', suite: 'lowpan-nd',
  ref: 'RFC 8505 §6.1', level: 'MUST', needs: [...ND], faults: ['rs-without-6cio'],
}, async (t: TestContext) => {
  const rs = await t.expect((s) => s.nd?.message.kind === 'rs', { since: 0, within: 12_000, rule: 'RFC 6775 §5.3', expected: 'a Router Solicitation' });
  const cio = cioOf(rs);
  t.check(cio && cio.length === 1 && (cio.flags & CIO_E) !== 0, {
    rule: 'RFC 8505 §6.1, §4.3', expected: 'a 6CIO (type 36, Length 1) with the E flag set',
    seen: cio ? `a 6CIO with Length ${cio.length}, flags 0x${cio.flags.toString(16).padStart(4, '0')}` : 'no 6CIO', frames: rs.frames,
  });
});

defineTest({
  id: 'LND-09b', title: 'with a router whose 6CIO has E set, the host registers with the EARO from a registered link-local source',
  suite: 'lowpan-nd', ref: 'RFC 8505 §5.6', level: 'MUST', needs: [...ND], faults: [...JOIN, 'aro-without-t-flag', 'registers-from-global-source'],
}, async (t: TestContext) => {
  const { router, global } = await t.join({ cioFlags: CIO_L | CIO_E });
  const ok: Uint8Array[] = [];
  for (const ns of t.seen.filter((s) => isRegistration(s))) {
    const src = ns.nd!.header.src;
    const target = targetOf(ns)!;
    const aro = aroOf(ns)!;
    t.check(aro.t, { rule: 'RFC 8505 §6', expected: 'an EARO (T set)', seen: 'an ARO without the T flag', frames: ns.frames });
    t.check(isLinkLocal(src) && (sameBytes(src, target) || ok.some((a) => sameBytes(a, src))), {
      rule: 'RFC 8505 §5.6', expected: 'a link-local source that is the address being registered or one already registered',
      seen: `source ${fmt(src)} registering ${fmt(target)}`, frames: ns.frames,
    });
    if (router.registrationsOf(target).some((r) => r.status === 0)) ok.push(target);
  }
  t.check(registrationsFor(t, global).length > 0, { rule: 'RFC 8505 §5.6', expected: `a registration of ${fmt(global)}`, seen: 'none' });
});

/** RFC 8505 §6.3: with an RFC 6775-only router the host still sends an EARO (T set), with a 64-bit ROVR, the RFC 6775 way. */
async function rfc6775RouterTest(t: TestContext, cioFlags: number | undefined): Promise<void> {
  const { global } = await t.join(cioFlags === undefined ? {} : { cioFlags });
  const ns = registrationsFor(t, global)[0];
  const aro = aroOf(ns)!;
  t.check(aro.t, { rule: 'RFC 8505 §6.3', expected: 'an EARO (T set) whatever the router', seen: 'an ARO without the T flag', frames: ns.frames });
  t.check(aro.rovr.length === 8, {
    rule: 'RFC 8505 §6.3', expected: 'a 64-bit ROVR (Length 2) for an RFC 6775-only router', seen: `a ${aro.rovr.length * 8}-bit ROVR`, frames: ns.frames,
  });
  // RFC 8505 §6: backward compatible with RFC 6775, whose router registers the NS source (RFC 6775 §4.1, §6.5.3).
  t.check(sameBytes(ns.nd!.header.src, global), {
    rule: 'RFC 8505 §6, RFC 6775 §4.1', expected: `the registered address ${fmt(global)} as the NS source (an RFC 6775 router registers the source)`,
    seen: `source ${fmt(ns.nd!.header.src)}`, frames: ns.frames,
  });
}

defineTest({
  id: 'LND-09c', title: 'with a router whose 6CIO has E clear (RFC 6775-only), the host sends an EARO with a 64-bit ROVR from the address it registers',
  suite: 'lowpan-nd', ref: 'RFC 8505 §6.3', level: 'MUST', needs: [...ND], faults: [...JOIN, 'aro-without-t-flag', 'rovr-128-bit', 'registers-from-link-local-source'],
}, async (t: TestContext) => {
  await rfc6775RouterTest(t, CIO_L);
});

defineTest({
  id: 'LND-09d', title: 'a router that sends no 6CIO is taken as RFC 6775-only: EARO with a 64-bit ROVR, from the address it registers',
  // ETSI TD_6Lo_ND_01's "Source = GP64" with its 2015 routers, which send no 6CIO.
  suite: 'lowpan-nd', ref: 'RFC 8505 §6.3', level: 'MUST', needs: [...ND], spec: ['TD_6Lo_ND_01'],
  faults: [...JOIN, 'aro-without-t-flag', 'rovr-128-bit', 'registers-from-link-local-source'],
}, async (t: TestContext) => {
  await rfc6775RouterTest(t, undefined);
});
