// CoAP through the whole node (RFC 7252 over UDP over 6LoWPAN): the tester's
// requests are encoded with coap-packet, as a client would.
import { generate, parse } from 'coap-packet';
import { describe, expect, it } from 'vitest';
import { buildIpv6Packet, parseIpv6Packet } from '../../../host/packet/packet.js';
import { Sim, eui, linkLocal } from './sim.js';

const NODE_LINK = { mode: 'extended' as const, bytes: eui(1) };
const TESTER_LINK = { mode: 'extended' as const, bytes: eui(0x99) };
const NODE = linkLocal(NODE_LINK);
const TESTER = linkLocal(TESTER_LINK);

function setup() {
  const sim = new Sim();
  const node = sim.addNode('n1', { eui64: eui(1) });
  const answers: ReturnType<typeof parse>[] = [];
  sim.addTester('client', (h) => {
    const p = parseIpv6Packet(h.packet!);
    if (p.udp?.srcPort === 5683) answers.push(parse(Buffer.from(p.udp.payload)));
  });
  sim.run(100);
  const request = (packet: Parameters<typeof generate>[0]) => {
    const payload = new Uint8Array(generate(packet));
    sim.inject(TESTER_LINK, NODE_LINK, buildIpv6Packet({ src: TESTER, dst: NODE, upper: { kind: 'udp', srcPort: 40000, dstPort: 5683, payload } }));
    sim.run(50);
  };
  return { sim, node, answers, request };
}

describe('CoAP on the node', () => {
  it('answers GET /test with a piggybacked 2.05 Content', () => {
    const { answers, request } = setup();
    request({ messageId: 0x1234, token: Buffer.from([7, 7]), confirmable: true, code: '0.01', options: [{ name: 'Uri-Path', value: Buffer.from('test') }] });
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ code: '2.05', ack: true, messageId: 0x1234 });
    expect([...answers[0].token]).toEqual([7, 7]);
  });

  it('serves the temperature the host sets', () => {
    const { node, answers, request } = setup();
    node.setSensor(0, 2150);
    request({ messageId: 1, token: Buffer.from([1]), confirmable: true, code: '0.01', options: [{ name: 'Uri-Path', value: Buffer.from('sensors') }, { name: 'Uri-Path', value: Buffer.from('temperature') }] });
    expect(answers[0].code).toBe('2.05');
    expect(answers[0].payload.toString()).toBe('21.50');
  });

  it('switches the relay on PUT and the host reads it', () => {
    const { node, answers, request } = setup();
    request({ messageId: 2, token: Buffer.from([2]), confirmable: true, code: '0.03', payload: Buffer.from('1'), options: [{ name: 'Uri-Path', value: Buffer.from('actuators') }, { name: 'Uri-Path', value: Buffer.from('relay') }] });
    expect(answers[0].code).toBe('2.04');
    expect(node.relay()).toBe(1);
  });
});
