// IEEE 802.15.4 MAC parsing of the core (firmware/assembly/wire/ieee802154.ts),
// exercised through SixlabCore.decode() / lastInfo().
//
// Every frame below is written out field by field as it goes on the air
// (IEEE 802.15.4-2006 §7.2 / 802.15.4-2015 §7.2): multi-octet MAC fields are
// little-endian, so the extended address 00:12:4b:00:00:01:02:03 is sent as
// 03 02 01 00 00 4b 12 00 and PAN ID 0xabcd as cd ab. The FCS is NOT taken
// from the core: withFcs() below computes it with its own CRC-16/KERMIT.
//
// Frame Control (little-endian, §7.2.1.1 / 2015 §7.2.2):
//   b0-2 frame type (0 beacon, 1 data, 2 ACK, 3 command) | b3 security enabled
//   b4 frame pending | b5 AR | b6 PAN ID compression | b7 reserved
//   b8 sequence number suppression (2015) | b9 IE present (2015)
//   b10-11 dst addr mode | b12-13 frame version (0 2003, 1 2006, 2 2015, 3 reserved)
//   b14-15 src addr mode      (addr modes: 00 none, 01 reserved, 10 short, 11 extended)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reason } from '../abi/reason.js';
import { SixlabCore, type DecodeResult, type LinkAddress } from '../../host/core/sixlab-core.js';
import { arbLinkAddress } from '../../host/packet/arbitraries.js';
import { parseIpv6 } from '../../host/packet/ipv6-address.js';
import { buildIpv6Packet } from '../../host/packet/packet.js';

// ---------------------------------------------------------------------------
// Test-local helpers (independent of the core)

/** CRC-16/KERMIT: poly x^16+x^12+x^5+1 processed LSB first (0x8408), init 0, no final xor. */
function crc16Kermit(bytes: ArrayLike<number>): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i] & 0xff;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

/** Concatenates the fields of a frame and appends the FCS, little-endian (§7.2.1.9 / 2015 §7.2.10). */
function withFcs(...fields: ArrayLike<number>[]): Uint8Array {
  const body = fields.flatMap((f) => Array.from(f));
  const crc = crc16Kermit(body);
  return Uint8Array.from([...body, crc & 0xff, crc >> 8]);
}

/** The FCS as carried in the frame (last two octets, little-endian). */
function fcsOf(frame: Uint8Array): number {
  return frame[frame.length - 2] | (frame[frame.length - 1] << 8);
}

const ext = (text: string): LinkAddress => ({ mode: 'extended', bytes: Uint8Array.from(text.split(':'), (h) => parseInt(h, 16)) });
const short = (v: number): LinkAddress => ({ mode: 'short', bytes: Uint8Array.of(v >> 8, v & 0xff) });

// Identities used throughout (addresses as written; the air order is the reverse).
const A = ext('00:12:4b:00:00:01:02:03'); // on air: 03 02 01 00 00 4b 12 00; IID 0212:4b00:0001:0203
const B = ext('00:12:4b:00:00:04:05:06'); // on air: 06 05 04 00 00 4b 12 00; IID 0212:4b00:0004:0506
const S1 = short(0x1a2b); // on air: 2b 1a; IID 0000:00ff:fe00:1a2b
const S2 = short(0x3c4d); // on air: 4d 3c; IID 0000:00ff:fe00:3c4d
const A_AIR = [0x03, 0x02, 0x01, 0x00, 0x00, 0x4b, 0x12, 0x00];
const B_AIR = [0x06, 0x05, 0x04, 0x00, 0x00, 0x4b, 0x12, 0x00];
const S1_AIR = [0x2b, 0x1a];
const S2_AIR = [0x4d, 0x3c];
const PAN_ABCD = [0xcd, 0xab]; // PAN ID 0xabcd
const PAN_1234 = [0x34, 0x12]; // PAN ID 0x1234

const LL: Record<string, string> = {
  A: 'fe80::212:4b00:1:203',
  B: 'fe80::212:4b00:4:506',
  S1: 'fe80::ff:fe00:1a2b',
  S2: 'fe80::ff:fe00:3c4d',
};

/** A 6LoWPAN payload that only decodes to the right packet if the MAC addresses
 *  were parsed right: LOWPAN_IPHC with both addresses elided (fe80::/64 + IID
 *  from the link-layer address, RFC 6282 §3.2.2), next header inline, and an
 *  ICMPv6 echo request whose checksum covers those addresses. */
function iphcFor(src: string, dst: string): { payload: number[]; packet: Uint8Array } {
  const packet = buildIpv6Packet({
    src: parseIpv6(LL[src]),
    dst: parseIpv6(LL[dst]),
    hopLimit: 64,
    upper: { kind: 'icmpv6', type: 128, code: 0, body: Uint8Array.of(0x12, 0x34, 0x00, 0x01, 0x68, 0x69) },
  });
  const payload = [
    0x7a, // IPHC 011 TF=11 (TC, flow label elided) NH=0 (inline) HLIM=10 (64)
    0x33, // CID=0 SAC=0 SAM=11 (from link src) M=0 DAC=0 DAM=11 (from link dst)
    0x3a, // next header 58 (ICMPv6)
    ...packet.subarray(40), // ICMPv6 echo request, checksum included
  ];
  return { payload, packet };
}

/** A payload independent of link addresses: IPv6 dispatch 0x41 (RFC 4944 §5.1) + the whole packet. */
const PLAIN_PACKET = buildIpv6Packet({
  src: parseIpv6('2001:db8::1'),
  dst: parseIpv6('2001:db8::2'),
  hopLimit: 64,
  upper: { kind: 'udp', srcPort: 0xf0b1, dstPort: 5683, payload: Uint8Array.of(0x68, 0x69) },
});
const PLAIN = [0x41, ...PLAIN_PACKET];

function decode(frame: Uint8Array): { r: DecodeResult; core: SixlabCore } {
  const core = new SixlabCore();
  return { r: core.decode(frame, 0), core };
}

function expectPacket(r: DecodeResult, packet: Uint8Array): void {
  expect(r.kind, r.kind === 'rejected' ? r.message : '').toBe('packet');
  if (r.kind === 'packet') expect(Array.from(r.packet)).toEqual(Array.from(packet));
}

