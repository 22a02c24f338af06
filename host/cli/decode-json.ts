// `sixlab decode --json`, the fast way: one frame's JSON line written as bytes
// straight from the core's memory (its Info record and the completed packet),
// with no objects, strings or libraries per frame (CoAP aside: coap-packet
// reads it, on port 5683 only). It writes exactly what
// JSON.stringify(frameReport(...)) writes (decode-json.test.ts holds it to that);
// what it does not handle itself (extension headers it cannot vouch for, a
// routing header with segments left, a packet that does not parse) it leaves
// to frameReport: writeFrameJson() then returns false and writes nothing.
import { AddrMode, Info, LowpanFlag, MacFlag } from '../../firmware/abi/layout.js';
import { reasonName, reasonText } from '../core/reasons.js';
import {
  put, putAsciiJson, putHex, putIpv6, putLinkAddress, putNum, text, type Text,
} from './decode-format.js';
import type { ByteOut } from './decode-output.js';
import { FCS_32, FCS_NONE, FCS_METADATA, MAC_ADDRESSED, MAC_FULL, MAC_NONE, type FrameDecoder } from './frame-decoder.js';
import { COAP_PORT, coapRecord } from './payload-view.js';

/** Below this many octets of room the writer asks the output for more. */
const FRAME_ROOM = 16 * 1024;

const VERSIONS = ['2003', '2006', '2015', 'reserved'].map((v) => text(`"${v}"`));
const TRUE = text('true');
const FALSE = text('false');
const bool = (v: boolean) => (v ? TRUE : FALSE);

/** `"mac":{"frameType":…,"frameVersion":…` by frame type * 4 + version. */
const TYPE_VERSION = Array.from({ length: 16 }, (_, i) => text(`"mac":{"frameType":"${['beacon', 'data', 'ack', 'command'][i >> 2]}","frameVersion":"${['2003', '2006', '2015', 'reserved'][i & 3]}"`));
/** The five MAC flags, by bits AR 1, FP 2, PANC 4, security 8, IE 16. */
const FLAGS = Array.from({ length: 32 }, (_, i) => text(`,"ackRequest":${!!(i & 1)},"framePending":${!!(i & 2)},"panIdCompression":${!!(i & 4)},"security":${!!(i & 8)},"iePresent":${!!(i & 16)}`));
/** `,"iphc":{"raw":…,"tf":…,…,"dam":…` by the two IPHC octets, made when first seen. */
const IPHC: Text[] = [];
function iphcJson(v: number): Text {
  const f = { raw: v, tf: (v >> 11) & 3, nh: (v >> 10) & 1, hlim: (v >> 8) & 3, cid: (v >> 7) & 1,
    sac: (v >> 6) & 1, sam: (v >> 4) & 3, m: (v >> 3) & 1, dac: (v >> 2) & 1, dam: v & 3 };
  return text(`,"iphc":${JSON.stringify(f).slice(0, -1)}`);
}

const K = {
  mac: text('"mac":{'),
  length: text('"length":'),
  frameType: text('"frameType":'),
  frameVersion: text(',"frameVersion":'),
  seq: text(',"seq":'),
  dstPan: text(',"dstPan":'),
  dst: text(',"dst":"'),
  srcPan: text(',"srcPan":'),
  src: text(',"src":"'),
  headerLength: text(',"headerLength":'),
  payloadLength: text(',"payloadLength":'),
  fcs: text(',"fcs":'),
  fcsOk: text(',"fcsOk":'),
  fcsLength4: text(',"fcsLength":4'),
  fcsIgnored: text(',"fcsIgnored":true'),
  fcsAbsent: text(',"fcsAbsent":true'),
  lowpan: text('},"lowpan":{'),
  mesh: text('"mesh":{"hopsLeft":'),
  originator: text(',"originator":"'),
  final: text('","final":"'),
  broadcastSeq: text('"broadcastSeq":'),
  fragment1: text('"fragment":{"kind":"FRAG1","size":'),
  fragmentN: text('"fragment":{"kind":"FRAGN","size":'),
  tag: text(',"tag":'),
  offset: text(',"offset":'),
  dispatchIphc: text('"dispatch":"IPHC"'),
  dispatchIpv6: text('"dispatch":"IPv6"'),
  sci: text('},"sci":'),
  dci: text(',"dci":'),
  nhc: text('"nhc":['),
  compressedLength: text('"compressedLength":'),
  uncompressedLength: text(',"uncompressedLength":'),
  duplicate: text('"duplicate":true'),
  packet: text(',"packet":"'),
  ipv6: text('","ipv6":{"src":"'),
  ipv6Dst: text('","dst":"'),
  nextHeader: text('","nextHeader":'),
  hopLimit: text(',"hopLimit":'),
  trafficClass: text(',"trafficClass":'),
  flowLabel: text(',"flowLabel":'),
  payloadLength6: text(',"payloadLength":'),
  udp: text('},"udp":{"srcPort":'),
  dstPort: text(',"dstPort":'),
  checksum: text(',"checksum":'),
  udpLength: text(',"length":'),
  checksumOk: text(',"checksumOk":'),
  icmpv6: text('},"icmpv6":{"type":'),
  code: text(',"code":'),
  identifier: text(',"identifier":'),
  sequence: text(',"sequence":'),
  payload: text(',"payload":{"length":'),
  hex: text(',"hex":"'),
  asciiKey: text('","ascii":"'),
  coap: text(',"coap":'),
};

