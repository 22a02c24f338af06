// ipv6: the IPv6 header, extension headers and addressing of a host (RFC 8200,
// RFC 4291, RFC 4944 §6) — conformance catalogue IPV6-01..13, IPv6 Ready
// Phase-2 Core section 1. The tester sends one packet that breaks or
// exercises one rule and judges the device by what it sends back: an Echo
// Reply when the packet must be processed, a Parameter Problem when it must be
// refused with one, nothing at all (then proof that the device is alive) when
// it must be discarded silently.
import { ALL_NODES, sameBytes, type Seen, type TestContext } from '../framework/context.js';
import { defineTest } from '../framework/define.js';
import { formatIpv6, parseIpv6 } from '../../host/packet/ipv6-address.js';
import { buildNdPacket, solicitedNodeAddress } from '../../host/packet/ndp.js';
import { ECHO } from './common.js';
import {
  ECHO_DATA, FIRST_OPTION_POINTER, OPTION, POINTER, QUOTE, REPLY, echoReplyTo, echoRequest, errorAbout, expectDiscarded, expectParamProblem,
  expectSilence, optionsHeader,
} from './ip-helpers.js';

const suite = 'ipv6' as const;

/**
 * Extension headers go in line after IPHC, Next Header carried in line (RFC
 * 6282 §3.1.1 NH=0): these tests judge the IPv6 rules, not the device's
 * LOWPAN_NHC decoder (the lowpan suite's business).
 */
const EXT_INLINE = { encoding: { nhcDepth: 0 } };

/** An address on the device's link that is none of its own (a neighbour that does not exist). */
const STRANGER = parseIpv6('fe80::1:2:3:4');

// ------------------------------------------------------------ IPv6 header (RFC 8200 §3)

defineTest({
  id: 'IPV6-01', title: 'a packet whose version field is not 6 is discarded', suite, ref: 'RFC 8200 §3', level: 'MUST',
  spec: ['v6LC.1.1.1'], faults: [...ECHO, 'accept-any-ip-version'],
}, async (t) => {
  // IPHC implies version 6 (RFC 6282 §3.1.1), so these travel with the uncompressed
  // IPv6 dispatch 0x41 (RFC 4944 §5.1), the header as the tester wrote it.
  for (const version of [4, 5, 7, 15]) {
    const sent = await t.send(echoRequest(t, { id: 0x0101, seq: version, version }), { encoding: { hcMode: 'uncompressed' } });
    await expectDiscarded(t, 0x0101, version, { rule: 'RFC 8200 §3', why: `version ${version} is not IPv6`, sent });
  }
  await t.alive();
});

defineTest({
  id: 'IPV6-02', title: 'a packet whose Payload Length claims more octets than it carries is discarded', suite, ref: 'RFC 8200 §3', level: 'MUST',
  faults: [...ECHO, 'ignore-payload-length'],
}, async (t) => {
  // Payload Length is "the rest of the packet following this IPv6 header": 16 octets of
  // it never arrive. IPHC would rebuild the length from the frame (RFC 6282 §3.1.1), so
  // the header goes uncompressed (0x41) with the field as written.
  const whole = echoRequest(t, { id: 0x0102, seq: 1 });
  const claimed = whole.length - 40 + 16;
  const sent = await t.send(echoRequest(t, { id: 0x0102, seq: 1, payloadLength: claimed }), { encoding: { hcMode: 'uncompressed' } });
  await expectDiscarded(t, 0x0102, 1, { rule: 'RFC 8200 §3', why: `Payload Length ${claimed} but ${whole.length - 40} octets present`, sent });
  await t.alive();
});

// ------------------------------------------------------------ Next Header (RFC 8200 §4)

/** Next Header 253 is set aside for experiments (RFC 3692, RFC 4727 §3): no device implements it. */
const UNKNOWN_NEXT_HEADER = 253;
/** What follows it: enough octets that a quote of "header and 8 octets" would not be the whole packet. */
const UNKNOWN_PAYLOAD = new Uint8Array(32).fill(0x5a);

