// Faults that break the rules the ipv6 suite checks (RFC 8200, RFC 4291):
// each makes the device break one rule, so the tests that check it can be
// shown to fail. The first part holds small helpers the icmpv6 and udp faults
// share: reading a packet's extension headers and options, recomputing an
// upper-layer checksum after a rewrite, and learning the device's own
// addresses from what it sends.
import { ipv6PseudoHeaderChecksum } from '../../packet/checksum.js';
import { parseIeee802154, type ParsedMacFrame } from '../../packet/ieee802154-parse.js';
import { finalDestination, parseExtensionHeader, parseHeaderChain } from '../../packet/ipv6-ext.js';
import { decodeLowpan } from '../../packet/lowpan.js';
import { fixIcmpChecksum, icmpType, inboundFault, ndOption, outboundFault, packetRewriter, type FaultEnv, type FaultFactory } from './rewrite.js';

// ------------------------------------------------------------ helpers

export const isMulticast = (a: Uint8Array): boolean => a[0] === 0xff;
export const isUnspecified = (a: Uint8Array): boolean => a.every((b) => b === 0);
export const isLinkLocal = (a: Uint8Array): boolean => a[0] === 0xfe && (a[1] & 0xc0) === 0x80;
const isLoopback = (a: Uint8Array): boolean => a.subarray(0, 15).every((b) => b === 0) && a[15] === 1;
/** A unicast address that can name one node: not multicast, unspecified or loopback (RFC 4291 §2.5). */
export const isUnicast = (a: Uint8Array): boolean => !isMulticast(a) && !isUnspecified(a) && !isLoopback(a);
export const sameAddress = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The upper layer of a packet past its extension headers (RFC 8200 §4), or undefined when the chain does not parse. */
export function upperLayer(p: Uint8Array): { protocol: number; offset: number; length: number; fragmented: boolean } | undefined {
  try {
    const chain = parseHeaderChain(p);
    const last = chain[chain.length - 1];
    const fragmented = chain.slice(0, -1).some((e) => {
      const h = parseExtensionHeader(e.protocol, p, e.offset).header;
      return h.kind === 'fragment' && (h.fragmentOffset !== 0 || h.more);
    });
    return { ...last, fragmented };
  } catch {
    return undefined;
  }
}

/**
 * Recomputes the ICMPv6 or UDP checksum of a whole packet, whatever its
 * extension headers, over the pseudo header of RFC 8200 §8.1 (final
 * destination of a Routing header; for UDP the length is its Length field).
 * A fault that rewrites an address or a field calls it so that the device
 * accepts the result, as a device without that check would.
 */
export function fixUpperChecksum(p: Uint8Array): Uint8Array {
  let chain;
  try {
    chain = parseHeaderChain(p);
  } catch {
    return p;
  }
  const last = chain[chain.length - 1];
  if (last.protocol !== 17 && last.protocol !== 58) return p;
  const exts = chain.slice(0, -1).map((e) => parseExtensionHeader(e.protocol, p, e.offset).header);
  if (exts.some((h) => h.kind === 'fragment' && (h.fragmentOffset !== 0 || h.more))) return p;
  const upper = p.subarray(last.offset, last.offset + last.length);
  const field = last.protocol === 17 ? 6 : 2;
  if (upper.length < field + 2) return p;
  const length = last.protocol === 17 ? Math.min((upper[4] << 8) | upper[5], upper.length) : upper.length;
  upper[field] = 0;
  upper[field + 1] = 0;
  let sum = ipv6PseudoHeaderChecksum(p.subarray(8, 24), finalDestination(p.subarray(24, 40), exts), length, last.protocol, upper.subarray(0, length));
  if (last.protocol === 17 && sum === 0) sum = 0xffff; // RFC 8200 §8.1: 0 is sent as 0xffff
  upper[field] = sum >> 8;
  upper[field + 1] = sum & 0xff;
  return p;
}

/** Every option of the Hop-by-Hop and Destination Options headers (RFC 8200 §4.2): its offset in the packet and its type. */
export function optionsOf(p: Uint8Array): { at: number; type: number; length: number; multicastDst: boolean }[] {
  const out: { at: number; type: number; length: number; multicastDst: boolean }[] = [];
  let chain;
  try {
    chain = parseHeaderChain(p);
  } catch {
    return out;
  }
  for (const e of chain.slice(0, -1)) {
    if (e.protocol !== 0 && e.protocol !== 60) continue;
    for (let o = e.offset + 2; o < e.offset + e.length; ) {
      if (p[o] === 0) {
        o += 1;
        continue;
      }
      const length = 2 + p[o + 1];
      out.push({ at: o, type: p[o], length, multicastDst: isMulticast(p.subarray(24, 40)) });
      o += length;
    }
  }
  return out;
}

