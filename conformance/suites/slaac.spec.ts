// slaac: Stateless Address Autoconfiguration (RFC 4862), on a classic host
// (DAD) and, where its behaviour is the same, on a 6LoWPAN-ND host, which forms
// its addresses from Prefix Information options too (RFC 6775 §5.4.1: address
// configuration follows RFC 4862; duplicates are found by registration).
// Whether the device has an address is read from what it does: it probes or
// registers it, answers an Echo Request sent to it, sends from it (catalogue,
// SLAAC-xx).
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import { solicitedNodeAddress } from '../../host/packet/ndp.js';
import type { PrefixSpec } from '../../host/harness/router.js';
import { defineTest } from '../framework/define.js';
import { ALL_NODES, ROUTER_LINK, type Seen, type TestContext } from '../framework/context.js';
import { ECHO, JOIN } from './common.js';
import {
  AIR, dadFor, dadProbe, echoReply, FOREIGN_DESTINATION, frames, GLOBAL_ECHO, from, inPrefix64, llao, MAX_RTR_SOLICITATION_DELAY, ndOf, OFF_LINK,
  pingOut, PREFIX, prefixNumber, RETRANS_TIMER, sameLink, sendAs, where,
} from './nd-helpers.js';

const classic = (t: TestContext) => t.device.mode === 'classic';

/** Sends an Echo Request to `dst` and expects none back within a second: the address is not the device's. */
async function notAnswered(t: TestContext, dst: Uint8Array, seq: number, rule: string, expected: string): Promise<void> {
  const id = 0x534c;
  const sent = await t.send(t.echoRequest({ dst, id, seq }));
  await t.expectNone(echoReply(id, seq), { rule, expected, within: 1000, sent });
}

/** The device starts using an address in `prefix`: its DAD probe (classic) or registration (6LoWPAN-ND). */
const addressIn = (prefix: Uint8Array) => (s: Seen) => {
  const ns = ndOf(s, 'ns');
  return ns !== undefined && inPrefix64(ns.target, prefix);
};

// ------------------------------------------------------------ SLAAC-01..04: DAD (classic)

defineTest({
  id: 'SLAAC-01', title: 'the link-local address is used only once DAD has succeeded: nothing from it, nothing accepted for it before',
  suite: 'slaac', ref: 'RFC 4862 §5.4', level: 'MUST', needs: ['classic', 'reboot'], faults: ['rs-from-tentative-address', ...ECHO],
}, async (t: TestContext) => {
  // §5.4: a tentative address is not assigned: packets to it are discarded
  // and it is not used as a source until DupAddrDetectTransmits probes and
  // RetransTimer after them have passed without a duplicate (§5.4.2, §5.4.5).
  const since = t.mark();
  await t.reboot();
  const rule = 'RFC 4862 §5.4';
  const dad = await t.expect(dadFor(t.device.ll), {
    rule, expected: `a DAD probe for ${formatIpv6(t.device.ll)} after the restart`, within: MAX_RTR_SOLICITATION_DELAY + 1000, since,
  });
  await notAnswered(t, t.device.ll, 1, rule, 'no Echo Reply from the tentative link-local address (packets to it are discarded)');
  await t.sleep(Math.max(0, dad.at + RETRANS_TIMER + 500 - t.now()));
  const early = t.seen.slice(since).find((s) => from(t.device.ll)(s) && s.at < dad.at + RETRANS_TIMER - AIR);
  t.check(!early, {
    rule, expected: `nothing sent from the link-local address before DAD ended (${RETRANS_TIMER} ms after its probe)`,
    seen: early ? `${where(early)}, ${Math.round(early.at - dad.at)} ms after the probe` : '', frames: frames([dad, early]),
  });
  await t.echo({ dst: t.device.ll, rule: 'RFC 4862 §5.4.5' }); // assigned now that DAD succeeded
});

