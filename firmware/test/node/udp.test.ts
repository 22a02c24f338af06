// UDP on the node (RFC 768, RFC 8200 §8.1): sockets, the receive queue, checksum
// rules, and sending.
import { generate } from 'coap-packet';
import { describe, expect, it } from 'vitest';
import { parseIeee802154 } from '../../../host/packet/ieee802154-parse.js';
import { buildDataFrame } from '../../../host/packet/ieee802154.js';
import { compressLowpan, decodeLowpan, encodeLowpan, fragmentLowpan, type NhcInfo } from '../../../host/packet/lowpan.js';
import { buildIpv6Packet } from '../../../host/packet/packet.js';
import { NODE, NODE_LINK, PAN, TESTER, TESTER_LINK, nodeAndTester } from './sim.js';

function setup() {
  const t = nodeAndTester();
  const send = (dstPort: number, payload: Uint8Array, extra: { forceChecksum?: number } = {}) =>
    t.send({ upper: { kind: 'udp', srcPort: 4444, dstPort, payload, ...extra } });
  return { ...t, send };
}

describe('UDP', () => {
  it('queues datagrams for a bound port, with addresses and ports', () => {
    const { node, send } = setup();
    node.udpBind(7000);
    send(7000, Uint8Array.of(1, 2, 3));
    const d = node.udpReceive()!;
    expect(d.data).toEqual(Uint8Array.of(1, 2, 3));
    expect([d.srcPort, d.dstPort]).toEqual([4444, 7000]);
    expect(d.src).toEqual(TESTER);
    expect(d.dst).toEqual(NODE);
    expect(node.udpReceive()).toBeUndefined();
  });

  it('drops a wrong checksum and a zero checksum (RFC 8200 §8.1)', () => {
    const { node, send } = setup();
    node.udpBind(7000);
    send(7000, Uint8Array.of(1), { forceChecksum: 0x1111 });
    send(7000, Uint8Array.of(1), { forceChecksum: 0 });
    expect(node.udpReceive()).toBeUndefined();
    expect(node.counters().UdpChecksum).toBe(2);
  });

  it('counts a full receive queue', () => {
    const { node, send } = setup();
    node.udpBind(7000);
    for (let i = 0; i < 5; i++) send(7000, Uint8Array.of(i));
    expect(node.counters().UdpQueueFull).toBe(1);
    expect(node.udpReceive()!.data).toEqual(Uint8Array.of(0));
  });

  it('sends a datagram with a right checksum', () => {
    const { sim, node, got } = setup();
    node.udpBind(7000);
    expect(node.udpSend(TESTER, 5000, 7000, Uint8Array.of(9, 9), sim.now)).toBe(0);
    sim.run(10);
    expect(got[0].udp).toMatchObject({ srcPort: 7000, dstPort: 5000, checksumOk: true });
    expect(got[0].udp?.payload).toEqual(Uint8Array.of(9, 9));
  });

  it('drops a datagram whose checksum is elided (NHC UDP C=1): it has no integrity check to verify (RFC 6282 §4.3.2)', () => {
    const { sim, node, got } = setup();
    node.udpBind(7000);
    const link = { src: TESTER_LINK, dst: NODE_LINK };
    const datagram = (payload: Uint8Array) =>
      buildIpv6Packet({ src: TESTER, dst: NODE, upper: { kind: 'udp', srcPort: 4444, dstPort: 7000, payload } });
    let seq = 0;
    const frame = (payload: Uint8Array) => buildDataFrame({ src: TESTER_LINK, dst: NODE_LINK, pan: PAN, seq: seq++ }, payload);
    // One frame.
    sim.injectFrame(frame(encodeLowpan(datagram(Uint8Array.of(1)), link, new Map(), { udpChecksum: 'elided' })));
    // FRAG1 + FRAGN: the C bit is in FRAG1, the datagram completes with the last FRAGN.
    const big = datagram(new Uint8Array(150).fill(2));
    const c = compressLowpan(big, link, new Map(), { udpChecksum: 'elided' });
    expect(c.encoding.dispatch === 'iphc' && c.encoding.nhc[0]).toMatchObject({ type: 'udp', checksumElided: true });
    for (const f of fragmentLowpan(c.header, c.covered, big, 96, 0x1234)) sim.injectFrame(frame(f));
    // A CoAP request with its checksum elided is not answered either.
    const coap = buildIpv6Packet({
      src: TESTER, dst: NODE,
      upper: { kind: 'udp', srcPort: 40000, dstPort: 5683, payload: new Uint8Array(generate({ messageId: 9, confirmable: true, code: '0.01', options: [{ name: 'Uri-Path', value: Buffer.from('test') }] })) },
    });
    sim.injectFrame(frame(encodeLowpan(coap, link, new Map(), { udpChecksum: 'elided' })));
    sim.run(10);
    expect(node.udpReceive()).toBeUndefined();
    expect(node.counters().UdpChecksumElided).toBe(3);
    expect(got).toHaveLength(0); // no answer, no ICMPv6 error
    // The same datagram with its checksum in line is delivered.
    sim.injectFrame(frame(encodeLowpan(datagram(Uint8Array.of(1)), link, new Map(), { udpChecksum: 'inline' })));
    sim.run(10);
    expect(node.udpReceive()?.data).toEqual(Uint8Array.of(1));
  });

  it('never elides the checksum of the datagrams it sends (RFC 6282 §4.3.2: no upper-layer authorization)', () => {
    const { sim, node, send } = setup();
    node.udpBind(7000);
    const start = sim.heard.length;
    for (const n of [2, 300]) expect(node.udpSend(TESTER, 5000, 7000, new Uint8Array(n).fill(9), sim.now)).toBe(0);
    sim.run(10);
    send(5683, new Uint8Array(generate({ messageId: 3, confirmable: true, code: '0.01', options: [{ name: 'Uri-Path', value: Buffer.from('test') }] })));
    const udp: NhcInfo[] = [];
    for (const h of sim.heard.slice(start).filter((h) => h.from === 'n1')) {
      const mac = parseIeee802154(h.frame);
      const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst });
      const encoding = d.kind === 'ipv6' ? d.encoding : d.encoding;
      if (encoding?.dispatch === 'iphc') udp.push(...encoding.nhc.filter((x) => x.type === 'udp'));
    }
    expect(udp.length).toBe(3); // two datagrams (one of them in FRAG1) and the CoAP answer
    expect(udp.every((x) => x.type === 'udp' && !x.checksumElided)).toBe(true);
  });
});
