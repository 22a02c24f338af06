// What the nd and slaac suites share: the protocol constants they check the
// device against (RFC 4861 §10, RFC 6775 §9), predicates over what the device
// sends, invalid ND messages built on purpose (RFC 4861 §6.1, §7.1, §8.1), and
// the small procedures several tests use: a neighbor made known to the device
// by its NS, the device's Echo Request on command, an RA and whether the device
// acted on it. Everything here reads only what the device sends on the link.
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import { formatLinkAddress, type LinkAddress } from '../../host/packet/link-address.js';
import { buildNdPacket, solicitedNodeAddress, type NdMessage, type NdPacketSpec } from '../../host/packet/ndp.js';
import type { TesterHost } from '../../host/harness/host.js';
import { sameBytes, type Seen, type TestContext } from '../framework/context.js';
import { SessionError } from '../framework/session.js';

// ------------------------------------------------------------ constants

/** RFC 4861 §10 (host constants and the defaults of RetransTimer, BaseReachableTime). */
export const RETRANS_TIMER = 1000;
export const MAX_MULTICAST_SOLICIT = 3;
export const MAX_UNICAST_SOLICIT = 3;
export const DELAY_FIRST_PROBE_TIME = 5000;
export const MAX_RTR_SOLICITATION_DELAY = 1000;
export const MAX_RTR_SOLICITATIONS = 3;
export const RTR_SOLICITATION_INTERVAL = 4000;
/** RFC 6775 §9: what 6LoWPAN-ND hosts use instead (RTR_SOLICITATION_INTERVAL*, MAX_RTR_SOLICITATION_INTERVAL+). */
export const LOWPAN_RTR_SOLICITATION_INTERVAL = 10000;
export const MAX_RTR_SOLICITATION_INTERVAL = 60000;

/** Board-clock milliseconds allowed between a device's timer and its frame on the air
 *  (radio access and the medium's delay); timers are checked to this margin. */
export const AIR = 100;
/** Board-clock milliseconds for a frame the tester sent to reach the device (before the device is told to act). */
export const LINK_SETTLE = 20;

export const ALL_ROUTERS = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);
/** Prefixes the tests advertise (documentation space, RFC 3849), and an off-link destination. */
export const PREFIX = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0);
export const OTHER_PREFIX = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0);
export const OFF_LINK = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

/** An address in a /64 with the given interface identifier. */
export function withIid(prefix: Uint8Array, iid: Uint8Array): Uint8Array {
  const a = new Uint8Array(16);
  a.set(prefix.subarray(0, 8));
  a.set(iid.subarray(iid.length - 8), 8);
  return a;
}

/** A /64 of the documentation prefix numbered n (2001:db8:1:n::/64). */
export function prefixNumber(n: number): Uint8Array {
  const p = Uint8Array.from(PREFIX);
  p[6] = n >> 8;
  p[7] = n & 0xff;
  return p;
}

// ------------------------------------------------------------ fault groups

/** A neighbor made known by its NS with an SLLAO (introduce, reachable): a
 *  device that ignores the SLLAO makes no entry (6LoWPAN-ND) or has to resolve
 *  a host that may not answer (classic). */
export const NEIGHBOR_ENTRY = ['ns-sllao-ignored'];
/** A 1280-octet packet from the device: its 6LoWPAN fragmentation and the Echo
 *  Reply's data (faults of the lowpan and icmpv6 suites). */
export const LARGE_PACKETS = ['fragn-offset-in-octets', 'frag-tag-varies', 'truncate-large-echo-replies'];

/** An Echo exchange with one of the device's global addresses (t.echo checks
 *  that the reply comes from it: a fault of the icmpv6 suite). */
export const GLOBAL_ECHO = ['echo-reply-from-link-local'];
/** Echo Requests to an address the device must not have go unanswered: not so
 *  on a device that takes packets for any destination (a fault of the ipv6 suite). */
export const FOREIGN_DESTINATION = ['accept-any-destination'];

// ------------------------------------------------------------ predicates

export const isUnspecified = (a: Uint8Array) => a.every((b) => b === 0);
export const inPrefix64 = (a: Uint8Array, prefix: Uint8Array) => sameBytes(a.subarray(0, 8), prefix.subarray(0, 8));
export const sameLink = (a: LinkAddress | undefined, b: LinkAddress) =>
  a !== undefined && a.mode === b.mode && sameBytes(a.bytes, b.bytes);
export const linkText = (a: LinkAddress | undefined) => (a ? formatLinkAddress(a) : 'none');

type Kind = NdMessage['kind'];
export type Of<K extends Kind> = Extract<NdMessage, { kind: K }>;

/** The device's ND message of a kind, if `s` is one. */
export function ndOf<K extends Kind>(s: Seen, kind: K): Of<K> | undefined {
  return s.nd?.message.kind === kind ? (s.nd.message as Of<K>) : undefined;
}