defineTest({
  id: 'SLAAC-02', title: 'a DAD probe is an NS from :: to the tentative address\'s solicited-node group, without an SLLAO',
  suite: 'slaac', ref: 'RFC 4862 §5.4.2', level: 'MUST', needs: ['classic'], faults: ['dad-ns-to-all-nodes', 'wrong-hop-limit-ns'],
}, async (t: TestContext) => {
  // For the global address an RA makes it form (and the link-local one, when its probe was seen since the start).
  await t.router({ prefixes: [{ prefix: PREFIX, onLink: true }] });
  const global = t.addressIn(PREFIX);
  const probe = await t.expect(dadFor(global), {
    rule: 'RFC 4862 §5.4', expected: `a DAD probe for ${formatIpv6(global)} before it is used`, within: MAX_RTR_SOLICITATION_DELAY + 1000,
  });
  const probes = [...t.seen.filter(dadFor(t.device.ll)).slice(0, 1), probe];
  for (const p of probes) {
    const target = ndOf(p, 'ns')!.target;
    const sllao = llao(ndOf(p, 'ns')!, 'sllao');
    t.check(p.ip!.header.dst.every((b, i) => b === solicitedNodeAddress(target)[i]) && !sllao && p.ip!.header.hopLimit === 255, {
      rule: 'RFC 4862 §5.4.2', expected: `the probe for ${formatIpv6(target)} from :: to ${formatIpv6(solicitedNodeAddress(target))}, hop limit 255, no SLLAO (RFC 4861 §4.3)`,
      seen: `${where(p)}, hop limit ${p.ip!.header.hopLimit}${sllao ? ', with an SLLAO' : ''}`, frames: p.frames,
    });
  }
});

/**
 * SLAAC-03/04: another node claims the address while the device checks it:
 * an NA for it (the address is in use, §5.4.4) or its own DAD probe (§5.4.3).
 * The address must not be assigned (§5.4.5): an Echo Request to it gets no
 * reply and nothing is sent from it, while the device still answers on its
 * link-local address.
 */
for (const [id, how, ref, fault] of [
  ['SLAAC-03', 'an NA for it (the address is in use)', 'RFC 4862 §5.4.4', 'dad-ignores-na'],
  ['SLAAC-04', 'another node\'s DAD probe for it (simultaneous DAD)', 'RFC 4862 §5.4.3', 'dad-ignores-ns'],
] as const) {
  defineTest({
    id, title: `an address is not assigned when ${how} comes during DAD`, suite: 'slaac', ref, level: 'MUST', needs: ['classic'],
    faults: [fault, ...ECHO, ...(id === 'SLAAC-04' ? ['iphc-unspecified-source-misdecoded'] : [])],
  }, async (t: TestContext) => {
    const other = t.host(0x41);
    await t.router({ prefixes: [{ prefix: PREFIX, onLink: true }] });
    const global = t.addressIn(PREFIX);
    const probe = await t.waitFor(dadFor(global), { within: MAX_RTR_SOLICITATION_DELAY + 1000 });
    if (!probe) t.inconclusive(`precondition: the device did not start DAD for ${formatIpv6(global)} after the RA`);
    if (id === 'SLAAC-03') await other.advertise(global);
    else await sendAs(t, other, dadProbe(global), true);
    await t.sleep(RETRANS_TIMER + 500);
    await notAnswered(t, global, 1, ref, `no Echo Reply from ${formatIpv6(global)}: a duplicate is not assigned (RFC 4862 §5.4.5)`);
    const used = t.seen.find((s) => from(global)(s));
    t.check(!used, { rule: 'RFC 4862 §5.4.5', expected: `nothing sent from the duplicate ${formatIpv6(global)}`, seen: used ? where(used) : '', frames: frames([used]) });
    await t.alive(ref);
  });
}

// ------------------------------------------------------------ SLAAC-05: Prefix Information (both modes)

/**
 * RAs each with a valid prefix (the control) and one of the `bad` prefixes
 * (one per RA, so that each fits one frame): the device must form its address
 * in the control prefix and none in the others. Checked by what it probes or
 * registers, and by Echo Requests to each address. Whether a registration
 * succeeds does not matter here (the router sends no 6CIO: the device registers
 * each address from itself, RFC 8505 §6.3), so JOIN's faults are not these tests'.
 */
