// lowpan, part 3: IEEE 802.15.4 frames (versions, PAN ID compression,
// filtering, FCS), fragmentation and reassembly (RFC 4944 §5.3), and how
// compactly the device compresses what it sends (RFC 6282 §3, LOWPAN-42).
import { defineTest } from '../framework/define.js';
import type { Seen, TestContext } from '../framework/context.js';
import { concat } from '../../host/packet/bytes.js';
import { fcs16 } from '../../host/packet/ieee802154.js';
import type { LinkAddress } from '../../host/packet/link-address.js';
import { encodeLowpan } from '../../host/packet/lowpan.js';
import { buildNdPacket } from '../../host/packet/ndp.js';
import {
  NOBODY, OWN_FRAGMENTS, REASSEMBLY, TESTER_SHORT, UNCOMPRESSED, carriedOctets, checkFragmentation, coapPing, echoChecked, echoFaults, echoOfSize,
  encodingOf, expectEchoReply, expectNoEchoReply, fragN, fragmentOf, llOf, mostCompactOctets, noteUncompressedTd, reframe, station, udpPacket,
} from './lowpan-helpers.js';

const suite = 'lowpan' as const;

// ---------------------------------------------------------------- 802.15.4 frames

/**
 * A data frame with every MAC header choice explicit (IEEE 802.15.4-2015
 * §7.2): frame version, PAN ID compression, which PAN IDs are present.
 */
function macFrame(t: TestContext, o: { version: 0 | 1 | 2; panComp: boolean; dstPan: boolean; srcPan: boolean; src: LinkAddress; payload: Uint8Array }): Uint8Array {
  const mode = (a: LinkAddress) => (a.mode === 'short' ? 2 : 3);
  const dst = t.device.link;
  const fcf = 1 | 0x20 | (o.panComp ? 0x40 : 0) | (mode(dst) << 10) | (o.version << 12) | (mode(o.src) << 14);
  const le16 = (v: number) => Uint8Array.of(v & 0xff, v >> 8);
  const air = (a: LinkAddress) => Uint8Array.from(a.bytes).reverse();
  const pan = le16(t.tester.board.pan);
  const body = concat([le16(fcf), Uint8Array.of(0x2a), o.dstPan ? pan : new Uint8Array(0), air(dst), o.srcPan ? pan : new Uint8Array(0), air(o.src), o.payload]);
  return concat([body, le16(fcs16(body))]);
}

/** An Echo Request in a hand-built frame, and its checked reply. */
async function echoInFrame(t: TestContext, o: Omit<Parameters<typeof macFrame>[1], 'payload'>, seq: number, rule: string): Promise<Seen> {
  if (o.src.mode === 'short') station(t, o.src);
  const ll = llOf(o.src);
  const packet = t.echoRequest({ src: ll, id: 0x4d41, seq });
  const frame = macFrame(t, { ...o, payload: encodeLowpan(packet, { src: o.src, dst: t.device.link }) });
  const sent = await t.sendFrames([frame]);
  return expectEchoReply(t, { id: 0x4d41, seq, data: Uint8Array.of(0x73, 0x69, 0x78, 0x6c), to: ll, rule, expected: 'an Echo Reply: the frame was taken', sent });
}

for (const c of [
  { id: 'LOWPAN-31a', version: 0, name: '2003', level: 'MUST', faults: ['mac-frame-2003-dropped'] },
  { id: 'LOWPAN-31b', version: 1, name: '2006', level: 'MUST', faults: [] },
  { id: 'LOWPAN-31c', version: 2, name: '2015', level: 'SHOULD', faults: ['mac-frame-2015-dropped'] },
] as const) {
  defineTest({
    id: c.id, title: `IEEE 802.15.4-${c.name} data frames (frame version ${c.version}) are taken`, suite, ref: 'IEEE 802.15.4-2015 §7.2.2.10', level: c.level,
    faults: echoFaults([...c.faults]),
  }, async (t: TestContext) => {
    // RFC 4944 was written against 802.15.4-2006, which takes 2003 frames too; 2015 frames are a
    // SHOULD here: a 2006-only radio may not take them.
    await echoChecked(t, { rule: 'IEEE 802.15.4-2015 §7.2.2.10', frameVersion: c.version });
  });
}

