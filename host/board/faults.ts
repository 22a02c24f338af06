// Named faults for the virtual board: each makes the device break one rule, so
// that every conformance test can be shown to fail against the fault it
// targets (design notes, "fault injection"). A fault rewrites the frames going
// into or out of the device; the device's own code stays as it is.
import { SixlabCore, type FrameInfo } from '../core/sixlab-core.js';
import { ipv6PseudoHeaderChecksum } from '../packet/checksum.js';
import { fcs16 } from '../packet/ieee802154.js';

export interface Fault {
  name: string;
  description: string;
  /** Frames given to the device instead of `psdu`. */
  inbound?(psdu: Uint8Array, at: number): Uint8Array[];
  /** Frames sent instead of the device's `psdu`. */
  outbound?(psdu: Uint8Array, at: number): Uint8Array[];
}

type PacketRewrite = (packet: Uint8Array) => Uint8Array | null | undefined; // null: drop, undefined: unchanged

/** Reassembles frames into packets (held until complete), applies a rewrite,
 *  and gives back the original frames, none, or the rewritten packet re-encoded. */
function packetRewriter(rewrite: PacketRewrite): (psdu: Uint8Array, at: number) => Uint8Array[] {
  const reader = new SixlabCore();
  const writer = new SixlabCore();
  let held: Uint8Array[] = [];
  return (psdu, at) => {
    const r = reader.decode(psdu, Math.floor(at));
    if (r.kind === 'rejected') return [psdu];
    held.push(psdu);
    if (r.kind === 'pending') return r.info.lowpan.fragment ? [] : flush();
    const frames = held;
    held = [];
    const out = rewrite(r.packet);
    if (out === undefined) return frames;
    if (out === null) return [];
    return writer.compress(out, txFrom(r.info));
  };
  function flush(): Uint8Array[] {
    const f = held;
    held = [];
    return f;
  }
}

function txFrom(info: FrameInfo) {
  return {
    src: info.mac.src!, dst: info.mac.dst!, pan: info.mac.dstPan ?? info.mac.srcPan ?? 0xffff, seq: info.mac.seq ?? 0,
    frameVersion: (info.mac.frameVersion & 3) as 0 | 1 | 2, ackRequest: info.mac.ackRequest,
  };
}

/** The ICMPv6 type of a packet without extension headers, or -1. */
function icmpType(p: Uint8Array): number {
  return p[6] === 58 && p.length >= 44 ? p[40] : -1;
}

/** Recomputes the ICMPv6 checksum of a packet without extension headers. */
function fixIcmpChecksum(p: Uint8Array): Uint8Array {
  p[42] = 0;
  p[43] = 0;
  const sum = ipv6PseudoHeaderChecksum(p.subarray(8, 24), p.subarray(24, 40), p.length - 40, 58, p.subarray(40));
  p[42] = sum >> 8;
  p[43] = sum & 0xff;
  return p;
}

/** Offset of the first ND option of `type` in an NS/NA, or -1. */
function ndOption(p: Uint8Array, type: number): number {
  for (let o = 40 + 24; o + 2 <= p.length && p[o + 1] > 0; o += p[o + 1] * 8) if (p[o] === type) return o;
  return -1;
}

/** ND messages of one ICMPv6 type sent with hop limit 64 instead of 255. */
function wrongHopLimit(name: string, type: number, description: string): Fault {
  return {
    name,
    description,
    outbound: packetRewriter((p) => {
      if (icmpType(p) !== type) return undefined;
      const q = Uint8Array.from(p);
      q[7] = 64;
      return q;
    }),
  };
}

