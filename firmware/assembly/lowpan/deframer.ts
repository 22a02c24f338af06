// Receiving side of the adaptation layer: one IEEE 802.15.4 frame in, an IPv6
// packet out when the frame completes one. Headers in the order RFC 4944 §5
// fixes: Mesh, Broadcast, Fragment, then the IPv6 dispatch (0x41) or IPHC.
import { AddrMode, Capacity, FrameType, Info, LowpanFlag, MacFlag } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { INFO, PACKET, fail, rd16be } from '../mem';
import { parseMac } from '../wire/ieee802154';
import { iidFromLink } from '../wire/ipv6-address';
import {
  decompress, finishChecksum, finishLengths, headerWritten, udpChecksumElided, udpIpv6Pos, udpPos,
  IPHC_DISPATCH, IPHC_DISPATCH_MASK,
} from '../wire/iphc';
import * as reassembly from './reassembly';
import { frameForUs } from './mac-filter';

export const DISPATCH_IPV6: u32 = 0x41;
const DISPATCH_HC1: u32 = 0x42;
const DISPATCH_ESC: u32 = 0x40; // RFC 6282 §2 moved ESC here; RFC 8066
const DISPATCH_BC0: u32 = 0x50;

const SRC_IID: usize = memory.data(8, 8);
const DST_IID: usize = memory.data(8, 8);

/** Where the last completed packet lies; valid until the next decode. */
export let packetPtr: usize = PACKET;

// Link addresses for IID derivation and the reassembly key: the MAC header's,
// or the Mesh header's originator and final destination (RFC 4944 §5.2).
let srcMode: u32 = 0;
let srcAddr: usize = 0;
let dstMode: u32 = 0;
let dstAddr: usize = 0;
let lowpanFlags: u32 = 0;
/** The last completed packet carried a UDP checksum elided by LOWPAN_NHC (C=1),
 *  computed here on the sender's behalf (RFC 6282 §4.3.2). The node drops it;
 *  the codec's decode() shows it. */
export let checksumElided: bool = false;

@inline function setFlag(f: u32): void {
  lowpanFlags |= f;
  store<u16>(INFO, <u16>lowpanFlags, Info.LowpanFlags);
}

/** Decodes the frame at f (len octets, FCS included) received at `now` ms.
 *  Returns the packet length (> 0), 0 when no packet is complete yet (a held
 *  fragment, an ACK frame, a duplicate), or a negative Reason. */
export function frameToPacket(f: usize, len: i32, now: u32): i32 {
  reassembly.expire(now);
  memory.fill(INFO + Info.LowpanFlags, 0, Info.Size - Info.LowpanFlags);
  lowpanFlags = 0;
  checksumElided = false;
  const r = parseMac(f, len);
  if (len >= 4 && !(load<u16>(INFO, Info.MacFlags) & MacFlag.FcsOk)) return fail(Reason.BadFcs);
  if (r != Reason.Ok) return fail(r);
  const type = <u32>load<u8>(INFO, Info.FrameType);
  if (type == FrameType.Ack) return 0;
  if (type != FrameType.Data) return fail(Reason.NotDataFrame);
  if (!frameForUs()) return fail(Reason.MacNotForUs);
  const p = f + <usize>load<u8>(INFO, Info.MacHeaderLen);
  const n = <i32>load<u8>(INFO, Info.MacPayloadLen);
  if (n == 0) return fail(Reason.EmptyPayload);
  srcMode = <u32>load<u8>(INFO, Info.SrcMode);
  srcAddr = INFO + Info.SrcAddr;
  dstMode = <u32>load<u8>(INFO, Info.DstMode);
  dstAddr = INFO + Info.DstAddr;
  let pos = parseMesh(p, n);
  if (pos < 0) return fail(-pos);
  if (pos < n && <u32>load<u8>(p + pos) == DISPATCH_BC0) {
    if (pos + 2 > n) return fail(Reason.BroadcastHeaderTruncated);
    store<u8>(INFO, load<u8>(p + pos + 1), Info.Bc0Seq);
    setFlag(LowpanFlag.Broadcast);
    pos += 2;
  }
  if (pos >= n) return fail(Reason.EmptyPayload);
  const b = <u32>load<u8>(p + pos);
  if ((b & 0xf8) == 0xc0 || (b & 0xf8) == 0xe0) return fragment(p, pos, n, now);
  return whole(p + pos, n - pos);
}

