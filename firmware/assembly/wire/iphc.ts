// LOWPAN_IPHC (RFC 6282 §3) with its LOWPAN_NHC chain (§4), both directions.
//
//     0                                       1
//     0   1   2   3   4   5   6   7   8   9   0   1   2   3   4   5
//   +---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
//   | 0 | 1 | 1 |  TF   |NH | HLIM  |CID|SAC|  SAM  | M |DAC|  DAM  |
//   +---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+---+
// In-line fields follow in the IPv6 header's order (§3.2): CID octet, traffic
// class and flow label, next header, hop limit, source, destination.
//
// Lengths are never carried: the decompressor writes placeholders and records
// where they go ("fixups"), resolved once the datagram size is known (the frame
// itself, or datagram_size of a FRAG1, RFC 6282 §2).
import { Info } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { MAX_IPV6_NESTING, MAX_NHC_DEPTH } from '../config';
import { INFO, rd16be, wr16be } from '../mem';
import {
  chooseMulticast, chooseUnicast, choiceCost, choiceCtx, choiceMode,
  decodeMulticast, decodeUnicast, emitMulticast, emitUnicast, INLINE_BYTES,
} from './iphc-address';
import {
  decodeExt, eidFor, encodeExt, encodedExtSize, extHeaderLen, extProtocol, extWritten,
  EID_IPV6, NHC_EXT_ID, NHC_EXT_MASK,
} from './nhc-ext';
import { decodeUdp, encodeUdp, udpChecksum, udpElided, NHC_UDP_ID, NHC_UDP_MASK } from './nhc-udp';

export const IPHC_DISPATCH_MASK: u32 = 0xe0;
export const IPHC_DISPATCH: u32 = 0x60;
/** Largest IPHC header: base 2, CID 1, TF 4, NH 1, HLIM 1, addresses 16 + 16. */
const IPHC_MAX: i32 = 41;

const HLIM_VALUES: usize = memory.data<u8>([0, 1, 64, 255]);

// ---- decompression results ----
/** Uncompressed header octets written by the last decompress(). */
export let headerWritten: i32 = 0;
let ipv6Count: i32 = 0;
const IPV6_POS: usize = memory.data(MAX_IPV6_NESTING * 4, 4);
/** Offset of the UDP header (or -1), of its enclosing IPv6 header, and whether its checksum was elided. */
export let udpPos: i32 = -1;
export let udpIpv6Pos: i32 = 0;
export let udpChecksumElided: bool = false;

function noteNhc(b: u32): void {
  const n = <i32>load<u8>(INFO, Info.NhcCount);
  if (n < 8) {
    store<u8>(INFO + Info.Nhc + n, <u8>b);
    store<u8>(INFO, <u8>(n + 1), Info.NhcCount);
  }
}

/** Decompresses IPHC + NHC headers at s (avail octets) into d (capacity cap).
 *  srcIid/dstIid: IIDs from the link layer (0 when the link address is absent).
 *  Returns compressed octets consumed, or a negative Reason. */
export function decompress(s: usize, avail: i32, d: usize, cap: i32, srcIid: usize, dstIid: usize): i32 {
  ipv6Count = 0;
  udpPos = -1;
  udpChecksumElided = false;
  store<u8>(INFO, 0, Info.NhcCount);
  store<u16>(INFO, <u16>rd16be(s), Info.Iphc);
  return decodeIphc(s, 0, avail, d, 0, cap, srcIid, dstIid, 0);
}