defineTest({
  id: 'LOWPAN-32a', title: '2006 frame without PAN ID compression (destination and source PAN IDs both present) is taken', suite,
  ref: 'IEEE 802.15.4-2015 §7.2.2.6', level: 'MUST', faults: echoFaults(['mac-pan-id-compression-required']),
}, async (t: TestContext) => {
  await echoInFrame(t, { version: 1, panComp: false, dstPan: true, srcPan: true, src: t.tester.address }, 1, 'IEEE 802.15.4-2015 §7.2.2.6');
});

defineTest({
  id: 'LOWPAN-32b', title: '2015 frame between EUI-64s with PAN ID compression set (no PAN ID at all, Table 7-2) is taken', suite,
  ref: 'IEEE 802.15.4-2015 §7.2.2.6', level: 'SHOULD', faults: echoFaults(['mac-frame-2015-dropped']),
}, async (t: TestContext) => {
  await echoInFrame(t, { version: 2, panComp: true, dstPan: false, srcPan: false, src: t.tester.address }, 2, 'IEEE 802.15.4-2015 §7.2.2.6');
});

defineTest({
  id: 'LOWPAN-32c', title: '2015 frame from a short to an extended address with PAN ID compression set (destination PAN only) is taken', suite,
  ref: 'IEEE 802.15.4-2015 §7.2.2.6', level: 'SHOULD', faults: echoFaults(['mac-frame-2015-dropped', 'short-mac-source-dropped', 'short-iid-byte-swapped']),
}, async (t: TestContext) => {
  await echoInFrame(t, { version: 2, panComp: true, dstPan: true, srcPan: false, src: TESTER_SHORT }, 3, 'IEEE 802.15.4-2015 §7.2.2.6');
});

defineTest({
  id: 'LOWPAN-33a', title: 'a frame for another PAN is ignored', suite, ref: 'IEEE 802.15.4-2015 §6.7.2', level: 'MUST',
  faults: echoFaults(['mac-pan-filter-off']),
}, async (t: TestContext) => {
  // Third-level filtering: the destination PAN ID must be macPanId or the broadcast PAN ID.
  const other = t.tester.board.pan ^ 0x1234;
  const sent = await t.send(t.echoRequest({ id: 0x5041, seq: 1 }), { pan: other });
  await expectNoEchoReply(t, 0x5041, 1, 'IEEE 802.15.4-2015 §6.7.2', `the frame for PAN 0x${other.toString(16)} ignored: no Echo Reply`, sent);
  await t.alive();
});

defineTest({
  id: 'LOWPAN-33b', title: 'a frame for another destination address is ignored', suite, ref: 'IEEE 802.15.4-2015 §6.7.2', level: 'MUST',
  faults: echoFaults(['mac-address-filter-off']),
}, async (t: TestContext) => {
  // The IPv6 destination is the device's own address (carried in line, DAM=01): only the MAC
  // destination is another station's, which the device's filter must reject.
  const sent = await t.send(t.echoRequest({ id: 0x5042, seq: 1 }), { dst: NOBODY });
  await expectNoEchoReply(t, 0x5042, 1, 'IEEE 802.15.4-2015 §6.7.2', 'the frame for 00:12:4b:00:00:00:00:99 ignored: no Echo Reply', sent);
  await t.alive();
});