/** An option the device cannot know: anything but Pad1/PadN (RFC 8200 §4.2), by the action its two high bits ask for. */
export function unknownOptions(p: Uint8Array, action: number): { at: number; type: number; length: number; multicastDst: boolean }[] {
  return optionsOf(p).filter((o) => o.type > 1 && o.type >> 6 === action);
}

/** One unfragmented packet in a frame (for faults that look at single frames), or undefined. */
export function framePacket(psdu: Uint8Array, env: FaultEnv): { packet: Uint8Array; mac: ParsedMacFrame; checksumElided: boolean } | undefined {
  try {
    const mac = parseIeee802154(psdu);
    if (mac.frameType !== 1 || !mac.fcsOk || mac.payload.length === 0) return undefined;
    const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, env.contexts);
    if (d.kind !== 'ipv6') return undefined;
    const checksumElided = d.encoding.dispatch === 'iphc' && d.encoding.nhc.some((n) => n.type === 'udp' && n.checksumElided);
    return { packet: d.packet, mac, checksumElided };
  } catch {
    return undefined;
  }
}

/**
 * The device's own addresses, learned from what it sends: the sources of its
 * packets, and the targets of its DAD probes (source ::) and registrations
 * (NS with an ARO/EARO, RFC 6775 §4.1). A fault that must tell "one of the
 * device's addresses" from "another address" asks it.
 */
export class DeviceAddresses {
  private readonly list: Uint8Array[] = [];

  constructor(private readonly env: FaultEnv) {}

  /** For the outbound hook: learns from the frame and passes it on unchanged. */
  readonly learn = (psdu: Uint8Array): Uint8Array[] => {
    const f = framePacket(psdu, this.env);
    if (!f || f.packet.length < 40) return [psdu];
    const p = f.packet;
    this.add(p.subarray(8, 24));
    if (icmpType(p) === 135 && p.length >= 64 && (isUnspecified(p.subarray(8, 24)) || ndOption(p, 33) >= 0)) this.add(p.subarray(48, 64));
    return [psdu];
  };

  private add(a: Uint8Array): void {
    if (isUnicast(a) && !this.has(a)) this.list.push(Uint8Array.from(a));
  }

  has(a: Uint8Array): boolean {
    return this.list.some((x) => sameAddress(x, a));
  }

  /** The first link-local address the device used. */
  get linkLocal(): Uint8Array | undefined {
    return this.list.find(isLinkLocal);
  }
}

/** A fault that rewrites what the device receives and needs to know the device's addresses for it. */
function inboundWithAddresses(
  name: string, description: string,
  rewrite: (p: Uint8Array, mac: ParsedMacFrame, device: DeviceAddresses) => Uint8Array | null | undefined,
): FaultFactory {
  return (env) => {
    const device = new DeviceAddresses(env);
    return { name, description, outbound: device.learn, inbound: packetRewriter(env, (p, mac) => rewrite(p, mac, device), false) };
  };
}

/** A Parameter Problem (RFC 4443 §3.4) the device sends, with its code. */
const paramProblem = (p: Uint8Array, code?: number): boolean => icmpType(p) === 4 && (code === undefined || p[41] === code);

// ------------------------------------------------------------ faults

