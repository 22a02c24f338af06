// Boards are data (boards/<name>/board.json), validated against
// boards/board.schema.json with ajv; a mistake is reported on one line that
// names the offending field and says what is wrong with it (a JSON syntax
// error by line and column).
import { Ajv, type ErrorObject } from 'ajv';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { packageRoot } from '../core/sixlab-core.js';
import { parseLinkAddress, type LinkAddress } from '../packet/link-address.js';

export type LinkConfig =
  | { kind: 'virtual'; seed?: number; lossPercent?: number; delayMs?: number; faults?: string[] }
  | { kind: 'serial'; path: string; baudRate?: number; reconnectMs?: number }
  | {
    kind: 'zep'; address?: string; localPort?: number; remotePort?: number; channel?: number;
    /** The tester's MAC (IEEE 802.15.4-2015 §6.7.4.3): ACK wait, retries, spacing of frames that get no ACK. */
    ackWaitMs?: number; maxFrameRetries?: number; gapMs?: number;
  };

export type Capability = 'reset' | 'ping' | 'udp-send' | 'register' | 'reboot' | 'faults' | 'coap' | 'short-address';

export interface BoardConfig {
  name: string;
  description?: string;
  link: LinkConfig;
  device: { eui64: string; shortAddress?: string; pan: string; mode?: 'lowpan-nd' | 'classic' };
  tester?: { eui64?: string };
  capabilities?: Capability[];
  timeouts?: { helloMs?: number; replyMs?: number; bootMs?: number; testMs?: number; maxTestMs?: number };
}

/** A board with its addresses parsed. */
export interface Board extends BoardConfig {
  dir: string;
  deviceLink: LinkAddress;
  deviceShort?: number;
  pan: number;
  testerLink: LinkAddress;
}

export class BoardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoardError';
  }
}

export function boardsDir(): string {
  return join(packageRoot(), 'boards');
}

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let validator: Validator | undefined;

function validate(data: unknown, where: string): asserts data is BoardConfig {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(boardsDir(), 'board.schema.json'), 'utf8'));
    // discriminator: the link's errors come from the branch its `kind` names,
    // not from the first branch of the oneOf. verbose: errors carry their schema.
    validator = new Ajv({ allErrors: false, strict: false, discriminator: true, verbose: true }).compile(schema) as Validator;
  }
  if (!validator(data)) throw new BoardError(`${where}: ${describeSchemaError(validator.errors?.[0])}`);
}

/** A JSON pointer (/link/faults/0) as a field name (link.faults[0]). */
export function fieldName(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/** One schema error as a sentence that names the field: "link: unknown field baudrate (did you mean baudRate?)". */
export function describeSchemaError(e: ErrorObject | undefined): string {
  if (!e) return 'invalid board';
  const at = fieldName(e.instancePath) || 'top level';
  const params = e.params as Record<string, unknown>;
  const value = JSON.stringify(e.data);
  const parent = (e.parentSchema ?? {}) as { properties?: Record<string, unknown>; examples?: unknown[] };
  switch (e.keyword) {
    case 'additionalProperty':
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const hint = suggest(name, Object.keys(parent.properties ?? {}));
      return `${at}: unknown field ${name}${hint ? ` (did you mean ${hint}?)` : `; known: ${Object.keys(parent.properties ?? {}).join(', ')}`}`;
    }
    case 'required':
      return `${at}: missing field ${String(params.missingProperty)}`;
    case 'discriminator': {
      const kinds = kindsOf(parent as { oneOf?: unknown[] });
      if (params.error === 'tag' && params.tagValue === undefined) return `${at}: missing field ${String(params.tag)} (${kinds})`;
      return `${at}.${String(params.tag)}: ${JSON.stringify(params.tagValue)} is not a link kind (${kinds})`;
    }
    case 'type':
      return `${at}: ${value} is not ${params.type === 'integer' ? 'a whole number' : params.type === 'object' ? 'an object' : params.type === 'array' ? 'a list' : `a ${String(params.type)}`}`;
    case 'pattern': {
      const example = parent.examples?.[0];
      return `${at}: ${value} is not valid${example === undefined ? ` (must match ${String(params.pattern)})` : `; expected something like ${JSON.stringify(example)}`}`;
    }
    case 'enum':
      return `${at}: ${value} is not one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at}: ${value} must be ${JSON.stringify(params.allowedValue)}`;
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = { minimum: 'at least', exclusiveMinimum: 'more than', maximum: 'at most', exclusiveMaximum: 'less than' };
      return `${at}: ${value} is out of range (must be ${words[e.keyword]} ${String(params.limit)})`;
    }
    case 'minLength':
      return `${at}: must not be empty`;
    case 'uniqueItems':
      return `${at}: items ${Math.min(Number(params.i), Number(params.j))} and ${Math.max(Number(params.i), Number(params.j))} are the same`;
    default:
      return `${at}: ${e.message ?? 'is invalid'}`;
  }
}

