// The core's native speed against its speed in Node: the release module turned
// into C by wasm2c (the same output the Cortex-M4 firmware is built from),
// compiled for this host with gcc -O2 and wabt's stock runtime into
// boards/qemu-mps2-an386/bench/native-bench.c, then both run compress,
// decompress and round trips on the same frame mix. The WebAssembly build in
// Node should stay within 2x of native (issue 10): `ratio` is native / Node.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AddrMode, Tx, TxFlag } from '../../firmware/abi/layout.js';
import { SixlabCore, coreWasmPath, packageRoot, type TxOptions } from '../core/sixlab-core.js';
import { codecBench, type CodecFigures } from './codec-bench.js';
import { frameMix, type MixCase } from './frame-mix.js';

export interface Rates {
  compressPerSecond: number;
  decompressPerSecond: number;
  roundTripsPerSecond: number;
}

export interface NativeBenchFigures {
  frames: number;
  native: Rates;
  node: Rates;
  /** Native rate / Node rate, per operation (1.5 = native is 1.5x faster). */
  ratio: { compress: number; decompress: number; roundTrips: number };
  /** The native build made byte for byte the frames Node makes. */
  sameFrames: boolean;
  compiler: string;
}

export class NativeBenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeBenchError';
  }
}

const BENCH_SOURCE = () => join(packageRoot(), 'boards', 'qemu-mps2-an386', 'bench', 'native-bench.c');

