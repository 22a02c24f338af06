// The core's Neighbor Discovery codec (firmware/assembly/wire/ndp.ts) through
// build/test/ndp-harness.wasm, checked with the tester's own ND library
// (host/packet/ndp.ts): one test per validation rule of RFC 4861 §6.1.1,
// §6.1.2, §7.1.1, §7.1.2 and §8.1 and per option rule of RFC 6775 / RFC 8505,
// the accessors, the emitters, and random messages and mutations.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AddrMode } from '../abi/layout.js';
import { Reason, REASON_COUNT } from '../abi/reason.js';
import { arbLinkAddress } from '../../host/packet/arbitraries.js';
import { ipv6PseudoHeaderChecksum } from '../../host/packet/checksum.js';
import { parseHex } from '../../host/packet/hex.js';
import { parseIpv6 } from '../../host/packet/ipv6-address.js';
import { shortAddress, type LinkAddress } from '../../host/packet/link-address.js';
import {
  buildNdPacket,
  encodeNdOption,
  parseNdMessage,
  solicitedNodeAddress,
  type NdMessage,
  type NdOption,
  type NdPacketSpec,
} from '../../host/packet/ndp.js';

const WASM = 'build/test/ndp-harness.wasm';

interface Harness {
  memory: WebAssembly.Memory;
  pkt(): number;
  out(): number;
  arg(): number;
  validateNd(ip6: number, icmp: number, len: number): number;
  indexOptions(icmp: number, len: number, fixedLen: number): number;
  optFind(type: number): number;
  optLen(type: number): number;
  pioCount(): number;
  pioAt(i: number): number;
  ctxOptCount(): number;
  ctxOptAt(i: number): number;
  [accessor: string]: any;
}

let x: Harness;
const mem = () => new Uint8Array(x.memory.buffer);
const u = (v: number) => v >>> 0;

beforeAll(() => {
  const module = new WebAssembly.Module(readFileSync(WASM));
  expect(WebAssembly.Module.imports(module)).toEqual([]);
  x = new WebAssembly.Instance(module, {}).exports as unknown as Harness;
});

/** Copies a whole IPv6 packet (no extension headers) into the harness and validates it. */
function validate(packet: Uint8Array): number {
  const p = x.pkt();
  mem().set(packet, p);
  return x.validateNd(p, p + 40, packet.length - 40);
}

/** Offset of an option pointer inside the ICMPv6 message in pkt(). */
const at = (ptr: number) => (ptr === 0 ? -1 : ptr - x.pkt() - 40);
const bytesAt = (ptr: number, n: number) => mem().slice(ptr, ptr + n);

// ---------------------------------------------------------------- fixtures

const LL = parseIpv6('fe80::1');
const LL2 = parseIpv6('fe80::2');
const G = parseIpv6('2001:db8::5');
const G2 = parseIpv6('2001:db8::77');
const UNSPEC = new Uint8Array(16);
const ALL_NODES = parseIpv6('ff02::1');
const ALL_ROUTERS = parseIpv6('ff02::2');
const EXT: LinkAddress = { mode: 'extended', bytes: parseHex('00124b0001020304') };
const SHORT = shortAddress(0xbeef);
const ROVR = parseHex('0102030405060708');
const sllao: NdOption = { kind: 'sllao', addr: EXT };
const zeroLen: NdOption = { kind: 'raw', type: 200, length: 0, body: new Uint8Array(6) };
const overrun: NdOption = { kind: 'raw', type: 200, length: 2, body: new Uint8Array(6) };
const pio = (over: Partial<Extract<NdOption, { kind: 'pio' }>> = {}): NdOption => ({
  kind: 'pio', prefixLength: 64, onLink: true, autonomous: true, validLifetime: 86400, preferredLifetime: 14400,
  prefix: parseIpv6('2001:db8:1::'), ...over,
});
const ctx = (cid: number, contextLength: number, prefix: Uint8Array): NdOption => ({
  kind: '6co', contextLength, compression: true, cid, validLifetime: 60, prefix,
});
const aro = (rovr = ROVR): NdOption => ({ kind: 'aro', status: 0, lifetime: 60, r: true, t: true, tid: 7, rovr });

const RS: NdMessage = { kind: 'rs', options: [sllao] };
const RA: NdMessage = {
  kind: 'ra', curHopLimit: 64, managed: false, other: false, routerLifetime: 1800, reachableTime: 0, retransTimer: 0,
  options: [sllao, { kind: 'mtu', mtu: 1280 }, pio(), ctx(1, 64, parseHex('20010db800010000')), { kind: 'abro', version: 1, validLifetime: 0, address: G }],
};
const NS: NdMessage = { kind: 'ns', target: G, options: [sllao, aro()] };
const NA: NdMessage = { kind: 'na', router: true, solicited: true, override: true, target: G, options: [{ kind: 'tllao', addr: EXT }, aro()] };
const RD: NdMessage = { kind: 'redirect', target: LL2, destination: G2, options: [{ kind: 'tllao', addr: SHORT }, { kind: 'redirected', packet: new Uint8Array(40) }] };

