// UDP on the node (RFC 768, RFC 8200 §8.1): sockets, the receive queue, checksum
// rules, and sending.
import { describe, expect, it } from 'vitest';
import { NODE, TESTER, nodeAndTester } from './sim.js';

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
});