function which(tool: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** What is missing to build the native benchmark here, or undefined when nothing is. */
export function nativeBenchMissing(): string | undefined {
  const missing = ['gcc', 'wasm2c'].filter((t) => !which(t));
  if (missing.length) return `${missing.join(', ')} not installed`;
  if (!runtimeSource()) return "wabt's wasm-rt-impl.c not found";
  return undefined;
}

/** wabt's stock runtime (mmap'd guard pages and a signal handler: the usual native setup). */
function runtimeSource(): string | undefined {
  const wasm2c = which('wasm2c');
  const candidates = [
    wasm2c && join(dirname(wasm2c), '..', 'share', 'wabt', 'wasm2c', 'wasm-rt-impl.c'),
    '/usr/share/wabt/wasm2c/wasm-rt-impl.c', '/usr/local/share/wabt/wasm2c/wasm-rt-impl.c',
  ].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p));
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error) throw new NativeBenchError(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new NativeBenchError(`${cmd} failed (${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
}

/** Builds build/native-bench/native-bench (again only when the core, the program or gcc changed). */
export function buildNativeBench(): string {
  const why = nativeBenchMissing();
  if (why) throw new NativeBenchError(`native benchmark: ${why} (scripts/install-toolchain.sh)`);
  const dir = join(packageRoot(), 'build', 'native-bench');
  const exe = join(dir, 'native-bench');
  const runtime = runtimeSource()!;
  const compiler = run('gcc', ['--version']).split('\n')[0];
  const stamp = createHash('sha256').update(readFileSync(coreWasmPath())).update(readFileSync(BENCH_SOURCE()))
    .update(readFileSync(runtime)).update(compiler).digest('hex');
  const stampFile = join(dir, 'stamp');
  if (existsSync(exe) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return exe;
  mkdirSync(dir, { recursive: true });
  run('wasm2c', [coreWasmPath(), '-n', 'sixlab_core', '-o', join(dir, 'sixlab_core.c')]);
  run('gcc', ['-O2', `-I${dir}`, `-I${dirname(runtime)}`, BENCH_SOURCE(), join(dir, 'sixlab_core.c'), runtime, '-lm', '-o', exe]);
  writeFileSync(stampFile, stamp);
  return exe;
}

/** The Tx block setTx() writes (layout Tx), for the C program to copy in. */
function txBlock(tx: TxOptions): Uint8Array {
  const b = new Uint8Array(Tx.Size);
  const mode = (a: TxOptions['src']) => (a.mode === 'short' ? AddrMode.Short : AddrMode.Extended);
  b[Tx.SrcMode] = mode(tx.src);
  b[Tx.DstMode] = mode(tx.dst);
  b[Tx.Pan] = tx.pan & 0xff;
  b[Tx.Pan + 1] = tx.pan >> 8;
  b.set(tx.src.bytes, Tx.SrcAddr);
  b.set(tx.dst.bytes, Tx.DstAddr);
  b[Tx.FrameVersion] = tx.frameVersion ?? 1;
  b[Tx.Flags] = (tx.elideUdpChecksum ? TxFlag.ElideUdpChecksum : 0) | (tx.ackRequest ? TxFlag.AckRequest : 0) | (tx.uncompressed ? TxFlag.Uncompressed : 0);
  return b;
}

function casesFile(mix: MixCase[]): Uint8Array {
  const parts: Uint8Array[] = [new TextEncoder().encode('SXB1'), new Uint8Array(new Uint32Array([mix.length]).buffer)];
  for (const c of mix) {
    parts.push(txBlock(c.tx), Uint8Array.of(c.packet.length & 0xff, c.packet.length >> 8), c.packet);
  }
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function rates(f: CodecFigures | Rates): Rates {
  return { compressPerSecond: f.compressPerSecond, decompressPerSecond: f.decompressPerSecond, roundTripsPerSecond: f.roundTripsPerSecond };
}

function best(a: Rates | undefined, b: Rates): Rates {
  if (!a) return b;
  return {
    compressPerSecond: Math.max(a.compressPerSecond, b.compressPerSecond),
    decompressPerSecond: Math.max(a.decompressPerSecond, b.decompressPerSecond),
    roundTripsPerSecond: Math.max(a.roundTripsPerSecond, b.roundTripsPerSecond),
  };
}

/**
 * Native and Node rates on the same mix (default: the 1,000-packet mix of
 * `npm run bench`). Each side runs `rounds` times, alternating, and keeps its
 * best rate per operation, so that a burst of other work on the host does not
 * decide the ratio.
 */
export function nativeBench(options: { mix?: MixCase[]; seconds?: number; rounds?: number } = {}): NativeBenchFigures {
  const mix = options.mix ?? frameMix(1000);
  const seconds = options.seconds ?? 1;
  const exe = buildNativeBench();
  const dir = dirname(exe);
  writeFileSync(join(dir, 'cases.bin'), casesFile(mix));
  let native: Rates | undefined;
  let node: Rates | undefined;
  for (let i = 0; i < (options.rounds ?? 3); i++) {
    const out = run(exe, [join(dir, 'cases.bin'), String(seconds), join(dir, 'frames.bin')]);
    native = best(native, rates(JSON.parse(out.trim().split('\n').pop()!) as Rates));
    node = best(node, rates(codecBench(mix, seconds)));
  }

  const core = new SixlabCore();
  const nodeFrames = mix.flatMap((c) => core.compress(c.packet, c.tx)).flatMap((f) => [f.length, ...f]);
  const nativeFrames = readFileSync(join(dir, 'frames.bin'));
  const sameFrames = nativeFrames.length === nodeFrames.length && nodeFrames.every((b, i) => b === nativeFrames[i]);
  return {
    frames: mix.length, native: native!, node: node!, sameFrames, compiler: run('gcc', ['--version']).split('\n')[0],
    ratio: {
      compress: native!.compressPerSecond / node!.compressPerSecond,
      decompress: native!.decompressPerSecond / node!.decompressPerSecond,
      roundTrips: native!.roundTripsPerSecond / node!.roundTripsPerSecond,
    },
  };
}

/** Rows for run-all.ts's table: [what, figure, budget]. */
export function nativeBenchRows(f: NativeBenchFigures): [string, string, string][] {
  const n = (v: number) => Math.round(v).toLocaleString('en');
  const row = (what: string, nat: number, node: number, ratio: number): [string, string, string] =>
    [`${what}: native (wasm2c, gcc -O2) vs Node`, `${n(nat)} /s vs ${n(node)} /s, native/Node ${ratio.toFixed(2)}x`, 'Node within 2x of native'];
  return [
    row('compress', f.native.compressPerSecond, f.node.compressPerSecond, f.ratio.compress),
    row('decompress', f.native.decompressPerSecond, f.node.decompressPerSecond, f.ratio.decompress),
    row('round trips', f.native.roundTripsPerSecond, f.node.roundTripsPerSecond, f.ratio.roundTrips),
    ['native frames identical to Node\'s', f.sameFrames ? `yes (${f.frames} frames)` : 'NO: the native build differs', ''],
  ];
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const f = nativeBench();
  for (const [what, figure, budget] of nativeBenchRows(f)) console.log(`${what}  ${figure}${budget ? `   [budget ${budget}]` : ''}`);
  console.log(JSON.stringify({ bench: 'native', ...f }));
}
