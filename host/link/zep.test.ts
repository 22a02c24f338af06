import { describe, it, expect, afterEach, vi } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { parseIpv6 } from '../packet/ipv6-address.js';
import { buildDataFrame } from '../packet/ieee802154.js';
import { parseIeee802154 } from '../packet/ieee802154-parse.js';
import { parseLinkAddress, shortAddress, type LinkAddress } from '../packet/link-address.js';
import { buildIpv6Packet } from '../packet/packet.js';
import { LINKTYPE_IPV6, writePcap } from '../packet/pcap.js';
import { tempDir } from '../packet/test-util.js';
import { runTsharkFields, tsharkAvailable } from '../packet/tshark.js';
import type { Clock } from '../sim/clock.js';
import {
  buildAckFrame,
  decodeZep,
  encodeZep,
  encodeZepAck,
  ZEP_PORT,
  ZepEndpoint,
  ZepError,
  type ZepData,
  type ZepEndpointOptions,
  type ZepFrameInfo,
} from './zep.js';

const HAVE_TSHARK = tsharkAvailable();
if (!HAVE_TSHARK) console.warn('tshark not found on PATH (or $TSHARK): skipping the ZEP tshark cross-check');

const PAN = 0xabcd;
const EXT_A = parseLinkAddress('00:12:4b:00:00:00:00:0a');
const EXT_B = parseLinkAddress('00:12:4b:00:00:00:00:0b');

function dataFrame(
  seq: number,
  opts: { src?: LinkAddress; dst?: LinkAddress; ar?: boolean; version?: number; payload?: Uint8Array; fcs?: number } = {},
): Uint8Array {
  return buildDataFrame(
    {
      src: opts.src ?? shortAddress(0x0001),
      dst: opts.dst ?? shortAddress(0x0002),
      pan: PAN,
      seq,
      ackRequest: opts.ar ?? false,
      version: opts.version,
      fcs: opts.fcs,
    },
    opts.payload ?? Uint8Array.of(0x41, seq),
  );
}

const sample = (): ZepData => ({
  type: 'data',
  version: 2,
  channel: 26,
  deviceId: 0x1234,
  lqiMode: 1,
  lqi: 0xaa,
  timestamp: 60_500_000, // 1970-01-01 00:01:00.5
  ntpSeconds: 2_208_988_860,
  ntpFraction: 0x80000000,
  seq: 7,
  psdu: dataFrame(5),
});