defineTest({
  id: 'IPV6-03a', title: 'an unrecognized Next Header in the IPv6 header gets Parameter Problem code 1 pointing at it', suite,
  ref: 'RFC 8200 §4', level: 'SHOULD',
  faults: [...REPLY, ...QUOTE, ...POINTER, 'unknown-next-header-wrong-code', 'param-problem-pointer-compressed'],
}, async (t) => {
  // "it should discard the packet and send an ICMP Parameter Problem message ... Code 1
  // ... and the ICMP Pointer field containing the offset of the unrecognized value".
  const packet = t.packet({ upper: { kind: 'raw', nextHeader: UNKNOWN_NEXT_HEADER, bytes: UNKNOWN_PAYLOAD } });
  const sent = await t.send(packet);
  await expectParamProblem(t, {
    code: 1, pointer: 6, field: "the IPv6 header's Next Header field", invoking: packet, sent, rule: 'RFC 8200 §4',
    why: 'unrecognized Next Header type encountered',
  });
});

defineTest({
  id: 'IPV6-03b', title: 'an unrecognized Next Header in an extension header gets Parameter Problem code 1 pointing at it', suite,
  ref: 'RFC 8200 §4', level: 'SHOULD', spec: ['v6LC.5.1.7'], faults: [...REPLY, ...QUOTE, ...POINTER, 'unknown-next-header-wrong-code'],
}, async (t) => {
  // A Destination Options header (PadN only) whose Next Header is unknown: the pointer is
  // its first octet, 40 (the example of RFC 4443 §3.4).
  const padOnly = { kind: 'destination' as const, options: [{ type: 1, data: new Uint8Array(4) }] };
  const packet = t.packet({ extensions: [padOnly], upper: { kind: 'raw', nextHeader: UNKNOWN_NEXT_HEADER, bytes: UNKNOWN_PAYLOAD } });
  const sent = await t.send(packet, EXT_INLINE);
  await expectParamProblem(t, {
    code: 1, pointer: 40, field: "the Destination Options header's Next Header field", invoking: packet, sent, rule: 'RFC 8200 §4',
    why: 'unrecognized Next Header type encountered',
  });
});

// ------------------------------------------------------------ options (RFC 8200 §4.2)
// An unrecognized option in a Hop-by-Hop Options header, one test per action (the option
// type's two high-order bits). The option is the first octet after the header's own two:
// pointer 42.

defineTest({
  id: 'IPV6-04', title: 'an unrecognized option of type 00xxxxxx is skipped and the packet processed', suite, ref: 'RFC 8200 §4.2',
  level: 'MUST', spec: ['v6LC.1.2.6'], faults: [...ECHO, 'discard-unknown-skip-options'],
}, async (t) => {
  const request = echoRequest(t, { id: 0x0104, seq: 1, extensions: [optionsHeader('hop-by-hop', OPTION.skip)] });
  await t.echo({ request, id: 0x0104, seq: 1, data: ECHO_DATA, rule: 'RFC 8200 §4.2', send: EXT_INLINE });
});

defineTest({
  id: 'IPV6-05', title: 'an unrecognized option of type 01xxxxxx makes the packet be discarded without an error', suite,
  ref: 'RFC 8200 §4.2', level: 'MUST', spec: ['v6LC.1.2.6'], faults: [...ECHO, 'skip-unknown-discard-options'],
}, async (t) => {
  const sent = await t.send(echoRequest(t, { id: 0x0105, seq: 1, extensions: [optionsHeader('hop-by-hop', OPTION.discard)] }), EXT_INLINE);
  await expectDiscarded(t, 0x0105, 1, { rule: 'RFC 8200 §4.2', why: '01: discard the packet', sent });
  await t.alive();
});

/** Sends an Echo Request with an unrecognized option of `type` and expects Parameter Problem code 2 and no reply. */
async function optionProblem(t: TestContext, type: number, id: number, dst?: Uint8Array): Promise<void> {
  const packet = echoRequest(t, { id, seq: 1, dst, extensions: [optionsHeader('hop-by-hop', type)] });
  const since = t.mark();
  const sent = await t.send(packet, dst ? { ...EXT_INLINE, dst: t.broadcast } : EXT_INLINE);
  await expectParamProblem(t, {
    code: 2, pointer: FIRST_OPTION_POINTER, field: 'the unrecognized option type', invoking: packet, sent, rule: 'RFC 8200 §4.2',
    why: 'unrecognized IPv6 option encountered',
  });
  await expectSilence(t, echoReplyTo(id, 1), { rule: 'RFC 8200 §4.2', expected: 'the packet discarded: no Echo Reply', sent, since });
}

