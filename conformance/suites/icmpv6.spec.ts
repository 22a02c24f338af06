// icmpv6: the Echo responder and the error messages of a host (RFC 4443) —
// conformance catalogue ICMP-01..10, IPv6 Ready Phase-2 Core section 5. The
// error tests provoke an error the device can send (a UDP datagram to a
// closed port, an unrecognized option), check it as RFC 4443 §2.2-§3 ask, and
// check that the device keeps quiet where §2.4 (e) forbids errors: a control
// exchange first shows that the same provocation does draw an error.
import { ALL_NODES, type Seen, type TestContext } from '../framework/context.js';
import { defineTest } from '../framework/define.js';
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import { solicitedNodeAddress } from '../../host/packet/ndp.js';
import { ECHO, JOIN } from './common.js';
import {
  ECHO_DATA, FIRST_OPTION_POINTER, OPTION, POINTER, QUOTE, REPLY, echoReplyTo, echoRequest, errorAbout, expectError,
  expectParamProblem, expectSilence, isIcmpError, optionsHeader, udpPacket,
} from './ip-helpers.js';

const suite = 'icmpv6' as const;

/** Extension headers in line after IPHC (RFC 6282 §3.1.1 NH=0): the ICMPv6 rules, not LOWPAN_NHC, are under test. */
const EXT_INLINE = { encoding: { nhcDepth: 0 } };

/** 1280-octet packets travel as 6LoWPAN fragments both ways (RFC 4944 §5.3): a device
 *  that cannot reassemble the tester's, or fragments its own wrongly, never gets to answer. */
const FRAGMENTS = ['fragn-offset-in-octets', 'frag-tag-varies'];

// ------------------------------------------------------------ Echo (RFC 4443 §4)

defineTest({
  id: 'ICMP-01a', title: 'an Echo Request to the link-local address gets an Echo Reply from it, with the same identifier, sequence and data',
  suite, ref: 'RFC 4443 §4.2', level: 'MUST', spec: ['v6LC.5.1.2'], faults: ECHO,
}, async (t: TestContext) => {
  const reply = await t.echo({ id: 0x0201, seq: 7, data: ECHO_DATA });
  checkEchoAddresses(t, reply, t.device.ll);
});

/** RFC 4443 §4.2: a reply to a unicast request comes from the address it was sent to, and goes back to the requester. */
function checkEchoAddresses(t: TestContext, reply: Seen, requestDst: Uint8Array): void {
  const h = reply.ip!.header;
  t.check(sameAddress(h.src, requestDst), {
    rule: 'RFC 4443 §4.2', expected: `the Echo Reply sent from ${formatIpv6(requestDst)}, the destination of the request`, seen: `sent from ${formatIpv6(h.src)}`,
    frames: reply.frames,
  });
  t.check(sameAddress(h.dst, t.tester.ll), {
    rule: 'RFC 4443 §4.2', expected: `the Echo Reply sent to the requester ${formatIpv6(t.tester.ll)}`, seen: `sent to ${formatIpv6(h.dst)}`, frames: reply.frames,
  });
}

const sameAddress = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

defineTest({
  id: 'ICMP-01b', title: 'an Echo Request to a global address gets its Echo Reply from that global address', suite, ref: 'RFC 4443 §4.2',
  level: 'MUST', spec: ['v6LC.5.1.2'], faults: [...ECHO, ...JOIN, 'echo-reply-from-link-local'],
}, async (t: TestContext) => {
  const { global } = await t.join();
  const reply = await t.echo({ id: 0x0211, seq: 1, data: ECHO_DATA, dst: global });
  checkEchoAddresses(t, reply, global);
});

