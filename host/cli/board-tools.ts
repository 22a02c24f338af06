// Helpers the board tools (ping, capture, board up) share: loading a board as a
// usage error, whole-number and seconds flags, waiting for Ctrl-C, opening a
// board with the reason it cannot be opened said plainly (a serial port in use
// by another process, named when /proc can tell), and writing the frames of a
// command to a pcapng file without ever replacing a file unasked.
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { SerialPort } from 'serialport';
import { loadBoard, type Board } from '../board/board-config.js';
import { openBoard, type OpenBoard, type OpenOptions } from '../board/open-board.js';
import { openPcapngFile } from '../capture/pcapng.js';
import { LINKTYPE_IEEE802_15_4_WITHFCS } from '../packet/pcap.js';
import { UsageError } from './usage-error.js';

export function board(name: string): Board {
  try {
    return loadBoard(name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function positiveInt(flag: string, value: string, min = 1, max = 1_000_000): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${value}: expected a whole number ${min}..${max}`);
  return n;
}

/** A duration in seconds, as ping6 takes -i and -W (0.2 = 200 ms); returns milliseconds. */
export function seconds(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} ${value}: expected seconds ${min}..${max} (e.g. 0.2)`);
  return Math.round(n * 1000);
}

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM) or after ms. */
export function stopSignal(ms?: number): Promise<void> {
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

// --- opening a board -----------------------------------------------------------

/** openBoard, failing as a usage error that says why: "board B: /dev/ttyACM0: in use by pid 1234 (node … sixlab ping)". */
export async function openBoardForTool(b: Board, options: OpenOptions = {}): Promise<OpenBoard> {
  try {
    return await openBoard(b, options);
  } catch (err) {
    let message = (err as Error).message;
    if (b.link.kind === 'serial') message = await explainSerialFailure(b.link.path, message);
    else if (b.link.kind === 'zep' && /EADDRINUSE/.test(message)) message = explainUdpInUse(b.link.address ?? '::1', b.link.localPort ?? 17754, message);
    throw new UsageError(`board ${b.name}: ${message}`);
  }
}

/**
 * Why a serial port would not open. The serial link retries quietly and ends
 * with "not available after N ms"; when the device node exists, the reason is
 * found here: a lock another process holds on it (node-serialport takes an
 * exclusive flock, listed in /proc/locks with its pid), or what opening it
 * once says (permission denied, ...).
 */
export async function explainSerialFailure(path: string, original: string): Promise<string> {
  if (!existsSync(path)) return original;
  const holders = lockHolders(path);
  if (holders.length) return `${path}: in use by ${holders.map(describeProcess).join(', ')}`;
  const error = await openOnce(path);
  if (error === undefined) return original; // free now: it was busy for a moment, or slow to appear
  if (/lock|resource temporarily unavailable|busy/i.test(error)) {
    const users = openers(path);
    return users.length ? `${path}: in use by ${users.map(describeProcess).join(', ')}` : `${path}: in use by another process`;
  }
  return `${path}: cannot open: ${error.replace(/^Error:?\s*/, '')}`;
}

/** Opens the port once and closes it again: undefined when it opened, else the error's message. */
function openOnce(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let port: SerialPort;
    try {
      port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    } catch (err) {
      resolve((err as Error).message);
      return;
    }
    port.on('error', () => {});
    port.open((err) => {
      if (err) resolve(err.message);
      else port.close(() => resolve(undefined));
    });
  });
}

/** The processes holding an flock on a file, from /proc/locks (Linux; [] where unknowable). */
export function lockHolders(path: string): number[] {
  let st: { dev: number; ino: number };
  let locks: string;
  try {
    st = statSync(path);
    locks = readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  const major = ((st.dev >> 8) & 0xfff) | (Math.floor(st.dev / 2 ** 32) & ~0xfff);
  const minor = (st.dev & 0xff) | ((st.dev >> 12) & 0xfff00);
  const pids = new Set<number>();
  for (const line of locks.split('\n')) {
    // "1: FLOCK  ADVISORY  WRITE 1234 00:19:3 0 EOF" (major:minor in hex, inode in decimal)
    const m = /^\d+:\s+FLOCK\s+\S+\s+\S+\s+(\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line.trim() + ' ');
    if (!m) continue;
    if (parseInt(m[2], 16) === major && parseInt(m[3], 16) === minor && Number(m[4]) === st.ino) {
      const pid = Number(m[1]);
      if (pid > 0 && pid !== process.pid) pids.add(pid);
    }
  }
  return [...pids];
}

/** Processes other than this one with `path` open, from /proc/<pid>/fd (a PTY's server, which holds /dev/ptmx too, left out). */
export function openers(path: string): number[] {
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return [];
  }
  return processesWithFd((link) => link === target, (links) => !links.includes('/dev/ptmx'));
}

