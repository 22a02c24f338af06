// Helpers of the lowpan suite: the tester's extra stations (a 16-bit short
// address, a locally administered EUI-64), an Echo exchange that also checks
// the reply's addresses (the evidence that the device decoded the compressed
// ones), UDP / CoAP / ICMPv6-error expectations, fragments built by hand, the
// check of the device's own fragmentation (RFC 4944 §5.3), and the notes the
// ETSI HC/FORMAT TDs ask for. Everything reads only what the device sends.
import { concat } from '../../host/packet/bytes.js';
import { ipv6PseudoHeaderChecksum } from '../../host/packet/checksum.js';
import { echoBody } from '../../host/packet/icmpv6.js';
import { parseIeee802154 } from '../../host/packet/ieee802154-parse.js';
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import { formatLinkAddress, linkLocalFromLinkAddress, type LinkAddress } from '../../host/packet/link-address.js';
import { compressLowpan, decodeLowpan, type IphcFields, type LowpanEncodeOptions, type LowpanFragment } from '../../host/packet/lowpan.js';
import { fragNHeader } from '../../host/packet/lowpan-fragment.js';
import { buildIpv6Packet } from '../../host/packet/packet.js';
import { TesterHost } from '../../host/harness/host.js';
import type { SendOptions } from '../../host/harness/tester.js';
import { encodingLine } from '../framework/describe.js';
import { ALL_NODES, sameBytes, type Seen, type TestContext } from '../framework/context.js';
import { ECHO } from './common.js';

export { ALL_NODES, sameBytes };

/** A short address for the tester (RFC 4944 §3: either address size may be used). */
export const TESTER_SHORT: LinkAddress = { mode: 'short', bytes: Uint8Array.of(0x00, 0x42) };
/** A locally administered EUI-64 (U/L bit set): its IID has that bit cleared (RFC 4944 §6, RFC 4291 App. A). */
export const TESTER_LOCAL: LinkAddress = { mode: 'extended', bytes: Uint8Array.of(0x02, 0x12, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x42) };
/** An extended address no station on the link uses. */
export const NOBODY: LinkAddress = { mode: 'extended', bytes: Uint8Array.of(0x00, 0x12, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x99) };

/** fe80::ff:fe00:XXXX, the link-local address of a 16-bit short address (RFC 6282 §3.2.2, RFC 4944 §6). */
export const llOf = linkLocalFromLinkAddress;

// ---------------------------------------------------------------- fault groups
// Faults every test built on an exchange with the tester from a 16-bit short
// address (or to the device's) must list (host/board/faults/lowpan-faults.ts).

/**
 * The tester sends from its 16-bit short address (a station on it). A classic
 * device first resolves that station's address: its NA comes from the short
 * address with the source elided against it.
 */
export const FROM_SHORT = ['short-mac-source-dropped', 'short-iid-byte-swapped@classic'];
/**
 * The device is on its 16-bit short address (shortSource): frames go to it. A
 * classic device's NS is answered by an NA to that address, elided against it.
 */
export const TO_SHORT = ['short-mac-destination-ignored', 'short-iid-byte-swapped@classic'];
/** An IID elided against a 16-bit MAC address (SAM/DAM=11). */
export const SHORT_IID = ['short-iid-byte-swapped'];
/** The device sends to the tester: a classic device resolves its address first (its NS must be valid). */
export const RESOLVE = ['wrong-hop-limit-ns@classic'];
/** The device reassembles the tester's fragmented datagram. */
export const REASSEMBLY = ['fragn-offset-in-octets'];
/** The device fragments its own (large) reply and the tester reassembles it; the reply's data must be whole. */
export const OWN_FRAGMENTS = ['frag-tag-varies', 'truncate-large-echo-replies'];
/** The device's ICMPv6 Port Unreachable (RFC 4443 §3.1 code 4). */
export const PORT_UNREACHABLE = ['no-port-unreachable', ...RESOLVE];
/** The device's Parameter Problem about an unrecognized Next Header (RFC 8200 §4, RFC 4443 §3.4): code 1, pointer. */
export const PARAMETER_PROBLEM = ['param-problem-pointer-compressed', 'unknown-next-header-wrong-code', 'param-problem-pointer-off-by-one', ...RESOLVE];
/** The CoAP server answers a CoAP ping with a Reset (RFC 7252 §4.3). */
export const COAP_PING = ['coap-ping-unanswered', ...RESOLVE];
/** The same faults, only where the device is a classic host (address resolution before it answers). */
export const classicOnly = (faults: string[]): string[] => faults.map((f) => `${f.replace(/@classic$/, '')}@classic`);
/** An Echo Request to ff02::1 answered (RFC 4291 §2.8, RFC 4443 §4.2). */
export const MULTICAST_ECHO = ['no-all-nodes-group', 'no-echo-to-multicast'];
/** An Echo Reply from a global address: the request's destination (RFC 4443 §4.2). */
export const GLOBAL_ECHO = ['echo-reply-from-link-local'];
/** The packet is sent uncompressed (dispatch 0x41, RFC 4944 §5.1). */
export const UNCOMPRESSED = ['dispatch-ipv6-dropped'];

