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
