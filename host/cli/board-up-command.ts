// sixlab board up: serve a virtual board on a PTY, speaking the sixlab serial link.
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

