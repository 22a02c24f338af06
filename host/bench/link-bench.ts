// Links and boards: serial framing throughput, ping round trips over the
// in-process medium and over a real PTY, and how many virtual nodes one medium
// carries.
import { spawnSync } from 'node:child_process';
import { SixlabNode } from '../core/sixlab-node.js';
import { loadBoard } from '../board/board-config.js';
import { PtyServer } from '../board/pty-server.js';
import { NodeStation, VirtualBoard } from '../board/virtual-board.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { FrameDecoder, FrameType, encodeFrame } from '../link/serial-framing.js';
import { SerialLink } from '../link/serial-link.js';
import { Medium } from '../sim/medium.js';
import { VirtualClock } from '../sim/virtual-clock.js';

export function framingRates(frames = 200_000): { encodePerSecond: number; decodePerSecond: number } {
  const psdus = Array.from({ length: 1000 }, (_, i) => Uint8Array.from({ length: 20 + (i % 108) }, (_, k) => (k * 7 + i) & 0xff));
  let t = performance.now();
  const encoded: Uint8Array[] = [];
  for (let i = 0; i < frames; i++) {
    const e = encodeFrame(FrameType.Psdu, psdus[i % psdus.length]);
    if (i < psdus.length) encoded.push(e);
  }
  const encodePerSecond = frames / ((performance.now() - t) / 1000);
  const stream = Buffer.concat(encoded);
  const decoder = new FrameDecoder();
  t = performance.now();
  let n = 0;
  while (n < frames) n += decoder.push(stream).length;
  return { encodePerSecond, decodePerSecond: n / ((performance.now() - t) / 1000) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function pingVirtual(count = 50): Promise<{ virtualRttMs: number; wallMsPerPing: number }> {
  const board = loadBoard('virtual');
  const vb = new VirtualBoard(board);
  const tester = new Tester(vb.link, board);
  const rtts: number[] = [];
  const t = performance.now();
  for (let i = 0; i < count; i++) rtts.push((await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 1, i, 32, 1000))!);
  return { virtualRttMs: median(rtts), wallMsPerPing: (performance.now() - t) / count };
}

export async function pingPty(count = 50): Promise<number | undefined> {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) return undefined;
  const board = loadBoard('virtual');
  const path = `/tmp/sixlab-bench-${process.pid}`;
  const server = await PtyServer.start(board, path);
  const link = await SerialLink.open({ path });
  const tester = new Tester(link, board);
  const rtts: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const r = await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 1, i, 32, 2000);
      if (r !== undefined) rtts.push(r);
    }
  } finally {
    tester.close();
    await link.close();
    await server.stop();
  }
  return median(rtts);
}

/** n nodes on one medium for `seconds` of virtual time (they solicit routers,
 *  every broadcast reaching every other node): the wall time it takes. */
export async function nodesOnOneMedium(n: number, seconds = 60): Promise<{ wallMs: number; deliveries: number }> {
  const clock = new VirtualClock();
  const medium = new Medium(clock, { delayMs: 1 });
  let deliveries = 0;
  medium.onTransmission(() => (deliveries += n - 1));
  for (let i = 0; i < n; i++) {
    const eui = Uint8Array.of(0, 0x12, 0x4b, 0, 0, 0, i >> 8, i & 0xff);
    const node = new SixlabNode({ eui64: eui, pan: 0xabcd, seed: i + 1 }, 0);
    const station = new NodeStation(`n${i}`, node, { link: { mode: 'extended', bytes: eui } }, medium, clock);
    medium.attach(station);
    station.service();
  }
  const t = performance.now();
  await clock.sleep(seconds * 1000);
  return { wallMs: performance.now() - t, deliveries };
}