defineTest({
  id: 'ICMP-02', title: 'an Echo Request with 1232 octets of data (a 1280-octet packet) gets all of them back in a fragmented reply', suite,
  ref: 'RFC 4443 §4.2', level: 'MUST', faults: [...ECHO, ...FRAGMENTS, 'truncate-large-echo-replies'],
}, async (t: TestContext) => {
  // "The data received in the ICMPv6 Echo Request message MUST be returned entirely and
  // unmodified": 1280 octets, the IPv6 minimum MTU (RFC 8200 §5), which the device must
  // send as 6LoWPAN fragments (RFC 4944 §5.3; their form is LOWPAN-41's business).
  const data = Uint8Array.from({ length: 1232 }, (_, i) => (i * 7 + 3) & 0xff);
  const reply = await t.echo({ id: 0x0202, seq: 1, data });
  t.check(reply.heard.frames.length > 1, {
    rule: 'RFC 4944 §5.3', expected: 'the 1280-octet reply in several 6LoWPAN fragments', seen: `${reply.heard.frames.length} frame`, frames: reply.frames,
  });
});

defineTest({
  id: 'ICMP-03', title: 'an Echo Request to all-nodes ff02::1 gets an Echo Reply from a unicast address of the device', suite,
  ref: 'RFC 4443 §4.2', level: 'SHOULD', spec: ['v6LC.5.1.2'], faults: [...ECHO, 'no-echo-to-multicast', 'no-all-nodes-group'],
}, async (t: TestContext) => {
  // "An Echo Reply SHOULD be sent in response to an Echo Request message sent to an IPv6
  // multicast ... address. In this case, the source address of the reply MUST be a
  // unicast address belonging to the interface". Sent as a link-layer broadcast, as
  // multicast goes on 802.15.4.
  const reply = await t.echo({ id: 0x0203, seq: 1, data: ECHO_DATA, dst: ALL_NODES, send: { dst: t.broadcast } });
  const src = reply.ip!.header.src;
  t.check(src[0] !== 0xff && !src.every((b) => b === 0), {
    rule: 'RFC 4443 §4.2', expected: 'the Echo Reply sent from a unicast address of the device', seen: `sent from ${formatIpv6(src)}`, frames: reply.frames,
  });
});

// ------------------------------------------------------------ errors (RFC 4443 §2.4, §3)

/** Sends a UDP datagram to a closed port and waits for its Port Unreachable (RFC 4443 §3.1 code 4). */
async function portUnreachable(t: TestContext, datagram: Uint8Array, rule: string): Promise<Seen> {
  const sent = await t.send(datagram);
  return expectError(t, { type: 1, code: 4, invoking: datagram, sent, rule, why: 'port unreachable' });
}

defineTest({
  id: 'ICMP-04a', title: 'a UDP datagram to a closed port gets Destination Unreachable code 4 carrying the whole datagram', suite,
  ref: 'RFC 4443 §3.1', level: 'SHOULD', spec: ['v6LC.5.1.3'], faults: [...REPLY, ...QUOTE, 'no-port-unreachable'],
}, async (t: TestContext) => {
  // "A destination node SHOULD originate a Destination Unreachable message with Code 4 in
  // response to a packet for which the transport protocol (e.g., UDP) has no listener".
  // 64 octets: more than a quote of "header and 8 octets", and the error still fits one frame.
  const datagram = udpPacket(t, { payload: Uint8Array.from({ length: 16 }, (_, i) => i) });
  const s = await portUnreachable(t, datagram, 'RFC 4443 §3.1');
  const unused = s.ip!.icmpv6!.body.subarray(0, 4);
  t.check(unused.every((b) => b === 0), {
    rule: 'RFC 4443 §3.1', expected: 'the Unused field initialized to zero', seen: `${Array.from(unused).join(' ')}`, frames: s.frames,
  });
});

