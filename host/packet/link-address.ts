// IEEE 802.15.4 link-layer addresses and PAN IDs (text forms), and the
// interface identifier derived from them (RFC 4944 §6, RFC 6282 §3.2.2).
import { PacketError } from './errors.js';
import { toHex } from './hex.js';

/** short = 2 bytes, extended = 8 bytes, both big-endian "as written". */
export type LinkAddress = { mode: 'short' | 'extended'; bytes: Uint8Array };

const EXTENDED = /^[0-9a-fA-F]{2}([:-])(?:[0-9a-fA-F]{2}\1){6}[0-9a-fA-F]{2}$/;
const SHORT = /^0[xX][0-9a-fA-F]{1,4}$/;

/** Parses "00:12:4b:00:00:01:02:03" (or with dashes) or a 16-bit "0x0001". */
export function parseLinkAddress(text: string): LinkAddress {
  const t = text.trim();
  if (EXTENDED.test(t)) {
    return { mode: 'extended', bytes: Uint8Array.from(t.split(/[:-]/), (h) => parseInt(h, 16)) };
  }
  if (SHORT.test(t)) return shortAddress(parseInt(t.slice(2), 16));
  throw new PacketError(
    `parseLinkAddress: ${JSON.stringify(text)} is neither 8 hex octets (aa:bb:..) nor a 0xNNNN short address`,
  );
}

/** A short address from its 16-bit value. */
export function shortAddress(value: number): LinkAddress {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new PacketError(`shortAddress: ${value} out of range 0..0xffff`);
  }
  return { mode: 'short', bytes: Uint8Array.of(value >> 8, value & 0xff) };
}

/** "00:12:4b:00:00:01:02:03" or "0x0001". */
export function formatLinkAddress(a: LinkAddress): string {
  checkLinkAddress(a);
  if (a.mode === 'short') return '0x' + toHex(a.bytes);
  return Array.from(a.bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Throws unless the byte count matches the mode. */
export function checkLinkAddress(a: LinkAddress): void {
  const want = a.mode === 'short' ? 2 : 8;
  if (a.bytes.length !== want) {
    throw new PacketError(`${a.mode} link address must be ${want} bytes, got ${a.bytes.length}`);
  }
}

/** PAN ID: "0xabcd" or decimal, 0..0xffff. */
export function parsePanId(text: string): number {
  const t = text.trim();
  let v = NaN;
  if (/^0[xX][0-9a-fA-F]{1,4}$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^[0-9]{1,5}$/.test(t)) v = parseInt(t, 10);
  if (!(v >= 0 && v <= 0xffff)) {
    throw new PacketError(`parsePanId: ${JSON.stringify(text)} is not 0xNNNN or a decimal 0..65535`);
  }
  return v;
}

/**
 * 64-bit interface identifier for a link address: EUI-64 with the U/L bit
 * inverted (RFC 4944 §6), or 0000:00ff:fe00:XXXX for a short address
 * (RFC 6282 §3.2.2; the PAN ID bits of RFC 4944 §6 are left zero).
 */
export function interfaceIdFromLinkAddress(a: LinkAddress): Uint8Array {
  checkLinkAddress(a);
  if (a.mode === 'short') return Uint8Array.of(0, 0, 0, 0xff, 0xfe, 0, a.bytes[0], a.bytes[1]);
  const iid = Uint8Array.from(a.bytes);
  iid[0] ^= 0x02;
  return iid;
}

/** The link address an interface identifier was formed from (the inverse of
 *  interfaceIdFromLinkAddress; RFC 4944 §6, RFC 6282 §3.2.2). */
export function linkAddressFromIid(iid: Uint8Array): LinkAddress {
  if (iid[0] === 0 && iid[1] === 0 && iid[2] === 0 && iid[3] === 0xff && iid[4] === 0xfe && iid[5] === 0) {
    return { mode: 'short', bytes: Uint8Array.of(iid[6], iid[7]) };
  }
  const bytes = Uint8Array.from(iid.subarray(0, 8));
  bytes[0] ^= 0x02;
  return { mode: 'extended', bytes };
}

/** fe80::/64 with the interface identifier of a link address (RFC 4944 §7). */
export function linkLocalFromLinkAddress(a: LinkAddress): Uint8Array {
  const addr = new Uint8Array(16);
  addr.set([0xfe, 0x80]);
  addr.set(interfaceIdFromLinkAddress(a), 8);
  return addr;
}
