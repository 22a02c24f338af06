// The fast --json writer against the reference it stands in for
// (JSON.stringify(frameReport(...))), byte for byte, and its parts against the
// libraries they replace (ip-address for IPv6 text, the packet library for
// link addresses, parseHex for hex lines).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frameMix } from '../bench/frame-mix.js';
import { SixlabCore } from '../core/sixlab-core.js';
import { fcs16 } from '../packet/ieee802154.js';
import { formatIpv6 } from '../packet/ipv6-address.js';
import { formatLinkAddress, shortAddress, type LinkAddress } from '../packet/link-address.js';
import { parseHex } from '../packet/hex.js';
import { buildIpv6Packet } from '../packet/packet.js';
import { ipv6Text, linkAddressText, putNum } from './decode-format.js';
import { writeFrameJson } from './decode-json.js';
import { ByteOut } from './decode-output.js';
import { FCS_16, FCS_32, FCS_METADATA, FCS_NONE, FrameDecoder, crc32, type FcsKind } from './frame-decoder.js';
import { frameReport } from './frame-report.js';
import { HexLineError, HexLines } from './hex-input.js';

const ROOT = join(import.meta.dirname, '..', '..');
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const REF = hex('41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f216d');

function sampleFrames(): Uint8Array[] {
  return readFileSync(join(ROOT, 'samples', 'frames.hex'), 'utf8').split('\n')
    .map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map(hex);
}

/** A collecting output stream. */
function memoryOut(): { out: ByteOut; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = { write: (c: Uint8Array, cb?: () => void) => (chunks.push(Buffer.from(c)), cb?.(), true) };
  const out = new ByteOut(stream as unknown as NodeJS.WritableStream, 1 << 16);
  return { out, text: () => Buffer.concat([...chunks, out.b.subarray(0, out.p)]).toString('utf8') };
}

/** Frames with a 2006 header and an IPv6 packet, compressed by the core. */
function framesFor(packet: Uint8Array, src = shortAddress(0x1a2b), dst = shortAddress(0x3c4d)): Uint8Array[] {
  return new SixlabCore().compress(packet, { src, dst, pan: 0xabcd });
}

const LL = (last: number) => Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, last]);

interface Case {
  frame: Uint8Array;
  fcs?: FcsKind;
  ignoreFcs?: boolean;
  contexts?: boolean;
}

function cases(): Case[] {
  const out: Case[] = [];
  const sender = new SixlabCore();
  for (const c of frameMix(1000)) out.push({ frame: sender.compress(c.packet, c.tx)[0] });
  for (const f of sampleFrames()) out.push({ frame: f, contexts: true }, { frame: f });
  // A datagram in fragments, and one fragment twice (a duplicate).
  const big = buildIpv6Packet({ src: LL(1), dst: LL(2), upper: { kind: 'udp', srcPort: 5683, dstPort: 61616, payload: new Uint8Array(300).fill(0x41) } });
  const frags = framesFor(big);
  out.push(...frags.map((frame) => ({ frame })), { frame: frags[0] }, { frame: frags[1] }, { frame: frags[1] });
  // A routing header with segments left (the writer leaves it to frameReport).
  const routed = buildIpv6Packet({
    src: LL(1), dst: LL(2),
    extensions: [{ kind: 'routing', routingType: 0, segmentsLeft: 1, data: new Uint8Array(20) }],
    upper: { kind: 'udp', srcPort: 1, dstPort: 2, payload: Uint8Array.of(1, 2, 3) },
  });
  out.push(...framesFor(routed).map((frame) => ({ frame })));
  // A UDP length field that lies (the packet does not parse).
  out.push(...framesFor(buildIpv6Packet({ src: LL(1), dst: LL(2), upper: { kind: 'udp', srcPort: 1, dstPort: 2, payload: new Uint8Array(4), forceLength: 99 } })).map((frame) => ({ frame })));
  // CoAP, good and bad; an ICMPv6 echo with data.
  out.push(...framesFor(buildIpv6Packet({ src: LL(1), dst: LL(2), upper: { kind: 'udp', srcPort: 5683, dstPort: 5683, payload: hex('4201123401027474656d70ff3231') } })).map((frame) => ({ frame })));
  out.push(...framesFor(buildIpv6Packet({ src: LL(1), dst: LL(2), upper: { kind: 'udp', srcPort: 9, dstPort: 5683, payload: hex('4f01') } })).map((frame) => ({ frame })));
  // (its data has a quote, a backslash and a NUL for the ASCII view to escape or hide)
  out.push(...framesFor(buildIpv6Packet({ src: LL(1), dst: LL(2), upper: { kind: 'icmpv6', type: 128, code: 0, body: hex('1234000122615c00') } })).map((frame) => ({ frame })));
  // Rejections at every depth of the MAC header, and no frame at all.
  const bad = Uint8Array.from(REF);
  bad[bad.length - 1] ^= 0xff;
  out.push({ frame: bad }, { frame: bad, ignoreFcs: true }, { frame: new Uint8Array(0) }, { frame: hex('4188') },
    { frame: new Uint8Array(130).fill(0x41) }, { frame: withFcs(hex('49cc42cdab')) }, { frame: withFcs(hex('41fc42cdab')) },
    { frame: withFcs(hex('0200')) }, { frame: withFcs(hex('41cc42cdab0605')) }, { frame: withFcs(hex('0388ff')) });
  // Other FCS forms: none captured, 32-bit (good and bad), radio metadata.
  const body = REF.subarray(0, REF.length - 2);
  const c32 = crc32(body, 0, body.length);
  const with32 = (c: number) => Uint8Array.from([...body, c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24]);
  out.push({ frame: body, fcs: FCS_NONE }, { frame: with32(c32), fcs: FCS_32 }, { frame: with32(c32 ^ 1), fcs: FCS_32 },
    { frame: with32(c32 ^ 1), fcs: FCS_32, ignoreFcs: true }, { frame: Uint8Array.from([...body, 0xc8, 0xe4]), fcs: FCS_METADATA });
  return out;
}

