// IEEE 802.15.4 MAC frames: data and ACK frames of the 2003, 2006 and 2015
// versions, without security (IEEE 802.15.4-2015 §7.2).
//
//  octets: 2        0/1    0/2      0/2/8     0/2      0/2/8    var   var      2
//        +--------+------+--------+---------+--------+--------+-----+--------+-----+
//        | Frame  | Seq  | Dst    | Dst     | Src    | Src    | IEs | Payload| FCS |
//        | Control| num  | PAN ID | Address | PAN ID | Address|     |        |     |
//        +--------+------+--------+---------+--------+--------+-----+--------+-----+
//
// Frame Control (§7.2.2), little-endian:
//   bits 0-2 frame type | 3 security | 4 frame pending | 5 AR | 6 PAN ID compression
//   7 reserved | 8 seq number suppression | 9 IE present | 10-11 dst addr mode
//   12-13 frame version | 14-15 src addr mode
import { AddrMode, FrameType, FrameVersion, Info, MacFlag, Tx, TxFlag } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { INFO, copyReversed, rd16le, wr16le } from '../mem';
import { crc16Kermit } from './crc16';

const FCS_LEN: i32 = 2;

@inline function addrLen(mode: u32): i32 {
  return mode == AddrMode.Short ? 2 : mode == AddrMode.Extended ? 8 : 0;
}

/** Which PAN IDs are present, as bit 0 = destination, bit 1 = source. */
function panPresence(version: u32, dstMode: u32, srcMode: u32, panComp: bool): u32 {
  const dst = dstMode != AddrMode.None;
  const src = srcMode != AddrMode.None;
  if (version < <u32>FrameVersion.V2015) {
    // 2003/2006 §7.2.1.5: the source PAN is elided when both addresses are
    // present and PAN ID compression is set.
    return (dst ? 1 : 0) | (src && !(dst && panComp) ? 2 : 0);
  }
  // 2015 Table 7-2.
  if (!dst && !src) return panComp ? 1 : 0;
  if (dst && !src) return panComp ? 0 : 1;
  if (!dst && src) return panComp ? 0 : 2;
  if (dstMode == AddrMode.Extended && srcMode == AddrMode.Extended) return panComp ? 0 : 1;
  return panComp ? 1 : 3;
}

/** Skips header IEs and, after an HT1 termination, payload IEs (§7.4). Returns the
 *  payload offset or a negative Reason. */
function skipIes(p: usize, off: i32, end: i32): i32 {
  while (off + 2 <= end) {
    const d = rd16le(p + off);
    if (d & 0x8000) return -Reason.HeaderIeMalformed; // a payload IE before HT1
    const len = <i32>(d & 0x7f);
    const id = (d >> 7) & 0xff;
    off += 2;
    if (off + len > end) return -Reason.HeaderIeMalformed;
    off += len;
    if (id == 0x7f) return off; // HT2: the payload follows
    if (id == 0x7e) return skipPayloadIes(p, off, end); // HT1: payload IEs follow
  }
  // No termination IE: the IEs run to the end and there is no payload (§7.4.1).
  return off == end ? off : -Reason.HeaderIeMalformed;
}

function skipPayloadIes(p: usize, off: i32, end: i32): i32 {
  while (off + 2 <= end) {
    const d = rd16le(p + off);
    if (!(d & 0x8000)) return -Reason.HeaderIeMalformed;
    const len = <i32>(d & 0x7ff);
    const group = (d >> 11) & 0xf;
    off += 2;
    if (off + len > end) return -Reason.HeaderIeMalformed;
    off += len;
    if (group == 0xf) return off; // payload termination IE
  }
  return off == end ? off : -Reason.HeaderIeMalformed;
}

/** Parses the MAC header of the PSDU at p (FCS included) into INFO. Returns a
 *  Reason; on Ok, INFO holds the header and payload lengths. */