/** The note on a fragment that started a new datagram over a held one with another size. */
export const REPLACED_NOTE = 'a held datagram with this source, destination and tag but another size was dropped;'
  + ' this fragment starts a new one (RFC 4944 §5.3)';

/** `,"error":"…","reason":"…"` by reason, made when first needed (the texts are ASCII). */
const REASON: Text[] = [];
function reasonJson(r: number): Text {
  return REASON[r] ??= text(`,"error":${JSON.stringify(reasonText(r))},"reason":${JSON.stringify(reasonName(r))}`);
}
const NOTE = text(`,"note":${JSON.stringify(REPLACED_NOTE)}`);

const ICMPV6_ECHO_REQUEST = 128;
const ICMPV6_ECHO_REPLY = 129;

/**
 * Writes `{prefix…, "mac":…}` and a newline for the last frame `d` decoded.
 * `prefix`: JSON members (ending in ",") that go first, e.g. the capture's.
 * Returns false, having written nothing, for a frame it leaves to frameReport.
 */
export function writeFrameJson(o: ByteOut, d: FrameDecoder, prefix?: string): boolean {
  o.room(FRAME_ROOM);
  const start = o.p;
  const b = o.b;
  const v = o.v;
  const m = d.m;
  const I = d.info;
  let p = start;
  b[p++] = 123; // {
  if (prefix) p += b.write(prefix, p, 'utf8');
  const level = d.macLevel();
  const r = d.result;
  if (level === MAC_NONE) {
    p = put(v, p, K.mac);
    p = put(v, p, K.length);
    p = putNum(v, p, d.length);
    p = put(v, p, K.lowpan);
  } else {
    const mf = m[I + Info.MacFlags] | (m[I + Info.MacFlags + 1] << 8);
    const ft = m[I + Info.FrameType];
    if (ft < 4) {
      p = put(v, p, TYPE_VERSION[ft * 4 + (m[I + Info.FrameVersion] & 3)]);
    } else {
      p = put(v, p, K.mac);
      p = put(v, p, K.frameType);
      p += b.write(`"type ${ft}"`, p, 'latin1');
      p = put(v, p, K.frameVersion);
      p = put(v, p, VERSIONS[m[I + Info.FrameVersion] & 3]);
    }
    if (level >= MAC_ADDRESSED) {
      if (!(mf & MacFlag.SeqSuppressed)) {
        p = put(v, p, K.seq);
        p = putNum(v, p, m[I + Info.Seq]);
      }
      if (mf & MacFlag.DstPanPresent) {
        p = put(v, p, K.dstPan);
        p = putNum(v, p, m[I + Info.DstPan] | (m[I + Info.DstPan + 1] << 8));
      }
      const dm = m[I + Info.DstMode];
      if (dm === AddrMode.Short || dm === AddrMode.Extended) {
        p = put(v, p, K.dst);
        p = putLinkAddress(v, p, m, I + Info.DstAddr, dm === AddrMode.Extended);
        b[p++] = 34;
      }
      if (mf & MacFlag.SrcPanPresent) {
        p = put(v, p, K.srcPan);
        p = putNum(v, p, m[I + Info.SrcPan] | (m[I + Info.SrcPan + 1] << 8));
      }
      const sm = m[I + Info.SrcMode];
      if (sm === AddrMode.Short || sm === AddrMode.Extended) {
        p = put(v, p, K.src);
        p = putLinkAddress(v, p, m, I + Info.SrcAddr, sm === AddrMode.Extended);
        b[p++] = 34;
      }
    }
    p = put(v, p, FLAGS[((mf & MacFlag.AckRequest) ? 1 : 0) | ((mf & MacFlag.FramePending) ? 2 : 0)
      | ((mf & MacFlag.PanIdCompression) ? 4 : 0) | ((mf & MacFlag.Security) ? 8 : 0) | ((mf & MacFlag.IePresent) ? 16 : 0)]);
    if (level === MAC_FULL) {
      p = put(v, p, K.headerLength);
      p = putNum(v, p, m[I + Info.MacHeaderLen]);
      p = put(v, p, K.payloadLength);
      p = putNum(v, p, m[I + Info.MacPayloadLen]);
    }
    const kind = d.fcsKind;
    if (kind === FCS_NONE || kind === FCS_METADATA) {
      p = put(v, p, K.fcsAbsent);
    } else {
      const own = kind === FCS_32 || d.fcsIgnored;
      p = put(v, p, K.fcs);
      p = putNum(v, p, own ? d.fcs : m[I + Info.Fcs] | (m[I + Info.Fcs + 1] << 8));
      p = put(v, p, K.fcsOk);
      p = put(v, p, bool(own ? d.fcsOk : (mf & MacFlag.FcsOk) !== 0));
      if (kind === FCS_32) p = put(v, p, K.fcsLength4);
      if (d.fcsIgnored) p = put(v, p, K.fcsIgnored);
    }
    p = put(v, p, K.lowpan);
    p = writeLowpan(b, v, p, m, I);
  }
  b[p++] = 125; // } of lowpan
  if (r > 0) {
    const q = writePacket(b, v, p, m, d.mv, d.packetAt(), r);
    if (q < 0) return false;
    p = q;
  }
  if (d.replacedDatagram) p = put(v, p, NOTE);
  if (r < 0) p = put(v, p, reasonJson(-r));
  b[p++] = 125; // }
  b[p++] = 10; // \n
  o.p = p;
  return true;
}

