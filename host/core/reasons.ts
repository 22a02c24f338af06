// One line of text per core Reason, for people (CLI output, reports).
import { Reason, REASON_COUNT } from '../../firmware/abi/reason.js';

const TEXT: Record<Reason, string> = {
  [Reason.Ok]: 'ok',
  [Reason.FrameTooShort]: 'frame shorter than a frame control field and FCS',
  [Reason.FrameTooLong]: 'frame longer than 127 octets (aMaxPhyPacketSize)',
  [Reason.BadFcs]: 'FCS does not match the frame (CRC-16/KERMIT)',
  [Reason.FrameTypeUnsupported]: 'frame type not supported (only beacon, data, ACK and command are known)',
  [Reason.FrameVersionReserved]: 'frame version 3 is reserved',
  [Reason.SecurityUnsupported]: 'MAC security is enabled; secured frames are not supported',
  [Reason.AddrModeReserved]: 'address mode 01 is reserved',
  [Reason.MacHeaderTruncated]: 'MAC header runs past the end of the frame',
  [Reason.HeaderIeMalformed]: 'information elements are malformed',
  [Reason.NotDataFrame]: 'not a data frame',
  [Reason.EmptyPayload]: 'frame has no 6LoWPAN payload',
  [Reason.NotLowpan]: 'NALP dispatch (00xxxxxx): not a 6LoWPAN frame',
  [Reason.DispatchHc1Unsupported]: 'LOWPAN_HC1 dispatch (0x42) is obsoleted by RFC 6282 and not supported',
  [Reason.DispatchEscUnsupported]: 'ESC dispatch (0x40, RFC 8066) not supported',
  [Reason.DispatchReserved]: 'reserved or unknown dispatch value',
  [Reason.MeshHeaderTruncated]: 'mesh header truncated',
  [Reason.BroadcastHeaderTruncated]: 'broadcast header truncated',
  [Reason.FragHeaderTruncated]: 'fragment header truncated',
  [Reason.IphcTruncated]: 'IPHC header truncated',
  [Reason.IphcReservedMode]: 'reserved IPHC address mode (RFC 6282 §3.1.1)',
  [Reason.ContextUnknown]: 'IPHC refers to a context that is not known',
  [Reason.NhcUnknown]: 'unknown LOWPAN_NHC header',
  [Reason.NhcTruncated]: 'LOWPAN_NHC header truncated',
  [Reason.NhcReservedEid]: 'reserved NHC extension header ID, or NH set with EID 7',
  [Reason.NhcTooDeep]: 'too many nested NHC headers',
  [Reason.UdpTruncated]: 'NHC UDP header truncated',
  [Reason.Ipv6Truncated]: 'uncompressed IPv6 header truncated',
  [Reason.Ipv6BadVersion]: 'IPv6 version field is not 6',
  [Reason.Ipv6LengthMismatch]: 'IPv6 payload length does not match the data',
  [Reason.FragSizeTooLarge]: 'datagram_size larger than the 1280-octet reassembly buffer',
  [Reason.FragBeyondDatagram]: 'fragment extends past datagram_size',
  [Reason.FragOverlap]: 'fragment overlaps one already received: datagram discarded',
  [Reason.FragSizeMismatch]: 'datagram_size differs from earlier fragments with this tag: datagram discarded',
  [Reason.FragDuplicate]: 'duplicate fragment ignored',
  [Reason.FragTimeout]: 'reassembly timed out after 60 s',
  [Reason.FragBufferEvicted]: 'reassembly buffers full: the oldest datagram was evicted',
  [Reason.FragHeaderTooLarge]: 'decompressed headers larger than the datagram or the first fragment',
  [Reason.PacketTooLarge]: 'packet larger than 1280 octets',
  [Reason.PacketTooShort]: 'packet shorter than an IPv6 header',
  [Reason.TooManyFrames]: 'packet needs more frames than the output buffer holds',
  [Reason.LinkAddrInvalid]: 'link address missing or invalid',
  [Reason.ContextIdInvalid]: 'context id must be 0..15',
  [Reason.PrefixLengthInvalid]: 'prefix length must be 1..128',
  [Reason.AddrTextInvalid]: 'not a valid IPv6 address',
  [Reason.NhcLengthOverflow]: 'decompressed headers do not fit the buffer',
};

export function reasonText(reason: number): string {
  return TEXT[reason as Reason] ?? `unknown reason ${reason}`;
}

export function reasonName(reason: number): string {
  return Reason[reason] ?? `Reason${reason}`;
}

export { Reason, REASON_COUNT };