export const echoFaults = (...more: string[][]): string[] => [...new Set([...ECHO, ...more.flat()])];

// ---------------------------------------------------------------- stations

/**
 * Another station of the tester on `link`: the tester acknowledges frames sent
 * to it and answers Neighbor Solicitations for its link-local address, as any
 * host does (a classic device resolves it first, RFC 4861 §7.2).
 */
export function station(t: TestContext, link: LinkAddress, extra: Uint8Array[] = []): TesterHost {
  return new TesterHost(t.tester, link, extra);
}

export function sameLink(a: LinkAddress, b: LinkAddress): boolean {
  return a.mode === b.mode && sameBytes(a.bytes, b.bytes);
}

const fmt = formatIpv6;

// ---------------------------------------------------------------- echo

export interface EchoCase {
  /** The rule the encoding under test comes from (RFC 6282 §3.1.1, ...). */
  rule: string;
  /** The tester's MAC source (default: its EUI-64). */
  from?: LinkAddress;
  /** IPv6 source (default: the link-local address of `from`). */
  src?: Uint8Array;
  /** IPv6 destination (default: the device's link-local address). */
  dst?: Uint8Array;
  /** MAC destination (default: the device's, or broadcast for a multicast destination). */
  to?: LinkAddress;
  encoding?: LowpanEncodeOptions;
  frameVersion?: 0 | 1 | 2;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  id?: number;
  seq?: number;
  data?: Uint8Array;
  within?: number;
  /**
   * For a request whose answer is only a SHOULD (an Echo Request to a multicast
   * address, RFC 4443 §4.2): the encoding of a control request sent when no
   * reply comes. Answered, the encoding under test was not decoded (fail); not
   * answered either, the device does not answer such requests (inconclusive).
   */
  control?: LowpanEncodeOptions;
}

/**
 * An Echo Request in the encoding under test and its checked reply (RFC 4443
 * §4.2): same identifier, sequence and data, sent back to the request's source
 * and, for a unicast request, from its destination. A reply to another
 * address means the device decoded the compressed address wrongly.
 */
export async function echoChecked(t: TestContext, c: EchoCase): Promise<Seen> {
  const from = c.from ?? t.tester.address;
  if (!sameLink(from, t.tester.address)) station(t, from);
  const src = c.src ?? llOf(from);
  const dst = c.dst ?? t.device.ll;
  const multicast = dst[0] === 0xff;
  const send: Partial<SendOptions> = { src: from, dst: c.to ?? (multicast ? t.broadcast : t.device.link) };
  if (c.encoding) send.encoding = c.encoding;
  if (c.frameVersion !== undefined) send.frameVersion = c.frameVersion;
  const o = {
    src, dst, send, rule: c.rule, id: c.id, seq: c.seq, data: c.data, within: c.within,
    hopLimit: c.hopLimit, trafficClass: c.trafficClass, flowLabel: c.flowLabel,
  };
  const reply = c.control ? await echoOrControl(t, o, c.control) : await t.echo(o);
  const h = reply.ip!.header;
  t.check(sameBytes(h.dst, src), {
    rule: c.rule, expected: `the Echo Reply sent to the request's source ${fmt(src)} (the address the device must have decoded)`,
    seen: `an Echo Reply to ${fmt(h.dst)}`, frames: reply.frames,
  });
  if (!multicast) {
    t.check(sameBytes(h.src, dst), {
      rule: 'RFC 4443 §4.2', expected: `the Echo Reply from the request's destination ${fmt(dst)}`,
      seen: `an Echo Reply from ${fmt(h.src)}`, frames: reply.frames,
    });
  }
  return reply;
}