function kindsOf(parent: { oneOf?: unknown[] }): string {
  const kinds = (parent.oneOf ?? [])
    .map((b) => (b as { properties?: { kind?: { const?: unknown } } }).properties?.kind?.const)
    .filter((k): k is string => typeof k === 'string');
  return kinds.length ? `one of ${kinds.join(', ')}` : 'see boards/board.schema.json';
}

/** The known name closest to `name`: the same letters in another case, or a few edits away (1 for short names, 2, or a fifth of a long one). */
export function suggest(name: string, known: string[]): string | undefined {
  const lower = name.toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  let best: string | undefined;
  let bestD = name.length <= 4 ? 1 : Math.max(2, Math.floor(name.length / 5));
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d <= bestD && (best === undefined || d < editDistance(lower, best.toLowerCase()))) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = keep;
    }
  }
  return row[b.length];
}

/** JSON.parse, with a syntax error reported by line and column. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const m = /\s*in JSON at position (\d+)/.exec(message);
    const pos = m ? Number(m[1]) : /end of JSON input/.test(message) ? text.length : undefined;
    const what = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
    if (pos === undefined) throw new BoardError(`${where}: not valid JSON: ${what}`);
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - (before.lastIndexOf('\n') + 1) + 1;
    throw new BoardError(`${where}: not valid JSON at line ${line}, column ${column}: ${what}`);
  }
}

/** Reads and validates boards/<name>/board.json (or a path to a board.json); `dir` is the boards folder. */
export function loadBoard(nameOrPath: string, dir = boardsDir()): Board {
  const file = nameOrPath.endsWith('.json') ? nameOrPath : join(dir, nameOrPath, 'board.json');
  if (!existsSync(file)) throw new BoardError(`no board "${nameOrPath}" (looked for ${file}); see \`sixlab boards\``);
  const data = parseJson(readFileSync(file, 'utf8'), file);
  validate(data, file);
  const deviceLink = parseLinkAddress(data.device.eui64);
  const tester = parseLinkAddress(data.tester?.eui64 ?? '00:12:4b:ff:ff:ff:ff:fe');
  return {
    ...data,
    dir: dirname(file),
    deviceLink,
    deviceShort: data.device.shortAddress ? parseInt(data.device.shortAddress.slice(2), 16) : undefined,
    pan: parseInt(data.device.pan.slice(2), 16),
    testerLink: tester,
  };
}

/** The boards in a boards folder: its subfolders that hold a board.json. */
export function boardNames(dir = boardsDir()): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'board.json')))
    .map((d) => d.name)
    .sort();
}

/**
 * What the schema cannot see: a board's `name` must be its folder's, and a
 * virtual board's faults must exist (`knownFaults`: faultNames()).
 */
export function boardProblems(board: Board, knownFaults: string[]): string[] {
  const problems: string[] = [];
  const folder = basename(board.dir);
  if (board.name !== folder) problems.push(`name "${board.name}" does not match its folder "${folder}"`);
  if (board.link.kind === 'virtual') {
    for (const f of board.link.faults ?? []) {
      if (knownFaults.includes(f)) continue;
      const hint = suggest(f, knownFaults);
      problems.push(`link.faults: unknown fault "${f}"${hint ? ` (did you mean ${hint}?)` : ' (sixlab --help lists them)'}`);
    }
  }
  return problems;
}

export type BoardStatus = 'usable' | 'unusable' | 'configured';

/**
 * Whether a board can be used on this machine, and why not. A ZEP board is
 * only "configured": whether its peer runs cannot be known without talking to
 * it, and `sixlab boards` does not (ping says so after the first unanswered
 * request).
 */
export function usability(board: Board): { status: BoardStatus; usable: boolean; why: string } {
  const link = board.link;
  if (link.kind === 'virtual') return { status: 'usable', usable: true, why: 'in-process' };
  if (link.kind === 'zep') {
    const remote = link.remotePort === undefined ? 'the first sender' : String(link.remotePort);
    return { status: 'configured', usable: false, why: `UDP [${link.address ?? '::1'}]:${link.localPort ?? 17754} → ${remote}; not checked` };
  }
  return existsSync(link.path)
    ? { status: 'usable', usable: true, why: `${link.path} present` }
    : { status: 'unusable', usable: false, why: `${link.path} not present` };
}
