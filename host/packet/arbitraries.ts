// fast-check generators for link addresses, 6LoWPAN context tables and valid
// IPv6 packets (built with packet.ts), biased toward the forms RFC 6282
// compresses specially.
import * as fc from 'fast-check';
import { interfaceIdFromLinkAddress, shortAddress, type LinkAddress } from './link-address.js';
import { ipv6FromPrefixAndIid, parseIpv6 } from './ipv6-address.js';
import { echoBody, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST } from './icmpv6.js';
import type { ExtensionHeader, Ipv6Option, OptionsHeader } from './ipv6-ext.js';
import { buildIpv6Packet, emitExtensionChain, type Ipv6PacketSpec, type UpperSpec } from './packet.js';

/** Short (never 0xfffe/0xffff) or extended 802.15.4 address. */
export function arbLinkAddress(): fc.Arbitrary<LinkAddress> {
  return fc.oneof(
    fc.integer({ min: 0, max: 0xfffd }).map(shortAddress),
    fc.uint8Array({ minLength: 8, maxLength: 8 }).map((bytes): LinkAddress => ({ mode: 'extended', bytes })),
  );
}

export interface ContextEntry {
  id: number; // 0..15
  prefix: Uint8Array; // 16 bytes, zero beyond `length` bits
  length: number; // 1..128
  compress: boolean;
}

/** Zeroes every bit of `prefix` past the first `length` bits. */
export function maskPrefix(prefix: Uint8Array, length: number): Uint8Array {
  return prefix.map((b, i) => (i * 8 >= length ? 0 : i * 8 + 8 <= length ? b : b & (0xff << (8 - (length - i * 8)))));
}

export function arbContext(): fc.Arbitrary<ContextEntry> {
  return fc
    .record({
      id: fc.integer({ min: 0, max: 15 }),
      length: fc.oneof(
        { arbitrary: fc.constant(64), weight: 3 },
        { arbitrary: fc.integer({ min: 1, max: 128 }), weight: 2 },
      ),
      bytes: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      compress: fc.boolean(),
    })
    .map(({ id, length, bytes, compress }) => ({ id, length, prefix: maskPrefix(bytes, length), compress }));
}

/** 0..16 contexts with distinct ids. */
export function arbContextTable(): fc.Arbitrary<ContextEntry[]> {
  return fc.uniqueArray(arbContext(), { selector: (c) => c.id, maxLength: 16 });
}

const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

/** Interface identifiers: 0000:00ff:fe00:XXXX, EUI-64 derived, or random. */
export function arbIid(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((v) => interfaceIdFromLinkAddress(shortAddress(v))),
    arbLinkAddress().filter((a) => a.mode === 'extended').map(interfaceIdFromLinkAddress),
    bytesOf(8),
  );
}

const PREFIXES = ['fe80::', 'fe80::', '2001:db8::', '2001:db8:1:2::', 'fd00:abcd::'].map(parseIpv6);

/** Unicast: a common /64 + IID, or 16 random bytes that are not multicast. */
export function arbUnicast(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    {
      arbitrary: fc.tuple(fc.constantFrom(...PREFIXES), arbIid()).map(([p, iid]) => ipv6FromPrefixAndIid(p, iid)),
      weight: 4,
    },
    { arbitrary: bytesOf(16).map((b) => (b[0] === 0xff ? Uint8Array.of(0xfe, ...b.subarray(1)) : b)), weight: 1 },
  );
}

// Multicast with `n` random trailing bytes and a random second byte (RFC 6282 §3.1.1 DAM forms).
function multicastTail(n: number): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.integer({ min: 0, max: 255 }), bytesOf(n)).map(([flagsScope, tail]) => {
    const a = new Uint8Array(16);
    a[0] = 0xff;
    a[1] = flagsScope;
    a.set(tail, 16 - n);
    return a;
  });
}

/** ff02::1, ff02::XX, ffXX::00XX:XXXX, ffXX::00XX:XXXX:XXXX or random multicast. */
export function arbMulticast(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.constant(parseIpv6('ff02::1')),
    fc.integer({ min: 0, max: 255 }).map((x) => Uint8Array.of(0xff, 0x02, ...new Uint8Array(13), x)),
    multicastTail(3),
    multicastTail(5),
    bytesOf(15).map((b) => Uint8Array.of(0xff, ...b)),
  );
}

export const arbSource = (): fc.Arbitrary<Uint8Array> =>
  fc.oneof({ arbitrary: fc.constant(new Uint8Array(16)), weight: 1 }, { arbitrary: arbUnicast(), weight: 5 });
export const arbDestination = (): fc.Arbitrary<Uint8Array> =>
  fc.oneof({ arbitrary: arbUnicast(), weight: 3 }, { arbitrary: arbMulticast(), weight: 2 });

/** Experimental option types (RFC 4727) that Wireshark and nodes skip. */
const arbOption = (): fc.Arbitrary<Ipv6Option> =>
  fc.record({ type: fc.constantFrom(0x1e, 0x3e, 0x5e, 0x7e), data: fc.uint8Array({ maxLength: 16 }) });

const arbOptionsHeader = (kind: OptionsHeader['kind']): fc.Arbitrary<ExtensionHeader> =>
  fc.array(arbOption(), { maxLength: 3 }).map((options) => ({ kind, options, pad: true }));

