// Every table and buffer of the core is sized here, once (design notes: static
// buffers, no allocation after init, all of it inside one 64 KiB page).
import { Capacity } from '../abi/layout';

/** Reassembly buffers held at once (RFC 4944 §5.3). When all are busy, the one
 *  that started first is evicted for the new datagram: a stalled sender cannot
 *  block everyone else until its 60 s timeout. */
export const REASSEMBLY_SLOTS: i32 = 4;

/** RFC 4944 §5.3: "reassembly timeout ... MUST be set to a maximum of 60 seconds". */
export const REASSEMBLY_TIMEOUT_MS: u32 = 60000;

/** Deepest chain of NHC-encoded headers the decompressor follows (ext headers,
 *  nested IPv6-in-IPv6 and UDP). A bound keeps malicious input from recursing. */
export const MAX_NHC_DEPTH: i32 = 8;

/** Nested IPv6-in-IPv6 levels the decompressor accepts (RFC 6282 §4.2 EID 7). */
export const MAX_IPV6_NESTING: i32 = 3;

export const PACKET_CAP: i32 = Capacity.Packet;
export const PSDU_CAP: i32 = Capacity.Psdu;
export const FRAMES_CAP: i32 = Capacity.Frames;
export const CONTEXTS_CAP: i32 = Capacity.Contexts;