defineTest({
  id: 'LOWPAN-34', title: 'a frame with a bad FCS is ignored', suite, ref: 'IEEE 802.15.4-2015 §7.2.10', level: 'MUST',
  faults: echoFaults(['no-fcs-check']),
}, async (t: TestContext) => {
  const [frame] = t.tester.frames(t.echoRequest({ id: 0x4643, seq: 1 }), { dst: t.device.link });
  const bad = Uint8Array.from(frame);
  bad[bad.length - 1] ^= 0x5a;
  const sent = await t.sendFrames([bad]);
  await expectNoEchoReply(t, 0x4643, 1, 'IEEE 802.15.4-2015 §7.2.10', 'the frame whose FCS does not match dropped: no Echo Reply', sent);
  await t.alive();
});

// ---------------------------------------------------------------- reassembly (RFC 4944 §5.3)

const FRAG_ID = 0x4652;

defineTest({
  id: 'LOWPAN-35', title: 'a 1280-octet datagram in FRAG1 + FRAGN fragments, in order, is reassembled', suite, ref: 'RFC 4944 §5.3', level: 'MUST',
  faults: echoFaults(REASSEMBLY, OWN_FRAGMENTS),
}, async (t: TestContext) => {
  const { packet, data } = echoOfSize(t, 1280, FRAG_ID, 35);
  const sent = await t.send(packet);
  const reply = await expectEchoReply(t, { id: FRAG_ID, seq: 35, data, to: t.tester.ll, rule: 'RFC 4944 §5.3', expected: 'the Echo Reply to the reassembled 1280-octet request', sent });
  t.note(`request: ${sent.length} fragments; reply: ${encodingOf(reply)}`);
});

defineTest({
  id: 'LOWPAN-35a', title: 'uncompressed (0x41) datagrams of 301 and 1280 octets in fragments are reassembled, the replies fragmented right', suite, ref: 'RFC 4944 §5.3', level: 'MUST',
  spec: ['TD_6Lo_FORMAT_03', 'TD_6Lo_FORMAT_04'], faults: echoFaults(REASSEMBLY, OWN_FRAGMENTS, UNCOMPRESSED),
}, async (t: TestContext) => {
  for (const [td, size, seq] of [['TD_6Lo_FORMAT_03', 301, 1], ['TD_6Lo_FORMAT_04', 1280, 2]] as const) {
    const { packet, data } = echoOfSize(t, size, FRAG_ID, seq);
    const sent = await t.send(packet, { encoding: { hcMode: 'uncompressed' } });
    const reply = await expectEchoReply(t, { id: FRAG_ID, seq, data, to: t.tester.ll, rule: 'RFC 4944 §5.3', expected: `the Echo Reply to the reassembled ${size}-octet request`, sent });
    checkFragmentation(t, reply);
    noteUncompressedTd(t, td, reply);
    await t.sleep(100);
  }
});

/**
 * A small datagram's fragments from the tester (FRAG1 first), with a tag of the
 * test's choosing: 40 octets of MAC payload per frame (RFC 4944 §5.3 lets a
 * sender fragment as it likes), so a 128-octet Echo Request takes 3 fragments
 * while its reply still fits one frame: the reassembly tests do not depend on
 * the device's own fragmentation (LOWPAN-41).
 */
function fragments(t: TestContext, packet: Uint8Array, tag: number, src?: LinkAddress): Uint8Array[] {
  const frames = t.tester.frames(packet, { dst: t.device.link, tag, maxPayload: 40, ...(src ? { src } : {}) });
  if (frames.length < 3) throw new Error(`lowpan: expected at least 3 fragments, got ${frames.length}`);
  return frames;
}

/** The size of the reassembly tests' datagrams. */
const SMALL = 128;

