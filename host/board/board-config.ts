// Boards are data (boards/<name>/board.json), validated against
// boards/board.schema.json with ajv; a mistake is reported on one line with
// the path of the offending field.
import { Ajv } from 'ajv';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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
  timeouts?: { helloMs?: number; replyMs?: number; bootMs?: number; testMs?: number };
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

let validator: ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: unknown }[] | null } | undefined;

function validate(data: unknown, where: string): asserts data is BoardConfig {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(boardsDir(), 'board.schema.json'), 'utf8'));
    validator = new Ajv({ allErrors: false, strict: false }).compile(schema);
  }
  if (!validator(data)) {
    const e = validator.errors?.[0];
    const params = e?.params && typeof e.params === 'object' ? JSON.stringify(e.params) : '';
    throw new BoardError(`${where}: ${e?.instancePath || '(top)'} ${e?.message ?? 'is invalid'} ${params}`.trim());
  }
}

/** Reads and validates boards/<name>/board.json (or a path to a board.json). */
export function loadBoard(nameOrPath: string): Board {
  const file = nameOrPath.endsWith('.json') ? nameOrPath : join(boardsDir(), nameOrPath, 'board.json');
  if (!existsSync(file)) throw new BoardError(`no board "${nameOrPath}" (looked for ${file}); see \`sixlab boards\``);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BoardError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  validate(data, file);
  const deviceLink = parseLinkAddress(data.device.eui64);
  const tester = parseLinkAddress(data.tester?.eui64 ?? '00:12:4b:ff:ff:ff:ff:fe');
  return {
    ...data,
    dir: file.replace(/\/board\.json$/, ''),
    deviceLink,
    deviceShort: data.device.shortAddress ? parseInt(data.device.shortAddress.slice(2), 16) : undefined,
    pan: parseInt(data.device.pan.slice(2), 16),
    testerLink: tester,
  };
}

export function boardNames(): string[] {
  return readdirSync(boardsDir(), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(boardsDir(), d.name, 'board.json')))
    .map((d) => d.name)
    .sort();
}

/** Whether a board can be used on this machine, and why not. */
export function usability(board: Board): { usable: boolean; why: string } {
  const link = board.link;
  if (link.kind === 'virtual') return { usable: true, why: 'in-process' };
  if (link.kind === 'zep') return { usable: true, why: `UDP on [${link.address ?? '::1'}]:${link.localPort ?? 17754}` };
  return existsSync(link.path)
    ? { usable: true, why: `${link.path} present` }
    : { usable: false, why: `${link.path} not present` };
}