function writeLowpan(b: Buffer, v: DataView, p: number, m: Uint8Array, I: number): number {
  const lf = m[I + Info.LowpanFlags] | (m[I + Info.LowpanFlags + 1] << 8);
  // Members after the first are preceded by a comma (no closure here: it would
  // keep p in a heap context and slow every write).
  const start = p;
  if (lf & LowpanFlag.Mesh) {
    if (p !== start) b[p++] = 44;
    p = put(v, p, K.mesh);
    p = putNum(v, p, m[I + Info.MeshHopsLeft]);
    p = put(v, p, K.originator);
    p = putLinkAddress(v, p, m, I + Info.MeshOrig, m[I + Info.MeshOrigMode] === AddrMode.Extended);
    p = put(v, p, K.final);
    p = putLinkAddress(v, p, m, I + Info.MeshFinal, m[I + Info.MeshFinalMode] === AddrMode.Extended);
    b[p++] = 34;
    b[p++] = 125;
  }
  if (lf & LowpanFlag.Broadcast) {
    if (p !== start) b[p++] = 44;
    p = put(v, p, K.broadcastSeq);
    p = putNum(v, p, m[I + Info.Bc0Seq]);
  }
  if (lf & (LowpanFlag.Frag1 | LowpanFlag.FragN)) {
    if (p !== start) b[p++] = 44;
    p = put(v, p, lf & LowpanFlag.Frag1 ? K.fragment1 : K.fragmentN);
    p = putNum(v, p, m[I + Info.FragSize] | (m[I + Info.FragSize + 1] << 8));
    p = put(v, p, K.tag);
    p = putNum(v, p, m[I + Info.FragTag] | (m[I + Info.FragTag + 1] << 8));
    p = put(v, p, K.offset);
    p = putNum(v, p, m[I + Info.FragOffset] | (m[I + Info.FragOffset + 1] << 8));
    b[p++] = 125;
  }
  const iphc = (lf & LowpanFlag.Iphc) !== 0;
  const dispatch = iphc || (lf & LowpanFlag.Uncompressed) !== 0;
  if (dispatch) {
    if (p !== start) b[p++] = 44;
    p = put(v, p, iphc ? K.dispatchIphc : K.dispatchIpv6);
  }
  if (iphc) {
    const hc = m[I + Info.Iphc] | (m[I + Info.Iphc + 1] << 8);
    p = put(v, p, IPHC[hc] ??= iphcJson(hc));
    if (hc & 0x80) {
      const cid = m[I + Info.IphcCid];
      p = put(v, p, K.sci);
      p = putNum(v, p, cid >> 4);
      p = put(v, p, K.dci);
      p = putNum(v, p, cid & 15);
    } else {
      b[p++] = 125;
    }
  }
  const nhcCount = m[I + Info.NhcCount];
  if (nhcCount) {
    if (p !== start) b[p++] = 44;
    p = put(v, p, K.nhc);
    for (let i = 0; i < nhcCount; i++) {
      if (i) b[p++] = 44;
      p = putNum(v, p, m[I + Info.Nhc + i]);
    }
    b[p++] = 93; // ]
  }
  if (dispatch) {
    if (p !== start) b[p++] = 44;
    p = put(v, p, K.compressedLength);
    p = putNum(v, p, m[I + Info.CompressedLen] | (m[I + Info.CompressedLen + 1] << 8));
    p = put(v, p, K.uncompressedLength);
    p = putNum(v, p, m[I + Info.UncompressedLen] | (m[I + Info.UncompressedLen + 1] << 8));
  }
  if (lf & LowpanFlag.Duplicate) {
    if (p !== start) b[p++] = 44;
    p = put(v, p, K.duplicate);
  }
  return p;
}