defineTest({
  id: 'LOWPAN-36', title: 'fragments sent in reverse order (FRAG1 last) are reassembled', suite, ref: 'RFC 4944 §5.3', level: 'MUST',
  faults: echoFaults(REASSEMBLY, ['frag-out-of-order-dropped']),
}, async (t: TestContext) => {
  // §5.3: datagram_size is in every fragment so that any fragment may come first; offsets place them.
  const { packet, data } = echoOfSize(t, SMALL, FRAG_ID, 36);
  const sent = await t.sendFrames(fragments(t, packet, 0x3600).reverse());
  await expectEchoReply(t, { id: FRAG_ID, seq: 36, data, to: t.tester.ll, rule: 'RFC 4944 §5.3', expected: 'the Echo Reply to the request reassembled from fragments in reverse order', sent });
});

defineTest({
  id: 'LOWPAN-36a', title: 'an exact duplicate of a fragment does not stop reassembly, and the datagram is delivered once', suite, ref: 'RFC 4944 §5.3', level: 'MUST',
  faults: echoFaults(REASSEMBLY, ['frag-duplicate-discards']),
}, async (t: TestContext) => {
  // §5.3 discards what was accumulated only for an overlap that "differs in either the size or
  // datagram_offset": a duplicate (same offset, same size) does not. It is sent again in a new
  // frame (a new MAC sequence number: the radio would drop a MAC retransmission itself).
  const { packet, data } = echoOfSize(t, SMALL, FRAG_ID, 37);
  const f = fragments(t, packet, 0x3601);
  const sent = await t.sendFrames([f[0], f[1], reframe(t, f[1]), ...f.slice(2)]);
  await expectEchoReply(t, { id: FRAG_ID, seq: 37, data, to: t.tester.ll, rule: 'RFC 4944 §5.3', expected: 'the Echo Reply to the request reassembled despite a duplicated fragment', sent });
  const replies = await t.collect((s) => s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.sequence === 37, { within: 1000 });
  t.check(replies.length === 1, {
    rule: 'RFC 4944 §5.3', expected: 'one Echo Reply: the datagram delivered once', seen: `${replies.length} Echo Replies`, frames: replies.flatMap((r) => r.frames),
  });
});

defineTest({
  id: 'LOWPAN-37', title: 'a fragment overlapping another at a different offset, with different contents, discards the datagram', suite, ref: 'RFC 4944 §5.3', level: 'MUST',
  faults: echoFaults(['accept-overlapping-fragments']),
}, async (t: TestContext) => {
  // §5.3: an overlapping fragment that "differs in either the size or datagram_offset" discards the
  // fragments accumulated; a fresh reassembly may start with it. Here it starts 8 octets into the
  // second fragment with altered octets; the rest then arrives as first sent. FRAG1 is gone, so no
  // datagram can complete: no reply.
  const { packet } = echoOfSize(t, SMALL, FRAG_ID, 38);
  const tag = 0x3700;
  const f = fragments(t, packet, tag);
  const second = fragmentOf(f[1]);
  const at = second.offset + 8;
  const altered = packet.slice(at, at + second.data.length).map((b) => b ^ 0x5a);
  const sent = await t.sendFrames([f[0], f[1], fragN(t, packet.length, tag, at, altered), ...f.slice(2)]);
  await expectNoEchoReply(t, FRAG_ID, 38, 'RFC 4944 §5.3', 'the datagram discarded after the overlapping fragment: no Echo Reply', sent);
  await t.alive();
});

defineTest({
  id: 'LOWPAN-38', title: 'a fragment whose datagram_size disagrees does not complete the datagram', suite, ref: 'RFC 4944 §5.3', level: 'MUST',
  faults: echoFaults(['frag-size-mismatch-ignored']),
}, async (t: TestContext) => {
  // §5.3: fragments of one datagram carry the same datagram_size, and the size is part of what
  // identifies the datagram. The third fragment says 8 octets more: whether the device takes it
  // for another datagram or discards on the disagreement, the first one cannot complete.
  const { packet } = echoOfSize(t, SMALL, FRAG_ID, 39);
  const tag = 0x3800;
  const f = fragments(t, packet, tag);
  const third = fragmentOf(f[2]);
  const sent = await t.sendFrames([f[0], f[1], fragN(t, packet.length + 8, tag, third.offset, third.data), ...f.slice(3)]);
  await expectNoEchoReply(t, FRAG_ID, 39, 'RFC 4944 §5.3', 'no datagram completed from fragments with different datagram_size: no Echo Reply', sent);
  await t.alive();
});

