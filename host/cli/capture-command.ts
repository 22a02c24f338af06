// sixlab capture: every frame in and out of a board, to a pcapng file for Wireshark.
import type { Command } from 'commander';
import { collect } from './context-option.js';
import { LINKTYPE_IEEE802_15_4_WITHFCS } from '../packet/pcap.js';
import { openPcapngFile } from '../capture/pcapng.js';
import { openBoard } from '../board/open-board.js';
import { board, positiveInt, stopSignal } from './board-tools.js';
import { UsageError } from './usage-error.js';

export async function captureCommand(options: { board: string; out: string; duration?: string; fault: string[] }): Promise<void> {
  const b = board(options.board);
  const seconds = options.duration === undefined ? undefined : positiveInt('--duration', options.duration, 1, 86_400);
  const file = await openPcapngFile(options.out, { sync: true }).catch((err: Error) => {
    throw new UsageError(`--out ${options.out}: ${err.message}`);
  });
  const opened = await openBoard(b, { faults: options.fault }).catch(async (err: Error) => {
    await file.close();
    throw new UsageError(`board ${b.name}: ${err.message}`);
  });
  const iface = file.addInterface(LINKTYPE_IEEE802_15_4_WITHFCS, `sixlab-${b.name}`, 'us', { description: `board ${b.name} (${b.link.kind})` });
  let frames = 0;
  opened.tap((f) => {
    file.writePacket(iface, Math.round(f.at * 1000), f.psdu, { direction: f.direction, comment: f.comment });
    frames++;
  });
  if (opened.virtual) {
    // Virtual time: the whole duration runs at once.
    await opened.virtual.clock.sleep((seconds ?? 60) * 1000);
  } else {
    process.stderr.write(`capturing on board ${b.name}${seconds ? ` for ${seconds} s` : ''}; Ctrl-C to stop\n`);
    await stopSignal(seconds === undefined ? undefined : seconds * 1000);
  }
  await opened.close();
  await file.close();
  process.stdout.write(`${frames} frames written to ${options.out}\n`);
}

/** Declares the command on the program. */
export function registerCapture(p: Command): void {
  p.command('capture')
    .description('write every frame in and out of a board to a pcapng file (link type 195) for Wireshark')
    .requiredOption('--board <name>', 'board to capture on')
    .requiredOption('--out <file>', 'pcapng file to write')
    .option('--duration <s>', 'stop after this many seconds (virtual boards: virtual seconds, default 60)')
    .option('--fault <name>', 'virtual boards: a named fault (repeatable)', collect, [])
    .action((opts) => captureCommand(opts));
}