async function formsOnly(t: TestContext, bad: PrefixSpec[], rule: string, expected: string): Promise<void> {
  const control: PrefixSpec = { prefix: prefixNumber(0x50), onLink: classic(t) };
  const router = await t.router({ prefixes: [control, bad[0]] });
  for (const b of bad.slice(1)) await router.sendRa(ALL_NODES, t.broadcast, { prefixes: [control, b] });
  await t.sleep(MAX_RTR_SOLICITATION_DELAY + 2 * RETRANS_TIMER);
  if (!t.seen.some(addressIn(control.prefix))) t.inconclusive(`precondition: the device formed no address from the valid prefix ${formatIpv6(control.prefix)}/64 either`);
  for (const [i, p] of bad.entries()) {
    const formed = t.seen.find(addressIn(p.prefix));
    t.check(!formed, { rule, expected, seen: formed ? `${where(formed)} for ${formatIpv6(ndOf(formed, 'ns')!.target)}` : '', frames: frames([formed]) });
    await notAnswered(t, t.addressIn(p.prefix), i + 1, rule, `${expected}: no Echo Reply from ${formatIpv6(t.addressIn(p.prefix))}`);
  }
  await t.echo({ dst: t.addressIn(control.prefix), rule: 'RFC 4862 §5.5.3' }); // and the valid one is there
}

defineTest({
  id: 'SLAAC-05a', title: 'an address is formed from a /64 Prefix Information option with A=1, not from one with A=0', suite: 'slaac',
  ref: 'RFC 4862 §5.5.3', level: 'MUST', faults: ['pio-autonomous-flag-ignored', ...ECHO, ...GLOBAL_ECHO, ...FOREIGN_DESTINATION],
}, async (t: TestContext) => {
  await formsOnly(t, [{ prefix: prefixNumber(0x51), onLink: false, autonomous: false }], 'RFC 4862 §5.5.3 a',
    'no address from a Prefix Information option whose Autonomous flag is clear');
});

defineTest({
  id: 'SLAAC-05b', title: 'a Prefix Information option whose length does not leave 64 bits of interface identifier is ignored', suite: 'slaac',
  ref: 'RFC 4862 §5.5.3', level: 'MUST', faults: ['pio-any-prefix-length', ...ECHO, ...GLOBAL_ECHO, ...FOREIGN_DESTINATION],
}, async (t: TestContext) => {
  // §5.5.3 d: prefix length + interface identifier length (64, RFC 4944 §6) must be 128.
  await formsOnly(t, [{ prefix: prefixNumber(0x52), length: 56 }, { prefix: prefixNumber(0x53), length: 80 }], 'RFC 4862 §5.5.3 d',
    'no address from a /56 or /80 prefix (the interface identifier is 64 bits)');
});

defineTest({
  id: 'SLAAC-05c', title: 'a Prefix Information option whose preferred lifetime exceeds its valid lifetime is ignored', suite: 'slaac',
  ref: 'RFC 4862 §5.5.3', level: 'MUST', faults: ['pio-lifetime-order-ignored', ...ECHO, ...GLOBAL_ECHO, ...FOREIGN_DESTINATION],
}, async (t: TestContext) => {
  await formsOnly(t, [{ prefix: prefixNumber(0x54), validLifetime: 3600, preferredLifetime: 7200 }], 'RFC 4862 §5.5.3 c',
    'no address from a prefix whose preferred lifetime (7200 s) exceeds its valid lifetime (3600 s)');
});

// ------------------------------------------------------------ SLAAC-06: lifetimes (both modes)

/** The device joins with `prefix` advertised as given; returns the address and when the RA went out. */
async function joinWith(t: TestContext, p: PrefixSpec): Promise<{ global: Uint8Array; at: number; router: Awaited<ReturnType<TestContext['router']>> }> {
  const at = t.now();
  const { global, router } = await t.join({ prefixes: [{ onLink: classic(t), ...p }], answerRs: false }, Uint8Array.from(p.prefix));
  return { global, at, router };
}