defineTest({
  id: 'LOWPAN-39', title: 'an incomplete datagram is discarded after the 60 s reassembly timeout; a later one with the same tag is reassembled', suite,
  ref: 'RFC 4944 §5.3', level: 'MUST', timeoutMs: 90_000, faults: echoFaults(REASSEMBLY, ['frag-no-timeout']),
}, async (t: TestContext) => {
  // §5.3: "The reassembly timeout MUST be set to a maximum of 60 seconds": after 61 s the held
  // fragments are gone, so the last one alone completes nothing.
  const { packet, data } = echoOfSize(t, SMALL, FRAG_ID, 40);
  const tag = 0x3900;
  const f = fragments(t, packet, tag);
  await t.sendFrames(f.slice(0, -1));
  await t.sleep(61_000);
  const late = await t.sendFrames([f[f.length - 1]]);
  await expectNoEchoReply(t, FRAG_ID, 40, 'RFC 4944 §5.3', 'no Echo Reply: the fragments held for more than 60 s were discarded', late);
  const again = await t.sendFrames(fragments(t, packet, tag));
  await expectEchoReply(t, { id: FRAG_ID, seq: 40, data, to: t.tester.ll, rule: 'RFC 4944 §5.3', expected: 'the Echo Reply to the same datagram sent again whole with the same tag', sent: again });
});

defineTest({
  id: 'LOWPAN-40', title: 'two senders interleaving datagrams with the same tag and size are reassembled separately', suite, ref: 'RFC 4944 §5.3', level: 'MUST',
  faults: echoFaults(REASSEMBLY, ['frag-key-ignores-source']),
}, async (t: TestContext) => {
  // §5.3: a datagram is identified by the sender's and destination's link addresses, datagram_size
  // and datagram_tag. Two hosts use one tag; their fragments alternate.
  const other = t.host(2);
  const tag = 0x4000;
  const a = echoOfSize(t, SMALL, FRAG_ID, 41);
  const b = echoOfSize(t, SMALL, FRAG_ID + 1, 41, { src: other.ll, fill: 0x80 });
  const fa = fragments(t, a.packet, tag);
  const fb = fragments(t, b.packet, tag, other.link);
  const mixed = fa.flatMap((x, i) => [x, fb[i]]).filter((x) => x !== undefined);
  const sent = await t.sendFrames(mixed);
  await expectEchoReply(t, { id: FRAG_ID, seq: 41, data: a.data, to: t.tester.ll, rule: 'RFC 4944 §5.3', expected: 'the Echo Reply to the first sender', sent });
  await expectEchoReply(t, { id: FRAG_ID + 1, seq: 41, data: b.data, to: other.ll, rule: 'RFC 4944 §5.3', expected: 'the Echo Reply to the second sender', sent });
});

// ---------------------------------------------------------------- the device's own fragments (RFC 4944 §5.3)

