// Scenario files: YAML or JSON, checked against the schema (schema.ts) with
// ajv, every mistake reported on a line of its own that names the field
// ("traffic.observe[0].rate: -1 is out of range (must be more than 0)"), then
// filled with the defaults. docs/scenarios.md describes the format.
import { Ajv, type ErrorObject } from 'ajv';
import { Address6 } from 'ip-address';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { scenarioSchema } from './schema.js';

export type QoS = 0 | 1 | 2;

export interface LinkSpec {
  lossPercent: number;
  delayMs: number;
}

export interface CellSpec {
  /** Index over the whole fleet (all shards). */
  index: number;
  name: string;
  prefix: string;
  link: LinkSpec;
  /** Global device indexes [first, first + count). */
  first: number;
  count: number;
}

export interface Assertions {
  minDeliveryRatio?: number;
  maxP50LatencyMs?: number;
  maxP99LatencyMs?: number;
  noDuplicates?: boolean;
  maxRegistrationS?: number;
}

export interface Scenario {
  name: string;
  description?: string;
  /** Seconds of traffic. */
  duration: number;
  /** Seconds to wait for messages on their way after the traffic. */
  drain: number;
  seed: number;
  workers?: number;
  topology: {
    board: 'virtual';
    devices: number;
    cellSize: number;
    /** Devices power on at random moments over this many seconds; undefined: 1 s per 200 devices of the fleet. */
    powerOnS?: number;
    pan: number;
    link: LinkSpec;
    /** The cells given in the file (the rest take defaults: cellsOf()). */
    cells: { name?: string; prefix?: string; link?: Partial<LinkSpec> }[];
  };
  traffic: {
    observe: { path: string; rate: number }[];
    commands: { path: string; method: 'PUT' | 'POST'; rate: number }[];
  };
  mqtt: {
    prefix: string;
    telemetry: { qos: QoS; retain: boolean };
    results: { qos: QoS; retain: boolean };
    commands: { qos: QoS };
    broker: { host: string; port: number };
  };
  assertions: Assertions;
}

/** A scenario file that cannot be used: one line per mistake. */
export class ScenarioError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'));
    this.name = 'ScenarioError';
  }
}

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let validator: Validator | undefined;

function compiled(): Validator {
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(scenarioSchema) as Validator;
  return validator;
}