/** Mesh header (RFC 4944 §5.2): 10 V F HopsLeft(4) [deep hops] originator final. */
function parseMesh(p: usize, n: i32): i32 {
  const b = <u32>load<u8>(p);
  if ((b & 0xc0) != 0x80) return 0;
  let o = 1;
  let hops = b & 0xf;
  if (hops == 0xf) {
    if (n < 2) return -Reason.MeshHeaderTruncated;
    hops = <u32>load<u8>(p, 1); // 0xF: an 8-bit Deep Hops Left follows
    o = 2;
  }
  const ol = (b & 0x20) ? 2 : 8;
  const fl = (b & 0x10) ? 2 : 8;
  if (o + ol + fl > n) return -Reason.MeshHeaderTruncated;
  // Mesh addresses are in network order, unlike the MAC header's.
  memory.copy(INFO + Info.MeshOrig, p + o, <usize>ol);
  memory.copy(INFO + Info.MeshFinal, p + o + ol, <usize>fl);
  store<u8>(INFO, <u8>hops, Info.MeshHopsLeft);
  srcMode = ol == 2 ? AddrMode.Short : AddrMode.Extended;
  dstMode = fl == 2 ? AddrMode.Short : AddrMode.Extended;
  store<u8>(INFO, <u8>srcMode, Info.MeshOrigMode);
  store<u8>(INFO, <u8>dstMode, Info.MeshFinalMode);
  srcAddr = INFO + Info.MeshOrig;
  dstAddr = INFO + Info.MeshFinal;
  setFlag(LowpanFlag.Mesh);
  return o + ol + fl;
}

function dispatchReason(b: u32): i32 {
  if ((b & 0xc0) == 0) return Reason.NotLowpan; // NALP (RFC 4944 §5.1)
  if (b == DISPATCH_HC1) return Reason.DispatchHc1Unsupported; // obsoleted by RFC 6282
  if (b == DISPATCH_ESC) return Reason.DispatchEscUnsupported;
  return Reason.DispatchReserved;
}

/** Decompresses the datagram header at q (m octets) into d (capacity cap).
 *  Returns compressed octets consumed or a negative Reason; headerWritten
 *  and the UDP fixups describe the result. */
function decodeHeader(q: usize, m: i32, d: usize, cap: i32): i32 {
  const b = <u32>load<u8>(q);
  if (b == DISPATCH_IPV6) {
    setFlag(LowpanFlag.Uncompressed);
    return 1; // the IPv6 header travels as payload
  }
  if ((b & IPHC_DISPATCH_MASK) != IPHC_DISPATCH) return -dispatchReason(b);
  setFlag(LowpanFlag.Iphc);
  const si: usize = srcMode == AddrMode.None ? 0 : SRC_IID;
  const di: usize = dstMode == AddrMode.None ? 0 : DST_IID;
  if (si) iidFromLink(SRC_IID, srcMode, srcAddr);
  if (di) iidFromLink(DST_IID, dstMode, dstAddr);
  return decompress(q, m, d, cap, si, di);
}

