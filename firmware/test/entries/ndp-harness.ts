// Test entry for firmware/assembly/wire/ndp.ts: every export of the ND codec,
// plus static buffers a test fills through the exported memory.
export * from '../../assembly/wire/ndp';

/** An IPv6 header (40 octets) followed by the ICMPv6 message: 1320 octets. */
const PKT: usize = memory.data(1320, 8);
/** Emitter output. */
const OUT: usize = memory.data(256, 8);
/** Arguments: target at +0, link address at +16, ROVR at +32. */
const ARG: usize = memory.data(64, 8);

export function pkt(): usize {
  return PKT;
}

export function out(): usize {
  return OUT;
}

export function arg(): usize {
  return ARG;
}
