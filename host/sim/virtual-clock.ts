// A discrete-event clock. Work is scheduled at virtual times; whenever the
// harness waits (sleep), the clock runs the events in time order, letting the
// harness react after each one, and jumps straight to the next event when
// everyone is idle: a 60 s protocol wait takes milliseconds.
import type { Scheduler } from './clock.js';

interface Event {
  at: number;
  seq: number;
  run: () => void;
}

const yieldToHarness = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock implements Scheduler {
  private t = 0;
  private seq = 0;
  private readonly events: Event[] = [];
  private waiters = 0;
  private pumping = false;

  now(): number {
    return this.t;
  }

  /** Runs `run` at virtual time `at` (not before now). Returns a cancel function. */
  schedule(at: number, run: () => void): () => void {
    const e: Event = { at: Math.max(at, this.t), seq: this.seq++, run };
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.events[mid];
      if (m.at < e.at || (m.at === e.at && m.seq < e.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.events.splice(lo, 0, e);
    return () => {
      const i = this.events.indexOf(e);
      if (i >= 0) this.events.splice(i, 1);
    };
  }

  sleep(ms: number): Promise<void> {
    return this.hold<void>((resolve) => this.schedule(this.t + Math.max(0, ms), () => resolve()));
  }

  /** A promise that someone waits on and that only scheduled events can settle:
   *  while it is pending, the clock keeps running events. */
  hold<T>(start: (resolve: (value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve) => {
      this.waiters++;
      let done = false;
      start((value) => {
        if (done) return;
        done = true;
        this.waiters--;
        resolve(value);
      });
      void this.pump();
    });
  }

  /** Runs everything due up to now (frames in flight at zero delay, timers due). */
  async settle(): Promise<void> {
    await this.sleep(0);
  }

  /** Events run so far would be too many to be a real scenario: a runaway guard. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let steps = 0; this.waiters > 0 && this.events.length > 0; steps++) {
        if (steps > 10_000_000) throw new Error('virtual clock: runaway event loop');
        // Everything due at the same instant runs together (a broadcast reaching
        // every station), then the harness gets its turn.
        const at = this.events[0].at;
        this.t = at;
        while (this.events.length > 0 && this.events[0].at === at) this.events.shift()!.run();
        await yieldToHarness();
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Events waiting (for tests of the clock itself). */
  pending(): number {
    return this.events.length;
  }
}
