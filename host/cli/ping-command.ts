// sixlab ping: ICMPv6 Echo Requests to a device through a board, as ping6 does:
// requests on a fixed cadence, replies matched as they come by identifier and
// sequence number, the echoed data compared octet by octet, and the
// statistics ping6 prints (rtt min/avg/max/mdev).
import type { Command } from 'commander';
import type { Board } from '../board/board-config.js';
import type { OpenBoard } from '../board/open-board.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { bytesEqual } from '../packet/bytes.js';
import { echoBody } from '../packet/icmpv6.js';
import { formatIpv6, parseIpv6 } from '../packet/ipv6-address.js';
import { linkAddressFromIid, type LinkAddress } from '../packet/link-address.js';
import { buildIpv6Packet, parseIpv6Packet, type ParsedIpv6Packet } from '../packet/packet.js';
import type { Clock } from '../sim/clock.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { collect } from './context-option.js';
import { board, captureBoard, checkNewFile, openBoardForTool, positiveInt, seconds, type BoardCapture } from './board-tools.js';
import { UsageError } from './usage-error.js';

/** The link address behind an IPv6 address, for the tester to send to: the
 *  broadcast address for multicast, the one a link-local IID came from, else the device's. */
function linkFor(addr: Uint8Array, b: Board): LinkAddress {
  if (addr[0] === 0xff) return { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) };
  const iid = addr.subarray(8);
  const shortForm = iid[0] === 0 && iid[1] === 0 && iid[2] === 0 && iid[3] === 0xff && iid[4] === 0xfe && iid[5] === 0;
  return shortForm || (addr[0] === 0xfe && (addr[1] & 0xc0) === 0x80) ? linkAddressFromIid(iid) : b.deviceLink;
}

export interface PingOptions {
  board: string;
  count?: string;
  size?: string;
  interval?: string;
  timeout?: string;
  /** -i and -W: seconds, as ping6 takes them. */
  i?: string;
  W?: string;
  quiet?: boolean;
  pcap?: string;
  force?: boolean;
  fault: string[];
}

/** The data of request `seq`: octet i is (i + seq) mod 256. */
export function echoData(seq: number, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i + seq) & 0xff);
}

/** What is wrong with echoed data, as ping6 says it; undefined when it is what was sent. */
export function echoDataProblem(sent: Uint8Array, got: Uint8Array): string | undefined {
  const n = Math.min(sent.length, got.length);
  let first = -1;
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    if (sent[i] === got[i]) continue;
    if (first < 0) first = i;
    wrong++;
  }
  const hex = (x: number) => `0x${x.toString(16).padStart(2, '0')}`;
  const parts: string[] = [];
  if (first >= 0) parts.push(`wrong data byte #${first} should be ${hex(sent[first])} but was ${hex(got[first])}${wrong > 1 ? ` (${wrong} octets differ)` : ''}`);
  if (got.length !== sent.length) parts.push(`wrong data length ${got.length}, should be ${sent.length}${got.length < sent.length ? ' (truncated)' : ''}`);
  return parts.length ? parts.join('; ') : undefined;
}

/** Sleeps on the link's clock: virtual time on a virtual board; on real links a timer that can be cancelled, so nothing keeps the process alive once ping is done. */
function sleepOn(clock: Clock, ms: number): { done: Promise<void>; cancel: () => void } {
  if (clock instanceof VirtualClock) return { done: clock.sleep(ms), cancel: () => {} };
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  return { done, cancel: () => clearTimeout(timer) };
}

interface Request {
  /** On the link's clock. */
  sent: number;
  deadline: number;
  data: Uint8Array;
}

export async function pingCommand(address: string | undefined, o: PingOptions): Promise<void> {
  const b = board(o.board);
  if (o.i !== undefined && o.interval !== undefined) throw new UsageError('-i (seconds) and --interval (milliseconds) say the same thing: give one');
  if (o.W !== undefined && o.timeout !== undefined) throw new UsageError('-W (seconds) and --timeout (milliseconds) say the same thing: give one');
  const count = positiveInt('--count', o.count ?? '4');
  const size = positiveInt('--size', o.size ?? '32', 0, 1232);
  const interval = o.i !== undefined ? seconds('-i', o.i, 0, 60) : positiveInt('--interval', o.interval ?? '1000', 0, 60_000);
  const timeout = o.W !== undefined ? seconds('-W', o.W, 0.001, 60) : positiveInt('--timeout', o.timeout ?? '2000', 1, 60_000);
  let dst: Uint8Array;
  try {
    dst = address ? parseIpv6(address) : linkLocalOf(b.deviceLink);
  } catch {
    throw new UsageError(`${address}: not an IPv6 address`);
  }
  if (o.pcap !== undefined) checkNewFile('--pcap', o.pcap, o.force);
  const opened = await openBoardForTool(b, { faults: o.fault });
  let capture: BoardCapture | undefined;
  try {
    if (o.pcap !== undefined) capture = await captureBoard(opened, o.pcap, '--pcap');
  } catch (err) {
    await opened.close();
    throw err;
  }
  try {
    await ping(opened, b, dst, { count, size, interval, timeout, quiet: Boolean(o.quiet) });
  } finally {
    await opened.close();
    await capture?.close();
  }
  if (capture) process.stdout.write(`${capture.frames} frames written to ${o.pcap}\n`);
}

