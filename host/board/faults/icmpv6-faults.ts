// Faults that break the rules the icmpv6 suite checks (RFC 4443): each makes
// the device break one rule, so the tests that check it can be shown to fail.
import type { ParsedMacFrame } from '../../packet/ieee802154-parse.js';
import { linkAddressFromIid, linkLocalFromLinkAddress, type LinkAddress } from '../../packet/link-address.js';
import { buildIpv6Packet } from '../../packet/packet.js';
import {
  DeviceAddresses, fixUpperChecksum, framePacket, isMulticast, isUnicast, isUnspecified, isLinkLocal, sameAddress, unknownOptions, upperLayer,
} from './ipv6-faults.js';
import { fixIcmpChecksum, icmpType, inboundFault, outboundFault, packetRewriter, reencode, type FaultEnv, type FaultFactory } from './rewrite.js';

const MIN_MTU = 1280; // RFC 8200 §5

/** The ICMPv6 type of a packet past its extension headers, or -1. */
function icmpTypeAnywhere(p: Uint8Array): number {
  const u = upperLayer(p);
  return u && u.protocol === 58 && !u.fragmented && u.length >= 4 ? p[u.offset] : -1;
}

/** A UDP datagram past its extension headers: its offset, or -1. */
function udpAt(p: Uint8Array): number {
  const u = upperLayer(p);
  return u && u.protocol === 17 && !u.fragmented && u.length >= 8 ? u.offset : -1;
}

const dstPort = (p: Uint8Array, at: number) => (p[at + 2] << 8) | p[at + 3];
const COAP_PORT = 5683;

/** Replaces the source address of a UDP datagram with the link-local address of the frame's sender. */
function fromFrameSender(p: Uint8Array, mac: ParsedMacFrame): Uint8Array | undefined {
  if (!mac.src) return undefined;
  const q = Uint8Array.from(p);
  q.set(linkLocalFromLinkAddress(mac.src), 8);
  return fixUpperChecksum(q);
}

