// IPv6 address text <-> 16 bytes. Parsing accepts any RFC 4291 §2.2 form;
// formatting produces the RFC 5952 §4 canonical form. Both via ip-address,
// whose correctForm() matches RFC 5952 §4 (checked in ipv6-address.test.ts);
// zone ids ("%eth0") and prefix lengths ("/64"), which it also accepts, are
// rejected here because they are not addresses.
import { Address6 } from 'ip-address';
import { PacketError } from './errors.js';

export function parseIpv6(text: string): Uint8Array {
  if (/[%/]/.test(text)) {
    throw new PacketError(`parseIpv6: ${JSON.stringify(text)}: zone ids and prefix lengths are not allowed`);
  }
  let a: Address6;
  try {
    a = new Address6(text);
  } catch (e) {
    throw new PacketError(`parseIpv6: ${JSON.stringify(text)}: ${(e as Error).message}`);
  }
  return Uint8Array.from(a.toUnsignedByteArray());
}

export function formatIpv6(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new PacketError(`formatIpv6: need 16 bytes, got ${bytes.length}`);
  return Address6.fromUnsignedByteArray(Array.from(bytes)).correctForm();
}

/** prefix (first 8 bytes used) + 8-byte interface identifier. */
export function ipv6FromPrefixAndIid(prefix: Uint8Array, iid: Uint8Array): Uint8Array {
  if (iid.length !== 8) throw new PacketError(`ipv6FromPrefixAndIid: IID must be 8 bytes, got ${iid.length}`);
  const out = new Uint8Array(16);
  out.set(prefix.subarray(0, 8));
  out.set(iid, 8);
  return out;
}
