// IPv6 Neighbor Discovery (RFC 4861 §4) with the 6LoWPAN-ND options (RFC 6775
// §4, RFC 8505 §4.1): validation of what a host receives, an option index,
// field accessors and the messages a host sends. `icmp` always points at the
// ICMPv6 Type octet; an option pointer `p` at the option's Type octet.
//
// Fixed parts (RFC 4861 §4.1-§4.5), offsets from Type:
//   RS  133: 4 Reserved(4)                                           options at 8
//   RA  134: 4 Cur Hop Limit, 5 M|O|..., 6 Router Lifetime(2),
//            8 Reachable Time(4), 12 Retrans Timer(4)                options at 16
//   NS  135: 4 Reserved(4), 8 Target(16)                             options at 24
//   NA  136: 4 R|S|O|Reserved(4), 8 Target(16)                       options at 24
//   Redirect 137: 4 Reserved(4), 8 Target(16), 24 Destination(16)    options at 40
// Options (RFC 4861 §4.6): 0 Type, 1 Length in units of 8 octets (never 0).
import { AddrClass, AddrMode } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { memEqual, rd16be, wr16be } from '../mem';
import { addrClass } from './ipv6-address';

export const ND_RS: u32 = 133;
export const ND_RA: u32 = 134;
export const ND_NS: u32 = 135;
export const ND_NA: u32 = 136;
export const ND_REDIRECT: u32 = 137;

export const OPT_SLLAO: u32 = 1;
export const OPT_TLLAO: u32 = 2;
export const OPT_PIO: u32 = 3;
export const OPT_REDIRECTED: u32 = 4;
export const OPT_MTU: u32 = 5;
export const OPT_ARO: u32 = 33; // ARO (RFC 6775 §4.1) and EARO (RFC 8505 §4.1)
export const OPT_6CO: u32 = 34;
export const OPT_ABRO: u32 = 35;
export const OPT_6CIO: u32 = 36; // RFC 7400 §3.3, flags added by RFC 8505 §4.3

/** NA flags as in the octet at offset 4 (RFC 4861 §4.4). */
export const NA_R: u32 = 0x80;
export const NA_S: u32 = 0x40;
export const NA_O: u32 = 0x20;
/** EARO flags octet (RFC 8505 §4.1): Rsvd(4) I(2) R T. */
export const EARO_R: u32 = 2;
export const EARO_T: u32 = 1;
/** 6CIO flags as the 16 bits of octets 2-3 (RFC 8505 §4.3, Figure 3:
 *  Reserved(10) D L B P E G): E, the sender supports registration with the EARO. */
export const CIO_E: u32 = 0x0002;

const TYPES: u32 = 37; // first-occurrence slots for option types 0..36
/** PIOs kept per message: more than the node has address slots (ADDRESSES, 3 from
 *  prefixes) and on-link prefix slots (ONLINK_PREFIXES), so that a PIO refreshing an
 *  address it has is not cut off by others before it. */
const PIO_LIST: i32 = 16;
/** 6COs kept per message: all 16 context IDs. An RA may carry up to 16 6COs and each
 *  one adds or updates its context (RFC 6775 §4.2, §5.4.2). */
const CTX_LIST: i32 = 16;
const INDEX_SIZE: i32 = (TYPES + PIO_LIST + CTX_LIST) * 4;
// [TYPES] first option of each type, [PIO_LIST] PIOs, [CTX_LIST] 6COs: u32 pointers.
const INDEX: usize = memory.data(INDEX_SIZE, 4);
const PIOS: usize = INDEX + TYPES * 4;
const CTXS: usize = PIOS + PIO_LIST * 4;
let pios: i32 = 0;
let ctxs: i32 = 0;

