// The node's figures: memory, table sizes, and Echo Request/Reply exchanges
// per second through the whole stack (802.15.4 frame in, 6LoWPAN, IPv6,
// ICMPv6, and the reply frame out).
import { SixlabNode } from '../core/sixlab-node.js';
import { echoBody } from '../packet/icmpv6.js';
import { buildDataFrame } from '../packet/ieee802154.js';
import { DISPATCH_IPV6 } from '../packet/lowpan-fragment.js';
import { buildIpv6Packet } from '../packet/packet.js';

export interface NodeFigures {
  memoryBytes: number;
  tables: Record<string, number>;
  echoPerSecond: number;
}

const eui = (last: number) => Uint8Array.of(0, 0x12, 0x4b, 0, 0, 0, 0, last);
const linkLocal = (e: Uint8Array) => Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, e[0] ^ 2, ...e.subarray(1));

export function nodeBench(seconds = 2): NodeFigures {
  const node = new SixlabNode({ eui64: eui(1), pan: 0xabcd, seed: 1 }, 0);
  node.drain();
  const request = buildIpv6Packet({
    src: linkLocal(eui(2)), dst: linkLocal(eui(1)),
    upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(1, 1, new Uint8Array(16)) },
  });
  const frame = buildDataFrame({ src: { mode: 'extended', bytes: eui(2) }, dst: { mode: 'extended', bytes: eui(1) }, pan: 0xabcd, seq: 1 },
    Uint8Array.of(DISPATCH_IPV6, ...request));
  const exchange = (now: number) => {
    if (node.input(frame, now) !== 0) throw new Error('node refused the echo request');
    if (node.drain().length !== 1) throw new Error('no echo reply');
  };
  for (let i = 0; i < 1000; i++) exchange(i); // warm up
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) exchange(n + i);
    n += 1000;
  }
  return { memoryBytes: node.memoryUsed(), tables: node.tables(), echoPerSecond: n / ((performance.now() - start) / 1000) };
}
