// Time for the harness: the wall clock on real boards, a virtual clock on
// virtual ones. Tests are written against this (design notes: `await
// clock.sleep(5000)`), so the same test runs in milliseconds on a virtual board
// and in real time on hardware.
export interface Clock {
  /** Milliseconds since the clock's origin. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class RealClock implements Clock {
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }
}

/** A clock that can also run work at a time: what the medium and the virtual
 *  board need. The virtual clock jumps; the real one waits. */
export interface Scheduler extends Clock {
  /** Runs `run` at time `at`; returns a function that cancels it. */
  schedule(at: number, run: () => void): () => void;
  /** A promise only scheduled work settles (the virtual clock keeps running while it is pending). */
  hold<T>(start: (resolve: (value: T) => void) => void): Promise<T>;
}

/** Wall-clock scheduling, for a virtual board that serves a real port. */
export class RealScheduler extends RealClock implements Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();

  schedule(at: number, run: () => void): () => void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, Math.max(0, at - this.now()));
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Cancels everything scheduled (the board is being shut down). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  hold<T>(start: (resolve: (value: T) => void) => void): Promise<T> {
    return new Promise<T>(start);
  }
}
