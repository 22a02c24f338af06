// lowpan, part 2: LOWPAN_NHC (RFC 6282 §4) for UDP, IPv6 extension headers and
// IPv6-in-IPv6, reserved IPHC encodings, and dispatch values that are not
// 6LoWPAN or not known (RFC 4944 §5.1, RFC 8066 §3.1). A decoded datagram is
// proved by its answer: a CoAP Reset to a CoAP ping on 5683, ICMPv6 Port
// Unreachable quoting it for a closed port, an Echo Reply, or the Parameter
// Problem RFC 8200 §4 asks for; a dropped one by silence and a device that
// still answers (t.alive).
import { defineTest } from '../framework/define.js';
import type { Seen, TestContext } from '../framework/context.js';
import { concat } from '../../host/packet/bytes.js';
import { echoBody } from '../../host/packet/icmpv6.js';
import { buildIpv6Packet } from '../../host/packet/packet.js';
import type { LowpanEncodeOptions } from '../../host/packet/lowpan.js';
import {
  ALL_NODES, COAP_PING, FROM_SHORT, PARAMETER_PROBLEM, PORT_UNREACHABLE, RESOLVE, SHORT_IID, TESTER_SHORT, TO_SHORT, checkParameterProblem, coapPing,
  echoFaults, encodingOf, expectCoapReset, expectEchoReply, expectNoEchoReply, expectPortUnreachable, llOf, noteShortSource, noteTd, station, tcpSyn, udpPacket,
} from './lowpan-helpers.js';

const suite = 'lowpan' as const;

// ---------------------------------------------------------------- NHC UDP (RFC 6282 §4.3)

/**
 * A datagram to a closed port, NHC UDP with ports `p`: the device's Port
 * Unreachable, quoting the ports, proves what it decoded. RFC 4443 §3.1 makes
 * that answer a SHOULD, so when none comes the same datagram is sent
 * uncompressed (0x41): answered, the compressed one was not decoded (fail);
 * not answered either, the decoding cannot be seen (inconclusive).
 */
async function closedPort(t: TestContext, o: { p: number; srcPort: number; dstPort: number; rule: string; short?: boolean }): Promise<void> {
  const from = o.short ? TESTER_SHORT : t.tester.address;
  if (o.short) station(t, TESTER_SHORT);
  const request = udpPacket(t, { src: llOf(from), srcPort: o.srcPort, dstPort: o.dstPort });
  const sent = await t.send(request, { src: from, encoding: { udpPorts: o.p } });
  const isPu = (s: Seen) => s.ip?.icmpv6?.type === 1 && s.ip.icmpv6.code === 4;
  if (await t.waitFor(isPu)) {
    await expectPortUnreachable(t, request, o.rule, sent);
    return;
  }
  await t.sleep(200); // RFC 4443 §2.4 (f): leave the error rate limiter a token
  const control = await t.send(request, { src: from, encoding: { hcMode: 'uncompressed' } });
  const pu = await t.waitFor(isPu);
  if (!pu) t.inconclusive(`the device sends no Port Unreachable (RFC 4443 §3.1: SHOULD), even for the datagram uncompressed: its decoding of NHC UDP P=${o.p.toString(2).padStart(2, '0')} cannot be seen`);
  t.fail({
    rule: o.rule, expected: `the datagram with NHC UDP P=${o.p.toString(2).padStart(2, '0')} answered like the same datagram sent uncompressed (a Port Unreachable)`,
    seen: 'a Port Unreachable for the uncompressed datagram only', frames: [...sent, ...control, ...pu.frames],
  });
}

/** A CoAP ping to 5683 (RFC 7252 §4.3) with NHC UDP ports `p`; the Reset proves it was decoded. */
async function coapPingAnswered(t: TestContext, o: { p: number; srcPort: number; rule: string; short?: boolean; encoding?: LowpanEncodeOptions }) {
  const from = o.short ? TESTER_SHORT : t.tester.address;
  if (o.short) station(t, TESTER_SHORT);
  const src = llOf(from);
  const mid = 0x5100 + o.p;
  const sent = await t.send(udpPacket(t, { src, srcPort: o.srcPort, dstPort: 5683, payload: coapPing(mid) }), { src: from, encoding: { udpPorts: o.p, ...o.encoding } });
  return expectCoapReset(t, { to: src, srcPort: o.srcPort, mid, rule: o.rule, sent });
}