function expectRejected(r: DecodeResult, reason: Reason): void {
  expect(r.kind).toBe('rejected');
  if (r.kind === 'rejected') expect(Reason[r.reason]).toBe(Reason[reason]);
}

const link = (a: LinkAddress | undefined) => (a ? { mode: a.mode, bytes: Array.from(a.bytes) } : undefined);

// ---------------------------------------------------------------------------

describe('the test CRC-16/KERMIT helper', () => {
  it('gives the catalogued check value 0x2189 for "123456789"', () => {
    expect(crc16Kermit(new TextEncoder().encode('123456789'))).toBe(0x2189);
  });

  it('reproduces the FCS of a tshark-checked frame (vector ref-iphc-ext-udp-p11: FCS 0x6d21)', () => {
    const psdu = [
      0x41, 0xcc, 0x42, 0xcd, 0xab, 0x06, 0x05, 0x04, 0x00, 0x00, 0x4b, 0x12, 0x00, 0x03, 0x02, 0x01, 0x00,
      0x00, 0x4b, 0x12, 0x00, 0x7e, 0x33, 0xf3, 0x1f, 0x3c, 0x5c, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
    ];
    expect(crc16Kermit(psdu)).toBe(0x6d21);
  });
});

describe('data frames of each frame version', () => {
  it('2003: extended addresses, PAN ID compression', () => {
    const { payload, packet } = iphcFor('A', 'B');
    const frame = withFcs(
      [0x41, 0xcc], // FCF 0xcc41: data, no security, no pending, no AR, PAN ID comp, dst ext, v2003, src ext
      [0x42], // sequence number 0x42
      PAN_ABCD, // dst PAN 0xabcd (src PAN elided by PAN ID compression)
      B_AIR, // dst 00:12:4b:00:00:04:05:06
      A_AIR, // src 00:12:4b:00:00:01:02:03
      payload,
    );
    const { r } = decode(frame);
    expectPacket(r, packet);
    const m = r.info.mac;
    expect(m.frameType).toBe(1);
    expect(m.frameVersion).toBe(0);
    expect(m.seq).toBe(0x42);
    expect(m.dstPan).toBe(0xabcd);
    expect(m.srcPan).toBeUndefined();
    expect(link(m.dst)).toEqual(link(B));
    expect(link(m.src)).toEqual(link(A));
    expect(m.panIdCompression).toBe(true);
    expect(m.security || m.framePending || m.ackRequest || m.iePresent).toBe(false);
    expect(m.headerLength).toBe(21);
    expect(m.payloadLength).toBe(payload.length);
    expect(m.fcs).toBe(fcsOf(frame));
    expect(m.fcsOk).toBe(true);
  });

  it('2006: short addresses, PAN ID compression', () => {
    const { payload, packet } = iphcFor('S1', 'S2');
    const frame = withFcs(
      [0x41, 0x98], // FCF 0x9841: data, PAN ID comp, dst short, v2006, src short
      [0x07], // sequence number 7
      PAN_ABCD, // dst PAN 0xabcd
      S2_AIR, // dst 0x3c4d
      S1_AIR, // src 0x1a2b
      payload,
    );
    const { r } = decode(frame);
    expectPacket(r, packet);
    const m = r.info.mac;
    expect(m.frameVersion).toBe(1);
    expect(m.seq).toBe(7);
    expect(m.dstPan).toBe(0xabcd);
    expect(m.srcPan).toBeUndefined();
    expect(link(m.dst)).toEqual(link(S2));
    expect(link(m.src)).toEqual(link(S1));
    expect(m.headerLength).toBe(9);
  });

  it('2015: extended destination, short source, PAN ID compression', () => {
    const { payload, packet } = iphcFor('S1', 'B');
    const frame = withFcs(
      [0x41, 0xac], // FCF 0xac41: data, PAN ID comp, dst ext, v2015, src short
      [0xff], // sequence number 255
      PAN_ABCD, // dst PAN 0xabcd (Table 7-2: ext/short + comp -> dst PAN only)
      B_AIR, // dst 00:12:4b:00:00:04:05:06
      S1_AIR, // src 0x1a2b
      payload,
    );
    const { r } = decode(frame);
    expectPacket(r, packet);
    const m = r.info.mac;
    expect(m.frameVersion).toBe(2);
    expect(m.seq).toBe(0xff);
    expect(m.dstPan).toBe(0xabcd);
    expect(m.srcPan).toBeUndefined();
    expect(link(m.dst)).toEqual(link(B));
    expect(link(m.src)).toEqual(link(S1));
    expect(m.headerLength).toBe(15);
  });

  it('2015: extended addresses without PAN ID compression (Table 7-2: dst PAN only)', () => {
    const { payload, packet } = iphcFor('A', 'B');
    const frame = withFcs(
      [0x01, 0xec], // FCF 0xec01: data, no PAN ID comp, dst ext, v2015, src ext
      [0x10], // sequence number 16
      PAN_ABCD, // dst PAN 0xabcd
      B_AIR, // dst 00:12:4b:00:00:04:05:06
      A_AIR, // src 00:12:4b:00:00:01:02:03
      payload,
    );
    const { r } = decode(frame);
    expectPacket(r, packet);
    expect(r.info.mac.dstPan).toBe(0xabcd);
    expect(r.info.mac.srcPan).toBeUndefined();
    expect(r.info.mac.panIdCompression).toBe(false);
  });
});

// ---------------------------------------------------------------------------

interface PanCase {
  name: string;
  header: number[];
  dstPan?: number;
  srcPan?: number;
  dst?: LinkAddress;
  src?: LinkAddress;
}

