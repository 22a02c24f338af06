// ICMPv6 messages (RFC 4443): generic type/code/body with checksum (§2.1,
// §2.3), and Echo Request/Reply (§4.1, §4.2).
import { concat } from './bytes.js';
import { ipv6PseudoHeaderChecksum, verifyIpv6Checksum } from './checksum.js';
import { checkField, needBytes } from './errors.js';
import { IpProtocol } from './protocols.js';

export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;

export interface Icmpv6Message {
  type: number;
  code: number;
  checksum: number;
  /** Everything after the 4-octet type/code/checksum header. */
  body: Uint8Array;
}

export interface Echo {
  reply: boolean;
  identifier: number;
  sequence: number;
  data: Uint8Array;
}

/** Builds type, code, checksum, body; `dst` is the final destination for the pseudo header. */
export function buildIcmpv6(
  src: Uint8Array,
  dst: Uint8Array,
  type: number,
  code: number,
  body: Uint8Array,
  forceChecksum?: number,
): Uint8Array {
  checkField(type, 0xff, 'ICMPv6 type');
  checkField(code, 0xff, 'ICMPv6 code');
  const out = concat([Uint8Array.of(type, code, 0, 0), body]);
  const checksum = forceChecksum ?? ipv6PseudoHeaderChecksum(src, dst, out.length, IpProtocol.Icmpv6, out);
  checkField(checksum, 0xffff, 'ICMPv6 checksum');
  out[2] = checksum >> 8;
  out[3] = checksum & 0xff;
  return out;
}

/** Echo body: identifier, sequence number, data (RFC 4443 §4.1). */
export function echoBody(identifier: number, sequence: number, data: Uint8Array): Uint8Array {
  checkField(identifier, 0xffff, 'echo identifier');
  checkField(sequence, 0xffff, 'echo sequence');
  return concat([Uint8Array.of(identifier >> 8, identifier & 0xff, sequence >> 8, sequence & 0xff), data]);
}

/** Builds an Echo Request (or Reply when echo.reply). */
export function buildEcho(src: Uint8Array, dst: Uint8Array, echo: Echo): Uint8Array {
  const type = echo.reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST;
  return buildIcmpv6(src, dst, type, 0, echoBody(echo.identifier, echo.sequence, echo.data));
}

export function parseIcmpv6(bytes: Uint8Array): Icmpv6Message {
  needBytes(bytes, 0, 4, 'ICMPv6 header');
  return { type: bytes[0], code: bytes[1], checksum: (bytes[2] << 8) | bytes[3], body: bytes.slice(4) };
}

/** Reads an Echo Request/Reply body; returns undefined for other types. */
export function parseEcho(msg: Icmpv6Message): Echo | undefined {
  if (msg.type !== ICMPV6_ECHO_REQUEST && msg.type !== ICMPV6_ECHO_REPLY) return undefined;
  needBytes(msg.body, 0, 4, 'ICMPv6 echo');
  const b = msg.body;
  return {
    reply: msg.type === ICMPV6_ECHO_REPLY,
    identifier: (b[0] << 8) | b[1],
    sequence: (b[2] << 8) | b[3],
    data: b.slice(4),
  };
}

export function icmpv6ChecksumOk(src: Uint8Array, dst: Uint8Array, bytes: Uint8Array): boolean {
  return verifyIpv6Checksum(src, dst, IpProtocol.Icmpv6, bytes);
}