/** An Echo exchange whose answer is a SHOULD: with no reply, a control request in another encoding tells why (see EchoCase.control). */
async function echoOrControl(t: TestContext, o: Parameters<TestContext['echo']>[0] & { rule: string; send: Partial<SendOptions> }, control: LowpanEncodeOptions): Promise<Seen> {
  const id = o.id ?? 0x5158;
  const seq = o.seq ?? 1;
  const data = o.data ?? Uint8Array.of(0x73, 0x69, 0x78, 0x6c);
  const request = t.echoRequest({ id, seq, data, src: o.src, dst: o.dst, hopLimit: o.hopLimit, trafficClass: o.trafficClass, flowLabel: o.flowLabel });
  const isReply = (s: Seen) => s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.identifier === id && s.ip.icmpv6.echo.sequence === seq;
  const sent = await t.send(request, o.send);
  const reply = await t.waitFor(isReply, { within: o.within });
  if (!reply) {
    const again = await t.send(request, { ...o.send, encoding: control });
    const answered = await t.waitFor(isReply, { within: o.within });
    if (!answered) t.inconclusive(`the device answers the Echo Request to ${fmt(o.dst!)} in no encoding (RFC 4443 §4.2: a reply to a multicast request is a SHOULD): its decoding cannot be seen`);
    t.fail({
      rule: o.rule, expected: 'an Echo Reply to the request in the encoding under test, as to the same request in another encoding',
      seen: 'a reply to the other encoding only', frames: [...sent, ...again, ...answered.frames],
    });
  }
  const got = reply.ip!.icmpv6!.echo!.data;
  t.check(sameBytes(got, data), {
    rule: 'RFC 4443 §4.2', expected: `the ${data.length} data octets of the request returned unchanged`, seen: `${got.length} octets, first difference at ${firstDiff(got, data)}`,
    frames: [...sent, ...reply.frames],
  });
  return reply;
}

// ---------------------------------------------------------------- notes

/** "IPHC TF=11 ..." for the first frame of what the device sent (fragments: the FRAG1's). */
export function encodingOf(s: Seen): string {
  const f = s.heard.frames[0];
  const frag = s.heard.frames.length > 1 ? `, ${s.heard.frames.length} fragments` : '';
  return `${f.encoding ? encodingLine(f.encoding) : 'no 6LoWPAN encoding'}${frag}, MAC ${s.heard.src ? formatLinkAddress(s.heard.src) : '-'} -> ${s.heard.dst ? formatLinkAddress(s.heard.dst) : '-'}`;
}

/**
 * Records what an ETSI TD checks of the device's reply encoding (best
 * compression: "not a requirement for interoperability"; LOWPAN-42 judges it).
 */
export function noteTd(t: TestContext, td: string, s: Seen, want: Partial<IphcFields> = {}): void {
  const e = s.heard.frames[0].encoding;
  const wanted = Object.entries(want).map(([k, v]) => `${k.toUpperCase()}=${k === 'tf' || k === 'hlim' || k === 'sam' || k === 'dam' ? (v as number).toString(2).padStart(2, '0') : v}`);
  let verdict = '';
  if (wanted.length) {
    const met = e?.dispatch === 'iphc' && Object.entries(want).every(([k, v]) => (e as unknown as Record<string, number>)[k] === v);
    verdict = ` (${td} expects ${wanted.join(', ')}: ${met ? 'met' : 'not met; best compression is judged by LOWPAN-42'})`;
  }
  t.note(`${td}: the device's reply: ${encodingOf(s)}${verdict}`);
}

/** The FORMAT TDs' "header compression disabled" cannot be set on the device: say how it answered. */
export function noteUncompressedTd(t: TestContext, td: string, s: Seen): void {
  const e = s.heard.frames[0].encoding;
  t.note(`${td}: precondition "header compression disabled" cannot be set on the device; the tester sent dispatch 0x41 and the device answered with ${e?.dispatch === 'ipv6' ? 'dispatch 0x41 too' : 'a compressed reply (any valid encoding passes)'}: ${encodingOf(s)}`);
}

/** In the e16 / host16 TDs the device sends from its short address; its link-local address comes from it (RFC 4944 §6). */
export function noteShortSource(t: TestContext, s: Seen): void {
  const src = s.heard.src;
  t.note(`the device sent from MAC ${src ? formatLinkAddress(src) : '-'} with IPv6 source ${fmt(s.ip!.header.src)}` +
    `${src?.mode === 'short' ? '' : ' (not its 16-bit short address)'}`);
}

