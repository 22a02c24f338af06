// sixlab boards: the boards in boards/ and whether each is usable here.
import type { Command } from 'commander';
import { boardNames, loadBoard, usability } from '../board/board-config.js';

export async function boardsCommand(options: { json?: boolean }): Promise<void> {
  for (const name of boardNames()) {
    let line: Record<string, unknown>;
    try {
      const b = loadBoard(name);
      const u = usability(b);
      line = { name, link: b.link.kind, usable: u.usable, why: u.why, description: b.description ?? '' };
    } catch (err) {
      line = { name, usable: false, why: (err as Error).message };
    }
    if (options.json) process.stdout.write(JSON.stringify(line) + '\n');
    else process.stdout.write(`${String(line.name).padEnd(16)} ${String(line.link ?? '?').padEnd(8)} ${line.usable ? 'usable  ' : 'unusable'} ${line.why}${line.description ? `  - ${line.description}` : ''}\n`);
  }
}

/** Declares the command on the program. */
export function registerBoards(p: Command): void {
  p.command('boards')
    .description('list the boards in boards/ and whether each is usable on this machine')
    .option('--json', 'one JSON object per board')
    .action((opts) => boardsCommand(opts));
}