const withOptions = (m: NdMessage, options: NdOption[]): NdMessage => ({ ...m, options });

/** Default addressing per message: RA/Redirect from a router's link-local address. */
function pkt(message: NdMessage, over: Partial<NdPacketSpec> = {}): Uint8Array {
  const addrs = {
    rs: { src: LL, dst: ALL_ROUTERS },
    ra: { src: LL2, dst: ALL_NODES },
    ns: { src: G, dst: LL2 },
    na: { src: LL2, dst: G },
    redirect: { src: LL2, dst: G },
  }[message.kind];
  return buildNdPacket({ ...addrs, message, ...over });
}

// ---------------------------------------------------------------- validation rules

type Case = [name: string, packet: Uint8Array, reason: Reason | 0];

const cases: Record<string, Case[]> = {
  'RS (RFC 4861 §6.1.1)': [
    ['valid with an SLLAO', pkt(RS), 0],
    ['valid from :: without an SLLAO', pkt(withOptions(RS, []), { src: UNSPEC }), 0],
    ['hop limit 254', pkt(RS, { hopLimit: 254 }), Reason.NdHopLimit],
    ['code 1', pkt(RS, { code: 1 }), Reason.NdCode],
    ['ICMP length 7 (< 8)', pkt(withOptions(RS, []), { truncate: 7 }), Reason.NdLength],
    ['option with length 0', pkt(withOptions(RS, [zeroLen])), Reason.NdOptionLength],
    ['option running past the message', pkt(withOptions(RS, [overrun])), Reason.NdOptionLength],
    ['from :: with an SLLAO', pkt(RS, { src: UNSPEC }), Reason.NdUnspecifiedSource],
  ],
  'RA (RFC 4861 §6.1.2, RFC 6775 §4.2, §4.3)': [
    ['valid with SLLAO, MTU, PIO, 6CO, ABRO', pkt(RA), 0],
    ['valid with no options', pkt(withOptions(RA, [])), 0],
    ['source not link-local', pkt(RA, { src: G }), Reason.NdRouterSource],
    ['source ::', pkt(RA, { src: UNSPEC }), Reason.NdRouterSource],
    ['hop limit 1', pkt(RA, { hopLimit: 1 }), Reason.NdHopLimit],
    ['code 255', pkt(RA, { code: 255 }), Reason.NdCode],
    ['ICMP length 15 (< 16)', pkt(withOptions(RA, []), { truncate: 15 }), Reason.NdLength],
    ['option with length 0', pkt(withOptions(RA, [sllao, zeroLen])), Reason.NdOptionLength],
    ['option running past the message', pkt(withOptions(RA, [overrun])), Reason.NdOptionLength],
    ['PIO with Length 3 (§4.6.2: 4)', pkt(withOptions(RA, [{ kind: 'raw', type: 3, body: new Uint8Array(22) }])), Reason.NdOptionInvalid],
    ['PIO with prefix length 129', pkt(withOptions(RA, [pio({ prefixLength: 129 })])), Reason.NdOptionInvalid],
    ['MTU with Length 2 (§4.6.4: 1)', pkt(withOptions(RA, [{ kind: 'raw', type: 5, body: new Uint8Array(14) }])), Reason.NdOptionInvalid],
    ['6CO with context length 65 in Length 2', pkt(withOptions(RA, [ctx(2, 65, new Uint8Array(8))])), Reason.NdOptionInvalid],
    ['6CO with context length 129', pkt(withOptions(RA, [ctx(2, 129, new Uint8Array(16))])), Reason.NdOptionInvalid],
    ['6CO with Length 4', pkt(withOptions(RA, [{ kind: 'raw', type: 34, body: new Uint8Array(30) }])), Reason.NdOptionInvalid],
    ['6CO with Length 1', pkt(withOptions(RA, [{ kind: 'raw', type: 34, body: new Uint8Array(6) }])), Reason.NdOptionInvalid],
    ['valid 6CO: context length 128 in Length 3', pkt(withOptions(RA, [ctx(3, 128, G)])), 0],
    ['valid 6CO: context length 40 in Length 3', pkt(withOptions(RA, [ctx(3, 40, G)])), 0],
    ['ABRO with Length 2 (RFC 6775 §4.3: 3)', pkt(withOptions(RA, [{ kind: 'raw', type: 35, body: new Uint8Array(14) }])), Reason.NdOptionInvalid],
    ['ARO in an RA is ignored, whatever its length', pkt(withOptions(RA, [{ kind: 'raw', type: 33, body: new Uint8Array(6) }])), 0],
  ],
  'NS (RFC 4861 §7.1.1, RFC 6775 §4.1, RFC 8505 §4.1)': [
    ['valid with SLLAO and EARO', pkt(NS), 0],
    ['valid from :: to the solicited-node group', pkt(withOptions(NS, []), { src: UNSPEC, dst: solicitedNodeAddress(G) }), 0],
    ['valid with a 256-bit ROVR (Length 5)', pkt(withOptions(NS, [sllao, aro(new Uint8Array(32))])), 0],
    ['hop limit 64', pkt(NS, { hopLimit: 64 }), Reason.NdHopLimit],
    ['code 1', pkt(NS, { code: 1 }), Reason.NdCode],
    ['ICMP length 23 (< 24)', pkt(withOptions(NS, []), { truncate: 23 }), Reason.NdLength],
    ['target multicast', pkt({ ...NS, target: ALL_NODES }), Reason.NdTargetMulticast],
    ['option with length 0', pkt(withOptions(NS, [zeroLen])), Reason.NdOptionLength],
    ['option running past the message', pkt(withOptions(NS, [sllao, overrun])), Reason.NdOptionLength],
    ['from :: with an SLLAO', pkt(NS, { src: UNSPEC, dst: solicitedNodeAddress(G) }), Reason.NdUnspecifiedSource],
    ['from :: to a unicast address', pkt(withOptions(NS, []), { src: UNSPEC, dst: LL2 }), Reason.NdUnspecifiedSource],
    ['from :: to all-nodes', pkt(withOptions(NS, []), { src: UNSPEC, dst: ALL_NODES }), Reason.NdUnspecifiedSource],
    ['ARO with Length 1', pkt(withOptions(NS, [{ kind: 'raw', type: 33, body: new Uint8Array(6) }])), Reason.NdOptionInvalid],
    ['EARO with Length 6 (ROVR > 256 bits)', pkt(withOptions(NS, [{ kind: 'raw', type: 33, body: new Uint8Array(46) }])), Reason.NdOptionInvalid],
    ['a PIO of any length in an NS is ignored', pkt(withOptions(NS, [{ kind: 'raw', type: 3, body: new Uint8Array(6) }])), 0],
  ],
  'NA (RFC 4861 §7.1.2, RFC 6775 §4.1, RFC 8505 §4.1)': [
    ['valid with TLLAO and EARO', pkt(NA), 0],
    ['valid unsolicited to all-nodes', pkt({ ...NA, solicited: false }, { dst: ALL_NODES }), 0],
    ['hop limit 0', pkt(NA, { hopLimit: 0 }), Reason.NdHopLimit],
    ['code 1', pkt(NA, { code: 1 }), Reason.NdCode],
    ['ICMP length 20 (< 24)', pkt(withOptions(NA, []), { truncate: 20 }), Reason.NdLength],
    ['target multicast', pkt({ ...NA, target: parseIpv6('ff05::fb') }), Reason.NdTargetMulticast],
    ['Solicited flag to a multicast destination', pkt(NA, { dst: ALL_NODES }), Reason.NdSolicitedMulticast],
    ['option with length 0', pkt(withOptions(NA, [zeroLen])), Reason.NdOptionLength],
    ['option running past the message', pkt(withOptions(NA, [overrun])), Reason.NdOptionLength],
    ['ARO with Length 1', pkt(withOptions(NA, [{ kind: 'raw', type: 33, body: new Uint8Array(6) }])), Reason.NdOptionInvalid],
  ],
  'Redirect (RFC 4861 §8.1)': [
    ['valid to a link-local target', pkt(RD), 0],
    ['valid to the destination itself', pkt({ ...RD, target: G2 }), 0],
    ['source not link-local', pkt(RD, { src: G }), Reason.NdRouterSource],
    ['hop limit 128', pkt(RD, { hopLimit: 128 }), Reason.NdHopLimit],
    ['code 1', pkt(RD, { code: 1 }), Reason.NdCode],
    ['ICMP length 39 (< 40)', pkt(withOptions(RD, []), { truncate: 39 }), Reason.NdLength],
    ['destination multicast', pkt({ ...RD, destination: ALL_NODES }), Reason.NdRedirectInvalid],
    ['target neither link-local nor the destination', pkt({ ...RD, target: G }), Reason.NdRedirectInvalid],
    ['option with length 0', pkt(withOptions(RD, [zeroLen])), Reason.NdOptionLength],
    ['option running past the message', pkt(withOptions(RD, [overrun])), Reason.NdOptionLength],
  ],
  'ICMPv6 framing': [
    ['not an ND type (Echo Request)', pkt(RS, { type: 128 }), Reason.Icmpv6UnknownType],
    ['3 octets of ICMPv6', pkt(RS, { truncate: 3 }), Reason.Icmpv6Truncated],
    ['one stray octet after the options', pkt(withOptions(RS, [{ kind: 'raw', type: 200, length: 1, body: new Uint8Array(7) }])), Reason.NdOptionLength],
  ],
};