/** A datagram in one frame. */
function whole(q: usize, m: i32): i32 {
  const c = decodeHeader(q, m, PACKET, Capacity.Packet);
  if (c < 0) return fail(-c);
  const iphc = (lowpanFlags & LowpanFlag.Iphc) != 0;
  const w = iphc ? headerWritten : 0;
  const rest = m - c;
  let total = w + rest;
  if (total > Capacity.Packet) return fail(Reason.PacketTooLarge);
  memory.copy(PACKET + w, q + c, <usize>rest);
  if (iphc) {
    finishLengths(PACKET, total);
    if (udpPos >= 0 && udpChecksumElided) {
      finishChecksum(PACKET, total, udpPos, udpIpv6Pos);
      checksumElided = true;
    }
  } else {
    if (total < 40) return fail(Reason.Ipv6Truncated);
    if ((load<u8>(PACKET) >> 4) != 6) return fail(Reason.Ipv6BadVersion);
    const plen = <i32>rd16be(PACKET + 4);
    if (plen + 40 > total) return fail(Reason.Ipv6LengthMismatch);
    total = plen + 40;
  }
  store<u16>(INFO, <u16>c, Info.CompressedLen);
  store<u16>(INFO, <u16>w, Info.UncompressedLen);
  return completed(PACKET, total);
}

function completed(d: usize, total: i32): i32 {
  packetPtr = d;
  store<u16>(INFO, <u16>total, Info.PacketLen);
  setFlag(LowpanFlag.Complete);
  return total;
}

/** FRAG1 / FRAGN (RFC 4944 §5.3). */
function fragment(p: usize, pos: i32, n: i32, now: u32): i32 {
  const first = (<u32>load<u8>(p + pos) & 0xf8) == 0xc0;
  const hl = first ? 4 : 5;
  if (pos + hl > n) return fail(Reason.FragHeaderTruncated);
  const size = <i32>(rd16be(p + pos) & 0x7ff);
  const tag = rd16be(p + pos + 2);
  const offset = first ? 0 : <i32>load<u8>(p + pos + 4) << 3;
  store<u16>(INFO, <u16>size, Info.FragSize);
  store<u16>(INFO, <u16>tag, Info.FragTag);
  store<u16>(INFO, <u16>offset, Info.FragOffset);
  setFlag(first ? LowpanFlag.Frag1 : LowpanFlag.FragN);
  if (size > Capacity.Packet) return fail(Reason.FragSizeTooLarge);
  pos += hl;
  let src = p + pos;
  let len = n - pos;
  let elidedUdp = -1;
  if (first) {
    // Decompress FRAG1's headers with the lengths datagram_size implies (RFC 6282 §2).
    if (len <= 0) return fail(Reason.EmptyPayload);
    const c = decodeHeader(src, len, PACKET, size);
    if (c < 0) return fail(-c == Reason.NhcLengthOverflow ? Reason.FragHeaderTooLarge : -c);
    const w = (lowpanFlags & LowpanFlag.Iphc) ? headerWritten : 0;
    const rest = len - c;
    if (w + rest > size) return fail(Reason.FragBeyondDatagram);
    memory.copy(PACKET + w, src + c, <usize>rest);
    if (w > 0) {
      finishLengths(PACKET, size);
      if (udpPos >= 0 && udpChecksumElided) elidedUdp = udpPos;
    }
    store<u16>(INFO, <u16>c, Info.CompressedLen);
    store<u16>(INFO, <u16>w, Info.UncompressedLen);
    src = PACKET;
    len = w + rest;
  }
  const s = reassembly.open(srcMode, srcAddr, dstMode, dstAddr, size, tag, now);
  if (s == 0) return fail(reassembly.lastReason);
  if (elidedUdp >= 0) reassembly.noteElidedChecksum(s, elidedUdp, udpIpv6Pos);
  const r = reassembly.insert(s, offset, src, len);
  if (r == Reason.FragDuplicate) {
    fail(r); // counted, not an error: the fragment is already held
    setFlag(LowpanFlag.Duplicate);
    return 0;
  }
  if (r != Reason.Ok) return fail(r);
  if (!reassembly.complete(s)) return 0;
  const d = reassembly.slotData(s);
  const udp = reassembly.elidedUdp(s);
  assert(udp < 0 || udp + 8 <= size, 'elided UDP checksum outside the datagram');
  if (udp >= 0) {
    finishChecksum(d, size, udp, reassembly.elidedUdpIp(s));
    checksumElided = true;
  }
  reassembly.finish(s);
  return completed(d, size);
}
