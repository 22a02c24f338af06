// ICMPv6 (RFC 4443): Echo Reply to unicast and multicast requests, error
// messages under the rules of §2.4, rate-limited by a token bucket (§2.4 f).
import { NodeConfig, NodeStatus } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { fail, rd16be, wr16be } from '../mem';
import { upperLayerChecksum } from '../wire/checksum';
import { CONFIG, isOurUnicast, selectSource } from './iface';
import { linkBroadcast, toTentative } from './ipv6-in';
import { TXPKT } from './buffers';
import { sendPacket, writeHeader } from './ipv6-out';
import { ndInput } from './nd';
import { STATUS, curHopLimit } from './routers';

export const ECHO_REQUEST: u32 = 128;
export const ECHO_REPLY: u32 = 129;
const MIN_MTU: i32 = 1280;

let tokens: u32 = 0;
let lastRefill: u32 = 0;

// Echo Replies the node received (for the host's ping command): count, last id/seq and time.
export let echoRepliesSeen: u32 = 0;
export let lastEchoReply: u32 = 0;

export function icmpReset(now: u32): void {
  tokens = burst();
  lastRefill = now;
  echoRepliesSeen = 0;
}

function burst(): u32 {
  const b = <u32>load<u8>(CONFIG, NodeConfig.IcmpBurst);
  return b == 0 ? 10 : b;
}

function interval(): u32 {
  const i = <u32>load<u16>(CONFIG, NodeConfig.IcmpIntervalMs);
  return i == 0 ? 100 : i;
}

/** Token bucket: one token per interval, at most `burst` saved up. */
function takeToken(now: u32): bool {
  const gained = (now - lastRefill) / interval();
  if (gained > 0) {
    tokens = tokens + gained > burst() ? burst() : tokens + gained;
    lastRefill += gained * interval();
  }
  store<u8>(STATUS, <u8>tokens, NodeStatus.IcmpTokens);
  if (tokens == 0) return false;
  tokens--;
  return true;
}

export function icmpInput(p: usize, off: i32, len: i32, now: u32): i32 {
  const m = p + off;
  const n = len - off;
  if (n < 4) return fail(Reason.Icmpv6Truncated);
  if (upperLayerChecksum(p, 58, m, n, 2) != rd16be(m + 2)) return fail(Reason.Icmpv6Checksum);
  const type = <u32>load<u8>(m);
  if (type >= 133 && type <= 137) return ndInput(p, m, n, now);
  if (toTentative) return fail(Reason.Ipv6NotForUs); // RFC 4862 §5.4.3
  if (type == ECHO_REQUEST) return echoReply(p, m, n, now);
  if (type == ECHO_REPLY) {
    echoRepliesSeen++;
    lastEchoReply = n >= 8 ? (rd16be(m + 4) << 16) | rd16be(m + 6) : 0;
    return 0;
  }
  if (type < 128) return 0; // errors are for upper layers; none here needs them
  return fail(Reason.Icmpv6UnknownType); // §2.4 b: unknown informational: discard
}

/** §4.2: same identifier, sequence and data; from the address the request was sent to. */
function echoReply(p: usize, m: usize, n: i32, now: u32): i32 {
  if (n < 8) return fail(Reason.Icmpv6Truncated);
  if (load<u8>(p, 8) == 0 && load<u64>(p + 8) == 0 && load<u64>(p + 16) == 0) return fail(Reason.Icmpv6ErrorSuppressed);
  let src = p + 24;
  if (!isOurUnicast(src)) {
    src = selectSource(p + 8);
    if (src == 0) return fail(Reason.NotReady);
  }
  memory.copy(TXPKT + 44, m + 4, <usize>(n - 4)); // identifier, sequence, data
  writeHeader(TXPKT, src, p + 8, 58, curHopLimit(), n);
  const r = TXPKT + 40;
  store<u32>(r, ECHO_REPLY);
  wr16be(r + 2, upperLayerChecksum(TXPKT, 58, r, n, 2));
  return sendPacket(TXPKT, 40 + n, now);
}

