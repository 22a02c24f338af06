// sixlab board up: serve a virtual board on a PTY, speaking the sixlab serial link.
import type { Command } from 'commander';
import { collect } from './context-option.js';
import { PtyServer } from '../board/pty-server.js';
import { board, stopSignal } from './board-tools.js';
import { UsageError } from './usage-error.js';

export async function boardUpCommand(name: string, options: { link?: string; fault: string[] }): Promise<void> {
  const b = board(name);
  if (b.link.kind !== 'virtual') throw new UsageError(`board ${name} is a ${b.link.kind} board; only virtual boards can be served`);
  const path = options.link ?? `/tmp/sixlab-${name}`;
  const server = await PtyServer.start(b, path, options.fault);
  process.stdout.write(`board ${name} served on ${server.devicePath} (link ${path}); Ctrl-C to stop\n`);
  await stopSignal();
  await server.stop();
}

/** Declares the command on the program. */
export function registerBoardUp(p: Command): void {
  const board = p.command('board').description('serve or manage a board');
  board.command('up')
    .description('serve a virtual board on a PTY, speaking the sixlab serial link (prints the device path)')
    .argument('<name>', 'board name (boards/<name>/board.json)')
    .option('--link <path>', 'stable path for the PTY (default /tmp/sixlab-<name>)')
    .option('--fault <name>', 'make the board misbehave in one named way (repeatable)', collect, [])
    .action((name: string, opts) => boardUpCommand(name, opts));
}
