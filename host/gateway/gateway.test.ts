// The gateway as a 6LoWPAN border router and CoAP client for the core's
// devices: on a virtual board (one device) and on a shared medium with a
// fleet in cells. Frames on the air are read with the tester's own library.
import { describe, expect, it } from 'vitest';
import { loadBoard, type Board } from '../board/board-config.js';
import { NodeStation, VirtualBoard } from '../board/virtual-board.js';
import { SixlabNode } from '../core/sixlab-node.js';
import { Tester } from '../harness/tester.js';
import { bytesEqual } from '../packet/bytes.js';
import { parseIeee802154 } from '../packet/ieee802154-parse.js';
import { formatIpv6, parseIpv6 } from '../packet/ipv6-address.js';
import { linkLocalFromLinkAddress, type LinkAddress } from '../packet/link-address.js';
import { Reassembler, decodeLowpan, type LowpanContexts } from '../packet/lowpan.js';
import { buildNdPacket, findNdOption, parseNd, type NdMessage, type ParsedNdPacket } from '../packet/ndp.js';
import { buildIpv6Packet, parseIpv6Packet } from '../packet/packet.js';
import { Medium, type Transmission } from '../sim/medium.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { AddressRegister } from './address-register.js';
import { CoapTimeoutError } from './coap-endpoint.js';
import { SixlabGateway } from './gateway.js';
import { MediumLink } from './medium-link.js';
import type { SitePlan } from './site-plan.js';

const DEVICE_GLOBAL = '2001:db8::212:4b00:0:1';
const DEVICE_LL = 'fe80::212:4b00:0:1';
const text = (p: Uint8Array) => Buffer.from(p).toString('utf8');

async function onBoard(options: ConstructorParameters<typeof SixlabGateway>[2] = {}) {
  const board = loadBoard('virtual');
  const vb = new VirtualBoard(board);
  const air: Transmission[] = [];
  vb.onTransmission((t) => air.push(t));
  const gw = await SixlabGateway.start(vb.link, board, { coap: { random: seeded(3) }, ...options });
  return { board, vb, gw, air, clock: vb.clock as VirtualClock };
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

/** The IPv6 packets in the frames one station put on the air (reassembled: an RA with all its options takes two frames). */
function packetsFrom(air: Transmission[], from: string, contexts: LowpanContexts): { at: number; packet: Uint8Array; dstLink?: LinkAddress }[] {
  const out = [];
  const reassembler = new Reassembler();
  for (const t of air) {
    if (t.from !== from || t.attempt > 0) continue;
    const mac = parseIeee802154(t.psdu);
    if (mac.frameType !== 1) continue;
    const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, contexts);
    const packet = d.kind === 'ipv6' ? d.packet : reassembler.accept(d, t.at);
    if (packet) out.push({ at: t.at, packet, dstLink: mac.dst });
  }
  return out;
}

function ndOf(packets: { packet: Uint8Array }[], kind: NdMessage['kind']): ParsedNdPacket[] {
  return packets.filter((p) => p.packet[6] === 58 && p.packet[40] >= 133 && p.packet[40] <= 137).map((p) => parseNd(p.packet)).filter((n) => n.message.kind === kind);
}

const euiOf = (i: number) => Uint8Array.of(0, 0x12, 0x4b, 0, 0, 2, 0, i);
const euiText = (i: number) => Array.from(euiOf(i), (b) => b.toString(16).padStart(2, '0')).join(':');
const GW_LINK: LinkAddress = { mode: 'extended', bytes: Uint8Array.of(0, 0x12, 0x4b, 0xff, 0xff, 0xff, 0xff, 0xfe) };

/** A fleet of core nodes on one medium, in cells, with a gateway whose radio is in every cell. */
async function fleet(cells: string[], plan: SitePlan, options: { registrationMinutes?: number; capacity?: number } = {}) {
  const clock = new VirtualClock();
  const medium = new Medium(clock, { delayMs: 1 });
  const link = new MediumLink(medium, GW_LINK);
  const gw = await SixlabGateway.start(link, { testerLink: GW_LINK, pan: 0xabcd }, { plan, capacity: options.capacity, coap: { random: seeded(5) } });
  const stations = cells.map((cell, i) => {
    const node = new SixlabNode({ eui64: euiOf(i), pan: 0xabcd, seed: i + 1, registrationMinutes: options.registrationMinutes }, 0);
    const st = new NodeStation(`n${i}`, node, { link: { mode: 'extended', bytes: euiOf(i) } }, medium, clock);
    medium.attach(st, { cells: [cell] });
    st.service();
    return st;
  });
  const air: Transmission[] = [];
  medium.onTransmission((t) => air.push(t));
  return { clock, medium, gw, stations, air };
}