/** The link address of a message's SLLAO or TLLAO, if it has one. (Not
 *  findNdOption: its Extract over NdOption's intersection type yields never.) */
export function llao(m: NdMessage, kind: 'sllao' | 'tllao'): LinkAddress | undefined {
  const o = m.options.find((x) => x.kind === kind) as { addr: LinkAddress } | undefined;
  return o?.addr;
}

/** An NA for `target`. */
export const naFor = (target: Uint8Array) => (s: Seen) => sameBytes(ndOf(s, 'na')?.target ?? new Uint8Array(0), target);
/** An NS for `target` (any destination). */
export const nsFor = (target: Uint8Array) => (s: Seen) => sameBytes(ndOf(s, 'ns')?.target ?? new Uint8Array(0), target);
/** A unicast NS for `target` (a NUD probe, RFC 4861 §7.3.3). */
export const probeFor = (target: Uint8Array) => (s: Seen) => nsFor(target)(s) && s.ip!.header.dst[0] !== 0xff;
/** A multicast NS for `target` from a unicast source (address resolution, RFC 4861 §7.2.2). */
export const resolutionFor = (target: Uint8Array) => (s: Seen) =>
  nsFor(target)(s) && s.ip!.header.dst[0] === 0xff && !isUnspecified(s.ip!.header.src);
/** A DAD probe for `target` (RFC 4862 §5.4.2: an NS from the unspecified address). */
export const dadFor = (target: Uint8Array) => (s: Seen) => nsFor(target)(s) && isUnspecified(s.ip!.header.src);
export const isRs = (s: Seen) => s.nd?.message.kind === 'rs';
/** A packet from the device whose IPv6 source is `a`. */
export const from = (a: Uint8Array) => (s: Seen) => s.ip !== undefined && sameBytes(s.ip.header.src, a);

/** The Echo Requests the device sends on command carry this identifier. */
export const PING_ID = 0x6e64;
export const echoRequest = (seq: number) => (s: Seen) =>
  s.ip?.icmpv6?.type === 128 && s.ip.icmpv6.echo?.identifier === PING_ID && s.ip.icmpv6.echo.sequence === seq;
export const echoReply = (id: number, seq: number) => (s: Seen) =>
  s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.identifier === id && s.ip.icmpv6.echo.sequence === seq;

/** One line about a packet for a finding: what, to which IPv6 and link address. */
export function where(s: Seen): string {
  const what = s.nd ? s.nd.message.kind.toUpperCase() : s.ip?.icmpv6 ? `ICMPv6 type ${s.ip.icmpv6.type}` : 'a packet';
  return `${what} to ${s.ip ? formatIpv6(s.ip.header.dst) : '?'} (link ${linkText(s.heard.dst)}) at ${Math.round(s.at)} ms`;
}

// ------------------------------------------------------------ invalid messages

export type Invalidity = 'hop-limit' | 'code' | 'checksum' | 'zero-length-option';

/** The validity checks RFC 4861 applies to every ND message (§6.1.1, §6.1.2,
 *  §7.1.1, §7.1.2, §8.1), each with the fault that makes a device overlook it. */
export const INVALID: { how: Invalidity; letter: string; what: string; fault: string }[] = [
  { how: 'hop-limit', letter: 'a', what: 'an IP hop limit of 254', fault: 'nd-hop-limit-unchecked' },
  { how: 'code', letter: 'b', what: 'ICMP Code 1', fault: 'nd-code-unchecked' },
  { how: 'checksum', letter: 'c', what: 'a wrong ICMPv6 checksum', fault: 'nd-checksum-unchecked' },
  { how: 'zero-length-option', letter: 'd', what: 'an option of length 0', fault: 'nd-zero-length-option-accepted' },
];

/**
 * An ND packet, valid or with one defect: hop limit 254 (it could have been
 * forwarded), Code 1, the checksum with bits flipped, or an extra option whose
 * Length is 0 after the valid ones (so that a device that stopped at it would
 * still find everything it needs).
 */
export function ndPacket(spec: NdPacketSpec, how?: Invalidity): Uint8Array {
  switch (how) {
    case undefined:
      return buildNdPacket(spec);
    case 'hop-limit':
      return buildNdPacket({ ...spec, hopLimit: 254 });
    case 'code':
      return buildNdPacket({ ...spec, code: 1 });
    case 'checksum': {
      const right = buildNdPacket(spec);
      return buildNdPacket({ ...spec, forceChecksum: ((right[42] << 8) | right[43]) ^ 0x5a5a });
    }
    case 'zero-length-option': {
      const type = spec.message.kind === 'na' || spec.message.kind === 'redirect' ? 2 : 1;
      const m = { ...spec.message, options: [...spec.message.options, { kind: 'raw' as const, type, length: 0, body: new Uint8Array(6) }] };
      return buildNdPacket({ ...spec, message: m as NdMessage });
    }
  }
}

