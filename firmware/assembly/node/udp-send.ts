// The UDP output of the services inside the core (the CoAP server): a function
// the node installs at init (udpSendPacket); the CoAP test harness installs a
// recorder instead. A function reference keeps the server free of the node.
export type UdpSink = (dst: usize, dstPort: u32, srcPort: u32, payload: usize, len: i32, now: u32) => i32;

function discard(dst: usize, dstPort: u32, srcPort: u32, payload: usize, len: i32, now: u32): i32 {
  return -1;
}

let sink: UdpSink = discard;

export function setUdpSink(f: UdpSink): void {
  sink = f;
}

export function udpSend(dst: usize, dstPort: u32, srcPort: u32, payload: usize, len: i32, now: u32): i32 {
  return sink(dst, dstPort, srcPort, payload, len, now);
}
