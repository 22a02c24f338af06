// Inputs of the line-oriented commands: the arguments if any, else stdin, one
// item a line. Blank lines and lines starting with '#' are skipped.
import { createInterface } from 'node:readline';

export interface InputLine {
  text: string;
  /** 1-based position: argument index or stdin line number. */
  number: number;
}

export async function* inputLines(args: string[]): AsyncGenerator<InputLine> {
  if (args.length > 0) {
    for (const [i, text] of args.entries()) yield { text, number: i + 1 };
    return;
  }
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let number = 0;
  for await (const raw of rl) {
    number++;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    yield { text, number };
  }
}
