#!/usr/bin/env node
// sixlab: the command line. Exit codes: 0 done, 1 failures found, 2 usage or setup error.
import { Command, CommanderError } from 'commander';
import { registerBoardUp } from './board-up-command.js';
import { registerBoards } from './boards-command.js';
import { registerCapture } from './capture-command.js';
import { registerPing } from './ping-command.js';
import { registerDecode } from './decode-command.js';
import { registerEncode } from './encode-command.js';
import { registerTest } from './test-command.js';
import { SIXLAB_VERSION } from './version.js';
import { EXIT_USAGE, reportFatal } from './usage-error.js';

function program(): Command {
  const p = new Command('sixlab')
    .description('IPv6 / 6LoWPAN readiness testing for constrained devices')
    .version(SIXLAB_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `sixlab: ${s}` : s) });

  registerDecode(p);
  registerEncode(p);
  registerBoards(p);
  registerBoardUp(p);
  registerPing(p);
  registerCapture(p);
  registerTest(p);
  return p;
}

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return;
      process.exitCode = EXIT_USAGE; // commander already printed its one-line message
      return;
    }
    reportFatal(err);
  }
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

await main(process.argv);