defineTest({
  id: 'SLAAC-06a', title: 'an address is deprecated at its preferred lifetime but still receives, and is gone at its valid lifetime', suite: 'slaac',
  ref: 'RFC 4862 §5.5.4', level: 'MUST', faults: ['address-removed-when-deprecated', 'pio-valid-lifetime-ignored', ...ECHO, ...GLOBAL_ECHO, ...JOIN],
  timeoutMs: 60_000,
}, async (t: TestContext) => {
  // §5.5.4: "IP and higher layers MUST continue to accept and process datagrams
  // destined to a deprecated address"; an invalid address "MUST NOT be recognized
  // as a destination".
  const { global, at } = await joinWith(t, { prefix: PREFIX, preferredLifetime: 20, validLifetime: 40 });
  await t.sleep(Math.max(0, at + 25_000 - t.now()));
  await t.echo({ dst: global, rule: 'RFC 4862 §5.5.4' });
  await t.sleep(Math.max(0, at + 45_000 - t.now()));
  await notAnswered(t, global, 2, 'RFC 4862 §5.5.4', `no Echo Reply from ${formatIpv6(global)} after its valid lifetime (40 s): it is no longer the device's`);
  await t.alive('RFC 4862 §5.5.4');
});

defineTest({
  id: 'SLAAC-06b', title: 'the two-hour rule: a shorter valid lifetime is not taken at once, the address lasts 2 hours more', suite: 'slaac',
  ref: 'RFC 4862 §5.5.3', level: 'MUST', timeoutMs: 7_400_000,
  faults: ['no-two-hour-rule', 'pio-valid-lifetime-ignored', ...ECHO, ...GLOBAL_ECHO, ...JOIN],
}, async (t: TestContext) => {
  // §5.5.3 e: RemainingLifetime (3 h) is over 2 hours and the new valid lifetime
  // (60 s) is not: the valid lifetime becomes 2 hours.
  const { global, router } = await joinWith(t, { prefix: PREFIX, preferredLifetime: 3600, validLifetime: 3 * 3600 });
  const short: PrefixSpec = { prefix: PREFIX, onLink: classic(t), preferredLifetime: 30, validLifetime: 60 };
  router.config.prefixes = [short]; // what the router says from now on (its answers to RS included)
  await router.sendRa();
  const at = t.now();
  await t.sleep(120_000);
  await t.echo({ dst: global, seq: 1, rule: 'RFC 4862 §5.5.3 e' });
  await t.sleep(Math.max(0, at + 2 * 3600_000 + 5000 - t.now()));
  await notAnswered(t, global, 2, 'RFC 4862 §5.5.3 e', `no Echo Reply from ${formatIpv6(global)} 2 hours after the short lifetime came: its valid lifetime was reset to 2 hours`);
  await t.alive('RFC 4862 §5.5.3 e');
});

defineTest({
  id: 'SLAAC-06c', title: 'a deprecated address is still used for new communication when the device has no preferred one', suite: 'slaac',
  ref: 'RFC 4862 §5.5.4', level: 'MUST', faults: ['address-removed-when-deprecated', ...JOIN],
  timeoutMs: 30_000,
}, async (t: TestContext) => {
  // §5.5.4: a deprecated address SHOULD NOT start new communication "if an
  // alternate (non-deprecated) address of sufficient scope can easily be used";
  // an implementation MAY prevent new communication from deprecated addresses
  // altogether, but that facility "MUST be disabled by default".
  const { global, at } = await joinWith(t, { prefix: PREFIX, preferredLifetime: 10, validLifetime: 600 });
  await t.sleep(Math.max(0, at + 15_000 - t.now()));
  const echo = await pingOut(t, OFF_LINK, 1, 1500);
  t.check(echo && from(global)(echo) && sameLink(echo.heard.dst, ROUTER_LINK), {
    rule: 'RFC 4862 §5.5.4', expected: `an Echo Request to ${formatIpv6(OFF_LINK)} from the deprecated ${formatIpv6(global)} (the only global address), through the router`,
    seen: echo ? `${where(echo)} from ${formatIpv6(echo.ip!.header.src)}` : 'the device sent nothing', frames: frames([echo]),
  });
});