describe('PAN ID compression, 2003/2006 (802.15.4-2006 §7.2.1.1.5)', () => {
  const cases: PanCase[] = [
    {
      name: '2003 ext/ext, comp=1: dst PAN only',
      header: [0x41, 0xcc, /* FCF 0xcc41 */ 0x01, /* seq */ ...PAN_ABCD, /* dst PAN */ ...B_AIR, /* dst */ ...A_AIR /* src */],
      dstPan: 0xabcd, dst: B, src: A,
    },
    {
      name: '2003 ext/ext, comp=0: both PANs',
      header: [0x01, 0xcc, /* FCF 0xcc01 */ 0x02, /* seq */ ...PAN_ABCD, /* dst PAN */ ...B_AIR, /* dst */ ...PAN_1234, /* src PAN */ ...A_AIR /* src */],
      dstPan: 0xabcd, srcPan: 0x1234, dst: B, src: A,
    },
    {
      name: '2006 short/short, comp=1: dst PAN only',
      header: [0x41, 0x98, /* FCF 0x9841 */ 0x03, /* seq */ ...PAN_ABCD, /* dst PAN */ ...S2_AIR, /* dst */ ...S1_AIR /* src */],
      dstPan: 0xabcd, dst: S2, src: S1,
    },
    {
      name: '2006 short/short, comp=0: both PANs',
      header: [0x01, 0x98, /* FCF 0x9801 */ 0x04, /* seq */ ...PAN_ABCD, /* dst PAN */ ...S2_AIR, /* dst */ ...PAN_1234, /* src PAN */ ...S1_AIR /* src */],
      dstPan: 0xabcd, srcPan: 0x1234, dst: S2, src: S1,
    },
    {
      name: '2006 short dst/ext src, comp=1: dst PAN only',
      header: [0x41, 0xd8, /* FCF 0xd841 */ 0x05, /* seq */ ...PAN_ABCD, /* dst PAN */ ...S2_AIR, /* dst */ ...A_AIR /* src */],
      dstPan: 0xabcd, dst: S2, src: A,
    },
    {
      name: '2003 ext dst/short src, comp=0: both PANs',
      header: [0x01, 0x8c, /* FCF 0x8c01 */ 0x06, /* seq */ ...PAN_ABCD, /* dst PAN */ ...B_AIR, /* dst */ ...PAN_1234, /* src PAN */ ...S1_AIR /* src */],
      dstPan: 0xabcd, srcPan: 0x1234, dst: B, src: S1,
    },
    {
      name: '2006 dst only (short), comp=0: dst PAN',
      header: [0x01, 0x18, /* FCF 0x1801: dst short, v2006, src none */ 0x07, /* seq */ ...PAN_ABCD, /* dst PAN */ ...S2_AIR /* dst */],
      dstPan: 0xabcd, dst: S2,
    },
    {
      name: '2006 src only (ext), comp=0: src PAN',
      header: [0x01, 0xd0, /* FCF 0xd001: dst none, v2006, src ext */ 0x08, /* seq */ ...PAN_1234, /* src PAN */ ...A_AIR /* src */],
      srcPan: 0x1234, src: A,
    },
    {
      name: '2003 no addresses: no PAN',
      header: [0x01, 0x00, /* FCF 0x0001: data, dst none, v2003, src none */ 0x09 /* seq */],
    },
  ];
  for (const c of cases) it(c.name, () => checkPanCase(c));
});

describe('PAN ID compression, 2015 (802.15.4-2015 Table 7-2, every row)', () => {
  const cases: PanCase[] = [
    { name: 'row 1: none/none, comp=0: no PAN', header: [0x01, 0x20, /* FCF 0x2001 */ 0x11 /* seq */] },
    {
      name: 'row 2: none/none, comp=1: dst PAN',
      header: [0x41, 0x20, /* FCF 0x2041 */ 0x12, /* seq */ ...PAN_ABCD /* dst PAN */],
      dstPan: 0xabcd,
    },
    {
      name: 'row 3: dst short/none, comp=0: dst PAN',
      header: [0x01, 0x28, /* FCF 0x2801 */ 0x13, /* seq */ ...PAN_ABCD, /* dst PAN */ ...S2_AIR /* dst */],
      dstPan: 0xabcd, dst: S2,
    },
    {
      name: 'row 4: dst ext/none, comp=1: no PAN',
      header: [0x41, 0x2c, /* FCF 0x2c41 */ 0x14, /* seq */ ...B_AIR /* dst */],
      dst: B,
    },
    {
      name: 'row 5: none/src ext, comp=0: src PAN',
      header: [0x01, 0xe0, /* FCF 0xe001 */ 0x15, /* seq */ ...PAN_1234, /* src PAN */ ...A_AIR /* src */],
      srcPan: 0x1234, src: A,
    },
    {
      name: 'row 6: none/src short, comp=1: no PAN',
      header: [0x41, 0xa0, /* FCF 0xa041 */ 0x16, /* seq */ ...S1_AIR /* src */],
      src: S1,
    },
    {
      name: 'row 7: ext/ext, comp=0: dst PAN only',
      header: [0x01, 0xec, /* FCF 0xec01 */ 0x17, /* seq */ ...PAN_ABCD, /* dst PAN */ ...B_AIR, /* dst */ ...A_AIR /* src */],
      dstPan: 0xabcd, dst: B, src: A,
    },
    {
      name: 'row 8: ext/ext, comp=1: no PAN',
      header: [0x41, 0xec, /* FCF 0xec41 */ 0x18, /* seq */ ...B_AIR, /* dst */ ...A_AIR /* src */],
      dst: B, src: A,
    },
    {
      name: 'row 9: short/short, comp=0: both PANs',
      header: [0x01, 0xa8, /* FCF 0xa801 */ 0x19, /* seq */ ...PAN_ABCD, /* dst PAN */ ...S2_AIR, /* dst */ ...PAN_1234, /* src PAN */ ...S1_AIR /* src */],
      dstPan: 0xabcd, srcPan: 0x1234, dst: S2, src: S1,
    },
    {
      name: 'row 10: short/ext, comp=0: both PANs',
      header: [0x01, 0xe8, /* FCF 0xe801 */ 0x1a, /* seq */ ...PAN_ABCD, /* dst PAN */ ...S2_AIR, /* dst */ ...PAN_1234, /* src PAN */ ...A_AIR /* src */],
      dstPan: 0xabcd, srcPan: 0x1234, dst: S2, src: A,
    },
    {
      name: 'row 11: ext/short, comp=0: both PANs',
      header: [0x01, 0xac, /* FCF 0xac01 */ 0x1b, /* seq */ ...PAN_ABCD, /* dst PAN */ ...B_AIR, /* dst */ ...PAN_1234, /* src PAN */ ...S1_AIR /* src */],
      dstPan: 0xabcd, srcPan: 0x1234, dst: B, src: S1,
    },
    {
      name: 'row 12: short/ext, comp=1: dst PAN only',
      header: [0x41, 0xe8, /* FCF 0xe841 */ 0x1c, /* seq */ ...PAN_ABCD, /* dst PAN */ ...S2_AIR, /* dst */ ...A_AIR /* src */],
      dstPan: 0xabcd, dst: S2, src: A,
    },
    {
      name: 'row 13: ext/short, comp=1: dst PAN only',
      header: [0x41, 0xac, /* FCF 0xac41 */ 0x1d, /* seq */ ...PAN_ABCD, /* dst PAN */ ...B_AIR, /* dst */ ...S1_AIR /* src */],
      dstPan: 0xabcd, dst: B, src: S1,
    },
    {
      name: 'row 14: short/short, comp=1: dst PAN only',
      header: [0x41, 0xa8, /* FCF 0xa841 */ 0x1e, /* seq */ ...PAN_ABCD, /* dst PAN */ ...S2_AIR, /* dst */ ...S1_AIR /* src */],
      dstPan: 0xabcd, dst: S2, src: S1,
    },
  ];
  for (const c of cases) it(c.name, () => checkPanCase(c));
});