// ------------------------------------------------------------ procedures

/**
 * The device sends an Echo Request to `dst` (identifier PING_ID). False when
 * it refuses to (no route, no usable source): it then sends nothing, which is
 * what some tests expect.
 */
export async function devicePing(t: TestContext, dst: Uint8Array, seq: number): Promise<boolean> {
  try {
    await t.devicePing(dst, PING_ID, seq, 8);
    return true;
  } catch (err) {
    if (!(err instanceof SessionError)) throw err;
    t.note(`the device did not send the Echo Request to ${formatIpv6(dst)}: ${err.message}`);
    return false;
  }
}

/** The device's Echo Request number `seq` to `dst`, on command; undefined when refused or not sent within `within`. */
export async function pingOut(t: TestContext, dst: Uint8Array, seq: number, within = 3000): Promise<Seen | undefined> {
  await t.sleep(LINK_SETTLE); // what the tester just sent reaches the device first
  const since = t.mark();
  if (!(await devicePing(t, dst, seq))) return undefined;
  return t.waitFor(echoRequest(seq), { since, within });
}

/** Sends a packet as `host` (its link address as MAC source) to the device, or to all nodes. */
export async function sendAs(t: TestContext, host: { link: LinkAddress }, packet: Uint8Array, multicast = false): Promise<number[]> {
  return t.send(packet, { src: host.link, dst: multicast ? t.broadcast : t.device.link });
}

/** An NS from `host` for the device's link-local address, with an SLLAO (`sllao`, by default the host's own link address). */
export function nsFrom(t: TestContext, host: { ll: Uint8Array; link: LinkAddress }, sllao: LinkAddress = host.link): Uint8Array {
  return buildNdPacket({ src: host.ll, dst: t.device.ll, message: { kind: 'ns', target: t.device.ll, options: [{ kind: 'sllao', addr: sllao }] } });
}

/**
 * Makes `host` known to the device the way RFC 4861 §7.2.3 says: an NS with
 * an SLLAO creates a STALE entry, and the device's NA in answer moves it to
 * DELAY (§7.3.3). Returns the NA (inconclusive when none comes).
 */
export async function introduce(t: TestContext, host: TesterHost): Promise<Seen> {
  const since = t.mark();
  await sendAs(t, host, nsFrom(t, host));
  const na = await t.waitFor((s) => naFor(t.device.ll)(s) && sameBytes(s.ip!.header.dst, host.ll), { since, within: 3000 });
  if (!na) t.inconclusive(`precondition: the device did not answer ${formatIpv6(host.ll)}'s NS for its link-local address`);
  return na;
}

/**
 * A REACHABLE entry for `host`: introduced by its NS, then the device's NUD
 * probe DELAY_FIRST_PROBE_TIME later answered by the host (RFC 4861 §7.3.3:
 * a solicited NA confirms reachability). Returns when the answer has arrived.
 */
export async function reachable(t: TestContext, host: TesterHost): Promise<void> {
  const since = t.mark();
  await introduce(t, host);
  const probe = await t.waitFor(probeFor(host.ll), { since, within: DELAY_FIRST_PROBE_TIME + 2000 });
  if (!probe) t.inconclusive(`precondition: the device never probed ${formatIpv6(host.ll)}, so its entry never became REACHABLE`);
  await t.sleep(100); // the host's solicited NA crosses the link
}

/** An NA from `host` about its own address with the given flags and TLLAO. */
export function naFrom(host: { ll: Uint8Array }, dst: Uint8Array, flags: { s: boolean; o: boolean }, tllao: LinkAddress): NdPacketSpec {
  return {
    src: host.ll, dst,
    message: { kind: 'na', router: false, solicited: flags.s, override: flags.o, target: host.ll, options: [{ kind: 'tllao', addr: tllao }] },
  };
}

/** A DAD probe from another node for `target` (RFC 4862 §5.4.2). */
export function dadProbe(target: Uint8Array): Uint8Array {
  return buildNdPacket({ src: new Uint8Array(16), dst: solicitedNodeAddress(target), message: { kind: 'ns', target, options: [] } });
}

/** Whether the device acted on an RA from `router` advertising `prefix`: it
 *  registers with the router (6LoWPAN-ND, RFC 6775 §5.5.1) or starts using an
 *  address in the prefix (DAD, RFC 4862 §5.4; registration). */
export const actsOnRa = (router: Uint8Array, prefix: Uint8Array) => (s: Seen) => {
  const ns = ndOf(s, 'ns');
  return ns !== undefined && (sameBytes(s.ip!.header.dst, router) || inPrefix64(ns.target, prefix));
};

/** Time differences between consecutive packets. */
export function gaps(list: Seen[]): number[] {
  return list.slice(1).map((s, i) => Math.round(s.at - list[i].at));
}

export const frames = (list: (Seen | undefined)[]) => list.flatMap((s) => s?.frames ?? []);
