// Why the core refused an input or could not produce an output.
// Shared by the AssemblyScript core and the TypeScript host: plain `export enum`
// syntax only, so both compilers read the same file. Numbers are part of the ABI:
// append new reasons at the end, never renumber.
export enum Reason {
  Ok = 0,
  // IEEE 802.15.4 MAC (IEEE 802.15.4-2015 §7.2)
  FrameTooShort = 1,
  FrameTooLong = 2,
  BadFcs = 3,
  FrameTypeUnsupported = 4,
  FrameVersionReserved = 5,
  SecurityUnsupported = 6,
  AddrModeReserved = 7,
  MacHeaderTruncated = 8,
  HeaderIeMalformed = 9,
  NotDataFrame = 10,
  // 6LoWPAN dispatch (RFC 4944 §5.1, RFC 8066)
  EmptyPayload = 11,
  NotLowpan = 12,
  DispatchHc1Unsupported = 13,
  DispatchEscUnsupported = 14,
  DispatchReserved = 15,
  MeshHeaderTruncated = 16,
  BroadcastHeaderTruncated = 17,
  FragHeaderTruncated = 18,
  // IPHC (RFC 6282 §3)
  IphcTruncated = 19,
  IphcReservedMode = 20,
  ContextUnknown = 21,
  NhcUnknown = 22,
  NhcTruncated = 23,
  NhcReservedEid = 24,
  NhcTooDeep = 25,
  UdpTruncated = 26,
  // Uncompressed IPv6 (RFC 4944 §5.1 dispatch 0x41)
  Ipv6Truncated = 27,
  Ipv6BadVersion = 28,
  Ipv6LengthMismatch = 29,
  // Fragmentation and reassembly (RFC 4944 §5.3)
  FragSizeTooLarge = 30,
  FragBeyondDatagram = 31,
  FragOverlap = 32,
  FragSizeMismatch = 33,
  FragDuplicate = 34,
  FragTimeout = 35,
  FragBufferEvicted = 36,
  FragHeaderTooLarge = 37,
  // Compressor input
  PacketTooLarge = 38,
  PacketTooShort = 39,
  TooManyFrames = 40,
  LinkAddrInvalid = 41,
  // Context table, addresses
  ContextIdInvalid = 42,
  PrefixLengthInvalid = 43,
  AddrTextInvalid = 44,
  NhcLengthOverflow = 45,
}

export const REASON_COUNT = 46;