function decodeIphc(s: usize, pos: i32, end: i32, d: usize, w: i32, cap: i32,
                    srcIid: usize, dstIid: usize, nesting: i32): i32 {
  if (nesting >= MAX_IPV6_NESTING) return -Reason.NhcTooDeep;
  if (pos + 2 > end) return -Reason.IphcTruncated;
  if (w + 40 > cap) return -Reason.NhcLengthOverflow;
  const b0 = <u32>load<u8>(s + pos);
  const b1 = <u32>load<u8>(s + pos + 1);
  pos += 2;
  let sci: i32 = 0;
  let dci: i32 = 0;
  if (b1 & 0x80) {
    if (pos + 1 > end) return -Reason.IphcTruncated;
    const c = <i32>load<u8>(s + pos);
    if (nesting == 0) store<u8>(INFO, <u8>c, Info.IphcCid);
    sci = c >> 4;
    dci = c & 15;
    pos++;
  }
  const ip = d + w;
  pos = decodeTrafficClass(s, pos, end, ip, (b0 >> 3) & 3);
  if (pos < 0) return pos;
  const nhc = (b0 & 4) != 0;
  if (!nhc) {
    if (pos + 1 > end) return -Reason.IphcTruncated;
    store<u8>(ip, load<u8>(s + pos), 6);
    pos++;
  }
  if ((b0 & 3) == 0) {
    if (pos + 1 > end) return -Reason.IphcTruncated;
    store<u8>(ip, load<u8>(s + pos), 7);
    pos++;
  } else store<u8>(ip, load<u8>(HLIM_VALUES + (b0 & 3)), 7);
  let r = decodeUnicast(ip + 8, (b1 >> 4) & 3, (b1 & 0x40) ? sci : -1, s + pos, end - pos, srcIid);
  if (r < 0) return r;
  pos += r;
  if (b1 & 8) r = decodeMulticast(ip + 24, (b1 & 4) != 0, b1 & 3, dci, s + pos, end - pos);
  else if ((b1 & 4) && (b1 & 3) == 0) return -Reason.IphcReservedMode; // DAC=1 DAM=00
  else r = decodeUnicast(ip + 24, b1 & 3, (b1 & 4) ? dci : -1, s + pos, end - pos, dstIid);
  if (r < 0) return r;
  pos += r;
  if (ipv6Count < MAX_IPV6_NESTING) store<i32>(IPV6_POS + (<usize>ipv6Count << 2), w);
  ipv6Count++;
  if (!nhc) {
    headerWritten = w + 40;
    return pos;
  }
  return decodeChain(s, pos, end, d, w + 40, cap, w, w + 6, nesting);
}

/** TF (§3.1.1): ECN and DSCP in-line in that order (the reverse of IPv6's), flow label. */
function decodeTrafficClass(s: usize, pos: i32, end: i32, ip: usize, tf: u32): i32 {
  const need = tf == 0 ? 4 : tf == 1 ? 3 : tf == 2 ? 1 : 0;
  if (pos + need > end) return -Reason.IphcTruncated;
  let tc: u32 = 0;
  let fl: u32 = 0;
  if (tf != 3) {
    const x0 = <u32>load<u8>(s + pos);
    const ecn = x0 >> 6;
    const dscp = tf == 1 ? 0 : x0 & 0x3f;
    tc = (dscp << 2) | ecn;
    if (tf == 0) fl = ((<u32>load<u8>(s + pos + 1) & 0xf) << 16) | rd16be(s + pos + 2);
    if (tf == 1) fl = ((x0 & 0xf) << 16) | rd16be(s + pos + 1);
  }
  store<u8>(ip, <u8>(0x60 | (tc >> 4)));
  store<u8>(ip, <u8>(((tc & 0xf) << 4) | (fl >> 16)), 1);
  wr16be(ip + 2, fl & 0xffff);
  wr16be(ip + 4, 0);
  return pos + need;
}

function decodeChain(s: usize, pos: i32, end: i32, d: usize, w: i32, cap: i32,
                     ipPos: i32, nhAt: i32, nesting: i32): i32 {
  for (let depth = 0; depth < MAX_NHC_DEPTH; depth++) {
    if (pos >= end) return -Reason.NhcTruncated;
    const b = <u32>load<u8>(s + pos);
    noteNhc(b);
    if ((b & NHC_UDP_MASK) == NHC_UDP_ID) {
      if (w + 8 > cap) return -Reason.NhcLengthOverflow;
      const r = decodeUdp(s + pos, end - pos, d + w);
      if (r < 0) return r;
      store<u8>(d + nhAt, 17);
      udpPos = w;
      udpIpv6Pos = ipPos;
      udpChecksumElided = udpElided(b);
      headerWritten = w + 8;
      return pos + r;
    }
    if ((b & NHC_EXT_MASK) != NHC_EXT_ID) return -Reason.NhcUnknown;
    const eid = (b >> 1) & 7;
    if (eid == EID_IPV6) {
      if (b & 1) return -Reason.NhcReservedEid; // §4.2: NH MUST be zero
      store<u8>(d + nhAt, 41);
      // §3.2.2: elided IIDs come from the encapsulating IPv6 header.
      return decodeIphc(s, pos + 1, end, d, w, cap, d + ipPos + 16, d + ipPos + 32, nesting + 1);
    }
    const r = decodeExt(s + pos, end - pos, d + w, cap - w);
    if (r < 0) return r;
    store<u8>(d + nhAt, <u8>extProtocol(eid));
    nhAt = w;
    w += extWritten;
    pos += r;
    if (!(b & 1)) {
      headerWritten = w;
      return pos;
    }
  }
  return -Reason.NhcTooDeep;
}