// ---------------------------------------------------------------- negative tests

/** Fails if the device answers the Echo Request `id`/`seq` (the frame had to be dropped). */
export async function expectNoEchoReply(t: TestContext, id: number, seq: number, rule: string, expected: string, sent: number[], within = 1000): Promise<void> {
  await t.expectNone((s) => s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.identifier === id && s.ip.icmpv6.echo.sequence === seq, {
    rule, expected, within, sent,
  });
}

// ---------------------------------------------------------------- UDP

export function udpPacket(t: TestContext, o: { srcPort: number; dstPort: number; payload?: Uint8Array; src?: Uint8Array; dst?: Uint8Array }): Uint8Array {
  return t.packet({ src: o.src, dst: o.dst, upper: { kind: 'udp', srcPort: o.srcPort, dstPort: o.dstPort, payload: o.payload ?? Uint8Array.of(0x36, 0x6c, 0x6f) } });
}

/** A CoAP ping: an Empty Confirmable message (RFC 7252 §4.3): Ver 1, T=CON, TKL 0, Code 0.00, Message ID. */
export function coapPing(mid: number): Uint8Array {
  return Uint8Array.of(0x40, 0x00, mid >> 8, mid & 0xff);
}

/** Expects the Reset that answers a CoAP ping (RFC 7252 §4.3), from port 5683 to `srcPort`, same Message ID. */
export async function expectCoapReset(t: TestContext, o: { to: Uint8Array; srcPort: number; mid: number; rule: string; sent: number[] }): Promise<Seen> {
  const rst = await t.expect((s) => s.ip?.udp?.srcPort === 5683 && s.ip.udp.dstPort === o.srcPort && s.ip.udp.payload.length >= 4 &&
    ((s.ip.udp.payload[0] >> 4) & 3) === 3 && ((s.ip.udp.payload[2] << 8) | s.ip.udp.payload[3]) === o.mid, {
    rule: o.rule, expected: `a CoAP Reset with Message ID ${o.mid} from port 5683 to port ${o.srcPort} (the answer to a CoAP ping, RFC 7252 §4.3: proof the datagram was decoded)`,
    sent: o.sent,
  });
  t.check(sameBytes(rst.ip!.header.dst, o.to), {
    rule: o.rule, expected: `the Reset sent to the ping's source ${fmt(o.to)}`, seen: `sent to ${fmt(rst.ip!.header.dst)}`, frames: rst.frames,
  });
  return rst;
}

/**
 * Expects ICMPv6 Destination Unreachable code 4 (port unreachable, RFC 4443
 * §3.1) about the datagram `request`: its quote must hold the addresses and
 * ports as sent, the proof that the NHC ports were decoded right.
 */
export async function expectPortUnreachable(t: TestContext, request: Uint8Array, rule: string, sent: number[]): Promise<Seen> {
  const srcPort = (request[40] << 8) | request[41];
  const dstPort = (request[42] << 8) | request[43];
  const pu = await t.expect((s) => s.ip?.icmpv6?.type === 1 && s.ip.icmpv6.code === 4, {
    rule, expected: `an ICMPv6 Port Unreachable about the datagram to closed port ${dstPort} (RFC 4443 §3.1: proof it was decoded)`, sent,
  });
  const quote = pu.ip!.icmpv6!.body.subarray(4);
  const want = request.subarray(0, Math.min(request.length, quote.length));
  const qSrc = quote.length >= 44 ? (quote[40] << 8) | quote[41] : -1;
  const qDst = quote.length >= 44 ? (quote[42] << 8) | quote[43] : -1;
  t.check(quote.length >= 48 && sameBytes(quote.subarray(0, want.length), want), {
    rule, expected: `the quoted datagram as sent: ${fmt(request.subarray(8, 24))} -> ${fmt(request.subarray(24, 40))}, ports ${srcPort} -> ${dstPort}`,
    seen: quote.length >= 44 ? `${fmt(quote.subarray(8, 24))} -> ${fmt(quote.subarray(24, 40))}, ports ${qSrc} -> ${qDst}${sameBytes(quote.subarray(0, Math.min(want.length, quote.length)), want.subarray(0, Math.min(want.length, quote.length))) ? '' : ' (octets differ from what was sent)'}` : `a quote of ${quote.length} octets`,
    frames: [...sent, ...pu.frames],
  });
  return pu;
}