/** A JSON pointer (/traffic/observe/0/rate) as a field name (traffic.observe[0].rate). */
export function fieldName(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function closest(name: string, known: string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(name.length / 4));
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d <= bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
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

/** One schema error as a line that names the field and says what is wrong. */
export function describeError(e: ErrorObject): string {
  const at = fieldName(e.instancePath) || 'top level';
  const params = e.params as Record<string, unknown>;
  const value = JSON.stringify(e.data);
  const parent = (e.parentSchema ?? {}) as { properties?: Record<string, unknown>; examples?: unknown[]; description?: string };
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys(parent.properties ?? {}).filter((k) => k !== '$schema');
      const hint = closest(name, known);
      return `${at}: unknown field ${name}${hint ? ` (did you mean ${hint}?)` : `; known: ${known.join(', ')}`}`;
    }
    case 'required':
      return `${at === 'top level' ? '' : `${at}.`}${String(params.missingProperty)}: missing`;
    case 'type':
      return `${at}: ${value} is not ${params.type === 'integer' ? 'a whole number' : params.type === 'object' ? 'an object' : params.type === 'array' ? 'a list' : `a ${String(params.type)}`}`;
    case 'pattern': {
      const example = parent.examples?.[0];
      return `${at}: ${value} is not valid${example === undefined ? ` (must match ${String(params.pattern)})` : `; expected something like ${JSON.stringify(example)}`}`;
    }
    case 'enum':
      return `${at}: ${value} is not one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = { minimum: 'at least', exclusiveMinimum: 'more than', maximum: 'at most', exclusiveMaximum: 'less than' };
      return `${at}: ${value} is out of range (must be ${words[e.keyword]} ${String(params.limit)})`;
    }
    case 'minLength':
      return `${at}: must not be empty`;
    case 'minProperties':
      return `${at}: give at least one`;
    case 'maxItems':
      return `${at}: at most ${String(params.limit)} items`;
    case 'uniqueItems':
      return `${at}: items ${Math.min(Number(params.i), Number(params.j))} and ${Math.max(Number(params.i), Number(params.j))} are the same`;
    default:
      return `${at}: ${e.message ?? 'is invalid'}`;
  }
}

function yamlProblems(errors: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }[], what: string): string[] {
  return errors.map((e) => {
    const pos = e.linePos?.[0];
    const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return `${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}not valid ${what}: ${message}`;
  });
}

/** The file's text as data: JSON for .json, YAML otherwise; syntax errors by line and column. */
function parseText(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      // JSON is YAML too: the YAML parser says where the mistake is.
      const doc = parseDocument(text, { prettyErrors: true });
      if (doc.errors.length > 0) throw new ScenarioError(file, yamlProblems(doc.errors, 'JSON'));
      throw new ScenarioError(file, [`not valid JSON: ${(err as Error).message.split('\n')[0]}`]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ScenarioError(file, yamlProblems(doc.errors, 'YAML'));
  return doc.toJS();
}

type Raw = {
  name: string; description?: string; duration: number; drain?: number; seed?: number; workers?: number;
  topology: { board?: 'virtual'; devices: number; cellSize?: number; powerOnS?: number; pan?: string; link?: Partial<LinkSpec>; cells?: { name?: string; prefix?: string; link?: Partial<LinkSpec> }[] };
  traffic: { observe?: { path: string; rate: number }[]; commands?: { path: string; method?: 'PUT' | 'POST'; rate: number }[] };
  mqtt?: {
    prefix?: string; telemetry?: { qos?: QoS; retain?: boolean }; results?: { qos?: QoS; retain?: boolean }; commands?: { qos?: QoS };
    broker?: { host?: string; port?: number };
  };
  assertions: Assertions;
};

/** What the schema cannot say: prefixes that parse, names used once, bounds that agree. Defensive: it also runs on data the schema refused. */
function semanticProblems(data: Record<string, unknown>): string[] {
  const out: string[] = [];
  const obj = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const topology = obj(data.topology);
  const cells = Array.isArray(topology?.cells) ? topology.cells : [];
  const names = new Map<string, number>();
  const prefixes = new Map<string, number>();
  cells.forEach((raw, i) => {
    const c = obj(raw);
    if (!c) return;
    if (typeof c.name === 'string') {
      if (names.has(c.name)) out.push(`topology.cells[${i}].name: ${JSON.stringify(c.name)} is also cells[${names.get(c.name)}]'s name`);
      else names.set(c.name, i);
    }
    if (typeof c.prefix === 'string' && /^[0-9a-fA-F:]+\/64$/.test(c.prefix)) {
      let p: Address6 | undefined;
      try {
        p = new Address6(c.prefix);
      } catch {
        out.push(`topology.cells[${i}].prefix: ${JSON.stringify(c.prefix)} is not an IPv6 prefix; expected something like "2001:db8:0:1::/64"`);
      }
      if (p) {
        const key = p.startAddress().correctForm();
        if (prefixes.has(key)) out.push(`topology.cells[${i}].prefix: ${c.prefix} is also cells[${prefixes.get(key)}]'s prefix`);
        else prefixes.set(key, i);
      }
    }
  });
  const traffic = obj(data.traffic);
  const some = (v: unknown) => Array.isArray(v) && v.length > 0;
  if (traffic && !some(traffic.observe) && !some(traffic.commands)) out.push('traffic: nothing to do; give observe or commands (or both)');
  const a = obj(data.assertions);
  if (a && typeof a.maxP50LatencyMs === 'number' && typeof a.maxP99LatencyMs === 'number' && a.maxP50LatencyMs > a.maxP99LatencyMs) {
    out.push(`assertions.maxP50LatencyMs: ${a.maxP50LatencyMs} is above maxP99LatencyMs (${a.maxP99LatencyMs}): a median can never exceed the 99th percentile`);
  }
  return out;
}

