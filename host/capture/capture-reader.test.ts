// The streaming capture reader and the link-layer unwrapping behind
// `sixlab decode -r`: captures from our own writers, byte orders and
// resolutions they do not write, hand-built blocks, and every way of
// cutting the bytes into chunks.
import { describe, expect, it } from 'vitest';
import { encodeZep, encodeZepAck } from '../link/zep.js';
import { pcapBytes } from '../packet/pcap.js';
import { CaptureError, CaptureReader, type CapturedPacket } from './capture-reader.js';
import { PcapngWriter } from './pcapng.js';
import {
  ETHERTYPE_IPV4, ETHERTYPE_IPV6, ethernet, linuxSll, linuxSll2, loopHeader, nullHeader, tap, tapTlv, udpInIpv4, udpInIpv6, zepV1,
} from './test-captures.js';
import {
  FRAME_FCS_16, FRAME_FCS_32, FRAME_FCS_METADATA, FRAME_FCS_NONE, wpanFrame,
} from './wpan-frames.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const REF = hex('41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f216d');
const ip6 = (last: number) => Uint8Array.from([0xfd, 0, ...new Array(13).fill(0), last]);

type Seen = { index: number; linkType: number; timeUs: number; data: string };

function readAll(chunks: Uint8Array[]): Seen[] {
  const r = new CaptureReader();
  const seen: Seen[] = [];
  const drain = () => {
    for (let p: CapturedPacket | undefined = r.next(); p; p = r.next()) {
      seen.push({ index: p.index, linkType: p.linkType, timeUs: p.timeUs, data: Buffer.from(p.data).toString('hex') });
    }
  };
  for (const c of chunks) {
    r.push(c);
    drain();
  }
  r.end();
  return seen;
}

function pcapng(build: (w: PcapngWriter) => void): Uint8Array {
  const chunks: Uint8Array[] = [];
  build(new PcapngWriter((c) => chunks.push(c)));
  return new Uint8Array(Buffer.concat(chunks));
}

/** pcap with the header and records written big-endian, nanosecond magic. */
function pcapBigEndianNs(linkType: number, records: Array<{ sec: number; ns: number; data: Uint8Array }>): Uint8Array {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  h.writeUInt32BE(0xa1b23c4d, 0);
  h.writeUInt16BE(2, 4);
  h.writeUInt16BE(4, 6);
  h.writeUInt32BE(65535, 16);
  h.writeUInt32BE(linkType, 20);
  parts.push(h);
  for (const r of records) {
    const rh = Buffer.alloc(16);
    rh.writeUInt32BE(r.sec, 0);
    rh.writeUInt32BE(r.ns, 4);
    rh.writeUInt32BE(r.data.length, 8);
    rh.writeUInt32BE(r.data.length, 12);
    parts.push(rh, Buffer.from(r.data));
  }
  return new Uint8Array(Buffer.concat(parts));
}