function checkPanCase(c: PanCase): void {
  const frame = withFcs(c.header, PLAIN);
  const { r } = decode(frame);
  expectPacket(r, PLAIN_PACKET);
  const m = r.info.mac;
  expect(m.frameType).toBe(1);
  expect(m.seq).toBe(c.header[2]);
  expect(m.dstPan).toBe(c.dstPan);
  expect(m.srcPan).toBe(c.srcPan);
  expect(link(m.dst)).toEqual(link(c.dst));
  expect(link(m.src)).toEqual(link(c.src));
  expect(m.headerLength).toBe(c.header.length);
  expect(m.payloadLength).toBe(PLAIN.length);
}

// ---------------------------------------------------------------------------

describe('frame control flags', () => {
  it('2015 sequence number suppression (bit 8): no sequence number octet', () => {
    const { payload, packet } = iphcFor('S1', 'S2');
    const frame = withFcs(
      [0x41, 0xa9], // FCF 0xa941: data, PAN ID comp, seq suppressed, dst short, v2015, src short
      PAN_ABCD, // dst PAN 0xabcd (no sequence number before it)
      S2_AIR, // dst 0x3c4d
      S1_AIR, // src 0x1a2b
      payload,
    );
    const { r } = decode(frame);
    expectPacket(r, packet);
    expect(r.info.mac.seq).toBeUndefined();
    expect(r.info.mac.dstPan).toBe(0xabcd);
    expect(link(r.info.mac.dst)).toEqual(link(S2));
    expect(link(r.info.mac.src)).toEqual(link(S1));
    expect(r.info.mac.headerLength).toBe(8);
  });

  it('reserved bits 7-9 of a 2006 frame are ignored (no suppression, no IEs before 2015)', () => {
    const frame = withFcs(
      [0xc1, 0x9b], // FCF 0x9bc1: data, PAN ID comp, reserved b7, b8, b9 set, dst short, v2006, src short
      [0x21], // sequence number 0x21 (present: b8 means nothing in 2006)
      PAN_ABCD, // dst PAN
      S2_AIR, // dst 0x3c4d
      S1_AIR, // src 0x1a2b
      PLAIN,
    );
    const { r } = decode(frame);
    expectPacket(r, PLAIN_PACKET);
    expect(r.info.mac.seq).toBe(0x21);
    expect(r.info.mac.iePresent).toBe(false);
  });

  it('ACK request (bit 5) and frame pending (bit 4) are reported', () => {
    const frame = withFcs(
      [0x71, 0x98], // FCF 0x9871: data, frame pending, AR, PAN ID comp, dst short, v2006, src short
      [0x33], // sequence number
      PAN_ABCD, // dst PAN
      S2_AIR, // dst
      S1_AIR, // src
      PLAIN,
    );
    const { r } = decode(frame);
    expectPacket(r, PLAIN_PACKET);
    expect(r.info.mac.ackRequest).toBe(true);
    expect(r.info.mac.framePending).toBe(true);
  });

  it('ACK request alone', () => {
    const frame = withFcs([0x61, 0x98] /* FCF 0x9861: data, AR, PAN ID comp, short/short, v2006 */, [0x34], PAN_ABCD, S2_AIR, S1_AIR, PLAIN);
    const { r } = decode(frame);
    expectPacket(r, PLAIN_PACKET);
    expect(r.info.mac.ackRequest).toBe(true);
    expect(r.info.mac.framePending).toBe(false);
  });

  it('frame pending alone', () => {
    const frame = withFcs([0x51, 0x98] /* FCF 0x9851: data, pending, PAN ID comp, short/short, v2006 */, [0x35], PAN_ABCD, S2_AIR, S1_AIR, PLAIN);
    const { r } = decode(frame);
    expectPacket(r, PLAIN_PACKET);
    expect(r.info.mac.ackRequest).toBe(false);
    expect(r.info.mac.framePending).toBe(true);
  });
});