describe('validateNd: one test per rule', () => {
  for (const [group, list] of Object.entries(cases)) {
    describe(group, () => {
      it.each(list)('%s', (_name, packet, reason) => {
        expect(Reason[validate(packet)] ?? validate(packet)).toBe(Reason[reason]);
      });
    });
  }
  it('the checksum is not its business (the caller verified it)', () => {
    expect(validate(pkt(NS, { forceChecksum: 0 }))).toBe(0);
  });
});

// ---------------------------------------------------------------- index and accessors

describe('option index and accessors', () => {
  it('indexes the first of each option type and up to 16 PIOs and 16 6COs (RFC 6775 §5.4.2: every 6CO counts)', () => {
    const seventeen = Array.from({ length: 17 }, (_, i) => i);
    const pios = seventeen.map((i) => pio({ prefix: parseIpv6(`2001:db8:${i}::`), prefixLength: 40 + i }));
    // Context IDs 0..15, then 0 again: the 17th is past the list.
    const ctxs = seventeen.map((i) => ctx(i & 15, 64, parseHex(`20010db8${(i + 0x100).toString(16).slice(1)}000000`)));
    const m = withOptions(RA, [sllao, ...pios, { kind: 'mtu', mtu: 1280 }, ...ctxs, { kind: 'mtu', mtu: 9000 }]);
    expect(validate(pkt(m))).toBe(0);
    expect(x.pioCount()).toBe(16);
    expect(x.ctxOptCount()).toBe(16);
    expect(seventeen.slice(0, 16).map((i) => x.pioPrefixLen(x.pioAt(i)))).toEqual(seventeen.slice(0, 16).map((i) => 40 + i));
    expect(seventeen.slice(0, 16).map((i) => x.ctxOptCid(x.ctxOptAt(i)))).toEqual(seventeen.slice(0, 16));
    expect([x.pioAt(16), x.pioAt(-1), x.ctxOptAt(16)]).toEqual([0, 0, 0]);
    expect(at(x.optFind(1))).toBe(16);
    expect(at(x.optFind(3))).toBe(32);
    expect(at(x.optFind(5))).toBe(32 + 17 * 32);
    expect(x.mtuValue(x.optFind(5))).toBe(1280); // the first MTU option
    expect([x.optFind(2), x.optFind(35), x.optFind(36), x.optFind(1000)]).toEqual([0, 0, 0, 0]);
    expect([x.optLen(1), x.optLen(3), x.optLen(5), x.optLen(34), x.optLen(2)]).toEqual([16, 32, 8, 16, 0]);
  });

  it('indexOptions alone: framing only, any fixed length', () => {
    const icmp = x.pkt() + 40;
    const body = Uint8Array.of(...encodeNdOption({ kind: 'raw', type: 3, body: new Uint8Array(6) }), ...encodeNdOption(sllao));
    mem().set(body, icmp + 4);
    expect(x.indexOptions(icmp, 4 + body.length, 4)).toBe(0);
    expect(x.pioCount()).toBe(1);
    expect(at(x.optFind(1))).toBe(12);
    mem()[icmp + 5] = 0;
    expect(x.indexOptions(icmp, 4 + body.length, 4)).toBe(Reason.NdOptionLength);
    expect(x.indexOptions(icmp, 3, 4)).toBe(0); // nothing after the fixed part
  });

  it('reads the RA fixed part, PIO, MTU, 6CO, ABRO and SLLAO', () => {
    const m: NdMessage = {
      kind: 'ra', curHopLimit: 64, managed: true, other: true, routerLifetime: 0xffff, reachableTime: 0xfedcba98, retransTimer: 1000,
      options: [
        { kind: 'sllao', addr: SHORT },
        pio({ onLink: false, autonomous: true, validLifetime: 0xffffffff, preferredLifetime: 0x80000000 }),
        { kind: 'mtu', mtu: 1280 },
        { kind: '6co', contextLength: 112, compression: false, cid: 9, validLifetime: 0xffff, prefix: parseIpv6('2001:db8:1:2:3:4:5::') },
        { kind: 'abro', version: 0xfedc1234, validLifetime: 10000, address: G },
      ],
    };
    expect(validate(pkt(m))).toBe(0);
    const icmp = x.pkt() + 40;
    expect([x.raCurHopLimit(icmp), x.raFlags(icmp), x.raRouterLifetime(icmp), u(x.raReachable(icmp)), x.raRetrans(icmp)]).toEqual([
      64, 0xc0, 0xffff, 0xfedcba98, 1000,
    ]);
    const s = x.optFind(1);
    expect(x.llMode(s)).toBe(AddrMode.Short);
    expect(bytesAt(x.llAddr(s), 2)).toEqual(SHORT.bytes);
    const p = x.pioAt(0);
    expect([x.pioPrefixLen(p), x.pioFlagL(p), x.pioFlagA(p), u(x.pioValid(p)), u(x.pioPreferred(p))]).toEqual([64, 0, 1, 0xffffffff, 0x80000000]);
    expect(bytesAt(x.pioPrefix(p), 16)).toEqual(parseIpv6('2001:db8:1::'));
    expect(x.mtuValue(x.optFind(5))).toBe(1280);
    const c = x.ctxOptAt(0);
    expect([x.ctxOptLen(c), x.ctxOptC(c), x.ctxOptCid(c), x.ctxOptLifetime(c)]).toEqual([112, 0, 9, 0xffff]);
    expect(bytesAt(x.ctxOptPrefix(c), 16)).toEqual(parseIpv6('2001:db8:1:2:3:4:5::'));
    const a = x.optFind(35);
    expect([u(x.abroVersion(a)), x.abroLifetime(a)]).toEqual([0xfedc1234, 10000]);
    expect(bytesAt(x.abroAddress(a), 16)).toEqual(G);
  });

  it('reads NS/NA targets, NA flags, ARO and EARO fields, extended link addresses', () => {
    const earo: NdOption = { kind: 'aro', status: 9, opaque: 0xaa, i: 1, r: true, t: true, tid: 0xf3, lifetime: 0xabcd, rovr: new Uint8Array(16).fill(7) };
    expect(validate(pkt(withOptions({ ...NA, router: false }, [{ kind: 'tllao', addr: EXT }, earo])))).toBe(0);
    const icmp = x.pkt() + 40;
    expect(x.naFlags(icmp)).toBe(0x60);
    expect(bytesAt(x.nsTarget(icmp), 16)).toEqual(G);
    const t = x.optFind(2);
    expect(x.llMode(t)).toBe(AddrMode.Extended);
    expect(bytesAt(x.llAddr(t), 8)).toEqual(EXT.bytes);
    const p = x.optFind(33);
    expect([x.aroStatus(p), x.earoOpaque(p), x.earoFlags(p), x.earoTid(p), x.aroLifetime(p), x.aroRovrLen(p)]).toEqual([
      9, 0xaa, 0x07, 0xf3, 0xabcd, 16,
    ]);
    expect(bytesAt(x.aroRovr(p), 16)).toEqual(new Uint8Array(16).fill(7));
    // A link-layer option of another length is not an 802.15.4 address.
    expect(validate(pkt(withOptions(RS, [{ kind: 'raw', type: 1, body: new Uint8Array(22) }])))).toBe(0);
    expect(x.llMode(x.optFind(1))).toBe(AddrMode.None);
  });

  it('indexes and reads a 6CIO (RFC 7400 §3.3; E flag of RFC 8505 §4.3) in an RA and an RS', () => {
    // Octets 2-3: Reserved(10) D L B P E G; octets 4-7 reserved.
    const cio = (flags: number, extra = 0): NdOption => ({ kind: 'raw', type: 36, body: Uint8Array.of(flags >> 8, flags & 0xff, 0, 0, 0, 0, ...new Uint8Array(extra)) });
    expect(validate(pkt(withOptions(RA, [sllao, cio(0x0012), cio(0)])))).toBe(0);
    expect(at(x.optFind(36))).toBe(16 + 16); // the first one
    expect(x.optLen(36)).toBe(8);
    expect(x.cioFlags(x.optFind(36))).toBe(0x0012);
    expect(x.cioFlags(x.optFind(36)) & x.CIO_E.value).toBe(2);
    expect(validate(pkt(withOptions(RS, [sllao, cio(0xffff)])))).toBe(0);
    expect(x.cioFlags(x.optFind(36))).toBe(0xffff);
    // A longer 6CIO (flags a later document may add) is not an error: its first flags are read.
    expect(validate(pkt(withOptions(RA, [cio(0x0001, 8)])))).toBe(0);
    expect([x.optLen(36), x.cioFlags(x.optFind(36))]).toEqual([16, 1]);
    expect(validate(pkt(withOptions(RA, [{ ...cio(2), lengthField: 0 }])))).toBe(Reason.NdOptionLength);
  });

  it('reads the Redirect destination and Redirected Header', () => {
    expect(validate(pkt(RD))).toBe(0);
    const icmp = x.pkt() + 40;
    expect(bytesAt(x.nsTarget(icmp), 16)).toEqual(LL2);
    expect(bytesAt(x.redirectDestination(icmp), 16)).toEqual(G2);
    const h = x.optFind(4);
    expect(at(x.redirectedPacket(h))).toBe(40 + 8 + 8);
    expect(x.redirectedLen(h)).toBe(40);
  });
});

