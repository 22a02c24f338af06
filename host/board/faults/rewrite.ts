// Building blocks for faults: read the frames going into or out of the
// device as IPv6 packets (with the tester's own 6LoWPAN library and the
// contexts the device was given), rewrite one packet, and re-encode it. A
// fault acts on the packet whatever its encoding: compressed with a context,
// fragmented, or uncompressed.
import { ipv6PseudoHeaderChecksum } from '../../packet/checksum.js';
import { buildDataFrame } from '../../packet/ieee802154.js';
import { parseIeee802154, type ParsedMacFrame } from '../../packet/ieee802154-parse.js';
import { Reassembler, decodeLowpan, lowpanPayloads, type LowpanContexts } from '../../packet/lowpan.js';
import { parseNd } from '../../packet/ndp.js';

export interface Fault {
  name: string;
  description: string;
  /** Frames given to the device instead of `psdu`. */
  inbound?(psdu: Uint8Array, at: number): Uint8Array[];
  /** Frames sent instead of the device's `psdu`. */
  outbound?(psdu: Uint8Array, at: number): Uint8Array[];
}

/** What the faults of one board share: the 6LoWPAN contexts the device was given (RFC 6775 §4.2 6CO). */
export interface FaultEnv {
  contexts: LowpanContexts;
}

export type FaultFactory = (env: FaultEnv) => Fault;

/** A rewrite of one packet: a new packet, null to drop it, undefined to leave it as it was. */
export type PacketRewrite = (packet: Uint8Array, mac: ParsedMacFrame) => Uint8Array | null | undefined;

/**
 * Frames in, frames out: a whole packet is given to `rewrite`. Fragments are
 * held until their datagram is complete (`holdFragments`, for the device's
 * own packets) or passed on untouched (for what the device receives, so that
 * reassembly tests see every fragment as sent).
 */
export function packetRewriter(env: FaultEnv, rewrite: PacketRewrite, holdFragments = true): (psdu: Uint8Array, at: number) => Uint8Array[] {
  const reassembler = new Reassembler();
  let held: Uint8Array[] = [];
  let tag = 0x4000;
  return (psdu, at) => {
    let mac: ParsedMacFrame;
    let decoded: ReturnType<typeof decodeLowpan>;
    try {
      mac = parseIeee802154(psdu);
      if (mac.frameType !== 1 || !mac.fcsOk || mac.payload.length === 0) return [psdu];
      decoded = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, env.contexts);
    } catch {
      return [psdu];
    }
    let packet: Uint8Array | undefined;
    if (decoded.kind === 'ipv6') packet = decoded.packet;
    else {
      if (!holdFragments) return [psdu];
      held.push(psdu);
      try {
        packet = reassembler.accept(decoded, at);
      } catch {
        packet = undefined;
      }
      if (!packet) return [];
    }
    const frames = decoded.kind === 'ipv6' ? [psdu] : held;
    held = [];
    const out = rewrite(packet, mac);
    if (out === undefined) return frames;
    if (out === null) return [];
    return reencode(out, mac, env.contexts, tag++ & 0xffff);
  };
}

/** A packet as frames with the MAC fields of `like`, compressed with the device's contexts. */
export function reencode(packet: Uint8Array, like: ParsedMacFrame, contexts: LowpanContexts, tag: number): Uint8Array[] {
  const src = like.src!;
  const dst = like.dst!;
  const headerLength = 3 + 2 + src.bytes.length + dst.bytes.length;
  const payloads = lowpanPayloads(packet, { src, dst }, contexts, {}, 127 - 2 - headerLength, tag);
  // The first frame keeps the original's sequence number; extra frames take
  // numbers far from the device's own, which goes on from like.seq + 1: a radio
  // drops a frame whose source and sequence number repeat the last one it heard.
  return payloads.map((p, i) => buildDataFrame({
    src, dst, pan: like.dstPan ?? like.srcPan ?? 0xffff, seq: ((like.seq ?? 0) + (i === 0 ? 0 : 128 + i)) & 0xff,
    version: like.version, ackRequest: like.ackRequest,
  }, p));
}

/** Learns the contexts the device is given from the RAs it receives (6CO, RFC 6775 §4.2). */
export function contextLearner(env: FaultEnv): Fault {
  const reassembler = new Reassembler();
  return {
    name: 'context-learner',
    description: 'not a fault: keeps the contexts the device was given, for the other faults',
    inbound: (psdu, at) => {
      try {
        const mac = parseIeee802154(psdu);
        if (mac.frameType !== 1 || mac.payload.length === 0) return [psdu];
        const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, env.contexts);
        const packet = d.kind === 'ipv6' ? d.packet : reassembler.accept(d, at); // an RA with many 6COs comes in fragments
        if (!packet || packet[6] !== 58 || packet[40] !== 134) return [psdu];
        for (const o of parseNd(packet).message.options) {
          if (o.kind !== '6co') continue;
          if (o.validLifetime === 0) env.contexts.delete(o.cid);
          else env.contexts.set(o.cid, { prefix: padPrefix(o.prefix), length: o.contextLength, compress: o.compression });
        }
      } catch {
        // not for us to judge: the device decides what to make of it
      }
      return [psdu];
    },
  };
}

function padPrefix(p: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set(p.subarray(0, 16));
  return out;
}

/** The ICMPv6 type of a packet without extension headers, or -1. */
export function icmpType(p: Uint8Array): number {
  return p[6] === 58 && p.length >= 44 ? p[40] : -1;
}

/** Recomputes the ICMPv6 checksum of a packet without extension headers. */
export function fixIcmpChecksum(p: Uint8Array): Uint8Array {
  p[42] = 0;
  p[43] = 0;
  const sum = ipv6PseudoHeaderChecksum(p.subarray(8, 24), p.subarray(24, 40), p.length - 40, 58, p.subarray(40));
  p[42] = sum >> 8;
  p[43] = sum & 0xff;
  return p;
}

/** Offset of the first ND option of `type` in an NS/NA (24-octet fixed part), or -1. */
export function ndOption(p: Uint8Array, type: number, fixed = 24): number {
  for (let o = 40 + fixed; o + 2 <= p.length && p[o + 1] > 0; o += p[o + 1] * 8) if (p[o] === type) return o;
  return -1;
}

/** A fault that rewrites the device's outgoing packets. */
export function outboundFault(name: string, description: string, rewrite: PacketRewrite): FaultFactory {
  return (env) => ({ name, description, outbound: packetRewriter(env, rewrite) });
}

/** A fault that rewrites what the device receives (fragments pass untouched). */
export function inboundFault(name: string, description: string, rewrite: PacketRewrite): FaultFactory {
  return (env) => ({ name, description, inbound: packetRewriter(env, rewrite, false) });
}

/** ND messages of one ICMPv6 type sent with hop limit 64 instead of 255. */
export function wrongHopLimit(name: string, type: number, description: string): FaultFactory {
  return outboundFault(name, description, (p) => {
    if (icmpType(p) !== type) return undefined;
    const q = Uint8Array.from(p);
    q[7] = 64;
    return q;
  });
}
