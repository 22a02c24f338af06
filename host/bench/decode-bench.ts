// `sixlab decode` against tshark on the same frames (issue 8): the built CLI
// with --json on 30,000 frames as hex on stdin and as a pcap with -r (process
// start included, as a user runs it), tshark -T fields on the same frames in a
// pcap (as tshark-bench.ts runs it), and the in-process rates: the decode
// itself (frames through the core, every result read) and decode plus the
// --json text. Each figure is the best of a few runs, so a busy machine
// disturbs it less; tshark and sixlab run interleaved, in the same conditions.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../core/sixlab-core.js';
import { writeFrameJson } from '../cli/decode-json.js';
import { ByteOut } from '../cli/decode-output.js';
import { FrameDecoder } from '../cli/frame-decoder.js';
import { LINKTYPE_IEEE802_15_4_WITHFCS, writePcap } from '../packet/pcap.js';
import { tsharkRate } from './tshark-bench.js';

export interface DecodeFigures {
  frames: number;
  /** sixlab decode --json, hex lines on stdin, process start included. */
  cliJsonPerSecond: number;
  cliJsonMs: number;
  /** sixlab decode --json -r FILE.pcap. */
  cliPcapPerSecond: number;
  /** tshark -T fields on the same frames (undefined: tshark not installed). */
  tsharkPerSecond?: number;
  ratio?: number;
  /** Frames through the core, every field of the result read, per second. */
  inProcessDecodePerSecond: number;
  /** The same plus the --json text of each frame. */
  inProcessJsonPerSecond: number;
  /** Octets of JSON per frame. */
  jsonOctetsPerFrame: number;
}

/** Runs the built CLI; resolves with the wall time and the stdout line count. */
function runCli(args: string[], input?: string): Promise<{ ms: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const cli = join(packageRoot(), 'dist', 'host', 'cli', 'main.js');
    const start = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let lines = 0;
    let err = '';
    child.stdout!.on('data', (b: Buffer) => {
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++;
    });
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`sixlab ${args.join(' ')} exited with ${code}: ${err.trim()}`));
      else resolve({ ms: performance.now() - start, lines });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Frames per second of `fn` (which decodes `n` frames), best of `rounds` after a warm-up. */
function best(rounds: number, n: number, fn: () => void): number {
  fn();
  let top = 0;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    fn();
    top = Math.max(top, n / ((performance.now() - t) / 1000));
  }
  return top;
}

export async function decodeBench(frames: Uint8Array[], copies = 30, rounds = 3): Promise<DecodeFigures> {
  const all = Array.from({ length: copies }, () => frames).flat();
  const hex = all.map((f) => Buffer.from(f).toString('hex')).join('\n') + '\n';
  const dir = mkdtempSync(join(tmpdir(), 'sixlab-decode-bench-'));
  try {
    const pcap = join(dir, 'frames.pcap');
    await writePcap(pcap, LINKTYPE_IEEE802_15_4_WITHFCS, all.map((data, i) => ({ timeUs: i, data })));
    let cliMs = Infinity;
    let pcapMs = Infinity;
    let tshark: number | undefined;
    for (let r = 0; r < rounds; r++) {
      const a = await runCli(['decode', '--json'], hex);
      if (a.lines !== all.length) throw new Error(`sixlab decode wrote ${a.lines} lines for ${all.length} frames`);
      cliMs = Math.min(cliMs, a.ms);
      const b = await runCli(['decode', '--json', '-r', pcap]);
      if (b.lines !== all.length) throw new Error(`sixlab decode -r wrote ${b.lines} lines for ${all.length} frames`);
      pcapMs = Math.min(pcapMs, b.ms);
      const t = await tsharkRate(frames, copies);
      if (t) tshark = Math.max(tshark ?? 0, t.perSecond);
    }

    // In process: the frames already in memory, as the CLI has them after reading.
    const d = new FrameDecoder();
    let sum = 0;
    const decodeOnly = () => {
      for (let i = 0; i < all.length; i++) {
        d.decodeBytes(all[i], 0);
        // Read what a report reads: MAC and 6LoWPAN fields, the packet's first octets.
        sum += d.macLevel() + d.lowpanFlags() + (d.result > 0 ? d.m[d.packetAt() + 7] : 0);
      }
    };
    let octets = 0;
    const out = new ByteOut({ write: (c: Uint8Array) => ((octets += c.length), true) } as unknown as NodeJS.WritableStream);
    const withJson = () => {
      for (let i = 0; i < all.length; i++) {
        d.decodeBytes(all[i], 0);
        writeFrameJson(out, d);
        if (out.full) {
          octets += out.p;
          out.p = 0;
        }
      }
    };
    const inProcessDecodePerSecond = best(5, all.length, decodeOnly);
    octets = 0;
    withJson();
    const jsonOctetsPerFrame = Math.round((octets + out.p) / all.length);
    const inProcessJsonPerSecond = best(5, all.length, withJson);
    if (sum < 0) throw new Error('unreachable');
    const cliJsonPerSecond = all.length / (cliMs / 1000);
    return {
      frames: all.length,
      cliJsonPerSecond,
      cliJsonMs: cliMs,
      cliPcapPerSecond: all.length / (pcapMs / 1000),
      tsharkPerSecond: tshark,
      ratio: tshark ? cliJsonPerSecond / tshark : undefined,
      inProcessDecodePerSecond,
      inProcessJsonPerSecond,
      jsonOctetsPerFrame,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