async function ping(opened: OpenBoard, b: Board, dst: Uint8Array, o: { count: number; size: number; interval: number; timeout: number; quiet: boolean }): Promise<void> {
  const out = (line: string) => process.stdout.write(line + '\n');
  const tester = new Tester(opened.link, b);
  const clock = opened.link.clock;
  const slack = clock instanceof VirtualClock ? 0 : 1; // a real timer may fire a hair before performance.now() says it is due
  const id = process.pid & 0xffff;
  const text = formatIpv6(dst);
  const dstLink = linkFor(dst, b);
  out(`PING ${text} via board ${b.name} (${b.link.kind}): ${o.size} data bytes`);

  let heard = 0;
  opened.tap((f) => {
    if (f.direction === 'in') heard++;
  });
  const outstanding = new Map<number, Request>(); // by 16-bit sequence number, oldest first
  const answered = new Set<number>();
  const expired = new Set<number>();
  const rtts: number[] = [];
  let sent = 0;
  let received = 0;
  let duplicates = 0;
  let wrong = 0;
  let errors = 0;
  let zepHint = false;
  let allSent = false;
  const sendErrors = new Set<string>();

  let wake: (() => void) | undefined;
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let stop = false;
  const onSignal = () => {
    stop = true;
    poke();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stopListening = tester.onPacket((h) => {
    let p: ParsedIpv6Packet;
    try {
      p = parseIpv6Packet(h.packet);
    } catch {
      return;
    }
    const e = p.icmpv6?.echo;
    if (p.icmpv6?.type !== 129 || !e || !bytesEqual(p.header.dst, tester.ll)) return;
    const from = formatIpv6(p.header.src);
    const bytes = `${e.data.length + 8} bytes from ${from}: icmp_seq=${e.sequence}`;
    if (!p.icmpv6.checksumOk) {
      wrong++;
      out(`${bytes}: wrong ICMPv6 checksum`);
      return;
    }
    if (e.identifier !== id) {
      wrong++;
      out(`${bytes}: wrong identifier 0x${e.identifier.toString(16).padStart(4, '0')}, should be 0x${id.toString(16).padStart(4, '0')}`);
      return;
    }
    const req = outstanding.get(e.sequence);
    if (!req) {
      if (answered.has(e.sequence)) {
        duplicates++;
        if (!o.quiet) out(`${bytes} (DUP!)`);
      } else if (expired.has(e.sequence)) {
        if (!o.quiet) out(`${bytes} (late: after the ${o.timeout} ms timeout, counted as lost)`);
      } else {
        wrong++;
        out(`${bytes}: wrong sequence number, no request was sent with it`);
      }
      return;
    }
    outstanding.delete(e.sequence);
    answered.add(e.sequence);
    received++;
    const rtt = h.at - req.sent;
    rtts.push(rtt);
    const problem = echoDataProblem(req.data, e.data);
    if (problem) {
      wrong++;
      out(`${bytes} time=${rtt.toFixed(2)} ms\n${problem}`);
    } else if (!o.quiet) {
      out(`${bytes} time=${rtt.toFixed(2)} ms`);
    }
    if (outstanding.size === 0 && allSent) poke();
  });

  const expire = (now: number) => {
    for (const [seq, req] of outstanding) {
      if (req.deadline > now + slack) break; // oldest first: the rest are due later
      outstanding.delete(seq);
      expired.add(seq);
      if (!o.quiet) out(`no answer from ${text}: icmp_seq=${seq}`);
      if (!zepHint && b.link.kind === 'zep' && heard === 0) {
        zepHint = true;
        const l = b.link;
        const peer = l.remotePort === undefined ? `sending to [${l.address ?? '::1'}]:${l.localPort ?? 17754}` : `at [${l.address ?? '::1'}]:${l.remotePort}`;
        process.stderr.write(`sixlab: no answer from the ZEP peer ${peer} — is the other endpoint running?\n`);
      }
    }
  };

  const sendOne = async (k: number) => {
    const seq = k & 0xffff; // sequence numbers wrap after 65535, as ping6's do
    const old = outstanding.get(seq);
    if (old) expire(old.deadline); // only when requests outpace 65536 per timeout
    answered.delete(seq);
    expired.delete(seq);
    const data = echoData(seq, o.size);
    const request = buildIpv6Packet({ src: tester.ll, dst, upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(id, seq, data) } });
    const now = clock.now();
    outstanding.set(seq, { sent: now, deadline: now + o.timeout, data });
    sent++;
    try {
      await tester.send(request, dstLink);
    } catch (err) {
      errors++;
      const message = (err as Error).message;
      if (!sendErrors.has(message)) process.stderr.write(`sixlab: board ${b.name}: ${message}\n`);
      sendErrors.add(message);
    }
  };

  try {
    let nextSend = clock.now();
    let k = 0;
    for (;;) {
      const now = clock.now();
      expire(now);
      if (stop) break;
      if (k < o.count && now + slack >= nextSend) {
        await sendOne(++k);
        nextSend += o.interval; // a fixed cadence: not after each reply or timeout
        allSent = k >= o.count;
        continue;
      }
      if (k >= o.count && outstanding.size === 0) break;
      const first = outstanding.values().next();
      const next = Math.min(k < o.count ? nextSend : Infinity, first.done ? Infinity : first.value.deadline);
      const s = sleepOn(clock, next - now);
      await new Promise<void>((resolve) => {
        wake = resolve;
        void s.done.then(resolve);
      });
      wake = undefined;
      s.cancel();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stopListening();
    tester.close();
  }

  const lost = sent - received;
  const loss = sent === 0 ? 0 : (100 * lost) / sent;
  const extras = [duplicates && `+${duplicates} duplicates`, wrong && `+${wrong} wrong`, errors && `+${errors} errors`].filter(Boolean);
  out(`--- ${text} ping statistics ---`);
  out(`${sent} packets transmitted, ${received} received, ${[...extras, `${formatLoss(loss)}% packet loss`].join(', ')}`);
  if (rtts.length) {
    const avg = rtts.reduce((a, x) => a + x, 0) / rtts.length;
    const mdev = Math.sqrt(Math.max(0, rtts.reduce((a, x) => a + x * x, 0) / rtts.length - avg * avg));
    const min = rtts.reduce((a, x) => Math.min(a, x), Infinity);
    const max = rtts.reduce((a, x) => Math.max(a, x), -Infinity);
    out(`rtt min/avg/max/mdev = ${[min, avg, max, mdev].map((x) => x.toFixed(3)).join('/')} ms`);
  }
  // Exit 1: nothing answered, or a reply was wrong (a failure a lab must see).
  if (received === 0 || wrong > 0) process.exitCode = 1;
}

/** 0, 100, or a whole number in between that never rounds a loss to 0 or a reply to 100. */
function formatLoss(loss: number): string {
  if (loss <= 0 || loss >= 100) return String(Math.round(loss));
  return String(Math.min(99, Math.max(1, Math.round(loss))));
}

/** Declares the command on the program. */
export function registerPing(p: Command): void {
  p.command('ping')
    .description('send ICMPv6 Echo Requests to a device through a board, as ping6 does')
    .argument('[address]', 'IPv6 address (default: the device\'s link-local address; a multicast address shows who answers)')
    .requiredOption('--board <name>', 'board to reach the device through')
    .option('-c, --count <n>', 'Echo Requests to send (default 4)')
    .option('-s, --size <n>', 'data octets per request, 0..1232 (default 32)')
    .option('-i <seconds>', 'time between requests in seconds, as ping6 (e.g. 0.2; default 1)')
    .option('--interval <ms>', 'the same in milliseconds (default 1000)')
    .option('-W <seconds>', 'time to wait for each reply in seconds, as ping6 (default 2)')
    .option('--timeout <ms>', 'the same in milliseconds (default 2000)')
    .option('-q, --quiet', 'print only the first line, wrong replies and the statistics')
    .option('--pcap <file>', 'write every frame of this command to a pcapng file (link type 195); an existing file is kept unless --force')
    .option('--force', 'replace the --pcap file if it exists')
    .option('--fault <name>', 'virtual boards: a named fault (repeatable; sixlab --help lists them)', collect, [])
    .addHelpText('after', `
Requests go out every interval whether or not the last one was answered; each
reply is matched by identifier and sequence number (which wrap after 65535) and
its data is compared with what was sent ("wrong data byte #N should be 0xXX but
was 0xYY"). Virtual boards run in virtual time: -i and -W cost no wall time.

Exit codes: 0 replies came back and all were right, 1 nothing answered or a
reply was wrong, 2 bad input or a board that cannot be opened.

Examples:
  sixlab ping --board virtual -c 3
  sixlab ping --board virtual ff02::1 -c 1
  sixlab ping --board virtual --fault echo-reply-wrong-data -c 1
  sixlab ping --board virtual-pty -c 10 -i 0.2 --pcap ping.pcapng
`)
    .action((address: string | undefined, opts) => pingCommand(address, opts));
}
