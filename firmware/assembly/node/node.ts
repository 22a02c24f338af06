// The node: a sans-IO 6LoWPAN host. The host calls nodeInit once, then feeds
// frames with nodeInput, runs timers with nodePoll, and drains frames with
// nodeOutput. Nothing here allocates; all state is in the modules' tables.
import { NodeConfig, NodeMode } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { COUNTERS, IN, fail } from '../mem';
import { contextClearAll } from '../lowpan/context';
import { checksumElided, frameToPacket, packetPtr } from '../lowpan/deframer';
import { setDatagramTag } from '../lowpan/fragmenter';
import { frameBroadcast, setMacFilter } from '../lowpan/mac-filter';
import * as reassembly from '../lowpan/reassembly';
import { coapPoll, coapReset } from './coap-server';
import { CONFIG, EUI64, SHORT, configure, hasShort } from './iface';
import { icmpReset } from './icmp';
import { ipv6Input } from './ipv6-in';
import { resetPending, resetRedirects } from './ipv6-out';
import { earliest } from './limits';
import { ndPoll, ndReset, ndStart } from './nd-timers';
import { ncReset } from './neighbors';
import { dequeueFrame, resetOutput } from './output-queue';
import { seedRandom } from './random';
import { routersReset } from './routers';
import { udpReset, udpSendPacket } from './udp';
import { setUdpSink } from './udp-send';
import { REASON_COUNT } from '../../abi/reason';

let running: bool = false;

export function nodeInit(now: u32): i32 {
  running = false;
  if (load<u8>(CONFIG, NodeConfig.Mode) > <u8>NodeMode.Classic || load<u8>(CONFIG, NodeConfig.FrameVersion) > 2) {
    return -Reason.ConfigInvalid;
  }
  configure();
  const seed = load<u32>(CONFIG, NodeConfig.Seed);
  seedRandom(seed);
  setDatagramTag(seed);
  memory.fill(COUNTERS, 0, REASON_COUNT * 4);
  contextClearAll();
  reassembly.reset();
  setMacFilter(true, <u32>load<u16>(CONFIG, NodeConfig.Pan), SHORT, hasShort, EUI64);
  routersReset();
  ncReset();
  resetPending();
  resetRedirects();
  resetOutput();
  udpReset();
  setUdpSink(udpSendPacket);
  icmpReset(now);
  coapReset();
  ndReset();
  ndStart(now);
  running = true;
  return 0;
}

export function nodeRunning(): bool {
  return running;
}

/** One received frame (in IN, FCS included). Returns 0 or a negative Reason. */
export function nodeInput(len: i32, now: u32): i32 {
  if (!running) return -Reason.NotReady;
  const r = frameToPacket(IN, len, now);
  if (r <= 0) return r;
  // RFC 6282 §4.3.2: a decompressor that cannot unambiguously determine that an
  // integrity check covered a datagram whose UDP checksum was elided MUST drop
  // it. The node has no link-layer security (frames with it are refused), so it
  // never can. (The node itself never elides: transmit() leaves ElideUdpChecksum clear.)
  if (checksumElided) return fail(Reason.UdpChecksumElided);
  return ipv6Input(packetPtr, r, frameBroadcast(), now);
}

export function nodePoll(now: u32): u32 {
  if (!running) return 0xffffffff;
  reassembly.expire(now);
  let d = reassembly.nextDeadline(now);
  d = earliest(d, ndPoll(now), now);
  d = earliest(d, coapPoll(now), now);
  return d;
}

/** The next frame to send as a [length][PSDU] record, or 0. */
export function nodeOutput(): usize {
  return dequeueFrame();
}

export function nodeFail(reason: i32): i32 {
  return fail(reason);
}
