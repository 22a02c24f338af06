// The IEEE 802.15.4 frame inside a captured packet, by link type:
//   195 LINKTYPE_IEEE802_15_4_WITHFCS   the PSDU, FCS included
//   230 LINKTYPE_IEEE802_15_4_NOFCS     the PSDU without its FCS
//   283 LINKTYPE_IEEE802_15_4_TAP       a TLV header, then the frame; the
//       FCS-type TLV says whether a 16-bit, a 32-bit or no FCS follows (no
//       TLV: no FCS, as Wireshark reads it); channel, LQI and RSS are shown
//   ZEP (v2, and v1) in UDP to or from port 17754 or 17755, in IPv4 or IPv6
//   (extension headers skipped), in Ethernet (1, 802.1Q tags skipped), Linux
//   cooked (113 SLL, 276 SLL2), BSD loopback (0 NULL, 108 LOOP) and raw IP
//   (101, 228, 229) captures: how simulations of other stacks are captured
//   (RIOT native, Contiki-NG native, Wireshark's ZEP dissector).
// Packets of those link types that carry no frame (ARP, other UDP, ZEP
// acks) are skipped; a link type not listed here is a CaptureError.
import { decodeZep, ZepError } from '../link/zep.js';
import { CaptureError } from './capture-reader.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IEEE802_15_4_WITHFCS = 195;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_IEEE802_15_4_NOFCS = 230;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_IEEE802_15_4_TAP = 283;

/** UDP ports ZEP is sent to (Wireshark decodes both as ZEP). */
export const ZEP_PORTS = [17754, 17755];

/** How the frame ends (frame-decoder.ts FCS_* values). */
export const FRAME_FCS_16 = 0;
export const FRAME_FCS_NONE = 1;
export const FRAME_FCS_32 = 2;
export const FRAME_FCS_METADATA = 3;

export interface ZepInfo {
  version: number;
  channel: number;
  deviceId: number;
  /** 1: the frame ends in its FCS; 0: in LQI/RSSI metadata. */
  lqiMode: number;
  lqi: number;
  /** ZEP sequence number (v2). */
  seq?: number;
  /** "address:port" of the UDP datagram. */
  src: string;
  dst: string;
}

export interface TapInfo {
  fcsType: number;
  channel?: number;
  page?: number;
  lqi?: number;
  /** Received signal strength, dBm. */
  rss?: number;
}

export type WpanFrame =
  | { kind: 'frame'; frame: Uint8Array; fcs: number; zep?: ZepInfo; tap?: TapInfo }
  /** Not an 802.15.4 frame: skipped, for the reason given. */
  | { kind: 'skip'; why: string }
  /** A ZEP datagram or TAP header that does not decode: reported as such. */
  | { kind: 'bad'; error: string; reason: string; zep?: Partial<ZepInfo>; tap?: TapInfo };

const LINK_NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: 'NULL', [LINKTYPE_ETHERNET]: 'ETHERNET', [LINKTYPE_RAW]: 'RAW', [LINKTYPE_LOOP]: 'LOOP',
  [LINKTYPE_LINUX_SLL]: 'LINUX_SLL', [LINKTYPE_IEEE802_15_4_WITHFCS]: 'IEEE802_15_4_WITHFCS', [LINKTYPE_IPV4]: 'IPV4',
  [LINKTYPE_IPV6]: 'IPV6', [LINKTYPE_IEEE802_15_4_NOFCS]: 'IEEE802_15_4_NOFCS', [LINKTYPE_LINUX_SLL2]: 'LINUX_SLL2',
  [LINKTYPE_IEEE802_15_4_TAP]: 'IEEE802_15_4_TAP',
};