function withFcs(body: Uint8Array): Uint8Array {
  const c = fcs16(body);
  return Uint8Array.from([...body, c & 0xff, c >> 8]);
}

describe('decode --json writer', () => {
  it('writes exactly what JSON.stringify(frameReport()) writes, frame after frame', () => {
    const d = new FrameDecoder();
    const withContext = new FrameDecoder();
    withContext.setContext(0, parseHex('20010db8000000000000000000000000'), 64);
    const fast = memoryOut();
    let reference = '';
    let leftToReport = 0;
    const all = cases();
    for (const c of all) {
      const dec = c.contexts ? withContext : d;
      dec.ignoreFcs = c.ignoreFcs === true;
      dec.decodeBytes(c.frame, 0, c.fcs ?? FCS_16);
      const line = JSON.stringify(frameReport(dec)) + '\n';
      reference += line;
      if (!writeFrameJson(fast.out, dec)) {
        leftToReport++;
        fast.out.text(line);
      }
    }
    const got = fast.text().split('\n');
    const want = reference.split('\n');
    for (let i = 0; i < want.length; i++) expect(got[i], `frame ${i + 1}`).toBe(want[i]);
    // Most frames take the fast way; a few (routing header, a packet that does not parse) do not.
    expect(leftToReport).toBeGreaterThanOrEqual(2);
    expect(leftToReport).toBeLessThan(all.length / 20);
  });

  it('writes the capture members first when given them', () => {
    const d = new FrameDecoder();
    d.decodeBytes(REF, 0);
    const { out, text } = memoryOut();
    const meta = { capture: { packet: 3, time: 0.5, timeUs: 1_700_000_000_500_000, linkType: 195 } };
    expect(writeFrameJson(out, d, JSON.stringify(meta).slice(1, -1) + ',')).toBe(true);
    expect(text()).toBe(JSON.stringify(frameReport(d, meta)) + '\n');
    expect(Object.keys(JSON.parse(text()))[0]).toBe('capture');
  });
});