/** Checks scenario data (from any source) and fills in the defaults. */
export function checkScenario(data: unknown, file: string): Scenario {
  const validate = compiled();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ScenarioError(file, ['top level: expected a mapping of fields (name, duration, topology, traffic, assertions)']);
  const valid = validate(data);
  const problems = [...new Set([...(valid ? [] : (validate.errors ?? []).map(describeError)), ...semanticProblems(data as Record<string, unknown>)])];
  if (problems.length > 0) throw new ScenarioError(file, problems);
  const s = data as Raw;
  const linkDefaults: LinkSpec = { lossPercent: s.topology.link?.lossPercent ?? 0, delayMs: s.topology.link?.delayMs ?? 2 };
  const q = s.mqtt ?? {};
  return {
    name: s.name,
    description: s.description,
    duration: s.duration,
    drain: s.drain ?? 10,
    seed: s.seed ?? 1,
    workers: s.workers,
    topology: {
      board: s.topology.board ?? 'virtual',
      devices: s.topology.devices,
      cellSize: s.topology.cellSize ?? 25,
      powerOnS: s.topology.powerOnS,
      pan: parseInt((s.topology.pan ?? '0xabcd').slice(2), 16),
      link: linkDefaults,
      cells: s.topology.cells ?? [],
    },
    traffic: {
      observe: s.traffic.observe ?? [],
      commands: (s.traffic.commands ?? []).map((c) => ({ path: c.path, method: c.method ?? 'PUT', rate: c.rate })),
    },
    mqtt: {
      prefix: q.prefix ?? `sixlab/${s.name}`,
      telemetry: { qos: q.telemetry?.qos ?? 1, retain: q.telemetry?.retain ?? false },
      results: { qos: q.results?.qos ?? 1, retain: q.results?.retain ?? false },
      commands: { qos: q.commands?.qos ?? 1 },
      broker: { host: q.broker?.host ?? '::1', port: q.broker?.port ?? 1883 },
    },
    assertions: s.assertions,
  };
}

export function parseScenario(text: string, file: string): Scenario {
  return checkScenario(parseText(text, file), file);
}

export function loadScenario(file: string): Scenario {
  if (!existsSync(file)) throw new ScenarioError(file, ['no such file']);
  if (!statSync(file).isFile()) throw new ScenarioError(file, ['not a file']);
  return parseScenario(readFileSync(file, 'utf8'), file);
}

/** How long the fleet takes to power on: the file's powerOnS, else 1 s per 200 devices (no storm of a thousand simultaneous registrations). */
export function powerOnSeconds(s: Scenario, devices = s.topology.devices): number {
  return s.topology.powerOnS ?? Math.ceil(devices / 200);
}

/** The default prefix of cell i: 2001:db8:0:<i>::/64 (documentation space, RFC 3849). */
export function defaultPrefix(i: number): string {
  return `2001:db8:${Math.floor(i / 65536).toString(16)}:${(i % 65536).toString(16)}::/64`;
}

/** Every cell of the fleet, its devices and link (the file's settings, then the defaults). */
export function cellsOf(s: Scenario, devices = s.topology.devices): CellSpec[] {
  const size = s.topology.cellSize;
  const count = Math.ceil(devices / size);
  const cells: CellSpec[] = [];
  for (let i = 0; i < count; i++) {
    const given = s.topology.cells[i] ?? {};
    cells.push({
      index: i,
      name: given.name ?? `cell-${i}`,
      prefix: given.prefix ?? defaultPrefix(i),
      link: { ...s.topology.link, ...given.link },
      first: i * size,
      count: Math.min(size, devices - i * size),
    });
  }
  return cells;
}

/** "i/N" → shard i (1-based) of N; the cells it runs: a contiguous block, as even as cells allow. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`--shard ${text}: expected i/N, like 1/2`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new Error(`--shard ${text}: i must be between 1 and N`);
  return { index, count };
}

export function shardCells(cells: CellSpec[], shard: { index: number; count: number }): CellSpec[] {
  if (cells.length < shard.count) {
    throw new Error(`--shard ${shard.index}/${shard.count}: the fleet has ${cells.length} cell${cells.length === 1 ? '' : 's'}; each shard needs at least one (fewer shards, or more devices or smaller cells)`);
  }
  const from = Math.floor(((shard.index - 1) * cells.length) / shard.count);
  const to = Math.floor((shard.index * cells.length) / shard.count);
  return cells.slice(from, to);
}

/** The EUI-64 of device i of the fleet: 00:12:4b:5c:XX:XX:XX:XX (i + 1, big-endian). */
export function deviceEui64(i: number): string {
  const n = i + 1;
  const b = [0x00, 0x12, 0x4b, 0x5c, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}