defineTest({
  id: 'IPV6-06', title: 'an unrecognized option of type 10xxxxxx: packet discarded, Parameter Problem code 2 pointing at the option', suite,
  ref: 'RFC 8200 §4.2', level: 'MUST', spec: ['v6LC.1.2.6'], faults: [...REPLY, ...QUOTE, ...POINTER, 'no-option-param-problem'],
}, async (t) => {
  await optionProblem(t, OPTION.problem, 0x0106);
});

defineTest({
  id: 'IPV6-07a', title: 'an unrecognized option of type 11xxxxxx sent to a unicast address: Parameter Problem code 2', suite,
  ref: 'RFC 8200 §4.2', level: 'MUST', spec: ['v6LC.1.2.6'], faults: [...REPLY, ...QUOTE, ...POINTER, 'no-option-param-problem'],
}, async (t) => {
  await optionProblem(t, OPTION.problemUnlessMulticast, 0x0107);
});

defineTest({
  id: 'IPV6-07b', title: 'an unrecognized option of type 11xxxxxx sent to a multicast address: discarded without an error', suite,
  ref: 'RFC 8200 §4.2', level: 'MUST', spec: ['v6LC.1.2.6'], faults: [...ECHO, 'option-11-errors-to-multicast'],
}, async (t) => {
  // "11 - discard the packet and, only if the packet's Destination Address was not a
  // multicast address, send an ICMP Parameter Problem". The frame is sent to the
  // device's own link address, so that only the IPv6 destination says "multicast"
  // (a link-layer broadcast forbids errors too, RFC 4443 §2.4 e.5).
  const request = echoRequest(t, { id: 0x0170, seq: 1, dst: ALL_NODES, extensions: [optionsHeader('hop-by-hop', OPTION.problemUnlessMulticast)] });
  const sent = await t.send(request, EXT_INLINE);
  await expectDiscarded(t, 0x0170, 1, { rule: 'RFC 8200 §4.2', why: '11 and a multicast destination: discard only', sent });
  await t.alive();
});

// ------------------------------------------------------------ header order (RFC 8200 §4, §4.1)

defineTest({
  id: 'IPV6-08', title: 'a Hop-by-Hop Options header other than first gets Parameter Problem code 1 pointing at the Next Header naming it',
  suite, ref: 'RFC 8200 §4', level: 'SHOULD', spec: ['v6LC.1.2.1'], faults: [...REPLY, ...QUOTE, ...POINTER, 'unknown-next-header-wrong-code'],
}, async (t) => {
  // §4.1: Hop-by-Hop is "restricted to appear immediately after an IPv6 header only";
  // §4: "The same action [Parameter Problem code 1] should be taken if a node encounters
  // a Next Header value of zero in any header other than an IPv6 header". Here the first
  // Hop-by-Hop header names a second one: its Next Header field, octet 40.
  const padN = { kind: 'hop-by-hop' as const, options: [{ type: 1, data: new Uint8Array(4) }] };
  const packet = echoRequest(t, { id: 0x0108, seq: 1, extensions: [padN, padN] });
  const since = t.mark();
  const sent = await t.send(packet, EXT_INLINE);
  await expectParamProblem(t, {
    code: 1, pointer: 40, field: 'the Next Header field of the first Hop-by-Hop Options header', invoking: packet, sent, rule: 'RFC 8200 §4',
    why: 'Next Header 0 in a header other than the IPv6 header',
  });
  await expectSilence(t, echoReplyTo(0x0108, 1), { rule: 'RFC 8200 §4', expected: 'the packet discarded: no Echo Reply', sent, since });
});

// ------------------------------------------------------------ Routing header (RFC 8200 §4.4, RFC 5095)

/** A type 0 Routing header (RFC 5095: deprecated, so unrecognized) listing one more hop. */
function routingType0(segmentsLeft: number) {
  const data = new Uint8Array(4 + 16); // 4 reserved octets, then one address
  data.set(parseIpv6('2001:db8::7'), 4);
  return { kind: 'routing' as const, routingType: 0, segmentsLeft, data };
}