/** Writes the payload lengths elided by IPHC and NHC UDP, for a datagram of
 *  `total` octets at d (RFC 6282 §3.1.1, §4.3.3). */
export function finishLengths(d: usize, total: i32): void {
  const n = ipv6Count < MAX_IPV6_NESTING ? ipv6Count : MAX_IPV6_NESTING;
  for (let i = 0; i < n; i++) {
    const p = load<i32>(IPV6_POS + (<usize>i << 2));
    assert(total >= p + 40, 'datagram shorter than its headers');
    wr16be(d + p + 4, <u32>(total - p - 40));
  }
  if (udpPos >= 0) wr16be(d + udpPos + 4, <u32>(total - udpPos));
}

/** Recomputes an elided UDP checksum (§4.3.2) once the whole datagram is there. */
export function finishChecksum(d: usize, total: i32, udp: i32, ip: i32): void {
  wr16be(d + udp + 6, udpChecksum(d + ip, d + udp, total - udp));
}

// ---- compression ----
/** Octets of the original packet that the last compress() represented. */
export let consumed: i32 = 0;
let allowElide: bool = false;

/** Compresses the headers of the IPv6 packet p (len octets) into out, using at
 *  most `budget` octets. Returns octets written; `consumed` tells how many
 *  packet octets they stand for (the rest is carried in-line as payload). */
export function compress(p: usize, len: i32, out: usize, budget: i32,
                         srcIid: usize, dstIid: usize, elide: bool): i32 {
  allowElide = elide;
  return encodeIpv6(p, 0, len, out, 0, budget, srcIid, dstIid, 0);
}

function encodeIpv6(p: usize, off: i32, len: i32, out: usize, o: i32, budget: i32,
                    srcIid: usize, dstIid: usize, nesting: i32): i32 {
  const h = p + off;
  const tc = ((<u32>load<u8>(h) & 0xf) << 4) | (<u32>load<u8>(h, 1) >> 4);
  const fl = ((<u32>load<u8>(h, 1) & 0xf) << 16) | rd16be(h + 2);
  const nh = <u32>load<u8>(h, 6);
  const hlim = <u32>load<u8>(h, 7);
  const dscp = tc >> 2;
  const tf: u32 = fl == 0 ? (tc == 0 ? 3 : 2) : (dscp == 0 ? 1 : 0);
  const hl: u32 = hlim == 1 ? 1 : hlim == 64 ? 2 : hlim == 255 ? 3 : 0;

  // Addresses: the cheapest pair, with or without a CID octet (§3.1.2).
  chooseUnicast(h + 8, srcIid, true);
  let sMode = choiceMode(0), sCtx = choiceCtx(0), sCost = choiceCost(0);
  const sMode1 = choiceMode(1), sCtx1 = choiceCtx(1), sCost1 = choiceCost(1);
  const multicast = load<u8>(h, 24) == 0xff;
  if (multicast) chooseMulticast(h + 24);
  else chooseUnicast(h + 24, dstIid, false);
  let dMode = choiceMode(0), dCtx = choiceCtx(0), dCost = choiceCost(0);
  const cidCost = sCtx1 > 0 || choiceCtx(1) > 0 ? 1 : 0;
  if (sCost1 + choiceCost(1) + cidCost < sCost + dCost) {
    sMode = sMode1; sCtx = sCtx1; sCost = sCost1;
    dMode = choiceMode(1); dCtx = choiceCtx(1); dCost = choiceCost(1);
  }
  const cid = sCtx > 0 || dCtx > 0;
  const tfLen = tf == 0 ? 4 : tf == 1 ? 3 : tf == 2 ? 1 : 0;
  const fixedLen = 2 + (cid ? 1 : 0) + tfLen + (hl == 0 ? 1 : 0) + sCost + dCost;
  const nhc = nhcEligible(p, nh, off + 40, len, o + fixedLen, budget, nesting);

  store<u8>(out + o, <u8>(IPHC_DISPATCH | (tf << 3) | (nhc ? 4 : 0) | hl));
  store<u8>(out + o + 1, <u8>((cid ? 0x80 : 0) | (sCtx >= 0 ? 0x40 : 0) | (sMode << 4)
    | (multicast ? 8 : 0) | (dCtx >= 0 ? 4 : 0) | dMode));
  o += 2;
  if (cid) store<u8>(out + o++, <u8>(((sCtx > 0 ? sCtx : 0) << 4) | (dCtx > 0 ? dCtx : 0)));
  const ecn = tc & 3;
  if (tf == 0) {
    store<u8>(out + o, <u8>((ecn << 6) | dscp));
    store<u8>(out + o + 1, <u8>(fl >> 16));
    wr16be(out + o + 2, fl & 0xffff);
  } else if (tf == 1) {
    store<u8>(out + o, <u8>((ecn << 6) | (fl >> 16)));
    wr16be(out + o + 1, fl & 0xffff);
  } else if (tf == 2) store<u8>(out + o, <u8>((ecn << 6) | dscp));
  o += tfLen;
  if (!nhc) store<u8>(out + o++, <u8>nh);
  if (hl == 0) store<u8>(out + o++, <u8>hlim);
  o += emitUnicast(out + o, h + 8, sMode, sCtx);
  o += multicast ? emitMulticast(out + o, h + 24, dMode, dCtx) : emitUnicast(out + o, h + 24, dMode, dCtx);
  if (!nhc) {
    consumed = off + 40;
    return o;
  }
  return encodeChain(p, nh, off + 40, len, out, o, budget, off, nesting);
}

