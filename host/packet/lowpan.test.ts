import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { LOWPAN_VECTORS } from '../../firmware/test/vectors/lowpan-vectors.js';
import { arbContextTable, arbIpv6Packet, arbLinkAddress, type ContextEntry, type GeneratedPacket } from './arbitraries.js';
import { concat } from './bytes.js';
import { PacketError } from './errors.js';
import { parseHex, toHex } from './hex.js';
import { buildDataFrame, fcs16 } from './ieee802154.js';
import { parseIeee802154, panIdPresence } from './ieee802154-parse.js';
import { formatIpv6, parseIpv6 } from './ipv6-address.js';
import { parseLinkAddress, shortAddress, type LinkAddress } from './link-address.js';
import {
  Reassembler,
  compressLowpan,
  decodeLowpan,
  encodeLowpan,
  fragmentLowpan,
  iphcChoices,
  lowpanPayloads,
  udpPortChoices,
  type LowpanContexts,
  type LowpanDecoded,
  type LowpanEncodeOptions,
  type LowpanEncoding,
  type IphcFields,
  type LowpanLink,
  type MeshHeader,
  type NhcInfo,
} from './lowpan.js';
import { buildIpv6Packet, parseIpv6Packet } from './packet.js';
import { LINKTYPE_IEEE802_15_4_WITHFCS, writePcap, type PcapRecord } from './pcap.js';
import { tempDir } from './test-util.js';
import { runTsharkFields, tsharkAvailable } from './tshark.js';

const HAVE_TSHARK = tsharkAvailable();
if (!HAVE_TSHARK) console.warn('tshark not found on PATH (or $TSHARK): skipping the 6LoWPAN tshark cross-check');

const REF_FRAME = '41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f216d';
const NODE_A = parseLinkAddress('00:12:4b:00:00:01:02:03');
const NODE_B = parseLinkAddress('00:12:4b:00:00:04:05:06');

const reasonOf = (e: unknown) => (e as { reason?: string }).reason;

function contextMap(list: { id: number; prefix: string }[] = []): LowpanContexts {
  return new Map(
    list.map((c) => {
      const [addr, len] = c.prefix.split('/');
      return [c.id, { prefix: parseIpv6(addr), length: Number(len) }];
    }),
  );
}

const tableToMap = (t: ContextEntry[]): LowpanContexts =>
  new Map(t.map((c) => [c.id, { prefix: c.prefix, length: c.length, compress: c.compress }]));

/** Parses each PSDU and feeds it to the decoder / reassembler; the datagram after the last frame. */
function receive(psdus: Uint8Array[], contexts: LowpanContexts): Uint8Array | undefined {
  const reassembler = new Reassembler();
  let last: Uint8Array | undefined;
  psdus.forEach((psdu, i) => {
    const frame = parseIeee802154(psdu);
    if (!frame.fcsOk) throw Object.assign(new PacketError('bad FCS'), { reason: 'BadFcs' });
    const d = decodeLowpan(frame.payload, { src: frame.src, dst: frame.dst }, contexts);
    last = d.kind === 'ipv6' ? d.packet : reassembler.accept(d, i * 10);
  });
  return last;
}

describe('the reference frame', () => {
  it('decodes to fe80::212:4b00:1:203 -> fe80::212:4b00:4:506, hop limit 64, UDP 61617 -> 61631', () => {
    const frame = parseIeee802154(parseHex(REF_FRAME));
    expect(frame).toMatchObject({ frameType: 1, version: 0, seq: 0x42, ackRequest: false, dstPan: 0xabcd, fcsOk: true });
    expect(frame.srcPan).toBeUndefined();
    expect(frame.dst).toEqual(NODE_B);
    expect(frame.src).toEqual(NODE_A);
    const d = decodeLowpan(frame.payload, { src: frame.src, dst: frame.dst }, new Map());
    expect(d.kind).toBe('ipv6');
    if (d.kind !== 'ipv6') return;
    expect(d.encoding).toEqual({
      dispatch: 'iphc', tf: 3, nh: 1, hlim: 2, cid: 0, sac: 0, sam: 3, m: 0, dac: 0, dam: 3, sci: 0, dci: 0,
      nhc: [{ type: 'udp', ports: 3, checksumElided: false }],
    });
    const p = parseIpv6Packet(d.packet);
    expect(formatIpv6(p.header.src)).toBe('fe80::212:4b00:1:203');
    expect(formatIpv6(p.header.dst)).toBe('fe80::212:4b00:4:506');
    expect(p.header.hopLimit).toBe(64);
    expect(p.udp).toMatchObject({ srcPort: 61617, dstPort: 61631, length: 13, checksum: 0x3c5c, checksumOk: true });
    expect(new TextDecoder().decode(p.udp!.payload)).toBe('hello');
  });
});

describe('firmware/test/vectors/lowpan-vectors.ts', () => {
  for (const v of LOWPAN_VECTORS) {
    const psdus = v.frames.map((f) => parseHex(f.map((c) => c.hex).join('')));
    const contexts = contextMap(v.contexts);
    if ('error' in v.expect) {
      const want = v.expect.error;
      it(`${v.name}: rejected (${want})`, () => {
        let err: unknown;
        try {
          receive(psdus, contexts);
        } catch (e) {
          err = e;
        }
        expect(err, 'no error thrown').toBeInstanceOf(PacketError);
        expect(reasonOf(err)).toBe(want);
      });
    } else {
      const { packetHex, ipv6, udp } = v.expect;
      it(`${v.name}: decodes to its packetHex`, () => {
        const packet = receive(psdus, contexts);
        expect(packet && toHex(packet)).toBe(packetHex);
        const p = parseIpv6Packet(packet!);
        expect({ src: formatIpv6(p.header.src), dst: formatIpv6(p.header.dst), hopLimit: p.header.hopLimit }).toEqual({
          src: ipv6.src,
          dst: ipv6.dst,
          hopLimit: ipv6.hopLimit,
        });
        if (udp && p.udp) expect(p.udp).toMatchObject({ srcPort: udp.srcPort, dstPort: udp.dstPort, checksum: udp.checksum });
      });
    }
  }
});

// ------------------------------------------------------------ generators

const arbLink = (): fc.Arbitrary<Required<LowpanLink>> => fc.record({ src: arbLinkAddress(), dst: arbLinkAddress() });

const arbMesh = (): fc.Arbitrary<MeshHeader> =>
  fc
    .record({ hopsLeft: fc.integer({ min: 0, max: 255 }), deep: fc.boolean(), originator: arbLinkAddress(), final: arbLinkAddress() })
    .map(({ hopsLeft, deep, originator, final }) =>
      deep || hopsLeft >= 15 ? { hopsLeft, deep: true, originator, final } : { hopsLeft, originator, final },
    );

const omitUndefined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * Any legal (not necessarily minimal) encoding of the packet: each IPHC field
 * drawn from the modes that reproduce it, a random NHC depth, padding and
 * checksum elision, an optional mesh header and BC0.
 */