function rd32be(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

/** Offset of the options for an ND type, 0 for other types. */
export function ndFixedLen(type: u32): i32 {
  if (type == ND_RS) return 8;
  if (type == ND_RA) return 16;
  if (type == ND_NS || type == ND_NA) return 24;
  return type == ND_REDIRECT ? 40 : 0;
}

/** Indexes the options after the fixed part; 0, or NdOptionLength for an option
 *  of length 0 or one that runs past `len` (RFC 4861 §4.6). */
export function indexOptions(icmp: usize, len: i32, fixedLen: i32): i32 {
  return walk(icmp, len, fixedLen, 0);
}

// With `msg` set, also checks the options RFC 4861/6775/8505 define for that
// message; options not used with it are ignored (RFC 4861 §6.1.2, §7.1.x).
function walk(icmp: usize, len: i32, at: i32, msg: u32): i32 {
  memory.fill(INDEX, 0, INDEX_SIZE);
  pios = 0;
  ctxs = 0;
  while (at < len) {
    const p = icmp + <usize>at;
    if (len - at < 2) return Reason.NdOptionLength;
    const units = <u32>load<u8>(p, 1);
    const n = <i32>units << 3;
    if (n == 0 || n > len - at) return Reason.NdOptionLength;
    const t = <u32>load<u8>(p);
    if (t < TYPES) {
      const slot = INDEX + (t << 2);
      if (load<u32>(slot) == 0) store<u32>(slot, p);
      if (t == OPT_PIO && pios < PIO_LIST) store<u32>(PIOS + (<usize>(pios++) << 2), p);
      if (t == OPT_6CO && ctxs < CTX_LIST) store<u32>(CTXS + (<usize>(ctxs++) << 2), p);
    }
    if (!optionOk(msg, t, units, p)) return Reason.NdOptionInvalid;
    at += n;
  }
  return 0;
}

function optionOk(msg: u32, t: u32, units: u32, p: usize): bool {
  if (msg == ND_RA) {
    // RFC 4861 §4.6.2: Length 4, prefix length at most 128.
    if (t == OPT_PIO) return units == 4 && load<u8>(p, 2) <= 128;
    if (t == OPT_MTU) return units == 1; // §4.6.4
    if (t == OPT_ABRO) return units == 3; // RFC 6775 §4.3
    // RFC 6775 §4.2: Length 2 or 3; Context Length 0..128, above 64 needs 3.
    if (t == OPT_6CO) {
      const cl = <u32>load<u8>(p, 2);
      return (units == 2 || units == 3) && cl <= 128 && (cl <= 64 || units == 3);
    }
  } else if ((msg == ND_NS || msg == ND_NA) && t == OPT_ARO) {
    return units >= 2 && units <= 5; // RFC 8505 §5.1: ROVR of 64..256 bits
  }
  return true;
}

/** RFC 4291 §2.7.1: ff02::1:ffXX:XXXX. */
function solicitedNodeGroup(a: usize): bool {
  return load<u64>(a) == 0x02ff && load<u32>(a, 8) == 0x01000000 && load<u8>(a, 12) == 0xff;
}

/** 0 if the ND message at icmp (len octets, checksum already verified) in the
 *  packet whose IPv6 header is at ip6 is valid, else the Reason of the first
 *  failed check: RFC 4861 §6.1.1 (RS), §6.1.2 (RA), §7.1.1 (NS), §7.1.2 (NA),
 *  §8.1 (Redirect; the first-hop-router check needs state and is left to the
 *  caller), plus the option formats of RFC 4861 §4.6, RFC 6775 §4, RFC 8505
 *  §4.1. Fills the option index as indexOptions does. */
export function validateNd(ip6: usize, icmp: usize, len: i32): i32 {
  if (len < 4) return Reason.Icmpv6Truncated;
  const type = <u32>load<u8>(icmp);
  const fixed = ndFixedLen(type);
  if (fixed == 0) return Reason.Icmpv6UnknownType;
  if (load<u8>(ip6, 7) != 255) return Reason.NdHopLimit;
  if (load<u8>(icmp, 1) != 0) return Reason.NdCode;
  if (len < fixed) return Reason.NdLength;
  const src = ip6 + 8;
  const dst = ip6 + 24;
  const target = icmp + 8;
  if ((type == ND_RA || type == ND_REDIRECT) && addrClass(src) != AddrClass.LinkLocal) return Reason.NdRouterSource;
  if (type == ND_NS || type == ND_NA) {
    if (addrClass(target) == AddrClass.Multicast) return Reason.NdTargetMulticast;
    if (type == ND_NA && (load<u8>(icmp, 4) & NA_S) && addrClass(dst) == AddrClass.Multicast) {
      return Reason.NdSolicitedMulticast;
    }
  }
  if (type == ND_REDIRECT) {
    const d = icmp + 24;
    if (addrClass(d) == AddrClass.Multicast) return Reason.NdRedirectInvalid;
    if (addrClass(target) != AddrClass.LinkLocal && !memEqual(target, d, 16)) return Reason.NdRedirectInvalid;
  }
  const r = walk(icmp, len, fixed, type);
  if (r != 0) return r;
  if ((type == ND_RS || type == ND_NS) && addrClass(src) == AddrClass.Unspecified) {
    if (optFind(OPT_SLLAO) != 0) return Reason.NdUnspecifiedSource;
    if (type == ND_NS && !solicitedNodeGroup(dst)) return Reason.NdUnspecifiedSource;
  }
  return 0;
}

// ---- the option index ----

/** The first option of `type` found by the last indexOptions/validateNd, or 0. */
export function optFind(type: u32): usize {
  return type < TYPES ? <usize>load<u32>(INDEX + (type << 2)) : 0;
}

/** Length in octets of that option, 0 when absent. */
export function optLen(type: u32): i32 {
  const p = optFind(type);
  return p ? <i32>load<u8>(p, 1) << 3 : 0;
}

export function pioCount(): i32 {
  return pios;
}

export function pioAt(i: i32): usize {
  return i >= 0 && i < pios ? <usize>load<u32>(PIOS + (<usize>i << 2)) : 0;
}

export function ctxOptCount(): i32 {
  return ctxs;
}

export function ctxOptAt(i: i32): usize {
  return i >= 0 && i < ctxs ? <usize>load<u32>(CTXS + (<usize>i << 2)) : 0;
}

// ---- message fields ----

export function raCurHopLimit(icmp: usize): u32 {
  return load<u8>(icmp, 4);
}

/** M (0x80) and O (0x40) and the rest of RA octet 5. */
export function raFlags(icmp: usize): u32 {
  return load<u8>(icmp, 5);
}

export function raRouterLifetime(icmp: usize): u32 {
  return rd16be(icmp + 6);
}

export function raReachable(icmp: usize): u32 {
  return rd32be(icmp + 8);
}

export function raRetrans(icmp: usize): u32 {
  return rd32be(icmp + 12);
}

/** NA_R | NA_S | NA_O. */
export function naFlags(icmp: usize): u32 {
  return load<u8>(icmp, 4) & 0xe0;
}

/** Target of an NS, NA or Redirect. */
export function nsTarget(icmp: usize): usize {
  return icmp + 8;
}

export function redirectDestination(icmp: usize): usize {
  return icmp + 24;
}

// ---- option fields ----

/** Link-layer address option (RFC 4944 §8): Length 1 = short address, 2 =
 *  EUI-64, anything else = not an IEEE 802.15.4 address (AddrMode.None). */
export function llMode(p: usize): u32 {
  const units = load<u8>(p, 1);
  return units == 1 ? AddrMode.Short : units == 2 ? AddrMode.Extended : AddrMode.None;
}

/** The address octets, as written (canonical order), 2 or 8 of them. */
export function llAddr(p: usize): usize {
  return p + 2;
}

// Prefix Information (RFC 4861 §4.6.2): 2 Prefix Length, 3 L|A|..., 4 Valid
// Lifetime(4), 8 Preferred Lifetime(4), 12 Reserved2(4), 16 Prefix(16).
export function pioPrefixLen(p: usize): u32 {
  return load<u8>(p, 2);
}

export function pioFlagL(p: usize): bool {
  return (load<u8>(p, 3) & 0x80) != 0;
}

export function pioFlagA(p: usize): bool {
  return (load<u8>(p, 3) & 0x40) != 0;
}

export function pioValid(p: usize): u32 {
  return rd32be(p + 4);
}

export function pioPreferred(p: usize): u32 {
  return rd32be(p + 8);
}

export function pioPrefix(p: usize): usize {
  return p + 16;
}

/** MTU option (RFC 4861 §4.6.4): 2 Reserved(2), 4 MTU(4). */
export function mtuValue(p: usize): u32 {
  return rd32be(p + 4);
}

/** Redirected Header (RFC 4861 §4.6.3): 2 Reserved(6), 8 IP header + data. */
export function redirectedPacket(p: usize): usize {
  return p + 8;
}

export function redirectedLen(p: usize): i32 {
  return (<i32>load<u8>(p, 1) << 3) - 8;
}

// (E)ARO (RFC 6775 §4.1, RFC 8505 §4.1): 2 Status, 3 Opaque, 4 Rsvd|I|R|T,
// 5 TID, 6 Registration Lifetime(2, minutes), 8 EUI-64 / ROVR (Length-1 units).
export function aroStatus(p: usize): u32 {
  return load<u8>(p, 2);
}

export function earoOpaque(p: usize): u32 {
  return load<u8>(p, 3);
}

/** The flags octet: EARO_T, EARO_R, I in bits 2-3. */
export function earoFlags(p: usize): u32 {
  return load<u8>(p, 4);
}

export function earoTid(p: usize): u32 {
  return load<u8>(p, 5);
}

export function aroLifetime(p: usize): u32 {
  return rd16be(p + 6);
}

export function aroRovr(p: usize): usize {
  return p + 8;
}

export function aroRovrLen(p: usize): i32 {
  return (<i32>load<u8>(p, 1) << 3) - 8;
}

// 6CO (RFC 6775 §4.2): 2 Context Length, 3 Res|C|CID, 4 Reserved(2),
// 6 Valid Lifetime(2, minutes), 8 Context Prefix.
export function ctxOptLen(p: usize): u32 {
  return load<u8>(p, 2);
}

export function ctxOptC(p: usize): bool {
  return (load<u8>(p, 3) & 0x10) != 0;
}

export function ctxOptCid(p: usize): u32 {
  return load<u8>(p, 3) & 0xf;
}

export function ctxOptLifetime(p: usize): u32 {
  return rd16be(p + 6);
}

/** The Context Prefix: 8 octets (Length 2) or 16 (Length 3); bits past the
 *  Context Length are not part of the context. */
export function ctxOptPrefix(p: usize): usize {
  return p + 8;
}

// ABRO (RFC 6775 §4.3): 2 Version Low(2), 4 Version High(2), 6 Valid
// Lifetime(2, minutes), 8 6LBR Address(16).
export function abroVersion(p: usize): u32 {
  return rd16be(p + 2) | (rd16be(p + 4) << 16);
}

export function abroLifetime(p: usize): u32 {
  return rd16be(p + 6);
}

export function abroAddress(p: usize): usize {
  return p + 8;
}

// 6CIO (RFC 7400 §3.3, RFC 8505 §4.3): 2 flags(2) ..D L B P E G, 4 Reserved(4).
// Length 1; no length is refused (a longer one may carry flags a later
// document defines): its first flags are read, unknown bits ignored.
export function cioFlags(p: usize): u32 {
  return rd16be(p + 2);
}

// ---- emitters: complete messages, checksum 0, length returned ----

// Link-layer address option for IEEE 802.15.4 (RFC 4944 §8): short address in
// 8 octets (Length 1), EUI-64 in 16 (Length 2), padding zero; nothing for
// any other mode.
function emitLl(out: usize, type: u32, mode: u32, addr: usize): i32 {
  const n: i32 = mode == AddrMode.Short ? 8 : mode == AddrMode.Extended ? 16 : 0;
  if (n == 0) return 0;
  memory.fill(out, 0, n);
  store<u8>(out, <u8>type);
  store<u8>(out, <u8>(n >> 3), 1);
  memory.copy(out + 2, addr, n == 8 ? 2 : 8);
  return n;
}

// (E)ARO with a 64-bit EUI-64/ROVR: Length 2 (RFC 6775 §4.1, RFC 8505 §4.1).
function emitAro(out: usize, status: u32, lifetime: u32, flags: u32, tid: u32, rovr: usize): i32 {
  store<u8>(out, <u8>OPT_ARO);
  store<u8>(out, 2, 1);
  store<u8>(out, <u8>status, 2);
  store<u8>(out, 0, 3);
  store<u8>(out, <u8>flags, 4);
  store<u8>(out, <u8>tid, 5);
  wr16be(out + 6, lifetime);
  memory.copy(out + 8, rovr, 8);
  return 16;
}

function start(out: usize, type: u32, target: usize): void {
  memory.fill(out, 0, 8);
  store<u8>(out, <u8>type);
  if (target) memory.copy(out + 8, target, 16);
}

/** Router Solicitation with an SLLAO unless sllaoMode is AddrMode.None, then
 *  a 6CIO with these flags unless they are 0 (RFC 8505 §6.1). */
export function emitRs(out: usize, sllaoMode: u32, sllao: usize, capabilities: u32): i32 {
  start(out, ND_RS, 0);
  let n = 8 + emitLl(out + 8, OPT_SLLAO, sllaoMode, sllao);
  if (capabilities != 0) {
    const o = out + n;
    store<u64>(o, 0);
    store<u8>(o, <u8>OPT_6CIO);
    store<u8>(o, 1, 1);
    wr16be(o + 2, capabilities);
    n += 8;
  }
  return n;
}

/** Neighbor Solicitation; with `aro` an ARO (Status, Lifetime in minutes,
 *  EUI-64 = rovr), made an EARO by `earo`: T set with the TID, and R, which a
 *  host MUST set (RFC 8505 §5.1). */
export function emitNs(
  out: usize, target: usize, sllaoMode: u32, sllao: usize,
  aro: bool, aroStatus: u32, aroLifetimeMin: u32, earo: bool, tid: u32, rovr: usize,
): i32 {
  start(out, ND_NS, target);
  let n = 24 + emitLl(out + 24, OPT_SLLAO, sllaoMode, sllao);
  if (aro) n += emitAro(out + n, aroStatus, aroLifetimeMin, earo ? EARO_R | EARO_T : 0, earo ? tid : 0, rovr);
  return n;
}

/** Neighbor Advertisement with flags NA_R | NA_S | NA_O, a TLLAO unless
 *  tllaoMode is None, and an (E)ARO as in emitNs (EARO: T only). */
export function emitNa(
  out: usize, flags: u32, target: usize, tllaoMode: u32, tllao: usize,
  aro: bool, status: u32, lifetime: u32, earo: bool, tid: u32, rovr: usize,
): i32 {
  start(out, ND_NA, target);
  store<u8>(out, <u8>(flags & 0xe0), 4);
  let n = 24 + emitLl(out + 24, OPT_TLLAO, tllaoMode, tllao);
  if (aro) n += emitAro(out + n, status, lifetime, earo ? EARO_T : 0, earo ? tid : 0, rovr);
  return n;
}