describe('CaptureReader', () => {
  const frames = [REF, REF.subarray(0, 10), hex('0200ab')];

  it('reads our pcap writer\'s files, whatever the chunks', () => {
    const bytes = pcapBytes(195, frames.map((data, i) => ({ timeUs: 1_700_000_000_000_000 + i * 1500, data })));
    const want = frames.map((f, i) => ({ index: i + 1, linkType: 195, timeUs: 1_700_000_000_000_000 + i * 1500, data: Buffer.from(f).toString('hex') }));
    expect(readAll([bytes])).toEqual(want);
    for (let cut = 0; cut <= bytes.length; cut++) expect(readAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(want);
    expect(readAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(want);
  });

  it('reads big-endian pcap with nanosecond timestamps', () => {
    const bytes = pcapBigEndianNs(230, [{ sec: 10, ns: 123_456_789, data: REF }]);
    expect(readAll([bytes])).toEqual([{ index: 1, linkType: 230, timeUs: 10_123_456.789, data: Buffer.from(REF).toString('hex') }]);
  });

  it('reads our pcapng writer\'s files: interfaces, link types and resolutions', () => {
    const bytes = pcapng((w) => {
      w.addInterface(195, 'wpan0', 'us');
      w.addInterface(1, 'eth0', 'ns');
      w.addInterface(283, 'tap0', 'ms');
      w.writePacket(0, 1_000_001, REF, { direction: 'in', comment: 'first' });
      w.writePacket(1, 2_000_002, frames[1]);
      w.writePacket(2, 3_000_000, frames[2]);
    });
    const want = [
      { index: 1, linkType: 195, timeUs: 1_000_001, data: Buffer.from(REF).toString('hex') },
      { index: 2, linkType: 1, timeUs: 2_000_002, data: Buffer.from(frames[1]).toString('hex') },
      { index: 3, linkType: 283, timeUs: 3_000_000, data: Buffer.from(frames[2]).toString('hex') },
    ];
    for (let cut = 0; cut <= bytes.length; cut += 3) expect(readAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(want);
  });

  it('reads a big-endian pcapng section, simple packet blocks, and a second section', () => {
    const block = (type: number, body: number[]) => {
      const b = Buffer.alloc(12 + body.length);
      b.writeUInt32BE(type, 0);
      b.writeUInt32BE(b.length, 4);
      Buffer.from(body).copy(b, 8);
      b.writeUInt32BE(b.length, b.length - 4);
      return b;
    };
    const shb = block(0x0a0d0d0a, [0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    const idb = block(1, [0, 195, 0, 0, 0, 0, 0, 0]);
    const spb = block(3, [0, 0, 0, REF.length, ...REF, ...new Array((4 - (REF.length % 4)) % 4).fill(0)]);
    const second = pcapng((w) => {
      w.addInterface(230, 'nofcs');
      w.writePacket(0, 5, REF.subarray(0, 5));
    });
    const got = readAll([new Uint8Array(Buffer.concat([shb, idb, spb, Buffer.from(second)]))]);
    expect(got.map((p) => [p.index, p.linkType, p.data])).toEqual([[1, 195, Buffer.from(REF).toString('hex')], [2, 230, '41cc42cdab']]);
    expect(got[0].timeUs).toBeNaN(); // a simple packet block has no time
  });

  it('refuses what is not a capture, and a capture cut short, with one line', () => {
    const bytes = pcapBytes(195, frames.map((data, i) => ({ timeUs: i, data })));
    const refuse = (b: Uint8Array) => {
      try {
        readAll([b]);
      } catch (e) {
        expect(e).toBeInstanceOf(CaptureError);
        expect((e as Error).message).not.toContain('\n');
        return (e as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refuse(new Uint8Array(0))).toMatch(/empty/);
    expect(refuse(Buffer.from('41cc42cdab06\n'))).toMatch(/not a pcap or pcapng file/);
    expect(refuse(bytes.subarray(0, 20))).toMatch(/pcap header truncated/);
    expect(refuse(bytes.subarray(0, bytes.length - 3))).toMatch(/packet 3 at offset \d+ truncated: needs 19 octets, the file has 16/);
    const ng = pcapng((w) => {
      w.addInterface(195, 'a');
      w.writePacket(0, 0, REF);
      w.writePacket(0, 1, REF);
    });
    expect(refuse(ng.subarray(0, ng.length - 10))).toMatch(/block at offset \d+ truncated/);
    const wrongTrailer = Uint8Array.from(ng);
    wrongTrailer[wrongTrailer.length - 4] ^= 4;
    expect(refuse(wrongTrailer)).toMatch(/trailing length/);
    // A packet block naming interface 1 where only interface 0 is described.
    const noInterface = pcapng((w) => w.addInterface(195, 'a'));
    const epbOnly = Buffer.alloc(32 + 4);
    epbOnly.writeUInt32LE(6, 0);
    epbOnly.writeUInt32LE(36, 4);
    epbOnly.writeUInt32LE(1, 8);
    epbOnly.writeUInt32LE(36, 32);
    expect(refuse(Uint8Array.from([...noInterface, ...epbOnly]))).toMatch(/interface 1, which is not described/);
  });
});

describe('wpanFrame: the 802.15.4 frame in a captured packet', () => {
  const zep = encodeZep({ channel: 26, deviceId: 7, seq: 99, psdu: REF, timestamp: 0 });
  const frameHex = Buffer.from(REF).toString('hex');
  const carried = (linkType: number, data: Uint8Array) => {
    const f = wpanFrame(linkType, data);
    if (f.kind !== 'frame') throw new Error(`${linkType}: ${f.kind === 'skip' ? f.why : f.error}`);
    return f;
  };

  it('takes 195, 230 and TAP frames as they are, with what ends them', () => {
    expect(carried(195, REF)).toMatchObject({ fcs: FRAME_FCS_16 });
    expect(carried(230, REF.subarray(0, -2))).toMatchObject({ fcs: FRAME_FCS_NONE });
    const t = carried(283, tap([tapTlv(0, [1]), tapTlv(3, [26, 0, 0]), tapTlv(10, [200]), tapTlv(1, [0, 0, 0x20, 0xc2])], REF));
    expect(t).toMatchObject({ fcs: FRAME_FCS_16, tap: { fcsType: 1, channel: 26, page: 0, lqi: 200, rss: -40 } });
    expect(Buffer.from(t.frame).toString('hex')).toBe(frameHex);
    expect(carried(283, tap([], REF.subarray(0, -2)))).toMatchObject({ fcs: FRAME_FCS_NONE, tap: { fcsType: 0 } });
    expect(carried(283, tap([tapTlv(0, [2])], REF))).toMatchObject({ fcs: FRAME_FCS_32 });
    expect(wpanFrame(283, tap([tapTlv(0, [7])], REF))).toMatchObject({ kind: 'bad', reason: 'TapFcsType' });
    expect(wpanFrame(283, Uint8Array.of(0, 0, 200, 0))).toMatchObject({ kind: 'bad', reason: 'TapLength' });
  });

  it('finds ZEP in UDP in every encapsulation simulations are captured in', () => {
    const v4 = udpInIpv4([127, 0, 0, 1], [127, 0, 0, 2], 40000, 17754, zep);
    const v6 = udpInIpv6(ip6(1), ip6(2), 17754, 17754, zep);
    const encapsulated: Array<[number, Uint8Array, string]> = [
      [1, ethernet(ETHERTYPE_IPV4, v4), '127.0.0.1:40000'],
      [1, ethernet(ETHERTYPE_IPV6, v6, 5), '[fd00::1]:17754'],
      [113, linuxSll(ETHERTYPE_IPV6, v6), '[fd00::1]:17754'],
      [276, linuxSll2(ETHERTYPE_IPV4, v4), '127.0.0.1:40000'],
      [0, nullHeader(2, v4), '127.0.0.1:40000'],
      [0, nullHeader(30, v6), '[fd00::1]:17754'],
      [108, loopHeader(24, v6), '[fd00::1]:17754'],
      [101, v6, '[fd00::1]:17754'],
      [228, v4, '127.0.0.1:40000'],
      [229, v6, '[fd00::1]:17754'],
    ];
    for (const [linkType, data, src] of encapsulated) {
      const f = carried(linkType, data);
      expect(Buffer.from(f.frame).toString('hex'), `link type ${linkType}`).toBe(frameHex);
      expect(f.zep, `link type ${linkType}`).toMatchObject({ version: 2, channel: 26, deviceId: 7, seq: 99, lqiMode: 1, src });
      expect(f.fcs).toBe(FRAME_FCS_16);
    }
  });

  it('reads ZEP v1, and LQI mode (metadata where the FCS would be)', () => {
    const f = carried(1, ethernet(ETHERTYPE_IPV4, udpInIpv4([10, 0, 0, 1], [10, 0, 0, 2], 17754, 17754, zepV1(11, 3, REF))));
    expect(f.zep).toMatchObject({ version: 1, channel: 11, deviceId: 3 });
    expect(Buffer.from(f.frame).toString('hex')).toBe(frameHex);
    const lqi = carried(229, udpInIpv6(ip6(1), ip6(2), 17754, 17754, encodeZep({ channel: 26, deviceId: 1, seq: 1, psdu: REF, lqiMode: 0 })));
    expect(lqi.fcs).toBe(FRAME_FCS_METADATA);
  });

  it('skips what carries no frame, and reports a ZEP datagram that does not decode', () => {
    expect(wpanFrame(1, ethernet(0x0806, new Uint8Array(28)))).toMatchObject({ kind: 'skip' });
    expect(wpanFrame(1, ethernet(ETHERTYPE_IPV4, udpInIpv4([1, 1, 1, 1], [2, 2, 2, 2], 5353, 5353, zep)))).toMatchObject({ kind: 'skip', why: 'UDP 5353 -> 5353' });
    expect(wpanFrame(229, udpInIpv6(ip6(1), ip6(2), 17754, 17754, encodeZepAck(5)))).toMatchObject({ kind: 'skip', why: 'ZEP ack' });
    const short = Uint8Array.from(zep.subarray(0, zep.length - 3));
    expect(wpanFrame(229, udpInIpv6(ip6(1), ip6(2), 17754, 17754, short))).toMatchObject({ kind: 'bad', reason: 'ZepLength' });
    expect(() => wpanFrame(147, REF)).toThrow(/link type 147 is not one decode reads/);
  });
});