/**
 * The answer RFC 8200 §4 asks of a node that does not recognise a Next Header
 * value: Parameter Problem code 1 (RFC 4443 §3.4) with the pointer at the
 * Next Header field of the uncompressed packet (`pointer`). Its quote must be
 * the packet as sent (decompressed), the proof that it was decoded right.
 */
export function checkParameterProblem(t: TestContext, pp: Seen, request: Uint8Array, pointer: number, rule: string, sent: number[]): void {
  const body = pp.ip!.icmpv6!.body;
  const got = ((body[0] << 24) | (body[1] << 16) | (body[2] << 8) | body[3]) >>> 0;
  t.check(pp.ip!.icmpv6!.code === 1 && got === pointer, {
    rule: 'RFC 8200 §4, RFC 4443 §3.4', expected: `Parameter Problem code 1 with pointer ${pointer} (the Next Header field of the uncompressed packet)`,
    seen: `code ${pp.ip!.icmpv6!.code}, pointer ${got}`, frames: [...sent, ...pp.frames],
  });
  const quote = body.subarray(4);
  const n = Math.min(quote.length, request.length);
  t.check(n >= 40 && sameBytes(quote.subarray(0, n), request.subarray(0, n)), {
    rule, expected: 'the quoted packet equal to the packet as sent, decompressed', seen: `a quote of ${quote.length} octets that differs at octet ${firstDiff(quote, request)}`,
    frames: [...sent, ...pp.frames],
  });
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** A TCP SYN (RFC 9293 §3.1: 20-octet header, SYN flag, checksum over the pseudo header). */
export function tcpSyn(src: Uint8Array, dst: Uint8Array, srcPort: number, dstPort: number): Uint8Array {
  const h = new Uint8Array(20);
  const v = new DataView(h.buffer);
  v.setUint16(0, srcPort);
  v.setUint16(2, dstPort);
  v.setUint32(4, 0x5158_0001);
  h[12] = 5 << 4; // data offset: 5 words
  h[13] = 0x02; // SYN
  v.setUint16(14, 1024); // window
  v.setUint16(16, ipv6PseudoHeaderChecksum(src, dst, 20, 6, h));
  return h;
}

// ---------------------------------------------------------------- fragments

/** An Echo Request of `size` octets in all (IPv6 header included), with its data. */
export function echoOfSize(t: TestContext, size: number, id: number, seq: number, o: { src?: Uint8Array; fill?: number } = {}): { packet: Uint8Array; data: Uint8Array } {
  const data = Uint8Array.from({ length: size - 48 }, (_, i) => (i * 7 + (o.fill ?? 0) + seq) & 0xff);
  const packet = buildIpv6Packet({ src: o.src ?? t.tester.ll, dst: t.device.ll, upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(id, seq, data) } });
  return { packet, data };
}

/** What a fragment frame built by the tester carries (its own library reads it back). */
export function fragmentOf(frame: Uint8Array): LowpanFragment {
  const mac = parseIeee802154(frame);
  const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst });
  if (d.kind === 'ipv6') throw new Error('lowpan: expected a fragment');
  return d;
}

/** The same 6LoWPAN payload in a new frame (new MAC sequence number, so the radio does not take it for a retransmission). */
export function reframe(t: TestContext, frame: Uint8Array, options: Partial<SendOptions> = {}): Uint8Array {
  const mac = parseIeee802154(frame);
  return t.tester.frame(mac.payload, { dst: mac.dst!, src: mac.src, ...options });
}

/** A FRAGN built by hand: any size, tag, offset (octets, a multiple of 8) and data (RFC 4944 §5.3). */
export function fragN(t: TestContext, size: number, tag: number, offset: number, data: Uint8Array, src?: LinkAddress): Uint8Array {
  return t.tester.frame(concat([fragNHeader(size, tag, offset), data]), { dst: t.device.link, src });
}

