// Core codec rates: compress (IPv6 -> frame), decompress (frame -> IPv6) and
// round trips, in Node on one core, through the same ABI calls a host makes.
import { SixlabCore } from '../core/sixlab-core.js';
import type { MixCase } from './frame-mix.js';

export interface CodecFigures {
  frames: number;
  compressPerSecond: number;
  decompressPerSecond: number;
  roundTripsPerSecond: number;
}

function rate(seconds: number, fn: () => number): number {
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let n = 0;
  while (performance.now() < end) n += fn();
  return n / ((performance.now() - start) / 1000);
}

export function codecBench(mix: MixCase[], seconds = 2): CodecFigures {
  const sender = new SixlabCore();
  const receiver = new SixlabCore();
  // One frame per packet in this mix; keep each case's TX settings and its frame.
  const frames = mix.map((c) => {
    const f = sender.compress(c.packet, c.tx);
    if (f.length !== 1) throw new Error('frame mix: a packet needs more than one frame');
    return f[0];
  });
  const batch = () => {
    for (let i = 0; i < mix.length; i++) {
      sender.setTx(mix[i].tx);
      if (sender.compressRaw(mix[i].packet) !== 1) throw new Error('compress failed');
    }
    return mix.length;
  };
  const decodeBatch = () => {
    for (let i = 0; i < frames.length; i++) if (receiver.decodeRaw(frames[i], 0) <= 0) throw new Error('decode failed');
    return frames.length;
  };
  // Compress then decompress in one instance, as a loopback: what a virtual
  // medium does, without copying frames through JavaScript.
  const roundTrips = () => {
    for (let i = 0; i < mix.length; i++) {
      sender.setTx(mix[i].tx);
      sender.compressRaw(mix[i].packet);
      if (sender.decodeOwnFrame(0, 0) !== mix[i].packet.length) throw new Error('round trip failed');
    }
    return mix.length;
  };
  batch(); decodeBatch(); roundTrips(); // warm up the JIT
  return {
    frames: frames.length,
    compressPerSecond: rate(seconds, batch),
    decompressPerSecond: rate(seconds, decodeBatch),
    roundTripsPerSecond: rate(seconds, roundTrips),
  };
}
