// The simulated medium and its virtual clock: delivery, delay, loss, MAC ACKs
// and retransmissions (IEEE 802.15.4-2015 §6.7.4.3), duplicate filtering, and
// time that jumps when everyone is idle.
import { describe, expect, it } from 'vitest';
import { buildDataFrame } from '../packet/ieee802154.js';
import { ACK_WAIT_MS, MAC_MAX_FRAME_RETRIES, Medium, macAddressing, type MacAddressing, type Station, type Transmission } from './medium.js';
import { VirtualClock } from './virtual-clock.js';

const A = { mode: 'short' as const, bytes: Uint8Array.of(0, 0xa) };
const B = { mode: 'short' as const, bytes: Uint8Array.of(0, 0xb) };

class Recorder implements Station {
  readonly heard: { at: number; psdu: Uint8Array }[] = [];
  constructor(readonly name: string, private readonly short: number) {}
  accepts(mac: MacAddressing): boolean {
    return mac.dstMode === 2 && ((mac.dst[0] << 8) | mac.dst[1]) === this.short;
  }
  receive(psdu: Uint8Array, at: number): void {
    this.heard.push({ at, psdu });
  }
}

function setup(props: { lossPercent?: number; delayMs?: number; seed?: number } = {}) {
  const clock = new VirtualClock();
  const medium = new Medium(clock, props);
  const a = new Recorder('a', 0xa);
  const b = new Recorder('b', 0xb);
  medium.attach(a);
  medium.attach(b);
  const air: Transmission[] = [];
  medium.onTransmission((t) => air.push(t));
  return { clock, medium, a, b, air };
}

const frame = (seq: number, ackRequest = true, dst = B) => buildDataFrame({ src: A, dst, pan: 1, seq, ackRequest }, Uint8Array.of(0x41, 1, 2, 3));

describe('medium', () => {
  it('delivers after the link delay', async () => {
    const { clock, medium, b } = setup({ delayMs: 7 });
    void medium.transmit('a', frame(1));
    await clock.sleep(100);
    expect(b.heard.map((h) => h.at)).toEqual([7]);
  });

  it('acknowledges a unicast frame that asks for it, and does not retransmit', async () => {
    const { clock, medium, air } = setup();
    const acked = medium.transmit('a', frame(1));
    await clock.sleep(10);
    expect(await acked).toBe(true);
    expect(air.map((t) => [t.from, macAddressing(t.psdu)!.frameType])).toEqual([['a', 1], ['b', 2]]);
  });

  it('retransmits up to macMaxFrameRetries times when the frame is lost, then gives up', async () => {
    const { clock, medium, b, air } = setup();
    medium.setLink('a', 'b', { lossPercent: 100 });
    const acked = medium.transmit('a', frame(1));
    await clock.sleep(100);
    expect(await acked).toBe(false);
    expect(air.filter((t) => t.from === 'a').map((t) => t.attempt)).toEqual([0, 1, 2, 3]);
    expect(air[1].at - air[0].at).toBeCloseTo(ACK_WAIT_MS, 6);
    expect(MAC_MAX_FRAME_RETRIES).toBe(3);
    expect(b.heard).toHaveLength(0);
  });

  it('delivers a retransmitted frame once when only the ACK was lost', async () => {
    const { clock, medium, b, air } = setup();
    medium.setLink('b', 'a', { lossPercent: 100 });
    void medium.transmit('a', frame(5));
    await clock.sleep(100);
    expect(air.filter((t) => t.from === 'a')).toHaveLength(4);
    expect(b.heard).toHaveLength(1);
  });

  it('does not acknowledge or retransmit broadcast frames', async () => {
    const { clock, medium, b, air } = setup();
    void medium.transmit('a', frame(1, true, { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) }));
    await clock.sleep(10);
    expect(air).toHaveLength(1);
    expect(b.heard).toHaveLength(1);
  });

  it('loses about the configured share of frames, the same way for the same seed', async () => {
    const run = async (seed: number) => {
      const { clock, medium, b } = setup({ lossPercent: 30, seed });
      for (let i = 0; i < 1000; i++) void medium.transmit('a', frame(i & 0xff, false));
      await clock.sleep(10);
      return b.heard.length;
    };
    const n = await run(42);
    expect(n).toBeGreaterThan(620);
    expect(n).toBeLessThan(780);
    expect(await run(42)).toBe(n);
  });
});

describe('virtual clock', () => {
  it('jumps to each event in order and lets the harness react between them', async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.schedule(5000, () => seen.push(clock.now()));
    clock.schedule(1000, () => seen.push(clock.now()));
    await clock.sleep(3000);
    expect(seen).toEqual([1000]);
    expect(clock.now()).toBe(3000);
    await clock.sleep(10_000);
    expect(seen).toEqual([1000, 5000]);
    expect(clock.now()).toBe(13_000);
  });
});