function processesWithFd(match: (link: string) => boolean, keep: (links: string[]) => boolean = () => true): number[] {
  const found: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  for (const p of pids) {
    const pid = Number(p);
    if (pid === process.pid) continue;
    let links: string[];
    try {
      links = readdirSync(`/proc/${p}/fd`).map((fd) => {
        try {
          return readlinkSync(`/proc/${p}/fd/${fd}`);
        } catch {
          return '';
        }
      });
    } catch {
      continue; // gone, or not ours to look at
    }
    if (links.some(match) && keep(links)) found.push(pid);
  }
  return found;
}

/** "pid 1234 (node …/main.js ping --board virtual-pty)". */
export function describeProcess(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const shown = argv.map((a, i) => (i < 2 && a.includes('/') ? `…/${a.split('/').pop()}` : a)).join(' ');
    return `pid ${pid} (${shown.length > 100 ? `${shown.slice(0, 99)}…` : shown})`;
  } catch {
    return `pid ${pid}`;
  }
}

/** A ZEP board's UDP port is taken: by whom, when /proc/net/udp6 and /proc/<pid>/fd can tell. */
export function explainUdpInUse(address: string, port: number, original: string): string {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/udp6', '/proc/net/udp']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const local = f[1].split(':');
      if (parseInt(local[1], 16) === port) inodes.add(f[9]);
    }
  }
  const holders = inodes.size ? processesWithFd((l) => [...inodes].some((i) => l === `socket:[${i}]`)) : [];
  if (!holders.length && !/EADDRINUSE/.test(original)) return original;
  return `UDP [${address}]:${port} in use by ${holders.length ? holders.map(describeProcess).join(', ') : 'another process'}`;
}

// --- writing what a command does to a pcapng file ------------------------------------

/** Refuses, before anything is opened, to replace an existing file unasked or to write into a missing folder. */
export function checkNewFile(flag: string, path: string, force: boolean | undefined): void {
  if (existsSync(path)) {
    if (!force) throw new UsageError(`${flag} ${path}: the file exists; use --force to replace it`);
    if (statSync(path).isDirectory()) throw new UsageError(`${flag} ${path}: is a folder`);
  }
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${path}: folder ${dir} does not exist`);
}

export interface BoardCapture {
  readonly frames: number;
  close(): Promise<void>;
}

/**
 * Writes every frame in and out of an opened board to a pcapng file (link type
 * 195, 802.15.4 with FCS), each block as it comes, timestamped on the wall clock
 * (opened.epochMs: real time on real links, the start's wall clock plus virtual
 * time on virtual boards). Call once the board is open, so that a board that
 * fails to open never touches the file.
 */
export async function captureBoard(opened: OpenBoard, path: string, flag = '--out'): Promise<BoardCapture> {
  const b = opened.board;
  const file = await openPcapngFile(path, { sync: true }).catch((err: Error) => {
    throw new UsageError(`${flag} ${path}: ${err.message}`);
  });
  const iface = file.addInterface(LINKTYPE_IEEE802_15_4_WITHFCS, `sixlab-${b.name}`, 'us', { description: `board ${b.name} (${b.link.kind})` });
  let frames = 0;
  let closed = false;
  opened.tap((f) => {
    if (closed) return;
    file.writePacket(iface, Math.max(0, Math.round((opened.epochMs + f.at) * 1000)), f.psdu, { direction: f.direction, comment: f.comment });
    frames++;
  });
  return {
    get frames() {
      return frames;
    },
    close: async () => {
      closed = true;
      await file.close();
    },
  };
}