export function linkTypeName(t: number): string {
  return LINK_NAMES[t] ?? String(t);
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = [0x8100, 0x88a8, 0x9100];

const skip = (why: string): WpanFrame => ({ kind: 'skip', why });

/** The frame in one captured packet of link type `linkType`. */
export function wpanFrame(linkType: number, d: Uint8Array): WpanFrame {
  switch (linkType) {
    case LINKTYPE_IEEE802_15_4_WITHFCS:
      return { kind: 'frame', frame: d, fcs: FRAME_FCS_16 };
    case LINKTYPE_IEEE802_15_4_NOFCS:
      return { kind: 'frame', frame: d, fcs: FRAME_FCS_NONE };
    case LINKTYPE_IEEE802_15_4_TAP:
      return tapFrame(d);
    case LINKTYPE_ETHERNET: {
      let at = 12;
      if (d.length < 14) return skip('Ethernet frame too short');
      let type = (d[at] << 8) | d[at + 1];
      while (ETHERTYPE_VLAN.includes(type) && d.length >= at + 6) {
        at += 4;
        type = (d[at] << 8) | d[at + 1];
      }
      return ipFrame(type, d, at + 2);
    }
    case LINKTYPE_LINUX_SLL:
      if (d.length < 16) return skip('Linux cooked header too short');
      return ipFrame((d[14] << 8) | d[15], d, 16);
    case LINKTYPE_LINUX_SLL2:
      if (d.length < 20) return skip('Linux cooked v2 header too short');
      return ipFrame((d[0] << 8) | d[1], d, 20);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (d.length < 4) return skip('loopback header too short');
      // NULL: the family in the capturing host's byte order; LOOP: network order.
      const be = ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
      const le = ((d[3] << 24) | (d[2] << 16) | (d[1] << 8) | d[0]) >>> 0;
      const family = linkType === LINKTYPE_LOOP ? be : Math.min(be, le);
      if (family === 2) return ipFrame(ETHERTYPE_IPV4, d, 4);
      if (family === 10 || family === 24 || family === 28 || family === 30) return ipFrame(ETHERTYPE_IPV6, d, 4);
      return skip(`loopback family ${family}`);
    }
    case LINKTYPE_RAW:
      if (d.length < 1) return skip('empty packet');
      return ipFrame(d[0] >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, d, 0);
    case LINKTYPE_IPV4:
      return ipFrame(ETHERTYPE_IPV4, d, 0);
    case LINKTYPE_IPV6:
      return ipFrame(ETHERTYPE_IPV6, d, 0);
    default:
      throw new CaptureError(`link type ${linkType} is not one decode reads (802.15.4: 195, 230, 283; ZEP in UDP: 0, 1, 101, 108, 113, 228, 229, 276)`);
  }
}

function ipv4Text(d: Uint8Array, at: number): string {
  return `${d[at]}.${d[at + 1]}.${d[at + 2]}.${d[at + 3]}`;
}