describe('ACK frames', () => {
  it('a 5-octet 2003 ACK is accepted without a packet', () => {
    const frame = withFcs(
      [0x02, 0x00], // FCF 0x0002: ACK, no addresses, v2003
      [0x5a], // sequence number of the acknowledged frame
    );
    expect(frame.length).toBe(5);
    const { r, core } = decode(frame);
    expect(r.kind).toBe('pending');
    expect(r.info.mac.frameType).toBe(2);
    expect(r.info.mac.seq).toBe(0x5a);
    expect(r.info.mac.fcsOk).toBe(true);
    expect(r.info.mac.headerLength).toBe(3);
    expect(r.info.mac.payloadLength).toBe(0);
    expect(core.lastInfo().mac.frameType).toBe(2);
  });

  it('a 2006 ACK with frame pending', () => {
    const frame = withFcs(
      [0x12, 0x10], // FCF 0x1012: ACK, frame pending, v2006
      [0xa5], // sequence number
    );
    const { r } = decode(frame);
    expect(r.kind).toBe('pending');
    expect(r.info.mac.frameType).toBe(2);
    expect(r.info.mac.framePending).toBe(true);
    expect(r.info.mac.frameVersion).toBe(1);
    expect(r.info.mac.seq).toBe(0xa5);
  });

  it('a 2015 ACK', () => {
    const frame = withFcs([0x02, 0x20] /* FCF 0x2002: ACK, v2015, no addresses, comp=0 */, [0x01] /* seq */);
    const { r } = decode(frame);
    expect(r.kind).toBe('pending');
    expect(r.info.mac.frameType).toBe(2);
    expect(r.info.mac.frameVersion).toBe(2);
  });

  it('an ACK with a bad FCS is refused', () => {
    const frame = withFcs([0x02, 0x00], [0x5a]);
    frame[4] ^= 0x01;
    expectRejected(decode(frame).r, Reason.BadFcs);
  });
});

// ---------------------------------------------------------------------------

describe('2015 information elements (§7.4)', () => {
  // Header IE descriptor (little-endian): b0-6 length, b7-14 element ID, b15 type 0.
  //   Time correction IE (ID 0x1e), length 2: 0x0f02 -> 02 0f
  //   HT1 (ID 0x7e), length 0:               0x3f00 -> 00 3f
  //   HT2 (ID 0x7f), length 0:               0x3f80 -> 80 3f
  // Payload IE descriptor: b0-10 length, b11-14 group ID, b15 type 1.
  //   MLME (group 0x1), length 4:            0x8804 -> 04 88
  //   Payload termination (group 0xf), 0:    0xf800 -> 00 f8
  const HDR_2015_IE = [
    0x41, 0xaa, // FCF 0xaa41: data, PAN ID comp, IE present, dst short, v2015, src short
    0x44, // sequence number
    ...PAN_ABCD, // dst PAN 0xabcd
    ...S2_AIR, // dst 0x3c4d
    ...S1_AIR, // src 0x1a2b
  ];

  it('header IE then HT2: the payload follows', () => {
    const { payload, packet } = iphcFor('S1', 'S2');
    const ies = [
      0x02, 0x0f, /* time correction IE, length 2 */ 0x00, 0x00, // its content
      0x80, 0x3f, // HT2: header termination, payload follows
    ];
    const frame = withFcs(HDR_2015_IE, ies, payload);
    const { r } = decode(frame);
    expectPacket(r, packet);
    expect(r.info.mac.iePresent).toBe(true);
    expect(r.info.mac.seq).toBe(0x44);
    expect(r.info.mac.headerLength).toBe(HDR_2015_IE.length + ies.length);
    expect(r.info.mac.payloadLength).toBe(payload.length);
  });

  it('several header IEs then HT2', () => {
    const { payload, packet } = iphcFor('S1', 'S2');
    const ies = [
      0x02, 0x0f, 0x12, 0x34, // time correction IE (0x1e), 2 octets
      0x03, 0x0d, 0x01, 0x02, 0x03, // CSL IE (ID 0x1a): 0x1a<<7 | 3 = 0x0d03, 3 octets
      0x00, 0x00, // header IE ID 0, length 0 (vendor specific, empty)
      0x80, 0x3f, // HT2
    ];
    const { r } = decode(withFcs(HDR_2015_IE, ies, payload));
    expectPacket(r, packet);
    expect(r.info.mac.headerLength).toBe(HDR_2015_IE.length + ies.length);
  });

  it('header IE, HT1, payload IE, payload termination IE, then the payload', () => {
    const { payload, packet } = iphcFor('S1', 'S2');
    const ies = [
      0x02, 0x0f, 0xaa, 0xbb, // time correction IE, 2 octets
      0x00, 0x3f, // HT1: header termination, payload IEs follow
      0x04, 0x88, 0x01, 0x02, 0x03, 0x04, // MLME payload IE, 4 octets of content
      0x00, 0xf8, // payload termination IE (group 0xf)
    ];
    const { r } = decode(withFcs(HDR_2015_IE, ies, payload));
    expectPacket(r, packet);
    expect(r.info.mac.headerLength).toBe(HDR_2015_IE.length + ies.length);
    expect(r.info.mac.payloadLength).toBe(payload.length);
  });

  it('HT1 first (no header IEs), payload IE with a 0x7e-looking content, termination, payload', () => {
    const { payload, packet } = iphcFor('S1', 'S2');
    const ies = [
      0x00, 0x3f, // HT1
      0x02, 0x88, 0x80, 0x3f, // MLME payload IE, 2 octets that happen to look like HT2
      0x00, 0xf8, // payload termination IE
    ];
    const { r } = decode(withFcs(HDR_2015_IE, ies, payload));
    expectPacket(r, packet);
    expect(r.info.mac.headerLength).toBe(HDR_2015_IE.length + ies.length);
  });

  it('IEs with sequence number suppression (a TSCH-style header)', () => {
    const { payload, packet } = iphcFor('A', 'B');
    const frame = withFcs(
      [0x41, 0xef], // FCF 0xef41: data, PAN ID comp, seq suppressed, IE present, dst ext, v2015, src ext
      B_AIR, // dst (Table 7-2 ext/ext comp=1: no PAN ID)
      A_AIR, // src
      [0x80, 0x3f], // HT2
      payload,
    );
    const { r } = decode(frame);
    expectPacket(r, packet);
    expect(r.info.mac.seq).toBeUndefined();
    expect(r.info.mac.dstPan).toBeUndefined();
    expect(r.info.mac.srcPan).toBeUndefined();
    expect(r.info.mac.headerLength).toBe(2 + 8 + 8 + 2);
  });

  it('header IEs running to the end without termination: a frame with no payload', () => {
    const frame = withFcs(HDR_2015_IE, [0x02, 0x0f, 0x00, 0x00 /* time correction IE */]);
    const { r } = decode(frame);
    expectRejected(r, Reason.EmptyPayload);
    expect(r.info.mac.payloadLength).toBe(0);
    expect(r.info.mac.headerLength).toBe(frame.length - 2);
  });

  const malformed: { name: string; ies: number[] }[] = [
    { name: 'header IE longer than the frame', ies: [0x0a, 0x0f /* ID 0x1e, length 10 */, 0x01, 0x02, 0x03] },
    { name: 'payload IE (type 1) before HT1', ies: [0x04, 0x88, 0x01, 0x02, 0x03, 0x04, 0x00, 0xf8, ...PLAIN] },
    { name: 'header IE (type 0) after HT1', ies: [0x00, 0x3f /* HT1 */, 0x02, 0x0f, 0x00, 0x00, 0x00, 0xf8, ...PLAIN] },
    { name: 'payload IE longer than the frame', ies: [0x00, 0x3f /* HT1 */, 0x10, 0x88 /* MLME, length 16 */, 0x01, 0x02] },
    { name: 'one stray octet after the header IEs', ies: [0x02, 0x0f, 0x00, 0x00, 0x41] },
    { name: 'one stray octet after HT1', ies: [0x00, 0x3f, 0x41] },
    { name: 'HT2 length runs past the end', ies: [0x85, 0x3f /* HT2 with length 5 */, 0x41] },
    // A lone payload IE that would read as a well-formed header IE (0x8802: length 2)
    // if its type bit were ignored: payload IEs need HT1 first (2015 Table 7-6).
    { name: 'payload IE without HT1, ending the frame', ies: [0x02, 0x88, 0xaa, 0xbb] },
    // Payload IE lengths have 11 bits: 0x8880 is MLME with length 128, past any PSDU.
    { name: 'payload IE of length 128', ies: [0x00, 0x3f /* HT1 */, 0x80, 0x88, 0x00, 0xf8, ...PLAIN] },
  ];
  for (const c of malformed) {
    it(`malformed: ${c.name} -> HeaderIeMalformed`, () => {
      expectRejected(decode(withFcs(HDR_2015_IE, c.ies)).r, Reason.HeaderIeMalformed);
    });
  }
});