defineTest({
  id: 'ICMP-04b', title: 'an error about a 1280-octet packet carries as much of it as fits in 1280 octets', suite, ref: 'RFC 4443 §2.4',
  level: 'MUST', faults: [...REPLY, ...QUOTE, ...FRAGMENTS, 'no-port-unreachable'],
}, async (t: TestContext) => {
  // (c) "Every ICMPv6 error message (type < 128) MUST include as much of the IPv6
  // offending (invoking) packet ... as possible without making the error message packet
  // exceed the minimum IPv6 MTU": here 1232 of the 1280 octets (1280 - 40 - 8).
  const datagram = udpPacket(t, { payload: Uint8Array.from({ length: 1280 - 48 }, (_, i) => (i * 13) & 0xff) });
  const sent = await t.send(datagram);
  const s = await t.waitFor(errorAbout(1, datagram));
  if (!s) t.inconclusive('precondition: the device sent no Destination Unreachable for a closed port (ICMP-04a)');
  await expectError(t, { type: 1, code: 4, invoking: datagram, sent, rule: 'RFC 4443 §2.4 (c)', why: 'port unreachable' });
});

/** The control exchange of a "no error" test: the same provocation, sent normally, draws an error; else the test cannot tell. */
async function errorDrawnBy(t: TestContext, packet: Uint8Array, type: number, what: string, options = {}): Promise<void> {
  await t.send(packet, options);
  if (!(await t.waitFor(errorAbout(type, packet)))) t.inconclusive(`precondition: the device sends no ICMPv6 error for ${what} even in the ordinary case`);
}

defineTest({
  id: 'ICMP-05', title: 'no ICMPv6 error is sent about an ICMPv6 error message', suite, ref: 'RFC 4443 §2.4', level: 'MUST',
  spec: ['v6LC.5.1.9'], faults: [...REPLY, 'no-option-param-problem', 'errors-about-errors'],
}, async (t: TestContext) => {
  // (e.1) An ICMPv6 error message MUST NOT be originated as a result of receiving an
  // ICMPv6 error message. The provocation is an option of type 10xxxxxx (RFC 8200 §4.2,
  // Parameter Problem code 2); the control carries it in front of an Echo Request, the
  // test in front of a Destination Unreachable about a datagram the device might have sent.
  const hbh = [optionsHeader('hop-by-hop', OPTION.problem)];
  await errorDrawnBy(t, echoRequest(t, { id: 0x0205, seq: 1, extensions: hbh }), 4, 'an unrecognized option of type 10xxxxxx', EXT_INLINE);
  const quoted = t.packet({ src: t.device.ll, dst: t.tester.ll, upper: { kind: 'udp', srcPort: 5683, dstPort: 40001, payload: Uint8Array.of(0x60, 0x45, 0, 1) } });
  const error = t.packet({ extensions: hbh, upper: { kind: 'icmpv6', type: 1, code: 4, body: concatBytes(new Uint8Array(4), quoted) } });
  const sent = await t.send(error, EXT_INLINE);
  await expectSilence(t, isIcmpError, { rule: 'RFC 4443 §2.4 (e.1)', expected: 'no ICMPv6 error about the Destination Unreachable sent to the device', sent });
});

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

defineTest({
  id: 'ICMP-06a', title: 'no ICMPv6 error is sent about a packet sent to a multicast address', suite, ref: 'RFC 4443 §2.4', level: 'MUST',
  spec: ['v6LC.5.1.10'], faults: [...REPLY, 'no-port-unreachable', 'errors-to-multicast-destination'],
}, async (t: TestContext) => {
  // (e.3) No error for "a packet destined to an IPv6 multicast address" (Port Unreachable
  // is not one of the two exceptions). The frame goes to the device's own link address,
  // so that only the IPv6 destination is multicast (e.5 covers link-layer broadcast).
  await errorDrawnBy(t, udpPacket(t), 1, 'a UDP datagram to a closed port');
  const sent = await t.send(udpPacket(t, { dst: ALL_NODES, srcPort: 49412 }));
  await expectSilence(t, isIcmpError, { rule: 'RFC 4443 §2.4 (e.3)', expected: 'no Port Unreachable for the datagram sent to ff02::1', sent });
});