defineTest({
  id: 'LOWPAN-41', title: 'the device fragments a 1280-octet reply correctly: FRAG1 + FRAGN, one tag, right size, 8-octet offsets, frames of at most 127 octets', suite,
  ref: 'RFC 4944 §5.3', level: 'MUST', faults: echoFaults(REASSEMBLY, OWN_FRAGMENTS),
}, async (t: TestContext) => {
  const tags: number[] = [];
  for (const seq of [42, 43]) {
    const { packet, data } = echoOfSize(t, 1280, FRAG_ID, seq);
    const sent = await t.send(packet);
    const reply = await expectEchoReply(t, { id: FRAG_ID, seq, data, to: t.tester.ll, rule: 'RFC 4944 §5.3', expected: 'the 1280-octet Echo Reply, fragmented', sent });
    tags.push(checkFragmentation(t, reply));
    if (seq === 42) t.note(`reply: ${reply.heard.frames.length} frames, largest ${Math.max(...reply.heard.frames.map((f) => f.psdu.length))} octets, FRAG1 ${encodingOf(reply)}`);
    await t.sleep(100);
  }
  // "The sender SHALL increment datagram_tag for successive, fragmented datagrams": checked when
  // the two replies are the only fragmented datagrams the device sent in the test.
  const fragmented = t.seen.filter((s) => s.heard.frames.length > 1);
  if (fragmented.length === 2) {
    t.check(tags[1] === ((tags[0] + 1) & 0xffff), {
      rule: 'RFC 4944 §5.3', expected: `the second datagram's tag one more than the first's (${tags[0]} + 1)`, seen: `tag ${tags[1]}`,
      frames: fragmented.flatMap((s) => s.frames),
    });
  } else t.note(`${fragmented.length} fragmented datagrams from the device: tag increment not judged`);
});

// ---------------------------------------------------------------- compactness (RFC 6282 §3)

defineTest({
  id: 'LOWPAN-42', title: 'every frame the device sends decodes, in the most compact encoding RFC 6282 allows', suite, ref: 'RFC 6282 §3', level: 'SHOULD',
  faults: ['compress-inline-only'],
}, async (t: TestContext) => {
  // The device's boot traffic (RS or DAD) is in t.seen already; add an Echo Reply, an NA, a Port
  // Unreachable, a CoAP Reset (NHC UDP) and a fragmented 1280-octet Echo Reply.
  await t.sendFrames(t.tester.frames(t.echoRequest({ id: 0x4332, seq: 1 }), { dst: t.device.link }));
  await t.sleep(300);
  const ns = buildNdPacket({ src: t.tester.ll, dst: t.device.ll, message: { kind: 'ns', target: t.device.ll, options: [{ kind: 'sllao', addr: t.tester.address }] } });
  await t.send(ns);
  await t.sleep(300);
  await t.send(udpPacket(t, { srcPort: 0xc356, dstPort: 0x1e63 }));
  await t.sleep(300);
  if (t.has('coap')) await t.send(udpPacket(t, { srcPort: 0xc357, dstPort: 5683, payload: coapPing(0x4332) }));
  await t.sleep(300);
  await t.send(echoOfSize(t, 1280, 0x4332, 2).packet);
  await t.sleep(1000);

  const undecodable = t.tester.undecodableFrames.length;
  t.check(undecodable === 0, {
    rule: 'RFC 6282 §3, RFC 4944 §5', expected: 'every frame the device sends decodes in the tester\'s library',
    seen: `${undecodable} frame(s) that do not: ${t.tester.undecodableFrames[0]?.message ?? ''}`,
  });
  const scored = t.seen.filter((s) => s.heard.frames[0]?.encoding).map((s) => ({ s, got: carriedOctets(s), best: mostCompactOctets(t, s) }));
  const worse = scored.filter((x) => x.got > x.best);
  t.note(`compression score: ${scored.length - worse.length} of ${scored.length} packets in the most compact encoding RFC 6282 allows` +
    `${worse.length ? `; ${worse.map((x) => `${x.got - x.best} octets more in ${encodingOf(x.s)}`).slice(0, 4).join('; ')}` : ''}`);
  if (scored.length === 0) t.inconclusive('the device sent nothing to score');
  t.check(worse.length === 0, {
    rule: 'RFC 6282 §3', expected: 'every packet in the most compact encoding the device could use (its contexts, its MAC addresses)',
    seen: `${worse.length} of ${scored.length} packets longer than needed, e.g. ${worse[0]?.got} octets where ${worse[0]?.best} would do (${worse[0] ? encodingOf(worse[0].s) : ''})`,
    frames: worse.flatMap((x) => x.s.frames),
  });
});
