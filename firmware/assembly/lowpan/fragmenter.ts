// Sending side of the adaptation layer: an IPv6 packet becomes one or more
// IEEE 802.15.4 data frames (RFC 4944 §5.3, RFC 6282 §2).
//
//   FRAG1:  1 1 0 0 0 | datagram_size (11) | datagram_tag (16)
//   FRAGN:  1 1 1 0 0 | datagram_size (11) | datagram_tag (16) | datagram_offset (8)
//
// datagram_size and datagram_offset count octets of the UNCOMPRESSED packet
// (offset in units of 8); the compressed headers travel in FRAG1 only. Every
// fragment but the last carries a multiple of 8 uncompressed octets.
import { AddrMode, Capacity, Tx, TxFlag } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { HDR, OUT, TX, rd16be, wr16be } from '../mem';
import { appendFcs, emitMac, macHeaderLen } from '../wire/ieee802154';
import { iidFromLink } from '../wire/ipv6-address';
import { compress as compressHeaders, consumed } from '../wire/iphc';

const FCS_LEN: i32 = 2;
const FRAG1_LEN: i32 = 4;
const FRAGN_LEN: i32 = 5;
const SRC_IID: usize = memory.data(8, 8);
const DST_IID: usize = memory.data(8, 8);

let nextTag: u32 = 0;

export function setDatagramTag(tag: u32): void {
  nextTag = tag & 0xffff;
}

let frames: i32 = 0;
let outPos: i32 = 0;
let seq: u32 = 0;

/** Starts a frame in OUT: writes the MAC header; returns the payload pointer. */
function beginFrame(dstMode: u32): usize {
  const f = OUT + <usize>outPos + 1;
  return f + emitMac(f, TX, dstMode, seq++ & 0xff);
}

/** Ends the frame whose payload ends at `end`: FCS and length prefix. */
function endFrame(end: usize): void {
  const f = OUT + <usize>outPos + 1;
  const len = appendFcs(f, <i32>(end - f));
  assert(len <= Capacity.Psdu, 'frame longer than a PSDU');
  store<u8>(f - 1, <u8>len);
  outPos += len + 1;
  frames++;
}

function validLinkMode(mode: u32): bool {
  return mode == AddrMode.Short || mode == AddrMode.Extended;
}

/** Compresses the IPv6 packet at p (len octets) into frames in OUT, each as
 *  [length][PSDU with FCS]. Returns the frame count or a negative Reason. */
export function packetToFrames(p: usize, len: i32): i32 {
  if (len < 40) return -Reason.PacketTooShort;
  if (len > Capacity.Packet) return -Reason.PacketTooLarge;
  if ((load<u8>(p) >> 4) != 6) return -Reason.Ipv6BadVersion;
  if (<i32>rd16be(p + 4) + 40 != len) return -Reason.Ipv6LengthMismatch;
  const srcMode = <u32>load<u8>(TX, Tx.SrcMode);
  const dstMode = <u32>load<u8>(TX, Tx.DstMode);
  if (!validLinkMode(srcMode) || !validLinkMode(dstMode) || load<u8>(TX, Tx.FrameVersion) > 2) {
    return -Reason.LinkAddrInvalid;
  }
  const flags = <u32>load<u8>(TX, Tx.Flags);
  const room = Capacity.Psdu - macHeaderLen(TX, dstMode) - FCS_LEN;
  let hdrLen: i32;
  let covered: i32; // uncompressed octets the header stands for
  if (flags & TxFlag.Uncompressed) {
    store<u8>(HDR, 0x41); // RFC 4944 §5.1 IPv6 dispatch
    hdrLen = 1;
    covered = 0;
  } else {
    iidFromLink(SRC_IID, srcMode, TX + Tx.SrcAddr);
    iidFromLink(DST_IID, dstMode, TX + Tx.DstAddr);
    hdrLen = compressHeaders(p, len, HDR, room - FRAG1_LEN, SRC_IID, DST_IID, (flags & TxFlag.ElideUdpChecksum) != 0);
    covered = consumed;
  }
  frames = 0;
  outPos = 0;
  seq = <u32>load<u8>(TX, Tx.Seq);
  if (hdrLen + len - covered <= room) {
    const body = beginFrame(dstMode);
    memory.copy(body, HDR, <usize>hdrLen);
    memory.copy(body + hdrLen, p + covered, <usize>(len - covered));
    endFrame(body + hdrLen + len - covered);
  } else {
    const r = fragment(p, len, hdrLen, covered, room, dstMode);
    if (r < 0) return r;
  }
  store<u8>(TX, <u8>seq, Tx.Seq);
  return frames;
}

function fragment(p: usize, len: i32, hdrLen: i32, covered: i32, room: i32, dstMode: u32): i32 {
  // FRAG1: the compressed headers plus enough payload to end on an 8-octet boundary.
  const first = ((covered + room - FRAG1_LEN - hdrLen) & ~7) - covered;
  if (first < 0) return -Reason.FragHeaderTooLarge;
  assert(((covered + first) & 7) == 0, 'FRAG1 must end on an 8-octet boundary');
  const perFrag = (room - FRAGN_LEN) & ~7;
  const count = 1 + (len - covered - first + perFrag - 1) / perFrag;
  if (count > Capacity.Frames) return -Reason.TooManyFrames;
  const tag = nextTag;
  nextTag = (nextTag + 1) & 0xffff;
  let body = beginFrame(dstMode);
  wr16be(body, 0xc000 | <u32>len);
  wr16be(body + 2, tag);
  memory.copy(body + FRAG1_LEN, HDR, <usize>hdrLen);
  memory.copy(body + FRAG1_LEN + hdrLen, p + covered, <usize>first);
  endFrame(body + FRAG1_LEN + hdrLen + first);
  for (let off = covered + first; off < len; off += perFrag) {
    const n = len - off < perFrag ? len - off : perFrag;
    body = beginFrame(dstMode);
    wr16be(body, 0xe000 | <u32>len);
    wr16be(body + 2, tag);
    store<u8>(body, <u8>(off >> 3), 4);
    memory.copy(body + FRAGN_LEN, p + off, <usize>n);
    endFrame(body + FRAGN_LEN + n);
  }
  return frames;
}