describe('ZEP v2 codec', () => {
  it('lays out the 32-octet data header in the order of packet-zep.c', () => {
    const { psdu, ...s } = sample();
    const bytes = encodeZep({ ...s, psdu });
    expect(bytes.length).toBe(32 + psdu.length);
    expect(Buffer.from(bytes.subarray(0, 32)).toString('hex')).toBe(
      '4558' + '02' + '01' + '1a' + '1234' + '01' + 'aa' + '83aa7ebc' + '80000000' + '00000007' + '00'.repeat(10) +
        psdu.length.toString(16).padStart(2, '0'),
    );
    expect(bytes.subarray(32)).toEqual(psdu);
  });

  it('defaults to LQI mode 1 (CRC: the PSDU ends in its FCS) and LQI 255', () => {
    const bytes = encodeZep({ channel: 11, deviceId: 0, seq: 0, psdu: dataFrame(1), timestamp: 0 });
    expect([bytes[7], bytes[8]]).toEqual([1, 255]);
    expect(decodeZep(bytes)).toMatchObject({ type: 'data', lqiMode: 1, lqi: 255, timestamp: 0, ntpSeconds: 2_208_988_800 });
  });

  it('round-trips every field', () => {
    expect(decodeZep(encodeZep(sample()))).toEqual(sample());
    fc.assert(
      fc.property(
        fc.record({
          channel: fc.integer({ min: 0, max: 255 }),
          deviceId: fc.integer({ min: 0, max: 0xffff }),
          lqiMode: fc.integer({ min: 0, max: 1 }),
          lqi: fc.integer({ min: 0, max: 255 }),
          // NTP era 0: 1900-01-01 .. 2036-02-07, in µs since the Unix epoch
          timestamp: fc.integer({ min: -2_208_988_800_000_000, max: 2_085_978_495_999_999 }),
          seq: fc.integer({ min: 0, max: 0xffffffff }),
          psdu: fc.uint8Array({ minLength: 2, maxLength: 127 }),
        }),
        (f) => {
          const got = decodeZep(encodeZep(f));
          expect(got).toMatchObject({ type: 'data', version: 2, ...f });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('encodes and decodes the 8-octet ZEP ack', () => {
    const b = encodeZepAck(0xdeadbeef);
    expect(Buffer.from(b).toString('hex')).toBe('45580202deadbeef');
    expect(decodeZep(b)).toEqual({ type: 'ack', version: 2, seq: 0xdeadbeef });
  });

  it('rejects malformed datagrams with one-line errors and a reason', () => {
    const good = encodeZep(sample());
    const cases: Array<[Uint8Array, string, RegExp]> = [
      [Uint8Array.of(0x45, 0x58), 'Short', /2 octets, need at least 4/],
      [Uint8Array.of(0x45, 0x59, 2, 1), 'Preamble', /preamble 0x4559 is not "EX"/],
      [Uint8Array.of(0x45, 0x58, 1, 1), 'Version', /version 1 not supported/],
      [Uint8Array.of(0x45, 0x58, 3, 1), 'Version', /version 3/],
      [Uint8Array.of(0x45, 0x58, 2, 0xff, 0, 0, 0, 0), 'Type', /type 255 is neither data \(1\) nor ack \(2\)/],
      [good.subarray(0, 31), 'Short', /31 octets, header alone needs 32/],
      [good.subarray(0, good.length - 1), 'Length', /length field says \d+ octets, datagram carries \d+/],
      [Uint8Array.of(...good, 0), 'Length', /datagram carries/],
      [Uint8Array.of(...good.subarray(0, 31), 128, ...new Uint8Array(128)), 'Length', /length field 128 exceeds 127/],
      [Uint8Array.of(...good.subarray(0, 31), 1, 0), 'Length', /cannot hold the 2-octet FCS/],
      [Uint8Array.of(0x45, 0x58, 2, 2, 0, 0, 0), 'Length', /ack: 7 octets, expected 8/],
    ];
    for (const [bytes, reason, message] of cases) {
      let err: unknown;
      try {
        decodeZep(bytes);
      } catch (e) {
        err = e;
      }
      expect(err, message.source).toBeInstanceOf(ZepError);
      expect((err as ZepError).reason).toBe(reason);
      expect((err as ZepError).message).toMatch(message);
      expect((err as ZepError).message).not.toContain('\n');
    }
  });

  it('refuses fields that do not fit', () => {
    const base = { channel: 26, deviceId: 1, seq: 1, psdu: dataFrame(1), timestamp: 0 };
    expect(() => encodeZep({ ...base, psdu: new Uint8Array(1) })).toThrow(/1 octets: need 2..127/);
    expect(() => encodeZep({ ...base, psdu: new Uint8Array(128) })).toThrow(/128 octets/);
    expect(() => encodeZep({ ...base, channel: 256 })).toThrow(/channel 256 out of range/);
    expect(() => encodeZep({ ...base, deviceId: -1 })).toThrow(/device id/);
    expect(() => encodeZep({ ...base, seq: 2 ** 32 })).toThrow(/sequence number/);
    expect(() => encodeZep({ ...base, timestamp: -2_208_988_801_000_000 })).toThrow(/outside the NTP era/);
    expect(() => encodeZep({ ...base, timestamp: 0.5 })).toThrow(/safe integer/);
  });

  it('builds Imm-Acks with the acknowledged frame version, its sequence number and a valid FCS', () => {
    expect(Buffer.from(buildAckFrame(0x2a, 0)).toString('hex').slice(0, 6)).toBe('02002a');
    expect(Buffer.from(buildAckFrame(0x2a, 1)).toString('hex').slice(0, 6)).toBe('02102a');
    for (const version of [0, 1, 2]) {
      const m = parseIeee802154(buildAckFrame(200, version));
      expect(m).toMatchObject({ frameType: 2, version, seq: 200, fcsOk: true, ackRequest: false });
      expect(m.dst).toBeUndefined();
    }
  });
});

// tshark shows zep.time like "Jan  1, 1970 00:01:00.500000000 UTC" (TZ=UTC): back to µs since the epoch.
function zepTimeUs(text: string): number {
  const m = /^([A-Z][a-z]{2})\s+(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{9}) UTC$/.exec(text);
  if (!m) throw new Error(`unexpected zep.time ${JSON.stringify(text)}`);
  const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(m[1]) / 3;
  const s = Date.UTC(+m[3], month, +m[2], +m[4], +m[5], +m[6]) / 1000;
  return s * 1e6 + Math.round(+m[7] / 1000);
}

describe.skipIf(!HAVE_TSHARK)('ZEP vs tshark (skipped when tshark is missing)', () => {
  it('tshark (ZEP on udp.port 17754) agrees with every header field and finds the 802.15.4 frame', async () => {
    process.env.TZ = 'UTC'; // inherited by tshark: zep.time is printed in local time
    const src = parseIpv6('::1');
    const messages = [
      { channel: 26, deviceId: 0x1234, lqiMode: 1, lqi: 0xff, timestamp: 60_500_000, seq: 7, psdu: dataFrame(5, { ar: true }) },
      { channel: 11, deviceId: 0xfffe, lqiMode: 1, lqi: 0x10, timestamp: 1_700_000_000_123_456, seq: 0xfffffffe, psdu: buildAckFrame(5, 1) },
      {
        channel: 15,
        deviceId: 0,
        lqiMode: 0, // Wireshark then reads the last two octets as CC24xx RSSI/LQI metadata
        lqi: 200,
        timestamp: 0,
        seq: 0,
        psdu: dataFrame(6, { src: EXT_A, dst: EXT_B, payload: new Uint8Array(100) }),
      },
    ];
    const datagrams = [...messages.map((m) => encodeZep(m)), encodeZepAck(99)];
    const file = join(tempDir(), 'zep.pcap');
    await writePcap(
      file,
      LINKTYPE_IPV6,
      datagrams.map((d, i) => ({
        timeUs: i * 1000,
        data: buildIpv6Packet({ src, dst: src, upper: { kind: 'udp', srcPort: 50000, dstPort: ZEP_PORT, payload: d } }),
      })),
    );
    const fields = ['zep.protocol_id', 'zep.version', 'zep.type', 'zep.channel_id', 'zep.device_id', 'zep.lqi_mode', 'zep.lqi', 'zep.time', 'zep.seqno', 'zep.length', 'wpan.frame_type', 'wpan.seq_no', 'wpan.fcs_ok', 'wpan.version'];
    // Wireshark registers ZEP on UDP port 17754, so no "-d udp.port==17754,zep" is needed.
    const decoded = await runTsharkFields(file, fields, [], { disableProtocols: ['zbee_nwk'] });
    expect(decoded).toHaveLength(4);
    messages.forEach((m, i) => {
      const r = decoded[i];
      expect(r['zep.protocol_id']).toBe('EX');
      expect(r['zep.version']).toBe('2');
      expect(r['zep.type']).toBe('1');
      expect(r['zep.channel_id']).toBe(String(m.channel));
      expect(r['zep.device_id']).toBe(String(m.deviceId));
      expect(r['zep.lqi_mode']).toBe(String(m.lqiMode));
      expect(r['zep.lqi']).toBe(m.lqiMode === 0 ? String(m.lqi) : ''); // shown only in LQI mode
      expect(zepTimeUs(r['zep.time'])).toBe(m.timestamp);
      expect(r['zep.seqno']).toBe(String(m.seq));
      expect(r['zep.length']).toBe(String(m.psdu.length));
      const mac = parseIeee802154(m.psdu);
      expect(r['wpan.frame_type']).toBe('0x000' + mac.frameType);
      expect(r['wpan.seq_no']).toBe(String(mac.seq));
      expect(r['wpan.version']).toBe(String(mac.version));
      if (m.lqiMode === 1) expect(r['wpan.fcs_ok']).toBe('1');
    });
    expect(decoded[3]).toMatchObject({ 'zep.version': '2', 'zep.type': '2', 'zep.seqno': '99', 'zep.length': '', 'wpan.seq_no': '' });
  });
});

// --- endpoints on [::1] -----------------------------------------------------------

const open: Array<ZepEndpoint | Socket> = [];
afterEach(async () => {
  for (const x of open.splice(0)) {
    if (x instanceof ZepEndpoint) await x.close();
    else await new Promise<void>((r) => x.close(() => r()));
  }
});

async function endpoint(options: ZepEndpointOptions): Promise<ZepEndpoint> {
  const ep = await ZepEndpoint.open({ localPort: 0, ...options });
  open.push(ep);
  return ep;
}

/** Two endpoints on [::1], each the other's remote: A (0x0001, EXT_A) and B (0x0002, EXT_B) on PAN 0xabcd. */
async function pair(a: ZepEndpointOptions = {}, b: ZepEndpointOptions = {}): Promise<[ZepEndpoint, ZepEndpoint]> {
  const A = await endpoint({ pan: PAN, shortAddress: 0x0001, extendedAddress: EXT_A, ...a });
  const B = await endpoint({ pan: PAN, shortAddress: 0x0002, extendedAddress: EXT_B, remotePort: A.port(), ...b });
  A.setRemote('::1', B.port());
  return [A, B];
}

/** Resolves with the next `n` frames `ep` delivers (rejects after `ms`). */
function frames(ep: ZepEndpoint, n: number, ms = 2000): Promise<Array<{ psdu: Uint8Array; info: ZepFrameInfo }>> {
  return new Promise((resolve, reject) => {
    const got: Array<{ psdu: Uint8Array; info: ZepFrameInfo }> = [];
    const timer = setTimeout(() => {
      ep.off('frame', on);
      reject(new Error(`timed out waiting for ${n} frames (got ${got.length})`));
    }, ms);
    const on = (psdu: Uint8Array, info: ZepFrameInfo) => {
      got.push({ psdu, info });
      if (got.length === n) {
        clearTimeout(timer);
        ep.off('frame', on);
        resolve(got);
      }
    };
    ep.on('frame', on);
  });
}

/** A raw UDP socket on [::1] playing a device. */
async function rawSocket(): Promise<Socket> {
  const s = createSocket('udp6');
  open.push(s);
  await new Promise<void>((r) => s.bind(0, '::1', () => r()));
  return s;
}

function sendRaw(s: Socket, bytes: Uint8Array, port: number): Promise<void> {
  return new Promise((resolve, reject) => s.send(bytes, port, '::1', (e) => (e ? reject(e) : resolve())));
}

const macOf = (psdu: Uint8Array) => parseIeee802154(psdu);

describe('ZepEndpoint', () => {
  it('binds on [::1] (ephemeral port here; 17754 by default)', async () => {
    const ep = await endpoint({});
    expect(ep.local().address).toBe('::1');
    expect(ep.port()).toBeGreaterThan(0);
    expect(ep.remoteEndpoint()).toBeUndefined();
  });

  it('exchanges frames both ways, in order, with ZEP headers filled in', async () => {
    const [A, B] = await pair({ channel: 26, deviceId: 0xa }, { channel: 26, deviceId: 0xb });
    const atB = frames(B, 3);
    for (let i = 0; i < 3; i++) await A.send(dataFrame(i, { src: shortAddress(1), dst: shortAddress(2) }));
    const gotB = await atB;
    expect(gotB.map((f) => macOf(f.psdu).seq)).toEqual([0, 1, 2]);
    expect(gotB[0].psdu).toEqual(dataFrame(0, { src: shortAddress(1), dst: shortAddress(2) }));
    expect(gotB.map((f) => f.info.zep.seq)).toEqual([0, 1, 2]);
    expect(gotB[0].info.zep).toMatchObject({ channel: 26, deviceId: 0xa, lqiMode: 1, lqi: 255 });
    expect(Math.abs(gotB[0].info.zep.timestamp / 1000 - Date.now())).toBeLessThan(5000);
    expect(gotB[0].info.from).toEqual({ address: '::1', port: A.port() });
    expect(gotB[0].info.acked).toBe(false);

    const atA = frames(A, 2);
    await B.send(dataFrame(10, { src: EXT_B, dst: EXT_A }));
    await B.send(dataFrame(11, { src: shortAddress(2), dst: shortAddress(0xffff) }));
    const gotA = await atA;
    expect(gotA.map((f) => macOf(f.psdu).seq)).toEqual([10, 11]);
    expect(gotA[0].info.mac?.dst).toEqual(EXT_A);
    expect(A.stats).toMatchObject({ framesDelivered: 2, framesSent: 3, acksSent: 0, malformed: 0 });
    expect(B.stats).toMatchObject({ framesDelivered: 3, framesSent: 2, acksSent: 0 });
  });

  it('learns its remote from the first datagram when no remotePort is set', async () => {
    const A = await endpoint({});
    const dev = await rawSocket();
    await sendRaw(dev, encodeZep({ channel: 26, deviceId: 1, seq: 1, psdu: dataFrame(1) }), A.port());
    await frames(A, 1);
    expect(A.remoteEndpoint()).toEqual({ address: '::1', port: dev.address().port });
    const reply = new Promise<Buffer>((r) => dev.once('message', r));
    await A.send(dataFrame(2));
    expect(decodeZep(new Uint8Array(await reply))).toMatchObject({ type: 'data', psdu: dataFrame(2) });
  });

  it('acknowledges a frame with AR set, promptly, and measures the turnaround', async () => {
    const [A, B] = await pair();
    const ackAtA = frames(A, 1);
    const atB = frames(B, 1);
    await A.send(dataFrame(0x42, { ar: true }));
    const [ack] = await ackAtA;
    const [data] = await atB;
    expect(macOf(ack.psdu)).toMatchObject({ frameType: 2, seq: 0x42, version: 1, fcsOk: true, ackRequest: false });
    expect(ack.psdu.length).toBe(5);
    expect(data.info.acked).toBe(true);
    const t = B.stats.ackTurnaround;
    console.log(`ZEP ACK turnaround (first ACK, cold): ${t.lastUs.toFixed(0)} µs`);
    expect(t.count).toBe(1);
    expect(t.lastUs).toBeGreaterThan(0);
    expect(t.lastUs).toBeLessThan(50_000);
    expect(B.stats.acksSent).toBe(1);
    expect(A.stats.acksSent).toBe(0); // nobody acknowledges an ACK
  });

  it('keeps the ACK turnaround low over 500 frames (logged; asserted only loosely)', async () => {
    const [A, B] = await pair();
    const acks = frames(A, 500, 10_000);
    const delivered = frames(B, 500, 10_000);
    for (let i = 0; i < 500; i++) {
      await A.send(dataFrame(i & 0xff, { ar: true, src: shortAddress(0x100 + (i >> 8)) }));
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 1)); // do not just fill the socket buffer
    }
    await delivered;
    expect((await acks).every((f) => macOf(f.psdu).frameType === 2)).toBe(true);
    const t = B.stats.ackTurnaround;
    console.log(
      `ZEP ACK turnaround over ${t.count} ACKs: min ${t.minUs.toFixed(0)} µs, p50 ${t.p50Us.toFixed(0)} µs, ` +
        `mean ${t.meanUs.toFixed(0)} µs, p99 ${t.p99Us.toFixed(0)} µs, max ${t.maxUs.toFixed(0)} µs ` +
        `(A retransmitted ${A.stats.retransmissions} frames whose ACK was late)`,
    );
    // A's MAC retransmits a frame whose ACK is late; B acknowledges each copy and delivers one.
    expect(B.stats.acksSent).toBe(500 + A.stats.retransmissions);
    expect(B.stats.duplicates).toBe(A.stats.retransmissions);
    expect(B.stats.framesDelivered).toBe(500);
    expect(A.stats).toMatchObject({ framesAcked: 500, framesLost: 0 });
    expect(t.p50Us).toBeLessThan(50_000);
  });

  it('a RIOT-like device sees the ACK quickly (round trip measured at the device socket)', async () => {
    const B = await endpoint({ pan: PAN, shortAddress: 0x0002 });
    const dev = await rawSocket();
    const rtts: number[] = [];
    for (let i = 0; i < 50; i++) {
      const reply = new Promise<Buffer>((r) => dev.once('message', r));
      const t0 = process.hrtime.bigint();
      await sendRaw(dev, encodeZep({ channel: 26, deviceId: 7, seq: i, psdu: dataFrame(i, { ar: true }) }), B.port());
      const got = decodeZep(new Uint8Array(await reply));
      rtts.push(Number(process.hrtime.bigint() - t0) / 1000);
      expect(got.type === 'data' && macOf(got.psdu)).toMatchObject({ frameType: 2, seq: i });
    }
    rtts.sort((a, b) => a - b);
    console.log(
      `device-side ACK round trip over ${rtts.length} frames: min ${rtts[0].toFixed(0)} µs, median ${rtts[25].toFixed(0)} µs, max ${rtts[49].toFixed(0)} µs`,
    );
    expect(rtts[25]).toBeLessThan(50_000);
  });

  it('acknowledges frames to its extended address and copies the frame version (2006, 2015)', async () => {
    const [A, B] = await pair();
    const acks = frames(A, 2);
    await A.send(dataFrame(1, { ar: true, src: EXT_A, dst: EXT_B, version: 1 }));
    await A.send(dataFrame(2, { ar: true, src: EXT_A, dst: EXT_B, version: 2 }));
    const got = (await acks).map((f) => macOf(f.psdu));
    expect(got.map((m) => [m.frameType, m.seq, m.version, m.fcsOk])).toEqual([
      [2, 1, 1, true],
      [2, 2, 2, true],
    ]);
    expect(B.stats.acksSent).toBe(2);
  });

  it('sends no ACK for broadcast frames or frames without AR, and drops frames for others', async () => {
    const [A, B] = await pair();
    const atB = frames(B, 2);
    await A.send(dataFrame(1, { ar: true, dst: shortAddress(0xffff) })); // AR on a broadcast: a broken sender
    await A.send(dataFrame(2, { ar: false }));
    await A.send(dataFrame(3, { ar: true, dst: shortAddress(0x0003) })); // someone else's
    await A.send(dataFrame(4, { ar: true, dst: EXT_A })); // someone else's (extended)
    const got = await atB;
    expect(got.map((f) => [macOf(f.psdu).seq, f.info.acked])).toEqual([
      [1, false],
      [2, false],
    ]);
    // Barrier: B -> A after all that; an ACK from B would have arrived first.
    const atA = frames(A, 1);
    await B.send(dataFrame(9, { src: shortAddress(2), dst: shortAddress(1) }));
    expect(macOf((await atA)[0].psdu)).toMatchObject({ frameType: 1, seq: 9 });
    // Frames for others return before any ACK logic; A's MAC sent each of them 1 + 3 times, then gave up.
    await vi.waitFor(() => expect(B.stats.notForMe).toBe(8));
    expect(B.stats).toMatchObject({ acksSent: 0, notForMe: 8, framesDelivered: 2 });
    expect(A.stats).toMatchObject({ framesLost: 2, retransmissions: 6, framesAcked: 0 });
    expect(B.stats.ackTurnaround.count).toBe(0);
  });

  it('drops frames with another destination PAN, and with filter: false delivers and ACKs any unicast', async () => {
    const [A, B] = await pair();
    const other = buildDataFrame({ src: shortAddress(1), dst: shortAddress(2), pan: 0x1111, seq: 5, ackRequest: true }, Uint8Array.of(1));
    const bcastPan = buildDataFrame({ src: shortAddress(1), dst: shortAddress(2), pan: 0xffff, seq: 6, ackRequest: true }, Uint8Array.of(1));
    const ackAtA = frames(A, 1);
    await A.send(other);
    await A.send(bcastPan);
    expect(macOf((await ackAtA)[0].psdu).seq).toBe(6);
    expect(B.stats).toMatchObject({ notForMe: 4, acksSent: 1 }); // the frame for PAN 0x1111: 1 + 3 retries

    const [C, D] = await pair({}, { filter: false, pan: undefined, shortAddress: undefined, extendedAddress: undefined });
    const acks = frames(C, 2);
    const atD = frames(D, 3);
    await C.send(dataFrame(1, { ar: true, dst: shortAddress(0x0777) }));
    await C.send(dataFrame(2, { ar: true, dst: EXT_A }));
    await C.send(dataFrame(3, { ar: true, dst: shortAddress(0xffff) }));
    expect((await acks).map((f) => macOf(f.psdu).seq)).toEqual([1, 2]);
    expect((await atD).map((f) => [macOf(f.psdu).seq, f.info.acked])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
  });

  it('hides retransmissions from the upper layer but ACKs each of them', async () => {
    let now = 0;
    const clock: Clock = { now: () => now, sleep: async () => {} };
    const [A, B] = await pair({}, { clock });
    const frame = dataFrame(77, { ar: true });
    const delivered: number[] = [];
    B.on('frame', (psdu) => delivered.push(macOf(psdu).seq as number));
    // B has handled a frame once its ACK is back at A; only then move the clock.
    const sendAndAwaitAck = async (at: number) => {
      now = at;
      const ack = frames(A, 1);
      await A.send(frame);
      expect(macOf((await ack)[0].psdu)).toMatchObject({ frameType: 2, seq: 77 });
    };
    await sendAndAwaitAck(0);
    await sendAndAwaitAck(300); // retransmission: same source, same sequence number
    await sendAndAwaitAck(900); // again, within 1 s of the last sighting
    await sendAndAwaitAck(2000); // after the window: a new frame that reuses the sequence number
    await vi.waitFor(() => expect(B.stats.acksSent).toBe(4));
    expect(delivered).toEqual([77, 77]);
    expect(B.stats).toMatchObject({ duplicates: 2, acksSent: 4, framesDelivered: 2 });

    // Same sequence number from another source is not a retransmission.
    const more = frames(B, 1);
    await A.send(dataFrame(77, { ar: true, src: shortAddress(0x0009) }));
    await more;
    expect(B.stats.duplicates).toBe(2);
  });

  it('counts and ignores malformed datagrams, and keeps working', async () => {
    const B = await endpoint({ pan: PAN, shortAddress: 0x0002 });
    const dev = await rawSocket();
    const errors: string[] = [];
    B.on('malformed', (e, from) => errors.push(`${e.reason}@${from.port}`));
    const good = encodeZep({ channel: 26, deviceId: 1, seq: 1, psdu: dataFrame(1) });
    const bad = [
      Uint8Array.of(1, 2, 3),
      Buffer.from('XX hello'),
      Uint8Array.of(0x45, 0x58, 1, 1, ...new Uint8Array(20)),
      good.subarray(0, good.length - 2),
      Uint8Array.of(0x45, 0x58, 2, 0xff, ...new Uint8Array(28), 0x48, 0x45, 0x4c, 0x4c, 0x4f), // RIOT's HELLO
      new Uint8Array(0),
    ];
    for (const b of bad) await sendRaw(dev, b, B.port());
    await sendRaw(dev, encodeZepAck(5), B.port());
    const after = frames(B, 1);
    await sendRaw(dev, good, B.port());
    expect((await after)[0].psdu).toEqual(dataFrame(1));
    const p = dev.address().port;
    expect(errors).toEqual([`Short@${p}`, `Preamble@${p}`, `Version@${p}`, `Length@${p}`, `Type@${p}`, `Short@${p}`]);
    expect(B.stats).toMatchObject({ datagramsIn: 8, malformed: 6, zepAcksIn: 1, framesDelivered: 1 });
  });

  it('drops frames with a bad FCS or on another channel, without ACK', async () => {
    const B = await endpoint({ pan: PAN, shortAddress: 0x0002, channel: 15 });
    const dev = await rawSocket();
    let acks = 0;
    dev.on('message', () => acks++);
    await sendRaw(dev, encodeZep({ channel: 15, deviceId: 1, seq: 1, psdu: dataFrame(1, { ar: true, fcs: 0x1234 }) }), B.port());
    await sendRaw(dev, encodeZep({ channel: 26, deviceId: 1, seq: 2, psdu: dataFrame(2, { ar: true }) }), B.port());
    const ok = frames(B, 1);
    await sendRaw(dev, encodeZep({ channel: 15, deviceId: 1, seq: 3, psdu: dataFrame(3) }), B.port());
    expect(macOf((await ok)[0].psdu).seq).toBe(3);
    await new Promise((r) => setTimeout(r, 20));
    expect(acks).toBe(0);
    expect(B.stats).toMatchObject({ badFcs: 1, wrongChannel: 1, framesDelivered: 1, acksSent: 0 });

    const C = await endpoint({ pan: PAN, shortAddress: 0x0002, acceptBadFcs: true });
    const got = frames(C, 1);
    await sendRaw(dev, encodeZep({ channel: 26, deviceId: 1, seq: 1, psdu: dataFrame(1, { ar: true, fcs: 0x1234 }) }), C.port());
    expect((await got)[0].info).toMatchObject({ acked: false, mac: { fcsOk: false } });
  });

  it('delivers frames it cannot parse (no ACK) and lets autoAck be turned off', async () => {
    const [A, B] = await pair({}, { autoAck: false });
    const secured = Uint8Array.of(0x69, 0x88, 1, 0xcd, 0xab, 2, 0, 1, 0, 0, 0); // security bit set
    const atB = frames(B, 2);
    await A.send(secured);
    await A.send(dataFrame(2, { ar: true }));
    const got = await atB;
    expect(got[0].info.mac).toBeUndefined();
    expect(got.map((f) => f.info.acked)).toEqual([false, false]);
    expect(B.stats).toMatchObject({ unparsed: 1, acksSent: 0 });
  });

  it('implements Link: onFrame with unsubscribe, send, close', async () => {
    const [A, B] = await pair();
    const seen: Array<{ psdu: Uint8Array; at: number }> = [];
    const off = B.onFrame((f) => seen.push(f));
    const first = frames(B, 1);
    await A.send(dataFrame(1));
    await first;
    off();
    const second = frames(B, 1);
    await A.send(dataFrame(2));
    await second;
    expect(seen.map((f) => macOf(f.psdu).seq)).toEqual([1]);
    expect(typeof seen[0].at).toBe('number');
    expect(typeof B.clock.now()).toBe('number');
    await A.close();
    await A.close();
    await expect(A.send(dataFrame(3))).rejects.toThrow(/send after close/);
  });

  it('reports setup problems on one line', async () => {
    const A = await endpoint({});
    await expect(ZepEndpoint.open({ localPort: A.port() })).rejects.toThrow(/cannot bind \[::1\]:\d+: .*EADDRINUSE/);
    const lonely = await endpoint({});
    await expect(lonely.send(dataFrame(1))).rejects.toThrow(/no remote yet/);
    await expect(lonely.send(new Uint8Array(1), { address: '::1', port: A.port() })).rejects.toThrow(/need 2..127/);
    expect(() => new ZepEndpoint({ extendedAddress: '0x0001' })).toThrow(/8-octet extended address/);
  });
});

/**
 * A raw socket playing a peer's radio: records every data datagram (when it was
 * handled, when it was sent by the ZEP timestamp, its MAC seq) and answers as
 * `policy` says.
 */
async function peerRadio(policy: (mac: ReturnType<typeof macOf>, nth: number) => 'ack' | 'ignore' | number) {
  const s = await rawSocket();
  const heard: Array<{ at: number; sentMs: number; seq: number; ackAt?: number }> = [];
  s.on('message', (msg, rinfo) => {
    const z = decodeZep(new Uint8Array(msg));
    if (z.type !== 'data') return;
    const mac = macOf(z.psdu);
    const entry: { at: number; sentMs: number; seq: number; ackAt?: number } = { at: performance.now(), sentMs: z.timestamp / 1000, seq: mac.seq as number };
    heard.push(entry);
    const what = policy(mac, heard.length - 1);
    if (what === 'ignore' || !mac.ackRequest) return;
    const ack = () => {
      entry.ackAt = performance.now();
      s.send(encodeZep({ channel: 26, deviceId: 9, seq: 0, psdu: buildAckFrame(mac.seq as number, mac.version) }), rinfo.port, rinfo.address);
    };
    if (what === 'ack') ack();
    else setTimeout(ack, what);
  });
  return { port: s.address().port, heard };
}

describe('ZEP MAC (IEEE 802.15.4-2015 §6.7.4.3)', () => {
  it('waits for each frame\'s ACK before the next one goes out (the ACK paces the frames)', async () => {
    const peer = await peerRadio(() => 8); // the peer takes 8 ms to acknowledge, well within the wait
    const A = await endpoint({ remotePort: peer.port, mac: { ackWaitMs: 100 } });
    const results = await Promise.all([0, 1, 2, 3].map((i) => A.transmit(dataFrame(i, { ar: true }))));
    expect(results.map((r) => r.status)).toEqual(['acked', 'acked', 'acked', 'acked']);
    expect(peer.heard.map((h) => h.seq)).toEqual([0, 1, 2, 3]);
    for (let i = 1; i < 4; i++) expect(peer.heard[i].at).toBeGreaterThanOrEqual(peer.heard[i - 1].ackAt as number);
    expect(A.stats).toMatchObject({ framesAcked: 4, framesLost: 0, retransmissions: 0, framesSent: 4 });
  });

  it('retransmits a frame whose ACK does not come, and the retransmission\'s ACK ends it', async () => {
    const peer = await peerRadio((_m, nth) => (nth === 0 ? 'ignore' : 'ack')); // drops the first copy, as a busy RIOT node does
    const A = await endpoint({ remotePort: peer.port, mac: { ackWaitMs: 5 } });
    const r = await A.transmit(dataFrame(0x33, { ar: true }));
    expect(r).toMatchObject({ status: 'acked', attempts: 2 });
    expect(peer.heard.map((h) => h.seq)).toEqual([0x33, 0x33]);
    // Sent (ZEP timestamps: the sender's clock) after the ACK wait (5 ms; timers may fire up to 1 ms early), not before.
    expect(peer.heard[1].sentMs - peer.heard[0].sentMs).toBeGreaterThanOrEqual(3.5);
    expect(A.stats).toMatchObject({ framesAcked: 1, retransmissions: 1, framesLost: 0 });
  });

  it('gives up after macMaxFrameRetries retransmissions and reports the frame lost (send still resolves)', async () => {
    const peer = await peerRadio(() => 'ignore');
    const A = await endpoint({ remotePort: peer.port, mac: { ackWaitMs: 2, maxFrameRetries: 3 } });
    const lost: number[] = [];
    A.on('lost', (_psdu, result) => lost.push(result.attempts));
    expect(await A.transmit(dataFrame(1, { ar: true }))).toEqual({ status: 'lost', attempts: 4 });
    await expect(A.send(dataFrame(2, { ar: true }))).resolves.toBeUndefined(); // Link.send callers are not broken
    expect(peer.heard.map((h) => h.seq)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(lost).toEqual([4, 4]);
    expect(A.stats).toMatchObject({ framesLost: 2, retransmissions: 6, framesAcked: 0, framesSent: 8 });

    const B = await endpoint({ remotePort: peer.port, mac: { maxFrameRetries: 0 } });
    expect(await B.transmit(dataFrame(3, { ar: true }))).toEqual({ status: 'lost', attempts: 1 });
  });

  it('an ACK with another sequence number (a late one for an earlier frame) does not acknowledge the frame', async () => {
    const s = await rawSocket();
    s.on('message', (msg, rinfo) => {
      const z = decodeZep(new Uint8Array(msg));
      if (z.type === 'data') s.send(encodeZep({ channel: 26, deviceId: 9, seq: 0, psdu: buildAckFrame((macOf(z.psdu).seq as number) + 1) }), rinfo.port, rinfo.address);
    });
    const A = await endpoint({ remotePort: s.address().port, mac: { ackWaitMs: 2, maxFrameRetries: 1 } });
    expect(await A.transmit(dataFrame(7, { ar: true }))).toEqual({ status: 'lost', attempts: 2 });
  });

  it('does not wait for ACKs of broadcast frames or frames without AR, and spaces them by gapMs', async () => {
    const peer = await peerRadio(() => 'ack');
    const A = await endpoint({ remotePort: peer.port, mac: { gapMs: 6 } });
    const sent = [
      A.transmit(dataFrame(1, { ar: true, dst: shortAddress(0xffff) })),
      A.transmit(dataFrame(2, { ar: false })),
      A.transmit(dataFrame(3, { ar: false })),
    ];
    expect((await Promise.all(sent)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    await vi.waitFor(() => expect(peer.heard.map((h) => h.seq)).toEqual([1, 2, 3]));
    // Spacing as sent (ZEP timestamps); arrival times would show the receiver's own scheduling.
    for (let i = 1; i < 3; i++) expect(peer.heard[i].sentMs - peer.heard[i - 1].sentMs).toBeGreaterThanOrEqual(5);

    const B = await endpoint({ remotePort: peer.port, mac: { gapMs: 0 } });
    const t = performance.now();
    await Promise.all([4, 5, 6, 7, 8].map((i) => B.transmit(dataFrame(i))));
    expect(performance.now() - t).toBeLessThan(1000); // nothing waited for anything (a loose bound: loaded hosts)
  });

  it('with the MAC off (ackWaitMs 0) sends every frame once, back to back, without waiting for ACKs', async () => {
    const peer = await peerRadio(() => 'ignore');
    const A = await endpoint({ remotePort: peer.port, mac: { ackWaitMs: 0, gapMs: 0 } });
    const results = await Promise.all([1, 2, 3].map((i) => A.transmit(dataFrame(i, { ar: true }))));
    expect(results).toEqual([1, 2, 3].map(() => ({ status: 'sent', attempts: 1 })));
    await vi.waitFor(() => expect(peer.heard.length).toBe(3));
    expect(A.stats).toMatchObject({ retransmissions: 0, framesLost: 0, framesSent: 3 });
  });

  it('frames waiting in the MAC when the endpoint closes resolve as dropped', async () => {
    const peer = await peerRadio(() => 'ignore');
    const A = await ZepEndpoint.open({ localPort: 0, remotePort: peer.port, mac: { ackWaitMs: 50 } });
    const pending = [A.transmit(dataFrame(1, { ar: true })), A.transmit(dataFrame(2, { ar: true }))];
    await new Promise((r) => setTimeout(r, 10));
    await A.close();
    expect((await Promise.all(pending)).map((r) => r.status)).toEqual(['dropped', 'dropped']);
  });

  it('refuses MAC settings out of range, on one line', () => {
    expect(() => new ZepEndpoint({ mac: { ackWaitMs: -1 } })).toThrow(/^ZEP MAC: ackWaitMs -1 must be a number >= 0$/);
    expect(() => new ZepEndpoint({ mac: { maxFrameRetries: 8 } })).toThrow(/maxFrameRetries 8 must be a whole number 0..7/);
    expect(() => new ZepEndpoint({ mac: { gapMs: Number.NaN } })).toThrow(/gapMs NaN/);
  });

  it('warms its ACK path up at bind (frames to itself) and leaves no trace of it', async () => {
    const warm = await endpoint({ pan: PAN, shortAddress: 0x0002 });
    const cold = await endpoint({ pan: PAN, shortAddress: 0x0002, warmUp: false });
    expect(warm.warmedUp).toBe(true);
    expect(cold.warmedUp).toBe(false);
    for (const ep of [warm, cold]) {
      expect(ep.remoteEndpoint()).toBeUndefined();
      expect(ep.stats).toMatchObject({ datagramsIn: 0, framesDelivered: 0, framesSent: 0, acksSent: 0, duplicates: 0 });
      expect(ep.stats.ackTurnaround.count).toBe(0);
    }
    // The first real frame is a new frame (not a "retransmission" of a warm-up frame), and the first ZEP sequence number is 0.
    const dev = await rawSocket();
    const reply = new Promise<Buffer>((r) => dev.once('message', r));
    await sendRaw(dev, encodeZep({ channel: 26, deviceId: 1, seq: 1, psdu: dataFrame(0, { src: shortAddress(0xfffe), ar: true }) }), warm.port());
    expect(decodeZep(new Uint8Array(await reply))).toMatchObject({ type: 'data', seq: 0 });
    await vi.waitFor(() => expect(warm.stats).toMatchObject({ framesDelivered: 1, duplicates: 0, acksSent: 1 }));
  });

  it('handles a peer\'s frame that arrives during the warm-up as any other (acknowledged, delivered, counted)', async () => {
    const dev = await rawSocket();
    const ep = new ZepEndpoint({ localPort: 0, pan: PAN, shortAddress: 0x0002 });
    open.push(ep);
    const got: number[] = [];
    ep.on('frame', (psdu) => got.push(macOf(psdu).seq as number));
    // As soon as the socket is bound (the warm-up is under way), a peer speaks.
    let port = 0;
    while (!port) {
      try {
        port = ep.port();
      } catch {
        await new Promise((r) => setImmediate(r));
      }
    }
    const ack = new Promise<Buffer>((r) => dev.once('message', r));
    await sendRaw(dev, encodeZep({ channel: 26, deviceId: 1, seq: 1, psdu: dataFrame(0x5a, { ar: true }) }), port);
    await ep.ready;
    expect(decodeZep(new Uint8Array(await ack))).toMatchObject({ type: 'data', psdu: buildAckFrame(0x5a, 1) });
    await vi.waitFor(() => expect(got).toEqual([0x5a]));
    expect(ep.warmedUp).toBe(true);
    expect(ep.remoteEndpoint()).toEqual({ address: '::1', port: dev.address().port });
    expect(ep.stats).toMatchObject({ datagramsIn: 1, framesDelivered: 1, acksSent: 1 });
  });
});
