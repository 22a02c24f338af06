// Byte layouts of the structures the core shares with its host through linear
// memory. Shared by the AssemblyScript core and the TypeScript host (plain enum
// syntax only). Multi-byte fields are little-endian (WebAssembly's order) and
// 2-byte aligned. Link addresses are stored as written (00:12:4b:...), i.e. in
// the reverse of their on-air order. Append fields; never move one.

/** Version of this ABI; the host refuses a module with another one. */
export const ABI_VERSION = 1;

/** Sizes of the buffers behind `buffer_in()` / `frames_out()`. */
export enum Capacity {
  /** Largest IPv6 packet the core compresses or reassembles (RFC 4944 §4: the 6LoWPAN MTU). */
  Packet = 1280,
  /** Largest PSDU: aMaxPhyPacketSize (IEEE 802.15.4-2015 §11.3). */
  Psdu = 127,
  /** Frames one compress() call may produce. */
  Frames = 24,
  /** Contexts in the compression table (RFC 6282 §3.1.2: 4-bit CID). */
  Contexts = 16,
}

/** Link address modes, as in the 802.15.4 frame control field. */
export enum AddrMode {
  None = 0,
  Short = 2,
  Extended = 3,
}

/** Transmit parameters for compress(), at `tx_params()`. */
export enum Tx {
  SrcMode = 0, // u8 AddrMode
  DstMode = 1, // u8 AddrMode
  Pan = 2, // u16
  SrcAddr = 4, // 8 bytes (short: first 2)
  DstAddr = 12, // 8 bytes (short: first 2)
  Seq = 20, // u8: sequence number of the first frame; the core advances it
  FrameVersion = 21, // u8: 0 = 2003, 1 = 2006, 2 = 2015
  Flags = 22, // u8: TxFlag bits
  Size = 24,
}

export enum TxFlag {
  /** Let the compressor elide the UDP checksum (RFC 6282 §4.3.2: only when the upper layer allows it). */
  ElideUdpChecksum = 1,
  /** Set the ACK request bit on unicast frames. */
  AckRequest = 2,
  /** Send IPv6 uncompressed (dispatch 0x41) instead of IPHC. */
  Uncompressed = 4,
}

/** What decode() learned about the last frame, at `info()`. */
export enum Info {
  // IEEE 802.15.4 MAC header (IEEE 802.15.4-2015 §7.2.1)
  FrameType = 0, // u8
  FrameVersion = 1, // u8
  MacFlags = 2, // u16 MacFlag bits
  Seq = 4, // u8 (valid unless SeqSuppressed)
  DstMode = 5, // u8 AddrMode
  SrcMode = 6, // u8 AddrMode
  MacHeaderLen = 7, // u8
  DstPan = 8, // u16 (valid when MacFlag.DstPanPresent)
  SrcPan = 10, // u16 (valid when MacFlag.SrcPanPresent)
  DstAddr = 12, // 8 bytes
  SrcAddr = 20, // 8 bytes
  MacPayloadLen = 28, // u8
  Fcs = 30, // u16, as received
  // 6LoWPAN headers (RFC 4944 §5, RFC 6282)
  LowpanFlags = 32, // u16 LowpanFlag bits
  MeshHopsLeft = 34, // u8
  MeshOrigMode = 35, // u8 AddrMode
  MeshFinalMode = 36, // u8 AddrMode
  Bc0Seq = 37, // u8
  MeshOrig = 38, // 8 bytes
  MeshFinal = 46, // 8 bytes
  FragSize = 54, // u16 datagram_size
  FragTag = 56, // u16 datagram_tag
  FragOffset = 58, // u16 datagram_offset in octets (the field times 8)
  Iphc = 60, // u16: the two IPHC octets as a big-endian number (0x7e33 ...)
  IphcCid = 62, // u8: the CID extension octet (when IPHC CID=1)
  NhcCount = 63, // u8: number of NHC octets in Nhc
  Nhc = 64, // up to 8 u8: the NHC octets in order
  CompressedLen = 72, // u16: octets of compressed headers in the frame
  UncompressedLen = 74, // u16: octets of IPv6 headers they stood for
  PacketLen = 76, // u16: length of the completed packet (0 while waiting)
  Size = 78,
}

export enum MacFlag {
  Security = 1,
  FramePending = 2,
  AckRequest = 4,
  PanIdCompression = 8,
  SeqSuppressed = 16,
  IePresent = 32,
  FcsOk = 64,
  DstPanPresent = 128,
  SrcPanPresent = 256,
}

export enum LowpanFlag {
  Mesh = 1,
  Broadcast = 2,
  Frag1 = 4,
  FragN = 8,
  Iphc = 16,
  Uncompressed = 32,
  /** The frame completed a datagram (PacketLen is valid). */
  Complete = 64,
  /** The frame was an exact duplicate of a fragment already held. */
  Duplicate = 128,
}

/** decode() result when a frame was accepted but no packet is complete yet. */
export const DECODE_PENDING = 0;

