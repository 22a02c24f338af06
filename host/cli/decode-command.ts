// sixlab decode: IEEE 802.15.4 frames (hex, FCS included) -> MAC, 6LoWPAN,
// IPv6, UDP and ICMPv6 fields; fragments are reassembled across lines.
import type { Command } from 'commander';
import { SixlabCore } from '../core/sixlab-core.js';
import { parseHex } from '../packet/hex.js';
import { collect, parseContextOption } from './context-option.js';
import { frameReport, frameText } from './frame-report.js';
import { inputLines } from './input-lines.js';
import { UsageError } from './usage-error.js';

export interface DecodeOptions {
  context: string[];
  json?: boolean;
}

export function coreWithContexts(specs: string[]): SixlabCore {
  const contexts = specs.map(parseContextOption);
  const core = new SixlabCore();
  for (const c of contexts) core.setContext(c.id, c.prefix, c.length);
  return core;
}

export async function decodeCommand(frames: string[], options: DecodeOptions): Promise<void> {
  const core = coreWithContexts(options.context);
  const start = Date.now();
  let index = 0;
  for await (const line of inputLines(frames)) {
    let bytes: Uint8Array;
    try {
      bytes = parseHex(line.text);
    } catch (err) {
      throw new UsageError(`input ${line.number}: ${(err as Error).message}`);
    }
    index++;
    const report = frameReport(core.decode(bytes, Date.now() - start));
    if (options.json) process.stdout.write(JSON.stringify(report) + '\n');
    else process.stdout.write(frameText(index, report).join('\n') + '\n');
  }
}

/** Declares the command on the program. */
export function registerDecode(p: Command): void {
  p.command('decode')
    .description('decode IEEE 802.15.4 frames (hex, FCS included) from the arguments or stdin, one per line')
    .argument('[frames...]', 'frames as hex')
    .option('--context <N=PREFIX/LEN>', '6LoWPAN context, e.g. 0=2001:db8::/64 (repeatable)', collect, [])
    .option('--json', 'one JSON object per input frame')
    .action((frames: string[], opts) => decodeCommand(frames, opts));
}
