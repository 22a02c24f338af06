#!/usr/bin/env node
// sixlab: the command line. Exit codes: 0 done, 1 failures found, 2 usage or setup error.
import { Command, CommanderError } from 'commander';
import { collect } from './context-option.js';
import { boardUpCommand } from './board-up-command.js';
import { boardsCommand } from './boards-command.js';
import { captureCommand } from './capture-command.js';
import { pingCommand } from './ping-command.js';
import { decodeCommand } from './decode-command.js';
import { encodeCommand } from './encode-command.js';
import { listTestsCommand, testCommand } from './test-command.js';
import { SIXLAB_VERSION } from './version.js';
import { EXIT_USAGE, reportFatal } from './usage-error.js';

function program(): Command {
  const p = new Command('sixlab')
    .description('IPv6 / 6LoWPAN readiness testing for constrained devices')
    .version(SIXLAB_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `sixlab: ${s}` : s) });

  p.command('decode')
    .description('decode IEEE 802.15.4 frames (hex, FCS included) from the arguments or stdin, one per line')
    .argument('[frames...]', 'frames as hex')
    .option('--context <N=PREFIX/LEN>', '6LoWPAN context, e.g. 0=2001:db8::/64 (repeatable)', collect, [])
    .option('--json', 'one JSON object per input frame')
    .action((frames: string[], opts) => decodeCommand(frames, opts));

  p.command('encode')
    .description('compress IPv6 packets (hex) into IEEE 802.15.4 frames, from --ipv6 or stdin (hex or JSON lines)')
    .option('--ipv6 <hex>', 'one IPv6 packet')
    .option('--src <mac>', 'source link address (00:12:4b:00:00:01:02:03 or 0x0001); default: from the IPv6 source IID')
    .option('--dst <mac>', 'destination link address; default: from the IPv6 destination (0xffff for multicast)')
    .option('--pan <id>', 'PAN ID', '0xabcd')
    .option('--context <N=PREFIX/LEN>', '6LoWPAN context, e.g. 0=2001:db8::/64 (repeatable)', collect, [])
    .option('--frame-version <year>', '802.15.4 frame version: 2003, 2006 or 2015', '2006')
    .option('--seq <n>', 'sequence number of the first frame', '0')
    .option('--elide-udp-checksum', 'let the compressor elide UDP checksums (RFC 6282 §4.3.2)')
    .option('--uncompressed', 'send IPv6 uncompressed (dispatch 0x41)')
    .option('--json', 'one JSON object per packet: {"frames": [...]}')
    .action((opts) => encodeCommand(opts));
  p.command('boards')
    .description('list the boards in boards/ and whether each is usable on this machine')
    .option('--json', 'one JSON object per board')
    .action((opts) => boardsCommand(opts));

  const board = p.command('board').description('serve or manage a board');
  board.command('up')
    .description('serve a virtual board on a PTY, speaking the sixlab serial link (prints the device path)')
    .argument('<name>', 'board name (boards/<name>/board.json)')
    .option('--link <path>', 'stable path for the PTY (default /tmp/sixlab-<name>)')
    .option('--fault <name>', 'make the board misbehave in one named way (repeatable)', collect, [])
    .action((name: string, opts) => boardUpCommand(name, opts));

  p.command('ping')
    .description('send ICMPv6 Echo Requests to a device through a board, as ping6 does')
    .argument('[address]', 'IPv6 address (default: the device\'s link-local address)')
    .requiredOption('--board <name>', 'board to reach the device through')
    .option('--count <n>', 'Echo Requests to send', '4')
    .option('--size <n>', 'data octets per request (0..1232)', '32')
    .option('--interval <ms>', 'time between requests', '1000')
    .option('--timeout <ms>', 'time to wait for each reply', '2000')
    .action((address: string | undefined, opts) => pingCommand(address, opts));

  p.command('capture')
    .description('write every frame in and out of a board to a pcapng file (link type 195) for Wireshark')
    .requiredOption('--board <name>', 'board to capture on')
    .requiredOption('--out <file>', 'pcapng file to write')
    .option('--duration <s>', 'stop after this many seconds (virtual boards: virtual seconds, default 60)')
    .option('--fault <name>', 'virtual boards: a named fault (repeatable)', collect, [])
    .action((opts) => captureCommand(opts));

  p.command('test')
    .description('run the conformance suites against a board and write the reports (results.jsonl, junit.xml, report.html, capture.pcapng, summary.json)')
    .requiredOption('--board <name>', 'board to test (boards/<name>/board.json)')
    .option('--suite <name>', 'a suite to run (repeatable): lowpan, ipv6, icmpv6, nd, slaac, lowpan-nd, udp, coap, robustness', collect, [])
    .option('--grep <regex>', 'only tests whose id, title or spec ids match')
    .option('--level <level>', 'only tests at this level and above: MUST, SHOULD or MAY')
    .option('--fault <name>', 'virtual boards: make the device misbehave in one named way (repeatable)', collect, [])
    .option('--core <file.wasm>', 'virtual boards: run this build of the core instead of build/sixlab-core.wasm')
    .option('--report-dir <dir>', 'where the reports go (default reports/<time>-<board>/)')
    .option('--force', 'write into a report folder that is not empty')
    .option('--bail', 'stop at the first failure or error')
    .option('--json', 'one JSON line per test result on stdout, then the summary (progress and terminal output off)')
    .addHelpText('after', '\nExit codes: 0 every test passed or was not applicable, 1 a test failed, errored or was inconclusive,\n2 usage or setup error, 130 interrupted (Ctrl-C; the reports so far are kept).')
    .action((opts) => testCommand(opts));

  p.command('list-tests')
    .description('print the conformance tests as implemented')
    .option('--suite <name>', 'a suite to list (repeatable)', collect, [])
    .option('--grep <regex>', 'only tests whose id, title or spec ids match')
    .option('--level <level>', 'only tests at this level and above')
    .option('--json', 'one JSON object per test')
    .action((opts) => listTestsCommand(opts));
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
