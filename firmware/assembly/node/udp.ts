// UDP for the node (RFC 768, RFC 8200 §8.1): sockets bound by the host's
// application, a receive queue it drains, CoAP on port 5683 inside the core,
// and Port Unreachable (RFC 4443 §3.1 code 4) for closed ports.
import { Capacity, UdpMeta } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { fail, rd16be, wr16be } from '../mem';
import { udpChecksum } from '../wire/nhc-udp';
import { selectSource } from './iface';
import { toTentative } from './ipv6-in';
import { TXPKT } from './buffers';
import { sendPacket, writeHeader } from './ipv6-out';
import { curHopLimit } from './routers';
import { sendUnreachable } from './icmp';
import { UDP_QUEUE, UDP_QUEUE_BYTES, UDP_SOCKETS } from './limits';
import { COAP_PORT, coapInput } from './coap-server';

const PORTS: usize = memory.data(UDP_SOCKETS * 2, 2);
// Queue entries: [len u16][pad 2][meta UdpMeta.Size][data UDP_QUEUE_BYTES].
const ENTRY: i32 = 4 + UdpMeta.Size + UDP_QUEUE_BYTES;
const QUEUE: usize = memory.data(UDP_QUEUE * ENTRY, 8);
let qHead: i32 = 0;
let qCount: i32 = 0;

export function udpReset(): void {
  memory.fill(PORTS, 0, UDP_SOCKETS * 2);
  qHead = 0;
  qCount = 0;
}

export function udpBind(port: u32): i32 {
  if (port == 0 || port == COAP_PORT) return -Reason.ConfigInvalid;
  let free = -1;
  for (let i = 0; i < UDP_SOCKETS; i++) {
    const p = <u32>load<u16>(PORTS + (<usize>i << 1));
    if (p == port) return 0;
    if (p == 0 && free < 0) free = i;
  }
  if (free < 0) return -Reason.ConfigInvalid;
  store<u16>(PORTS + (<usize>free << 1), <u16>port);
  return 0;
}

export function udpUnbind(port: u32): void {
  for (let i = 0; i < UDP_SOCKETS; i++) {
    if (<u32>load<u16>(PORTS + (<usize>i << 1)) == port) store<u16>(PORTS + (<usize>i << 1), 0);
  }
}

function bound(port: u32): bool {
  for (let i = 0; i < UDP_SOCKETS; i++) if (<u32>load<u16>(PORTS + (<usize>i << 1)) == port) return true;
  return false;
}

export function udpInput(p: usize, off: i32, len: i32, now: u32): i32 {
  if (toTentative) return fail(Reason.Ipv6NotForUs);
  const u = p + off;
  const n = len - off;
  if (n < 8) return fail(Reason.UdpLength);
  const ulen = <i32>rd16be(u + 4);
  if (ulen != n) return fail(Reason.UdpLength);
  const sum = rd16be(u + 6);
  if (sum == 0 || udpChecksum(p, u, n) != sum) return fail(Reason.UdpChecksum); // §8.1: 0 is invalid in IPv6
  const dport = rd16be(u + 2);
  if (dport == COAP_PORT) {
    coapInput(p + 8, rd16be(u), u + 8, n - 8, now);
    return 0;
  }
  if (!bound(dport)) {
    sendUnreachable(p, len, 4, now);
    return fail(Reason.UdpNoSocket);
  }
  if (qCount == UDP_QUEUE) return fail(Reason.UdpQueueFull);
  const e = QUEUE + <usize>(((qHead + qCount) % UDP_QUEUE) * ENTRY);
  const keep = n - 8 < UDP_QUEUE_BYTES ? n - 8 : UDP_QUEUE_BYTES;
  store<u16>(e, <u16>keep);
  memory.copy(e + 4 + UdpMeta.Src, p + 8, 32); // source and destination addresses
  store<u16>(e + 4, <u16>rd16be(u), UdpMeta.SrcPort);
  store<u16>(e + 4, <u16>dport, UdpMeta.DstPort);
  memory.copy(e + 4 + UdpMeta.Size, u + 8, <usize>keep);
  qCount++;
  return 0;
}

/** The oldest received datagram, removed from the queue: its entry, or 0.
 *  Layout: [len u16][pad][UdpMeta][data]. Valid until the next datagram arrives. */
export function udpReceive(): usize {
  if (qCount == 0) return 0;
  const e = QUEUE + <usize>(qHead * ENTRY);
  qHead = (qHead + 1) % UDP_QUEUE;
  qCount--;
  return e;
}

/** Sends a datagram from srcPort to [dst]:dstPort. Returns 0 or a negative Reason. */
export function udpSendPacket(dst: usize, dstPort: u32, srcPort: u32, payload: usize, len: i32, now: u32): i32 {
  if (len < 0 || len > Capacity.Packet - 48) return fail(Reason.PacketTooLarge);
  const src = selectSource(dst);
  if (src == 0) return fail(Reason.NotReady);
  const u = TXPKT + 40;
  memory.copy(u + 8, payload, <usize>len);
  writeHeader(TXPKT, src, dst, 17, curHopLimit(), 8 + len);
  wr16be(u, srcPort);
  wr16be(u + 2, dstPort);
  wr16be(u + 4, <u32>(8 + len));
  wr16be(u + 6, 0);
  wr16be(u + 6, udpChecksum(TXPKT, u, 8 + len));
  return sendPacket(TXPKT, 48 + len, now);
}