defineTest({
  id: 'ICMP-06b', title: 'no ICMPv6 error is sent about a packet that came as a link-layer broadcast', suite, ref: 'RFC 4443 §2.4',
  level: 'MUST', faults: [...REPLY, 'no-port-unreachable', 'errors-to-link-broadcast'],
}, async (t: TestContext) => {
  // (e.5) "A packet sent as a link-layer broadcast": a datagram for the device's unicast
  // address in a frame to the 802.15.4 broadcast address 0xffff.
  await errorDrawnBy(t, udpPacket(t), 1, 'a UDP datagram to a closed port');
  const sent = await t.send(udpPacket(t, { srcPort: 49413 }), { dst: t.broadcast });
  await expectSilence(t, isIcmpError, { rule: 'RFC 4443 §2.4 (e.5)', expected: 'no Port Unreachable for the datagram sent as a link-layer broadcast', sent });
});

defineTest({
  id: 'ICMP-06c', title: 'an option of type 10xxxxxx in a packet to a multicast address does get Parameter Problem code 2', suite,
  ref: 'RFC 8200 §4.2', level: 'MUST', spec: ['v6LC.1.2.6'],
  faults: [...REPLY, ...QUOTE, ...POINTER, 'no-option-param-problem', 'no-option-error-to-multicast', 'no-all-nodes-group'],
}, async (t: TestContext) => {
  // RFC 8200 §4.2: 10 - "regardless of whether or not the packet's Destination Address
  // was a multicast address, send an ICMP Parameter Problem, Code 2"; RFC 4443 §2.4 (e.3)
  // exception 2, which applies to link-layer broadcast too (e.4, e.5).
  // No Next Header after the option (RFC 8200 §4.7: what follows is ignored), with 16
  // octets there so that the error has more to quote than a header and 8 octets.
  const packet = t.packet({ dst: ALL_NODES, extensions: [optionsHeader('hop-by-hop', OPTION.problem)], upper: { kind: 'raw', nextHeader: 59, bytes: new Uint8Array(16) } });
  const sent = await t.send(packet, { ...EXT_INLINE, dst: t.broadcast });
  await expectParamProblem(t, {
    code: 2, pointer: FIRST_OPTION_POINTER, field: 'the unrecognized option type', invoking: packet, sent, rule: 'RFC 8200 §4.2',
    why: 'unrecognized IPv6 option encountered',
  });
});

defineTest({
  id: 'ICMP-07a', title: 'no ICMPv6 error is sent about a packet from a multicast source address', suite, ref: 'RFC 4443 §2.4', level: 'MUST',
  spec: ['v6LC.5.1.12'], faults: [...REPLY, 'no-port-unreachable', 'errors-to-multicast-source'],
}, async (t: TestContext) => {
  // (e.6) "A packet whose source address does not uniquely identify a single node -- e.g.,
  // ... an IPv6 multicast address": the tester's own solicited-node group.
  await errorDrawnBy(t, udpPacket(t), 1, 'a UDP datagram to a closed port');
  const sent = await t.send(udpPacket(t, { src: solicitedNodeAddress(t.tester.ll), srcPort: 49414 }));
  await expectSilence(t, isIcmpError, { rule: 'RFC 4443 §2.4 (e.6)', expected: 'no Port Unreachable for the datagram from a multicast source', sent });
});

defineTest({
  id: 'ICMP-07b', title: 'no ICMPv6 error is sent about a packet from the unspecified address', suite, ref: 'RFC 4443 §2.4', level: 'MUST',
  spec: ['v6LC.5.1.11'], faults: [...REPLY, 'no-port-unreachable', 'errors-to-unspecified-source'],
}, async (t: TestContext) => {
  // (e.6) "e.g., the IPv6 Unspecified Address".
  await errorDrawnBy(t, udpPacket(t), 1, 'a UDP datagram to a closed port');
  const sent = await t.send(udpPacket(t, { src: new Uint8Array(16), srcPort: 49415 }));
  await expectSilence(t, isIcmpError, { rule: 'RFC 4443 §2.4 (e.6)', expected: 'no Port Unreachable for the datagram from ::', sent });
});