defineTest({
  id: 'LOWPAN-21', title: 'NHC UDP P=00: both ports in line, checksum in line, to the CoAP server on 5683', suite, ref: 'RFC 6282 §4.3.3', level: 'MUST',
  needs: ['coap'], spec: ['TD_6Lo_HC_05'], faults: COAP_PING,
}, async (t: TestContext) => {
  // TD_6Lo_HC_05 (x=0): a CoAP ping to 5683 with both ports in line; a CoAP server MUST answer it
  // with a Reset (RFC 7252 §4.3).
  await coapPingAnswered(t, { p: 0, srcPort: 0xc351, rule: 'RFC 6282 §4.3.3' });
});

defineTest({
  id: 'LOWPAN-22', title: 'NHC UDP P=01: destination port 0xF0XX in 8 bits, checksum in line', suite, ref: 'RFC 6282 §4.3.3', level: 'MUST',
  spec: ['TD_6Lo_HC_07'], faults: [...PORT_UNREACHABLE, 'nhc-udp-8bit-ports-swapped'],
}, async (t: TestContext) => {
  // TD_6Lo_HC_07 (x=0): server port 61616 = 0xF0B0, "8 bits of 0xb0". No server listens there on this
  // device: its Port Unreachable, quoting 61616, is the proof of decoding.
  await closedPort(t, { p: 1, srcPort: 0xc352, dstPort: 0xf0b0, rule: 'RFC 6282 §4.3.3' });
});

defineTest({
  id: 'LOWPAN-23', title: 'NHC UDP P=10: source port 0xF0XX in 8 bits, to the CoAP server on 5683', suite, ref: 'RFC 6282 §4.3.3', level: 'MUST',
  needs: ['coap'], spec: ['TD_6Lo_HC_05'], faults: ['nhc-udp-8bit-ports-swapped', ...COAP_PING],
}, async (t: TestContext) => {
  // TD_6Lo_HC_05: a CoAP ping to 5683 with the source port in 8 bits; the Reset comes back from 5683.
  const rst = await coapPingAnswered(t, { p: 2, srcPort: 0xf012, rule: 'RFC 6282 §4.3.3' });
  noteTd(t, 'TD_6Lo_HC_05', rst);
});

defineTest({
  id: 'LOWPAN-24', title: 'NHC UDP P=11: both ports 0xF0BX in 4 bits, checksum in line', suite, ref: 'RFC 6282 §4.3.3', level: 'MUST',
  spec: ['TD_6Lo_HC_07'], faults: [...PORT_UNREACHABLE, 'nhc-udp-4bit-ports-wrong-base'],
}, async (t: TestContext) => {
  // TD_6Lo_HC_07 (x=1): 61616 = 0xF0B0, "4 bits of 0000".
  await closedPort(t, { p: 3, srcPort: 0xf0b5, dstPort: 0xf0b0, rule: 'RFC 6282 §4.3.3' });
});

defineTest({
  id: 'LOWPAN-TD-HC-06', title: 'NHC UDP to the CoAP server on 5683 between 16-bit short addresses is decoded', suite, ref: 'RFC 6282 §4.3.3', level: 'MUST',
  needs: ['coap'], spec: ['TD_6Lo_HC_06'], shortSource: true, faults: ['nhc-udp-8bit-ports-swapped', ...COAP_PING, ...FROM_SHORT, ...TO_SHORT, ...SHORT_IID],
}, async (t: TestContext) => {
  const rst = await coapPingAnswered(t, { p: 2, srcPort: 0xf013, rule: 'RFC 6282 §4.3.3', short: true });
  noteTd(t, 'TD_6Lo_HC_06', rst);
  noteShortSource(t, rst);
});