export const ICMPV6_FAULTS: Record<string, FaultFactory> = {
  // ICMP-01b: RFC 4443 §4.2, the reply's source is the request's destination.
  'echo-reply-from-link-local': outboundFault('echo-reply-from-link-local',
    'answers an Echo Request sent to a global address from its link-local address (RFC 4443 §4.2)', (p) => {
      if (icmpType(p) !== 129 || isLinkLocal(p.subarray(8, 24))) return undefined;
      const q = Uint8Array.from(p);
      q.set([0xfe, 0x80, 0, 0, 0, 0, 0, 0], 8);
      return fixIcmpChecksum(q);
    }),

  // ICMP-02: RFC 4443 §4.2, the data is returned entirely (a small reply buffer).
  'truncate-large-echo-replies': outboundFault('truncate-large-echo-replies',
    'returns only the first 1000 octets of data in Echo Replies (RFC 4443 §4.2: entirely and unmodified)', (p) => {
      if (icmpType(p) !== 129 || p.length <= 48 + 1000) return undefined;
      const q = p.slice(0, 48 + 1000);
      q[4] = (q.length - 40) >> 8;
      q[5] = (q.length - 40) & 0xff;
      return fixIcmpChecksum(q);
    }),

  // ICMP-03: RFC 4443 §4.2, an Echo Reply SHOULD be sent to a multicast Echo Request.
  'no-echo-to-multicast': inboundFault('no-echo-to-multicast',
    'ignores Echo Requests sent to a multicast address (RFC 4443 §4.2: SHOULD answer)',
    (p) => (icmpTypeAnywhere(p) === 128 && isMulticast(p.subarray(24, 40)) ? null : undefined)),

  // ICMP-04: RFC 4443 §2.4 (c), as much of the invoking packet as fits in 1280 octets
  // (the ICMPv4 habit of quoting the header and 8 octets).
  'errors-quote-header-only': outboundFault('errors-quote-header-only',
    'quotes only the IPv6 header and the next 8 octets of the invoking packet in its errors (RFC 4443 §2.4 c)', (p) => {
      const t = icmpType(p);
      if (t < 0 || t >= 128 || p.length <= 48 + 48) return undefined;
      const q = p.slice(0, 48 + 48);
      q[4] = 0;
      q[5] = q.length - 40;
      return fixIcmpChecksum(q);
    }),

  // ICMP-05: RFC 4443 §2.4 (e.1). The lax device does not look past the extension
  // headers for an ICMPv6 error: it takes the error for an informational message.
  'errors-about-errors': inboundFault('errors-about-errors',
    'answers an unrecognized option in an ICMPv6 error message with Parameter Problem (RFC 4443 §2.4 e.1)', (p) => {
      const u = upperLayer(p);
      if (!u || u.protocol !== 58 || u.fragmented || p[u.offset] >= 128) return undefined;
      if (!unknownOptions(p, 2).length && !unknownOptions(p, 3).length) return undefined;
      const q = Uint8Array.from(p);
      q[u.offset] = 128;
      q[u.offset + 1] = 0;
      return fixUpperChecksum(q);
    }),

  // ICMP-06a: RFC 4443 §2.4 (e.3). The lax device takes the multicast datagram as
  // sent to its own address, and answers a closed port.
  'errors-to-multicast-destination': (env) => {
    const device = new DeviceAddresses(env);
    return {
      name: 'errors-to-multicast-destination',
      description: 'sends Port Unreachable for UDP datagrams sent to a multicast address (RFC 4443 §2.4 e.3)',
      outbound: device.learn,
      inbound: packetRewriter(env, (p) => {
        const at = udpAt(p);
        const own = device.linkLocal;
        if (at < 0 || !own || !isMulticast(p.subarray(24, 40)) || dstPort(p, at) === COAP_PORT) return undefined;
        const q = Uint8Array.from(p);
        q.set(own, 24);
        return fixUpperChecksum(q);
      }, false),
    };
  },

  // ICMP-06b: RFC 4443 §2.4 (e.5).
  'errors-to-link-broadcast': linkBroadcastAsUnicast,

  // ICMP-06c: RFC 4443 §2.4 (e.3) exception 2, RFC 8200 §4.2 (10: "regardless of whether
  // or not the packet's Destination Address was a multicast address").
  'no-option-error-to-multicast': outboundFault('no-option-error-to-multicast',
    'sends no Parameter Problem code 2 for an option of type 10xxxxxx in a packet to a multicast address (RFC 8200 §4.2, RFC 4443 §2.4 e.3)',
    (p) => (icmpType(p) === 4 && p[41] === 2 && p.length >= 48 + 40 && isMulticast(p.subarray(48 + 24, 48 + 40)) ? null : undefined)),

  // ICMP-07a, ICMP-07b: RFC 4443 §2.4 (e.6). The lax device answers the frame's sender.
  'errors-to-multicast-source': inboundFault('errors-to-multicast-source',
    'sends Port Unreachable for UDP datagrams from a multicast source address (RFC 4443 §2.4 e.6)', (p, mac) => {
      const at = udpAt(p);
      return at >= 0 && isMulticast(p.subarray(8, 24)) && dstPort(p, at) !== COAP_PORT ? fromFrameSender(p, mac) : undefined;
    }),
  'errors-to-unspecified-source': inboundFault('errors-to-unspecified-source',
    'sends Port Unreachable for UDP datagrams from the unspecified source address (RFC 4443 §2.4 e.6)', (p, mac) => {
      const at = udpAt(p);
      return at >= 0 && isUnspecified(p.subarray(8, 24)) && dstPort(p, at) !== COAP_PORT ? fromFrameSender(p, mac) : undefined;
    }),

  // ICMP-08: RFC 4443 §2.4 (f).
  'no-icmp-rate-limit': noIcmpRateLimit,

  // ICMP-09: RFC 4443 §2.4 (b). The lax device answers any informational type as an Echo Request.
  'answer-unknown-informational': inboundFault('answer-unknown-informational',
    'answers ICMPv6 informational messages of unknown type as if they were Echo Requests (RFC 4443 §2.4 b)', (p) => {
      const u = upperLayer(p);
      if (!u || u.protocol !== 58 || u.fragmented || u.length < 8 || !unknownInformational(p[u.offset])) return undefined;
      const q = Uint8Array.from(p);
      q[u.offset] = 128;
      q[u.offset + 1] = 0;
      return fixUpperChecksum(q);
    }),

  // ICMP-10: RFC 4443 §2.3.
  'no-echo-checksum-check': inboundFault('no-echo-checksum-check',
    'takes Echo Requests whose ICMPv6 checksum is wrong (RFC 4443 §2.3)', (p) => {
      if (icmpType(p) !== 128) return undefined;
      const q = fixIcmpChecksum(Uint8Array.from(p));
      return q[42] === p[42] && q[43] === p[43] ? undefined : q;
    }),
};

/** Informational types no registry gives a meaning (IANA: 162-199, 202-254 unassigned). */
function unknownInformational(type: number): boolean {
  return (type >= 162 && type <= 199) || (type >= 202 && type <= 254);
}

/**
 * ICMP-06b: the device does not tell a link-layer broadcast from a frame sent
 * to it, so it answers a closed port as it would for unicast. The fault hands
 * the device such a frame (UDP to a unicast address, MAC destination 0xffff)
 * addressed to the device's own link address instead.
 */