defineTest({
  id: 'ICMP-08', title: 'the rate of ICMPv6 errors is limited: a burst of 100 provocations does not draw 100 errors', suite,
  ref: 'RFC 4443 §2.4', level: 'MUST', faults: [...ECHO, 'no-port-unreachable', 'no-icmp-rate-limit'],
}, async (t: TestContext) => {
  // (f) "an IPv6 node MUST limit the rate of ICMPv6 error messages it originates"; a
  // token bucket is recommended (e.g. B=10, N=10/s on a small device: the sixlab core's
  // defaults). 100 datagrams to a closed port back to back: a device that answers every
  // one of them has no limit it applies. An Echo first, so that a classic device has the
  // tester in its neighbor cache and no error waits for address resolution.
  await t.echo({ id: 0x0208, seq: 1 });
  const since = t.mark();
  const start = t.now();
  const triggers = 100;
  for (let i = 0; i < triggers; i++) {
    await t.send(udpPacket(t, { srcPort: 50000 + i, payload: Uint8Array.of(0x72, 0x61, 0x74, 0x65, i) }));
  }
  const burstMs = t.now() - start;
  await t.sleep(1000);
  await t.alive('RFC 4443 §2.4 (f)');
  await t.sleep(2000); // errors sent late still count
  const errors = t.seen.slice(since).filter((s) => s.ip?.icmpv6?.type === 1 && s.ip.icmpv6.code === 4 && s.ip.icmpv6.body.length >= 44);
  if (!errors.length) t.inconclusive('precondition: the device sent no Port Unreachable at all, so no limit can be seen (ICMP-04a)');
  t.note(`${errors.length} Port Unreachable for ${triggers} datagrams sent over ${Math.round(burstMs)} ms`);
  t.check(errors.length < triggers, {
    rule: 'RFC 4443 §2.4 (f)', expected: `fewer than ${triggers} errors for ${triggers} provocations in ${Math.round(burstMs)} ms (a limit applied)`,
    seen: `${errors.length} Port Unreachable messages`, frames: errors.slice(-3).flatMap((s) => s.frames),
  });
});

// ------------------------------------------------------------ informational and checksum (RFC 4443 §2.3, §2.4 b)

/** An informational type no registry gives a meaning (IANA ICMPv6 parameters: 162-199 unassigned). */
const UNKNOWN_INFORMATIONAL = 199;

defineTest({
  id: 'ICMP-09', title: 'an informational message of unknown type is silently discarded', suite, ref: 'RFC 4443 §2.4', level: 'MUST',
  spec: ['v6LC.5.1.8'], faults: [...ECHO, 'answer-unknown-informational'],
}, async (t: TestContext) => {
  // (b) "If an ICMPv6 informational message of unknown type is received, it MUST be silently discarded."
  const sent = await t.send(echoRequest(t, { id: 0x0209, seq: 1, type: UNKNOWN_INFORMATIONAL }));
  const answer = (s: Seen) => s.ip?.icmpv6 !== undefined && !(s.ip.icmpv6.type >= 133 && s.ip.icmpv6.type <= 137); // ND goes on regardless
  await expectSilence(t, answer, {
    rule: 'RFC 4443 §2.4 (b)', expected: `ICMPv6 type ${UNKNOWN_INFORMATIONAL} discarded: no answer and no error`, sent,
  });
  await t.alive();
});

defineTest({
  id: 'ICMP-10', title: 'an Echo Request with a wrong checksum is discarded', suite, ref: 'RFC 4443 §2.3', level: 'MUST',
  faults: [...ECHO, 'no-echo-checksum-check'],
}, async (t: TestContext) => {
  // The checksum covers the whole message and the pseudo header (§2.3, RFC 8200 §8.1): a
  // message that fails it did not arrive intact, or not for this node, and is not processed.
  const good = echoRequest(t, { id: 0x0210, seq: 1 });
  const checksum = (good[42] << 8) | good[43];
  const sent = await t.send(echoRequest(t, { id: 0x0210, seq: 1, forceChecksum: checksum ^ 0x0f0f }));
  await expectSilence(t, echoReplyTo(0x0210, 1), { rule: 'RFC 4443 §2.3', expected: 'the Echo Request with a wrong checksum discarded: no Echo Reply', sent });
  await t.alive();
});
