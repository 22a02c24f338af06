import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PacketError } from './errors.js';
import { parseHex, toHex } from './hex.js';
import { LINKTYPE_IEEE802_15_4_WITHFCS, pcapBytes, pcapRecord, writePcap } from './pcap.js';
import { tempDir } from './test-util.js';
import { runTsharkFields, tsharkAvailable } from './tshark.js';

// IEEE 802.15.4 FCS: CRC-16/KERMIT (ITU-T, reflected, init 0), sent low byte first.
function withFcs(frame: Uint8Array): Uint8Array {
  let crc = 0;
  for (const b of frame) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return Uint8Array.of(...frame, crc & 0xff, crc >> 8);
}

// Data frame, PAN ID compression, short dst 0xffff on PAN 0xabcd, short src 0x0001, payload "hi".
const FRAME = withFcs(parseHex('4188 2a cdab ffff 0100 6869'));

describe('pcap writer', () => {
  it('writes the classic global header (little-endian, v2.4, snaplen 65535)', () => {
    const b = pcapBytes(LINKTYPE_IEEE802_15_4_WITHFCS, []);
    expect(toHex(b)).toBe('d4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + 'ffff0000' + 'c3000000');
  });
  it('splits microsecond timestamps into seconds and microseconds', () => {
    const r = pcapRecord({ timeUs: 1_500_000_123, data: Uint8Array.of(9, 8) });
    expect(toHex(r)).toBe('dc050000' + '7b000000' + '02000000' + '02000000' + '0908');
  });
  it('rejects bad timestamps', () => {
    expect(() => pcapRecord({ timeUs: -1, data: new Uint8Array(0) })).toThrow(PacketError);
    expect(() => pcapRecord({ timeUs: 1.5, data: new Uint8Array(0) })).toThrow(PacketError);
  });
  it('writePcap writes exactly pcapBytes', async () => {
    const file = join(tempDir(), 'a.pcap');
    const records = [{ timeUs: 5, data: FRAME }];
    await writePcap(file, 195, records);
    expect(new Uint8Array(readFileSync(file))).toEqual(pcapBytes(195, records));
  });
});

describe.skipIf(!tsharkAvailable())('pcap writer vs tshark', () => {
  it('tshark reads an 802.15.4-with-FCS capture with our timestamps', async () => {
    const file = join(tempDir(), 'wpan.pcap');
    await writePcap(file, LINKTYPE_IEEE802_15_4_WITHFCS, [
      { timeUs: 1_000_002, data: FRAME },
      { timeUs: 2_500_000, data: FRAME },
    ]);
    const rows = await runTsharkFields(file, ['frame.time_epoch', 'wpan.seq_no', 'wpan.dst_pan', 'wpan.src16', 'wpan.fcs_ok']);
    expect(rows.map((r) => r['frame.time_epoch'])).toEqual(['1.000002000', '2.500000000']);
    expect(rows[0]).toMatchObject({ 'wpan.seq_no': '42', 'wpan.dst_pan': '0xabcd', 'wpan.src16': '0x0001', 'wpan.fcs_ok': '1' });
  });
});