defineTest({
  id: 'IPV6-09a', title: 'a Routing header of type 0 with Segments Left > 0: discarded, Parameter Problem code 0 pointing at the type',
  suite, ref: 'RFC 8200 §4.4', level: 'MUST', faults: [...REPLY, ...QUOTE, ...POINTER, 'ignore-routing-header', 'drop-routing-header'],
}, async (t) => {
  // RFC 5095 §3: type 0 is treated as an unrecognized Routing Type; RFC 8200 §4.4: "If
  // Segments Left is non-zero, the node must discard the packet and send an ICMP
  // Parameter Problem, Code 0, ... pointing to the unrecognized Routing Type" (octet 42).
  const packet = echoRequest(t, { id: 0x0109, seq: 1, extensions: [routingType0(1)] });
  const since = t.mark();
  const sent = await t.send(packet, EXT_INLINE);
  await expectParamProblem(t, {
    code: 0, pointer: 42, field: 'the Routing Type', invoking: packet, sent, rule: 'RFC 8200 §4.4', why: 'erroneous header field encountered',
  });
  await expectSilence(t, echoReplyTo(0x0109, 1), { rule: 'RFC 8200 §4.4', expected: 'the packet discarded: no Echo Reply', sent, since });
});

defineTest({
  id: 'IPV6-09b', title: 'a Routing header of type 0 with Segments Left 0 is ignored and the packet processed', suite,
  ref: 'RFC 8200 §4.4', level: 'MUST', spec: ['v6LC.1.2.9'], faults: [...ECHO, 'drop-routing-header'],
}, async (t) => {
  // "If Segments Left is zero, the node must ignore the Routing header and proceed to
  // process the next header in the packet".
  const request = echoRequest(t, { id: 0x0190, seq: 1, extensions: [routingType0(0)] });
  await t.echo({ request, id: 0x0190, seq: 1, data: ECHO_DATA, rule: 'RFC 8200 §4.4', send: EXT_INLINE });
});

// ------------------------------------------------------------ a host's addresses (RFC 8200 §2, RFC 4291)

defineTest({
  id: 'IPV6-10', title: 'a packet for an address that is not the device\'s is discarded and never forwarded', suite, ref: 'RFC 8200 §2',
  level: 'MUST', faults: [...ECHO, 'accept-any-destination'],
}, async (t) => {
  // A host is "any node that is not a router", and a router is "a node that forwards IPv6
  // packets not explicitly addressed to itself" (§2); a host silently discards a
  // datagram not destined for it (RFC 1122 §3.2.1.3). The frame is sent to the device's
  // own link address, so only the IPv6 destination is wrong.
  const sent = await t.send(echoRequest(t, { id: 0x0110, seq: 1, dst: STRANGER }));
  await expectSilence(t, (s) => echoReplyTo(0x0110, 1)(s) || aboutStranger(s), {
    rule: 'RFC 8200 §2', expected: `the packet for ${formatIpv6(STRANGER)} discarded: no Echo Reply, not forwarded, no resolution of that address`, sent,
  });
  await t.alive();
});

/** Anything the device sends towards STRANGER: the packet forwarded, or an NS resolving it. */
function aboutStranger(s: Seen): boolean {
  if (!s.ip) return false;
  if (sameBytes(s.ip.header.dst, STRANGER)) return true;
  return s.nd?.message.kind === 'ns' && sameBytes(s.nd.message.target, STRANGER);
}

defineTest({
  id: 'IPV6-11', title: 'an atomic fragment (Fragment header with offset 0 and M=0) is processed as a whole packet', suite,
  ref: 'RFC 8200 §4.5', level: 'MUST', spec: ['v6LC.1.3.4'], faults: [...ECHO, 'drop-atomic-fragments'],
}, async (t) => {
  // RFC 8200 §4.5: a fragment that is a whole datagram "should be processed as a fully
  // reassembled packet"; RFC 6946 §4: a host MUST process it in isolation.
  const atomic = { kind: 'fragment' as const, fragmentOffset: 0, more: false, identification: 0x5158aa11 };
  const request = echoRequest(t, { id: 0x0111, seq: 1, extensions: [atomic] });
  await t.echo({ request, id: 0x0111, seq: 1, data: ECHO_DATA, rule: 'RFC 8200 §4.5', send: EXT_INLINE });
});