// ---------------------------------------------------------------- emitters

const MODE = { short: AddrMode.Short, extended: AddrMode.Extended } as const;

/** Writes target, link address and ROVR to arg(); returns their pointers. */
function args(target: Uint8Array, link: LinkAddress | undefined, rovr: Uint8Array): [number, number, number, number] {
  const a = x.arg();
  mem().set(target, a);
  if (link) mem().set(link.bytes, a + 16);
  mem().set(rovr, a + 32);
  return [a, link ? MODE[link.mode] : AddrMode.None, a + 16, a + 32];
}

const emitted = (n: number) => mem().slice(x.out(), x.out() + n);

const arbLink = fc.option(arbLinkAddress(), { nil: undefined });
const arbAro = fc.option(
  fc.record({ status: fc.integer({ min: 0, max: 255 }), lifetime: fc.integer({ min: 0, max: 0xffff }), earo: fc.boolean(), tid: fc.integer({ min: 0, max: 255 }) }),
  { nil: undefined },
);
const arbTarget = fc.uint8Array({ minLength: 16, maxLength: 16 });
const arbRovr = fc.uint8Array({ minLength: 8, maxLength: 8 });

type AroArgs = { status: number; lifetime: number; earo: boolean; tid: number } | undefined;

function expectedAro(a: AroArgs, rovr: Uint8Array, earoFlags: { r: boolean }): NdOption[] {
  if (!a) return [];
  return [{
    kind: 'aro', status: a.status, opaque: 0, reservedFlags: 0, i: 0, r: a.earo && earoFlags.r, t: a.earo, tid: a.earo ? a.tid : 0,
    lifetime: a.lifetime, rovr,
  }];
}