// ---------------------------------------------------------------------------

describe('refused frames', () => {
  it('reserved frame version 3 -> FrameVersionReserved', () => {
    const frame = withFcs(
      [0x41, 0xb8], // FCF 0xb841: data, PAN ID comp, dst short, version 3 (reserved), src short
      [0x01], PAN_ABCD, S2_AIR, S1_AIR, PLAIN,
    );
    expectRejected(decode(frame).r, Reason.FrameVersionReserved);
  });

  it('security enabled (bit 3) -> SecurityUnsupported', () => {
    const frame = withFcs(
      [0x49, 0x98], // FCF 0x9849: data, security enabled, PAN ID comp, short/short, v2006
      [0x01], PAN_ABCD, S2_AIR, S1_AIR,
      [0x05, 0x00, 0x00, 0x00, 0x00], // would-be auxiliary security header
      PLAIN,
    );
    const { r } = decode(frame);
    expectRejected(r, Reason.SecurityUnsupported);
    expect(r.info.mac.security).toBe(true);
  });

  it('destination address mode 01 -> AddrModeReserved', () => {
    const frame = withFcs(
      [0x41, 0x94], // FCF 0x9441: data, PAN ID comp, dst mode 01 (reserved), v2006, src short
      [0x01], PAN_ABCD, S2_AIR, S1_AIR, PLAIN,
    );
    expectRejected(decode(frame).r, Reason.AddrModeReserved);
  });

  it('source address mode 01 -> AddrModeReserved', () => {
    const frame = withFcs(
      [0x41, 0x58], // FCF 0x5841: data, PAN ID comp, dst short, v2006, src mode 01 (reserved)
      [0x01], PAN_ABCD, S2_AIR, S1_AIR, PLAIN,
    );
    expectRejected(decode(frame).r, Reason.AddrModeReserved);
  });

  it('addresses cut short -> MacHeaderTruncated', () => {
    const frame = withFcs(
      [0x41, 0xdc], // FCF 0xdc41: data, PAN ID comp, dst ext, v2006, src ext
      [0x01], // sequence number
      PAN_ABCD, // dst PAN
      B_AIR.slice(0, 4), // only half of the destination address, then the FCS
    );
    expectRejected(decode(frame).r, Reason.MacHeaderTruncated);
  });

  it('last source address octet missing -> MacHeaderTruncated', () => {
    const frame = withFcs(
      [0x41, 0x98], // FCF 0x9841: data, PAN ID comp, short/short, v2006
      [0x01], PAN_ABCD, S2_AIR, // seq, dst PAN, dst
      S1_AIR.slice(0, 1), // one octet of the 2-octet source address, then the FCS
    );
    expectRejected(decode(frame).r, Reason.MacHeaderTruncated);
  });

  it('source PAN cut short (2015 short/short comp=0) -> MacHeaderTruncated', () => {
    const frame = withFcs(
      [0x01, 0xa8], // FCF 0xa801: data, no comp, short/short, v2015: both PANs
      [0x01], PAN_ABCD, S2_AIR, // seq, dst PAN, dst
      [0x34], // one octet of the source PAN
    );
    expectRejected(decode(frame).r, Reason.MacHeaderTruncated);
  });

  it('no sequence number -> MacHeaderTruncated', () => {
    const frame = withFcs([0x01, 0x10] /* FCF 0x1001: data, v2006, no addresses */);
    expect(frame.length).toBe(4);
    expectRejected(decode(frame).r, Reason.MacHeaderTruncated);
  });

  it('wrong FCS -> BadFcs (info reports the received FCS and fcsOk false)', () => {
    const good = withFcs([0x41, 0x98], [0x01], PAN_ABCD, S2_AIR, S1_AIR, PLAIN);
    const bad = Uint8Array.from(good);
    bad[bad.length - 1] ^= 0x80;
    const { r } = decode(bad);
    expectRejected(r, Reason.BadFcs);
    expect(r.info.mac.fcsOk).toBe(false);
    expect(r.info.mac.fcs).toBe(fcsOf(bad));
    expect(decode(good).r.kind).toBe('packet');
  });

  it('a flipped payload bit -> BadFcs', () => {
    const bad = withFcs([0x41, 0x98], [0x01], PAN_ABCD, S2_AIR, S1_AIR, PLAIN);
    bad[20] ^= 0x04;
    expectRejected(decode(bad).r, Reason.BadFcs);
  });

  it('the FCS is little-endian: the byte-swapped CRC is refused', () => {
    const good = withFcs([0x41, 0x98], [0x01], PAN_ABCD, S2_AIR, S1_AIR, PLAIN);
    const n = good.length;
    expect(good[n - 2]).not.toBe(good[n - 1]); // so that swapping changes the frame
    const swapped = Uint8Array.from(good);
    [swapped[n - 2], swapped[n - 1]] = [good[n - 1], good[n - 2]];
    expectRejected(decode(swapped).r, Reason.BadFcs);
  });

  it('beacon frame -> NotDataFrame', () => {
    const frame = withFcs(
      [0x00, 0x80], // FCF 0x8000: beacon, dst none, v2003, src short
      [0x10], // beacon sequence number
      PAN_ABCD, // src PAN
      S1_AIR, // src 0x1a2b
      [0xff, 0xcf], // superframe specification
      [0x00], // GTS specification
      [0x00], // pending address specification
    );
    const { r } = decode(frame);
    expectRejected(r, Reason.NotDataFrame);
    expect(r.info.mac.frameType).toBe(0);
  });

  it('MAC command frame (data request) -> NotDataFrame', () => {
    const frame = withFcs(
      [0x63, 0xd8], // FCF 0xd863: command, AR, PAN ID comp, dst short, v2006, src ext
      [0x11], // sequence number
      PAN_ABCD, // dst PAN
      S2_AIR, // dst 0x3c4d
      A_AIR, // src 00:12:4b:00:00:01:02:03
      [0x04], // command ID: data request
    );
    const { r } = decode(frame);
    expectRejected(r, Reason.NotDataFrame);
    expect(r.info.mac.frameType).toBe(3);
  });

  it('frame types 4-7 -> FrameTypeUnsupported', () => {
    for (const type of [4, 5, 6, 7]) {
      const frame = withFcs([0x40 | type, 0x98] /* FCF 0x984X: type X, PAN ID comp, short/short, v2006 */, [0x01], PAN_ABCD, S2_AIR, S1_AIR, PLAIN);
      expectRejected(decode(frame).r, Reason.FrameTypeUnsupported);
    }
  });

  it('127 octets (aMaxPhyPacketSize) decode; 128 -> FrameTooLong', () => {
    const header = [0x41, 0xcc, /* FCF 0xcc41 */ 0x01, /* seq */ ...PAN_ABCD, ...B_AIR, ...A_AIR]; // 21 octets
    const room = 127 - header.length - 2 - 1 - 40 - 8; // UDP payload that fills the PSDU exactly
    const packet = buildIpv6Packet({
      src: parseIpv6('2001:db8::1'), dst: parseIpv6('2001:db8::2'), hopLimit: 64,
      upper: { kind: 'udp', srcPort: 1, dstPort: 2, payload: new Uint8Array(room).fill(0x5a) },
    });
    const max = withFcs(header, [0x41] /* IPv6 dispatch */, packet);
    expect(max.length).toBe(127);
    expectPacket(decode(max).r, packet);
    const over = withFcs(header, [0x41], packet, [0x00]);
    expect(over.length).toBe(128);
    expectRejected(decode(over).r, Reason.FrameTooLong);
    expectRejected(decode(new Uint8Array(200)).r, Reason.FrameTooLong);
  });

  it('fewer than 4 octets -> FrameTooShort', () => {
    for (const frame of [[], [0x41], [0x41, 0x98], [0x41, 0x98, 0x01]]) {
      expectRejected(decode(Uint8Array.from(frame)).r, Reason.FrameTooShort);
    }
  });

  it('refusals are counted per reason', () => {
    const core = new SixlabCore();
    core.decode(Uint8Array.of(1, 2, 3), 0);
    core.decode(Uint8Array.of(1, 2), 0);
    const bad = withFcs([0x41, 0x98], [0x01], PAN_ABCD, S2_AIR, S1_AIR, PLAIN);
    bad[bad.length - 2] ^= 1;
    core.decode(bad, 0);
    expect(core.counter(Reason.FrameTooShort)).toBe(2);
    expect(core.counter(Reason.BadFcs)).toBe(1);
  });
});

