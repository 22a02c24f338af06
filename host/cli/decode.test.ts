// `sixlab decode` as a user runs it (the built CLI in a child process): the
// fixes of issue 8, captures read with -r (cross-checked with tshark), and
// memory under a slow reader.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import coap from 'coap-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapngWriter } from '../capture/pcapng.js';
import {
  ETHERTYPE_IPV4, ETHERTYPE_IPV6, ethernet, linuxSll, linuxSll2, loopHeader, nullHeader, tap, tapTlv, udpInIpv4, udpInIpv6, zepV1,
} from '../capture/test-captures.js';
import { SixlabCore } from '../core/sixlab-core.js';
import { encodeZep, encodeZepAck } from '../link/zep.js';
import { fcs16 } from '../packet/ieee802154.js';
import { shortAddress } from '../packet/link-address.js';
import { buildIpv6Packet } from '../packet/packet.js';
import { pcapBytes } from '../packet/pcap.js';
import { runTsharkFields } from '../packet/tshark.js';
import { crc32 } from './frame-decoder.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const REF_HEX = '41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f216d';
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const REF = hex(REF_HEX);

function sixlab(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const jsonLines = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
/** A report without the members a capture adds, to compare with the hex decode of the same frame. */
const core = (r: Record<string, unknown>) => {
  const { capture: _c, zep: _z, tap: _t, ...rest } = r;
  const mac = { ...(rest.mac as Record<string, unknown>) };
  delete mac.fcs;
  delete mac.fcsOk;
  delete mac.fcsAbsent;
  delete mac.fcsLength;
  return { ...rest, mac };
};

const LL = (last: number) => Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, last]);
const FD = (last: number) => Uint8Array.from([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last]);