defineTest({
  id: 'LOWPAN-TD-HC-08', title: 'NHC UDP to port 61616 in 8 and 4 bits between 16-bit short addresses is decoded', suite, ref: 'RFC 6282 §4.3.3', level: 'MUST',
  spec: ['TD_6Lo_HC_08'], shortSource: true,
  faults: [...PORT_UNREACHABLE, 'nhc-udp-8bit-ports-swapped', 'nhc-udp-4bit-ports-wrong-base', ...FROM_SHORT, ...TO_SHORT, ...SHORT_IID],
}, async (t: TestContext) => {
  await closedPort(t, { p: 1, srcPort: 0xc353, dstPort: 0xf0b0, rule: 'RFC 6282 §4.3.3', short: true });
  await t.sleep(200); // RFC 4443 §2.4 (f): leave the error rate limiter a token
  await closedPort(t, { p: 3, srcPort: 0xf0b6, dstPort: 0xf0b0, rule: 'RFC 6282 §4.3.3', short: true });
});

defineTest({
  id: 'LOWPAN-25', title: 'NHC UDP C=1 (checksum elided) without an integrity check the device can verify is dropped', suite, ref: 'RFC 6282 §4.3.2', level: 'MUST',
  faults: [...PORT_UNREACHABLE, 'accept-elided-udp-checksum'],
}, async (t: TestContext) => {
  // §4.3.2: "The decompressor MUST unambiguously determine that an integrity check covers the
  // datagram ... If it cannot, the decompressor MUST drop the packet." 802.15.4 without security
  // gives no such check, so a datagram to a closed port with C=1 gets no Port Unreachable.
  const request = udpPacket(t, { srcPort: 0xc354, dstPort: 0x1e62 });
  const sent = await t.send(request, { encoding: { udpChecksum: 'elided' } });
  await t.expectNone((s) => s.ip?.icmpv6?.type === 1, {
    rule: 'RFC 6282 §4.3.2', expected: 'the datagram whose checksum was elided dropped: no ICMPv6 error about it', sent,
  });
  // The same datagram with its checksum in line is answered: the silence came from the C bit.
  await t.sleep(200);
  const again = await t.send(request, { encoding: { udpChecksum: 'inline' } });
  const pu = await t.waitFor((s) => s.ip?.icmpv6?.type === 1 && s.ip.icmpv6.code === 4);
  if (!pu) t.inconclusive(`precondition: the device sends no Port Unreachable for a closed port even with the UDP checksum in line (frames ${again.join(',')})`);
});

defineTest({
  id: 'LOWPAN-25a', title: 'the device does not elide the UDP checksum of the datagrams it sends (NHC UDP C=0)', suite, ref: 'RFC 6282 §4.3.2', level: 'MUST',
  needs: ['udp-send'], faults: ['elide-own-udp-checksum', ...RESOLVE],
}, async (t: TestContext) => {
  // §4.3.2: "The compressor MUST NOT set the C bit unless it has received authorization from the
  // upper layer", given only with an integrity check in place, which plain 802.15.4 frames lack.
  await t.deviceUdp(t.tester.ll, 0xf0b1, 0xf0b2, Uint8Array.of(0x6e, 0x6f, 0x63));
  const dg = await t.expect((s) => s.ip?.udp?.dstPort === 0xf0b1, {
    rule: 'RFC 6282 §4.3.2', expected: 'the UDP datagram the device was told to send (port 61617)',
  });
  const elided = dg.heard.frames[0].encoding?.dispatch === 'iphc' && dg.heard.frames[0].encoding.nhc.some((n) => n.type === 'udp' && n.checksumElided);
  t.check(!elided, {
    rule: 'RFC 6282 §4.3.2', expected: 'the UDP checksum carried in line (LOWPAN_NHC UDP C=0)', seen: `C=1: ${encodingOf(dg)}`, frames: dg.frames,
  });
});

// ---------------------------------------------------------------- NHC extension headers and IPv6 (RFC 6282 §4.2)

/** An Echo Request to the device behind `extensions` (the tester compresses them with LOWPAN_NHC). */
function echoBehind(t: TestContext, extensions: Parameters<typeof buildIpv6Packet>[0]['extensions'], seq: number): Uint8Array {
  return buildIpv6Packet({
    src: t.tester.ll, dst: t.device.ll, extensions,
    upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(0x4e48, seq, echoData(seq)) },
  });
}

/**
 * Sends `packet` with the headers after IPv6 compressed by LOWPAN_NHC and waits
 * for `match`. With no answer, the same packet goes again with those headers
 * in line (NH=0, no NHC): answered then, the NHC form was not decoded (fail);
 * not answered either, the device does not answer such a packet at all, for
 * reasons outside this suite (inconclusive).
 */
