// CoAP through the whole node (RFC 7252 over UDP over 6LoWPAN): the tester's
// requests are encoded with coap-packet, as a client would.
import { generate, parse } from 'coap-packet';
import { describe, expect, it } from 'vitest';
import { nodeAndTester } from './sim.js';

function setup() {
  const t = nodeAndTester();
  const request = (packet: Parameters<typeof generate>[0]) =>
    t.send({ upper: { kind: 'udp', srcPort: 40000, dstPort: 5683, payload: new Uint8Array(generate(packet)) } });
  const answers = () => t.got.filter((p) => p.udp?.srcPort === 5683).map((p) => parse(Buffer.from(p.udp!.payload)));
  return { node: t.node, request, answers };
}

describe('CoAP on the node', () => {
  it('answers GET /test with a piggybacked 2.05 Content', () => {
    const { answers, request } = setup();
    request({ messageId: 0x1234, token: Buffer.from([7, 7]), confirmable: true, code: '0.01', options: [{ name: 'Uri-Path', value: Buffer.from('test') }] });
    expect(answers()).toHaveLength(1);
    expect(answers()[0]).toMatchObject({ code: '2.05', ack: true, messageId: 0x1234 });
    expect([...answers()[0].token]).toEqual([7, 7]);
  });

  it('serves the temperature the host sets', () => {
    const { node, answers, request } = setup();
    node.setSensor(0, 2150);
    request({ messageId: 1, token: Buffer.from([1]), confirmable: true, code: '0.01', options: [{ name: 'Uri-Path', value: Buffer.from('sensors') }, { name: 'Uri-Path', value: Buffer.from('temperature') }] });
    expect(answers()[0].code).toBe('2.05');
    expect(answers()[0].payload.toString()).toBe('21.50');
  });

  it('switches the relay on PUT and the host reads it', () => {
    const { node, answers, request } = setup();
    request({ messageId: 2, token: Buffer.from([2]), confirmable: true, code: '0.03', payload: Buffer.from('1'), options: [{ name: 'Uri-Path', value: Buffer.from('actuators') }, { name: 'Uri-Path', value: Buffer.from('relay') }] });
    expect(answers()[0].code).toBe('2.04');
    expect(node.relay()).toBe(1);
  });
});