describe('emitters, parsed by host/packet/ndp.ts', () => {
  it('emitRs: without, with a short and with an extended SLLAO (RFC 4944 §8)', () => {
    for (const link of [undefined, SHORT, EXT]) {
      const [, mode, ll] = args(UNSPEC, link, ROVR);
      const n = x.emitRs(x.out(), mode, ll);
      expect(n).toBe(8 + (link ? (link.mode === 'short' ? 8 : 16) : 0));
      expect(parseNdMessage(emitted(n))).toEqual({
        type: 133, code: 0, checksum: 0, message: { kind: 'rs', reserved: 0, options: link ? [{ kind: 'sllao', addr: link }] : [] },
      });
    }
    x.emitRs(x.out(), AddrMode.Short, args(UNSPEC, SHORT, ROVR)[2]);
    expect(Array.from(emitted(16))).toEqual([133, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xbe, 0xef, 0, 0, 0, 0]);
  });

  it('emitRs: with a 6CIO after the SLLAO when given capability flags (RFC 8505 §6.1)', () => {
    for (const link of [undefined, SHORT, EXT]) {
      const [, mode, ll] = args(UNSPEC, link, ROVR);
      const n = x.emitRs(x.out(), mode, ll, 0x0002);
      const sl = link ? (link.mode === 'short' ? 8 : 16) : 0;
      expect(n).toBe(8 + sl + 8);
      expect(parseNdMessage(emitted(n)).message).toEqual({
        kind: 'rs', reserved: 0,
        options: [...(link ? [{ kind: 'sllao', addr: link }] : []), { kind: 'raw', type: 36, length: 1, body: Uint8Array.of(0, 2, 0, 0, 0, 0) }],
      });
      expect(Array.from(emitted(n).subarray(8 + sl))).toEqual([36, 1, 0, 2, 0, 0, 0, 0]);
    }
  });

  it('emitNs: SLLAO with ARO (RFC 6775) and with EARO: T, TID and R set (RFC 8505 §5.1)', () => {
    fc.assert(
      fc.property(arbTarget, arbLink, arbAro, arbRovr, (target, link, a, rovr) => {
        const [t, mode, ll, rv] = args(target, link, rovr);
        const n = x.emitNs(x.out(), t, mode, ll, a !== undefined, a?.status ?? 0, a?.lifetime ?? 0, a?.earo ?? false, a?.tid ?? 0, rv);
        const options: NdOption[] = [...(link ? [{ kind: 'sllao' as const, addr: link }] : []), ...expectedAro(a, rovr, { r: true })];
        expect(parseNdMessage(emitted(n)).message).toEqual({ kind: 'ns', reserved: 0, target, options });
      }),
    );
  });

  it('emitNa: R, S, O flags, TLLAO and (E)ARO with a status', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), arbTarget, arbLink, arbAro, arbRovr, (flags, target, link, a, rovr) => {
        const [t, mode, ll, rv] = args(target, link, rovr);
        const n = x.emitNa(x.out(), flags << 5, t, mode, ll, a !== undefined, a?.status ?? 0, a?.lifetime ?? 0, a?.earo ?? false, a?.tid ?? 0, rv);
        const options: NdOption[] = [...(link ? [{ kind: 'tllao' as const, addr: link }] : []), ...expectedAro(a, rovr, { r: false })];
        expect(parseNdMessage(emitted(n)).message).toEqual({
          kind: 'na', router: (flags & 4) !== 0, solicited: (flags & 2) !== 0, override: (flags & 1) !== 0, reserved: 0, target, options,
        });
      }),
    );
  });

  it('what the emitters write passes validateNd once the caller adds the checksum', () => {
    const [t, mode, ll, rv] = args(G, EXT, ROVR);
    const check = (n: number, src: Uint8Array, dst: Uint8Array) => {
      const icmp = emitted(n);
      const sum = ipv6PseudoHeaderChecksum(src, dst, n, 58, icmp);
      icmp[2] = sum >> 8;
      icmp[3] = sum & 0xff;
      const parsed = parseNdMessage(icmp);
      return validate(buildNdPacket({ src, dst, message: parsed.message }));
    };
    expect(check(x.emitRs(x.out(), mode, ll), LL, ALL_ROUTERS)).toBe(0);
    expect(check(x.emitNs(x.out(), t, mode, ll, true, 0, 60, true, 1, rv), G, LL2)).toBe(0);
    expect(check(x.emitNa(x.out(), 0x60, t, mode, ll, true, 0, 60, true, 1, rv), G, LL2)).toBe(0);
  });
});

