// Helpers the board tools share: loading a board as a usage error, whole-number
// flags, and waiting for Ctrl-C.
import { loadBoard, type Board } from '../board/board-config.js';
import { UsageError } from './usage-error.js';

export function board(name: string): Board {
  try {
    return loadBoard(name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function positiveInt(flag: string, value: string, min = 1, max = 1_000_000): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${value}: expected a whole number ${min}..${max}`);
  return n;
}

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM) or after ms. */
export function stopSignal(ms?: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (ms !== undefined) setTimeout(done, ms).unref();
  });
}
