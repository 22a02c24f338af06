// npm run bench: the figures the issues ask for, printed as a table and as one
// JSON line (for a lab's records). Benchmarks, not tests: nothing here fails on
// a number; the budgets are printed beside the figures.
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SixlabCore, coreWasmPath } from '../core/sixlab-core.js';
import { codecBench } from './codec-bench.js';
import { decodeBench } from './decode-bench.js';
import { frameMix } from './frame-mix.js';
import { nodeBench } from './node-bench.js';
import { framingRates, nodesOnOneMedium, pingPty, pingVirtual } from './link-bench.js';
import { tsharkRate } from './tshark-bench.js';
import { dissectRate, ptyRun, virtualRun } from './conformance-bench.js';
import { fleetBench, fleetRows, proxyRoundTrip } from './fleet-bench.js';
import { zepFragmentedPing, zepRows } from './zep-bench.js';
import { nativeBench, nativeBenchMissing, nativeBenchRows } from './native-bench.js';
import { scenarioBench, scenarioBenchRows } from './scenario-bench.js';
import { existsSync, readFileSync } from 'node:fs';

const fmt = (n: number) => Math.round(n).toLocaleString('en');

async function main(): Promise<void> {
  const mix = frameMix(1000);
  const wasmBytes = statSync(coreWasmPath()).size;
  const codecBytes = statSync(join(dirname(coreWasmPath()), 'test', 'codec-only.wasm')).size;
  const codec = codecBench(mix);
  const sender = new SixlabCore();
  const frames = mix.map((c) => sender.compress(c.packet, c.tx)[0]);
  const tshark = await tsharkRate(frames, 20);
  const decode = await decodeBench(frames);
  const node = nodeBench();
  const framing = framingRates();
  const virtualPing = await pingVirtual();
  const ptyRtt = await pingPty();
  const dissect = dissectRate(frames);
  const suiteRuns = [await virtualRun('virtual'), await virtualRun('virtual-classic')];
  const pty = await ptyRun();
  const nativeMissing = nativeBenchMissing();
  const native = nativeMissing ? undefined : nativeBench({ mix });
  const firmwareSizes = join(dirname(coreWasmPath()), 'boards', 'qemu-mps2-an386', 'sizes.json');
  const firmware = existsSync(firmwareSizes) ? JSON.parse(readFileSync(firmwareSizes, 'utf8')) as { text: number; data: number; bss: number; ramBytes: number } : undefined;
  const scenarioFleet = await scenarioBench({ log: (l) => process.stderr.write(l + '\n') });
  const zep = await zepFragmentedPing();
  const cells = await fleetBench();
  const proxy = await proxyRoundTrip();
  const fleets: [number, { wallMs: number; deliveries: number }][] = [];
  for (const n of [10, 100, 300, 1000]) fleets.push([n, await nodesOnOneMedium(n)]);
  const rows: [string, string, string][] = [
    ['release core (build/sixlab-core.wasm)', `${fmt(wasmBytes)} bytes`, '<= 32 KiB whole core'],
    ['part-1 codec alone (build/test/codec-only.wasm)', `${fmt(codecBytes)} bytes`, '<= 16 KiB'],
    ['node memory (static data, all of it)', `${fmt(node.memoryBytes)} of 65,536 bytes`, 'one 64 KiB page'],
    ['node tables', Object.entries(node.tables).map(([k, v]) => `${k} ${v}`).join(', '), ''],
    ['echo request/reply exchanges (one node)', `${fmt(node.echoPerSecond)} /s`, ''],
    ['serial framing: encode', `${fmt(framing.encodePerSecond)} frames/s`, ''],
    ['serial framing: decode', `${fmt(framing.decodePerSecond)} frames/s`, ''],
    ['ping over the in-process medium', `${virtualPing.virtualRttMs.toFixed(2)} ms virtual RTT, ${virtualPing.wallMsPerPing.toFixed(2)} ms wall per ping`, ''],
    ['ping over a real PTY (virtual board behind socat)', ptyRtt === undefined ? 'socat not installed' : `${ptyRtt.toFixed(2)} ms median RTT`, ''],
    ...fleets.map(([n, f]): [string, string, string] => [`${n} nodes on one medium, 60 s virtual`, `${fmt(f.wallMs)} ms wall, ${fmt(f.deliveries)} frame deliveries`, '']),
    ['frame mix', `${codec.frames} packets, ${frames.reduce((s, f) => s + f.length, 0) / frames.length | 0} octets/frame avg`, ''],
    ['compress (IPv6 -> frame)', `${fmt(codec.compressPerSecond)} /s`, ''],
    ['decompress (frame -> IPv6)', `${fmt(codec.decompressPerSecond)} /s`, ''],
    ['compress + decompress round trips', `${fmt(codec.roundTripsPerSecond)} /s`, '>= 1,000,000 /s'],
    ['tshark decode, same frames', tshark ? `${fmt(tshark.perSecond)} frames/s (${fmt(tshark.frames)} frames)` : 'tshark not installed', ''],
    ['tester library dissect (MAC + 6LoWPAN + IPv6), same frames', `${fmt(dissect)} frames/s`, ''],
    [`sixlab decode --json, ${fmt(decode.frames)} frames as hex on stdin (process start included)`, `${fmt(decode.cliJsonPerSecond)} frames/s (${fmt(decode.cliJsonMs)} ms)`, ''],
    ['sixlab decode --json -r, the same frames in a pcap', `${fmt(decode.cliPcapPerSecond)} frames/s`, ''],
    ['tshark -T fields, the same frames in a pcap (same run)', decode.tsharkPerSecond ? `${fmt(decode.tsharkPerSecond)} frames/s` : 'tshark not installed', ''],
    ['sixlab decode --json / tshark', decode.ratio ? `${decode.ratio.toFixed(1)}x` : '-', '>= 10x'],
    ['in-process decode (frames through the core, every field read)', `${fmt(decode.inProcessDecodePerSecond)} frames/s`, '>= 1,000,000 /s'],
    ['in-process decode + --json text', `${fmt(decode.inProcessJsonPerSecond)} frames/s, ${fmt(decode.jsonOctetsPerFrame)} octets/frame`, ''],
    ...suiteRuns.flatMap((r): [string, string, string][] => [
      [`all suites on board ${r.board}`, `${fmt(r.wholeMs)} ms wall, ${r.tests} tests: ${r.passed} passed, ${r.notApplicable} n/a, ${r.other} other`, '< 10 s'],
      ...Object.entries(r.suites).map(([s, ms]): [string, string, string] => [`  suite ${s}`, `${fmt(ms)} ms wall`, '']),
    ]),
    ['all suites over a real PTY (board up virtual)', pty ? `${fmt(pty.wholeMs)} ms wall, ${pty.tests} tests: ${pty.passed} passed, ${pty.notApplicable} n/a, ${pty.other} other` : 'socat not installed', ''],
  ];
  rows.push(...zepRows(zep), ...fleetRows(cells, proxy), ...scenarioBenchRows(scenarioFleet));
  rows.push(native ? nativeBenchRows(native)[0] : ['core natively (wasm2c, x86-64 -O2)', `not measured: ${nativeMissing}`, '']);
  if (native) rows.push(...nativeBenchRows(native).slice(1));
  rows.push(['Cortex-M4 firmware (arm-none-eabi-size)', firmware ? `text ${fmt(firmware.text)}, data ${fmt(firmware.data)}, bss ${fmt(firmware.bss)}; RAM ${fmt(firmware.ramBytes)} bytes` : 'not built (npm run build:firmware; toolchain: scripts/install-toolchain.sh)', '<= 64 KiB text, <= 72 KiB RAM']);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v, budget] of rows) console.log(`${k.padEnd(w)}  ${v}${budget ? `   [budget ${budget}]` : ''}`);
  console.log(JSON.stringify({
    bench: 'core', node: process.version, wasmBytes, codecBytes, ...codec, tsharkFramesPerSecond: tshark?.perSecond,
    nodeMemoryBytes: node.memoryBytes, nodeTables: node.tables, echoPerSecond: node.echoPerSecond,
    framing, virtualPing, ptyRttMs: ptyRtt, fleets: Object.fromEntries(fleets), dissectPerSecond: dissect, suiteRuns, ptySuiteRun: pty, zep, cells, proxy, native, firmware, scenarioFleet,
    decode,
  }));
}

await main();