/** Another radio on the medium (every cell), played with the tester's library: a rogue registrant, a prober. */
function rogue(medium: Medium, bytes: Uint8Array) {
  const link: LinkAddress = { mode: 'extended', bytes };
  const radio = new MediumLink(medium, link, `rogue-${bytes.at(-1)}`);
  const tester = new Tester(radio, { testerLink: link, pan: 0xabcd } as Board);
  const heard: ParsedNdPacket[] = [];
  const packets: Uint8Array[] = [];
  tester.onPacket((h) => {
    packets.push(h.packet);
    if (h.packet[6] === 58 && h.packet[40] >= 133 && h.packet[40] <= 137) heard.push(parseNd(h.packet));
  });
  return { link, tester, heard, packets, ll: linkLocalFromLinkAddress(link) };
}

describe('gateway: the router', () => {
  it('answers the device\'s RS with a unicast RA (PIO L=0 A=1, 6CO, ABRO, 6CIO with E); the device registers link-local then global with EARO', async () => {
    const { gw, vb, air, clock } = await onBoard();
    await clock.sleep(10_000);
    const ras = ndOf(packetsFrom(air, 'tester', gw.tester.contexts), 'ra');
    expect(ras.length).toBeGreaterThanOrEqual(1);
    const ra = ras[0];
    expect(formatIpv6(ra.header.dst)).toBe(DEVICE_LL); // RFC 6775 §6.5.2: unicast to the soliciting device
    const m = ra.message as Extract<NdMessage, { kind: 'ra' }>;
    const pio = findNdOption(m, 'pio')!;
    expect(pio).toMatchObject({ prefixLength: 64, onLink: false, autonomous: true });
    expect(formatIpv6(pio.prefix)).toBe('2001:db8::');
    expect(findNdOption(m, '6co')).toMatchObject({ cid: 0, compression: true, contextLength: 64 });
    expect(formatIpv6(findNdOption(m, 'abro')!.address)).toBe('2001:db8::212:4bff:ffff:fffe');
    const cio = m.options.find((o) => o.kind === 'raw' && o.type === 36) as { body: Uint8Array } | undefined;
    expect(cio && Array.from(cio.body.subarray(0, 2))).toEqual([0, 2]);
    expect(gw.registrationLog.map((r) => [r.address, r.status, r.earo])).toEqual([[DEVICE_LL, 0, true], [DEVICE_GLOBAL, 0, true]]);
    const rows = vb.node.addresses();
    expect(rows.find((a) => formatIpv6(a.address) === DEVICE_GLOBAL)?.registration).toBe('registered');
    expect(vb.node.routers().map((r) => formatIpv6(r.address))).toEqual([formatIpv6(gw.ll)]);
    const [d] = gw.devices();
    expect(d).toMatchObject({ eui64: '00:12:4b:00:00:00:00:01', lifetimeMinutes: 60, cell: 'default', location: 'default' });
    expect(d.addresses.sort()).toEqual([DEVICE_GLOBAL, DEVICE_LL]);
    // The NA carried the EARO back: status 0, T set, the device's TID and ROVR.
    const nas = ndOf(packetsFrom(air, 'tester', gw.tester.contexts), 'na');
    const aro = findNdOption(nas[0].message, 'aro')!;
    expect(aro).toMatchObject({ status: 0, t: true, tid: 240, lifetime: 60 });
    expect(Array.from(aro.rovr)).toEqual([0, 0x12, 0x4b, 0, 0, 0, 0, 1]);
    await gw.close();
  });

  it('gives each device the prefix of its cell (per-device RA from the plan) and the register\'s plan check holds', async () => {
    const plan: SitePlan = {
      cells: [{ name: 'line-1', prefix: '2001:db8:0:1::/64', label: 'line 1' }, { name: 'line-2', prefix: '2001:db8:0:2::/64', label: 'line 2' }],
      devices: { [euiText(0)]: 'line-1', [euiText(1)]: 'line-2', [euiText(2)]: { cell: 'line-2', location: 'line 2, station 7' } },
    };
    const { clock, gw, stations } = await fleet(['A', 'B', 'B'], plan);
    const register = AddressRegister.follow(gw);
    await clock.sleep(15_000);
    const globals = stations.map((s) => s.node.addresses().filter((a) => a.address[0] === 0x20 && a.registration === 'registered').map((a) => formatIpv6(a.address)));
    expect(globals).toEqual([['2001:db8:0:1:212:4b00:2:0'], ['2001:db8:0:2:212:4b00:2:1'], ['2001:db8:0:2:212:4b00:2:2']]);
    const devices = Object.fromEntries(gw.devices().map((d) => [d.eui64, [d.cell, d.location]]));
    expect(devices).toEqual({ [euiText(0)]: ['line-1', 'line 1'], [euiText(1)]: ['line-2', 'line 2'], [euiText(2)]: ['line-2', 'line 2, station 7'] });
    const check = register.checkPlan();
    expect(check).toMatchObject({ ok: true, checked: 3, violations: [] });
    // CoAP to a device of the second cell: compressed with that cell's context (CID 1) both ways.
    const r = await gw.request({ method: 'GET', address: '2001:db8:0:2:212:4b00:2:1', path: '/test' });
    expect([r.code, text(r.payload)]).toEqual(['2.05', 'test']);
    register.close();
    await gw.close();
  });

  it('refuses a registration of an address another device holds: status 1 (EARO and RFC 6775 ARO), the entry kept', async () => {
    const { clock, medium, gw } = await fleet(['A'], { cells: [{ name: 'a', prefix: '2001:db8:0:1::/64' }] });
    await clock.sleep(10_000);
    const victim = parseIpv6('2001:db8:0:1:212:4b00:2:0');
    expect(gw.table.get(victim)?.eui64).toBe(euiText(0));
    const r = rogue(medium, Uint8Array.of(0, 0x12, 0x4b, 0, 0, 9, 9, 9));
    // RFC 8505 style: from its link-local address, EARO with its own ROVR.
    await r.tester.send(buildNdPacket({
      src: r.ll, dst: gw.ll,
      message: { kind: 'ns', target: victim, options: [{ kind: 'sllao', addr: r.link }, { kind: 'aro', status: 0, t: true, tid: 240, lifetime: 30, rovr: r.link.bytes }] },
    }), GW_LINK);
    // RFC 6775 style: from the address itself, an ARO with its EUI-64.
    await r.tester.send(buildNdPacket({
      src: victim, dst: gw.ll,
      message: { kind: 'ns', target: victim, options: [{ kind: 'sllao', addr: r.link }, { kind: 'aro', status: 0, lifetime: 30, rovr: r.link.bytes }] },
    }), GW_LINK);
    await clock.sleep(100);
    const nas = r.heard.filter((n) => n.message.kind === 'na');
    expect(nas.map((n) => findNdOption(n.message, 'aro')!.status)).toEqual([1, 1]);
    expect(nas.map((n) => formatIpv6(n.header.dst))).toEqual([formatIpv6(r.ll), formatIpv6(r.ll)]); // §6.5.2: not to the duplicate
    expect(gw.table.get(victim)?.eui64).toBe(euiText(0));
    expect(gw.registrationLog.filter((e) => e.status === 1)).toHaveLength(2);
    await gw.close();
  });

  it('answers 2 (neighbor cache full) once the table is full', async () => {
    const { gw, vb, clock } = await onBoard({ capacity: 1 });
    await clock.sleep(10_000);
    expect(gw.registrationLog.slice(0, 2).map((r) => [r.address, r.status])).toEqual([[DEVICE_LL, 0], [DEVICE_GLOBAL, 2]]);
    const global = vb.node.addresses().find((a) => formatIpv6(a.address) === DEVICE_GLOBAL);
    expect(global?.registration).not.toBe('registered');
    expect(gw.devices()[0].addresses).toEqual([DEVICE_LL]);
    await gw.close();
  });

  it('removes registrations whose lifetime ran out (a device that left) and keeps those refreshed in time', async () => {
    const { clock, medium, gw } = await fleet(['A', 'A'], { cells: [{ name: 'a', prefix: '2001:db8:0:1::/64' }] }, { registrationMinutes: 1 });
    await clock.sleep(10_000);
    expect(gw.devices().map((d) => d.eui64).sort()).toEqual([euiText(0), euiText(1)]);
    medium.detach('n1'); // n1 goes away; n0 re-registers at 90 % of the lifetime
    await clock.sleep(3 * 60_000);
    expect(gw.devices().map((d) => d.eui64)).toEqual([euiText(0)]);
    const d = gw.devices()[0];
    expect(d.lastRegisteredAt).toBeGreaterThan(d.firstRegisteredAt + 100_000);
    await gw.close();
  });

  it('answers NS for its own addresses (NA with TLLAO, R and S set) and Echo Requests to them', async () => {
    const { clock, medium, gw } = await fleet([], { cells: [{ name: 'a', prefix: '2001:db8:0:1::/64' }] });
    const r = rogue(medium, Uint8Array.of(0, 0x12, 0x4b, 0, 0, 9, 9, 8));
    for (const [cid, c] of gw.tester.contexts) r.tester.contexts.set(cid, c); // as a device learns them from the RA's 6CO
    const gwGlobal = parseIpv6('2001:db8:0:1:212:4bff:ffff:fffe');
    for (const target of [gw.ll, gwGlobal]) {
      await r.tester.send(buildNdPacket({ src: r.ll, dst: target, message: { kind: 'ns', target, options: [{ kind: 'sllao', addr: r.link }] } }), GW_LINK);
    }
    await r.tester.send(buildIpv6Packet({ src: r.ll, dst: gw.ll, upper: { kind: 'icmpv6', type: 128, code: 0, body: Uint8Array.of(0, 1, 0, 7, 0xaa) } }), GW_LINK);
    // An NS for somebody else's address is not the gateway's to answer.
    await r.tester.send(buildNdPacket({ src: r.ll, dst: parseIpv6('2001:db8:0:1::99'), message: { kind: 'ns', target: parseIpv6('2001:db8:0:1::99'), options: [{ kind: 'sllao', addr: r.link }] } }), GW_LINK);
    await clock.sleep(100);
    const nas = r.heard.filter((n) => n.message.kind === 'na').map((n) => n.message as Extract<NdMessage, { kind: 'na' }>);
    expect(nas.map((n) => [formatIpv6(n.target), n.router, n.solicited, n.override])).toEqual([[formatIpv6(gw.ll), true, true, true], [formatIpv6(gwGlobal), true, true, true]]);
    expect(bytesEqual((findNdOption(nas[0], 'tllao') as { addr: LinkAddress }).addr.bytes, GW_LINK.bytes)).toBe(true);
    const echo = r.packets.map((p) => parseIpv6Packet(p)).find((p) => p.icmpv6?.type === 129);
    expect(echo?.icmpv6?.echo).toMatchObject({ identifier: 1, sequence: 7 });
    await gw.close();
  });
});