/** Waits for the Echo Reply to `id`/`seq` carrying `data`. */
export async function expectEchoReply(t: TestContext, o: { id: number; seq: number; data: Uint8Array; to: Uint8Array; rule: string; expected: string; sent: number[]; within?: number }): Promise<Seen> {
  const r = await t.expect((s) => s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.identifier === o.id && s.ip.icmpv6.echo.sequence === o.seq, {
    rule: o.rule, expected: o.expected, sent: o.sent, within: o.within,
  });
  const got = r.ip!.icmpv6!.echo!.data;
  t.check(sameBytes(got, o.data), {
    rule: 'RFC 4443 §4.2', expected: `the ${o.data.length} data octets returned unchanged`, seen: `${got.length} octets, first difference at ${firstDiff(got, o.data)}`, frames: r.frames,
  });
  t.check(sameBytes(r.ip!.header.dst, o.to), {
    rule: o.rule, expected: `the reply sent to ${fmt(o.to)}`, seen: `sent to ${fmt(r.ip!.header.dst)}`, frames: r.frames,
  });
  return r;
}

/**
 * The device's fragmentation of a datagram it sent, per RFC 4944 §5.3: a
 * FRAG1 then FRAGNs, one datagram_tag, datagram_size = the packet's size,
 * offsets in 8-octet units that tile the datagram without gap or overlap,
 * every fragment but the last a multiple of 8 octets, every frame at most
 * 127 octets (aMaxPhyPacketSize, RFC 4944 §4). Returns the tag.
 */
export function checkFragmentation(t: TestContext, s: Seen, rule = 'RFC 4944 §5.3'): number {
  const frames = s.heard.frames;
  const size = s.heard.packet.length;
  const fail = (expected: string, seen: string): never => t.fail({ rule, expected, seen, frames: s.frames });
  if (frames.length < 2 || !frames.every((f) => f.fragment)) fail(`the ${size}-octet datagram in FRAG1 + FRAGN fragments`, `${frames.length} frame(s), not all fragments`);
  const frags = frames.map((f) => f.fragment!);
  if (frags[0].kind !== 'frag1' || frags.slice(1).some((f) => f.kind !== 'fragn')) fail('the first fragment with a FRAG1 header, the others with FRAGN', frags.map((f) => f.kind).join(', '));
  const tag = frags[0].tag;
  if (frags.some((f) => f.tag !== tag)) fail(`one datagram_tag in every fragment`, `tags ${frags.map((f) => f.tag).join(', ')}`);
  if (frags.some((f) => f.size !== size)) fail(`datagram_size ${size} in every fragment`, `sizes ${frags.map((f) => f.size).join(', ')}`);
  const long = frames.find((f) => f.psdu.length > 127);
  if (long) fail('every frame at most 127 octets (aMaxPhyPacketSize)', `a frame of ${long.psdu.length} octets`);
  const sorted = [...frags].sort((a, b) => a.offset - b.offset);
  let next = 0;
  for (const [i, f] of sorted.entries()) {
    if (f.offset !== next) fail(`fragments that tile the datagram: one at offset ${next}`, `offsets ${sorted.map((x) => `${x.offset}+${x.length}`).join(', ')}`);
    const last = i === sorted.length - 1;
    if (!last && f.length % 8 !== 0) fail('every fragment but the last a multiple of 8 octets long', `${f.length} octets at offset ${f.offset}`);
    next = f.offset + f.length;
  }
  if (next !== size) fail(`fragments that end at datagram_size ${size}`, `they end at ${next}`);
  return tag;
}

// ---------------------------------------------------------------- compactness (LOWPAN-42)

/** 6LoWPAN octets that carried a datagram, past mesh/BC0/fragment headers: the compressed headers plus the rest. */
export function carriedOctets(s: Seen): number {
  let n = 0;
  for (const f of s.heard.frames) {
    const pre = (f.encoding?.mesh ? meshLength(f.encoding.mesh) : 0) + (f.encoding?.bc0 !== undefined ? 2 : 0);
    const frag = f.fragment ? (f.fragment.kind === 'frag1' ? 4 : 5) : 0;
    n += f.mac.payload.length - pre - frag;
  }
  return n;
}

function meshLength(m: { deep?: boolean; originator: LinkAddress; final: LinkAddress }): number {
  return 1 + (m.deep ? 1 : 0) + m.originator.bytes.length + m.final.bytes.length;
}

/** The octets the most compact encoding RFC 6282 allows would take (the tester's encoder, the contexts the device was given). */
export function mostCompactOctets(t: TestContext, s: Seen): number {
  const c = compressLowpan(s.heard.packet, { src: s.heard.src, dst: s.heard.dst }, t.tester.contexts, {});
  return c.header.length + s.heard.packet.length - c.covered;
}