describe('decode output formatting', () => {
  const zeroRich = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
    .map((g) => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff])));

  it('formats IPv6 addresses as ip-address does (RFC 5952)', () => {
    fc.assert(fc.property(zeroRich, (a) => ipv6Text(a) === formatIpv6(a)), { numRuns: 5000 });
    const groups = (...g: number[]) => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff]));
    expect(ipv6Text(groups(0, 0, 0, 0, 0, 0, 0, 0))).toBe('::');
    expect(ipv6Text(groups(0, 0, 0, 0, 0, 0, 0, 1))).toBe('::1');
    expect(ipv6Text(groups(1, 0, 0, 0, 0, 0, 0, 0))).toBe('1::');
    expect(ipv6Text(groups(0xfe80, 0, 0, 0, 1, 0, 0, 1))).toBe('fe80::1:0:0:1');
    expect(ipv6Text(groups(1, 0, 0, 1, 0, 0, 0, 1))).toBe('1:0:0:1::1');
    expect(ipv6Text(groups(1, 0, 1, 0, 1, 0, 1, 0))).toBe('1:0:1:0:1:0:1:0');
    expect(ipv6Text(groups(0x2001, 0xdb8, 0, 0, 0x212, 0x4b00, 1, 0x203))).toBe('2001:db8::212:4b00:1:203');
  });

  it('formats link addresses as the packet library does', () => {
    const arb = fc.oneof(
      fc.uint8Array({ minLength: 2, maxLength: 2 }).map((bytes): LinkAddress => ({ mode: 'short', bytes })),
      fc.uint8Array({ minLength: 8, maxLength: 8 }).map((bytes): LinkAddress => ({ mode: 'extended', bytes })),
    );
    fc.assert(fc.property(arb, (a) => linkAddressText(a.bytes, 0, a.mode === 'extended') === formatLinkAddress(a)), { numRuns: 2000 });
  });

  it('writes numbers as String() does', () => {
    const b = Buffer.alloc(32);
    const v = new DataView(b.buffer);
    for (const n of [0, 9, 10, 99, 100, 999, 1000, 9999, 10000, 10001, 65535, 99999999, 100000000, 1_700_000_000_000_000]) {
      expect(b.toString('latin1', 0, putNum(v, 0, n))).toBe(String(n));
    }
    fc.assert(fc.property(fc.nat(), (n) => b.toString('latin1', 0, putNum(v, 0, n)) === String(n)));
  });
});

describe('hex lines', () => {
  const text = '# comment\n41cc42\r\n\n  0x41 CC 42  \n0x\n  # indented comment\n41cc42';
  const want = [[2, '41cc42'], [4, '41cc42'], [5, ''], [7, '41cc42']];

  function read(chunks: Uint8Array[]): Array<[number, string]> {
    const target = Buffer.alloc(200);
    const lines = new HexLines(target, 10, 128);
    const got: Array<[number, string]> = [];
    const drain = () => {
      for (let n = lines.next(); n >= 0; n = lines.next()) got.push([lines.line, target.toString('hex', 10, 10 + n)]);
    };
    for (const c of chunks) {
      lines.push(c);
      drain();
    }
    lines.end();
    drain();
    return got;
  }

  it('reads the same frames and line numbers however the input is cut', () => {
    const bytes = Buffer.from(text);
    expect(read([bytes])).toEqual(want);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(read([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(want);
    }
    expect(read([...bytes].map((b) => Uint8Array.of(b)))).toEqual(want);
  });

  it('measures a line longer than its room without storing past it', () => {
    const target = Buffer.alloc(20);
    const lines = new HexLines(target, 0, 8);
    lines.push(Buffer.from('00'.repeat(10) + '\n' + 'ab'.repeat(300) + '\n'));
    expect(lines.next()).toBe(10);
    expect(lines.next()).toBe(300);
    expect(target.subarray(8).every((b) => b === 0)).toBe(true);
  });

  it('refuses a line that is not hex with parseHex\'s words and the line number', () => {
    for (const [bad, pattern] of [['41cc4', /odd number/], ['41zz', /non-hex character "z"/], ['41 c\u00e9', /non-hex character "é"/]] as const) {
      const lines = new HexLines(Buffer.alloc(200), 0, 128);
      lines.push(Buffer.from(`41cc\n\n${bad}\n41cc\n`));
      expect(lines.next()).toBe(2);
      let err: unknown;
      try {
        lines.next();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HexLineError);
      expect((err as Error).message).toMatch(/^input 3: parseHex: /);
      expect((err as Error).message).toMatch(pattern);
      let fromParseHex = '';
      try {
        parseHex(bad);
      } catch (e) {
        fromParseHex = (e as Error).message;
      }
      expect((err as Error).message).toBe(`input 3: ${fromParseHex}`);
    }
  });

  it('frame 1 of a decode is the same bytes parseHex gives', () => {
    const d = new FrameDecoder();
    const lines = new HexLines(d.mb, d.input, 128);
    lines.push(Buffer.from('41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f216d\n'));
    const n = lines.next();
    expect(d.m.slice(d.input, d.input + n)).toEqual(REF);
  });
});
