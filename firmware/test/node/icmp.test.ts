// ICMPv6 on the node (RFC 4443): Echo Reply, the error rules of §2.4 (e) each
// as a test that fails when the rule is broken, the rate limit (§2.4 f), and
// the errors IPv6 processing must send (RFC 8200 §4).
import { describe, expect, it } from 'vitest';
import { echoBody } from '../../../host/packet/icmpv6.js';
import { parseIpv6Packet } from '../../../host/packet/packet.js';
import { BROADCAST, NODE, TESTER, ip, nodeAndTester } from './sim.js';

function setup(nodeOptions = {}) {
  const t = nodeAndTester(nodeOptions);
  const replies = () => t.got.filter((p) => p.icmpv6 && p.icmpv6.type !== 133);
  return { ...t, replies };
}

const echo = (id: number, seq: number, data = Uint8Array.of(1, 2, 3, 4)) =>
  ({ kind: 'icmpv6' as const, type: 128, code: 0, body: echoBody(id, seq, data) });
const udp = (dstPort: number) => ({ kind: 'udp' as const, srcPort: 4000, dstPort, payload: Uint8Array.of(1, 2, 3) });

describe('ICMPv6 echo (RFC 4443 §4)', () => {
  it('answers with the same identifier, sequence and data', () => {
    const { send, replies } = setup();
    send({ upper: echo(0x1234, 7, Uint8Array.of(9, 8, 7)) });
    const r = replies();
    expect(r).toHaveLength(1);
    expect(r[0].icmpv6?.type).toBe(129);
    expect(r[0].icmpv6?.checksumOk).toBe(true);
    expect(r[0].icmpv6?.echo).toMatchObject({ identifier: 0x1234, sequence: 7, data: Uint8Array.of(9, 8, 7) });
    expect(r[0].header.src).toEqual(NODE);
    expect(r[0].header.dst).toEqual(TESTER);
  });

  it('answers a request to ff02::1 from its own unicast address', () => {
    const { send, replies } = setup();
    send({ dst: ip('ff02::1'), upper: echo(1, 1) }, BROADCAST);
    expect(replies()[0]?.header.src).toEqual(NODE);
  });

  it('answers a 1232-octet request (fragmented both ways)', () => {
    const { send, replies } = setup();
    const data = Uint8Array.from({ length: 1232 }, (_, i) => i & 0xff);
    send({ upper: echo(2, 3, data) });
    expect(replies()[0]?.icmpv6?.echo?.data).toEqual(data);
  });
});

describe('ICMPv6 errors (RFC 4443 §2.4)', () => {
  it('sends Port Unreachable for a closed UDP port, quoting the invoking packet', () => {
    const { send, replies } = setup();
    send({ upper: udp(9999) });
    const r = replies();
    expect(r).toHaveLength(1);
    expect([r[0].icmpv6?.type, r[0].icmpv6?.code]).toEqual([1, 4]);
    const quoted = r[0].icmpv6!.body.subarray(4);
    expect(parseIpv6Packet(quoted).udp?.dstPort).toBe(9999);
  });

  it('(e.1) sends no error about an ICMPv6 error message', () => {
    const { send, replies } = setup();
    send({ upper: { kind: 'icmpv6', type: 1, code: 4, body: new Uint8Array(8) }, extensions: [{ kind: 'destination', options: [{ type: 0x80, data: new Uint8Array(4) }], pad: true }] });
    expect(replies()).toHaveLength(0);
  });

  it('(e.2, e.3) sends no Port Unreachable for a multicast destination', () => {
    const { send, replies } = setup();
    send({ dst: ip('ff02::1'), upper: udp(9999) }, BROADCAST);
    expect(replies()).toHaveLength(0);
  });

  it('(e.4) sends no error for a link-layer broadcast frame', () => {
    const { send, replies } = setup();
    send({ upper: udp(9999) }, BROADCAST);
    expect(replies()).toHaveLength(0);
  });

  it('(e.5) sends no error to an unspecified source', () => {
    const { send, replies } = setup();
    send({ src: ip('::'), upper: udp(9999) });
    expect(replies()).toHaveLength(0);
  });

  it('sends Parameter Problem code 2 for an option with action 10, even to multicast', () => {
    const { send, replies } = setup();
    send({ dst: ip('ff02::1'), upper: echo(1, 1), extensions: [{ kind: 'destination', options: [{ type: 0x80, data: new Uint8Array(4) }], pad: true }] }, BROADCAST);
    const r = replies();
    expect(r.map((p) => [p.icmpv6?.type, p.icmpv6?.code])).toEqual([[4, 2]]);
    expect(new DataView(r[0].icmpv6!.body.buffer, r[0].icmpv6!.body.byteOffset).getUint32(0)).toBe(42);
  });

  it('sends Parameter Problem code 1 pointing at an unknown next header', () => {
    const { send, replies } = setup();
    send({ upper: { kind: 'raw', nextHeader: 200, bytes: new Uint8Array(8) } });
    const r = replies();
    expect(r.map((p) => [p.icmpv6?.type, p.icmpv6?.code])).toEqual([[4, 1]]);
    expect(new DataView(r[0].icmpv6!.body.buffer, r[0].icmpv6!.body.byteOffset).getUint32(0)).toBe(6);
  });

  it('limits errors with a token bucket: burst, then one per interval', () => {
    const { sim, send, replies } = setup({ icmpBurst: 3, icmpIntervalMs: 1000 });
    for (let i = 0; i < 6; i++) send({ upper: udp(9000 + i) });
    expect(replies()).toHaveLength(3);
    sim.run(1000);
    send({ upper: udp(9100) });
    send({ upper: udp(9101) });
    expect(replies()).toHaveLength(4);
  });
});
