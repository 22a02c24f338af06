// RFC 4944 §5.3 fragment headers, built freely: any size, tag and offset, so a
// test can send overlapping, out-of-range or inconsistent fragments.
//   FRAG1: 11000 | datagram_size (11) | datagram_tag (16)
//   FRAGN: 11100 | datagram_size (11) | datagram_tag (16) | datagram_offset (8, in 8-octet units)
export function frag1Header(size: number, tag: number): Uint8Array {
  return Uint8Array.of(0xc0 | ((size >> 8) & 7), size & 0xff, (tag >> 8) & 0xff, tag & 0xff);
}

export function fragNHeader(size: number, tag: number, offsetOctets: number): Uint8Array {
  return Uint8Array.of(0xe0 | ((size >> 8) & 7), size & 0xff, (tag >> 8) & 0xff, tag & 0xff, (offsetOctets >> 3) & 0xff);
}

/** RFC 4944 §5.1: the uncompressed IPv6 dispatch. */
export const DISPATCH_IPV6 = 0x41;

export interface Fragment {
  offset: number;
  bytes: Uint8Array; // fragment header + payload, the MAC payload
}

/** Splits an IPv6 packet, sent uncompressed (dispatch 0x41), into fragments of
 *  at most `chunk` packet octets (a multiple of 8). */
export function fragmentUncompressed(packet: Uint8Array, tag: number, chunk: number): Fragment[] {
  const out: Fragment[] = [];
  for (let off = 0; off < packet.length; off += chunk) {
    const data = packet.subarray(off, Math.min(packet.length, off + chunk));
    const header = off === 0
      ? Uint8Array.of(...frag1Header(packet.length, tag), DISPATCH_IPV6)
      : fragNHeader(packet.length, tag, off);
    const bytes = new Uint8Array(header.length + data.length);
    bytes.set(header);
    bytes.set(data, header.length);
    out.push({ offset: off, bytes });
  }
  return out;
}