// ---------------------------------------------------------------- random messages and mutations

const arbLinkLocal = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((iid) => Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, ...iid));
const arbGlobal = fc.uint8Array({ minLength: 14, maxLength: 14 }).map((b) => Uint8Array.of(0x20, 0x01, ...b));
const arbUnicastAddr = fc.oneof(arbLinkLocal, arbGlobal);
const arbMcast = fc.uint8Array({ minLength: 15, maxLength: 15 }).map((b) => Uint8Array.of(0xff, ...b));
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

/** Options no message here checks: unassigned/experimental types, any valid length. */
const arbUnknown: fc.Arbitrary<NdOption> = fc
  .tuple(fc.constantFrom(6, 24, 25, 31, 36, 100, 253, 254), fc.integer({ min: 0, max: 3 }))
  .chain(([type, k]) => bytes(6 + 8 * k).map((body): NdOption => ({ kind: 'raw', type, body })));
const arbLl = (kind: 'sllao' | 'tllao') => arbLinkAddress().map((addr): NdOption => ({ kind, addr }));
const arbValidAro: fc.Arbitrary<NdOption> = fc.record({
  kind: fc.constant('aro' as const), status: u8, opaque: u8, i: fc.integer({ min: 0, max: 3 }), r: fc.boolean(), t: fc.boolean(), tid: u8,
  lifetime: u16, rovr: fc.constantFrom(8, 16, 24, 32).chain(bytes),
});
const arbValidPio: fc.Arbitrary<NdOption> = fc.record({
  kind: fc.constant('pio' as const), prefixLength: fc.integer({ min: 0, max: 128 }), onLink: fc.boolean(), autonomous: fc.boolean(),
  reserved1: fc.integer({ min: 0, max: 0x3f }), validLifetime: u32, preferredLifetime: u32, reserved2: u32, prefix: bytes(16),
});
const arbValidCtx: fc.Arbitrary<NdOption> = fc
  .integer({ min: 0, max: 128 })
  .chain((contextLength) =>
    fc.record({
      kind: fc.constant('6co' as const), contextLength: fc.constant(contextLength), compression: fc.boolean(),
      cid: fc.integer({ min: 0, max: 15 }), reservedBits: fc.integer({ min: 0, max: 7 }), validLifetime: u16,
      prefix: contextLength > 64 ? bytes(16) : fc.constantFrom(8, 16).chain(bytes),
    }),
  );
