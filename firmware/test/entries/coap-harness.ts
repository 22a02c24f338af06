// Test entry for the CoAP server (firmware/assembly/node/coap-server.ts): its
// exports, the ring of datagrams it sent (udp-ring.ts), the random seed,
// and static buffers a test fills through the exported memory.
export { coapInput, coapPoll, coapReset, relayGet, sensorGet, sensorSet } from '../../assembly/node/coap-server';
export { udpSentAt, udpSentClear, udpSentCount, udpSentTotal } from './lib/udp-ring';
import { setUdpSink } from '../../assembly/node/udp-send';
import { udpRecord } from './lib/udp-ring';

setUdpSink(udpRecord); // what the server sends lands in the ring
export { seedRandom } from '../../assembly/node/random';

/** A received datagram's payload (the 6LoWPAN MTU is the most it can be). */
const MSG: usize = memory.data(1280, 8);
/** Its source address. */
const SRC: usize = memory.data(16, 8);

export function msgBuf(): usize {
  return MSG;
}

export function srcBuf(): usize {
  return SRC;
}