/** The upper-layer protocol of the packet at p, past its extension headers. */
function upperLayer(p: usize, len: i32): i32 {
  let nh = <u32>load<u8>(p, 6);
  let off = 40;
  while ((nh == 0 || nh == 43 || nh == 60 || nh == 44) && off + 8 <= len) {
    const next = <u32>load<u8>(p + off);
    off += nh == 44 ? 8 : (<i32>load<u8>(p + off, 1) + 1) << 3;
    nh = next;
  }
  return off + 1 <= len ? <i32>((nh << 16) | <u32>load<u8>(p + off)) : <i32>(nh << 16);
}

/** §2.4 (e): whether an error about the packet at p may be sent at all. */
function errorAllowed(p: usize, len: i32, type: u32, code: u32): bool {
  if (toTentative) return false; // RFC 4862 §5.4: silently discarded
  const upper = upperLayer(p, len);
  if ((upper >> 16) == 58) {
    const t = upper & 0xff;
    if (t < 128 || t == 137) return false; // (e.1) an ICMPv6 error or a Redirect
  }
  // Packet Too Big, and Parameter Problem code 2 for an option of type 10xxxxxx only.
  const excepted = type == 2 || (type == 4 && code == 2 && optionAction10);
  if (!excepted && (load<u8>(p, 24) == 0xff || linkBroadcast)) return false; // (e.2-e.4)
  const src = p + 8;
  if (load<u8>(src) == 0xff) return false; // (e.5) multicast source
  if (load<u64>(src) == 0 && load<u64>(src + 8) == 0) return false; // (e.5) unspecified source
  return true;
}

/** Sends an ICMPv6 error about the invoking packet at p: as much of it as fits
 *  in the minimum MTU (§2.4 c). Returns 0 or a negative Reason. */
export function sendError(type: u32, code: u32, param: u32, p: usize, len: i32, now: u32): i32 {
  if (!errorAllowed(p, len, type, code)) return fail(Reason.Icmpv6ErrorSuppressed);
  if (!takeToken(now)) return fail(Reason.Icmpv6RateLimited);
  let src = p + 24;
  if (!isOurUnicast(src)) {
    src = selectSource(p + 8);
    if (src == 0) return fail(Reason.NotReady);
  }
  const quoted = len < MIN_MTU - 48 ? len : MIN_MTU - 48;
  memory.copy(TXPKT + 48, p, <usize>quoted);
  writeHeader(TXPKT, src, p + 8, 58, curHopLimit(), 8 + quoted);
  const m = TXPKT + 40;
  store<u8>(m, <u8>type);
  store<u8>(m, <u8>code, 1);
  wr16be(m + 2, 0);
  wr16be(m + 4, param >> 16);
  wr16be(m + 6, param & 0xffff);
  wr16be(m + 2, upperLayerChecksum(TXPKT, 58, m, 8 + quoted, 2));
  return sendPacket(TXPKT, 48 + quoted, now);
}

/** Set while reporting an unrecognized option whose type has high bits 10 (§2.4 e.3). */
let optionAction10: bool = false;

/** Parameter Problem (§3.4) with a pointer to the offending octet. */
export function sendParameterProblem(p: usize, len: i32, code: u32, pointer: i32, now: u32): void {
  optionAction10 = code == 2 && (load<u8>(p + pointer) >> 6) == 2;
  sendError(4, code, <u32>pointer, p, len, now);
  optionAction10 = false;
}

/** Destination Unreachable (§3.1), e.g. code 4 port unreachable, 3 address unreachable. */
export function sendUnreachable(p: usize, len: i32, code: u32, now: u32): void {
  sendError(1, code, 0, p, len, now);
}

/** Echo Request from the host's application (e.g. a board's "ping" command). */
export function sendEchoRequest(dst: usize, id: u32, seq: u32, dataLen: i32, now: u32): i32 {
  if (dataLen < 0 || dataLen > MIN_MTU - 48) return fail(Reason.PacketTooLarge);
  const src = selectSource(dst);
  if (src == 0) return fail(Reason.NotReady);
  const m = TXPKT + 40;
  for (let i = 0; i < dataLen; i++) store<u8>(m + 8 + i, <u8>i);
  writeHeader(TXPKT, src, dst, 58, curHopLimit(), 8 + dataLen);
  store<u32>(m, ECHO_REQUEST);
  wr16be(m + 4, id);
  wr16be(m + 6, seq);
  wr16be(m + 2, upperLayerChecksum(TXPKT, 58, m, 8 + dataLen, 2));
  return sendPacket(TXPKT, 48 + dataLen, now);
}