describe('gateway: CoAP to the device', () => {
  it('GET, PUT, POST and DELETE, CON and NON, piggybacked and separate, 4.04', async () => {
    const { gw, vb, clock, air } = await onBoard();
    await gw.waitForAddress(DEVICE_GLOBAL, 30_000);
    const req = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, more = {}) => gw.request({ method, address: DEVICE_GLOBAL, path, ...more });
    const get = await req('GET', '/test');
    expect([get.code, text(get.payload), get.contentFormat]).toEqual(['2.05', 'test', 0]);
    expect((await req('PUT', '/actuators/relay', { payload: Buffer.from('1') })).code).toBe('2.04');
    expect(vb.node.relay()).toBe(1);
    expect((await req('POST', '/test', { payload: Buffer.from('x') })).code).toBe('2.01');
    expect((await req('DELETE', '/test')).code).toBe('2.02');
    expect((await req('GET', '/nothing')).code).toBe('4.04');
    const non = await req('GET', '/test', { confirmable: false });
    expect([non.code, text(non.payload)]).toEqual(['2.05', 'test']);
    const q = await req('GET', '/query', { query: ['first=1', 'second=2'] });
    expect(q.code).toBe('2.05');
    const ll = await gw.request({ method: 'GET', address: DEVICE_LL, path: '/test' });
    expect(ll.code).toBe('2.05');
    // /separate: an Empty ACK, then the response in a CON that the gateway acknowledges, so the device sends it once.
    const sep = await req('GET', '/separate');
    expect(sep.code).toBe('2.05');
    await clock.sleep(60_000);
    const fromDevice = packetsFrom(air, 'device', gw.tester.contexts).map((p) => parseIpv6Packet(p.packet)).filter((p) => p.udp?.srcPort === 5683);
    const separateCons = fromDevice.filter((p) => p.udp!.payload[0] >> 4 === 0x4 && text(p.udp!.payload).endsWith('separate'));
    expect(separateCons).toHaveLength(1);
    await gw.close();
  });

  it('retransmits a CON the link lost (RFC 7252 §4.2) and gives up after MAX_RETRANSMIT', async () => {
    const { gw, vb, clock } = await onBoard();
    await gw.waitForAddress(DEVICE_GLOBAL, 30_000);
    vb.medium.setLink('tester', 'device', { lossPercent: 100 });
    // Lost until before the first retransmission (ACK_TIMEOUT 2 s at the earliest): one retransmission gets through.
    clock.schedule(clock.now() + 1900, () => vb.medium.setLink('tester', 'device', { lossPercent: 0 }));
    const r = await gw.request({ method: 'GET', address: DEVICE_GLOBAL, path: '/test' });
    expect(r.code).toBe('2.05');
    expect(gw.coap.stats.retransmissions).toBe(1);
    vb.medium.setLink('tester', 'device', { lossPercent: 100 });
    const t0 = clock.now();
    await expect(gw.request({ method: 'GET', address: DEVICE_GLOBAL, path: '/test' })).rejects.toBeInstanceOf(CoapTimeoutError);
    const took = clock.now() - t0;
    expect(took).toBeGreaterThanOrEqual(62_000); // 31 × 2 s
    expect(took).toBeLessThanOrEqual(93_000); // 31 × 3 s (MAX_TRANSMIT_WAIT)
    expect(gw.coap.stats.retransmissions).toBe(5);
    await gw.close();
  });

  it('observes a sensor: notifications on change, none after deregistration (RFC 7641 §3.6)', async () => {
    const { gw, vb, clock } = await onBoard();
    await gw.waitForAddress(DEVICE_GLOBAL, 30_000);
    const got: string[] = [];
    const cancel = await gw.observe({ address: DEVICE_GLOBAL, path: '/sensors/temperature' }, (r) => got.push(`${r.code} ${text(r.payload)}`));
    for (const v of [2150, 2275]) {
      vb.node.setSensor(0, v);
      vb.device.service();
      await clock.sleep(1000);
    }
    expect(got).toEqual(['2.05 0.00', '2.05 21.50', '2.05 22.75']);
    await cancel();
    vb.node.setSensor(0, 3000);
    vb.device.service();
    await clock.sleep(5000);
    expect(got).toHaveLength(3);
    // /obs changes every 5 s: three notifications in 15 s after the first response.
    const obs: number[] = [];
    const stopObs = await gw.observe({ address: DEVICE_GLOBAL, path: '/obs' }, (r) => obs.push(r.observe!));
    await clock.sleep(15_000);
    expect(obs).toHaveLength(4);
    expect(obs.slice(1).every((v, i) => v > obs[i])).toBe(true);
    await stopObs();
    await gw.close();
  });

  it('delivers a notification the device retransmitted (its ACK lost) once, and acknowledges each copy (§4.5)', async () => {
    const { gw, vb, clock } = await onBoard();
    await gw.waitForAddress(DEVICE_GLOBAL, 30_000);
    const got: string[] = [];
    await gw.observe({ address: DEVICE_GLOBAL, path: '/sensors/humidity' }, (r) => got.push(text(r.payload)));
    vb.medium.setLink('tester', 'device', { lossPercent: 100 }); // the gateway's ACKs are lost
    clock.schedule(clock.now() + 4000, () => vb.medium.setLink('tester', 'device', { lossPercent: 0 }));
    vb.node.setSensor(1, 4550);
    vb.device.service();
    await clock.sleep(20_000);
    expect(got).toEqual(['0.00', '45.50']);
    expect(gw.coap.stats.duplicates).toBeGreaterThanOrEqual(1);
    await gw.close();
  });
});
