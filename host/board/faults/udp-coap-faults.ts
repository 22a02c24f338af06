// Faults that break the rules the udp and coap suites check: each makes the
// device break one rule, so the tests that check it can be shown to fail.
import { fixUpperChecksum, upperLayer } from './ipv6-faults.js';
import { inboundFault, outboundFault, type FaultFactory } from './rewrite.js';

// ============================================================ UDP (RFC 768, RFC 8200 §8.1)
// The udp suite's faults. CoAP faults go in their own block below.

/** The offset of a whole (unfragmented) UDP datagram in a packet, or -1. */
function udpAt(p: Uint8Array): number {
  const u = upperLayer(p);
  return u && u.protocol === 17 && !u.fragmented && u.length >= 8 ? u.offset : -1;
}

const checksumOf = (p: Uint8Array, at: number) => (p[at + 6] << 8) | p[at + 7];

const UDP_FAULTS: Record<string, FaultFactory> = {
  // UDP-01: RFC 8200 §8.1, an IPv6 node always computes the UDP checksum (the IPv4 habit of 0).
  'send-zero-udp-checksum': outboundFault('send-zero-udp-checksum',
    'sends its UDP datagrams with a zero checksum (RFC 8200 §8.1: the checksum is not optional in IPv6)', (p) => {
      const at = udpAt(p);
      if (at < 0 || checksumOf(p, at) === 0) return undefined;
      const q = Uint8Array.from(p);
      q[at + 6] = 0;
      q[at + 7] = 0;
      return q;
    }),

  // UDP-02: RFC 8200 §8.1, IPv6 receivers must discard UDP packets with a zero checksum.
  'accept-zero-udp-checksum': inboundFault('accept-zero-udp-checksum',
    'takes UDP datagrams whose checksum is zero as if they had none to check (RFC 8200 §8.1)', (p) => {
      const at = udpAt(p);
      return at >= 0 && checksumOf(p, at) === 0 ? fixUpperChecksum(Uint8Array.from(p)) : undefined;
    }),

  // UDP-03: RFC 1122 §4.1.3.4, a non-zero invalid checksum: silently discard.
  'no-udp-checksum-check': inboundFault('no-udp-checksum-check',
    'takes UDP datagrams whose (non-zero) checksum is wrong (RFC 1122 §4.1.3.4, RFC 8200 §8.1)', (p) => {
      const at = udpAt(p);
      if (at < 0 || checksumOf(p, at) === 0) return undefined;
      const q = fixUpperChecksum(Uint8Array.from(p));
      return checksumOf(q, at) === checksumOf(p, at) ? undefined : q;
    }),

  // UDP-04: RFC 768 (Length), a Length field larger than the datagram that arrived.
  // The lax device goes by the IPv6 payload instead.
  'ignore-udp-length': inboundFault('ignore-udp-length',
    'takes a UDP datagram whose Length field claims more octets than the packet carries, by the octets received (RFC 768, RFC 8200 §8.1)', (p) => {
      const at = udpAt(p);
      if (at < 0 || ((p[at + 4] << 8) | p[at + 5]) <= p.length - at) return undefined;
      const q = Uint8Array.from(p);
      q[at + 4] = (q.length - at) >> 8;
      q[at + 5] = (q.length - at) & 0xff;
      return fixUpperChecksum(q);
    }),
};

// ============================================================ CoAP (RFC 7252, RFC 7641)

// CoAP faults, one defect each of the device's CoAP server (RFC 7252, RFC 7641),
// acting on the messages to and from its port 5683 (read and rebuilt with
// coap-packet, independent of the device's code).
import { generate as coapGenerate, parse as coapParse, type ParsedPacket as CoapMessage } from 'coap-packet';
import { buildIpv6Packet as coapIpv6Packet, parseIpv6Packet as coapParseIpv6 } from '../../packet/packet.js';
import { packetRewriter as coapRewriter, type PacketRewrite as CoapRewrite } from './rewrite.js';