// ---------------------------------------------------------------------------
// Property: frames the core emits (SixlabCore.compress) parse back, both with
// the core and with the independent header reader below.

interface RefHeader {
  type: number;
  version: number;
  ackRequest: boolean;
  seq?: number;
  dstPan?: number;
  dst?: LinkAddress;
  srcPan?: number;
  src?: LinkAddress;
  length: number;
}

/** 802.15.4-2015 Table 7-2, as [dst addr present/ext, src addr present/ext, comp] -> [dst PAN, src PAN]. */
function table72(dstMode: number, srcMode: number, comp: boolean): [boolean, boolean] {
  const d = dstMode !== 0;
  const s = srcMode !== 0;
  if (!d && !s) return [comp, false];
  if (d && !s) return [!comp, false];
  if (!d && s) return [false, !comp];
  if (dstMode === 3 && srcMode === 3) return [!comp, false];
  return [true, !comp];
}

/** Independent MAC header reader (no IEs, no security) of a frame with its FCS. */
function readHeader(f: Uint8Array): RefHeader {
  const fcf = f[0] | (f[1] << 8);
  const version = (fcf >> 12) & 3;
  const dstMode = (fcf >> 10) & 3;
  const srcMode = (fcf >> 14) & 3;
  const comp = (fcf & 0x40) !== 0;
  let o = 2;
  const h: RefHeader = { type: fcf & 7, version, ackRequest: (fcf & 0x20) !== 0, length: 0 };
  if (!(version === 2 && fcf & 0x100)) h.seq = f[o++];
  const [dstPan, srcPan] = version === 2
    ? table72(dstMode, srcMode, comp)
    : [dstMode !== 0, srcMode !== 0 && !(dstMode !== 0 && comp)];
  const addr = (mode: number): LinkAddress | undefined => {
    if (mode === 0) return undefined;
    const n = mode === 2 ? 2 : 8;
    const a: LinkAddress = { mode: mode === 2 ? 'short' : 'extended', bytes: f.slice(o, o + n).reverse() };
    o += n;
    return a;
  };
  if (dstPan) { h.dstPan = f[o] | (f[o + 1] << 8); o += 2; }
  h.dst = addr(dstMode);
  if (srcPan) { h.srcPan = f[o] | (f[o + 1] << 8); o += 2; }
  h.src = addr(srcMode);
  h.length = o;
  return h;
}