const arbValidMtu = fc.record({ kind: fc.constant('mtu' as const), mtu: u32, reserved: u16 });
const arbValidAbro = fc.record({ kind: fc.constant('abro' as const), version: u32, validLifetime: u16, address: bytes(16) });
const arbRedirected = fc.integer({ min: 0, max: 6 }).chain((k) => bytes(8 * k)).map((packet): NdOption => ({ kind: 'redirected', packet }));
const opts = (...arbs: fc.Arbitrary<NdOption>[]) => fc.array(fc.oneof(...arbs, arbUnknown), { maxLength: 8 });

/** A packet every rule of RFC 4861 §6.1-§8.1 (and the option rules) accepts. */
const arbValidNd: fc.Arbitrary<NdPacketSpec> = fc.oneof(
  fc.record({
    src: arbUnicastAddr, dst: fc.oneof(fc.constant(ALL_ROUTERS), arbLinkLocal), hopLimit: fc.constant(255),
    message: fc.record({ kind: fc.constant('rs' as const), reserved: u32, options: opts(arbLl('sllao'), arbLl('tllao')) }),
  }),
  fc.record({ src: fc.constant(UNSPEC), dst: fc.constant(ALL_ROUTERS), message: fc.record({ kind: fc.constant('rs' as const), options: opts(arbLl('tllao')) }) }),
  fc.record({
    src: arbLinkLocal, dst: fc.oneof(fc.constant(ALL_NODES), arbUnicastAddr),
    message: fc.record({
      kind: fc.constant('ra' as const), curHopLimit: u8, managed: fc.boolean(), other: fc.boolean(), flagsRest: fc.integer({ min: 0, max: 0x3f }),
      routerLifetime: u16, reachableTime: u32, retransTimer: u32,
      options: opts(arbLl('sllao'), arbValidPio, arbValidMtu, arbValidCtx, arbValidAbro, arbValidAro),
    }),
  }),
  fc.record({
    src: arbUnicastAddr, dst: fc.oneof(arbUnicastAddr, arbMcast),
    message: fc.record({ kind: fc.constant('ns' as const), reserved: u32, target: arbUnicastAddr, options: opts(arbLl('sllao'), arbValidAro, arbRedirected) }),
  }),
  arbUnicastAddr.chain((target) =>
    fc.record({
      src: fc.constant(UNSPEC), dst: fc.constant(solicitedNodeAddress(target)),
      message: fc.record({ kind: fc.constant('ns' as const), target: fc.constant(target), options: opts(arbValidAro, arbLl('tllao')) }),
    }),
  ),
  fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()).chain(([router, solicited, override]) =>
    fc.record({
      src: arbUnicastAddr, dst: solicited ? arbUnicastAddr : fc.oneof(arbUnicastAddr, arbMcast),
      message: fc.record({
        kind: fc.constant('na' as const), router: fc.constant(router), solicited: fc.constant(solicited), override: fc.constant(override),
        reserved: fc.integer({ min: 0, max: 0x1fffffff }), target: arbUnicastAddr, options: opts(arbLl('tllao'), arbValidAro),
      }),
    }),
  ),
  arbUnicastAddr.chain((destination) =>
    fc.record({
      src: arbLinkLocal, dst: arbUnicastAddr,
      message: fc.record({
        kind: fc.constant('redirect' as const), reserved: u32, target: fc.oneof(arbLinkLocal, fc.constant(destination)),
        destination: fc.constant(destination), options: opts(arbLl('tllao'), arbRedirected, arbLl('sllao')),
      }),
    }),
  ),
);