function arbLegalOptions(gen: GeneratedPacket, link: LowpanLink, contexts: LowpanContexts): fc.Arbitrary<LowpanEncodeOptions> {
  return fc.option(arbMesh(), { nil: undefined }).chain((mesh) => {
    const ch = iphcChoices(gen.bytes, mesh ? { src: mesh.originator, dst: mesh.final } : link, contexts);
    const u = gen.spec.upper;
    const ports = u.kind === 'udp' ? udpPortChoices(u.srcPort, u.dstPort) : [undefined];
    return fc
      .record({
        tf: fc.constantFrom(...ch.tf),
        hlim: fc.constantFrom(...ch.hlim),
        src: fc.constantFrom(...ch.src),
        dst: fc.constantFrom(...ch.dst),
        cidAnyway: fc.boolean(),
        nhcDepth: fc.integer({ min: 0, max: 6 }),
        elidePadding: fc.boolean(),
        udpPorts: fc.constantFrom(...ports),
        udpChecksum: fc.constantFrom('inline' as const, 'elided' as const),
        bc0: fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
      })
      .map((r) =>
        omitUndefined<LowpanEncodeOptions>({
          tf: r.tf,
          hlim: r.hlim,
          sac: r.src.stateful,
          sam: r.src.mode,
          sci: r.src.ctx ?? 0,
          m: r.dst.m,
          dac: r.dst.stateful,
          dam: r.dst.mode,
          dci: r.dst.ctx ?? 0,
          cid: Boolean((r.src.stateful && r.src.ctx) || (r.dst.stateful && r.dst.ctx)) || r.cidAnyway,
          nhcDepth: r.nhcDepth,
          elidePadding: r.elidePadding,
          udpPorts: r.udpPorts,
          udpChecksum: r.udpChecksum,
          mesh,
          bc0: r.bc0,
        }),
      );
  });
}

type Mode = 'most-compact' | 'inline' | 'uncompressed' | 'legal';
interface Case {
  gen: GeneratedPacket;
  link: Required<LowpanLink>;
  table: ContextEntry[];
  mode: Mode;
  options: LowpanEncodeOptions;
  /** In-line octets the (correlated) addresses need at most. */
  cost?: { src: number; dst: number };
}

// An address built the way RFC 6282 §3.1.1 reconstructs it: IID, then the context prefix bits over it.
function contextAddress(prefix: Uint8Array, length: number, iid: Uint8Array): Uint8Array {
  const a = new Uint8Array(16);
  a.set(iid, 8);
  for (let bit = 0; bit < length; bit++) {
    const mask = 0x80 >> (bit % 8);
    a[bit >> 3] = (a[bit >> 3] & ~mask) | (prefix[bit >> 3] & mask);
  }
  return a;
}

const shortIid = (x: number) => Uint8Array.of(0, 0, 0, 0xff, 0xfe, 0, x >> 8, x & 0xff);
const iidOf = (a: LinkAddress) => (a.mode === 'short' ? shortIid((a.bytes[0] << 8) | a.bytes[1]) : Uint8Array.of(a.bytes[0] ^ 2, ...a.bytes.subarray(1)));

/**
 * Rewrites the packet's addresses, most of the time, into forms derived from
 * the link addresses and the context table, so that every SAM/DAM (stateless
 * and stateful, RFC 3306 multicast included) is exercised, then rebuilds it.
 */
function arbCorrelated(
  packets: fc.Arbitrary<GeneratedPacket>,
  tables: fc.Arbitrary<ContextEntry[]>,
): fc.Arbitrary<{ gen: GeneratedPacket; link: Required<LowpanLink>; table: ContextEntry[]; cost: { src: number; dst: number } }> {
  const pick = fc.record({
    kind: fc.integer({ min: 0, max: 6 }),
    ctx: fc.nat(),
    x16: fc.integer({ min: 0, max: 0xffff }),
    iid: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    group: fc.uint8Array({ minLength: 6, maxLength: 6 }),
  });
  return fc
    .record({ base: packets, link: arbLink(), table: tables, s: pick, d: pick })
    .map(({ base, link, table, s, d }) => {
      // The address, and the in-line octets RFC 6282 needs for it at most.
      const address = (orig: Uint8Array, l: LinkAddress, p: typeof s, isDst: boolean): [Uint8Array, number] => {
        const c = table.length ? table[p.ctx % table.length] : undefined;
        const usable = c !== undefined && c.compress;
        switch (p.kind) {
          case 1: return [contextAddress(parseIpv6('fe80::'), 64, iidOf(l)), 0];
          case 2: return [contextAddress(parseIpv6('fe80::'), 64, shortIid(p.x16)), 2];
          case 3: return c ? [contextAddress(c.prefix, c.length, iidOf(l)), usable ? 0 : 16] : [orig, 16];
          case 4: return c ? [contextAddress(c.prefix, c.length, shortIid(p.x16)), usable ? 2 : 16] : [orig, 16];
          case 5: return c ? [contextAddress(c.prefix, c.length, p.iid), usable ? 8 : 16] : [orig, 16];
          case 6: {
            if (!isDst || !c || c.length > 64) return [orig, 16];
            const a = contextAddress(c.prefix, c.length, new Uint8Array(8)); // ffXX:XXLL:PPPP:PPPP:PPPP:PPPP:XXXX:XXXX
            a.copyWithin(4, 0, 8);
            a.set([0xff, p.group[0], p.group[1], c.length], 0);
            a.set(p.group.subarray(2), 12);
            return [a, usable ? 6 : 16];
          }
          default: return [orig, 16];
        }
      };
      const [src, srcCost] = address(base.spec.src, link.src, s, false);
      const [dst, dstCost0] = address(base.spec.dst, link.dst, d, true);
      // A context prefix starting ff makes a multicast destination: M=1 forms only.
      const dstCost = dst[0] === 0xff && d.kind !== 6 ? 16 : dstCost0;
      const spec = { ...base.spec, src, dst };
      return { gen: { bytes: buildIpv6Packet(spec), spec }, link, table, cost: { src: srcCost, dst: dstCost } };
    });
}

function arbCase(modes: Mode[], packets = arbIpv6Packet(), tables = arbContextTable()): fc.Arbitrary<Case> {
  return fc
    .record({ base: arbCorrelated(packets, tables), mode: fc.constantFrom(...modes) })
    .chain(({ base, mode }) =>
      (mode === 'legal' ? arbLegalOptions(base.gen, base.link, tableToMap(base.table)) : fc.constant({ hcMode: mode })).map(
        (options): Case => ({ ...base, mode, options }),
      ),
    );
}