describe('frames from SixlabCore.compress() parse back (property)', () => {
  const arbDst = fc.oneof(
    { weight: 4, arbitrary: arbLinkAddress() },
    { weight: 1, arbitrary: fc.constant<LinkAddress>(short(0xffff)) }, // broadcast
  );

  it('same addresses, PAN, sequence numbers; correct FCS', () => {
    fc.assert(
      fc.property(
        fc.record({
          src: arbLinkAddress(),
          dst: arbDst,
          pan: fc.integer({ min: 0, max: 0xffff }),
          version: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
          seq: fc.integer({ min: 0, max: 255 }),
          ackRequest: fc.boolean(),
          size: fc.integer({ min: 0, max: 400 }),
        }),
        (c) => {
          const packet = buildIpv6Packet({
            src: parseIpv6('2001:db8::1'),
            dst: parseIpv6('2001:db8::2'),
            hopLimit: 64,
            upper: { kind: 'udp', srcPort: 0xf0b1, dstPort: 5683, payload: new Uint8Array(c.size).map((_, i) => i) },
          });
          const frames = new SixlabCore().compress(packet, {
            src: c.src, dst: c.dst, pan: c.pan, seq: c.seq, frameVersion: c.version, ackRequest: c.ackRequest,
          });
          expect(frames.length).toBeGreaterThan(0);
          const rx = new SixlabCore();
          const broadcast = c.dst.mode === 'short' && c.dst.bytes[0] === 0xff && c.dst.bytes[1] === 0xff;
          frames.forEach((f, i) => {
            expect(f.length).toBeLessThanOrEqual(127);
            // FCS per the test's own CRC, little-endian.
            expect(fcsOf(f)).toBe(crc16Kermit(f.subarray(0, f.length - 2)));
            // Independent reading of the header.
            const h = readHeader(f);
            expect(h.type).toBe(1);
            expect(h.version).toBe(c.version);
            expect(h.seq).toBe((c.seq + i) & 0xff);
            expect(link(h.dst)).toEqual(link(c.dst));
            expect(link(h.src)).toEqual(link(c.src));
            if (h.dstPan !== undefined) expect(h.dstPan).toBe(c.pan);
            if (h.srcPan !== undefined) expect(h.srcPan).toBe(c.pan);
            expect(h.dstPan !== undefined || h.srcPan !== undefined).toBe(true); // the PAN is carried somewhere
            // 802.15.4 §7.2.1.1.4 / 2015 §7.2.2.4: no ACK request on broadcast frames.
            expect(h.ackRequest).toBe(c.ackRequest && !broadcast);
            // The core reads back the same.
            const r = rx.decode(f, 0);
            expect(r.kind, r.kind === 'rejected' ? r.message : '').toBe(i === frames.length - 1 ? 'packet' : 'pending');
            const m = r.info.mac;
            expect(m.fcsOk).toBe(true);
            expect(m.frameVersion).toBe(c.version);
            expect(m.seq).toBe(h.seq);
            expect(m.dstPan).toBe(h.dstPan);
            expect(m.srcPan).toBe(h.srcPan);
            expect(link(m.dst)).toEqual(link(c.dst));
            expect(link(m.src)).toEqual(link(c.src));
            expect(m.ackRequest).toBe(h.ackRequest);
            expect(m.headerLength).toBe(h.length);
            if (r.kind === 'packet') expect(Array.from(r.packet)).toEqual(Array.from(packet));
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('any hand-built header (random fields, every version) is read the same by the core', () => {
    const arbMode = fc.constantFrom(0, 2, 3);
    fc.assert(
      fc.property(
        fc.record({
          version: fc.constantFrom(0, 1, 2),
          dstMode: arbMode,
          srcMode: arbMode,
          comp: fc.boolean(),
          seqSuppressed: fc.boolean(),
          pending: fc.boolean(),
          ar: fc.boolean(),
          seq: fc.integer({ min: 0, max: 255 }),
          fields: fc.uint8Array({ minLength: 22, maxLength: 22 }),
        }),
        (c) => {
          // 2003/2006: comp is only meaningful with both addresses (§7.2.1.1.5).
          const comp = c.version === 2 || (c.dstMode !== 0 && c.srcMode !== 0) ? c.comp : false;
          const suppressed = c.version === 2 && c.seqSuppressed;
          const fcf = 1 | (c.pending ? 0x10 : 0) | (c.ar ? 0x20 : 0) | (comp ? 0x40 : 0) | (suppressed ? 0x100 : 0)
            | (c.dstMode << 10) | (c.version << 12) | (c.srcMode << 14);
          const probe = Uint8Array.from([fcf & 0xff, fcf >> 8, ...(suppressed ? [] : [c.seq]), ...c.fields]);
          const hdrLen = readHeader(probe).length;
          const frame = withFcs(probe.subarray(0, hdrLen), PLAIN);
          const ref = readHeader(frame);
          const { r } = decode(frame);
          expectPacket(r, PLAIN_PACKET);
          const m = r.info.mac;
          expect(m.seq).toBe(ref.seq);
          expect(m.dstPan).toBe(ref.dstPan);
          expect(m.srcPan).toBe(ref.srcPan);
          expect(link(m.dst)).toEqual(link(ref.dst));
          expect(link(m.src)).toEqual(link(ref.src));
          expect(m.framePending).toBe(c.pending);
          expect(m.ackRequest).toBe(c.ar);
          expect(m.panIdCompression).toBe(comp);
          expect(m.headerLength).toBe(ref.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