/** A change to a valid packet: octets overwritten, or the ICMPv6 length cut or grown. */
type Mutation = { kind: 'set'; edits: Array<[number, number]> } | { kind: 'length'; delta: number };
const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), edits: fc.array(fc.tuple(fc.nat(), u8), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('length' as const), delta: fc.integer({ min: -64, max: 16 }) }),
);

describe('random messages and mutations', () => {
  it('accepts every valid message built by host/packet/ndp.ts, and indexes its options', () => {
    fc.assert(
      fc.property(arbValidNd, (spec) => {
        expect(validate(buildNdPacket(spec))).toBe(0);
        const options = spec.message.options.map(encodeNdOption);
        const kinds = options.map((o) => o[0]);
        expect(x.pioCount()).toBe(Math.min(16, kinds.filter((t) => t === 3).length));
        expect(x.ctxOptCount()).toBe(Math.min(16, kinds.filter((t) => t === 34).length));
        for (const t of [1, 2, 3, 4, 5, 33, 34, 35]) {
          const i = kinds.indexOf(t);
          const offset = i < 0 ? -1 : { rs: 8, ra: 16, ns: 24, na: 24, redirect: 40 }[spec.message.kind] + options.slice(0, i).reduce((n, o) => n + o.length, 0);
          expect(at(x.optFind(t))).toBe(offset);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never traps on mutated messages and always answers 0 or a known Reason', () => {
    fc.assert(
      fc.property(arbValidNd, arbMutation, (spec, mut) => {
        let packet = buildNdPacket(spec);
        if (mut.kind === 'set') {
          packet = Uint8Array.from(packet);
          for (const [i, v] of mut.edits) packet[i % packet.length] = v;
        } else {
          const n = Math.max(40, packet.length + mut.delta);
          packet = Uint8Array.from({ length: n }, (_, i) => packet[i] ?? 0);
        }
        const r = validate(packet);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThan(REASON_COUNT);
        // The accessors read inside the message whatever the index holds.
        for (let i = 0; i < x.pioCount(); i++) x.pioValid(x.pioAt(i));
        for (let i = 0; i < x.ctxOptCount(); i++) x.ctxOptLifetime(x.ctxOptAt(i));
      }),
      { numRuns: 3000 },
    );
  });

  it('never traps on random bytes either', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 40, maxLength: 200 }), fc.constantFrom(133, 134, 135, 136, 137), (b, type) => {
        b[7] = 255;
        if (b.length > 40) b[40] = type;
        const r = validate(b);
        expect(r >= 0 && r < REASON_COUNT).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
