// Helpers shared by the ipv6, icmpv6 and udp suites: the packets they send
// (an Echo Request behind extension headers, a UDP datagram to a closed port,
// a CoAP ping), matchers for what the device sends back, and the checks every
// ICMPv6 error message must pass (RFC 4443 §2.2, §2.4 c, §3).
import { sameBytes, type Seen, type TestContext } from '../framework/context.js';
import { echoBody } from '../../host/packet/icmpv6.js';
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import type { ExtensionHeader, OptionsHeader } from '../../host/packet/ipv6-ext.js';
import type { UdpSpec } from '../../host/packet/udp.js';
import type { Ipv6PacketSpec } from '../../host/packet/packet.js';

// ------------------------------------------------------------ fault groups

/** Any unicast answer: in classic mode the device first resolves the tester's
 *  address (RFC 4861 §7.2.2), and its NS with the wrong hop limit goes unanswered. */
export const REPLY = ['wrong-hop-limit-ns@classic'];
/** Every ICMPv6 error the device sends quotes too little of the invoking packet (RFC 4443 §2.4 c). */
export const QUOTE = ['errors-quote-header-only'];
/** Every Parameter Problem points at the wrong octet (RFC 4443 §3.4). */
export const POINTER = ['param-problem-pointer-off-by-one'];

// ------------------------------------------------------------ what the tester sends

/**
 * Option types set aside for experiments (RFC 4727 §5.1.2, RFC 3692): no
 * device recognizes them, so each one stands for "an unrecognized option"
 * with the action its two high-order bits ask for (RFC 8200 §4.2).
 */
export const OPTION = { skip: 0x1e, discard: 0x5e, problem: 0x9e, problemUnlessMulticast: 0xde } as const;

/** A Hop-by-Hop or Destination Options header with one option of `type`: 2 + 6 octets, no padding needed. */
export function optionsHeader(kind: OptionsHeader['kind'], type: number): OptionsHeader {
  return { kind, options: [{ type, data: Uint8Array.of(0x73, 0x69, 0x78, 0x6c) }] };
}

/** Where the first option of the first extension header sits: after the IPv6 header and 2 octets (RFC 8200 §4.3). */
export const FIRST_OPTION_POINTER = 40 + 2;

export const ECHO_DATA = Uint8Array.of(0x69, 0x70, 0x76, 0x36, 0x2d, 0x74, 0x65, 0x73, 0x74);

/** An Echo Request (RFC 4443 §4.1) with every IPv6 field under the test's control. */
export function echoRequest(t: TestContext, o: {
  id: number; seq: number; data?: Uint8Array; type?: number; forceChecksum?: number; extensions?: ExtensionHeader[];
} & Partial<Pick<Ipv6PacketSpec, 'src' | 'dst' | 'version' | 'payloadLength' | 'nextHeader'>>): Uint8Array {
  return t.packet({
    src: o.src, dst: o.dst, extensions: o.extensions, version: o.version, payloadLength: o.payloadLength, nextHeader: o.nextHeader,
    upper: { kind: 'icmpv6', type: o.type ?? 128, code: 0, body: echoBody(o.id, o.seq, o.data ?? ECHO_DATA), forceChecksum: o.forceChecksum },
  });
}

/** A port nobody listens on: the base port traceroute uses to provoke Port Unreachable. */
export const CLOSED_PORT = 33434;
export const TESTER_PORT = 49411;

/** A UDP datagram (RFC 768) from the tester, to the device's link-local address unless told. */
export function udpPacket(t: TestContext, o: Partial<UdpSpec> & Partial<Pick<Ipv6PacketSpec, 'src' | 'dst' | 'extensions'>> = {}): Uint8Array {
  return t.packet({
    src: o.src, dst: o.dst, extensions: o.extensions,
    upper: {
      kind: 'udp', srcPort: o.srcPort ?? TESTER_PORT, dstPort: o.dstPort ?? CLOSED_PORT, payload: o.payload ?? Uint8Array.of(0x75, 0x64, 0x70),
      forceChecksum: o.forceChecksum, forceLength: o.forceLength,
    },
  });
}

export const COAP_PORT = 5683;

/** A CoAP ping: an empty Confirmable message (RFC 7252 §4.3), answered with a Reset carrying its Message ID. */
export function coapPing(mid: number): Uint8Array {
  return Uint8Array.of(0x40, 0x00, mid >> 8, mid & 0xff);
}

/** The device's Reset (type 3, code 0.00, RFC 7252 §3, §4.3) for Message ID `mid`. */
export const coapReset = (mid: number) => (s: Seen): boolean => {
  const u = s.ip?.udp;
  return !!u && u.srcPort === COAP_PORT && u.payload.length >= 4 && u.payload[0] >> 6 === 1 && ((u.payload[0] >> 4) & 3) === 3
    && u.payload[1] === 0 && ((u.payload[2] << 8) | u.payload[3]) === mid;
};

// ------------------------------------------------------------ what the device sends

export const echoReplyTo = (id: number, seq: number) => (s: Seen): boolean =>
  s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.identifier === id && s.ip.icmpv6.echo.sequence === seq;

/** Any ICMPv6 error message (type < 128, RFC 4443 §2.1). */
export const isIcmpError = (s: Seen): boolean => s.ip?.icmpv6 !== undefined && s.ip.icmpv6.type < 128;

/** The invoking packet an error message carries (after its 4-octet type-specific field). */
export function quoteOf(s: Seen): Uint8Array {
  return s.ip!.icmpv6!.body.subarray(4);
}

