// One line and a few detail lines per frame, read with the tester's own
// library: what a report shows next to each verdict. A frame the library
// cannot read says why (that is itself a finding about the device).
import { toHex } from '../../host/packet/hex.js';
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import { parseIeee802154, type ParsedMacFrame } from '../../host/packet/ieee802154-parse.js';
import { formatLinkAddress } from '../../host/packet/link-address.js';
import { decodeLowpan, type LowpanContexts, type LowpanDecoded, type LowpanEncoding } from '../../host/packet/lowpan.js';
import { parseIpv6Packet, type ParsedIpv6Packet } from '../../host/packet/packet.js';
import { parseNdMessage } from '../../host/packet/ndp.js';

const ICMP_NAMES: Record<number, string> = {
  1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem',
  128: 'Echo Request', 129: 'Echo Reply', 133: 'RS', 134: 'RA', 135: 'NS', 136: 'NA', 137: 'Redirect',
};
const FRAME_TYPES = ['beacon', 'data', 'ack', 'MAC command'];

export interface FrameDescription {
  summary: string;
  detail: string[];
  undecodable?: string;
}

function macLine(m: ParsedMacFrame): string {
  const addr = (a?: { mode: 'short' | 'extended'; bytes: Uint8Array }) => (a ? formatLinkAddress(a) : '-');
  const ver = ['2003', '2006', '2015', '?'][m.version] ?? '?';
  return `802.15.4-${ver} ${FRAME_TYPES[m.frameType] ?? `type ${m.frameType}`} seq ${m.seq ?? '-'}` +
    (m.frameType === 2 ? '' : ` pan ${(m.dstPan ?? m.srcPan ?? 0).toString(16).padStart(4, '0')} ${addr(m.src)} -> ${addr(m.dst)}`) +
    `${m.ackRequest ? ' AR' : ''}${m.fcsOk ? '' : ' BAD-FCS'}`;
}

export function encodingLine(e: LowpanEncoding): string {
  const pre = `${e.mesh ? 'MESH ' : ''}${e.bc0 !== undefined ? `BC0 ${e.bc0} ` : ''}`;
  if (e.dispatch === 'ipv6') return `${pre}IPv6 dispatch 0x41 (uncompressed)`;
  const nhc = e.nhc.map((n) => (n.type === 'udp' ? `NHC-UDP P=${n.ports.toString(2).padStart(2, '0')}${n.checksumElided ? ' C=1' : ''}`
    : n.type === 'ext' ? `NHC-EXT EID=${n.eid}` : 'NHC-IPv6')).join(' ');
  const b = (v: number, w = 2) => v.toString(2).padStart(w, '0');
  return `${pre}IPHC TF=${b(e.tf)} NH=${e.nh} HLIM=${b(e.hlim)} CID=${e.cid} SAC=${e.sac} SAM=${b(e.sam)} M=${e.m} DAC=${e.dac} DAM=${b(e.dam)}` +
    `${e.cid ? ` SCI=${e.sci} DCI=${e.dci}` : ''}${nhc ? ` ${nhc}` : ''}`;
}

export function packetLine(p: ParsedIpv6Packet): string {
  const h = p.header;
  let upper = `next header ${p.upper.protocol}`;
  if (p.icmpv6) {
    const name = ICMP_NAMES[p.icmpv6.type] ?? `type ${p.icmpv6.type}`;
    upper = `ICMPv6 ${name}${p.icmpv6.code ? ` code ${p.icmpv6.code}` : ''}`;
    if (p.icmpv6.echo) upper += ` id ${p.icmpv6.echo.identifier} seq ${p.icmpv6.echo.sequence} ${p.icmpv6.echo.data.length} data octets`;
    if (p.icmpv6.type >= 135 && p.icmpv6.type <= 137 && p.icmpv6.body.length >= 20) {
      try {
        const m = parseNdMessage(p.upper.bytes).message;
        if ('target' in m) upper += ` target ${formatIpv6(m.target)}`;
        const opts = m.options.map((o) => (o.kind === 'aro' ? `ARO status ${o.status}` : o.kind)).join(',');
        if (opts) upper += ` [${opts}]`;
      } catch {
        upper += ' (malformed ND)';
      }
    }
    if (!p.icmpv6.checksumOk) upper += ' BAD-CHECKSUM';
  } else if (p.udp) {
    upper = `UDP ${p.udp.srcPort} -> ${p.udp.dstPort} ${p.udp.payload.length} octets${p.udp.checksumOk ? '' : ' BAD-CHECKSUM'}`;
  }
  const ext = p.extensions.length ? ` ext[${p.extensions.map((e) => e.kind).join(',')}]` : '';
  return `${formatIpv6(h.src)} -> ${formatIpv6(h.dst)} hlim ${h.hopLimit}${ext} ${upper}`;
}

/** Describes one PSDU (FCS included). Fragments show their header; the packet they complete is described by the caller. */
export function describeFrame(psdu: Uint8Array, contexts: LowpanContexts = new Map()): FrameDescription {
  const detail = [`hex ${toHex(psdu)}`];
  let mac: ParsedMacFrame;
  try {
    mac = parseIeee802154(psdu);
  } catch (err) {
    return { summary: `undecodable 802.15.4 frame: ${(err as Error).message}`, detail, undecodable: (err as Error).message };
  }
  const line = macLine(mac);
  detail.unshift(line);
  if (mac.frameType !== 1 || mac.payload.length === 0) return { summary: line, detail };
  let d: LowpanDecoded;
  try {
    d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, contexts);
  } catch (err) {
    const why = `6LoWPAN: ${(err as Error).message}`;
    return { summary: `${line} | undecodable ${why}`, detail: [...detail, why], undecodable: why };
  }
  if (d.kind !== 'ipv6') {
    const frag = `${d.kind.toUpperCase()} size ${d.size} tag ${d.tag} offset ${d.offset} (${d.data.length} octets)`;
    const enc = d.encoding ? ` ${encodingLine(d.encoding)}` : '';
    return { summary: `${frag}${enc}`, detail: [...detail.slice(0, 1), frag + enc, ...detail.slice(1)] };
  }
  const enc = encodingLine(d.encoding);
  try {
    const p = parseIpv6Packet(d.packet);
    const pl = packetLine(p);
    return { summary: `${pl}`, detail: [line, enc, pl, ...detail.slice(1)] };
  } catch (err) {
    const why = `IPv6: ${(err as Error).message}`;
    return { summary: `${enc} | ${why}`, detail: [line, enc, why, ...detail.slice(1)] };
  }
}