function ipv6Text(d: Uint8Array, at: number): string {
  const g: string[] = [];
  for (let i = 0; i < 8; i++) g.push(((d[at + 2 * i] << 8) | d[at + 2 * i + 1]).toString(16));
  // RFC 5952: the longest run of two or more zero groups as "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

/** The UDP datagram in an IPv4 or IPv6 packet at d[at...], and ZEP in it. */
function ipFrame(ethertype: number, d: Uint8Array, at: number): WpanFrame {
  let src: string;
  let dst: string;
  let udp: number;
  let end: number;
  if (ethertype === ETHERTYPE_IPV4) {
    if (d.length < at + 20 || d[at] >> 4 !== 4) return skip('not an IPv4 packet');
    const ihl = (d[at] & 15) * 4;
    if (d[at + 9] !== 17) return skip(`IPv4 protocol ${d[at + 9]}`);
    const frag = (d[at + 6] << 8) | d[at + 7];
    if (frag & 0x3fff) return skip('IPv4 fragment');
    end = Math.min(d.length, at + ((d[at + 2] << 8) | d[at + 3]));
    src = ipv4Text(d, at + 12);
    dst = ipv4Text(d, at + 16);
    udp = at + ihl;
  } else if (ethertype === ETHERTYPE_IPV6) {
    if (d.length < at + 40 || d[at] >> 4 !== 6) return skip('not an IPv6 packet');
    end = Math.min(d.length, at + 40 + ((d[at + 4] << 8) | d[at + 5]));
    src = `[${ipv6Text(d, at + 8)}]`;
    dst = `[${ipv6Text(d, at + 24)}]`;
    let nh = d[at + 6];
    udp = at + 40;
    while (nh === 0 || nh === 43 || nh === 60 || nh === 44) {
      if (udp + 8 > end) return skip('IPv6 extension header truncated');
      if (nh === 44 && (((d[udp + 2] << 8) | d[udp + 3]) & 0xfff9) !== 0) return skip('IPv6 fragment');
      const next = d[udp];
      udp += nh === 44 ? 8 : (d[udp + 1] + 1) * 8;
      nh = next;
    }
    if (nh !== 17) return skip(`IPv6 next header ${nh}`);
  } else {
    return skip(`ethertype 0x${ethertype.toString(16).padStart(4, '0')}`);
  }
  if (udp + 8 > end) return skip('UDP header truncated');
  const sport = (d[udp] << 8) | d[udp + 1];
  const dport = (d[udp + 2] << 8) | d[udp + 3];
  if (!ZEP_PORTS.includes(sport) && !ZEP_PORTS.includes(dport)) return skip(`UDP ${sport} -> ${dport}`);
  const udpEnd = Math.min(end, udp + Math.max(8, (d[udp + 4] << 8) | d[udp + 5]));
  return zepFrame(d.subarray(udp + 8, udpEnd), `${src}:${sport}`, `${dst}:${dport}`);
}

/** ZEP v2 through the link's own decoder (host/link/zep.ts); v1 (a 16-octet header) here. */
function zepFrame(z: Uint8Array, src: string, dst: string): WpanFrame {
  if (z.length >= 4 && z[0] === 0x45 && z[1] === 0x58 && z[2] === 1) {
    // v1: "EX" | 1 | channel | device id (16) | LQI/CRC mode | LQI | 7 reserved | length
    if (z.length < 16) return { kind: 'bad', error: `ZEP v1: ${z.length} octets, the header needs 16`, reason: 'ZepShort' };
    const zep: ZepInfo = { version: 1, channel: z[3], deviceId: (z[4] << 8) | z[5], lqiMode: z[6] ? 1 : 0, lqi: z[7], src, dst };
    const length = z[15];
    if (16 + length !== z.length) {
      return { kind: 'bad', error: `ZEP v1: length field says ${length} octets, datagram carries ${z.length - 16}`, reason: 'ZepLength', zep };
    }
    return { kind: 'frame', frame: z.subarray(16), fcs: zep.lqiMode ? FRAME_FCS_16 : FRAME_FCS_METADATA, zep };
  }
  try {
    const msg = decodeZep(z);
    if (msg.type === 'ack') return skip('ZEP ack');
    const zep: ZepInfo = { version: msg.version, channel: msg.channel, deviceId: msg.deviceId, lqiMode: msg.lqiMode, lqi: msg.lqi, seq: msg.seq, src, dst };
    return { kind: 'frame', frame: msg.psdu, fcs: msg.lqiMode ? FRAME_FCS_16 : FRAME_FCS_METADATA, zep };
  } catch (err) {
    if (err instanceof ZepError) return { kind: 'bad', error: err.message, reason: `Zep${err.reason}`, zep: { src, dst } };
    throw err;
  }
}

/** LINKTYPE_IEEE802_15_4_TAP: version 0, reserved, header length (16, LE), then
 *  TLVs (type 16, length 16, value padded to 4 octets), then the frame. */
function tapFrame(d: Uint8Array): WpanFrame {
  if (d.length < 4) return { kind: 'bad', error: `802.15.4 TAP: ${d.length} octets, the header needs 4`, reason: 'TapShort' };
  if (d[0] !== 0) return { kind: 'bad', error: `802.15.4 TAP: version ${d[0]} is not 0`, reason: 'TapVersion' };
  const length = d[2] | (d[3] << 8);
  if (length < 4 || length > d.length) {
    return { kind: 'bad', error: `802.15.4 TAP: header length ${length} does not fit the ${d.length} octets captured`, reason: 'TapLength' };
  }
  // No FCS-type TLV: no FCS (as Wireshark reads it).
  const tap: TapInfo = { fcsType: 0 };
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  for (let at = 4; at + 4 <= length;) {
    const type = d[at] | (d[at + 1] << 8);
    const len = d[at + 2] | (d[at + 3] << 8);
    const val = at + 4;
    if (val + len > length) return { kind: 'bad', error: `802.15.4 TAP: TLV ${type} runs past the header`, reason: 'TapLength', tap };
    if (type === 0 && len >= 1) tap.fcsType = d[val];
    else if (type === 1 && len >= 4) tap.rss = Math.round(v.getFloat32(val, true) * 10) / 10;
    else if (type === 3 && len >= 3) {
      tap.channel = d[val] | (d[val + 1] << 8);
      tap.page = d[val + 2];
    } else if (type === 10 && len >= 1) tap.lqi = d[val];
    at = val + len + ((4 - (len % 4)) % 4);
  }
  const fcs = tap.fcsType === 0 ? FRAME_FCS_NONE : tap.fcsType === 2 ? FRAME_FCS_32 : tap.fcsType === 1 ? FRAME_FCS_16 : -1;
  if (fcs < 0) return { kind: 'bad', error: `802.15.4 TAP: FCS type ${tap.fcsType} is not 0, 1 or 2`, reason: 'TapFcsType' };
  return { kind: 'frame', frame: d.subarray(length), fcs, tap };
}
