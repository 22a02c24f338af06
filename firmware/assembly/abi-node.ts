// sixlab-core's node ABI (docs/core-abi.md, "The node"): a sans-IO 6LoWPAN
// host driven by node_init, node_input, node_poll and node_output.
import { Capacity, NodeAddress, NodeNeighbor, NodeRouter, NodeStatus, UdpMeta } from '../abi/layout';
import { Reason } from '../abi/reason';
import { IN, OUT } from './mem';
import { relayGet, sensorGet, sensorSet } from './node/coap-server';
import { echoRepliesSeen, lastEchoReply, sendEchoRequest } from './node/icmp';
import { CONFIG, addrRow } from './node/iface';
import { ADDRESSES, NEIGHBORS, OUTPUT_FRAMES, PENDING_PACKETS, ROUTERS, UDP_QUEUE, UDP_SOCKETS } from './node/limits';
import { REASSEMBLY_SLOTS } from './config';
import { ncRow } from './node/neighbors';
import { nodeInit, nodeInput, nodeOutput, nodePoll } from './node/node';
import { STATUS, routerRow } from './node/routers';
import { udpBind, udpReceive, udpSendPacket, udpUnbind } from './node/udp';

/** Node configuration (layout NodeConfig), written by the host before node_init. */
export function node_config(): usize {
  return CONFIG;
}

/** Starts the node from node_config() at time `now`: link-local address, then
 *  Router Solicitations (and DAD in classic mode). Returns 0 or -Reason. */
export function node_init(now: u32): i32 {
  return nodeInit(now);
}

/** One received frame in buffer_in()[0..len) (FCS included). 0 or -Reason (a drop, counted). */
export function node_input(len: i32, now: u32): i32 {
  if (len < 0 || len > Capacity.Psdu) return -Reason.FrameTooLong;
  return nodeInput(len, now);
}

/** Runs the node's timers; returns the next time it needs poll(), or 0xffffffff. */
export function node_poll(now: u32): u32 {
  return nodePoll(now);
}

/** The next frame to send, as a pointer to [length u8][PSDU with FCS], or 0
 *  when there is none. Valid until the node queues frames again. */
export function node_output(): usize {
  return nodeOutput();
}

function copyRow(row: usize, size: i32, used: bool): i32 {
  if (!used) return 0;
  memory.copy(OUT, row, <usize>size);
  return 1;
}

/** Address table row i (layout NodeAddress) into buffer_out(); 1, or 0 when free. */
export function node_address(i: i32): i32 {
  if (i < 0 || i >= ADDRESSES) return 0;
  const r = addrRow(i);
  return copyRow(r, NodeAddress.Size, load<u8>(r, NodeAddress.State) != 0);
}

/** Neighbor cache row i (layout NodeNeighbor) into buffer_out(); 1, or 0 when free. */
export function node_neighbor(i: i32): i32 {
  if (i < 0 || i >= NEIGHBORS) return 0;
  const r = ncRow(i);
  return copyRow(r, NodeNeighbor.Size, load<u8>(r, NodeNeighbor.State) != 0);
}

/** Default router i (layout NodeRouter) into buffer_out(); 1, or 0 when free. */
export function node_router(i: i32): i32 {
  if (i < 0 || i >= ROUTERS) return 0;
  const r = routerRow(i);
  return copyRow(r, NodeRouter.Size, load<u32>(r, NodeRouter.Until) != 0);
}

/** Node-wide values (layout NodeStatus) into buffer_out(). */
export function node_status(): void {
  memory.copy(OUT, STATUS, NodeStatus.Size);
}

export function udp_bind(port: u32): i32 {
  return udpBind(port);
}

export function udp_unbind(port: u32): void {
  udpUnbind(port);
}

/** Sends buffer_in()[16..16+len) from srcPort to [buffer_in()[0..16)]:dstPort. */
export function udp_send(dstPort: u32, srcPort: u32, len: i32, now: u32): i32 {
  if (len < 0 || len > Capacity.Packet - 64) return -Reason.PacketTooLarge;
  return udpSendPacket(IN, dstPort, srcPort, IN + 16, len, now);
}

/** The oldest received datagram: UdpMeta at buffer_out()[0..36), data after it;
 *  returns the data length, or -1 when the queue is empty. */
export function udp_recv(): i32 {
  const e = udpReceive();
  if (e == 0) return -1;
  const len = <i32>load<u16>(e);
  memory.copy(OUT, e + 4, <usize>(UdpMeta.Size + len));
  return len;
}

/** Echo Request to buffer_in()[0..16) with `len` data octets. 0 or -Reason. */
export function ping_send(id: u32, seq: u32, len: i32, now: u32): i32 {
  return sendEchoRequest(IN, id, seq, len, now);
}

/** Echo Replies received since node_init; the last one's id << 16 | seq in lastEchoReply. */
export function echo_replies(): u32 {
  return echoRepliesSeen;
}

export function echo_last(): u32 {
  return lastEchoReply;
}

/** Sensor values served over CoAP: 0 temperature, 1 humidity (hundredths). */
export function sensor_set(id: u32, value: i32): void {
  sensorSet(id, value);
}

export function sensor_get(id: u32): i32 {
  return sensorGet(id);
}

export function relay_get(): u32 {
  return relayGet();
}

/** Octets of linear memory the core's static data uses (everything it will
 *  ever use: nothing is allocated after init). */
export function node_memory(): usize {
  return __heap_base;
}

/** The table sizes (u16 each, in this order) into buffer_out(): addresses,
 *  neighbors, routers, pending packets, output frames, UDP sockets, UDP queue,
 *  reassembly buffers, contexts. Returns how many. */
export function node_tables(): i32 {
  const sizes: StaticArray<u16> = [
    <u16>ADDRESSES, <u16>NEIGHBORS, <u16>ROUTERS, <u16>PENDING_PACKETS, <u16>OUTPUT_FRAMES,
    <u16>UDP_SOCKETS, <u16>UDP_QUEUE, <u16>REASSEMBLY_SLOTS, <u16>Capacity.Contexts,
  ];
  for (let i = 0; i < sizes.length; i++) store<u16>(OUT + (<usize>i << 1), sizes[i]);
  return sizes.length;
}
