// The fleet's clock: events in time order on the wall clock, exact spacing
// inside a chain of events, cancellation, lag measured, nothing left after stop.
import { describe, expect, it } from 'vitest';
import { PacedClock } from './paced-clock.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PacedClock', () => {
  it('runs events in time order, not before their time on the wall clock', async () => {
    const c = new PacedClock();
    const ran: [string, number, number][] = [];
    const t = c.now();
    for (const [name, dt] of [['c', 30], ['a', 10], ['b', 20], ['a2', 10]] as const) c.schedule(t + dt, () => ran.push([name, c.now(), c.wall()]));
    await wait(80);
    expect(ran.map((r) => r[0])).toEqual(['a', 'a2', 'b', 'c']);
    for (const [, now, wall] of ran) expect(wall).toBeGreaterThanOrEqual(now - 0.01); // never early
    expect(ran.map((r) => r[1] - t)).toEqual([10, 10, 20, 30]); // each event sees its own time
    c.stop();
  });

  it('keeps the exact spacing of a chain of events (0.864 ms ACK wait), even when running late', async () => {
    const c = new PacedClock();
    const times: number[] = [];
    const t0 = c.now() + 5;
    c.schedule(t0, () => {
      times.push(c.now());
      c.schedule(c.now() + 0.864, () => {
        times.push(c.now());
        c.schedule(c.now() + 0.192, () => times.push(c.now()));
      });
    });
    const spin = Date.now() + 20;
    while (Date.now() < spin); // the event loop is busy: the chain runs late, in one batch
    await wait(30);
    expect(times).toHaveLength(3);
    expect(times[1] - times[0]).toBeCloseTo(0.864, 9);
    expect(times[2] - times[1]).toBeCloseTo(0.192, 9);
    expect(c.lag.max).toBeGreaterThan(5); // and the lateness is measured
    c.stop();
  });

  it('now() follows the wall clock between events and never goes back', async () => {
    const c = new PacedClock();
    const a = c.now();
    await wait(15);
    const b = c.now();
    expect(b - a).toBeGreaterThanOrEqual(14);
    let inside = 0;
    c.schedule(b - 100, () => (inside = c.now())); // in the past: runs at once, at the current time
    await wait(5);
    expect(inside).toBeGreaterThanOrEqual(b);
    c.stop();
  });

  it('cancels, sleeps, and stops: nothing runs after stop()', async () => {
    const c = new PacedClock();
    let ran = 0;
    const cancel = c.schedule(c.now() + 5, () => ran++);
    cancel();
    cancel();
    const many = Array.from({ length: 3000 }, (_, i) => c.schedule(c.now() + 10 + (i % 7), () => ran++));
    for (const x of many.slice(0, 2000)) x(); // compaction on the way
    expect(c.pending()).toBe(1000);
    const before = c.now();
    await c.sleep(12);
    expect(c.now() - before).toBeGreaterThanOrEqual(12);
    await wait(10);
    expect(ran).toBe(1000);
    c.schedule(c.now() + 5, () => ran++);
    c.stop();
    c.schedule(c.now(), () => ran++);
    await wait(15);
    expect(ran).toBe(1000);
    expect(c.pending()).toBe(0);
  });

  it('reports an event that throws and carries on', async () => {
    const errors: unknown[] = [];
    const c = new PacedClock((e) => errors.push(e));
    let after = false;
    c.schedule(c.now(), () => {
      throw new Error('boom');
    });
    c.schedule(c.now() + 1, () => (after = true));
    await wait(10);
    expect((errors[0] as Error).message).toBe('boom');
    expect(after).toBe(true);
    c.stop();
  });

  it('maps clock time to the Unix epoch', () => {
    const c = new PacedClock();
    expect(Math.abs(c.epochOf(c.now()) - Date.now())).toBeLessThan(5);
    c.stop();
  });
});
