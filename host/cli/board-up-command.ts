// sixlab board up: serve a board's device (the sixlab core) on a PTY, speaking
// the sixlab serial link, or on ZEP v2 over UDP (docs/zep.md), beside a RIOT
// native node or the harness's zep board.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { collect } from './context-option.js';
import type { Board } from '../board/board-config.js';
import { PtyError, PtyServer } from '../board/pty-server.js';
import { ZepServer } from '../board/zep-server.js';
import { QemuServer } from '../board/qemu-server.js';
import { formatIpv6, parseIpv6 } from '../packet/ipv6-address.js';
import { board, stopSignal } from './board-tools.js';
import { UsageError } from './usage-error.js';

export interface BoardUpOptions {
  link?: string;
  fault: string[];
  /** true: --zep without a value. */
  zep?: string | boolean;
  zepRemote?: string;
}

export async function boardUpCommand(name: string, options: BoardUpOptions): Promise<void> {
  const b = board(name);
  if (options.zep !== undefined || b.link.kind === 'zep') return serveZep(b, options);
  if (options.zepRemote !== undefined) throw new UsageError('--zep-remote needs --zep (or a zep board)');
  if (b.link.kind === 'serial' && b.name.startsWith('qemu-')) return serveQemu(b, options);
  if (b.link.kind !== 'virtual') throw new UsageError(`board ${name} is a ${b.link.kind} board; only virtual boards (or, with --zep, zep boards) can be served`);
  const path = options.link ?? `/tmp/sixlab-${name}`;
  let server: PtyServer;
  try {
    server = await PtyServer.start(b, path, options.fault);
  } catch (err) {
    if (err instanceof PtyError) throw new UsageError(err.about === 'link' ? `--link ${err.message}` : err.message);
    throw err;
  }
  // Listen for Ctrl-C before saying we are served: whoever reads that line may stop us at once.
  const stopped = stopSignal().then(() => undefined);
  process.stdout.write(`board ${name} served on ${server.devicePath} (link ${server.linkPath}); Ctrl-C to stop\n`);
  const why = await Promise.race([stopped, server.died]);
  await server.stop();
  if (why !== undefined) throw new UsageError(`board ${name}: ${why}`);
}

/** "[::1]:17754", "127.0.0.1:17754", or a port alone (on [::1]). */
export function parseHostPort(flag: string, text: string): { address: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text) ?? /^()(\d+)$/.exec(text);
  const address = m ? m[1] || '::1' : '';
  const port = m ? Number(m[2]) : NaN;
  if (!m || !isIP(address) || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`${flag} ${text}: expected [IPv6]:PORT, IPv4:PORT or PORT (e.g. [::1]:17754)`);
  }
  return { address, port };
}

const hostPort = (a: { address: string; port: number }) => (isIP(a.address) === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);

/**
 * The core on ZEP. A zep board says where its device is: the core takes the
 * device's place (it binds the board's remote port and talks to the board's
 * local port, where the harness or a RIOT node is). A virtual board on --zep
 * binds [::1]:17754 and talks to whoever speaks first.
 */
async function serveZep(b: Board, options: BoardUpOptions): Promise<void> {
  if (options.link !== undefined) throw new UsageError('--link is for a PTY; a board on ZEP takes --zep [HOST:PORT] (and --zep-remote HOST:PORT)');
  if (b.link.kind === 'serial') throw new UsageError(`board ${b.name} is a serial board; only virtual and zep boards can be served on ZEP`);
  const zepLink = b.link.kind === 'zep' ? b.link : undefined;
  const local = typeof options.zep === 'string'
    ? parseHostPort('--zep', options.zep)
    : { address: zepLink?.address ?? '::1', port: zepLink?.remotePort ?? 17754 };
  const remote = options.zepRemote !== undefined
    ? parseHostPort('--zep-remote', options.zepRemote)
    : zepLink?.localPort !== undefined ? { address: zepLink.address ?? '::1', port: zepLink.localPort } : undefined;
  if (isIP(local.address) !== (remote ? isIP(remote.address) : isIP(local.address))) {
    throw new UsageError(`--zep ${hostPort(local)} and --zep-remote ${remote ? hostPort(remote) : ''}: one IPv4 and one IPv6 address`);
  }
  let server: ZepServer;
  try {
    server = await ZepServer.start(b, {
      address: local.address, port: local.port, remote, channel: zepLink?.channel, faults: options.fault,
      mac: { ackWaitMs: zepLink?.ackWaitMs, maxFrameRetries: zepLink?.maxFrameRetries, gapMs: zepLink?.gapMs },
    });
  } catch (err) {
    const message = (err as Error).message;
    if (/EADDRINUSE/.test(message)) {
      throw new UsageError(`--zep ${hostPort(local)}: UDP port in use (another board up --zep, a ZEP dispatcher or a RIOT node holds it)`);
    }
    throw new UsageError(`board ${b.name}: ${message.split('\n')[0]}`);
  }
  const stopped = stopSignal(); // before the line that says we are served (see above)
  const bound = server.local();
  const mac = server.endpoint.macSettings;
  process.stdout.write(
    `board ${b.name} served on ZEP ${hostPort(bound)} (device ${formatEui(b)}, ${server.linkLocal}, PAN 0x${b.pan.toString(16).padStart(4, '0')}, ` +
      `channel ${zepLink?.channel ?? 26}; peer ${remote ? hostPort(remote) : 'the first node that speaks'}; MAC: ACK wait ${mac.ackWaitMs} ms, ` +
      `${mac.maxFrameRetries} retries, gap ${mac.gapMs} ms); type "ping ADDRESS [SIZE [COUNT]]" to ping from the device; Ctrl-C to stop\n`,
  );
  const consoleDone = deviceConsole(server);
  await stopped;
  consoleDone();
  await server.stop();
}

