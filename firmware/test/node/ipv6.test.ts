// IPv6 processing on the node (RFC 8200, RFC 5095, RFC 6946): what it drops,
// which counter says so, and the Parameter Problems it must send.
import { describe, expect, it } from 'vitest';
import { echoBody } from '../../../host/packet/icmpv6.js';
import { emitIpv6Header, parseIpv6Header } from '../../../host/packet/ipv6.js';
import { buildIpv6Packet, type Ipv6PacketSpec } from '../../../host/packet/packet.js';
import { NODE, TESTER, ip, nodeAndTester } from './sim.js';

const echo = { kind: 'icmpv6' as const, type: 128, code: 0, body: echoBody(5, 6, Uint8Array.of(1, 2)) };

function setup() {
  const t = nodeAndTester();
  const send = (spec: Partial<Ipv6PacketSpec>) => t.send({ upper: echo, ...spec });
  const icmp = () => t.got.filter((p) => p.icmpv6 && p.icmpv6.type !== 133).map((p) => [p.icmpv6!.type, p.icmpv6!.code, new DataView(p.icmpv6!.body.buffer, p.icmpv6!.body.byteOffset).getUint32(0)]);
  return { node: t.node, send, sendRaw: t.sendRaw, icmp };
}

const dest = (type: number, len = 4) => [{ kind: 'destination' as const, options: [{ type, data: new Uint8Array(len) }], pad: true }];

describe('IPv6 input (RFC 8200)', () => {
  it('drops a packet whose version is not 6 (IPV6-01)', () => {
    const { node, sendRaw, icmp } = setup();
    const p = buildIpv6Packet({ src: TESTER, dst: NODE, upper: echo });
    p.set(emitIpv6Header({ ...parseIpv6Header(p), version: 5 }));
    sendRaw(p);
    expect(icmp()).toEqual([]);
    expect(node.counters().Ipv6BadVersion).toBe(1);
  });

  it('drops a packet whose payload length exceeds the data (IPV6-02)', () => {
    const { node, sendRaw, icmp } = setup();
    const p = buildIpv6Packet({ src: TESTER, dst: NODE, upper: echo });
    p[5] += 8;
    sendRaw(p);
    expect(icmp()).toEqual([]);
    expect(node.counters().Ipv6LengthMismatch).toBe(1);
  });

  it('answers an unknown next header with Parameter Problem code 1 at offset 6 (IPV6-03)', () => {
    const { send, icmp } = setup();
    send({ upper: { kind: 'raw', nextHeader: 253, bytes: new Uint8Array(8) } });
    expect(icmp()).toEqual([[4, 1, 6]]);
  });

  it('skips an unknown option with action 00 and answers the echo (IPV6-04)', () => {
    const { send, icmp } = setup();
    send({ extensions: dest(0x1e) });
    expect(icmp().map((x) => x[0])).toEqual([129]);
  });

  it('silently discards on action 01 (IPV6-05)', () => {
    const { node, send, icmp } = setup();
    send({ extensions: dest(0x5e) });
    expect(icmp()).toEqual([]);
    expect(node.counters().Ipv6OptionDiscard).toBe(1);
  });

  it('sends Parameter Problem code 2 at the option on action 10 and 11 (IPV6-06, 07)', () => {
    const { send, icmp } = setup();
    send({ extensions: dest(0x9e) });
    send({ extensions: dest(0xde) });
    expect(icmp()).toEqual([[4, 2, 42], [4, 2, 42]]);
  });

  it('sends no Parameter Problem for action 11 to a multicast destination (IPV6-07)', () => {
    const { send, icmp } = setup();
    send({ dst: ip('ff02::1'), extensions: dest(0xde) });
    expect(icmp()).toEqual([]);
  });

  it('refuses a hop-by-hop header that is not first (IPV6-08)', () => {
    const { node, send, icmp } = setup();
    send({ extensions: [...dest(0x1e), { kind: 'hop-by-hop', options: [{ type: 0x1e, data: new Uint8Array(4) }], pad: true }] });
    expect(icmp()).toEqual([[4, 1, 40]]);
    expect(node.counters().Ipv6HopByHopNotFirst).toBe(1);
  });

  it('answers routing header type 0 with segments left by Parameter Problem code 0 at the type (IPV6-09)', () => {
    const { send, icmp } = setup();
    send({ extensions: [{ kind: 'routing', routingType: 0, segmentsLeft: 1, data: new Uint8Array(20) }] });
    expect(icmp()).toEqual([[4, 0, 42]]);
  });

  it('processes a routing header with no segments left as if absent (IPV6-09)', () => {
    const { send, icmp } = setup();
    send({ extensions: [{ kind: 'routing', routingType: 0, segmentsLeft: 0, data: new Uint8Array(20) }] });
    expect(icmp().map((x) => x[0])).toEqual([129]);
  });

  it('never forwards: drops a packet for another address (IPV6-10)', () => {
    const { node, send, icmp } = setup();
    send({ dst: ip('fe80::1234') });
    expect(icmp()).toEqual([]);
    expect(node.counters().Ipv6NotForUs).toBe(1);
  });

  it('processes an atomic fragment (IPV6-11, RFC 6946)', () => {
    const { send, icmp } = setup();
    send({ extensions: [{ kind: 'fragment', fragmentOffset: 0, more: false, identification: 99 }] });
    expect(icmp().map((x) => x[0])).toEqual([129]);
  });

  it('drops a non-atomic fragment it cannot reassemble', () => {
    const { node, send } = setup();
    send({ extensions: [{ kind: 'fragment', fragmentOffset: 0, more: true, identification: 99 }] });
    expect(node.counters().Ipv6FragmentUnsupported).toBe(1);
  });

  it('listens on ff02::1 and its solicited-node group, not on others (IPV6-13)', () => {
    const { send, icmp } = setup();
    send({ dst: ip('ff02::1:ff00:1') });
    send({ dst: ip('ff02::1:ff00:2') });
    expect(icmp().map((x) => x[0])).toEqual([129]);
  });
});