export const IPV6_FAULTS: Record<string, FaultFactory> = {
  // IPV6-01: RFC 8200 §3, the version field is 6; anything else is not IPv6.
  'accept-any-ip-version': inboundFault('accept-any-ip-version',
    'processes packets whose IPv6 version field is not 6 (RFC 8200 §3)', (p) => {
      if (p.length < 40 || p[0] >> 4 === 6) return undefined;
      const q = Uint8Array.from(p);
      q[0] = 0x60 | (q[0] & 0x0f);
      return q;
    }),

  // IPV6-02: a Payload Length that claims more octets than arrived.
  'ignore-payload-length': inboundFault('ignore-payload-length',
    'takes the octets received as the payload when the Payload Length field claims more (RFC 8200 §3)', (p) => {
      if (p.length < 40 || ((p[4] << 8) | p[5]) <= p.length - 40) return undefined;
      const q = Uint8Array.from(p);
      q[4] = (q.length - 40) >> 8;
      q[5] = (q.length - 40) & 0xff;
      return q;
    }),

  // IPV6-03, IPV6-08: code 1 is "unrecognized Next Header type encountered".
  'unknown-next-header-wrong-code': outboundFault('unknown-next-header-wrong-code',
    'reports an unrecognized Next Header with Parameter Problem code 0 instead of 1 (RFC 4443 §3.4, RFC 8200 §4)', (p) => {
      if (!paramProblem(p, 1)) return undefined;
      const q = Uint8Array.from(p);
      q[41] = 0;
      return fixIcmpChecksum(q);
    }),

  // Every Parameter Problem test checks the pointer.
  'param-problem-pointer-off-by-one': outboundFault('param-problem-pointer-off-by-one',
    'sends Parameter Problems whose pointer is one octet past the field in error (RFC 4443 §3.4)', (p) => {
      if (!paramProblem(p) || p.length < 48) return undefined;
      const q = Uint8Array.from(p);
      const v = new DataView(q.buffer);
      v.setUint32(44, v.getUint32(44) + 1);
      return fixIcmpChecksum(q);
    }),

  // IPV6-04: 00 - skip over this option and continue processing the header.
  'discard-unknown-skip-options': inboundFault('discard-unknown-skip-options',
    'discards packets with an unrecognized option of type 00xxxxxx instead of skipping it (RFC 8200 §4.2)',
    (p) => (unknownOptions(p, 0).length ? null : undefined)),

  // IPV6-05: 01 - discard the packet. The lax device skips it: as if it were padding.
  'skip-unknown-discard-options': inboundFault('skip-unknown-discard-options',
    'skips an unrecognized option of type 01xxxxxx instead of discarding the packet (RFC 8200 §4.2)', (p) => {
      const found = unknownOptions(p, 1);
      if (!found.length) return undefined;
      const q = Uint8Array.from(p);
      for (const o of found) {
        q[o.at] = 1; // PadN
        q.fill(0, o.at + 2, o.at + o.length);
      }
      return q;
    }),

  // IPV6-06, IPV6-07a, ICMP-06c: 10 and 11 - discard and send Parameter Problem code 2.
  'no-option-param-problem': outboundFault('no-option-param-problem',
    'discards packets with an unrecognized option of type 1xxxxxxx without sending Parameter Problem code 2 (RFC 8200 §4.2)',
    (p) => (paramProblem(p, 2) ? null : undefined)),

  // IPV6-07b: 11 - Parameter Problem only if the destination was not multicast. The lax
  // device treats 11 as 10: the option's type is read as 10xxxxxx.
  'option-11-errors-to-multicast': inboundFault('option-11-errors-to-multicast',
    'sends Parameter Problem for an unrecognized option of type 11xxxxxx in a packet to a multicast address (RFC 8200 §4.2)', (p) => {
      const found = unknownOptions(p, 3).filter((o) => o.multicastDst);
      if (!found.length) return undefined;
      const q = Uint8Array.from(p);
      for (const o of found) q[o.at] &= 0xbf;
      return q;
    }),

  // IPV6-09a: RFC 8200 §4.4 with RFC 5095 §3 (type 0 is unrecognized): Segments Left > 0
  // means discard and Parameter Problem code 0. The lax device walks past the header.
  'ignore-routing-header': inboundFault('ignore-routing-header',
    'ignores a Routing header it does not implement even when Segments Left is not zero (RFC 8200 §4.4, RFC 5095 §3)', (p) => {
      const rh = headersOf(p).find((e) => e.protocol === 43 && p[e.offset + 3] !== 0);
      if (!rh) return undefined;
      const q = Uint8Array.from(p);
      q[rh.offset + 3] = 0;
      return q;
    }),

  // IPV6-09b: Segments Left 0 - ignore the Routing header and go on.
  'drop-routing-header': inboundFault('drop-routing-header',
    'discards every packet with a Routing header, even with Segments Left 0 (RFC 8200 §4.4)',
    (p) => (headersOf(p).some((e) => e.protocol === 43) ? null : undefined)),

  // IPV6-10: a host takes only packets for its own addresses (RFC 8200 §2, RFC 1122 §3.2.1.3).
  'accept-any-destination': inboundWithAddresses('accept-any-destination',
    'takes packets sent to a unicast address that is not its own as if they were for its link-local address (RFC 8200 §2: a host does not forward)', (p, _mac, device) => {
      const dst = p.subarray(24, 40);
      const own = device.linkLocal;
      if (!own || p.length < 40 || !isUnicast(dst) || device.has(dst)) return undefined;
      const q = Uint8Array.from(p);
      q.set(own, 24);
      return fixUpperChecksum(q);
    }),

  // IPV6-11: RFC 8200 §4.5, RFC 6946 §4: an atomic fragment is a whole packet.
  'drop-atomic-fragments': inboundFault('drop-atomic-fragments',
    'discards atomic fragments (Fragment header with offset 0 and M=0) instead of processing them (RFC 6946 §4, RFC 8200 §4.5)', (p) => {
      const frag = headersOf(p).find((e) => e.protocol === 44);
      return frag && (((p[frag.offset + 2] << 8) | p[frag.offset + 3]) & 0xfff9) === 0 ? null : undefined;
    }),

  // IPV6-12: RFC 4291 App. A (EUI-64: U/L bit inverted), RFC 4944 §6 (short: U/L bit zero).
  'rs-source-ul-bit-wrong': rsSourceUlBitWrong,

  // IPV6-13a: RFC 4291 §2.8, RFC 6775 §5.2: a host listens on all-nodes.
  'no-all-nodes-group': inboundFault('no-all-nodes-group',
    'takes only Neighbor Discovery from the all-nodes group ff02::1; everything else sent there is ignored (RFC 4291 §2.8)', (p) => {
      if (p.length < 40 || !sameAddress(p.subarray(24, 40), ALL_NODES)) return undefined;
      const t = icmpType(p);
      return t >= 133 && t <= 137 ? undefined : null;
    }),

  // IPV6-13b: RFC 4291 §2.7.1, §2.8: a node joins the solicited-node group of each of its addresses.
  'no-solicited-node-group': inboundFault('no-solicited-node-group',
    'hears its solicited-node group only for DAD probes (source ::): address resolution and anything else sent there is ignored (RFC 4291 §2.8)', (p) => {
      if (p.length < 40 || !isSolicitedNode(p.subarray(24, 40))) return undefined;
      return icmpType(p) === 135 && isUnspecified(p.subarray(8, 24)) ? undefined : null;
    }),
};