/** One's complement sum of the 16-bit big-endian words of m[from, to) (odd end padded). */
function sum16(mv: DataView, m: Uint8Array, from: number, to: number, s: number): number {
  let i = from;
  for (; i + 3 < to; i += 4) {
    const w = mv.getUint32(i);
    s += (w >>> 16) + (w & 0xffff);
  }
  for (; i + 1 < to; i += 2) s += (m[i] << 8) | m[i + 1];
  if (i < to) s += m[i] << 8;
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** Checksum of an upper-layer message at m[at, at + len) with the RFC 8200
 *  §8.1 pseudo header of the packet at `ip`; 0xffff when it verifies. */
function pseudoSum(mv: DataView, m: Uint8Array, ip: number, nextHeader: number, at: number, len: number): number {
  let s = sum16(mv, m, ip + 8, ip + 40, 0);
  s += (len >>> 16) + (len & 0xffff) + nextHeader;
  return fold(sum16(mv, m, at, at + len, s));
}

/** The packet, IPv6, UDP/ICMPv6, payload and CoAP members; -1 to leave the frame to frameReport. */
function writePacket(b: Buffer, v: DataView, p: number, m: Uint8Array, mv: DataView, ip: number, len: number): number {
  if (len < 40 || m[ip] >> 4 !== 6) return -1;
  const payloadLength = (m[ip + 4] << 8) | m[ip + 5];
  const end = ip + 40 + payloadLength;
  if (end > ip + len) return -1;
  // The header chain (RFC 8200 §4), checked as the packet library checks it.
  let protocol = m[ip + 6];
  let off = ip + 40;
  let fragmented = false;
  while (protocol === 0 || protocol === 43 || protocol === 44 || protocol === 60) {
    if (off + 8 > end) return -1;
    const hl = protocol === 44 ? 8 : (m[off + 1] + 1) * 8;
    if (off + hl > end) return -1;
    const next = m[off];
    if (protocol === 44) {
      const word = (m[off + 2] << 8) | m[off + 3];
      if (word >> 3 !== 0 || (word & 1) !== 0) fragmented = true;
      off += hl;
      protocol = next;
      if (word >> 3 !== 0) break;
      continue;
    }
    if (protocol === 43) {
      if (m[off + 3] !== 0) return -1; // segments left: another final destination
    } else {
      for (let i = off + 2; i < off + hl;) {
        if (m[i] === 0) {
          i++;
          continue;
        }
        if (i + 2 > off + hl || i + 2 + m[i + 1] > off + hl) return -1;
        i += 2 + m[i + 1];
      }
    }
    off += hl;
    protocol = next;
  }
  const upperLen = end - off;
  let udpLength = 0;
  if (!fragmented) {
    if (protocol === 17) {
      if (upperLen < 8) return -1;
      udpLength = (m[off + 4] << 8) | m[off + 5];
      if (udpLength < 8 || udpLength > upperLen) return -1;
    } else if (protocol === 58) {
      if (upperLen < 4) return -1;
      if ((m[off] === ICMPV6_ECHO_REQUEST || m[off] === ICMPV6_ECHO_REPLY) && upperLen < 8) return -1;
    }
  }
  // Enough room for the hex and the payload views of this packet.
  if (p + 8 * len + 2048 > b.length) return -1;
  p = put(v, p, K.packet);
  p = putHex(v, p, m, ip, ip + len);
  p = put(v, p, K.ipv6);
  p = putIpv6(v, p, m, ip + 8);
  p = put(v, p, K.ipv6Dst);
  p = putIpv6(v, p, m, ip + 24);
  p = put(v, p, K.nextHeader);
  p = putNum(v, p, m[ip + 6]);
  p = put(v, p, K.hopLimit);
  p = putNum(v, p, m[ip + 7]);
  p = put(v, p, K.trafficClass);
  p = putNum(v, p, ((m[ip] & 15) << 4) | (m[ip + 1] >> 4));
  p = put(v, p, K.flowLabel);
  p = putNum(v, p, ((m[ip + 1] & 15) << 16) | (m[ip + 2] << 8) | m[ip + 3]);
  p = put(v, p, K.payloadLength6);
  p = putNum(v, p, payloadLength);
  if (fragmented) {
    b[p++] = 125;
    return p;
  }
  let dataFrom = 0;
  let dataTo = 0;
  let coap = false;
  if (protocol === 17) {
    const sport = (m[off] << 8) | m[off + 1];
    const dport = (m[off + 2] << 8) | m[off + 3];
    const checksum = (m[off + 6] << 8) | m[off + 7];
    p = put(v, p, K.udp);
    p = putNum(v, p, sport);
    p = put(v, p, K.dstPort);
    p = putNum(v, p, dport);
    p = put(v, p, K.checksum);
    p = putNum(v, p, checksum);
    p = put(v, p, K.udpLength);
    p = putNum(v, p, udpLength);
    p = put(v, p, K.checksumOk);
    p = put(v, p, bool(checksum !== 0 && pseudoSum(mv, m, ip, 17, off, udpLength) === 0xffff));
    dataFrom = off + 8;
    dataTo = off + udpLength;
    coap = sport === COAP_PORT || dport === COAP_PORT;
  } else if (protocol === 58) {
    const type = m[off];
    p = put(v, p, K.icmpv6);
    p = putNum(v, p, type);
    p = put(v, p, K.code);
    p = putNum(v, p, m[off + 1]);
    p = put(v, p, K.checksum);
    p = putNum(v, p, (m[off + 2] << 8) | m[off + 3]);
    p = put(v, p, K.checksumOk);
    p = put(v, p, bool(pseudoSum(mv, m, ip, 58, off, upperLen) === 0xffff));
    if (type === ICMPV6_ECHO_REQUEST || type === ICMPV6_ECHO_REPLY) {
      p = put(v, p, K.identifier);
      p = putNum(v, p, (m[off + 4] << 8) | m[off + 5]);
      p = put(v, p, K.sequence);
      p = putNum(v, p, (m[off + 6] << 8) | m[off + 7]);
      dataFrom = off + 8;
      dataTo = end;
    }
  }
  b[p++] = 125;
  if (dataTo > dataFrom) {
    p = put(v, p, K.payload);
    p = putNum(v, p, dataTo - dataFrom);
    p = put(v, p, K.hex);
    p = putHex(v, p, m, dataFrom, dataTo);
    p = put(v, p, K.asciiKey);
    p = putAsciiJson(v, p, m, dataFrom, dataTo);
    b[p++] = 34;
    b[p++] = 125;
  }
  if (coap) {
    p = put(v, p, K.coap);
    const json = JSON.stringify(coapRecord(m.subarray(dataFrom, dataTo)));
    if (p + json.length * 3 + 64 > b.length) return -1;
    p += b.write(json, p, 'utf8');
  }
  return p;
}