async function nhcAnswered(t: TestContext, packet: Uint8Array, match: (s: Seen) => boolean, rule: string, expected: string): Promise<{ answer: Seen; sent: number[] }> {
  const sent = await t.send(packet);
  const got = await t.waitFor(match);
  if (got) return { answer: got, sent };
  await t.sleep(200);
  const control = await t.send(packet, { encoding: { nhcDepth: 0 } });
  const c = await t.waitFor(match);
  if (!c) t.inconclusive(`the device answers the packet neither with its headers compressed by LOWPAN_NHC nor with them in line: ${expected} cannot be seen`);
  return t.fail({
    rule, expected: `${expected}, as for the same packet with the headers in line (no LOWPAN_NHC)`, seen: 'an answer to the packet with the headers in line only',
    frames: [...sent, ...control, ...c.frames],
  });
}

async function echoBehindAnswered(t: TestContext, packet: Uint8Array, seq: number, rule: string, expected: string) {
  const isReply = (s: Seen) => s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.identifier === 0x4e48 && s.ip.icmpv6.echo.sequence === seq;
  const { sent } = await nhcAnswered(t, packet, isReply, rule, expected);
  return expectEchoReply(t, { id: 0x4e48, seq, data: echoData(seq), to: t.tester.ll, rule, expected, sent });
}

const echoData = (seq: number) => Uint8Array.of(0x6e, 0x68, 0x63, seq);

defineTest({
  id: 'LOWPAN-26', title: 'NHC hop-by-hop and destination options headers, chained, elided padding restored', suite, ref: 'RFC 6282 §4.2', level: 'MUST',
  faults: echoFaults(['nhc-ext-padding-not-restored']),
}, async (t: TestContext) => {
  // Only padding options, which every node processes (RFC 8200 §4.2), so the test stays about the
  // compression: the trailing PadN of each header is elided by the compressor (§4.2), leaving
  // Length 2 (Pad1, Pad1) and Length 3 (PadN of 1); the decompressor must restore 8 octets each.
  const packet = echoBehind(t, [
    { kind: 'hop-by-hop', options: Uint8Array.of(0x00, 0x00, 0x01, 0x02, 0x00, 0x00) },
    { kind: 'destination', options: Uint8Array.of(0x01, 0x01, 0x00, 0x01, 0x01, 0x00) },
  ], 26);
  await echoBehindAnswered(t, packet, 26, 'RFC 6282 §4.2', 'an Echo Reply: the request behind two LOWPAN_NHC option headers was decoded');
});

defineTest({
  id: 'LOWPAN-27', title: 'NHC IPv6 Fragment header (an atomic fragment) is decoded', suite, ref: 'RFC 6282 §4.2', level: 'MUST',
  faults: echoFaults(['nhc-fragment-header-unsupported', 'drop-atomic-fragments']),
}, async (t: TestContext) => {
  // Offset 0, M=0: a whole packet a host processes as such (RFC 8200 §4.5, RFC 6946 §4).
  const packet = echoBehind(t, [{ kind: 'fragment', fragmentOffset: 0, more: false, identification: 0x6c6f7770 }], 27);
  await echoBehindAnswered(t, packet, 27, 'RFC 6282 §4.2', 'an Echo Reply: the request behind a LOWPAN_NHC Fragment header was decoded');
});

defineTest({
  id: 'LOWPAN-28', title: 'NHC IPv6 header (IPv6 in IPv6) is decoded', suite, ref: 'RFC 6282 §4.2', level: 'MUST',
  faults: ['nhc-ipv6-unsupported', ...PARAMETER_PROBLEM],
}, async (t: TestContext) => {
  // The inner header's IIDs come from the outer addresses (§4.2). A host that decapsulates answers
  // the inner Echo Request; one that does not implement IPv6-in-IPv6 answers Parameter Problem
  // code 1 at the outer Next Header (RFC 8200 §4), quoting the decompressed packet. Either proves
  // the decoding; the quote is checked octet for octet.
  const inner = echoBehind(t, [], 28);
  const packet = buildIpv6Packet({ src: t.tester.ll, dst: t.device.ll, upper: { kind: 'raw', nextHeader: 41, bytes: inner } });
  const { answer, sent } = await nhcAnswered(t, packet, (s) => (s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.sequence === 28) || s.ip?.icmpv6?.type === 4,
    'RFC 6282 §4.2', 'the inner Echo Request answered, or a Parameter Problem about the tunnel (RFC 8200 §4)');
  if (answer.ip!.icmpv6!.type === 4) {
    checkParameterProblem(t, answer, packet, 6, 'RFC 6282 §4.2', sent);
    t.note('the device does not decapsulate IPv6 in IPv6: it answered Parameter Problem code 1, quoting the packet as sent');
  } else t.note('the device decapsulated the inner packet and answered its Echo Request');
});