const COAP_PORT = 5683;

/**
 * A rewrite of the CoAP messages going to the device's port 5683 ('to') or
 * coming from it ('from'): `edit` gets the UDP payload (and the message, when
 * it parses) and returns the payload to send instead, null to drop it, or
 * undefined to leave it. The datagram is rebuilt with a right checksum.
 */
function coapEdit(dir: 'to' | 'from', edit: (raw: Uint8Array, m: CoapMessage | undefined) => Uint8Array | null | undefined): CoapRewrite {
  return (p) => {
    let ip: ReturnType<typeof coapParseIpv6>;
    try {
      ip = coapParseIpv6(p);
    } catch {
      return undefined;
    }
    const u = ip.udp;
    if (!u || ip.extensions.length || (dir === 'to' ? u.dstPort : u.srcPort) !== COAP_PORT) return undefined;
    let m: CoapMessage | undefined;
    try {
      m = coapParse(Buffer.from(u.payload));
    } catch {
      m = undefined;
    }
    const out = edit(u.payload, m);
    if (out === undefined || out === null) return out;
    const h = ip.header;
    return coapIpv6Packet({
      src: h.src, dst: h.dst, hopLimit: h.hopLimit, trafficClass: h.trafficClass, flowLabel: h.flowLabel,
      upper: { kind: 'udp', srcPort: u.srcPort, dstPort: u.dstPort, payload: out },
    });
  };
}

/** The message with some fields changed, encoded again. */
const coapWith = (m: CoapMessage, change: Omit<Partial<CoapMessage>, 'options'> & { options?: { name: string | number; value: Buffer }[] }): Uint8Array => {
  const x = { ...m, ...change };
  return Uint8Array.from(coapGenerate({ ...x, options: x.options.map((o) => ({ name: String(o.name), value: o.value })) }));
};
/** Header fields of a raw message (RFC 7252 §3): type 0 CON, 1 NON, 2 ACK, 3 RST. */
const coapType = (raw: Uint8Array) => (raw[0] >> 4) & 3;
const coapMid = (raw: Uint8Array) => (raw[2] << 8) | raw[3];
const withCode = (raw: Uint8Array, code: number) => Uint8Array.from(raw, (b, i) => (i === 1 ? code : b));
const isRequest = (raw: Uint8Array) => raw.length >= 4 && raw[1] >> 5 === 0 && raw[1] !== 0;
/** Options coap-packet does not know come back named by their number: the device does not know them either (RFC 7252 §5.4.6, odd = critical). */
const unknownOption = (o: { name: string | number }, critical: boolean) => /^\d+$/.test(String(o.name)) && (Number(o.name) % 2 === 1) === critical;

