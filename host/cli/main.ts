#!/usr/bin/env node
// sixlab: the command line. Exit codes: 0 done, 1 failures found, 2 usage or setup error.
import { Command, CommanderError } from 'commander';
import { SIXLAB_VERSION } from './version.js';
import { EXIT_USAGE, reportFatal } from './usage-error.js';

type Register = (p: Command) => void;

// Each command loads only its own modules: `sixlab decode` on a million frames
// should not pay for the conformance suites, serialport or the ZEP stack.
const COMMANDS: Record<string, () => Promise<Register>> = {
  decode: async () => (await import('./decode-command.js')).registerDecode,
  encode: async () => (await import('./encode-command.js')).registerEncode,
  boards: async () => (await import('./boards-command.js')).registerBoards,
  board: async () => (await import('./board-up-command.js')).registerBoardUp,
  ping: async () => (await import('./ping-command.js')).registerPing,
  coap: async () => (await import('./coap-command.js')).registerCoap,
  capture: async () => (await import('./capture-command.js')).registerCapture,
  test: async () => (await import('./test-command.js')).registerTest,
  'list-tests': async () => (await import('./test-command.js')).registerTest,
  scenario: async () => (await import('./scenario-command.js')).registerScenario,
};

async function program(argv: string[]): Promise<Command> {
  const p = new Command('sixlab')
    .description('IPv6 / 6LoWPAN readiness testing for constrained devices')
    .version(SIXLAB_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `sixlab: ${s}` : s) });
  const one = COMMANDS[argv[2] ?? ''];
  if (one) {
    (await one())(p);
    return p;
  }
  // Help, a version, or an unknown command: every command, so commander can list them.
  const registered = new Set<Register>();
  for (const load of Object.values(COMMANDS)) {
    const register = await load();
    if (!registered.has(register)) register(p);
    registered.add(register);
  }
  const { faultNames } = await import('../board/faults.js');
  const names = faultNames();
  p.addHelpText('after', () => helpText(names));
  return p;
}

/** What `sixlab --help` says after the commands: examples, exit codes, the fault names. */
function helpText(faultNames: string[]): string {
  const faults = wrap(faultNames.join(', '), 78, '  ');
  return `
Examples:
  sixlab boards                                 the boards and whether each is usable here
  sixlab ping --board virtual -c 3              ping the virtual board's device
  sixlab board up virtual &                     serve it on a PTY (/tmp/sixlab-virtual)...
  sixlab ping --board virtual-pty -c 3          ...and ping it through the serial link
  sixlab capture --board virtual --out v.pcapng --duration 45
  sixlab test --board virtual                   run the conformance suites, write reports
  sixlab decode < samples/frames.hex            decode 802.15.4 frames (hex, FCS included)
  sixlab <command> --help                       one command's options

Exit codes:
  0  done (ping: replies came back and were right; decode: a refused frame is a result)
  1  failures found (ping: nothing answered or a reply was wrong; test: a test failed)
  2  bad input or setup: a flag, an address, a board that is missing, invalid or
     cannot be opened; one line on stderr
  130  interrupted (test: Ctrl-C; the reports so far are kept)

Faults (--fault NAME on virtual boards; what each breaks: docs/faults.md):
${faults}
`;
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  try {
    await (await program(argv)).parseAsync(argv);
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
