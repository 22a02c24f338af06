// sixlab decode: IEEE 802.15.4 frames (hex lines, or a pcap/pcapng capture with
// -r) -> MAC, 6LoWPAN, IPv6, UDP, ICMPv6 and CoAP fields; fragments are
// reassembled across frames. The core decodes (frame-decoder.ts); --json is
// written straight from its memory (decode-json.ts), text through frameReport.
//
// Start-up is most of a short run, so this file loads only what decoding hex
// to JSON needs; the capture reader (-r) and the text reports are imported
// when they are used.
import type { Command } from 'commander';
import { Capacity } from '../../firmware/abi/layout.js';
import { SixlabCore } from '../core/sixlab-core.js';
import { parseHex } from '../packet/hex.js';
import { writeFrameJson } from './decode-json.js';
import { ByteOut } from './decode-output.js';
import { FrameDecoder } from './frame-decoder.js';
import type { FrameMeta } from './frame-report.js';
import { HexLineError, HexLines } from './hex-input.js';
import { UsageError } from './usage-error.js';
import { parseContextOption } from './context-option.js';

export interface DecodeOptions {
  context: string[];
  json?: boolean;
  ignoreFcs?: boolean;
  read?: string;
}

export function coreWithContexts(specs: string[]): SixlabCore {
  return withContexts(new SixlabCore(), specs);
}

/** --context N=PREFIX/LEN, the prefix read by the core's own address parser. */
function withContexts<T extends SixlabCore>(core: T, specs: string[]): T {
  for (const spec of specs) {
    const c = parseContextOption(spec, (text) => core.parseAddress(text));
    core.setContext(c.id, c.prefix, c.length);
  }
  return core;
}

type Reports = typeof import('./frame-report.js');

/** Writes reports to `out`: on the last frame `d` decoded, or on a captured
 *  packet whose contents do not decode (a ZEP datagram, a TAP header). */
export interface FrameSink {
  /** False when the frame needs frame-report.js and it is not loaded yet:
   *  await ready() and give the frame again (the decoder still holds it). */
  frame(d: FrameDecoder, meta?: FrameMeta): boolean;
  problem(r: FrameMeta & { error: string; reason: string }): void;
  ready(): Promise<void>;
}

export function frameSink(out: ByteOut, json: boolean): FrameSink {
  let reports: Reports | undefined;
  let loading: Promise<void> | undefined;
  const ready = () => (loading ??= import('./frame-report.js').then((m) => {
    reports = m;
  }));
  if (json) {
    return {
      frame(d, meta) {
        const prefix = meta ? JSON.stringify(meta).slice(1, -1) : '';
        if (writeFrameJson(out, d, prefix ? prefix + ',' : undefined)) return true;
        if (!reports) return false;
        out.text(JSON.stringify(reports.frameReport(d, meta)) + '\n');
        return true;
      },
      problem: (r) => out.text(JSON.stringify(r) + '\n'),
      ready,
    };
  }
  let index = 0;
  void ready();
  return {
    frame(d, meta) {
      if (!reports) return false;
      out.text(reports.frameText(++index, reports.frameReport(d, meta)).join('\n') + '\n');
      return true;
    },
    problem: (r) => out.text(reports!.problemText(r) + '\n'),
    ready,
  };
}

/** Reports the last frame decoded, loading the text reports first if it needs them. */
export async function report(sink: FrameSink, d: FrameDecoder, meta?: FrameMeta): Promise<void> {
  if (sink.frame(d, meta)) return;
  await sink.ready();
  sink.frame(d, meta);
}

export async function decodeCommand(frames: string[], options: DecodeOptions): Promise<void> {
  if (options.read !== undefined && frames.length > 0) {
    throw new UsageError('decode: give frames as arguments, on stdin, or as a capture with -r FILE, not both');
  }
  const decoder = withContexts(new FrameDecoder(), options.context);
  decoder.ignoreFcs = options.ignoreFcs === true;
  const out = new ByteOut(process.stdout);
  const sink = frameSink(out, options.json === true);
  try {
    if (options.read !== undefined) await (await import('./decode-capture.js')).decodeCapture(options.read, decoder, out, sink);
    else if (frames.length > 0) await decodeArguments(frames, decoder, out, sink);
    else await decodeHexStream(process.stdin, decoder, out, sink);
  } finally {
    // Every frame before a bad line or block is answered before the error is.
    await out.flush();
  }
}

async function decodeArguments(frames: string[], d: FrameDecoder, out: ByteOut, sink: FrameSink): Promise<void> {
  const start = Date.now();
  for (const [i, text] of frames.entries()) {
    let bytes: Uint8Array;
    try {
      bytes = parseHex(text);
    } catch (err) {
      throw new UsageError(`input ${i + 1}: ${(err as Error).message}`);
    }
    d.decodeBytes(bytes, Date.now() - start);
    if (!sink.frame(d)) await report(sink, d);
    if (out.full) await out.flush();
  }
}

/** Hex lines from a stream, read no faster than the output is taken. */
export async function decodeHexStream(input: AsyncIterable<Uint8Array>, d: FrameDecoder, out: ByteOut, sink: FrameSink): Promise<void> {
  const lines = new HexLines(d.mb, d.input, Capacity.Psdu + 1);
  const start = Date.now();
  const run = async () => {
    for (let n = lines.next(); n >= 0; n = lines.next()) {
      d.decodeInput(n, Date.now() - start);
      if (!sink.frame(d)) await report(sink, d);
      if (out.full) await out.flush();
    }
  };
  try {
    for await (const chunk of input) {
      lines.push(chunk);
      await run();
      await out.flush();
    }
    lines.end();
    await run();
  } catch (err) {
    if (err instanceof HexLineError) throw new UsageError(err.message);
    throw err;
  }
}

/** Declares the command on the program. */
export function registerDecode(p: Command): void {
  p.command('decode')
    .description('decode IEEE 802.15.4 frames: hex (FCS included) from the arguments or stdin, one per line, or a pcap/pcapng capture')
    .argument('[frames...]', 'frames as hex')
    .option('-r, --read <FILE>', 'read a pcap or pcapng capture: 802.15.4 (link types 195, 230, 283) or ZEP in UDP ("-" for stdin)')
    .option('--context <N=PREFIX/LEN>', '6LoWPAN context, e.g. 0=2001:db8::/64 (repeatable)', collect, [])
    .option('--ignore-fcs', 'decode frames whose FCS does not check (sniffers that put RSSI/LQI there), saying so')
    .option('--json', 'one JSON object per frame')
    .action((frames: string[], opts) => decodeCommand(frames, opts));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
