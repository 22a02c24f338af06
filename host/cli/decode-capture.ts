// sixlab decode -r FILE: the 802.15.4 frames of a pcap or pcapng capture,
// decoded in capture order. The capture's timestamps are the core's clock,
// so the 60 s reassembly timeout (RFC 4944 §5.3) runs on capture time, not on
// how fast the file is read. A malformed capture stops the run with one line
// (exit 2) after every frame before the bad spot was reported.
import { createReadStream } from 'node:fs';
import { CaptureError, CaptureReader } from '../capture/capture-reader.js';
import { wpanFrame } from '../capture/wpan-frames.js';
import type { ByteOut } from './decode-output.js';
import type { FrameDecoder, FcsKind } from './frame-decoder.js';
import type { FrameMeta } from './frame-report.js';
import { report, type FrameSink } from './decode-command.js';
import { UsageError } from './usage-error.js';

export async function decodeCapture(path: string, d: FrameDecoder, out: ByteOut, sink: FrameSink): Promise<void> {
  const name = path === '-' ? 'stdin' : path;
  const input: AsyncIterable<Uint8Array> = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 256 * 1024 });
  const reader = new CaptureReader();
  let first = NaN;
  let last = 0;
  const skipped = new Map<string, number>();
  const run = async () => {
    for (let p = reader.next(); p; p = reader.next()) {
      const t = Number.isFinite(p.timeUs) ? p.timeUs : Number.isFinite(last) ? last : 0;
      if (Number.isNaN(first)) first = t;
      // The core's clock (ms): capture time, never going backwards.
      last = Math.max(last, t);
      let f;
      try {
        f = wpanFrame(p.linkType, p.data);
      } catch (err) {
        if (err instanceof CaptureError) throw new CaptureError(`packet ${p.index}: ${err.message}`);
        throw err;
      }
      if (f.kind === 'skip') {
        skipped.set(f.why, (skipped.get(f.why) ?? 0) + 1);
        continue;
      }
      const capture = { packet: p.index, time: Math.round(t - first) / 1e6, timeUs: Math.round(t), linkType: p.linkType };
      if (f.kind === 'bad') {
        // The packet is there but what it carries does not decode: a result, not a stop.
        await sink.ready();
        sink.problem({ capture, zep: f.zep, tap: f.tap, error: f.error, reason: f.reason });
        continue;
      }
      d.decodeBytes(f.frame, Math.floor((last - first) / 1000), f.fcs as FcsKind);
      const meta: FrameMeta = { capture };
      if (f.zep) meta.zep = f.zep;
      if (f.tap) meta.tap = f.tap;
      if (!sink.frame(d, meta)) await report(sink, d, meta);
      if (out.full) await out.flush();
    }
  };
  try {
    for await (const chunk of input) {
      reader.push(chunk);
      await run();
      await out.flush();
    }
    reader.end();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof CaptureError) throw new UsageError(`${name}: ${err.message}`);
    if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') throw new UsageError(`${name}: cannot read (${e.code})`);
    throw err;
  }
  if (skipped.size > 0) {
    const n = [...skipped.values()].reduce((a, b) => a + b, 0);
    const kinds = [...skipped.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${v} ${k}`).join(', ');
    await out.flush();
    process.stderr.write(`sixlab: ${name}: ${n} of ${reader.count} packets carried no 802.15.4 frame (${kinds})\n`);
  }
}
