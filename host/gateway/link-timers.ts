// Timers on a link's clock. A virtual board's clock is a Scheduler (virtual
// time: work scheduled on it runs when the harness waits); a serial or ZEP
// link has a wall clock only, and a timer is a setTimeout. Every timer made
// here can be cancelled, and `cancelAll` does so when the gateway closes, so a
// closed gateway never keeps the process alive.
import type { Clock, Scheduler } from '../sim/clock.js';

export function isScheduler(clock: Clock): clock is Scheduler {
  return typeof (clock as Partial<Scheduler>).schedule === 'function' && typeof (clock as Partial<Scheduler>).hold === 'function';
}

export class LinkTimers {
  private readonly cancels = new Set<() => void>();

  constructor(readonly clock: Clock) {}

  now(): number {
    return this.clock.now();
  }

  /** Runs `run` at `at` on the link's clock; returns a function that cancels it. */
  at(at: number, run: () => void): () => void {
    let cancel: () => void;
    const fire = () => {
      this.cancels.delete(cancel);
      run();
    };
    if (isScheduler(this.clock)) {
      const c = this.clock.schedule(at, fire);
      cancel = () => {
        this.cancels.delete(cancel);
        c();
      };
    } else {
      const t = setTimeout(fire, Math.max(0, at - this.clock.now()));
      cancel = () => {
        this.cancels.delete(cancel);
        clearTimeout(t);
      };
    }
    this.cancels.add(cancel);
    return cancel;
  }

  /** `ms` from now. */
  after(ms: number, run: () => void): () => void {
    return this.at(this.clock.now() + ms, run);
  }

  /**
   * A promise that only the link settles (a frame, a timer): on a virtual
   * clock the clock keeps running while it is pending (Scheduler.hold), so
   * awaiting it lets virtual time advance.
   */
  hold<T>(start: (resolve: (value: T) => void, reject: (err: Error) => void) => void): Promise<T> {
    if (!isScheduler(this.clock)) return new Promise<T>(start);
    let fail!: (err: Error) => void;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    const held = this.clock.hold<T>((resolve) => start(resolve, (err) => {
      fail(err);
      resolve(undefined as T); // releases the clock's hold; the caller sees the rejection
    }));
    failed.catch(() => {});
    return Promise.race([failed, held]);
  }

  cancelAll(): void {
    for (const c of [...this.cancels]) c();
    this.cancels.clear();
  }
}