/** An error of `type` about `invoking`: its quote starts with the invoking packet's IPv6 header. */
export const errorAbout = (type: number, invoking: Uint8Array) => (s: Seen): boolean =>
  s.ip?.icmpv6?.type === type && s.ip.icmpv6.body.length >= 44 && sameBytes(quoteOf(s).subarray(0, 40), invoking.subarray(0, 40));

const ERROR_NAMES: Record<number, string> = { 1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem' };
const MIN_MTU = 1280; // RFC 8200 §5

/**
 * What RFC 4443 asks of every error message: a right checksum (§2.3), sent
 * to the invoking packet's source (§3.x, "Destination Address: copied from
 * the Source Address field of the invoking packet"), from the address the
 * invoking packet was sent to when that was one of the device's unicast
 * addresses, else from a unicast address (§2.2), carrying as much of the
 * invoking packet as fits in the minimum MTU (§2.4 c).
 */
export function checkErrorMessage(t: TestContext, s: Seen, invoking: Uint8Array, sent: number[]): void {
  const frames = [...sent, ...s.frames];
  const ip = s.ip!;
  const m = ip.icmpv6!;
  const name = ERROR_NAMES[m.type] ?? `type ${m.type}`;
  t.check(m.checksumOk, { rule: 'RFC 4443 §2.3', expected: `the ${name} with a correct checksum`, seen: 'a wrong checksum', frames });
  const invokingSrc = invoking.subarray(8, 24);
  const invokingDst = invoking.subarray(24, 40);
  t.check(sameBytes(ip.header.dst, invokingSrc), {
    rule: 'RFC 4443 §3', expected: `the ${name} sent to the invoking packet's source ${formatIpv6(invokingSrc)}`, seen: `sent to ${formatIpv6(ip.header.dst)}`, frames,
  });
  if (invokingDst[0] !== 0xff) {
    t.check(sameBytes(ip.header.src, invokingDst), {
      rule: 'RFC 4443 §2.2', expected: `the ${name} sent from ${formatIpv6(invokingDst)}, the address the invoking packet was sent to`,
      seen: `sent from ${formatIpv6(ip.header.src)}`, frames,
    });
  } else {
    t.check(ip.header.src[0] !== 0xff && !ip.header.src.every((b) => b === 0), {
      rule: 'RFC 4443 §2.2', expected: `the ${name} sent from a unicast address of the device`, seen: `sent from ${formatIpv6(ip.header.src)}`, frames,
    });
  }
  const quote = quoteOf(s);
  const total = s.heard.packet.length;
  const fits = quote.length === invoking.length || total === MIN_MTU;
  t.check(total <= MIN_MTU && fits && sameBytes(quote, invoking.subarray(0, quote.length)), {
    rule: 'RFC 4443 §2.4 (c)',
    expected: `as much of the ${invoking.length}-octet invoking packet as fits in ${MIN_MTU} octets (${Math.min(invoking.length, MIN_MTU - 48)} octets here), unchanged`,
    seen: `a ${total}-octet ${name} quoting ${quote.length} octets${sameBytes(quote, invoking.subarray(0, quote.length)) ? '' : ' that differ from the packet sent'}`,
    frames,
  });
}

/** Waits for the error of `type` about `invoking` and checks it as every error message must be. */
export async function expectError(t: TestContext, o: {
  type: number; code: number; invoking: Uint8Array; sent: number[]; rule: string; why: string;
}): Promise<Seen> {
  const name = ERROR_NAMES[o.type];
  const s = await t.expect(errorAbout(o.type, o.invoking), { rule: o.rule, expected: `an ICMPv6 ${name} code ${o.code} (${o.why})`, sent: o.sent });
  t.check(s.ip!.icmpv6!.code === o.code, {
    rule: o.rule, expected: `${name} code ${o.code} (${o.why})`, seen: `code ${s.ip!.icmpv6!.code}`, frames: [...o.sent, ...s.frames],
  });
  checkErrorMessage(t, s, o.invoking, o.sent);
  return s;
}

/** A Parameter Problem (RFC 4443 §3.4) of `code` whose pointer is `pointer` (the octet where the error was detected). */
export async function expectParamProblem(t: TestContext, o: {
  code: number; pointer: number; field: string; invoking: Uint8Array; sent: number[]; rule: string; why: string;
}): Promise<Seen> {
  const s = await expectError(t, { type: 4, ...o });
  const body = s.ip!.icmpv6!.body;
  const pointer = new DataView(body.buffer, body.byteOffset, 4).getUint32(0);
  t.check(pointer === o.pointer, {
    rule: 'RFC 4443 §3.4', expected: `pointer ${o.pointer}, the offset of ${o.field}`, seen: `pointer ${pointer}`, frames: [...o.sent, ...s.frames],
  });
  return s;
}

/** Nothing `match` accepts comes within a second (the packet was discarded without a word). */
export async function expectSilence(t: TestContext, match: (s: Seen) => boolean, o: { rule: string; expected: string; sent: number[]; since?: number }): Promise<void> {
  await t.expectNone(match, { rule: o.rule, expected: o.expected, sent: o.sent, since: o.since, within: 1000 });
}

/** Neither an Echo Reply to (id, seq) nor any ICMPv6 error: the Echo Request was discarded silently. */
export async function expectDiscarded(t: TestContext, id: number, seq: number, o: { rule: string; why: string; sent: number[] }): Promise<void> {
  await expectSilence(t, (s) => echoReplyTo(id, seq)(s) || isIcmpError(s), {
    rule: o.rule, expected: `the Echo Request discarded without a word (${o.why}): no Echo Reply, no ICMPv6 error`, sent: o.sent,
  });
}