/** Routing header with Segments Left 0: experimental type 253/254 or type 2 (RFC 6275). */
const arbRouting = (): fc.Arbitrary<ExtensionHeader> =>
  fc.oneof(
    fc.tuple(fc.constantFrom(253, 254), fc.integer({ min: 0, max: 3 }).chain((k) => bytesOf(4 + 8 * k)))
      .map(([routingType, data]) => ({ kind: 'routing' as const, routingType, segmentsLeft: 0, data })),
    arbUnicast().map((a) => ({
      kind: 'routing' as const,
      routingType: 2,
      segmentsLeft: 0,
      data: Uint8Array.of(0, 0, 0, 0, ...a),
    })),
  );

/** Atomic fragment (offset 0, M = 0; RFC 6946). */
const arbFragment = (): fc.Arbitrary<ExtensionHeader> =>
  fc
    .integer({ min: 0, max: 0xffffffff })
    .map((identification) => ({ kind: 'fragment' as const, fragmentOffset: 0, more: false, identification }));

/** 0..max extension headers in RFC 8200 §4.1 order: HbH, Dest, Routing, Fragment, Dest. */
export function arbExtensions(max = 3): fc.Arbitrary<ExtensionHeader[]> {
  const candidates = fc.tuple(
    arbOptionsHeader('hop-by-hop'),
    arbOptionsHeader('destination'),
    arbRouting(),
    arbFragment(),
    arbOptionsHeader('destination'),
  );
  return fc
    .tuple(candidates, fc.subarray([0, 1, 2, 3, 4], { maxLength: max }))
    .map(([hs, picked]) => picked.map((i) => hs[i]));
}

export const arbPort = (): fc.Arbitrary<number> =>
  fc.oneof(
    fc.integer({ min: 0xf0b0, max: 0xf0bf }), // RFC 6282 §4.3.3 4-bit compressible
    fc.integer({ min: 0xf000, max: 0xf0ff }), // 8-bit compressible
    fc.integer({ min: 0, max: 0xffff }),
  );

export type UpperKind = 'udp' | 'icmpv6' | 'raw';
const UPPER_HEADER_LEN: Record<UpperKind, number> = { udp: 8, icmpv6: 8, raw: 0 };

// Payload length in 0..budget, biased toward small sizes and the extremes.
const arbPayload = (budget: number): fc.Arbitrary<Uint8Array> =>
  fc
    .oneof(fc.integer({ min: 0, max: Math.min(budget, 48) }), fc.integer({ min: 0, max: budget }), fc.constant(budget))
    .chain((n) => bytesOf(n));

function arbUpper(kind: UpperKind, budget: number): fc.Arbitrary<UpperSpec> {
  const payload = arbPayload(budget);
  if (kind === 'udp') {
    return fc.record({ srcPort: arbPort(), dstPort: arbPort(), payload }).map((u) => ({ kind: 'udp' as const, ...u }));
  }
  if (kind === 'icmpv6') {
    const u16 = fc.integer({ min: 0, max: 0xffff });
    return fc.tuple(fc.boolean(), u16, u16, payload).map(([reply, id, seq, data]) => ({
      kind: 'icmpv6' as const,
      type: reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST,
      code: 0,
      body: echoBody(id, seq, data),
    }));
  }
  const nh = fc.oneof(fc.constantFrom(253, 254), fc.integer({ min: 146, max: 252 }));
  return fc.tuple(nh, payload).map(([nextHeader, bytes]) => ({ kind: 'raw' as const, nextHeader, bytes }));
}

export interface ArbIpv6PacketOptions {
  maxSize?: number; // total packet size limit, default 1280 (IPv6 minimum MTU)
  upper?: UpperKind[]; // default all three
  maxExtensions?: number; // default 3
}

export interface GeneratedPacket {
  bytes: Uint8Array;
  spec: Ipv6PacketSpec; // the representation the bytes were built from
}

/** Random valid IPv6 packets of 40..maxSize bytes. */
export function arbIpv6Packet(opts: ArbIpv6PacketOptions = {}): fc.Arbitrary<GeneratedPacket> {
  const maxSize = opts.maxSize ?? 1280;
  const base = fc.record({
    src: arbSource(),
    dst: arbDestination(),
    trafficClass: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })),
    flowLabel: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xfffff })),
    hopLimit: fc.oneof(fc.constantFrom(1, 64, 255), fc.integer({ min: 0, max: 255 })),
    extensions: arbExtensions(opts.maxExtensions ?? 3),
    kind: fc.constantFrom(...(opts.upper ?? (['udp', 'icmpv6', 'raw'] as UpperKind[]))),
  });
  return base.chain(({ kind, ...rest }) => {
    const budget = maxSize - 40 - emitExtensionChain(rest.extensions, 0).length - UPPER_HEADER_LEN[kind];
    if (budget < 0) throw new Error(`arbIpv6Packet: maxSize ${maxSize} too small for the generated headers`);
    return arbUpper(kind, budget).map((upper) => {
      const spec: Ipv6PacketSpec = { ...rest, upper };
      return { bytes: buildIpv6Packet(spec), spec };
    });
  });
}
