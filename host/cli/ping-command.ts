// sixlab ping: ICMPv6 Echo Requests to a device through a board, as ping6 does.
import type { Command } from 'commander';
import type { Board } from '../board/board-config.js';
import { openBoard } from '../board/open-board.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { formatIpv6, parseIpv6 } from '../packet/ipv6-address.js';
import { linkAddressFromIid, type LinkAddress } from '../packet/link-address.js';
import { board, positiveInt } from './board-tools.js';
import { UsageError } from './usage-error.js';

/** The link address behind an IPv6 address, for the tester to send to: the
 *  broadcast address for multicast, the one a link-local IID came from, else the device's. */
function linkFor(addr: Uint8Array, b: Board): LinkAddress {
  if (addr[0] === 0xff) return { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) };
  const iid = addr.subarray(8);
  const shortForm = iid[0] === 0 && iid[1] === 0 && iid[2] === 0 && iid[3] === 0xff && iid[4] === 0xfe && iid[5] === 0;
  return shortForm || (addr[0] === 0xfe && (addr[1] & 0xc0) === 0x80) ? linkAddressFromIid(iid) : b.deviceLink;
}

export async function pingCommand(address: string | undefined, options: { board: string; count: string; size: string; interval: string; timeout: string }): Promise<void> {
  const b = board(options.board);
  const count = positiveInt('--count', options.count);
  const size = positiveInt('--size', options.size, 0, 1232);
  const interval = positiveInt('--interval', options.interval, 0, 60_000);
  const timeout = positiveInt('--timeout', options.timeout, 1, 60_000);
  let dst: Uint8Array;
  try {
    dst = address ? parseIpv6(address) : linkLocalOf(b.deviceLink);
  } catch {
    throw new UsageError(`${address}: not an IPv6 address`);
  }
  const opened = await openBoard(b).catch((err: Error) => {
    throw new UsageError(`board ${b.name}: ${err.message}`);
  });
  const tester = new Tester(opened.link, b);
  const text = formatIpv6(dst);
  process.stdout.write(`PING ${text} via board ${b.name} (${b.link.kind}): ${size} data bytes\n`);
  const rtts: number[] = [];
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  let sent = 0;
  try {
    for (let seq = 1; seq <= count && !stop; seq++) {
      sent++;
      const rtt = await tester.ping(dst, linkFor(dst, b), process.pid & 0xffff, seq, size, timeout);
      if (rtt === undefined) process.stdout.write(`no answer from ${text}: icmp_seq=${seq}\n`);
      else {
        rtts.push(rtt);
        process.stdout.write(`${size + 8} bytes from ${text}: icmp_seq=${seq} time=${rtt.toFixed(2)} ms\n`);
      }
      if (seq < count && interval > 0) await opened.link.clock.sleep(interval);
    }
  } finally {
    process.off('SIGINT', onSignal);
    tester.close();
    await opened.close();
  }
  const loss = sent === 0 ? 0 : (100 * (sent - rtts.length)) / sent;
  process.stdout.write(`--- ${text} ping statistics ---\n${sent} packets transmitted, ${rtts.length} received, ${loss.toFixed(0)}% packet loss\n`);
  if (rtts.length) {
    const avg = rtts.reduce((a, b2) => a + b2, 0) / rtts.length;
    process.stdout.write(`rtt min/avg/max = ${Math.min(...rtts).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...rtts).toFixed(3)} ms\n`);
  }
  if (rtts.length === 0) process.exitCode = 1;
}

/** Declares the command on the program. */
export function registerPing(p: Command): void {
  p.command('ping')
    .description('send ICMPv6 Echo Requests to a device through a board, as ping6 does')
    .argument('[address]', 'IPv6 address (default: the device\'s link-local address)')
    .requiredOption('--board <name>', 'board to reach the device through')
    .option('--count <n>', 'Echo Requests to send', '4')
    .option('--size <n>', 'data octets per request (0..1232)', '32')
    .option('--interval <ms>', 'time between requests', '1000')
    .option('--timeout <ms>', 'time to wait for each reply', '2000')
    .action((address: string | undefined, opts) => pingCommand(address, opts));
}