/** TD_6Lo_HC_11 / HC_12: a TCP SYN with NH=0 (Next Header 6 in line). */
async function tcpSynNh0(t: TestContext, short: boolean): Promise<void> {
  const from = short ? TESTER_SHORT : t.tester.address;
  if (short) station(t, TESTER_SHORT);
  const src = llOf(from);
  const packet = buildIpv6Packet({ src, dst: t.device.ll, upper: { kind: 'raw', nextHeader: 6, bytes: tcpSyn(src, t.device.ll, 0xc355, 80) } });
  const sent = await t.send(packet, { src: from, encoding: { nh: 0 } });
  // A host with TCP answers SYN-ACK or RST (RFC 9293 §3.10.7.2); one without answers Parameter Problem
  // code 1 at the Next Header field, offset 6 (RFC 8200 §4, RFC 4443 §3.4). Both prove NH=0 decoded.
  const answer = await t.waitFor((s) => s.ip?.upper.protocol === 6 || s.ip?.icmpv6?.type === 4);
  if (!answer) {
    await t.alive();
    t.inconclusive('the device answered the TCP SYN neither with TCP nor with a Parameter Problem (RFC 8200 §4 says "should"): its decoding of NH=0 cannot be seen');
  }
  if (answer.ip!.icmpv6) {
    checkParameterProblem(t, answer, packet, 6, 'RFC 6282 §3.1.1', sent);
    t.note('the device has no TCP: it answered Parameter Problem code 1 at the Next Header field, quoting the SYN as sent (NH=0 decoded)');
  } else {
    const seg = answer.ip!.upper.bytes;
    t.check(seg.length >= 20 && ((seg[0] << 8) | seg[1]) === 80 && ((seg[2] << 8) | seg[3]) === 0xc355, {
      rule: 'RFC 6282 §3.1.1', expected: 'a TCP segment from port 80 to port 50005', seen: `a TCP segment of ${seg.length} octets`, frames: answer.frames,
    });
    t.note(`the device answered with TCP (flags 0x${seg[13].toString(16)})`);
  }
  noteTd(t, short ? 'TD_6Lo_HC_12' : 'TD_6Lo_HC_11', answer, { nh: 0 });
  if (short) noteShortSource(t, answer);
}

defineTest({
  id: 'LOWPAN-TD-HC-11', title: 'IPHC NH=0: a TCP SYN with the next header in line is decoded (EUI-64)', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  spec: ['TD_6Lo_HC_11'], faults: PARAMETER_PROBLEM,
}, async (t: TestContext) => {
  await tcpSynNh0(t, false);
});

defineTest({
  id: 'LOWPAN-TD-HC-12', title: 'IPHC NH=0: a TCP SYN with the next header in line is decoded (16-bit short addresses)', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  spec: ['TD_6Lo_HC_12'], shortSource: true, faults: [...PARAMETER_PROBLEM, ...FROM_SHORT, ...TO_SHORT, ...SHORT_IID],
}, async (t: TestContext) => {
  await tcpSynNh0(t, true);
});

// ---------------------------------------------------------------- reserved IPHC encodings (RFC 6282 §3.1.1)

