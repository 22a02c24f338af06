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

describe('medium topology: cells and radio range', () => {
  const bcast = { mode: 'short' as const, bytes: Uint8Array.of(0xff, 0xff) };
  const from = (short: number, seq = 1) => buildDataFrame({ src: { mode: 'short', bytes: Uint8Array.of(0, short) }, dst: bcast, pan: 1, seq, ackRequest: false }, Uint8Array.of(0x41, 1));

  it('a frame reaches only the stations of the sender\'s cells; a station in no cell given hears every cell', async () => {
    const clock = new VirtualClock();
    const medium = new Medium(clock);
    const st = Object.fromEntries(['a1', 'a2', 'b1', 'gw', 'sniffer'].map((n, i) => [n, new Recorder(n, i + 1)]));
    medium.attach(st.a1, { cells: ['A'] });
    medium.attach(st.a2, { cells: ['A'] });
    medium.attach(st.b1, { cells: ['B'] });
    medium.attach(st.gw, { cells: ['A', 'B'] });
    medium.attach(st.sniffer);
    void medium.transmit('a1', from(1));
    void medium.transmit('b1', from(3));
    void medium.transmit('gw', from(4));
    await clock.sleep(10);
    const heard = Object.fromEntries(Object.entries(st).map(([n, r]) => [n, r.heard.length]));
    expect(heard).toEqual({ a1: 1, a2: 2, b1: 1, gw: 2, sniffer: 3 });
    expect(medium.stats).toEqual({ transmissions: 3, deliveries: 9 });
    expect(medium.hears('a1', 'b1')).toBe(false);
    expect(medium.hears('b1', 'gw')).toBe(true);
  });

  it('a station in several cells sends a unicast frame on its destination\'s cell only, a broadcast on all of them', async () => {
    const clock = new VirtualClock();
    const medium = new Medium(clock);
    const a1 = new Recorder('a1', 1);
    const a2 = new Recorder('a2', 2);
    const b1 = new Recorder('b1', 3);
    const gw = new Recorder('gw', 9);
    medium.attach(a1, { cells: ['A'] });
    medium.attach(a2, { cells: ['A'] });
    medium.attach(b1, { cells: ['B'] });
    medium.attach(gw); // every cell
    const to = (short: number, seq: number) => buildDataFrame({ src: { mode: 'short', bytes: Uint8Array.of(0, 9) }, dst: { mode: 'short', bytes: Uint8Array.of(0, short) }, pan: 1, seq, ackRequest: true }, Uint8Array.of(0x41, 1));
    expect(await Promise.all([medium.transmit('gw', to(3, 1)), clock.sleep(10)]).then(([acked]) => acked)).toBe(true);
    expect([a1, a2, b1].map((r) => r.heard.length)).toEqual([0, 0, 1]);
    void medium.transmit('gw', to(1, 2));
    await clock.sleep(10);
    expect([a1, a2, b1].map((r) => r.heard.length)).toEqual([1, 1, 1]); // a2 shares a1's channel and hears it too
    void medium.transmit('gw', from(9, 3));
    await clock.sleep(10);
    expect([a1, a2, b1].map((r) => r.heard.length)).toEqual([2, 2, 2]);
  });

  it('no ACK comes back from a station in another cell: the sender retransmits and gives up', async () => {
    const clock = new VirtualClock();
    const medium = new Medium(clock);
    const a = new Recorder('a', 0xa);
    const b = new Recorder('b', 0xb);
    medium.attach(a, { cells: ['A'] });
    medium.attach(b, { cells: ['B'] });
    const air: Transmission[] = [];
    medium.onTransmission((t) => air.push(t));
    const acked = medium.transmit('a', frame(1));
    await clock.sleep(100);
    expect(await acked).toBe(false);
    expect(air.map((t) => t.attempt)).toEqual([0, 1, 2, 3]);
    expect(b.heard).toHaveLength(0);
  });

  it('radio range: only stations within the range hear; moving a station or the range changes who does', async () => {
    const clock = new VirtualClock();
    const medium = new Medium(clock, { rangeM: 10 });
    const r = [0, 8, 15, 30].map((x, i) => {
      const s = new Recorder(`n${i}`, i + 1);
      medium.attach(s, { position: { x, y: 0 } });
      return s;
    });
    void medium.transmit('n0', from(1, 1));
    await clock.sleep(1);
    expect(r.map((s) => s.heard.length)).toEqual([0, 1, 0, 0]);
    medium.setRange(20);
    void medium.transmit('n0', from(1, 2));
    await clock.sleep(1);
    expect(r.map((s) => s.heard.length)).toEqual([0, 2, 1, 0]);
    medium.place('n3', { position: { x: 0, y: 19.9 } });
    void medium.transmit('n0', from(1, 3));
    await clock.sleep(1);
    expect(r.map((s) => s.heard.length)).toEqual([0, 3, 2, 1]);
  });

  it('cells and range together; stations attached or detached later join or leave the audiences', async () => {
    const clock = new VirtualClock();
    const medium = new Medium(clock, { rangeM: 50 });
    const a = new Recorder('a', 1);
    const near = new Recorder('near', 2);
    const far = new Recorder('far', 3);
    const other = new Recorder('other', 4);
    medium.attach(a, { cells: ['A'], position: { x: 0, y: 0 } });
    medium.attach(near, { cells: ['A'], position: { x: 40, y: 0 } });
    medium.attach(far, { cells: ['A'], position: { x: 60, y: 0 } });
    medium.attach(other, { cells: ['B'], position: { x: 1, y: 0 } });
    void medium.transmit('a', from(1, 1));
    await clock.sleep(1);
    expect([near, far, other].map((s) => s.heard.length)).toEqual([1, 0, 0]);
    const late = new Recorder('late', 5);
    medium.attach(late); // no placement: hears every cell, at any distance
    medium.detach('near');
    void medium.transmit('a', from(1, 2));
    await clock.sleep(1);
    expect([near, far, other, late].map((s) => s.heard.length)).toEqual([1, 0, 0, 1]);
    expect(() => medium.place('x', { cells: [] })).toThrow(/no cell/);
  });

  it('without a topology every station hears every frame, as before (the same seeded losses)', async () => {
    const run = async (placed: boolean) => {
      const clock = new VirtualClock();
      const medium = new Medium(clock, { lossPercent: 30, seed: 7 });
      const rs = ['a', 'b', 'c'].map((n, i) => new Recorder(n, i + 1));
      for (const r of rs) medium.attach(r, placed ? { cells: ['X'] } : undefined);
      for (let i = 0; i < 300; i++) void medium.transmit('a', from(1, i & 0xff));
      await clock.sleep(1);
      return rs.map((r) => r.heard.length);
    };
    const plain = await run(false);
    expect(plain[1]).toBeGreaterThan(150);
    expect(await run(true)).toEqual(plain); // one shared cell: the same audience in the same order
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
