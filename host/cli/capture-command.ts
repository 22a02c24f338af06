// sixlab capture: every frame in and out of a board, to a pcapng file for Wireshark.
import type { Command } from 'commander';
import { collect } from './context-option.js';
import { board, captureBoard, checkNewFile, openBoardForTool, positiveInt, stopSignal } from './board-tools.js';

export async function captureCommand(options: { board: string; out: string; duration?: string; fault: string[]; force?: boolean }): Promise<void> {
  const b = board(options.board);
  const seconds = options.duration === undefined ? undefined : positiveInt('--duration', options.duration, 1, 86_400);
  // Never lose a file: refuse to replace one unasked, and touch it only once the board is open.
  checkNewFile('--out', options.out, options.force);
  const opened = await openBoardForTool(b, { faults: options.fault });
  let capture;
  try {
    capture = await captureBoard(opened, options.out);
  } catch (err) {
    await opened.close();
    throw err;
  }
  if (opened.virtual) {
    // Virtual time: the whole duration runs at once.
    await opened.virtual.clock.sleep((seconds ?? 60) * 1000);
  } else {
    process.stderr.write(`capturing on board ${b.name}${seconds ? ` for ${seconds} s` : ''}; Ctrl-C to stop\n`);
    await stopSignal(seconds === undefined ? undefined : seconds * 1000);
  }
  await opened.close();
  await capture.close();
  process.stdout.write(`${capture.frames} frames written to ${options.out}\n`);
}

/** Declares the command on the program. */
export function registerCapture(p: Command): void {
  p.command('capture')
    .description('write every frame in and out of a board to a pcapng file (link type 195, wall-clock timestamps) for Wireshark')
    .requiredOption('--board <name>', 'board to capture on')
    .requiredOption('--out <file>', 'pcapng file to write (an existing file is kept unless --force)')
    .option('--force', 'replace --out if it exists')
    .option('--duration <s>', 'stop after this many seconds (virtual boards: virtual seconds, default 60)')
    .option('--fault <name>', 'virtual boards: a named fault (repeatable; sixlab --help lists them)', collect, [])
    .addHelpText('after', '\nA board\'s port serves one command at a time: to see what ping does, use ping --pcap FILE.\n')
    .action((opts) => captureCommand(opts));
}