const FAULTS: Record<string, () => Fault> = {
  'drop-echo-replies': () => ({
    name: 'drop-echo-replies',
    description: 'never sends an ICMPv6 Echo Reply (RFC 4443 §4.2)',
    outbound: packetRewriter((p) => (icmpType(p) === 129 ? null : undefined)),
  }),
  'echo-reply-wrong-data': () => ({
    name: 'echo-reply-wrong-data',
    description: 'Echo Replies carry altered data (RFC 4443 §4.2: the data MUST be returned unchanged)',
    outbound: packetRewriter((p) => {
      if (icmpType(p) !== 129 || p.length <= 48) return undefined;
      const q = Uint8Array.from(p);
      q[48] ^= 0xff;
      return fixIcmpChecksum(q);
    }),
  }),
  'no-port-unreachable': () => ({
    name: 'no-port-unreachable',
    description: 'sends no Destination Unreachable for closed UDP ports (RFC 4443 §3.1 code 4)',
    outbound: packetRewriter((p) => (icmpType(p) === 1 && p[41] === 4 ? null : undefined)),
  }),
  'wrong-hop-limit-na': () => wrongHopLimit('wrong-hop-limit-na', 136,
    'sends Neighbor Advertisements with hop limit 64 instead of 255 (RFC 4861 §7.1.2)'),
  'wrong-hop-limit-ns': () => wrongHopLimit('wrong-hop-limit-ns', 135,
    'sends Neighbor Solicitations (registrations included) with hop limit 64 (RFC 4861 §7.1.1)'),
  'ignore-aro-status': () => ({
    name: 'ignore-aro-status',
    description: 'treats every registration answer as success, whatever its ARO/EARO status (RFC 6775 §5.5.2)',
    inbound: packetRewriter((p) => {
      if (icmpType(p) !== 136) return undefined;
      const aro = ndOption(p, 33);
      if (aro < 0 || p[aro + 2] === 0) return undefined;
      const q = Uint8Array.from(p);
      q[aro + 2] = 0;
      return fixIcmpChecksum(q);
    }),
  }),
  'no-fcs-check': () => ({
    name: 'no-fcs-check',
    description: 'accepts frames whose FCS is wrong (IEEE 802.15.4-2015 §7.2.10)',
    inbound: (psdu) => {
      const f = Uint8Array.from(psdu);
      const c = fcs16(f.subarray(0, f.length - 2));
      f[f.length - 2] = c & 0xff;
      f[f.length - 1] = c >> 8;
      return [f];
    },
  }),
  'accept-overlapping-fragments': () => ({
    name: 'accept-overlapping-fragments',
    description: 'keeps a datagram whose fragments overlap (the first one wins) instead of discarding it (RFC 4944 §5.3)',
    inbound: firstFragmentWins(),
  }),
  'mute': () => ({
    name: 'mute',
    description: 'sends nothing at all (a dead or unplugged device)',
    outbound: () => [],
  }),
};

/** Hides overlaps from the device: a fragment that overlaps octets already
 *  passed on for its datagram is dropped, so the device completes the datagram
 *  from the first fragments instead of discarding it. */
function firstFragmentWins(): (psdu: Uint8Array, at: number) => Uint8Array[] {
  const reader = new SixlabCore();
  const seen = new Map<string, [number, number][]>();
  return (psdu, at) => {
    const info = reader.decode(psdu, Math.floor(at)).info;
    const frag = info.lowpan.fragment;
    if (!frag) return [psdu];
    const payload = info.mac.payloadLength;
    const range: [number, number] = frag.kind === 'FRAG1'
      ? [0, info.lowpan.uncompressedLength + payload - 4 - info.lowpan.compressedLength]
      : [frag.offset, frag.offset + payload - 5];
    const key = `${info.mac.src ? Buffer.from(info.mac.src.bytes).toString('hex') : ''}/${frag.tag}/${frag.size}`;
    const ranges = seen.get(key) ?? [];
    if (ranges.some(([a, b]) => range[0] < b && a < range[1])) return [];
    ranges.push(range);
    seen.set(key, ranges);
    return [psdu];
  };
}

export function faultNames(): string[] {
  return Object.keys(FAULTS);
}

export function describeFaults(): { name: string; description: string }[] {
  return Object.values(FAULTS).map((f) => {
    const x = f();
    return { name: x.name, description: x.description };
  });
}

export function createFaults(names: string[]): Fault[] {
  return names.map((n) => {
    const make = FAULTS[n];
    if (!make) throw new Error(`unknown fault "${n}"; known: ${faultNames().join(', ')}`);
    return make();
  });
}
