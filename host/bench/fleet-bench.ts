// A fleet on one simulated medium with a topology: n core nodes spread over
// cells (each its own channel and PAN), for a virtual minute. Without cells
// every frame reaches every station (the cost grows with n²); with them a
// frame reaches its cell only. With `gateway`, one gateway (a radio in every
// cell) serves the site plan's prefix per cell and every node registers.
// Also: a CoAP GET's round trip through the gateway's proxy (the coap package
// as the client on [::1], the device on a virtual board in real time).
import { createSocket } from 'node:dgram';
import { Agent, request } from 'coap';
import { loadBoard } from '../board/board-config.js';
import { SixlabNode } from '../core/sixlab-node.js';
import { NodeStation, VirtualBoard } from '../board/virtual-board.js';
import { CoapProxy } from '../gateway/coap-proxy.js';
import { RealScheduler } from '../sim/clock.js';
import { SixlabGateway } from '../gateway/gateway.js';
import { MediumLink } from '../gateway/medium-link.js';
import type { SitePlan } from '../gateway/site-plan.js';
import { Medium } from '../sim/medium.js';
import { VirtualClock } from '../sim/virtual-clock.js';

export interface FleetResult {
  nodes: number;
  cells: number;
  gateway: boolean;
  virtualSeconds: number;
  wallMs: number;
  transmissions: number;
  deliveries: number;
  /** Devices with a registered global address (with a gateway). */
  registered?: number;
  heapMb: number;
}

const eui = (i: number) => Uint8Array.of(0, 0x12, 0x4b, 0, 0, 1, i >> 8, i & 0xff);
const euiText = (i: number) => Array.from(eui(i), (b) => b.toString(16).padStart(2, '0')).join(':');

/** n nodes over `cells` cells (0: no topology, every station hears every other) for `seconds` of virtual time. */
export async function fleetOnMedium(n: number, cells: number, options: { seconds?: number; gateway?: boolean } = {}): Promise<FleetResult> {
  const seconds = options.seconds ?? 60;
  const clock = new VirtualClock();
  const medium = new Medium(clock, { delayMs: 1 });
  const cellOf = (i: number) => `cell-${i % Math.max(1, cells)}`;
  let gw: SixlabGateway | undefined;
  if (options.gateway) {
    const plan: SitePlan = {
      cells: Array.from({ length: Math.max(1, cells) }, (_, k) => ({ name: `cell-${k}`, prefix: `2001:db8:0:${(k + 1).toString(16)}::/64` })),
      devices: Object.fromEntries(Array.from({ length: n }, (_, i) => [euiText(i), cellOf(i)])),
    };
    const link = new MediumLink(medium, { mode: 'extended', bytes: Uint8Array.of(0, 0x12, 0x4b, 0xff, 0xff, 0xff, 0xff, 0xfe) });
    gw = await SixlabGateway.start(link, { testerLink: link.address, pan: 0xabcd }, { plan, capacity: 4 * n });
  }
  for (let i = 0; i < n; i++) {
    const node = new SixlabNode({ eui64: eui(i), pan: 0xabcd, seed: i + 1 }, 0);
    const station = new NodeStation(`n${i}`, node, { link: { mode: 'extended', bytes: eui(i) } }, medium, clock);
    medium.attach(station, cells > 0 ? { cells: [cellOf(i)] } : undefined);
    station.service();
  }
  const t = performance.now();
  await clock.sleep(seconds * 1000);
  const wallMs = performance.now() - t;
  const registered = gw?.devices().filter((d) => d.addresses.some((a) => a.startsWith('2001:'))).length;
  await gw?.close();
  return {
    nodes: n, cells, gateway: Boolean(gw), virtualSeconds: seconds, wallMs, transmissions: medium.stats.transmissions, deliveries: medium.stats.deliveries,
    registered, heapMb: process.memoryUsage().heapUsed / 2 ** 20,
  };
}

/** The figures for run-all.ts: 1,000 nodes with no topology, in 10 cells, and in 10 cells with a gateway. */
export async function fleetBench(): Promise<FleetResult[]> {
  return [
    await fleetOnMedium(1000, 0),
    await fleetOnMedium(1000, 10),
    await fleetOnMedium(1000, 10, { gateway: true }),
  ];
}

/** `count` CoAP GETs of /test through the proxy, one after the other: wall-clock round trips in ms. */
export async function proxyRoundTrip(count = 50): Promise<{ medianMs: number; p99Ms: number; minMs: number }> {
  const board = loadBoard('virtual');
  const clock = new RealScheduler();
  const vb = new VirtualBoard(board, { clock });
  const gw = await SixlabGateway.start(vb.link, board);
  const proxy = await CoapProxy.start(gw, { port: 0 });
  const socket = createSocket('udp6');
  await new Promise<void>((resolve) => socket.bind(0, '::1', resolve));
  const agent = new Agent({ type: 'udp6', socket });
  try {
    const device = '2001:db8::212:4b00:0:1';
    if (!(await gw.waitForAddress(device, 10_000))) throw new Error('the virtual device did not register');
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await new Promise<void>((resolve, reject) => {
        const req = request({ hostname: '::1', port: proxy.port, agent, method: 'GET', proxyUri: `coap://[${device}]/test` });
        req.on('response', () => resolve());
        req.on('error', reject);
        req.end();
      });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { medianMs: times[Math.floor(count / 2)], p99Ms: times[Math.min(count - 1, Math.floor(count * 0.99))], minMs: times[0] };
  } finally {
    await proxy.close();
    await gw.close();
    clock.stop();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/** Table rows for run-all.ts. */
export function fleetRows(fleet: FleetResult[], proxy?: { medianMs: number; p99Ms: number }): [string, string, string][] {
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  const rows = fleet.map((f): [string, string, string] => [
    `${fmt(f.nodes)} nodes, ${f.cells ? `${f.cells} cells` : 'no topology'}${f.gateway ? ', a gateway' : ''}, ${f.virtualSeconds} s virtual`,
    `${fmt(f.wallMs)} ms wall, ${fmt(f.transmissions)} frames, ${fmt(f.deliveries)} deliveries${f.registered === undefined ? '' : `, ${fmt(f.registered)} registered`}`,
    '',
  ]);
  if (proxy) rows.push(['CoAP GET through the proxy ([::1], virtual board in real time)', `${proxy.medianMs.toFixed(2)} ms median, ${proxy.p99Ms.toFixed(2)} ms p99 round trip`, '']);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // node dist/host/bench/fleet-bench.js [NODES CELLS [gateway]] | proxy
  if (process.argv[2] === 'proxy') process.stdout.write(JSON.stringify(await proxyRoundTrip()) + '\n');
  else {
    const n = Number(process.argv[2] ?? 1000);
    const cells = Number(process.argv[3] ?? 10);
    const r = await fleetOnMedium(n, cells, { gateway: process.argv[4] === 'gateway' });
    process.stdout.write(JSON.stringify(r) + '\n');
  }
}