/**
 * The link-local addresses the device used since it booted: the sources of
 * its packets (Router Solicitations, registrations) and the targets of its DAD
 * probes. When it sent none, an Echo Request to ff02::1 draws one out (the
 * reply comes from a unicast address of the interface, RFC 4443 §4.2).
 */
async function linkLocalsUsed(t: TestContext): Promise<{ address: Uint8Array; seen: Seen }[]> {
  const out: { address: Uint8Array; seen: Seen }[] = [];
  const collect = () => {
    for (const s of t.seen) {
      const ip = s.ip;
      if (!ip) continue;
      const candidates = [ip.header.src];
      if (s.nd?.message.kind === 'ns' && ip.header.src.every((b) => b === 0)) candidates.push(s.nd.message.target);
      for (const a of candidates) if (a[0] === 0xfe && (a[1] & 0xc0) === 0x80) out.push({ address: a, seen: s });
    }
  };
  collect();
  if (out.length) return out;
  await t.send(echoRequest(t, { id: 0x0112, seq: 1, dst: ALL_NODES }), { dst: t.broadcast });
  await t.waitFor(echoReplyTo(0x0112, 1));
  collect();
  return out;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');

defineTest({
  id: 'IPV6-12a', title: 'the link-local address is fe80::/64 with the EUI-64, its U/L bit inverted, as interface identifier', suite,
  ref: 'RFC 4291 App. A', level: 'MUST', faults: ['rs-source-ul-bit-wrong@lowpan-nd'],
}, async (t) => {
  // RFC 4944 §6-7 (via RFC 2464) and RFC 6775 §5.2: the link-local address is formed from
  // the EUI-64; RFC 4291 App. A: "The only change is inverting the value of the
  // universal/local bit".
  const eui = t.device.eui64.bytes;
  const expected = Uint8Array.from(eui);
  expected[0] ^= 0x02;
  const used = await linkLocalsUsed(t);
  if (!used.length) t.inconclusive('the device sent nothing from a link-local address, even to an Echo Request to ff02::1');
  for (const { address, seen } of used) {
    const iid = address.subarray(8);
    if (sameBytes(iid, expected)) continue;
    const uninverted = sameBytes(iid, eui);
    if (!uninverted && t.device.mode === 'classic') {
      // RFC 4944 §6: "A different MAC address set manually or by software MAY be used".
      t.inconclusive(`the device's link-local ${formatIpv6(address)} is not formed from its EUI-64 ${hex(eui)} at all (RFC 4944 §6 allows another MAC address)`);
    }
    t.fail({
      rule: uninverted ? 'RFC 4291 App. A' : 'RFC 6775 §5.2', expected: `fe80::/64 with interface identifier ${hex(expected)} (the EUI-64 ${hex(eui)} with its U/L bit inverted)`,
      seen: `${formatIpv6(address)}${uninverted ? ' (the EUI-64 as it is: U/L bit not inverted)' : ''}`, frames: seen.frames,
    });
  }
});

defineTest({
  id: 'IPV6-12b', title: 'with a 16-bit short address the link-local interface identifier is 0000:00ff:fe00:XXXX (PAN ID allowed), U/L bit zero',
  suite, ref: 'RFC 4944 §6', level: 'MUST', shortSource: true, faults: ['rs-source-ul-bit-wrong@lowpan-nd'],
}, async (t) => {
  // RFC 4944 §6: a "pseudo 48-bit address" PAN:0000:short (or 16 zero bits instead of
  // the PAN ID) made into an IID the RFC 2464 way, with "the Universal/Local (U/L) bit
  // SHALL be set to zero"; RFC 6282 §3.2.2 uses the zero form 0000:00ff:fe00:XXXX.
  const short = t.device.short!.bytes;
  const pan = t.session.board.pan;
  const used = await linkLocalsUsed(t);
  if (!used.length) t.inconclusive('the device sent nothing from a link-local address, even to an Echo Request to ff02::1');
  for (const { address, seen } of used) {
    const iid = address.subarray(8);
    const tail = iid[2] === 0 && iid[3] === 0xff && iid[4] === 0xfe && iid[5] === 0 && iid[6] === short[0] && iid[7] === short[1];
    const head = (iid[0] === 0 && iid[1] === 0) || (iid[0] === ((pan >> 8) & 0xfd) && iid[1] === (pan & 0xff));
    if (tail && head) continue;
    if (!tail) t.inconclusive(`the device's link-local ${formatIpv6(address)} is not formed from its short address ${hex(short)} (RFC 4944 §6 allows another MAC address)`);
    t.fail({
      rule: 'RFC 4944 §6', expected: `interface identifier 0000:00ff:fe00:${hex(short).replace(':', '')} (or with the PAN ID ${pan.toString(16)} in front), the U/L bit zero`,
      seen: `${formatIpv6(address)}${iid[0] & 0x02 ? ' (U/L bit set)' : ''}`, frames: seen.frames,
    });
  }
});

defineTest({
  id: 'IPV6-13a', title: 'the device takes packets sent to the all-nodes group ff02::1', suite, ref: 'RFC 4291 §2.8', level: 'MUST',
  faults: [...REPLY, 'no-all-nodes-group'],
}, async (t) => {
  // RFC 4291 §2.8: a host recognizes the All-Nodes multicast addresses as identifying
  // itself; RFC 6775 §5.2: "A host MUST join the all-nodes multicast address". The proof
  // of reception is an Echo Reply (which RFC 4443 §4.2 only says SHOULD be sent), or,
  // failing that, the Parameter Problem that RFC 8200 §4.2 requires for an option of
  // type 10xxxxxx "regardless of whether ... the Destination Address was a multicast address".
  const echo = echoRequest(t, { id: 0x0113, seq: 1, dst: ALL_NODES });
  const sent = await t.send(echo, { dst: t.broadcast });
  if (await t.waitFor(echoReplyTo(0x0113, 1))) return;
  t.note('no Echo Reply to ff02::1 (RFC 4443 §4.2: SHOULD); reception shown by a Parameter Problem instead');
  // The option in front of No Next Header (RFC 8200 §4.7): nothing else to answer.
  const probe = t.packet({ dst: ALL_NODES, extensions: [optionsHeader('hop-by-hop', OPTION.problem)], upper: { kind: 'raw', nextHeader: 59, bytes: new Uint8Array(0) } });
  const sentProbe = await t.send(probe, { ...EXT_INLINE, dst: t.broadcast });
  if (await t.waitFor(errorAbout(4, probe))) return;
  t.fail({
    rule: 'RFC 4291 §2.8', expected: 'packets to ff02::1 taken: an Echo Reply, or a Parameter Problem for an option of type 10xxxxxx (RFC 8200 §4.2)',
    seen: 'no answer to either', frames: [...sent, ...sentProbe],
  });
});

defineTest({
  id: 'IPV6-13b', title: 'the device takes packets sent to the solicited-node group of its address', suite, ref: 'RFC 4291 §2.8',
  level: 'MUST', needs: ['classic'], faults: ['no-solicited-node-group@classic'],
}, async (t) => {
  // RFC 4291 §2.7.1, §2.8: a node joins the solicited-node group of each of its unicast
  // addresses. (A 6LoWPAN-ND host need not, RFC 6775 §5.2: nobody multicasts NS there.)
  // An address-resolution NS for the device's link-local address, sent to that group,
  // must be answered (RFC 4861 §7.2.3).
  const group = solicitedNodeAddress(t.device.ll);
  const ns = buildNdPacket({ src: t.tester.ll, dst: group, message: { kind: 'ns', target: t.device.ll, options: [{ kind: 'sllao', addr: t.tester.address }] } });
  const sent = await t.send(ns, { dst: t.broadcast });
  await t.expect((s) => s.nd?.message.kind === 'na' && sameBytes(s.nd.message.target, t.device.ll), {
    rule: 'RFC 4291 §2.8', expected: `a Neighbor Advertisement for ${formatIpv6(t.device.ll)}, answering the NS sent to ${formatIpv6(group)}`, sent,
  });
});
