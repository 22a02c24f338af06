// Runs tshark on a capture file and returns selected fields, one record per
// frame, for cross-checking our encoders against Wireshark's dissectors.
import { spawn, spawnSync } from 'node:child_process';

export class TsharkError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*[\r\n]+\s*/g, ' '));
    this.name = 'TsharkError';
  }
}

export interface TsharkFlags {
  /** Two-pass analysis (-2), so reassembly results show on the completing frame. */
  twoPass?: boolean;
  /** Display filter (-Y). */
  displayFilter?: string;
  /** Dissectors to turn off (--disable-protocol), e.g. ZigBee NWK, whose
   *  heuristics claim some 802.15.4 frames with short addresses and then break
   *  6LoWPAN reassembly in tshark 4.0 (seen with datagrams of 1024+ octets). */
  disableProtocols?: string[];
}

/** The tshark binary: $TSHARK or "tshark" on PATH. */
export function tsharkPath(): string {
  return process.env.TSHARK || 'tshark';
}

export function tsharkAvailable(): boolean {
  const r = spawnSync(tsharkPath(), ['-v'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** The argument list for runTsharkFields (exported for logging and tests). */
export function tsharkArgs(pcapPath: string, fields: string[], options: string[], flags: TsharkFlags): string[] {
  const args = ['-r', pcapPath, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  for (const o of options) args.push('-o', o);
  if (flags.twoPass) args.push('-2');
  if (flags.displayFilter) args.push('-Y', flags.displayFilter);
  for (const p of flags.disableProtocols ?? []) args.push('--disable-protocol', p);
  return args;
}

/**
 * One record per frame, keyed by field name ("frame.number" always included);
 * absent fields are ''. Repeated occurrences are joined with ','.
 * `options` are preference settings, each passed as `-o name:value`.
 */
export async function runTsharkFields(
  pcapPath: string,
  fields: string[],
  options: string[] = [],
  flags: TsharkFlags = {},
): Promise<Array<Record<string, string>>> {
  const all = ['frame.number', ...fields.filter((f) => f !== 'frame.number')];
  const stdout = await runTshark(tsharkArgs(pcapPath, all, options, flags));
  return parseFieldLines(stdout, all);
}

/** Splits `-T fields` output (tab separated, one line per frame) into records. */
export function parseFieldLines(stdout: string, fields: string[]): Array<Record<string, string>> {
  const lines = stdout.split('\n').filter((l) => l.length > 0);
  return lines.map((line) => {
    const values = line.replace(/\r$/, '').split('\t');
    return Object.fromEntries(fields.map((f, i) => [f, values[i] ?? '']));
  });
}

function runTshark(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsharkPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const missing = `tshark not found ("${tsharkPath()}"); install tshark or set TSHARK`;
      reject(new TsharkError(e.code === 'ENOENT' ? missing : e.message));
    });
    child.on('close', (code) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      reject(new TsharkError(`tshark exited with ${code}: ${stderrSummary(Buffer.concat(err).toString('utf8'))}`));
    });
  });
}

// tshark's stderr minus the "Running as user root" warning.
function stderrSummary(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() && !/^Running as user/.test(l));
  return lines.join(' | ') || '(no stderr)';
}