function withFcs(body: Uint8Array): Uint8Array {
  const c = fcs16(body);
  return Uint8Array.from([...body, c & 0xff, c >> 8]);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sixlab-decode-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function pcapng(build: (w: PcapngWriter) => void): Uint8Array {
  const chunks: Uint8Array[] = [];
  build(new PcapngWriter((c) => chunks.push(c)));
  return new Uint8Array(Buffer.concat(chunks));
}

describe('sixlab decode: issue 8 fixes', () => {
  it('reports a frame over 127 octets on its own, as too long, not with the frame before\'s header', () => {
    const long = '41'.repeat(130);
    const [a, b] = jsonLines(sixlab(['decode', '--json', REF_HEX, long]).out);
    expect(a.mac.src).toBe('00:12:4b:00:00:01:02:03');
    expect(b.mac).toEqual({ length: 130 });
    expect(b.lowpan).toEqual({});
    expect(b.reason).toBe('FrameTooLong');
    const text = sixlab(['decode', REF_HEX, long]).out;
    const second = text.slice(text.indexOf('frame 2'));
    expect(second).toMatch(/^frame 2: 130 octets\n {2}rejected: frame longer than 127 octets/);
    expect(second).not.toContain('00:12:4b');
  });

  it('labels a rejected empty frame for what it is, not as a beacon', () => {
    const r = sixlab(['decode', '--json', ''], undefined);
    expect(jsonLines(r.out)[0]).toMatchObject({ mac: { length: 0 }, reason: 'FrameTooShort' });
    expect(jsonLines(r.out)[0].mac.frameType).toBeUndefined();
    const viaStdin = sixlab(['decode'], '0x\n');
    expect(viaStdin.out).toMatch(/^frame 1: empty frame \(0 octets\)/);
    expect(viaStdin.out).not.toContain('beacon');
  });

  it('shows only the header fields the core read before it refused a frame (security on)', () => {
    const secured = toHex(withFcs(hex('49cc42cdab06050400004b120003020100004b120000')));
    const [r] = jsonLines(sixlab(['decode', '--json', secured]).out);
    expect(r.reason).toBe('SecurityUnsupported');
    expect(r.mac).toMatchObject({ frameType: 'data', frameVersion: '2003', security: true, fcsOk: true });
    for (const k of ['seq', 'dst', 'src', 'dstPan', 'headerLength']) expect(r.mac[k], k).toBeUndefined();
  });

  it('shows payloads as hex and ASCII', () => {
    const [r] = jsonLines(sixlab(['decode', '--json', REF_HEX]).out);
    expect(r.payload).toEqual({ length: 5, hex: '68656c6c6f', ascii: 'hello' });
    expect(sixlab(['decode', REF_HEX]).out).toContain('  payload 5 octets: 68 65 6c 6c 6f  |hello|');
  });

  it('decodes CoAP on UDP port 5683 with coap-packet: type, code, message ID, token, options, payload (as tshark reads it)', async () => {
    const message = coap.generate({
      confirmable: true, code: '0.02', messageId: 0x1234, token: Buffer.from([0x0a, 0x0b]),
      options: [{ name: 'Uri-Path', value: Buffer.from('sensors') }, { name: 'Uri-Path', value: Buffer.from('temp') }, { name: 'Content-Format', value: Buffer.alloc(0) }],
      payload: Buffer.from('21.5'),
    });
    const packet = buildIpv6Packet({ src: LL(1), dst: LL(2), upper: { kind: 'udp', srcPort: 61616, dstPort: 5683, payload: message } });
    const [frame] = new SixlabCore().compress(packet, { src: shortAddress(1), dst: shortAddress(2), pan: 0xabcd });
    const [r] = jsonLines(sixlab(['decode', '--json', toHex(frame)]).out);
    expect(r.coap).toEqual({
      type: 'CON', code: '0.02', codeName: 'POST', messageId: 0x1234, token: '0a0b',
      options: [{ name: 'Uri-Path', value: 'sensors' }, { name: 'Uri-Path', value: 'temp' }, { name: 'Content-Format', value: 0 }],
      payload: { length: 4, hex: '32312e35', ascii: '21.5' },
    });
    const text = sixlab(['decode', toHex(frame)]).out;
    expect(text).toContain('CoAP CON 0.02 POST message ID 4660 token 0a0b; Uri-Path "sensors", Uri-Path "temp", Content-Format 0');
    expect(text).toContain('CoAP payload 4 octets: 32 31 2e 35  |21.5|');
    const [t] = await runTsharkFields(file('coap.pcap', pcapBytes(195, [{ timeUs: 0, data: frame }])),
      ['coap.type', 'coap.code', 'coap.mid', 'coap.token', 'coap.opt.uri_path']);
    expect([t['coap.type'], t['coap.code'], t['coap.mid'], t['coap.token'], t['coap.opt.uri_path']]).toEqual(['0', '2', '4660', '0a0b', 'sensors,temp']);
    // The sample NON GET /temp, and a message that is not CoAP at all.
    const sample = readFileSync(join(ROOT, 'samples', 'frames.hex'), 'utf8').trim().split('\n').pop()!;
    expect(jsonLines(sixlab(['decode', '--json', sample]).out)[0].coap).toMatchObject({ type: 'NON', codeName: 'GET', options: [{ name: 'Uri-Path', value: 'temp' }] });
    const notCoap = buildIpv6Packet({ src: LL(1), dst: LL(2), upper: { kind: 'udp', srcPort: 5683, dstPort: 9, payload: hex('ff01') } });
    const [n] = jsonLines(sixlab(['decode', '--json', toHex(new SixlabCore().compress(notCoap, { src: shortAddress(1), dst: shortAddress(2), pan: 1 })[0])]).out);
    expect(n.coap.error).toMatch(/^CoAP: 2 octets/);
  });

  it('shows the mesh header as text: hops left, originator, final destination', () => {
    const mesh = '418821cdab02020101b51a2b3c4d7e33f312ec296d657368c034';
    expect(sixlab(['decode', mesh]).out).toContain('  6LoWPAN mesh hops left 5 originator 0x1a2b final 0x3c4d; IPHC');
  });

  it('--ignore-fcs decodes a frame whose FCS octets carry RSSI/LQI, and says it did', () => {
    const sniffed = REF_HEX.slice(0, -4) + 'd89f'; // RSSI -40, CRC OK | LQI 31 (TI CC24xx)
    const refused = jsonLines(sixlab(['decode', '--json', sniffed]).out)[0];
    expect(refused.reason).toBe('BadFcs');
    const [r] = jsonLines(sixlab(['decode', '--json', '--ignore-fcs', sniffed]).out);
    expect(r.error).toBeUndefined();
    expect(r.mac).toMatchObject({ fcs: 0x9fd8, fcsOk: false, fcsIgnored: true });
    expect(r.ipv6.src).toBe('fe80::212:4b00:1:203');
    expect(sixlab(['decode', '--ignore-fcs', sniffed]).out).toContain('FCS 0x9fd8 BAD (ignored: decoded anyway)');
    // A good FCS is still a good FCS.
    expect(jsonLines(sixlab(['decode', '--json', '--ignore-fcs', REF_HEX]).out)[0].mac).toMatchObject({ fcsOk: true });
  });
});

describe('sixlab decode -r: captures', () => {
  const frames = readFileSync(join(ROOT, 'samples', 'frames.hex'), 'utf8').split('\n')
    .map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map(hex);
  const hexReports = () => jsonLines(sixlab(['decode', '--json', ...frames.map(toHex)]).out);

  it('reads pcap and pcapng of 802.15.4 frames (195) as it reads the same frames in hex', () => {
    const want = hexReports();
    const t0 = 1_700_000_000_000_000;
    const pcap = file('frames.pcap', pcapBytes(195, frames.map((data, i) => ({ timeUs: t0 + i * 1000, data }))));
    const ng = file('frames.pcapng', pcapng((w) => {
      w.addInterface(195, 'wpan0', 'ns');
      frames.forEach((data, i) => w.writePacket(0, t0 + i * 1000, data));
    }));
    for (const path of [pcap, ng]) {
      const r = sixlab(['decode', '--json', '-r', path]);
      expect(r.code).toBe(0);
      const got = jsonLines(r.out);
      expect(got).toHaveLength(frames.length);
      got.forEach((g, i) => {
        expect(g.capture).toEqual({ packet: i + 1, time: i / 1000, timeUs: t0 + i * 1000, linkType: 195 });
        expect(g).toEqual({ capture: g.capture, ...want[i] });
      });
    }
    expect(sixlab(['decode', '-r', pcap]).out).toMatch(/^frame 1 \(packet 1, 0\.000000 s\): data 2003 seq 66/);
  });

  it('reads frames without an FCS (230) and TAP (283) frames, whose FCS-type TLV says what ends them (as tshark reads them)', async () => {
    const body = REF.subarray(0, -2);
    const c32 = crc32(body, 0, body.length);
    const fcs32 = Uint8Array.from([...body, c32 & 0xff, (c32 >>> 8) & 0xff, (c32 >>> 16) & 0xff, c32 >>> 24]);
    const nofcs = file('nofcs.pcap', pcapBytes(230, [{ timeUs: 0, data: body }]));
    const taps = file('tap.pcap', pcapBytes(283, [
      { timeUs: 0, data: tap([tapTlv(0, [1]), tapTlv(3, [26, 0, 0]), tapTlv(10, [200])], REF) },
      { timeUs: 1, data: tap([tapTlv(0, [0])], body) },
      { timeUs: 2, data: tap([], body) },
      { timeUs: 3, data: tap([tapTlv(0, [2])], fcs32) },
      { timeUs: 4, data: tap([tapTlv(0, [2])], Uint8Array.from([...fcs32.subarray(0, -1), fcs32[fcs32.length - 1] ^ 1])) },
    ]));
    const want = core(jsonLines(sixlab(['decode', '--json', REF_HEX]).out)[0]);
    const [n] = jsonLines(sixlab(['decode', '--json', '-r', nofcs]).out);
    expect(n.mac.fcsAbsent).toBe(true);
    expect(core(n)).toEqual(want);
    const t = jsonLines(sixlab(['decode', '--json', '-r', taps]).out);
    expect(t[0].tap).toEqual({ fcsType: 1, channel: 26, page: 0, lqi: 200 });
    expect(t[0].mac).toMatchObject({ fcs: 0x6d21, fcsOk: true });
    expect(t[1].mac.fcsAbsent).toBe(true);
    expect(t[2].mac.fcsAbsent).toBe(true);
    expect(t[3].mac).toMatchObject({ fcs: c32, fcsOk: true, fcsLength: 4 });
    expect(t[4]).toMatchObject({ mac: { fcsOk: false, fcsLength: 4 }, reason: 'BadFcs' });
    for (const i of [0, 1, 2, 3]) expect(core(t[i]), `TAP packet ${i + 1}`).toEqual(want);
    const shark = await runTsharkFields(taps, ['wpan-tap.fcs_type', 'wpan.fcs_ok', 'ipv6.src', 'udp.srcport', 'wpan-tap.ch_num', 'wpan-tap.lqi']);
    expect(shark.map((s) => [s['wpan-tap.fcs_type'], s['wpan.fcs_ok'], s['ipv6.src'], s['udp.srcport']])).toEqual([
      ['1', '1', 'fe80::212:4b00:1:203', '61617'], ['0', '1', 'fe80::212:4b00:1:203', '61617'],
      ['', '1', 'fe80::212:4b00:1:203', '61617'], ['2', '1', 'fe80::212:4b00:1:203', '61617'],
      ['2', '0', '', ''], // a bad FCS: tshark does not read on either
    ]);
    expect([shark[0]['wpan-tap.ch_num'], shark[0]['wpan-tap.lqi']]).toEqual(['26', '200']);
  });

  it('reads ZEP v2 and v1 in UDP over Ethernet, Linux cooked v1 and v2, loopback and raw IP, IPv4 and IPv6 (as tshark reads them)', async () => {
    const zep = encodeZep({ channel: 26, deviceId: 7, seq: 99, psdu: REF, timestamp: 0 });
    const v4 = udpInIpv4([127, 0, 0, 1], [127, 0, 0, 2], 40000, 17754, zep);
    const v6 = udpInIpv6(FD(1), FD(2), 17754, 17754, zep);
    const captures: Array<[string, number, Uint8Array, string]> = [
      ['ethernet-ipv4', 1, ethernet(ETHERTYPE_IPV4, v4), '127.0.0.1:40000'],
      ['ethernet-vlan-ipv6', 1, ethernet(ETHERTYPE_IPV6, v6, 5), '[fd00::1]:17754'],
      ['sll-ipv6', 113, linuxSll(ETHERTYPE_IPV6, v6), '[fd00::1]:17754'],
      ['sll2-ipv4', 276, linuxSll2(ETHERTYPE_IPV4, v4), '127.0.0.1:40000'],
      ['null-ipv4', 0, nullHeader(2, v4), '127.0.0.1:40000'],
      ['null-ipv6', 0, nullHeader(30, v6), '[fd00::1]:17754'],
      ['loop-ipv6', 108, loopHeader(24, v6), '[fd00::1]:17754'],
      ['raw-ipv6', 101, v6, '[fd00::1]:17754'],
    ];
    const want = core(jsonLines(sixlab(['decode', '--json', REF_HEX]).out)[0]);
    for (const [name, linkType, data, src] of captures) {
      const path = file(`zep-${name}.pcap`, pcapBytes(linkType, [{ timeUs: 0, data }]));
      const r = sixlab(['decode', '--json', '-r', path]);
      expect(r.code, name).toBe(0);
      const [g] = jsonLines(r.out);
      expect(g.zep, name).toMatchObject({ version: 2, channel: 26, deviceId: 7, seq: 99, lqi: 255, src });
      expect(core(g), name).toEqual(want);
      const [s] = await runTsharkFields(path, ['zep.version', 'zep.channel_id', 'zep.device_id', 'zep.seqno', 'wpan.seq_no', 'wpan.src64']);
      expect([s['zep.version'], s['zep.channel_id'], s['zep.device_id'], s['zep.seqno'], s['wpan.seq_no'], s['wpan.src64']], name)
        .toEqual(['2', String(g.zep.channel), String(g.zep.deviceId), String(g.zep.seq), String(g.mac.seq), g.mac.src]);
    }
    const v1 = file('zep-v1.pcap', pcapBytes(1, [{ timeUs: 0, data: ethernet(ETHERTYPE_IPV4, udpInIpv4([10, 0, 0, 1], [10, 0, 0, 2], 17754, 17754, zepV1(11, 3, REF))) }]));
    const [g1] = jsonLines(sixlab(['decode', '--json', '-r', v1]).out);
    expect(g1.zep).toMatchObject({ version: 1, channel: 11, deviceId: 3 });
    expect(core(g1)).toEqual(want);
    const [s1] = await runTsharkFields(v1, ['zep.version', 'zep.channel_id', 'zep.device_id']);
    expect([s1['zep.version'], s1['zep.channel_id'], s1['zep.device_id']]).toEqual(['1', '11', '3']);
    expect(sixlab(['decode', '-r', v1]).out).toContain('  ZEP v1 channel 11 device 3 LQI 255, UDP 10.0.0.1:17754 -> 10.0.0.2:17754');
  });

  it('reads the sample ZEP capture (samples/frames-zep.pcapng, also from stdin) as it reads samples/frames.hex', () => {
    const want = jsonLines(sixlab(['decode', '--json', '--context', '0=2001:db8::/64', ...frames.map(toHex)]).out);
    const sample = join(ROOT, 'samples', 'frames-zep.pcapng');
    for (const args of [['-r', sample], ['-r', '-']]) {
      const r = spawnSync(process.execPath, [CLI, 'decode', '--json', '--context', '0=2001:db8::/64', ...args],
        { input: args[1] === '-' ? readFileSync(sample) : undefined, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const got = jsonLines(r.stdout);
      expect(got.map(core)).toEqual(want.map(core));
      expect(got.every((g, i) => g.zep.seq === i && g.zep.src === '[fd00::1]:17754')).toBe(true);
    }
  });

  it('skips packets that carry no frame, and says how many on stderr', () => {
    const zep = encodeZep({ channel: 26, deviceId: 7, seq: 1, psdu: REF, timestamp: 0 });
    const path = file('mixed.pcap', pcapBytes(1, [
      { timeUs: 0, data: ethernet(0x0806, new Uint8Array(28)) },
      { timeUs: 1, data: ethernet(ETHERTYPE_IPV4, udpInIpv4([1, 1, 1, 1], [2, 2, 2, 2], 5353, 5353, new Uint8Array(12))) },
      { timeUs: 2, data: ethernet(ETHERTYPE_IPV4, udpInIpv4([1, 1, 1, 1], [2, 2, 2, 2], 17754, 17754, zep)) },
      { timeUs: 3, data: ethernet(ETHERTYPE_IPV4, udpInIpv4([1, 1, 1, 1], [2, 2, 2, 2], 17754, 17754, encodeZepAck(1))) },
      { timeUs: 4, data: ethernet(ETHERTYPE_IPV4, udpInIpv4([1, 1, 1, 1], [2, 2, 2, 2], 17754, 17754, zep.subarray(0, zep.length - 1))) },
    ]));
    const r = sixlab(['decode', '--json', '-r', path]);
    expect(r.code).toBe(0);
    const got = jsonLines(r.out);
    expect(got.map((g) => g.capture.packet)).toEqual([3, 5]);
    // A ZEP datagram that does not decode is a result, as a refused frame is.
    expect(got[1]).toMatchObject({ reason: 'ZepLength', zep: { src: '1.1.1.1:17754' } });
    expect(got[1].error).toMatch(/^ZEP data: length field says 34 octets, datagram carries 33/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^sixlab: .*mixed\.pcap: 3 of 5 packets carried no 802\.15\.4 frame \(/);
    expect(sixlab(['decode', '-r', path]).out).toMatch(/\npacket 5 \(0\.000004 s\): ZEP data: length field says 34 octets, datagram carries 33 \(ZepLength\)\n$/);
  });

  it('reads back what tshark re-saves of our pcapng, as pcap and as pcapng', () => {
    const t0 = 1_700_000_000_000_000;
    const original = file('ours.pcapng', pcapng((w) => {
      w.addInterface(195, 'wpan0', 'us');
      frames.forEach((data, i) => w.writePacket(0, t0 + i * 250_000, data, { direction: i % 2 ? 'in' : 'out', comment: `frame ${i}` }));
    }));
    const want = sixlab(['decode', '--json', '-r', original]);
    expect(want.code).toBe(0);
    expect(jsonLines(want.out)).toHaveLength(frames.length);
    for (const format of ['pcap', 'pcapng']) {
      const resaved = join(dir, `resaved.${format}`);
      const t = spawnSync('tshark', ['-r', original, '-w', resaved, '-F', format], { encoding: 'utf8' });
      expect(t.status, t.stderr).toBe(0);
      const got = sixlab(['decode', '--json', '-r', resaved]);
      expect(got.code, got.err).toBe(0);
      expect(got.out, format).toBe(want.out);
    }
  });

  it('runs the 60 s reassembly timeout on the capture\'s clock (RFC 4944 §5.3)', () => {
    const packet = buildIpv6Packet({ src: LL(1), dst: LL(2), upper: { kind: 'udp', srcPort: 1, dstPort: 2, payload: new Uint8Array(300).fill(7) } });
    const frags = new SixlabCore().compress(packet, { src: shortAddress(1), dst: shortAddress(2), pan: 0xabcd });
    expect(frags.length).toBeGreaterThan(2);
    const t0 = 1_700_000_000_000_000;
    const at = (lastUs: number) => frags.map((data, i) => ({ timeUs: i === frags.length - 1 ? t0 + lastUs : t0 + i * 10_000, data }));
    const inTime = jsonLines(sixlab(['decode', '--json', '-r', file('in-time.pcap', pcapBytes(195, at(59_900_000)))]).out);
    expect(inTime[inTime.length - 1].ipv6.payloadLength).toBe(308);
    const late = jsonLines(sixlab(['decode', '--json', '-r', file('late.pcap', pcapBytes(195, at(60_100_000)))]).out);
    expect(late).toHaveLength(frags.length);
    expect(late.every((r) => r.packet === undefined)).toBe(true);
  });

  it('tells datagrams apart by size as well as tag: a new size is a new datagram, not a conflict (RFC 4944 §5.3)', () => {
    const tx = { src: shortAddress(1), dst: shortAddress(2), pan: 0xabcd };
    const datagram = (size: number) => buildIpv6Packet({ src: LL(1), dst: LL(2), upper: { kind: 'udp', srcPort: 1, dstPort: 2, payload: new Uint8Array(size).fill(size & 0xff) } });
    // Two senders' cores with the same seed: the same first datagram tag.
    const stale = new SixlabCore({ seed: 7 }).compress(datagram(300), tx);
    const fresh = new SixlabCore({ seed: 7 }).compress(datagram(200), tx);
    expect(toHex(stale[0]).slice(18, 22)).not.toBe(toHex(fresh[0]).slice(18, 22)); // other sizes...
    expect(toHex(stale[0]).slice(22, 26)).toBe(toHex(fresh[0]).slice(22, 26)); // ...the same tag
    const path = file('sizes.pcap', pcapBytes(195, [stale[0], ...fresh].map((data, i) => ({ timeUs: i * 1000, data }))));
    const r = jsonLines(sixlab(['decode', '--json', '-r', path]).out);
    expect(r[1].reason).toBeUndefined();
    expect(r[1].note).toMatch(/another size/);
    expect(r[r.length - 1].ipv6.payloadLength).toBe(208);
  });

  it('stops at a malformed capture with one line and exit 2, after reporting every frame before it', () => {
    const ng = pcapng((w) => {
      w.addInterface(195, 'wpan0');
      for (let i = 0; i < 3; i++) w.writePacket(0, i, REF);
    });
    const cut = sixlab(['decode', '--json', '-r', file('cut.pcapng', ng.subarray(0, ng.length - 10))]);
    expect(cut.code).toBe(2);
    expect(jsonLines(cut.out)).toHaveLength(2);
    expect(cut.err.trim().split('\n')).toHaveLength(1);
    expect(cut.err).toMatch(/^sixlab: .*cut\.pcapng: capture: block at offset \d+ truncated: needs \d+ octets, the file has \d+$/m);
    const p = pcapBytes(195, [0, 1, 2].map((i) => ({ timeUs: i, data: REF })));
    const cutPcap = sixlab(['decode', '-r', file('cut.pcap', p.subarray(0, p.length - 1))]);
    expect(cutPcap.code).toBe(2);
    expect(cutPcap.out.match(/^frame \d/gm)).toHaveLength(2);
    expect(cutPcap.err).toMatch(/packet 3 at offset \d+ truncated/);
    // An interface of a link type decode does not read, after frames it does.
    const mixed = pcapng((w) => {
      w.addInterface(195, 'wpan0');
      w.addInterface(147, 'user0');
      w.writePacket(0, 0, REF);
      w.writePacket(1, 1, REF);
      w.writePacket(0, 2, REF);
    });
    const unknown = sixlab(['decode', '--json', '-r', file('user0.pcapng', mixed)]);
    expect(unknown.code).toBe(2);
    expect(jsonLines(unknown.out)).toHaveLength(1);
    expect(unknown.err.trim().split('\n')).toHaveLength(1);
    expect(unknown.err).toMatch(/packet 2: link type 147 is not one decode reads/);
  });

  it('refuses a missing file, a file that is no capture, and frames given with -r, with one line and exit 2', () => {
    for (const [args, pattern] of [
      [['-r', join(dir, 'nothing-here.pcap')], /nothing-here\.pcap: cannot read \(ENOENT\)/],
      [['-r', file('text.pcap', Buffer.from(`${REF_HEX}\n`))], /not a pcap or pcapng file/],
      [['-r', file('one.pcap', pcapBytes(195, [])), REF_HEX], /not both/],
    ] as const) {
      const r = sixlab(['decode', ...args]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(pattern);
    }
  });
});

describe('sixlab decode: memory under a slow reader', () => {
  it('reads no faster than its output is taken: 250,000 frames into a reader that stalls keep its RSS under 200 MB', async () => {
    const N = 250_000;
    // A long frame (uncompressed IPv6 with a UDP payload): about 1.1 kB of JSON each, 270 MB in all.
    const packet = buildIpv6Packet({ src: FD(1), dst: FD(2), upper: { kind: 'udp', srcPort: 5000, dstPort: 5001, payload: new Uint8Array(60).fill(0x61) } });
    const [frame] = new SixlabCore().compress(packet, { src: shortAddress(1), dst: shortAddress(2), pan: 1, uncompressed: true });
    const batch = Buffer.from(`${toHex(frame)}\n`.repeat(1000));
    const child = spawn(process.execPath, [CLI, 'decode', '--json'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const closed = once(child, 'close');
    child.stdout.pause(); // the reader: nothing taken yet
    let maxRss = 0;
    const sample = () => {
      try {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        maxRss = Math.max(maxRss, kb * 1024);
      } catch {
        // the process has ended
      }
    };
    const sampler = setInterval(sample, 20);
    let written = 0;
    let lastProgress = Date.now();
    const feeding = (async () => {
      while (written < N) {
        const more = child.stdin.write(batch);
        written += 1000;
        lastProgress = Date.now();
        if (!more) await once(child.stdin, 'drain');
      }
      child.stdin.end();
    })();
    // Until the feed stalls (the decoder stopped reading) or all of it is in.
    while (written < N && Date.now() - lastProgress < 1500) await new Promise((r) => setTimeout(r, 50));
    const writtenWhileStalled = written;
    sample();
    const rssWhileStalled = maxRss;
    // Then a reader that takes the output, a chunk at a time.
    let lines = 0;
    child.stdout.on('data', (b: Buffer) => {
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
    });
    child.stdout.resume();
    await feeding;
    await closed;
    clearInterval(sampler);
    expect(lines).toBe(N);
    expect(writtenWhileStalled).toBeLessThan(N / 2);
    expect(rssWhileStalled).toBeGreaterThan(0);
    expect(maxRss).toBeLessThan(200 * 2 ** 20);
  });
});
