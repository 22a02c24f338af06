// Bad input from the user (a flag, an argument, a line): reported on one line,
// exit code 2 (design notes: 0 all passed, 1 failures, 2 usage or setup error).
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_USAGE = 2;

/** Prints `sixlab: message` on stderr and sets the exit code; never throws. */
export function reportFatal(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`sixlab: ${message.split('\n')[0]}\n`);
  process.exitCode = EXIT_USAGE;
}