/** Whether the header `protocol` at off can be NHC-encoded within the budget,
 *  exactly as decodeChain() will read it back. */
function nhcEligible(p: usize, protocol: u32, off: i32, len: i32, used: i32, budget: i32, nesting: i32): bool {
  const rest = len - off;
  if (protocol == 17) return rest >= 8 && <i32>rd16be(p + off + 4) == rest && used + 7 <= budget;
  if (protocol == 41) {
    return nesting + 1 < MAX_IPV6_NESTING && rest >= 40 && (load<u8>(p + off) >> 4) == 6
      && <i32>rd16be(p + off + 4) + 40 == rest && used + 1 + IPHC_MAX <= budget;
  }
  if (eidFor(protocol) < 0 || rest < 8) return false;
  const hl = extHeaderLen(protocol, p + off);
  if (hl > rest) return false;
  const size = encodedExtSize(protocol, p + off, hl);
  return size >= 0 && used + size <= budget;
}

function encodeChain(p: usize, protocol: u32, off: i32, len: i32, out: usize, o: i32, budget: i32,
                     ipOff: i32, nesting: i32): i32 {
  for (let depth = 0; depth < MAX_NHC_DEPTH; depth++) {
    if (protocol == 17) {
      o += encodeUdp(out + o, p + off, p + ipOff, len - off, allowElide);
      consumed = off + 8;
      return o;
    }
    if (protocol == 41) {
      store<u8>(out + o, <u8>(NHC_EXT_ID | (EID_IPV6 << 1)));
      return encodeIpv6(p, off, len, out, o + 1, budget, p + ipOff + 16, p + ipOff + 32, nesting + 1);
    }
    const hl = extHeaderLen(protocol, p + off);
    const next = <u32>load<u8>(p + off);
    const size = encodedExtSize(protocol, p + off, hl);
    const nextNhc = depth + 1 < MAX_NHC_DEPTH && nhcEligible(p, next, off + hl, len, o + size, budget, nesting);
    o += encodeExt(out + o, protocol, p + off, hl, nextNhc);
    off += hl;
    if (!nextNhc) {
      consumed = off;
      return o;
    }
    protocol = next;
  }
  consumed = off; // unreachable: nhcEligible stops the chain at MAX_NHC_DEPTH
  return o;
}
