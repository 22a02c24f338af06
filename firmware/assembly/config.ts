// Every table and buffer of the core is sized here, once (design notes: static
// buffers, no allocation after init, all of it inside one 64 KiB page). The
// buffers shared with the host are sized in abi/layout.ts (Capacity).
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

// ---- the node (part 2) ----
export const ADDRESSES: i32 = 4; // link-local + 3 from prefixes
export const NEIGHBORS: i32 = 8;
export const ROUTERS: i32 = 2;
export const PENDING_PACKETS: i32 = 2; // waiting for address resolution (RFC 4861 §7.2.2)
export const OUTPUT_FRAMES: i32 = 32; // frames waiting for the host to drain
export const UDP_SOCKETS: i32 = 4;
export const UDP_QUEUE: i32 = 4; // received datagrams waiting for the application
export const UDP_QUEUE_BYTES: i32 = 256; // payload kept per queued datagram
export const REDIRECTS: i32 = 4; // destinations a Redirect moved (RFC 4861 §8.3)
export const ONLINK_PREFIXES: i32 = 4; // classic ND's on-link prefixes (L=1)

// ---- CoAP (RFC 7252) ----
export const COAP_DEDUP_SLOTS: i32 = 8; // (endpoint, message ID) remembered for EXCHANGE_LIFETIME
export const COAP_EXCHANGE_SLOTS: i32 = 4; // outgoing CON messages awaiting an ACK
export const COAP_OBSERVER_SLOTS: i32 = 4;
export const COAP_MESSAGE_CAP: i32 = 256; // largest message the server builds
