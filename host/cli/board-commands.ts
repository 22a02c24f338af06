// sixlab boards | board up | ping | capture: the first end-to-end tools.
import { LINKTYPE_IEEE802_15_4_WITHFCS } from '../packet/pcap.js';
import { openPcapngFile } from '../capture/pcapng.js';
import { boardNames, loadBoard, usability, type Board } from '../board/board-config.js';
import { openBoard } from '../board/open-board.js';
import { PtyServer } from '../board/pty-server.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { formatIpv6, parseIpv6 } from '../packet/ipv6-address.js';
import { linkAddressFromIid, type LinkAddress } from '../packet/link-address.js';
import { UsageError } from './usage-error.js';

function board(name: string): Board {
  try {
    return loadBoard(name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function positiveInt(flag: string, value: string, min = 1, max = 1_000_000): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${value}: expected a whole number ${min}..${max}`);
  return n;
}

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM) or after ms. */
function stopSignal(ms?: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (ms !== undefined) setTimeout(done, ms).unref();
  });
}

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

export async function boardUpCommand(name: string, options: { link?: string; fault: string[] }): Promise<void> {
  const b = board(name);
  if (b.link.kind !== 'virtual') throw new UsageError(`board ${name} is a ${b.link.kind} board; only virtual boards can be served`);
  const path = options.link ?? `/tmp/sixlab-${name}`;
  const server = await PtyServer.start(b, path, options.fault);
  process.stdout.write(`board ${name} served on ${server.devicePath} (link ${path}); Ctrl-C to stop\n`);
  await stopSignal();
  await server.stop();
}

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

export async function captureCommand(options: { board: string; out: string; duration?: string; fault: string[] }): Promise<void> {
  const b = board(options.board);
  const seconds = options.duration === undefined ? undefined : positiveInt('--duration', options.duration, 1, 86_400);
  const file = await openPcapngFile(options.out, { sync: true }).catch((err: Error) => {
    throw new UsageError(`--out ${options.out}: ${err.message}`);
  });
  const opened = await openBoard(b, { faults: options.fault }).catch(async (err: Error) => {
    await file.close();
    throw new UsageError(`board ${b.name}: ${err.message}`);
  });
  const iface = file.addInterface(LINKTYPE_IEEE802_15_4_WITHFCS, `sixlab-${b.name}`, 'us', { description: `board ${b.name} (${b.link.kind})` });
  let frames = 0;
  opened.tap((f) => {
    file.writePacket(iface, Math.round(f.at * 1000), f.psdu, { direction: f.direction, comment: f.comment });
    frames++;
  });
  if (opened.virtual) {
    // Virtual time: the whole duration runs at once.
    await opened.virtual.clock.sleep((seconds ?? 60) * 1000);
  } else {
    process.stderr.write(`capturing on board ${b.name}${seconds ? ` for ${seconds} s` : ''}; Ctrl-C to stop\n`);
    await stopSignal(seconds === undefined ? undefined : seconds * 1000);
  }
  await opened.close();
  await file.close();
  process.stdout.write(`${frames} frames written to ${options.out}\n`);
}