function linkBroadcastAsUnicast(env: FaultEnv): ReturnType<FaultFactory> {
  let tag = 0x4800;
  return {
    name: 'errors-to-link-broadcast',
    description: 'sends Port Unreachable for UDP datagrams that came as a link-layer broadcast (RFC 4443 §2.4 e.5)',
    inbound: (psdu) => {
      const f = framePacket(psdu, env);
      if (!f || f.checksumElided || !f.mac.dst || !isBroadcast(f.mac.dst)) return [psdu];
      const p = f.packet;
      const at = udpAt(p);
      const dst = p.subarray(24, 40);
      if (at < 0 || !isUnicast(dst) || dstPort(p, at) === COAP_PORT) return [psdu];
      const mac: ParsedMacFrame = { ...f.mac, dst: linkAddressFromIid(dst.subarray(8)), ackRequest: false };
      return reencode(p, mac, env.contexts, tag++ & 0xffff);
    },
  };
}

const isBroadcast = (a: LinkAddress) => a.mode === 'short' && a.bytes[0] === 0xff && a.bytes[1] === 0xff;

/**
 * ICMP-08: no rate limit. The device's own token bucket cannot be switched
 * off from the air, so the fault owes the sender every Port Unreachable the
 * device held back: it notes each datagram to a closed port (unicast, checksum
 * in line and right) and, when the device next transmits, sends first a Port
 * Unreachable (RFC 4443 §3.1, quoting as much as fits, §2.4 c) for each one
 * the device left unanswered. The result is what a device without a limit
 * would have sent (late: behind the device's next frame). Only datagrams to an
 * address the device has already answered one from count.
 */
function noIcmpRateLimit(env: FaultEnv): ReturnType<FaultFactory> {
  const pending: { packet: Uint8Array; from: LinkAddress; at: number }[] = [];
  // Addresses the device has sent a Port Unreachable from: only datagrams to those count
  // (one to a tentative address, say, is rightly dropped without an error, RFC 4862 §5.4.3).
  const answering: Uint8Array[] = [];
  let tag = 0x4c00;
  const answered = (quote: Uint8Array) => {
    const i = pending.findIndex((x) => sameAddress(x.packet.subarray(0, quote.length), quote));
    if (i >= 0) pending.splice(i, 1);
  };
  return {
    name: 'no-icmp-rate-limit',
    description: 'does not limit the rate of the ICMPv6 errors it sends: every datagram to a closed port gets its Port Unreachable (RFC 4443 §2.4 f)',
    inbound: (psdu, at) => {
      const f = framePacket(psdu, env);
      const answers = (p: Uint8Array) => answering.some((a) => sameAddress(a, p.subarray(24, 40)));
      if (f && !f.checksumElided && f.mac.src && f.mac.dst && !isBroadcast(f.mac.dst) && closedPortTrigger(f.packet) && answers(f.packet)) {
        pending.push({ packet: f.packet, from: f.mac.src, at: Math.floor(at) });
      }
      return [psdu];
    },
    outbound: (psdu, now) => {
      const f = framePacket(psdu, env);
      if (!f) return [psdu];
      if (icmpType(f.packet) === 1 && f.packet[41] === 4) {
        answered(f.packet.subarray(48));
        if (!answering.some((a) => sameAddress(a, f.packet.subarray(8, 24)))) answering.push(f.packet.slice(8, 24));
      }
      // What arrived before this moment and is still pending was held back.
      const owed = pending.filter((x) => x.at < now);
      for (const x of owed) pending.splice(pending.indexOf(x), 1);
      // Sequence numbers after the device's frame: a receiver takes a repeated one for a retransmission.
      let seq = (f.mac.seq ?? 0) + 1;
      const extra = owed.flatMap((x) => {
        const mac: ParsedMacFrame = { ...f.mac, dst: x.from, ackRequest: true, seq: seq & 0xff };
        const frames = reencode(portUnreachable(x.packet), mac, env.contexts, tag++ & 0xffff);
        seq += frames.length;
        return frames;
      });
      return [psdu, ...extra];
    },
  };
}

/** A UDP datagram the device can only answer with Port Unreachable: unicast both ways, right length and checksum, not for CoAP. */
function closedPortTrigger(p: Uint8Array): boolean {
  const at = udpAt(p);
  if (at < 0 || !isUnicast(p.subarray(8, 24)) || !isUnicast(p.subarray(24, 40)) || dstPort(p, at) === COAP_PORT) return false;
  if (((p[at + 4] << 8) | p[at + 5]) !== p.length - at || ((p[at + 6] << 8) | p[at + 7]) === 0) return false;
  const q = fixUpperChecksum(Uint8Array.from(p));
  return q[at + 6] === p[at + 6] && q[at + 7] === p[at + 7];
}

/** Destination Unreachable code 4 about `invoking`, from its destination to its source (RFC 4443 §3.1). */
function portUnreachable(invoking: Uint8Array): Uint8Array {
  const quote = invoking.subarray(0, MIN_MTU - 48);
  const body = new Uint8Array(4 + quote.length);
  body.set(quote, 4);
  return buildIpv6Packet({ src: invoking.slice(24, 40), dst: invoking.slice(8, 24), hopLimit: 64, upper: { kind: 'icmpv6', type: 1, code: 4, body } });
}