const COAP_FAULTS: Record<string, FaultFactory> = {
  // RFC 7252 §5.3.2: the response carries the request's token.
  'coap-token-not-echoed': outboundFault('coap-token-not-echoed',
    'CoAP: answers with an empty token instead of echoing the request\'s (RFC 7252 §5.3.2)',
    coapEdit('from', (raw) => {
      const tkl = raw[0] & 0x0f;
      return raw.length >= 4 && tkl > 0 && tkl <= 8 ? Uint8Array.from([raw[0] & 0xf0, raw[1], raw[2], raw[3], ...raw.subarray(4 + tkl)]) : undefined;
    })),
  // RFC 7252 §4.2: an ACK echoes the Message ID of the CON.
  'coap-ack-wrong-mid': outboundFault('coap-ack-wrong-mid',
    'CoAP: acknowledges with another Message ID than the Confirmable message\'s (RFC 7252 §4.2)',
    coapEdit('from', (raw) => {
      if (raw.length < 4 || coapType(raw) !== 2) return undefined;
      const mid = (coapMid(raw) + 1) & 0xffff;
      return Uint8Array.from(raw, (b, i) => (i === 2 ? mid >> 8 : i === 3 ? mid & 0xff : b));
    })),
  // RFC 7252 §5.2.3: a NON request SHOULD get a NON response.
  'coap-non-request-answered-con': (env) => {
    const tokens = new Set<string>();
    return {
      name: 'coap-non-request-answered-con',
      description: 'CoAP: answers Non-confirmable requests with Confirmable responses (RFC 7252 §5.2.3)',
      inbound: coapRewriter(env, coapEdit('to', (raw, m) => {
        if (m && coapType(raw) === 1 && isRequest(raw)) tokens.add(m.token.toString('hex'));
        return undefined;
      }), false),
      outbound: coapRewriter(env, coapEdit('from', (raw, m) => (m && coapType(raw) === 1 && tokens.has(m.token.toString('hex')) ? Uint8Array.from(raw, (b, i) => (i === 0 ? b & 0xcf : b)) : undefined))),
    };
  },
  // RFC 7252 §4.5: a duplicate CON is acknowledged again but processed once.
  'coap-reexecutes-duplicate-con': (env) => {
    const seen = new Set<string>();
    const renamed = new Map<number, number>();
    return {
      name: 'coap-reexecutes-duplicate-con',
      description: 'CoAP: executes a duplicate Confirmable request again instead of repeating its answer (RFC 7252 §4.5)',
      // The duplicate reaches the server as a new message; its answer goes out with the original Message ID.
      inbound: coapRewriter(env, coapEdit('to', (raw) => {
        if (raw.length < 4 || coapType(raw) !== 0 || !isRequest(raw)) return undefined;
        const key = Buffer.from(raw).toString('hex');
        if (!seen.has(key)) {
          seen.add(key);
          return undefined;
        }
        const fresh = coapMid(raw) ^ 0x8000;
        renamed.set(fresh, coapMid(raw));
        return Uint8Array.from(raw, (b, i) => (i === 2 ? fresh >> 8 : i === 3 ? fresh & 0xff : b));
      }), false),
      outbound: coapRewriter(env, coapEdit('from', (raw) => {
        const orig = raw.length >= 4 && coapType(raw) === 2 ? renamed.get(coapMid(raw)) : undefined;
        return orig === undefined ? undefined : Uint8Array.from(raw, (b, i) => (i === 2 ? orig >> 8 : i === 3 ? orig & 0xff : b));
      })),
    };
  },
  // RFC 7252 §5.2.2: the server MUST stop retransmitting its response on a matching ACK.
  'coap-ignores-ack-to-separate-response': inboundFault('coap-ignores-ack-to-separate-response',
    'CoAP: does not see the client\'s Empty ACK to a Confirmable response and goes on retransmitting it (RFC 7252 §5.2.2)',
    coapEdit('to', (raw) => (raw.length === 4 && coapType(raw) === 2 && raw[1] === 0 ? null : undefined))),
  // RFC 7252 §4.2: a CON is retransmitted until acknowledged, MAX_RETRANSMIT times.
  'coap-no-retransmission': (env) => {
    const sent = new Set<number>();
    return {
      name: 'coap-no-retransmission',
      description: 'CoAP: never retransmits an unacknowledged Confirmable message (RFC 7252 §4.2)',
      outbound: coapRewriter(env, coapEdit('from', (raw) => {
        if (raw.length < 4 || coapType(raw) !== 0) return undefined;
        if (sent.has(coapMid(raw))) return null;
        sent.add(coapMid(raw));
        return undefined;
      })),
    };
  },
  // RFC 7252 §5.9.2.5, §5.8: error classes.
  'coap-unknown-resource-as-2.05': outboundFault('coap-unknown-resource-as-2.05',
    'CoAP: answers a request for an unknown resource 2.05 with an empty payload instead of 4.04 (RFC 7252 §5.9.2.5)',
    coapEdit('from', (raw) => (raw.length >= 4 && raw[1] === 0x84 ? withCode(raw, 0x45) : undefined))),
  'coap-method-not-allowed-as-not-found': outboundFault('coap-method-not-allowed-as-not-found',
    'CoAP: answers an unrecognized method 4.04 instead of 4.05 (RFC 7252 §5.8)',
    coapEdit('from', (raw) => (raw.length >= 4 && raw[1] === 0x85 ? withCode(raw, 0x84) : undefined))),
  // RFC 7252 §5.4.1: critical and elective options the server does not know.
  'coap-critical-option-ignored': inboundFault('coap-critical-option-ignored',
    'CoAP: ignores unrecognized critical options and answers the request (2.05) instead of 4.02 (RFC 7252 §5.4.1)',
    coapEdit('to', (raw, m) => (m && isRequest(raw) && m.options.some((o) => unknownOption(o, true)) ? coapWith(m, { options: m.options.filter((o) => !unknownOption(o, true)) }) : undefined))),
  'coap-elective-option-rejected': inboundFault('coap-elective-option-rejected',
    'CoAP: rejects unrecognized elective options with 4.02 as if they were critical (RFC 7252 §5.4.1: they MUST be silently ignored)',
    coapEdit('to', (raw, m) => (m && isRequest(raw) && m.options.some((o) => unknownOption(o, false))
      ? coapWith(m, { options: m.options.map((o) => (unknownOption(o, false) ? { ...o, name: String(Number(o.name) + 1) } : o)) }) : undefined))),
  // RFC 7252 §3, §4.2: a message format error rejects the message.
  'coap-malformed-accepted': inboundFault('coap-malformed-accepted',
    'CoAP: takes a reserved token length (9-15) as 8, skips the extra octets and processes the message instead of rejecting it (RFC 7252 §3)',
    coapEdit('to', (raw) => {
      const tkl = raw.length >= 4 ? raw[0] & 0x0f : 0;
      return tkl > 8 && raw.length >= 4 + tkl ? Uint8Array.from([(raw[0] & 0xf0) | 8, ...raw.subarray(1, 12), ...raw.subarray(4 + tkl)]) : undefined;
    })),
  'coap-ping-unanswered': outboundFault('coap-ping-unanswered',
    'CoAP: never sends a Reset, so an Empty CON ("CoAP ping") goes unanswered (RFC 7252 §4.2, §4.3)',
    coapEdit('from', (raw) => (raw.length >= 4 && coapType(raw) === 3 ? null : undefined))),
  // RFC 7641 §4.4, §4.1: observe sequence numbers and deregistration.
  'coap-observe-not-increasing': (env) => {
    const first = new Map<string, Buffer>();
    return {
      name: 'coap-observe-not-increasing',
      description: 'CoAP Observe: every notification carries the Observe number of the first response (RFC 7641 §4.4: strictly increasing)',
      outbound: coapRewriter(env, coapEdit('from', (_, m) => {
        const o = m?.options.find((x) => x.name === 'Observe');
        if (!m || !o) return undefined;
        const key = m.token.toString('hex');
        if (!first.has(key)) first.set(key, o.value);
        return o.value.equals(first.get(key)!) ? undefined : coapWith(m, { options: m.options.map((x) => (x.name === 'Observe' ? { ...x, value: first.get(key)! } : x)) });
      })),
    };
  },
  'coap-observe-deregister-ignored': inboundFault('coap-observe-deregister-ignored',
    'CoAP Observe: takes a GET with Observe 1 (deregister) as a registration (RFC 7641 §4.1: the entry MUST be removed)',
    coapEdit('to', (raw, m) => {
      const o = m?.options.find((x) => x.name === 'Observe');
      return m && o && o.value.length === 1 && o.value[0] === 1 ? coapWith(m, { options: m.options.map((x) => (x.name === 'Observe' ? { ...x, value: Buffer.alloc(0) } : x)) }) : undefined;
    })),
};

export const UDP_COAP_FAULTS: Record<string, FaultFactory> = { ...UDP_FAULTS, ...COAP_FAULTS };