function formatEui(b: Board): string {
  return Array.from(b.deviceLink.bytes, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * Lines on stdin drive the device, as a RIOT node's shell does: "ping ADDRESS
 * [SIZE [COUNT]]" makes the core send Echo Requests (its own code builds them)
 * and says which replies came back. Returns a function that stops reading.
 */
function deviceConsole(server: ZepServer): () => void {
  // A process in the background (`sixlab board up ... &`) that reads its terminal is stopped (SIGTTIN).
  if (process.stdin.isTTY && !inForeground()) return () => {};
  const rl = createInterface({ input: process.stdin, terminal: false });
  let queue = Promise.resolve();
  let seq = 0;
  rl.on('line', (line) => {
    queue = queue.then(() => command(line.trim())).catch((err: Error) => {
      process.stdout.write(`error: ${err.message}\n`);
    });
  });
  const command = async (line: string) => {
    if (line === '') return;
    const [verb, address, sizeText, countText] = line.split(/\s+/);
    if (verb !== 'ping' || !address) throw new Error(`unknown command "${line}" (ping ADDRESS [SIZE [COUNT]])`);
    let dst: Uint8Array;
    try {
      dst = parseIpv6(address);
    } catch {
      throw new Error(`${address}: not an IPv6 address`);
    }
    const size = Number(sizeText ?? 32);
    const count = Number(countText ?? 1);
    if (!Number.isInteger(size) || size < 0 || size > 1232) throw new Error(`size ${sizeText}: expected 0..1232`);
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new Error(`count ${countText}: expected 1..1000`);
    const text = formatIpv6(dst);
    for (let i = 0; i < count; i++) {
      seq = (seq + 1) & 0xffff;
      const before = server.echoReplies().count;
      const t = performance.now();
      const r = server.ping(dst, 0x5158, seq, size);
      if (r !== 0) {
        process.stdout.write(`ping ${text}: not sent (${r})\n`);
        continue;
      }
      let answered = false;
      while (performance.now() - t < 2000) {
        const e = server.echoReplies();
        if (e.count > before && e.lastSeq === seq) {
          answered = true;
          break;
        }
        await new Promise((res) => setTimeout(res, 2));
      }
      process.stdout.write(answered
        ? `${size + 8} bytes from ${text}: icmp_seq=${seq} time=${(performance.now() - t).toFixed(2)} ms\n`
        : `no answer from ${text}: icmp_seq=${seq}\n`);
    }
  };
  return () => rl.close();
}

/** Whether this process is in its terminal's foreground process group (Linux: /proc/self/stat; elsewhere: assume not). */
function inForeground(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    return Number(f[2]) === Number(f[5]); // pgrp === tpgid
  } catch {
    return false;
  }
}

/** Declares the command on the program. */
export function registerBoardUp(p: Command): void {
  const board = p.command('board').description('serve or manage a board');
  board.command('up')
    .description('serve a board\'s device (the sixlab core) on a PTY, speaking the sixlab serial link (prints the device path), or on ZEP (docs/zep.md)')
    .argument('<name>', 'board name (boards/<name>/board.json)')
    .option('--link <path>', 'stable path for the PTY (default /tmp/sixlab-<name>); never replaces a file, nor a running board\'s link')
    .option('--fault <name>', 'make the board misbehave in one named way (repeatable)', collect, [])
    .option('--zep [host:port]', 'serve on ZEP v2 over UDP instead, bound here (default [::1]:17754; a zep board: its remotePort)')
    .option('--zep-remote <host:port>', 'where the device\'s frames go (default: the first node that speaks; a zep board: its localPort)')
    .action((name: string, opts) => boardUpCommand(name, opts));
}

/** The core as Cortex-M4 firmware booted in QEMU, its UART on a PTY behind the board's path (docs/qemu-board.md). */
async function serveQemu(b: Board, options: BoardUpOptions): Promise<void> {
  if (options.fault.length) throw new UsageError(`board ${b.name}: faults need a virtual board`);
  if (b.link.kind !== 'serial') return;
  const path = options.link ?? b.link.path;
  const server = await QemuServer.start(b, path).catch((e: Error) => {
    throw new UsageError(`board ${b.name}: ${e.message}`);
  });
  const stop = stopSignal(); // listening before saying it is up: an early Ctrl-C still stops QEMU
  process.stdout.write(`board ${b.name} up on ${server.devicePath} (link ${path}), hello after ${Math.round(server.bootMs)} ms: ${server.hello.firmware}; Ctrl-C to stop\n`);
  await stop;
  await server.stop();
}
