// Receiving an IPv6 packet as a host (RFC 8200): header checks, extension
// headers in order with the option action bits (§4.2), routing header type 0
// per RFC 5095, atomic fragments (RFC 6946), then ICMPv6 or UDP. A host never
// forwards: a packet for another address is dropped.
import { Reason } from '../../abi/reason';
import { fail, rd16be } from '../mem';
import { isOurUnicast, inGroup, findAddress } from './iface';
import { icmpInput, sendParameterProblem } from './icmp';
import { udpInput } from './udp';

/** Facts about the packet being processed: sent as link-layer broadcast (for
 *  RFC 4443 §2.4 e), and sent to one of our tentative addresses, which only
 *  Neighbor Discovery may use (RFC 4862 §5.4.3). */
export let linkBroadcast: bool = false;
export let toTentative: bool = false;

export function ipv6Input(p: usize, len: i32, broadcast: bool, now: u32): i32 {
  linkBroadcast = broadcast;
  if (len < 40 || (load<u8>(p) >> 4) != 6) return fail(Reason.Ipv6BadVersion);
  if (<i32>rd16be(p + 4) + 40 > len) return fail(Reason.Ipv6LengthMismatch);
  len = <i32>rd16be(p + 4) + 40;
  if (load<u8>(p, 8) == 0xff) return fail(Reason.Ipv6SourceMulticast);
  const dst = p + 24;
  toTentative = !isOurUnicast(dst) && findAddress(dst) != 0;
  if (!isOurUnicast(dst) && !inGroup(dst) && !toTentative) return fail(Reason.Ipv6NotForUs);
  let nh = <u32>load<u8>(p, 6);
  let nhAt = 6; // offset of the Next Header field that names the current header
  let off = 40;
  for (let hops = 0; hops < 8; hops++) {
    if (nh == 17) return udpInput(p, off, len, now);
    if (nh == 58) return icmpInput(p, off, len, now);
    if (nh == 59) return 0; // No Next Header (RFC 8200 §4.7)
    if (nh != 0 && nh != 43 && nh != 44 && nh != 60) {
      sendParameterProblem(p, len, 1, nhAt, now); // unrecognized Next Header
      return fail(Reason.Ipv6UnknownNextHeader);
    }
    if (nh == 0 && off != 40) {
      sendParameterProblem(p, len, 1, nhAt, now); // RFC 8200 §4.1: hop-by-hop only first
      return fail(Reason.Ipv6HopByHopNotFirst);
    }
    if (off + 8 > len) return fail(Reason.Ipv6ExtHeaderTruncated);
    const hl = nh == 44 ? 8 : (<i32>load<u8>(p + off, 1) + 1) << 3;
    if (off + hl > len) return fail(Reason.Ipv6ExtHeaderTruncated);
    const r = extension(p, len, nh, off, hl, now);
    if (r != 0) return fail(r);
    nhAt = off;
    nh = <u32>load<u8>(p + off);
    off += hl;
  }
  return fail(Reason.Ipv6ExtHeaderTruncated);
}

/** Processes one extension header; returns 0 to go on or a Reason to drop. */
function extension(p: usize, len: i32, nh: u32, off: i32, hl: i32, now: u32): i32 {
  if (nh == 0 || nh == 60) return options(p, len, off, hl, now);
  if (nh == 43) {
    // RFC 5095 §3: type 0 is treated as unrecognized; so is every type a host
    // does not implement (RFC 8200 §4.4): with segments left, Parameter Problem
    // code 0 pointing at the type; without, ignore the header.
    if (load<u8>(p + off, 3) != 0) {
      sendParameterProblem(p, len, 0, off + 2, now);
      return Reason.Ipv6RoutingHeader;
    }
    return 0;
  }
  // Fragment header: only an atomic fragment (offset 0, M=0) is whole (RFC 6946).
  if ((rd16be(p + off + 2) & 0xfff9) != 0) return Reason.Ipv6FragmentUnsupported;
  return 0;
}

/** Hop-by-hop and destination options (RFC 8200 §4.2): unknown options by their
 *  two high-order bits: skip, discard, discard and Parameter Problem code 2,
 *  or that unless the destination was multicast. */
function options(p: usize, len: i32, off: i32, hl: i32, now: u32): i32 {
  let o = off + 2;
  const end = off + hl;
  while (o < end) {
    const t = <u32>load<u8>(p + o);
    if (t == 0) {
      o++;
      continue;
    }
    if (o + 2 > end) return Reason.Ipv6ExtHeaderTruncated;
    const n = 2 + <i32>load<u8>(p + o, 1);
    if (o + n > end) return Reason.Ipv6ExtHeaderTruncated;
    if (t != 1) {
      const action = t >> 6;
      if (action == 1) return Reason.Ipv6OptionDiscard;
      if (action == 2 || (action == 3 && load<u8>(p, 24) != 0xff)) {
        sendParameterProblem(p, len, 2, o, now);
        return Reason.Ipv6OptionDiscard;
      }
      if (action == 3) return Reason.Ipv6OptionDiscard;
    }
    o += n;
  }
  return 0;
}