/** IPv6-in-IPv6 packets whose inner addresses often share the outer IIDs (RFC 6282 §3.2.2). */
function arbTunnelPacket(): fc.Arbitrary<GeneratedPacket> {
  return fc
    .record({
      outer: arbIpv6Packet({ maxSize: 200, maxExtensions: 2 }),
      inner: arbIpv6Packet({ maxSize: 600 }),
      shareSrc: fc.boolean(),
      shareDst: fc.boolean(),
    })
    .map(({ outer, inner, shareSrc, shareDst }) => {
      const withIid = (a: Uint8Array, from: Uint8Array) => (a[0] === 0xff ? a : concat([a.subarray(0, 8), from.subarray(8)]));
      const innerSpec = {
        ...inner.spec,
        src: shareSrc ? withIid(parseIpv6('fe80::'), outer.spec.src) : inner.spec.src,
        dst: shareDst ? withIid(inner.spec.dst, outer.spec.dst) : inner.spec.dst,
      };
      const spec = { ...outer.spec, upper: { kind: 'raw' as const, nextHeader: 41, bytes: buildIpv6Packet(innerSpec) } };
      return { bytes: buildIpv6Packet(spec), spec };
    });
}

function decodeWhole(payload: Uint8Array, link: LowpanLink, contexts: LowpanContexts): LowpanDecoded & { kind: 'ipv6' } {
  const d = decodeLowpan(payload, link, contexts);
  if (d.kind !== 'ipv6') throw new Error(`expected a whole datagram, got ${d.kind}`);
  return d;
}

function checkRoundTrip(c: Case): void {
  const contexts = tableToMap(c.table);
  const compressed = compressLowpan(c.gen.bytes, c.link, contexts, c.options);
  const d = decodeWhole(encodeLowpan(c.gen.bytes, c.link, contexts, c.options), c.link, contexts);
  expect(toHex(d.packet)).toBe(toHex(c.gen.bytes));
  expect(d.encoding).toEqual(compressed.encoding);
}

// A deterministic shuffle (fast-check supplies the seed).
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// ------------------------------------------------------------ round trips

