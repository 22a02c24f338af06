// npm run bench: the figures the issues ask for, printed as a table and as one
// JSON line (for a lab's records). Benchmarks, not tests: nothing here fails on
// a number; the budgets are printed beside the figures.
import { statSync } from 'node:fs';
import { SixlabCore, coreWasmPath } from '../core/sixlab-core.js';
import { codecBench } from './codec-bench.js';
import { frameMix } from './frame-mix.js';
import { tsharkRate } from './tshark-bench.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en');

async function main(): Promise<void> {
  const mix = frameMix(1000);
  const wasmBytes = statSync(coreWasmPath()).size;
  const codec = codecBench(mix);
  const sender = new SixlabCore();
  const frames = mix.map((c) => sender.compress(c.packet, c.tx)[0]);
  const tshark = await tsharkRate(frames, 20);
  const rows: [string, string, string][] = [
    ['release core (build/sixlab-core.wasm)', `${fmt(wasmBytes)} bytes`, '<= 16 KiB part 1, <= 32 KiB whole core'],
    ['frame mix', `${codec.frames} packets, ${frames.reduce((s, f) => s + f.length, 0) / frames.length | 0} octets/frame avg`, ''],
    ['compress (IPv6 -> frame)', `${fmt(codec.compressPerSecond)} /s`, ''],
    ['decompress (frame -> IPv6)', `${fmt(codec.decompressPerSecond)} /s`, ''],
    ['compress + decompress round trips', `${fmt(codec.roundTripsPerSecond)} /s`, '>= 1,000,000 /s'],
    ['tshark decode, same frames', tshark ? `${fmt(tshark.perSecond)} frames/s (${fmt(tshark.frames)} frames)` : 'tshark not installed', ''],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v, budget] of rows) console.log(`${k.padEnd(w)}  ${v}${budget ? `   [budget ${budget}]` : ''}`);
  console.log(JSON.stringify({ bench: 'core-codec', node: process.version, wasmBytes, ...codec, tsharkFramesPerSecond: tshark?.perSecond }));
}

await main();
