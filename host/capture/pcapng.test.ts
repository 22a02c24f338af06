import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { PacketError } from '../packet/errors.js';
import { buildDataFrame } from '../packet/ieee802154.js';
import { shortAddress } from '../packet/link-address.js';
import { LINKTYPE_IEEE802_15_4_WITHFCS } from '../packet/pcap.js';
import { tempDir } from '../packet/test-util.js';
import { runTsharkFields, tsharkAvailable } from '../packet/tshark.js';
import { BLOCK_EPB, BLOCK_IDB, BLOCK_SHB, openPcapngFile, PcapngWriter, readPcapng, type PacketOptions } from './pcapng.js';

const HAVE_TSHARK = tsharkAvailable();
if (!HAVE_TSHARK) console.warn('tshark not found on PATH (or $TSHARK): skipping the pcapng tshark tests');

const frame = (seq: number, payload = Uint8Array.of(0x68, 0x69)) =>
  buildDataFrame({ src: shortAddress(0x0001), dst: shortAddress(0x0002), pan: 0xabcd, seq: seq & 0xff }, payload);

/** A writer collecting its chunks, one per block. */
function memoryWriter(): { w: PcapngWriter; chunks: Uint8Array[]; bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = [];
  const w = new PcapngWriter((c) => chunks.push(c));
  return { w, chunks, bytes: () => new Uint8Array(Buffer.concat(chunks)) };
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

describe('PcapngWriter', () => {
  it('emits each block to the sink as soon as it is given', () => {
    const { w, chunks } = memoryWriter();
    expect(chunks).toHaveLength(1); // SHB from the constructor
    w.addInterface(LINKTYPE_IEEE802_15_4_WITHFCS, 'zep0');
    expect(chunks).toHaveLength(2);
    w.writePacket(0, 0, frame(1));
    w.writePacket(0, 1, frame(2), { direction: 'out', comment: 'x' });
    expect(chunks).toHaveLength(4);
    expect(w.packetCount).toBe(2);
    expect(chunks.map((c) => u32(c, 0))).toEqual([BLOCK_SHB, BLOCK_IDB, BLOCK_EPB, BLOCK_EPB]);
    for (const c of chunks) {
      expect(c.length % 4).toBe(0);
      expect(u32(c, 4)).toBe(c.length); // leading total length
      expect(u32(c, c.length - 4)).toBe(c.length); // trailing total length
    }
  });

  it('writes a little-endian SHB v1.0 with unspecified section length and shb_userappl', () => {
    const { chunks } = memoryWriter();
    const shb = chunks[0];
    expect(Buffer.from(shb.subarray(8, 24)).toString('hex')).toBe('4d3c2b1a' + '0100' + '0000' + 'ffffffffffffffff');
    expect(Buffer.from(shb).includes('sixlab')).toBe(true);
    const r = readPcapng(shb);
    expect(r.sections).toEqual([{ littleEndian: true, major: 1, minor: 0, application: 'sixlab', comments: [] }]);
  });

  it('writes the IDB with link type 195, if_name, if_description and if_tsresol', () => {
    const { w, chunks } = memoryWriter();
    w.addInterface(195, 'zep0', 'us', { description: 'ZEP v2 on [::1]:17754' });
    const idb = chunks[1];
    expect(Buffer.from(idb.subarray(8, 16)).toString('hex')).toBe('c3000000' + '00000400');
    // if_tsresol: code 9, length 1, value 6, three octets of padding
    expect(Buffer.from(idb).toString('hex')).toContain('0900010006000000');
    const r = readPcapng(new Uint8Array(Buffer.concat(chunks)));
    expect(r.interfaces).toEqual([
      { linkType: 195, snaplen: 262144, name: 'zep0', description: 'ZEP v2 on [::1]:17754', unitsPerSecond: 1_000_000n },
    ]);
  });

  it('writes EPB timestamps as a 64-bit count of the interface units', () => {
    const { w, chunks } = memoryWriter();
    const us = w.addInterface(195, 'us');
    const ms = w.addInterface(195, 'ms', 'ms');
    const ns = w.addInterface(195, 'ns', 'ns');
    w.writePacket(us, 0x1_0000_0002n, Uint8Array.of(1));
    w.writePacket(ms, 60_123_999, Uint8Array.of(2)); // truncated to whole ms
    w.writePacket(ns, 1_500_000, Uint8Array.of(3));
    const ts = (c: Uint8Array) => (BigInt(u32(c, 12)) << 32n) | BigInt(u32(c, 16));
    expect(ts(chunks[4])).toBe(0x1_0000_0002n);
    expect(ts(chunks[5])).toBe(60_123n);
    expect(ts(chunks[6])).toBe(1_500_000_000n);
    const r = readPcapng(new Uint8Array(Buffer.concat(chunks)));
    expect(r.interfaces.map((i) => i.unitsPerSecond)).toEqual([1_000_000n, 1_000n, 1_000_000_000n]);
    expect(r.packets.map((p) => p.timeUs)).toEqual([0x1_0000_0002n, 60_123_000n, 1_500_000n]);
  });

  it('writes epb_flags direction (1 inbound, 2 outbound) and one opt_comment per comment', () => {
    const { w, bytes } = memoryWriter();
    w.addInterface(195, 'zep0');
    w.writePacket(0, 5, frame(1), { direction: 'in' });
    w.writePacket(0, 6, frame(2), { direction: 'out', comment: ['out', 'verdict: RFC 4944 §5.3 PASS ✓'] });
    w.writePacket(0, 7, frame(3));
    const r = readPcapng(bytes());
    expect(r.packets.map((p) => [p.flags, p.direction, p.comments])).toEqual([
      [1, 'in', []],
      [2, 'out', ['out', 'verdict: RFC 4944 §5.3 PASS ✓']],
      [undefined, undefined, []],
    ]);
  });

  it('refuses what it cannot write, with one-line errors', () => {
    const { w } = memoryWriter();
    expect(() => w.writePacket(0, 0, frame(1))).toThrow(/no interface 0 \(0 defined\)/);
    w.addInterface(195, 'zep0', 'us', { snaplen: 8 });
    expect(() => w.writePacket(0, -1, frame(1))).toThrow(PacketError);
    expect(() => w.writePacket(0, 1.5, frame(1))).toThrow(/not a non-negative safe integer/);
    expect(() => w.writePacket(0, -1n, frame(1))).toThrow(/negative/);
    expect(() => w.writePacket(0, 1n << 64n, Uint8Array.of(1))).toThrow(/64 bits/);
    expect(() => w.writePacket(0, 0, new Uint8Array(9))).toThrow(/exceed the interface snaplen 8/);
    expect(() => w.writePacket(0, 0, Uint8Array.of(1), { comment: 'a\0b' })).toThrow(/NUL/);
    expect(() => w.writePacket(0, 0, Uint8Array.of(1), { direction: 'up' as 'in' })).toThrow(/direction/);
    expect(() => w.addInterface(70000, 'x')).toThrow(/link type 70000/);
    expect(() => w.addInterface(195, 'x', 's' as 'us')).toThrow(/tsresol/);
    expect(w.packetCount).toBe(0);
  });

  it('round-trips arbitrary packets through readPcapng', () => {
    const packet = fc.record({
      itf: fc.nat(2),
      timeUs: fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }),
      data: fc.uint8Array({ maxLength: 130 }),
      direction: fc.option(fc.constantFrom<'in' | 'out'>('in', 'out'), { nil: undefined }),
      comment: fc.option(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\0')), { maxLength: 3 }), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 20 }), (packets) => {
        const { w, bytes } = memoryWriter();
        w.addInterface(195, 'a');
        w.addInterface(230, 'b', 'ns');
        w.addInterface(101, 'c', 'us', { description: 'raw' });
        for (const p of packets) {
          const opts: PacketOptions = {};
          if (p.direction) opts.direction = p.direction;
          if (p.comment) opts.comment = p.comment;
          w.writePacket(p.itf, p.timeUs, p.data, opts);
        }
        const r = readPcapng(bytes());
        expect(r.truncated).toBe(false);
        expect(r.packets).toHaveLength(packets.length);
        r.packets.forEach((got, i) => {
          const p = packets[i];
          expect(got.interfaceId).toBe(p.itf);
          expect(got.timeUs).toBe(p.timeUs);
          expect(got.data).toEqual(p.data);
          expect(got.originalLength).toBe(p.data.length);
          expect(got.direction).toBe(p.direction);
          expect(got.comments).toEqual(p.comment ?? []);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('readPcapng', () => {
  function sample(): Uint8Array {
    const { w, bytes } = memoryWriter();
    w.addInterface(195, 'zep0');
    w.writePacket(0, 1, frame(1));
    w.writePacket(0, 2, frame(2));
    return bytes();
  }

  it('reads big-endian sections too', () => {
    // SHB, IDB (link type 195, no options) and one EPB, all big-endian.
    const hex =
      '0a0d0d0a0000001c1a2b3c4d00010000ffffffffffffffff0000001c' +
      '000000010000001400c3000000000400' + '00000014' +
      '00000006000000240000000000000001000000020000000300000003aabbcc0000000024';
    const r = readPcapng(new Uint8Array(Buffer.from(hex, 'hex')));
    expect(r.sections[0].littleEndian).toBe(false);
    expect(r.interfaces[0].linkType).toBe(195);
    expect(r.packets[0]).toMatchObject({ interfaceId: 0, timestamp: 0x1_0000_0002n, data: Uint8Array.of(0xaa, 0xbb, 0xcc) });
  });

  it('skips unknown block types and counts them', () => {
    const b = sample();
    const extra = new Uint8Array(16);
    const v = new DataView(extra.buffer);
    v.setUint32(0, 0x00000bad, true);
    v.setUint32(4, 16, true);
    v.setUint32(12, 16, true);
    const r = readPcapng(new Uint8Array(Buffer.concat([b, extra])));
    expect(r.otherBlocks).toBe(1);
    expect(r.packets).toHaveLength(2);
  });

  it('rejects damaged files with one-line errors, or reports truncation when allowed', () => {
    const b = sample();
    expect(() => readPcapng(b.subarray(28))).toThrow(/not a Section Header Block/);
    expect(() => readPcapng(b.subarray(0, b.length - 3))).toThrow(/needs \d+ octets, file has \d+/);
    const badTrailer = Uint8Array.from(b);
    badTrailer[badTrailer.length - 4] ^= 4;
    expect(() => readPcapng(badTrailer)).toThrow(/trailing length/);
    const badMagic = Uint8Array.from(b);
    badMagic[8] = 0;
    expect(() => readPcapng(badMagic)).toThrow(/byte-order magic/);
    const r = readPcapng(b.subarray(0, b.length - 3), { allowTruncated: true });
    expect(r.truncated).toBe(true);
    expect(r.packets).toHaveLength(1); // only the last block is lost
    for (const e of [/not a Section/, /needs/]) expect(e.source).not.toContain('\n');
  });
});

describe('openPcapngFile', () => {
  it('streams blocks to a file and close() flushes everything', async () => {
    const path = join(tempDir(), 'run.pcapng');
    const f = await openPcapngFile(path, { os: 'Linux' });
    const itf = f.addInterface(195, 'zep0');
    for (let i = 0; i < 100; i++) f.writePacket(itf, i * 1000, frame(i), { direction: i % 2 ? 'out' : 'in' });
    await f.close();
    await f.close(); // idempotent
    const r = readPcapng(new Uint8Array(readFileSync(path)));
    expect(r.sections[0].os).toBe('Linux');
    expect(r.packets).toHaveLength(100);
    expect(r.packets[99].timeUs).toBe(99_000n);
    expect(() => f.writePacket(itf, 0, frame(0))).toThrow(/write after close/);
  });

  it('with sync: true, every block is in the file when writePacket returns (a crash loses nothing written)', async () => {
    const path = join(tempDir(), 'sync.pcapng');
    const f = await openPcapngFile(path, { sync: true });
    f.addInterface(195, 'zep0');
    for (let i = 0; i < 5; i++) {
      f.writePacket(0, i, frame(i), { comment: `frame ${i}` });
      // No await, no close: read the file as a process that died now would have left it.
      const r = readPcapng(new Uint8Array(readFileSync(path)));
      expect(r.packets.map((p) => p.comments[0])).toEqual(Array.from({ length: i + 1 }, (_, k) => `frame ${k}`));
    }
    await f.close();
    expect(() => f.writePacket(0, 0, frame(0))).toThrow(/write after close/);
  });

  it('reports an unwritable path as a one-line error', async () => {
    const path = join(tempDir(), 'no', 'such', 'dir', 'x.pcapng');
    await expect(openPcapngFile(path)).rejects.toThrow(/cannot open .*x\.pcapng: ENOENT/);
    await expect(openPcapngFile(path, { sync: true })).rejects.toThrow(/cannot open .*ENOENT/);
    expect(existsSync(path)).toBe(false);
  });
});

describe.skipIf(!HAVE_TSHARK)('pcapng vs tshark (skipped when tshark is missing)', () => {
  it('tshark reads frames, virtual timestamps, comments, direction and interface names', async () => {
    const path = join(tempDir(), 'virtual.pcapng');
    const f = await openPcapngFile(path);
    const us = f.addInterface(LINKTYPE_IEEE802_15_4_WITHFCS, 'zep0', 'us', { description: 'device A' });
    const ms = f.addInterface(LINKTYPE_IEEE802_15_4_WITHFCS, 'virt1', 'ms');
    f.writePacket(us, 0, frame(10), { direction: 'out', comment: 'out' });
    f.writePacket(us, 60_000_000, frame(11), { direction: 'in', comment: ['in', 'verdict: reassembly-timeout PASS'] });
    f.writePacket(ms, 60_000_500n, frame(12));
    f.writePacket(us, 1_700_000_000_123_456n, frame(13), { comment: 'wall clock' });
    await f.close();
    const rows = await runTsharkFields(path, [
      'frame.time_epoch',
      'wpan.seq_no',
      'wpan.fcs_ok',
      'frame.comment',
      'frame.p2p_dir',
      'frame.packet_flags_direction',
      'frame.interface_name',
      'frame.interface_description',
    ]);
    expect(rows).toEqual([
      {
        'frame.number': '1',
        'frame.time_epoch': '0.000000000',
        'wpan.seq_no': '10',
        'wpan.fcs_ok': '1',
        'frame.comment': 'out',
        'frame.p2p_dir': '0', // sent
        'frame.packet_flags_direction': '0x00000002',
        'frame.interface_name': 'zep0',
        'frame.interface_description': 'device A',
      },
      {
        'frame.number': '2',
        'frame.time_epoch': '60.000000000',
        'wpan.seq_no': '11',
        'wpan.fcs_ok': '1',
        'frame.comment': 'in,verdict: reassembly-timeout PASS',
        'frame.p2p_dir': '1', // received
        'frame.packet_flags_direction': '0x00000001',
        'frame.interface_name': 'zep0',
        'frame.interface_description': 'device A',
      },
      {
        'frame.number': '3',
        'frame.time_epoch': '60.000000000', // millisecond interface: 500 µs truncated
        'wpan.seq_no': '12',
        'wpan.fcs_ok': '1',
        'frame.comment': '',
        'frame.p2p_dir': '',
        'frame.packet_flags_direction': '',
        'frame.interface_name': 'virt1',
        'frame.interface_description': '',
      },
      {
        'frame.number': '4',
        'frame.time_epoch': '1700000000.123456000',
        'wpan.seq_no': '13',
        'wpan.fcs_ok': '1',
        'frame.comment': 'wall clock',
        'frame.p2p_dir': '',
        'frame.packet_flags_direction': '',
        'frame.interface_name': 'zep0',
        'frame.interface_description': 'device A',
      },
    ]);
  });

  it('writes and reads back a 10,000-packet file (tshark agrees)', async () => {
    const N = 10_000;
    const path = join(tempDir(), 'big.pcapng');
    const t0 = performance.now();
    const f = await openPcapngFile(path);
    f.addInterface(LINKTYPE_IEEE802_15_4_WITHFCS, 'zep0');
    for (let i = 0; i < N; i++) {
      f.writePacket(0, i * 10_000, frame(i, new Uint8Array(i % 100)), { direction: i % 2 ? 'in' : 'out', comment: `#${i}` });
    }
    await f.close();
    const writeMs = performance.now() - t0;
    const ours = readPcapng(new Uint8Array(readFileSync(path)));
    expect(ours.packets).toHaveLength(N);
    expect(ours.packets[N - 1]).toMatchObject({ timeUs: BigInt((N - 1) * 10_000), comments: [`#${N - 1}`], direction: 'in' });
    const t1 = performance.now();
    const rows = await runTsharkFields(path, ['frame.time_epoch', 'wpan.seq_no', 'frame.comment', 'frame.p2p_dir']);
    console.log(`pcapng: ${N} packets written in ${writeMs.toFixed(0)} ms, tshark read them in ${(performance.now() - t1).toFixed(0)} ms`);
    expect(rows).toHaveLength(N);
    for (const i of [0, 1, 255, 256, 5_000, N - 1]) {
      expect(rows[i]).toEqual({
        'frame.number': String(i + 1),
        'frame.time_epoch': ((i * 10_000) / 1e6).toFixed(9),
        'wpan.seq_no': String(i & 0xff),
        'frame.comment': `#${i}`,
        'frame.p2p_dir': i % 2 ? '1' : '0',
      });
    }
  });

  it('a file cut inside its last block still opens in tshark up to that block', async () => {
    const path = join(tempDir(), 'cut.pcapng');
    const f = await openPcapngFile(path);
    f.addInterface(LINKTYPE_IEEE802_15_4_WITHFCS, 'zep0');
    for (let i = 0; i < 3; i++) f.writePacket(0, i, frame(i));
    await f.close();
    const b = readFileSync(path);
    const cut = join(tempDir(), 'cut2.pcapng');
    writeFileSync(cut, b.subarray(0, b.length - 5));
    expect(readPcapng(new Uint8Array(readFileSync(cut)), { allowTruncated: true }).packets).toHaveLength(2);
    // tshark reports the cut-off block as an error (non-zero exit) after printing the whole ones.
    await expect(runTsharkFields(cut, ['wpan.seq_no'])).rejects.toThrow(/cut short|truncated|appears to have been cut/i);
  });
});