const ALL_NODES = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

/** ff02::1:ffXX:XXXX (RFC 4291 §2.7.1). */
function isSolicitedNode(a: Uint8Array): boolean {
  return a[0] === 0xff && a[1] === 2 && a.subarray(2, 11).every((b) => b === 0) && a[11] === 1 && a[12] === 0xff;
}

/** The extension headers of a packet (empty when the chain does not parse). */
function headersOf(p: Uint8Array): { protocol: number; offset: number }[] {
  try {
    return parseHeaderChain(p).slice(0, -1);
  } catch {
    return [];
  }
}

/**
 * IPV6-12: the device solicits routers from a link-local address whose
 * interface identifier has the U/L bit wrong: the EUI-64 taken as it is (not
 * inverted, RFC 4291 App. A), or a short-address IID with the bit set (it
 * SHALL be zero, RFC 4944 §6). Only its Router Solicitations carry that
 * address; what a router sends back to it is taken as sent to the real one, so
 * that the device still joins (the fault breaks one rule, not every join).
 */
function rsSourceUlBitWrong(env: FaultEnv): ReturnType<FaultFactory> {
  const wrong: Uint8Array[] = [];
  const flip = (a: Uint8Array) => {
    a[8] ^= 0x02;
    return a;
  };
  return {
    name: 'rs-source-ul-bit-wrong',
    description: 'solicits routers from a link-local address whose interface identifier has the U/L bit wrong (RFC 4291 App. A: inverted from the EUI-64; RFC 4944 §6: zero for a short address)',
    outbound: packetRewriter(env, (p) => {
      if (icmpType(p) !== 133 || !isLinkLocal(p.subarray(8, 24))) return undefined;
      const q = Uint8Array.from(p);
      flip(q.subarray(8, 24));
      if (!wrong.some((w) => sameAddress(w, q.subarray(8, 24)))) wrong.push(q.slice(8, 24));
      return fixIcmpChecksum(q);
    }),
    inbound: packetRewriter(env, (p) => {
      if (p.length < 40 || !wrong.some((w) => sameAddress(w, p.subarray(24, 40)))) return undefined;
      const q = Uint8Array.from(p);
      flip(q.subarray(24, 40));
      return fixUpperChecksum(q);
    }, false),
  };
}