defineTest({
  id: 'LOWPAN-29', title: 'reserved IPHC destination modes (M=1 DAC=1 DAM!=00, M=0 DAC=1 DAM=00) are dropped', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  faults: echoFaults(['iphc-reserved-dac-accepted']),
}, async (t: TestContext) => {
  const cases = [
    { dst: ALL_NODES, dam: 1, what: 'M=1 DAC=1 DAM=01' },
    { dst: ALL_NODES, dam: 2, what: 'M=1 DAC=1 DAM=10' },
    { dst: ALL_NODES, dam: 3, what: 'M=1 DAC=1 DAM=11' },
    { dst: t.device.ll, dam: 0, what: 'M=0 DAC=1 DAM=00' },
  ];
  // Each frame is the stateless encoding of a valid request with the DAC bit then set: a decoder
  // that ignores the reservation (reads it as stateless) finds the request and answers it.
  for (const [i, c] of cases.entries()) {
    const multicast = c.dst[0] === 0xff;
    const to = multicast ? t.broadcast : t.device.link;
    const packet = t.echoRequest({ dst: c.dst, id: 0x5253, seq: i });
    const payload = lowpanPayloadOf(t, packet, to, { m: multicast ? 1 : 0, dac: 0, dam: c.dam });
    payload[1] |= 0x04; // DAC=1: the combination RFC 6282 §3.1.1 reserves
    const sent = await t.sendFrames([t.tester.frame(payload, { dst: to })]);
    await expectNoEchoReply(t, 0x5253, i, 'RFC 6282 §3.1.1', `the frame with the reserved ${c.what} dropped: no Echo Reply`, sent);
  }
  await t.alive();
});

/** The 6LoWPAN payload (IPHC first) the tester would send for `packet`, to be edited. */
function lowpanPayloadOf(t: TestContext, packet: Uint8Array, to: Parameters<TestContext['tester']['frames']>[1]['dst'], encoding: LowpanEncodeOptions): Uint8Array {
  const [frame] = t.tester.frames(packet, { dst: to, encoding });
  const src = t.tester.address;
  const header = 3 + 2 + to.bytes.length + src.bytes.length;
  return Uint8Array.from(frame.subarray(header, frame.length - 2));
}

// ---------------------------------------------------------------- dispatch values (RFC 4944 §5.1, RFC 8066 §3.1)

/** Frames whose 6LoWPAN payload is `prefix`, then 0x41 and an Echo Request: a node that skips `prefix` would answer it. */
async function afterDispatch(t: TestContext, prefixes: Uint8Array[], rule: string, what: (p: Uint8Array) => string): Promise<void> {
  for (const [i, prefix] of prefixes.entries()) {
    const packet = t.echoRequest({ id: 0x4e41, seq: i });
    const sent = await t.sendFrames([t.tester.frame(concat([prefix, Uint8Array.of(0x41), packet]), { dst: t.device.link })]);
    await expectNoEchoReply(t, 0x4e41, i, rule, `the frame with ${what(prefix)} dropped: no Echo Reply`, sent);
  }
  await t.alive();
}

const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

defineTest({
  id: 'LOWPAN-30', title: 'NALP dispatch (00xxxxxx): not a LoWPAN frame, discarded', suite, ref: 'RFC 4944 §5.1', level: 'MUST',
  faults: echoFaults(['nalp-skipped']),
}, async (t: TestContext) => {
  // §5.1: "any LoWPAN node that encounters a dispatch value of 00xxxxxx shall discard the packet".
  await afterDispatch(t, [Uint8Array.of(0x00), Uint8Array.of(0x01), Uint8Array.of(0x3f)], 'RFC 4944 §5.1', (p) => `NALP dispatch ${hex(p[0])}`);
});

defineTest({
  id: 'LOWPAN-30a', title: 'unknown dispatch values (ESC with an unknown extension type, reserved values) are dropped', suite, ref: 'RFC 8066 §3.1', level: 'MUST',
  faults: echoFaults(['unknown-dispatch-skipped']),
}, async (t: TestContext) => {
  // RFC 8066 §3.1: an ESC dispatch (0x40, RFC 6282 §2) with an extension type the node does not
  // understand MUST be dropped (EET 0 and 255 are reserved); RFC 4944 §5.1: 01 000011..01 001111
  // and 01 010001..01 011111 are reserved, naming no header a node could process.
  await afterDispatch(t, [
    Uint8Array.of(0x40, 0x00), Uint8Array.of(0x40, 0xff), Uint8Array.of(0x43), Uint8Array.of(0x4f), Uint8Array.of(0x51), Uint8Array.of(0x5f),
  ], 'RFC 8066 §3.1, RFC 4944 §5.1', (p) => (p[0] === 0x40 ? `ESC and extension type ${p[1]}` : `reserved dispatch ${hex(p[0])}`));
});
