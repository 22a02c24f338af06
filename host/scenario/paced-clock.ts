// The fleet's clock: the virtual clock's event queue, paced to the wall clock.
//
// A scenario talks to a real MQTT broker, so the fleet must run in real time.
// RealScheduler would arm one Node timer per event (every frame arrival, MAC
// ACK wait and node deadline: tens of thousands a second at 1,000 devices);
// this clock keeps the events in one binary heap and arms a single timer for
// the earliest, then runs every event that is due in one batch. Inside an
// event, now() is that event's own time, so a chain of events keeps the exact
// sub-millisecond spacing the medium asks for (ACK wait 0.864 ms, turnaround
// 0.192 ms) even when the batch runs a little late; between events, now()
// follows the wall clock. How late events run (the lag) is measured: a machine
// that cannot keep up with its fleet shows it in the report instead of
// silently stretching time.
import type { Scheduler } from '../sim/clock.js';

interface Event {
  at: number;
  seq: number;
  run: () => void;
  cancelled: boolean;
}

const before = (a: Event, b: Event) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Work done in one batch before the event loop gets a turn (network I/O, MQTT). */
const BATCH_MS = 4;

export interface LagStats {
  /** Events run. */
  count: number;
  /** Largest lag seen (ms): how long after its time an event ran. */
  max: number;
  /** Sum of lags (for the mean). */
  sum: number;
}

export class PacedClock implements Scheduler {
  private readonly origin = performance.now();
  private t = 0;
  private seq = 0;
  private heap: Event[] = [];
  private cancelled = 0;
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private immediate?: NodeJS.Immediate;
  private running = false;
  private stopped = false;
  readonly lag: LagStats = { count: 0, max: 0, sum: 0 };

  constructor(private readonly onError: (err: unknown) => void = (err) => setImmediate(() => { throw err; })) {}

  /** Milliseconds of wall time since the clock started. */
  wall(): number {
    return performance.now() - this.origin;
  }

  now(): number {
    if (!this.running) this.t = Math.max(this.t, this.wall());
    return this.t;
  }

  /** Milliseconds since the Unix epoch at clock time `t`. */
  epochOf(t: number): number {
    return performance.timeOrigin + this.origin + t;
  }

  schedule(at: number, run: () => void): () => void {
    if (this.stopped) return () => {};
    const e: Event = { at: Math.max(at, this.t), seq: this.seq++, run, cancelled: false };
    this.push(e);
    if (!this.running) this.arm();
    return () => {
      if (e.cancelled) return;
      e.cancelled = true;
      this.cancelled++;
      if (this.cancelled > 1024 && this.cancelled * 2 > this.heap.length) this.compact();
    };
  }

  sleep(ms: number): Promise<void> {
    return this.hold<void>((resolve) => this.schedule(this.now() + Math.max(0, ms), () => resolve()));
  }

  /** Time flows by itself here: a held promise is a plain promise. */
  hold<T>(start: (resolve: (value: T) => void) => void): Promise<T> {
    return new Promise<T>(start);
  }

  /** Events waiting (cancelled ones excluded). */
  pending(): number {
    return this.heap.length - this.cancelled;
  }

  /** Drops everything scheduled and refuses new work: the fleet is shutting down. */
  stop(): void {
    this.stopped = true;
    this.heap = [];
    this.cancelled = 0;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.timerAt = Infinity;
  }

  private arm(): void {
    if (this.stopped) return;
    this.dropCancelledTop();
    const top = this.heap[0];
    if (!top) return;
    const delay = top.at - this.wall();
    if (delay <= 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        this.runDue();
      });
      return;
    }
    if (this.immediate || top.at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = top.at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.runDue();
    }, delay);
  }

  private runDue(): void {
    if (this.stopped) return;
    this.running = true;
    const started = performance.now();
    try {
      for (;;) {
        this.dropCancelledTop();
        const top = this.heap[0];
        if (!top) break;
        const w = this.wall();
        if (top.at > w) break;
        if (performance.now() - started > BATCH_MS) break; // let I/O in; arm() comes back at once
        this.pop();
        this.t = Math.max(this.t, top.at);
        const late = w - top.at;
        this.lag.count++;
        this.lag.sum += late;
        if (late > this.lag.max) this.lag.max = late;
        try {
          top.run();
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) {
      this.pop();
      this.cancelled--;
    }
  }

  private compact(): void {
    this.heap = this.heap.filter((e) => !e.cancelled);
    this.cancelled = 0;
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      this.down(0);
    }
    return top;
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
