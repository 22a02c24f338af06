// The first faults: echo, port unreachable, ND hop limits, registration
// status, FCS, overlapping fragments, and a mute device.
import { fcs16 } from '../../packet/ieee802154.js';
import { parseIeee802154 } from '../../packet/ieee802154-parse.js';
import { decodeLowpan } from '../../packet/lowpan.js';
import { fixIcmpChecksum, icmpType, inboundFault, ndOption, outboundFault, wrongHopLimit, type Fault, type FaultFactory } from './rewrite.js';

export const BASIC_FAULTS: Record<string, FaultFactory> = {
  'drop-echo-replies': outboundFault('drop-echo-replies', 'never sends an ICMPv6 Echo Reply (RFC 4443 §4.2)',
    (p) => (icmpType(p) === 129 ? null : undefined)),
  'echo-reply-wrong-data': outboundFault('echo-reply-wrong-data',
    'Echo Replies carry altered data (RFC 4443 §4.2: the data MUST be returned unchanged)', (p) => {
      if (icmpType(p) !== 129 || p.length <= 48) return undefined;
      const q = Uint8Array.from(p);
      q[48] ^= 0xff;
      return fixIcmpChecksum(q);
    }),
  'no-port-unreachable': outboundFault('no-port-unreachable', 'sends no Destination Unreachable for closed UDP ports (RFC 4443 §3.1 code 4)',
    (p) => (icmpType(p) === 1 && p[41] === 4 ? null : undefined)),
  'wrong-hop-limit-na': wrongHopLimit('wrong-hop-limit-na', 136,
    'sends Neighbor Advertisements with hop limit 64 instead of 255 (RFC 4861 §7.1.2)'),
  'wrong-hop-limit-ns': wrongHopLimit('wrong-hop-limit-ns', 135,
    'sends Neighbor Solicitations (registrations included) with hop limit 64 (RFC 4861 §7.1.1)'),
  'ignore-aro-status': inboundFault('ignore-aro-status',
    'treats every registration answer as success, whatever its ARO/EARO status (RFC 6775 §5.5.2)', (p) => {
      if (icmpType(p) !== 136) return undefined;
      const aro = ndOption(p, 33);
      if (aro < 0 || p[aro + 2] === 0) return undefined;
      const q = Uint8Array.from(p);
      q[aro + 2] = 0;
      return fixIcmpChecksum(q);
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
  // Per datagram: the octet ranges passed on, when its first fragment came, and its size.
  const seen = new Map<string, { ranges: [number, number][]; start: number; size: number }>();
  return (psdu, at) => {
    let range: [number, number];
    let key: string;
    let size: number;
    try {
      const mac = parseIeee802154(psdu);
      const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst });
      if (d.kind === 'ipv6') return [psdu];
      range = [d.offset, d.offset + d.data.length];
      size = d.size;
      key = `${mac.src ? Buffer.from(mac.src.bytes).toString('hex') : ''}/${d.tag}/${d.size}`;
    } catch {
      return [psdu];
    }
    let entry = seen.get(key);
    // Like the device, forget a datagram after the 60 s reassembly timeout (RFC 4944 §5.3).
    if (entry && at - entry.start > 60_000) entry = undefined;
    if (!entry) {
      entry = { ranges: [], start: at, size };
      seen.set(key, entry);
    }
    if (entry.ranges.some(([a, b]) => range[0] < b && a < range[1])) return [];
    entry.ranges.push(range);
    // Complete: the device has the datagram; the tag may be used again for a new one.
    if (entry.ranges.reduce((n, [a, b]) => n + b - a, 0) >= entry.size) seen.delete(key);
    return [psdu];
  };
}

export type { Fault };