describe('encodeLowpan / decodeLowpan round trip', () => {
  for (const mode of ['most-compact', 'inline', 'uncompressed', 'legal'] as Mode[]) {
    it(`${mode}: decodeLowpan(encodeLowpan(p)) == p`, () => {
      fc.assert(fc.property(arbCase([mode]), checkRoundTrip), { numRuns: mode === 'legal' ? 1500 : 500 });
    });
  }

  it('IPv6-in-IPv6 (EID 7) in every mode', () => {
    fc.assert(fc.property(arbCase(['most-compact', 'inline', 'legal'], arbTunnelPacket()), checkRoundTrip), { numRuns: 500 });
  });

  it('most-compact is never longer than any legal encoding with the same checksum choice', () => {
    fc.assert(
      fc.property(arbCase(['legal']), (c) => {
        const contexts = tableToMap(c.table);
        const { mesh, bc0, udpChecksum } = c.options;
        const best = encodeLowpan(c.gen.bytes, c.link, contexts, omitUndefined({ mesh, bc0, udpChecksum }));
        const other = encodeLowpan(c.gen.bytes, c.link, contexts, c.options);
        expect(best.length).toBeLessThanOrEqual(other.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('most-compact reaches the known cost of addresses built from link addresses and contexts', () => {
    const srcCost = (e: IphcFields) => (e.sac ? [0, 8, 2, 0] : [16, 8, 2, 0])[e.sam];
    const dstCost = (e: IphcFields) => (e.m ? (e.dac ? 6 : [16, 6, 4, 1][e.dam]) : (e.dac ? [-1, 8, 2, 0] : [16, 8, 2, 0])[e.dam]);
    fc.assert(
      fc.property(arbCase(['most-compact']), (c) => {
        const e = compressLowpan(c.gen.bytes, c.link, tableToMap(c.table), c.options).encoding;
        if (e.dispatch !== 'iphc') throw new Error('expected IPHC');
        // A context other than 0 costs the CID octet, which may make a stateless form the better deal.
        expect(srcCost(e) + dstCost(e) + e.cid).toBeLessThanOrEqual(c.cost!.src + c.cost!.dst + 1);
        expect(srcCost(e)).toBeLessThanOrEqual(c.cost!.src + 1);
        expect(dstCost(e)).toBeLessThanOrEqual(c.cost!.dst + 1);
      }),
      { numRuns: 3000 },
    );
  });

  it('the generators reach every IPHC mode and NHC form', () => {
    const seen = new Set<string>();
    const walk = (nhc: NhcInfo[]) => {
      for (const n of nhc) {
        if (n.type === 'ext') seen.add(`eid${n.eid}` + (n.padding ? '+pad' : ''));
        else if (n.type === 'udp') seen.add(`udp${n.ports}${n.checksumElided ? 'C' : ''}`);
        else {
          seen.add('tunnel');
          walk(n.nhc);
        }
      }
    };
    const cases = [
      ...fc.sample(arbCase(['legal', 'most-compact']), { numRuns: 4000, seed: 7 }),
      ...fc.sample(arbCase(['legal', 'most-compact'], arbTunnelPacket()), { numRuns: 200, seed: 7 }),
    ];
    for (const c of cases) {
      const e = compressLowpan(c.gen.bytes, c.link, tableToMap(c.table), c.options).encoding;
      if (e.mesh) seen.add(e.mesh.deep ? 'mesh-deep' : 'mesh');
      if (e.bc0 !== undefined) seen.add('bc0');
      if (e.dispatch !== 'iphc') continue;
      for (const k of [`tf${e.tf}`, `nh${e.nh}`, `hlim${e.hlim}`, `cid${e.cid}`, `sac${e.sac}sam${e.sam}`, `m${e.m}dac${e.dac}dam${e.dam}`]) seen.add(k);
      if (e.cid && (e.sci || e.dci)) seen.add('cid-nonzero');
      walk(e.nhc);
    }
    const want = [
      ...[0, 1, 2, 3].flatMap((i) => [`tf${i}`, `hlim${i}`, `sac0sam${i}`, `m0dac0dam${i}`, `m1dac0dam${i}`, `udp${i}`]),
      'nh0', 'nh1', 'cid0', 'cid1', 'cid-nonzero', 'sac1sam0', 'sac1sam1', 'sac1sam2', 'sac1sam3',
      'm0dac1dam1', 'm0dac1dam2', 'm0dac1dam3', 'm1dac1dam0',
      'eid0', 'eid0+pad', 'eid1', 'eid2', 'eid3', 'eid3+pad', 'tunnel', 'udp3C', 'mesh', 'mesh-deep', 'bc0',
    ];
    expect(want.filter((k) => !seen.has(k))).toEqual([]);
  });

  it('compresses the reference packet back to the reference frame', () => {
    const packet = parseHex(
      '60000000000d1140fe8000000000000002124b0000010203fe8000000000000002124b0000040506f0b1f0bf000d3c5c68656c6c6f',
    );
    const payload = encodeLowpan(packet, { src: NODE_A, dst: NODE_B }, new Map());
    const frame = buildDataFrame({ src: NODE_A, dst: NODE_B, pan: 0xabcd, seq: 0x42, version: 0 }, payload);
    expect(toHex(frame)).toBe(REF_FRAME);
  });

  it('fragments (RFC 4944 §5.3) and reassembles in any order', () => {
    const arb = fc.record({
      c: arbCase(['most-compact', 'inline', 'uncompressed', 'legal']),
      maxPayload: fc.integer({ min: 70, max: 116 }),
      tag: fc.integer({ min: 0, max: 0xffff }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(arb, ({ c, maxPayload, tag, seed }) => {
        const contexts = tableToMap(c.table);
        const payloads = lowpanPayloads(c.gen.bytes, c.link, contexts, c.options, maxPayload, tag);
        for (const p of payloads) expect(p.length).toBeLessThanOrEqual(maxPayload);
        const decoded = payloads.map((p) => decodeLowpan(p, c.link, contexts));
        if (decoded.length === 1) {
          expect(decoded[0].kind).toBe('ipv6');
          expect(toHex((decoded[0] as { packet: Uint8Array }).packet)).toBe(toHex(c.gen.bytes));
          return;
        }
        decoded.forEach((d, i) => {
          expect(d.kind).toBe(i === 0 ? 'frag1' : 'fragn');
          if (d.kind === 'ipv6') return;
          expect(d).toMatchObject({ size: c.gen.bytes.length, tag });
          if (i < decoded.length - 1) expect(d.data.length % 8).toBe(0); // all but the last: multiples of 8
        });
        const r = new Reassembler();
        const results = shuffle(decoded, seed).map((d, i) => r.accept(d as Exclude<LowpanDecoded, { kind: 'ipv6' }>, i));
        expect(results.slice(0, -1).every((x) => x === undefined)).toBe(true);
        expect(toHex(results[results.length - 1]!)).toBe(toHex(c.gen.bytes));
        expect(r.pending).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});

// ------------------------------------------------------------ IEEE 802.15.4 parser

const withFcs = (hex: string) => {
  const body = parseHex(hex);
  const f = fcs16(body);
  return concat([body, Uint8Array.of(f & 0xff, f >> 8)]);
};

describe('parseIeee802154', () => {
  it('reads back every frame buildDataFrame makes (2003, 2006, 2015; short and extended)', () => {
    const arb = fc.record({
      src: arbLinkAddress(),
      dst: arbLinkAddress(),
      pan: fc.integer({ min: 0, max: 0xffff }),
      seq: fc.integer({ min: 0, max: 255 }),
      version: fc.integer({ min: 0, max: 2 }),
      ackRequest: fc.boolean(),
      payload: fc.uint8Array({ maxLength: 100 }),
      corrupt: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ payload, corrupt, ...spec }) => {
        const good = buildDataFrame(spec, payload);
        const frame = buildDataFrame({ ...spec, fcs: corrupt ? (good[good.length - 2] | (good[good.length - 1] << 8)) ^ 1 : undefined }, payload);
        const f = parseIeee802154(frame);
        expect(f).toEqual({
          frameType: 1, version: spec.version, seq: spec.seq, ackRequest: spec.ackRequest, framePending: false,
          panIdCompression: !(spec.version === 2 && spec.src.mode === 'extended' && spec.dst.mode === 'extended'),
          dstPan: spec.pan, dst: spec.dst, src: spec.src, payload, fcsOk: !corrupt,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('follows IEEE 802.15.4-2015 Table 7-2 for PAN ID presence', () => {
    const N = 0, S = 2, E = 3;
    // [dst mode, src mode, PAN ID compression, dst PAN present, src PAN present]
    const rows: [number, number, boolean, boolean, boolean][] = [
      [N, N, false, false, false], [N, N, true, true, false],
      [S, N, false, true, false], [E, N, false, true, false], [S, N, true, false, false], [E, N, true, false, false],
      [N, S, false, false, true], [N, E, false, false, true], [N, S, true, false, false], [N, E, true, false, false],
      [E, E, false, true, false], [E, E, true, false, false],
      [S, S, false, true, true], [S, E, false, true, true], [E, S, false, true, true],
      [S, E, true, true, false], [E, S, true, true, false], [S, S, true, true, false],
    ];
    for (const [d, sm, c, dp, sp] of rows) expect(panIdPresence(2, d, sm, c), `${d} ${sm} ${c}`).toEqual({ dstPan: dp, srcPan: sp });
    // 2003/2006: a PAN ID with each address, the source one dropped by compression when both are present.
    expect(panIdPresence(1, S, E, false)).toEqual({ dstPan: true, srcPan: true });
    expect(panIdPresence(0, E, E, true)).toEqual({ dstPan: true, srcPan: false });
    expect(panIdPresence(0, N, S, false)).toEqual({ dstPan: false, srcPan: true });
  });

  it('2015: sequence number suppression, both PAN IDs, header IEs up to HT2', () => {
    // FCF 0xeb01: data, PAN ID compression 0, seq suppressed, IE present, dst short, version 2, src extended
    const f = parseIeee802154(withFcs('01eb' + 'cdab' + '4d3c' + '3412' + '0302010000' + '4b1200' + '020d' + 'aabb' + '803f' + '7e33'));
    expect(f).toMatchObject({ frameType: 1, version: 2, ackRequest: false, dstPan: 0xabcd, srcPan: 0x1234, fcsOk: true });
    expect(f.seq).toBeUndefined();
    expect(f.dst).toEqual(shortAddress(0x3c4d));
    expect(f.src).toEqual(NODE_A);
    expect(toHex(f.payload)).toBe('7e33');
  });

  it('2015: HT1, payload IEs and the payload termination IE are skipped', () => {
    // FCF 0xaa41: data, PAN ID compression, IE present, dst short, version 2, src short (Table 7-2 row 14)
    const f = parseIeee802154(withFcs('41aa' + '07' + 'cdab' + 'ffff' + '2b1a' + '003f' + '03a8010203' + '00f8' + '7e33'));
    expect(f).toMatchObject({ seq: 7, dstPan: 0xabcd, dst: shortAddress(0xffff), src: shortAddress(0x1a2b) });
    expect(f.srcPan).toBeUndefined();
    expect(toHex(f.payload)).toBe('7e33');
    // Header IEs with no termination run to the end: no payload.
    expect(parseIeee802154(withFcs('41aa' + '07' + 'cdab' + 'ffff' + '2b1a' + '020d' + 'aabb')).payload.length).toBe(0);
  });

  it('reads an acknowledgment (no addresses) and reports a bad FCS without throwing', () => {
    expect(parseIeee802154(withFcs('0200' + '2a'))).toMatchObject({ frameType: 2, seq: 42, payload: new Uint8Array(0), fcsOk: true });
    const bad = withFcs('0200' + '2a');
    bad[bad.length - 1] ^= 0xff;
    expect(parseIeee802154(bad).fcsOk).toBe(false);
  });

  const rejects: [string, string, string][] = [
    ['frame shorter than FCF + FCS', '41888d', 'FrameTooShort'],
    ['security enabled', withHex('49880acdab4d3c2b1a'), 'SecurityUnsupported'],
    ['frame version 3', withHex('41b80acdab4d3c2b1a'), 'FrameVersionReserved'],
    ['addressing mode 01', withHex('41840acdab4d3c2b1a'), 'AddrModeReserved'],
    ['multipurpose frame type', withHex('45880acdab4d3c2b1a'), 'FrameTypeUnsupported'],
    ['addresses cut short', withHex('41cc0acdab06050400'), 'MacHeaderTruncated'],
    ['header IE longer than the frame', withHex('41aa07cdabffff2b1a0f0daabb'), 'HeaderIeMalformed'],
  ];
  for (const [what, hex, reason] of rejects) {
    it(`rejects: ${what} (${reason})`, () => {
      expect(() => parseIeee802154(parseHex(hex))).toThrow(PacketError);
      try {
        parseIeee802154(parseHex(hex));
      } catch (e) {
        expect(reasonOf(e)).toBe(reason);
        expect((e as Error).message).not.toMatch(/\n/);
      }
    });
  }
});

function withHex(hex: string): string {
  return toHex(withFcs(hex));
}

// ------------------------------------------------------------ decoder details

const AB: LowpanLink = { src: NODE_A, dst: NODE_B };

describe('decodeLowpan: rejections', () => {
  const ctx0 = contextMap([{ id: 0, prefix: '2001:db8::/64' }]);
  const cases: [string, string, LowpanLink, LowpanContexts, string][] = [
    ['empty payload', '', AB, ctx0, 'EmptyPayload'],
    ['reserved dispatch 0x51', '51aabb', AB, ctx0, 'DispatchReserved'],
    ['reserved dispatch 11001xxx', 'c8aabbcc', AB, ctx0, 'DispatchReserved'],
    ['mesh header cut short', 'b51a2b', AB, ctx0, 'MeshHeaderTruncated'],
    ['BC0 without its sequence number', '50', AB, ctx0, 'BroadcastHeaderTruncated'],
    ['FRAG1 cut short', 'c030', AB, ctx0, 'FragHeaderTruncated'],
    ['mesh header after BC0 (RFC 4944 §5 order)', '5001b51a2b3c4d7a3311', AB, ctx0, 'HeaderOrder'],
    ['a second fragment header', 'c0300001c0300001', AB, ctx0, 'HeaderOrder'],
    ['M=0 DAC=1 DAM=00 reserved', '7a3411', AB, ctx0, 'IphcReservedMode'],
    ['M=1 DAC=1 DAM=11 reserved', '7a3f11', AB, ctx0, 'IphcReservedMode'],
    ['SAC=1 with context 0 undefined', '7a7311', AB, new Map(), 'ContextUnknown'],
    ['M=1 DAC=1 DAM=00 with context 0 undefined', '7a3c11000000000000', AB, new Map(), 'ContextUnknown'],
    ['SAM=11 with no MAC source', '7a3311', { dst: NODE_B }, ctx0, 'LinkAddrInvalid'],
    ['NHC octet missing', '7e33', AB, ctx0, 'NhcTruncated'],
    ['unassigned NHC 0x00', '7e3300', AB, ctx0, 'NhcUnknown'],
    ['reserved EID 5', '7e33ea0000', AB, ctx0, 'NhcReservedEid'],
    ['reserved EID 6', '7e33ec0000', AB, ctx0, 'NhcReservedEid'],
    ['EID 7 with NH=1', '7e33ef7a3311', AB, ctx0, 'NhcReservedMode'],
    ['EID 7 not followed by IPHC', '7e33ee41', AB, ctx0, 'NhcUnknown'],
    ['routing header not a multiple of 8', '7e33e30503000000aa', AB, ctx0, 'NhcLengthInvalid'],
    ['extension header data cut short', '7e33e10663040000', AB, ctx0, 'NhcTruncated'],
    ['fragment header cut short', '7e33e41100000080', AB, ctx0, 'NhcTruncated'],
    ['UDP ports cut short', '7e33f00102', AB, ctx0, 'UdpTruncated'],
    ['nested IPv6 headers too deep', '7e33' + 'ee7e33'.repeat(5) + 'f3120000', AB, ctx0, 'NhcTooDeep'],
    ['FRAGN beyond datagram_size', 'e0100001' + '01' + '00'.repeat(16), AB, ctx0, 'FragBeyondDatagram'],
    ['FRAG1 headers larger than datagram_size', 'c0100001' + '7a3311', AB, ctx0, 'FragHeaderTooLarge'],
    ['FRAG1 data beyond datagram_size', 'c0300001' + '7a3311' + '00'.repeat(9), AB, ctx0, 'FragBeyondDatagram'],
  ];
  for (const [what, hex, link, contexts, reason] of cases) {
    it(`${what}: ${reason}`, () => {
      let err: unknown;
      try {
        decodeLowpan(parseHex(hex), link, contexts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PacketError);
      expect(reasonOf(err)).toBe(reason);
      expect((err as Error).message).not.toMatch(/\n/);
    });
  }
});

describe('decodeLowpan: forms the vectors do not cover', () => {
  const header = (nh: number, plen: number, src = 'fe80::212:4b00:1:203', dst = 'fe80::212:4b00:4:506') =>
    toHex(buildIpv6Packet({ src: parseIpv6(src), dst: parseIpv6(dst), upper: { kind: 'raw', nextHeader: nh, bytes: new Uint8Array(plen) } }).subarray(0, 40));

  it('EID 4 (Mobility Header) with the next header in line', () => {
    const d = decodeWhole(parseHex('7e33' + 'e8' + '3b' + '06' + '050000112233'), AB, new Map());
    expect(toHex(d.packet)).toBe(header(135, 8) + '3b00050000112233');
  });

  it('CID=1 naming undefined contexts is fine when no address is stateful', () => {
    const d = decodeWhole(parseHex('7ab3' + 'ff' + '3a' + '80000000'), AB, new Map());
    expect(d.encoding).toMatchObject({ cid: 1, sci: 15, dci: 15, sac: 0, dac: 0 });
    expect(toHex(d.packet)).toBe(header(58, 4) + '80000000');
  });

  it('contexts of any bit length cover exactly their bits (RFC 6282 §3.1.1)', () => {
    // 2001:db8:ff80::/41 over SAM=01 IID 0000:0000:0000:0001: bits 41..63 of the address are zero
    const contexts = contextMap([{ id: 0, prefix: '2001:db8:ff80::/41' }]);
    const d = decodeWhole(parseHex('7a53' + '3a' + '0000000000000001' + '80000000'), AB, contexts);
    expect(formatIpv6(d.packet.subarray(8, 24))).toBe('2001:db8:ff80::1');
    // A /72 context also overrides the first 8 IID bits of SAM=10 (0000:00ff:fe00:XXXX)
    const c72 = contextMap([{ id: 0, prefix: '2001:db8:0:1:ab00::/72' }]);
    const d2 = decodeWhole(parseHex('7a63' + '3a' + '1a2b' + '80000000'), AB, c72);
    expect(formatIpv6(d2.packet.subarray(8, 24))).toBe('2001:db8:0:1:ab00:ff:fe00:1a2b');
  });

  it('an elided UDP checksum is computed against the final destination of a Routing header', () => {
    const packet = buildIpv6Packet({
      src: parseIpv6('2001:db8::1'),
      dst: parseIpv6('2001:db8::2'),
      extensions: [{ kind: 'routing', routingType: 2, segmentsLeft: 1, data: Uint8Array.of(0, 0, 0, 0, ...parseIpv6('2001:db8::99')) }],
      upper: { kind: 'udp', srcPort: 1000, dstPort: 2000, payload: Uint8Array.of(1, 2, 3) },
    });
    const d = decodeWhole(encodeLowpan(packet, AB, new Map(), { udpChecksum: 'elided' }), AB, new Map());
    expect(d.encoding).toMatchObject({ nhc: [{ type: 'ext', eid: 1 }, { type: 'udp', checksumElided: true }] });
    expect(toHex(d.packet)).toBe(toHex(packet));
  });

  it('with a mesh header, fragments are keyed by the originator and final destination (RFC 4944 §5.3)', () => {
    const mesh: MeshHeader = { hopsLeft: 3, originator: shortAddress(0x1a2b), final: shortAddress(0x3c4d) };
    const packet = buildIpv6Packet({
      src: parseIpv6('fe80::ff:fe00:1a2b'),
      dst: parseIpv6('fe80::ff:fe00:3c4d'),
      upper: { kind: 'udp', srcPort: 0xf0b1, dstPort: 0xf0b2, payload: new Uint8Array(150).fill(9) },
    });
    const payloads = lowpanPayloads(packet, {}, new Map(), { mesh }, 80, 7);
    expect(payloads.length).toBeGreaterThan(1);
    const r = new Reassembler();
    // each hop has different MAC addresses; the mesh addresses stay
    const out = payloads.map((p, i) => {
      const d = decodeLowpan(p, { src: shortAddress(i + 1), dst: shortAddress(i + 100) }, new Map());
      if (d.kind === 'ipv6') throw new Error('expected fragments');
      expect(d.mesh).toEqual(mesh);
      return r.accept(d, i);
    });
    expect(toHex(out[out.length - 1]!)).toBe(toHex(packet));
    expect(toHex(packet.subarray(8, 40))).toBe(toHex(concat([parseIpv6('fe80::ff:fe00:1a2b'), parseIpv6('fe80::ff:fe00:3c4d')])));
  });
});

// ------------------------------------------------------------ reassembly

describe('Reassembler', () => {
  const packet = buildIpv6Packet({
    src: parseIpv6('fe80::212:4b00:1:203'),
    dst: parseIpv6('fe80::212:4b00:4:506'),
    upper: { kind: 'udp', srcPort: 0xf0b1, dstPort: 0xf0b2, payload: new Uint8Array(200).map((_, i) => i) },
  });
  const frags = () =>
    lowpanPayloads(packet, AB, new Map(), {}, 90, 0x5a).map((p) => decodeLowpan(p, AB, new Map()) as LowpanDecoded & { kind: 'frag1' | 'fragn' });

  it('completes a datagram, ignoring exact duplicates', () => {
    const [a, b, c] = frags();
    const r = new Reassembler();
    expect([r.accept(a, 0), r.accept(a, 1), r.accept(c, 2), r.accept(c, 3)]).toEqual([undefined, undefined, undefined, undefined]);
    expect(toHex(r.accept(b, 4)!)).toBe(toHex(packet));
    expect(r.pending).toBe(0);
  });

  it('discards a datagram not completed within 60 s of its first fragment', () => {
    const [a, b, c] = frags();
    const r = new Reassembler();
    r.accept(a, 0);
    r.accept(b, 30_000);
    expect(r.accept(c, 60_001)).toBeUndefined(); // a and b timed out; c starts afresh
    expect(r.accept(a, 60_002)).toBeUndefined();
    expect(toHex(r.accept(b, 60_003)!)).toBe(toHex(packet));
    const r2 = new Reassembler();
    r2.accept(a, 0);
    r2.accept(b, 1);
    expect(toHex(r2.accept(c, 60_000)!)).toBe(toHex(packet)); // exactly 60 s: still in time
  });

  it('an overlapping fragment that differs in offset or size restarts reassembly with it', () => {
    const [a, b, c] = frags();
    const r = new Reassembler();
    r.accept(a, 0);
    r.accept(c, 1);
    const shifted = { ...b, offset: b.offset - 8 }; // overlaps a
    expect(r.accept(shifted, 2)).toBeUndefined();
    expect(r.accept(c, 3)).toBeUndefined(); // only the shifted fragment and c are held now
    expect(r.accept(a, 4)).toBeUndefined(); // a overlaps shifted: afresh again
    expect(r.pending).toBe(1);
  });

  it('keeps datagrams with different tags, sizes or addresses apart', () => {
    const [a, b, c] = frags();
    const r = new Reassembler();
    r.accept(a, 0);
    r.accept({ ...b, tag: 0x5b }, 1);
    r.accept({ ...b, origin: NODE_B }, 2);
    expect(r.accept(c, 3)).toBeUndefined();
    expect(r.pending).toBe(3);
    expect(toHex(r.accept(b, 4)!)).toBe(toHex(packet));
  });

  it('rejects data past datagram_size', () => {
    const [a] = frags();
    expect(() => new Reassembler().accept({ ...a, size: 20 }, 0)).toThrow(/exceeds datagram_size/);
  });
});

// ------------------------------------------------------------ deliberate encodings

describe('encodeLowpan: explicit and illegal encodings', () => {
  const packet = buildIpv6Packet({
    src: parseIpv6('2001:db8::1'),
    dst: parseIpv6('2001:db8::2'),
    hopLimit: 64,
    upper: { kind: 'udp', srcPort: 5683, dstPort: 5683, payload: Uint8Array.of(1, 2, 3), forceChecksum: 0x1234 },
  });
  const ctx = contextMap([{ id: 0, prefix: '2001:db8::/64' }, { id: 3, prefix: '2001:db8::/64' }]);

  it('inline carries everything in line; uncompressed is 0x41 + the packet', () => {
    const e = compressLowpan(packet, AB, ctx, { hcMode: 'inline' }).encoding;
    expect(e).toMatchObject({ dispatch: 'iphc', tf: 0, nh: 0, hlim: 0, cid: 0, sac: 0, sam: 0, m: 0, dac: 0, dam: 0, nhc: [] });
    expect(toHex(encodeLowpan(packet, AB, ctx, { hcMode: 'uncompressed' }))).toBe('41' + toHex(packet));
  });

  it('a packet IPHC cannot express (Payload Length disagreeing with its size) is sent with 0x41', () => {
    const bad = Uint8Array.from(packet);
    bad[5] += 1;
    expect(compressLowpan(bad, AB, ctx).encoding.dispatch).toBe('ipv6');
  });

  it('writes the fields it is given, even where they cannot represent the packet', () => {
    const d = (o: LowpanEncodeOptions) => decodeWhole(encodeLowpan(packet, AB, ctx, o), AB, ctx);
    expect(formatIpv6(d({ sac: 0, sam: 3 }).packet.subarray(8, 24))).toBe('fe80::212:4b00:1:203');
    expect(d({ hlim: 1 }).packet[7]).toBe(1);
    expect(d({ cid: true }).encoding).toMatchObject({ cid: 1, sci: 0, dci: 0 });
    expect(d({ sac: 1, sam: 1, sci: 3, cid: false }).encoding).toMatchObject({ cid: 0, sci: 0 }); // context 0 used instead
    // An elided checksum comes back computed, not as sent (0x1234).
    const restored = parseIpv6Packet(d({ udpChecksum: 'elided' }).packet);
    expect(restored.udp).toMatchObject({ checksumOk: true });
    expect(restored.udp!.checksum).not.toBe(0x1234);
    expect(() => decodeLowpan(encodeLowpan(packet, AB, ctx, { m: 1, dac: 1, dam: 1 }), AB, ctx)).toThrow(/reserved/);
  });

  it('refuses nh=1 for a next header without a LOWPAN_NHC encoding', () => {
    const icmp = buildIpv6Packet({ src: parseIpv6('fe80::1'), dst: parseIpv6('fe80::2'), upper: { kind: 'icmpv6', type: 128, code: 0, body: new Uint8Array(4) } });
    expect(() => encodeLowpan(icmp, AB, new Map(), { nh: 1 })).toThrow(/no LOWPAN_NHC encoding/);
  });

  it('fragmentLowpan: FRAG1 ends on a multiple of 8, FRAGN carries multiples of 8 but the last', () => {
    const big = buildIpv6Packet({ src: parseIpv6('fe80::1'), dst: parseIpv6('fe80::2'), upper: { kind: 'udp', srcPort: 1, dstPort: 2, payload: new Uint8Array(300) } });
    const c = compressLowpan(big, AB, new Map());
    const parts = fragmentLowpan(c.header, c.covered, big, 64, 0xbeef);
    const first = decodeLowpan(parts[0], AB, new Map()) as LowpanDecoded & { kind: 'frag1' };
    expect(first).toMatchObject({ kind: 'frag1', size: big.length, tag: 0xbeef });
    expect(first.data.length % 8).toBe(0);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(64);
    expect(parts.slice(1, -1).every((p) => (p.length - 5) % 8 === 0)).toBe(true);
    expect(() => fragmentLowpan(c.header, c.covered, big, 4 + c.header.length - 1, 1)).toThrow(/do not fit in the first fragment/);
  });
});

// ------------------------------------------------------------ tshark

const TSHARK_FIELDS = [
  'ipv6.src', 'ipv6.dst', 'ipv6.nxt', 'ipv6.hlim', 'ipv6.plen', 'ipv6.tclass', 'ipv6.flow',
  'udp.srcport', 'udp.dstport', 'udp.checksum', 'udp.checksum_calculated', 'udp.checksum.status',
  'icmpv6.checksum.status', 'frame.protocols',
];

interface Sent {
  c: Case;
  frames: Uint8Array[];
  encoding: LowpanEncoding; // as sent (lowpanPayloads may compress fewer headers to fit FRAG1)
}

// The IPv6 headers of a packet, outer first (IPv6-in-IPv6), the last one holding the upper layer.
function ipv6Chain(bytes: Uint8Array): ReturnType<typeof parseIpv6Packet>[] {
  const chain = [parseIpv6Packet(bytes)];
  for (let p = chain[0]; p.upper.protocol === 41 && !p.fragmented; ) chain.push((p = parseIpv6Packet(p.upper.bytes)));
  return chain;
}

// What tshark must show on the frame that completes a datagram: the outer header's fields, the
// addresses of every IPv6 header, and the innermost upper layer.
function tsharkExpected(bytes: Uint8Array): Record<string, string> {
  const chain = ipv6Chain(bytes);
  const [p, inner] = [chain[0], chain[chain.length - 1]];
  const udp = inner.udp;
  return {
    'ipv6.src': chain.map((x) => formatIpv6(x.header.src)).join(','),
    'ipv6.dst': chain.map((x) => formatIpv6(x.header.dst)).join(','),
    'ipv6.nxt': String(p.header.nextHeader),
    'ipv6.hlim': String(p.header.hopLimit),
    'ipv6.plen': String(p.header.payloadLength),
    'ipv6.tclass': String(p.header.trafficClass),
    'ipv6.flow': String(p.header.flowLabel),
    'udp.srcport': udp ? String(udp.srcPort) : '',
    'udp.dstport': udp ? String(udp.dstPort) : '',
    'udp.checksum': udp ? String(udp.checksum) : '',
    'udp.checksum.status': udp ? '1' : '',
    'icmpv6.checksum.status': inner.icmpv6 ? '1' : '',
    malformed: 'no',
  };
}

// tshark's row: the first `headers` occurrences of the addresses, first occurrences otherwise.
function tsharkObserved(row: Record<string, string>, headers: number): Record<string, string> {
  const all = (f: string) => (row[f] ?? '').split(',');
  const first = (f: string) => all(f)[0];
  const num = (f: string) => (first(f) === '' ? '' : String(parseInt(first(f), first(f).startsWith('0x') ? 16 : 10)));
  const addrs = (f: string) => all(f).slice(0, headers).map((a) => (a ? formatIpv6(parseIpv6(a)) : a)).join(',');
  const udp = first('udp.srcport') !== '';
  return {
    'ipv6.src': addrs('ipv6.src'),
    'ipv6.dst': addrs('ipv6.dst'),
    'ipv6.nxt': first('ipv6.nxt'),
    'ipv6.hlim': first('ipv6.hlim'),
    'ipv6.plen': first('ipv6.plen'),
    'ipv6.tclass': String(parseInt(first('ipv6.tclass'), 16)),
    'ipv6.flow': String(parseInt(first('ipv6.flow'), 16)),
    'udp.srcport': first('udp.srcport'),
    'udp.dstport': first('udp.dstport'),
    'udp.checksum': num('udp.checksum'),
    'udp.checksum.status': first('udp.checksum.status'),
    'icmpv6.checksum.status': first('icmpv6.checksum.status'),
    // A UDP payload may be dissected as some application protocol and found malformed: not ours.
    malformed: !udp && row['frame.protocols'].includes('_ws.malformed') ? row['frame.protocols'] : 'no',
  };
}

const someNhc = (e: LowpanEncoding, pred: (n: NhcInfo) => boolean): boolean => {
  const walk = (l: NhcInfo[]): boolean => l.some((n) => pred(n) || (n.type === 'ipv6' && walk(n.nhc)));
  return e.dispatch === 'iphc' && walk(e.nhc);
};

/** Frames every packet (802.15.4 versions 2003/2006/2015), fragmenting as needed; one pcap. */
async function sendAll(cases: { c: Case; version: number }[], contexts: LowpanContexts, file: string): Promise<Sent[]> {
  let seq = 0;
  const sent = cases.map(({ c, version }, i): Sent => {
    const spec = { src: c.link.src, dst: c.link.dst, pan: 0xabcd, seq: 0, version };
    const maxPayload = 127 - buildDataFrame(spec, new Uint8Array(0)).length;
    const payloads = lowpanPayloads(c.gen.bytes, c.link, contexts, c.options, maxPayload, i);
    const first = decodeLowpan(payloads[0], c.link, contexts);
    const frames = payloads.map((p) => buildDataFrame({ ...spec, seq: seq++ & 0xff }, p));
    return { c, frames, encoding: first.encoding! };
  });
  const records = sent.flatMap((s) => s.frames).map((data, i): PcapRecord => ({ timeUs: i * 1000, data }));
  await writePcap(file, LINKTYPE_IEEE802_15_4_WITHFCS, records);
  return sent;
}

const tsharkPrefs = (table: { id: number; prefix: Uint8Array; length: number }[]) => [
  'udp.check_checksum:TRUE',
  ...table.map((c) => `6lowpan.context${c.id}:${formatIpv6(c.prefix)}/${c.length}`),
];
const TSHARK_FLAGS = { twoPass: true, disableProtocols: ['zbee_nwk'] };

describe.skipIf(!HAVE_TSHARK)('tshark cross-check (skipped when tshark is missing)', () => {
  it('1,000 random packets encoded by encodeLowpan, framed and fragmented: tshark reports the same IPv6/UDP fields', async () => {
    const seed = Date.now() ^ (Math.random() * 0x7fffffff);
    const BATCHES = 4;
    const PER_BATCH = 250;
    const mismatches: string[] = [];
    const counts = { elided: 0, fragmented: 0, tunnels: 0, multicastTunnelQuirk: 0 };
    for (let b = 0; b < BATCHES; b++) {
      // tshark takes one context table per run (6lowpan.contextN preferences).
      const [table] = fc.sample(arbContextTable(), { numRuns: 1, seed: seed + b });
      const cases = fc.sample(
        fc.record({
          c: fc.oneof(
            { arbitrary: arbCase(['most-compact', 'inline', 'uncompressed', 'legal'], arbIpv6Packet(), fc.constant(table)), weight: 9 },
            { arbitrary: arbCase(['most-compact', 'legal'], arbTunnelPacket(), fc.constant(table)), weight: 1 },
          ),
          version: fc.integer({ min: 0, max: 2 }),
        }),
        { numRuns: PER_BATCH, seed: seed + b },
      );
      const file = join(tempDir(), `lowpan-${b}.pcap`);
      const sent = await sendAll(cases, tableToMap(table), file);
      const rows = await runTsharkFields(file, TSHARK_FIELDS, tsharkPrefs(table), TSHARK_FLAGS);
      expect(rows.length).toBe(sent.reduce((n, s) => n + s.frames.length, 0));
      let frame = 0;
      for (const s of sent) {
        frame += s.frames.length;
        if (s.frames.length > 1) counts.fragmented++;
        const row = rows[frame - 1];
        const want = tsharkExpected(s.c.gen.bytes);
        const headers = want['ipv6.src'].split(',').length;
        if (headers > 1) counts.tunnels++;
        const got = tsharkObserved(row, headers);
        if (someNhc(s.encoding, (n) => n.type === 'udp' && n.checksumElided)) {
          // DISAGREES: tshark 4.0 leaves 0xffff in a restored UDP checksum and calls it bad (RFC 6282
          // §4.3.2: the decompressor computes it); its udp.checksum_calculated is the value we restore.
          counts.elided++;
          expect(parseInt(row['udp.checksum_calculated'].split(',')[0], 16), `seed ${seed}`).toBe(Number(want['udp.checksum']));
          want['udp.checksum'] = String(0xffff);
          want['udp.checksum.status'] = '0';
        }
        const outerDst = parseIpv6(want['ipv6.dst'].split(',')[0]);
        if (outerDst[0] === 0xff && someNhc(s.encoding, (n) => n.type === 'ipv6' && n.iphc.m === 0 && n.iphc.dam === 3)) {
          // DISAGREES: under a multicast outer destination tshark 4.0 takes the inner elided
          // destination IID from the MAC header, not the outer IPv6 destination (RFC 6282 §3.2.2);
          // see the dedicated test below. The inner destination and checksums are not compared.
          counts.multicastTunnelQuirk++;
          for (const k of ['ipv6.dst', 'udp.checksum.status', 'icmpv6.checksum.status']) got[k] = want[k];
        }
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          mismatches.push(`seed ${seed} batch ${b} frame ${frame} ${c2s(s.c)}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(counts.elided).toBeGreaterThan(0);
    expect(counts.fragmented).toBeGreaterThan(100);
    expect(counts.tunnels).toBeGreaterThan(20);
  });

  it('DISAGREES (RFC 6282 §3.2.2): tshark 4.0 takes an inner DAM=11 IID from the MAC header when the outer destination is multicast', async () => {
    const inner = buildIpv6Packet({
      src: parseIpv6('fe80::1'),
      dst: parseIpv6('fe80::1:605'),
      upper: { kind: 'udp', srcPort: 0xf0b1, dstPort: 0xf0b2, payload: new Uint8Array(3) },
    });
    const mk = (outerDst: string) =>
      buildIpv6Packet({ src: parseIpv6('2001:db8::1'), dst: parseIpv6(outerDst), upper: { kind: 'raw', nextHeader: 41, bytes: inner } });
    const link = { src: NODE_A, dst: NODE_B };
    const cases = ['2001:db8::1:605', 'ff1f::1:605'].map((d) => ({ c: { gen: { bytes: mk(d) }, link, options: {} } as Case, version: 1 }));
    const file = join(tempDir(), 'tunnel-quirk.pcap');
    const sent = await sendAll(cases, new Map(), file);
    for (const s of sent) {
      // Our decoder follows the RFC: the inner addresses come from the outer IPv6 header.
      const d = decodeWhole(decodeLowpanPayload(s.frames[0]), link, new Map());
      expect(toHex(d.packet)).toBe(toHex(s.c.gen.bytes));
      expect(someNhc(d.encoding, (n) => n.type === 'ipv6' && n.iphc.sam === 3 && n.iphc.dam === 3)).toBe(true);
    }
    const rows = await runTsharkFields(file, ['ipv6.dst', 'udp.checksum.status'], tsharkPrefs([]), TSHARK_FLAGS);
    expect(rows.map((r) => [r['ipv6.dst'], r['udp.checksum.status']])).toEqual([
      ['2001:db8::1:605,fe80::1:605', '1'], // unicast outer: as RFC 6282 §3.2.2
      ['ff1f::1:605,fe80::212:4b00:4:506', '0'], // multicast outer: IID of the MAC destination
    ]);
  });
});

const decodeLowpanPayload = (psdu: Uint8Array) => parseIeee802154(psdu).payload;

function c2s(c: Case): string {
  return JSON.stringify({ mode: c.mode, options: { ...c.options, mesh: c.options.mesh && 'mesh' }, packet: toHex(c.gen.bytes).slice(0, 200) });
}