/** Address classes (RFC 4291 §2.4), from addr_class(). */
export enum AddrClass {
  Unspecified = 0,
  Loopback = 1,
  Multicast = 2,
  LinkLocal = 3,
  UniqueLocal = 4,
  Global = 5,
  Ipv4Mapped = 6,
}

/** Frame versions (frame control bits 12-13). */
export enum FrameVersion {
  V2003 = 0,
  V2006 = 1,
  V2015 = 2,
}

/** Frame types (frame control bits 0-2). */
export enum FrameType {
  Beacon = 0,
  Data = 1,
  Ack = 2,
  Command = 3,
}

// ---- the node (part 2) ----

/** Node configuration, at `node_config()`, read by node_init(). */
export enum NodeConfig {
  Eui64 = 0, // 8 bytes, as written (00:12:4b:...)
  ShortAddr = 8, // u16; 0xfffe: none (use the EUI-64 as MAC source)
  Pan = 10, // u16
  Seed = 12, // u32: the node's randomness
  Mode = 16, // u8 NodeMode
  Flags = 17, // u8 NodeFlag bits
  FrameVersion = 18, // u8: 0 = 2003, 1 = 2006, 2 = 2015
  IcmpBurst = 19, // u8: ICMPv6 error token bucket size (RFC 4443 §2.4 f)
  IcmpIntervalMs = 20, // u16: one token every this many ms
  RegistrationMinutes = 22, // u16: ARO/EARO registration lifetime (RFC 6775 §4.1)
  Size = 24,
}

export enum NodeMode {
  /** 6LoWPAN-ND host (RFC 6775, RFC 8505): RS to routers, address registration, no multicast resolution. */
  LowpanNd = 0,
  /** Classic ND host (RFC 4861, RFC 4862): multicast address resolution and DAD. */
  Classic = 1,
}

export enum NodeFlag {
  /** Register with the RFC 6775 ARO instead of the RFC 8505 EARO. */
  UseAro = 1,
  /** Send from the short address when one is configured. */
  ShortSource = 2,
}

/** Address table rows, from node_address(i) into buffer_out(). */
export enum NodeAddress {
  Addr = 0, // 16 bytes
  State = 16, // u8 AddrState
  Registration = 17, // u8 RegState
  Status = 18, // u8: last ARO/EARO status received
  Tid = 19, // u8: EARO transaction ID
  ValidUntil = 20, // u32 ms (0xffffffff: infinite)
  PreferredUntil = 24, // u32 ms
  NextEvent = 28, // u32 ms: next DAD / registration step
  Attempts = 32, // u8: DAD probes or registration NS sent in this round
  Size = 36,
}

export enum AddrState {
  Free = 0,
  Tentative = 1,
  Preferred = 2,
  Deprecated = 3,
  /** Found to be in use elsewhere: never used, and not formed again while its lifetime runs (RFC 4862 §5.4.5). */
  Duplicate = 4,
}

export enum RegState {
  None = 0,
  Registering = 1,
  Registered = 2,
  Failed = 3,
}

/** Neighbor cache rows, from node_neighbor(i) into buffer_out(). */
export enum NodeNeighbor {
  Addr = 0, // 16 bytes
  LinkMode = 16, // u8 AddrMode (0: unknown)
  State = 17, // u8 NcState
  IsRouter = 18, // u8
  Probes = 19, // u8: solicitations sent in this state
  Link = 20, // 8 bytes
  Deadline = 28, // u32 ms: when the state's timer fires (0xffffffff: none)
  Size = 32,
}

/** RFC 4861 §7.3.2 neighbor cache states. */
export enum NcState {
  Free = 0,
  Incomplete = 1,
  Reachable = 2,
  Stale = 3,
  Delay = 4,
  Probe = 5,
}

/** Default routers, from node_router(i) into buffer_out(). */
export enum NodeRouter {
  Addr = 0, // 16 bytes
  Until = 16, // u32 ms: router lifetime end
  Size = 20,
}

/** Node-wide values, from node_status() into buffer_out(). */
export enum NodeStatus {
  ReachableTime = 0, // u32 ms, randomised (RFC 4861 §6.3.2)
  RetransTimer = 4, // u32 ms
  CurHopLimit = 8, // u8
  RsSent = 9, // u8: Router Solicitations sent since the last RA
  AbroVersionHigh = 10, // u16
  AbroVersionLow = 12, // u16
  LinkMtu = 14, // u16
  NextRs = 16, // u32 ms (0xffffffff: none)
  BaseReachableTime = 20, // u32 ms
  IcmpTokens = 24, // u8
  Size = 28,
}

/** Metadata of a received UDP datagram, at `udp_meta()` after udp_recv(). */
export enum UdpMeta {
  Src = 0, // 16 bytes
  Dst = 16, // 16 bytes
  SrcPort = 32, // u16
  DstPort = 34, // u16
  Size = 36,
}