export function parseMac(p: usize, len: i32): i32 {
  memory.fill(INFO, 0, Info.LowpanFlags);
  if (len < 2 + FCS_LEN) return Reason.FrameTooShort;
  if (len > 127) return Reason.FrameTooLong;
  const fcf = rd16le(p);
  const version = (fcf >> 12) & 3;
  const dstMode = (fcf >> 10) & 3;
  const srcMode = (fcf >> 14) & 3;
  let flags: u32 = ((fcf >> 3) & 1) * MacFlag.Security
    | ((fcf >> 4) & 1) * MacFlag.FramePending
    | ((fcf >> 5) & 1) * MacFlag.AckRequest
    | ((fcf >> 6) & 1) * MacFlag.PanIdCompression;
  const seqSuppressed = version == FrameVersion.V2015 && (fcf & 0x100) != 0;
  const iePresent = version == FrameVersion.V2015 && (fcf & 0x200) != 0;
  if (seqSuppressed) flags |= MacFlag.SeqSuppressed;
  if (iePresent) flags |= MacFlag.IePresent;
  const end = len - FCS_LEN;
  const fcs = rd16le(p + end);
  if (crc16Kermit(p, end) == fcs) flags |= MacFlag.FcsOk;
  store<u8>(INFO, <u8>(fcf & 7), Info.FrameType);
  store<u8>(INFO, <u8>version, Info.FrameVersion);
  store<u8>(INFO, <u8>dstMode, Info.DstMode);
  store<u8>(INFO, <u8>srcMode, Info.SrcMode);
  store<u16>(INFO, <u16>fcs, Info.Fcs);
  store<u16>(INFO, <u16>flags, Info.MacFlags);
  if (version == 3) return Reason.FrameVersionReserved;
  if ((fcf & 7) > <u32>FrameType.Command) return Reason.FrameTypeUnsupported;
  if (flags & MacFlag.Security) return Reason.SecurityUnsupported;
  if (dstMode == 1 || srcMode == 1) return Reason.AddrModeReserved;

  let off: i32 = 2;
  if (!seqSuppressed) {
    if (off + 1 > end) return Reason.MacHeaderTruncated;
    store<u8>(INFO, load<u8>(p + off), Info.Seq);
    off += 1;
  }
  const pans = panPresence(version, dstMode, srcMode, (flags & MacFlag.PanIdCompression) != 0);
  const need = ((pans & 1) ? 2 : 0) + addrLen(dstMode) + ((pans & 2) ? 2 : 0) + addrLen(srcMode);
  if (off + need > end) return Reason.MacHeaderTruncated;
  if (pans & 1) {
    store<u16>(INFO, <u16>rd16le(p + off), Info.DstPan);
    off += 2;
    flags |= MacFlag.DstPanPresent;
  }
  copyReversed(INFO + Info.DstAddr, p + off, addrLen(dstMode));
  off += addrLen(dstMode);
  if (pans & 2) {
    store<u16>(INFO, <u16>rd16le(p + off), Info.SrcPan);
    off += 2;
    flags |= MacFlag.SrcPanPresent;
  }
  copyReversed(INFO + Info.SrcAddr, p + off, addrLen(srcMode));
  off += addrLen(srcMode);
  store<u16>(INFO, <u16>flags, Info.MacFlags);
  if (iePresent) {
    off = skipIes(p, off, end);
    if (off < 0) return -off;
  }
  store<u8>(INFO, <u8>off, Info.MacHeaderLen);
  store<u8>(INFO, <u8>(end - off), Info.MacPayloadLen);
  return Reason.Ok;
}

/** Length of the header emitMac() writes for the current TX parameters. */
export function macHeaderLen(tx: usize, dstMode: u32): i32 {
  const version = <u32>load<u8>(tx, Tx.FrameVersion);
  const srcMode = <u32>load<u8>(tx, Tx.SrcMode);
  const pans = panPresence(version, dstMode, srcMode, compressPan(version, dstMode, srcMode));
  return 3 + ((pans & 1) ? 2 : 0) + addrLen(dstMode) + ((pans & 2) ? 2 : 0) + addrLen(srcMode);
}

/** Intra-PAN frames: set PAN ID compression whenever it removes a PAN ID. */
function compressPan(version: u32, dstMode: u32, srcMode: u32): bool {
  if (dstMode == AddrMode.None || srcMode == AddrMode.None) return false;
  return !(version == FrameVersion.V2015 && dstMode == AddrMode.Extended && srcMode == AddrMode.Extended);
}

/** Writes a data frame header from the TX parameters at tx into out; returns its length. */
export function emitMac(out: usize, tx: usize, dstMode: u32, seq: u32): i32 {
  const version = <u32>load<u8>(tx, Tx.FrameVersion);
  const srcMode = <u32>load<u8>(tx, Tx.SrcMode);
  const panComp = compressPan(version, dstMode, srcMode);
  const broadcast = dstMode == AddrMode.Short && load<u16>(tx, Tx.DstAddr) == 0xffff;
  const ack = (load<u8>(tx, Tx.Flags) & TxFlag.AckRequest) != 0 && !broadcast && dstMode != AddrMode.None;
  const fcf: u32 = FrameType.Data | (ack ? 0x20 : 0) | (panComp ? 0x40 : 0)
    | (dstMode << 10) | (version << 12) | (srcMode << 14);
  wr16le(out, fcf);
  store<u8>(out, <u8>seq, 2);
  let off: i32 = 3;
  const pans = panPresence(version, dstMode, srcMode, panComp);
  const pan = <u32>load<u16>(tx, Tx.Pan);
  if (pans & 1) {
    wr16le(out + off, pan);
    off += 2;
  }
  copyReversed(out + off, tx + Tx.DstAddr, addrLen(dstMode));
  off += addrLen(dstMode);
  if (pans & 2) {
    wr16le(out + off, pan);
    off += 2;
  }
  copyReversed(out + off, tx + Tx.SrcAddr, addrLen(srcMode));
  return off + addrLen(srcMode);
}

/** Appends the FCS to the frame of length len at p; returns the new length. */
export function appendFcs(p: usize, len: i32): i32 {
  wr16le(p + len, crc16Kermit(p, len));
  return len + FCS_LEN;
}
