// sixlab boards: the boards in boards/ and whether each is usable here; what the
// schema cannot see (name and folder, fault names) is checked too.
import type { Command } from 'commander';
import { boardNames, boardProblems, boardsDir, loadBoard, usability } from '../board/board-config.js';
import { faultNames } from '../board/faults.js';
import { UsageError } from './usage-error.js';

export async function boardsCommand(options: { json?: boolean; dir?: string }): Promise<void> {
  const dir = options.dir ?? boardsDir();
  let names: string[];
  try {
    names = boardNames(dir);
  } catch (err) {
    throw new UsageError(`--dir ${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (err as Error).message}`);
  }
  const known = faultNames();
  for (const name of names) {
    let line: Record<string, unknown>;
    try {
      const b = loadBoard(name, dir);
      const problems = boardProblems(b, known);
      const u = usability(b);
      line = problems.length
        ? { name, link: b.link.kind, status: 'invalid', usable: false, why: problems.join('; '), description: b.description ?? '' }
        : { name, link: b.link.kind, status: u.status, usable: u.usable, why: u.why, description: b.description ?? '' };
    } catch (err) {
      line = { name, status: 'invalid', usable: false, why: (err as Error).message };
    }
    if (line.status === 'invalid') process.exitCode = 1;
    if (options.json) process.stdout.write(JSON.stringify(line) + '\n');
    else process.stdout.write(`${String(line.name).padEnd(16)} ${String(line.link ?? '?').padEnd(8)} ${String(line.status).padEnd(10)} ${line.why}${line.description ? `  - ${line.description}` : ''}\n`);
  }
}

/** Declares the command on the program. */
export function registerBoards(p: Command): void {
  p.command('boards')
    .description('list the boards in boards/ and whether each is usable on this machine')
    .option('--json', 'one JSON object per board: name, link, status, usable, why, description')
    .option('--dir <folder>', 'list the boards of another folder (one <name>/board.json each)')
    .addHelpText('after', `
Status: usable (virtual, or a serial device that is present), unusable (the
serial device is absent), configured (ZEP: whether the peer runs is not checked
here; ping says so after its first unanswered request), invalid (the board.json
is wrong: the field and the reason are given). Exit code 1 when a board is
invalid, 2 when the folder does not exist.
`)
    .action((opts) => boardsCommand(opts));
}
