// `sixlab scenario run` as a user runs it: a child process (the command run
// from the sources through tsx, as main.ts would run it), the shipped
// scenarios with small fleets of virtual devices (the core) through the real
// gateway, on the embedded aedes and on a real mosquitto. An independent MQTT
// client (the mqtt package, here in the test) checks what arrives. Then
// failing assertions (exit 1), bad files and flags (exit 2), two shards on one
// broker.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type Mosquitto } from '../bridge/test-mosquitto.js';
import { createServer } from 'node:net';
import type { ScenarioMetrics } from '../scenario/report.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRY = `
import { Command, CommanderError } from 'commander';
import { registerScenario } from ${JSON.stringify(pathToFileURL(join(ROOT, 'host', 'cli', 'scenario-command.ts')).href)};
const p = new Command('sixlab').exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? 'sixlab: ' + s : s) });
registerScenario(p);
try {
  await p.parseAsync(process.argv.slice(1), { from: 'user' });
} catch (err) {
  if (!(err instanceof CommanderError)) throw err;
  process.exitCode = err.exitCode === 0 ? 0 : 2;
}
`;

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `sixlab scenario run ...args`; `onLine` sees each stdout line as it comes. */
function sixlab(args: string[], onLine?: (line: string) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, 'scenario', 'run', ...args], {
      cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) onLine?.(l);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

let tmp = '';
const cleanup: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sixlab-scenario-'));
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

let dirs = 0;
const reportDir = () => join(tmp, `report-${++dirs}`);
const metricsOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as ScenarioMetrics;

/** The test's own MQTT client, subscribed to everything under a prefix. */
class Watcher {
  readonly messages: { topic: string; json: Record<string, unknown> }[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.messages.push({ topic, json: JSON.parse(payload.toString()) }));
  }

  static async open(url: string, prefix: string): Promise<Watcher> {
    const client = await connectAsync(url, { reconnectPeriod: 0, clientId: `test-watcher-${Math.random().toString(16).slice(2)}` });
    const w = new Watcher(client);
    await client.subscribeAsync(`${prefix}/#`, { qos: 1 });
    cleanup.push(() => client.endAsync(true));
    return w;
  }

  telemetry(): { device: string; value: number; topic: string; m: Record<string, unknown> }[] {
    return this.messages.filter((x) => !x.topic.endsWith('/set') && !x.topic.endsWith('/result')).map((x) => ({ device: x.json.device as string, value: x.json.value as number, topic: x.topic, m: x.json }));
  }
}

/** Runs a scenario; on the embedded broker the watcher connects once the run says where the broker is. */
async function runWith(broker: 'aedes' | Mosquitto, file: string, prefix: string, extra: string[]): Promise<{ run: Run; watcher: Watcher; dir: string }> {
  const dir = reportDir();
  let watcher: Watcher | undefined;
  let connecting: Promise<void> | undefined;
  const args = [file, '--report-dir', dir, ...extra];
  if (broker === 'aedes') {
    const run = await sixlab([...args, '--broker-port', '0'], (line) => {
      const m = /^MQTT broker: (\S+) \(embedded aedes\)$/.exec(line);
      if (m) connecting = Watcher.open(m[1], prefix).then((w) => void (watcher = w));
    });
    await connecting;
    return { run, watcher: watcher!, dir };
  }
  watcher = await Watcher.open(broker.url, prefix);
  const run = await sixlab([...args, '--mqtt-url', broker.url]);
  return { run, watcher, dir };
}

const FLEET = ['--devices', '50', '--duration', '10'];
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `00124b5c${(from + i + 1).toString(16).padStart(8, '0')}`);

describe.each(['aedes', 'mosquitto'] as const)('the shipped scenarios on %s', (kind) => {
  let broker: 'aedes' | Mosquitto = 'aedes';
  beforeAll(async () => {
    if (kind === 'mosquitto') broker = await startMosquitto();
  });
  afterAll(async () => {
    if (broker !== 'aedes') await broker.stop();
  });

  it('telemetry: every reading of every device arrives on MQTT as JSON, in order, once', async () => {
    const { run, watcher, dir } = await runWith(broker, 'scenarios/telemetry.yaml', 'sixlab/telemetry', FLEET);
    expect(run.err).not.toMatch(/sixlab: /);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('PASS: every assertion holds');
    const m = metricsOf(dir);
    expect(m.run.devices).toBe(50);
    expect(m.telemetry!.sent).toBeGreaterThanOrEqual(50 * 9);
    expect(m.telemetry!.deliveryRatio).toBe(1);
    // What the independent client saw: each device's readings 20.01, 20.02, ... with none missing or repeated.
    const seen = watcher.telemetry();
    expect(new Set(seen.map((s) => s.device))).toEqual(new Set(ids(50)));
    for (const id of ids(50)) {
      const values = seen.filter((s) => s.device === id && s.value >= 20).map((s) => Math.round(s.value * 100) - 2000);
      expect(values).toEqual(Array.from({ length: values.length }, (_, i) => i + 1));
    }
    expect(seen.filter((s) => s.value >= 20)).toHaveLength(m.telemetry!.delivered);
    const one = seen.find((s) => s.value >= 20)!;
    expect(one.topic).toBe(`sixlab/telemetry/${one.device}/sensors/temperature`);
    expect(one.m).toMatchObject({ path: '/sensors/temperature', timeSource: 'gateway', eui64: expect.stringMatching(/^00:12:4b:5c:/), location: expect.stringMatching(/^cell-[01]$/) });
    expect(Math.abs((one.m.time as number) - Date.now())).toBeLessThan(60_000);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<svg id="histogram-telemetry"');
  });

  it('command: each .../set reaches the relay as a CoAP PUT and its 2.04 comes back on .../result', async () => {
    const { run, watcher, dir } = await runWith(broker, 'scenarios/command.yaml', 'sixlab/command', FLEET);
    expect(run.code, run.out + run.err).toBe(0);
    const m = metricsOf(dir);
    const sets = watcher.messages.filter((x) => x.topic.endsWith('/actuators/relay/set'));
    const results = watcher.messages.filter((x) => x.topic.endsWith('/actuators/relay/result'));
    expect(sets.length).toBe(m.commands!.sent);
    expect(sets.length).toBeGreaterThanOrEqual(50 * 4);
    expect(results.length).toBe(sets.length);
    const byId = new Map(results.map((r) => [r.json.id, r]));
    for (const s of sets) {
      const r = byId.get(s.json.id)!;
      expect(r.topic).toBe(s.topic.replace(/\/set$/, '/result'));
      expect(r.json).toMatchObject({ code: '2.04', ok: true, method: 'PUT', value: s.json.value, path: '/actuators/relay' });
    }
  });

  it('lossy-line: 10 % frame loss, and delivery stays at or above 99 %', async () => {
    const { run, watcher, dir } = await runWith(broker, 'scenarios/lossy-line.yaml', 'sixlab/lossy-line', FLEET);
    expect(run.code, run.out + run.err).toBe(0);
    const m = metricsOf(dir);
    expect(m.fleet.transmissions).toBeGreaterThan(0);
    const readings = new Set(watcher.telemetry().filter((s) => s.value >= 20).map((s) => `${s.device}|${s.value}`));
    expect(readings.size / m.telemetry!.sent).toBeGreaterThanOrEqual(0.99);
    expect(m.telemetry!.deliveryRatio!).toBeGreaterThanOrEqual(0.99);
  });
});

function scenarioFile(name: string, text: string): string {
  const f = join(tmp, name);
  writeFileSync(f, text);
  return f;
}

describe('assertions that fail', () => {
  it('an impossible latency bound: exit 1, and the assertion is named', async () => {
    const f = scenarioFile('impossible.yaml', readFileSync(join(ROOT, 'scenarios', 'telemetry.yaml'), 'utf8').replace('maxP50LatencyMs: 20', 'maxP50LatencyMs: 0.001').replace('maxP99LatencyMs: 50', 'maxP99LatencyMs: 0.001'));
    const dir = reportDir();
    const r = await sixlab([f, '--devices', '4', '--duration', '3', '--broker-port', '0', '--report-dir', dir]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/FAIL maxP99LatencyMs: p99 latency [\d.]+ ms > 0\.001 ms \(telemetry\)/);
    expect(r.out).toMatch(/^FAIL: maxP50LatencyMs \(telemetry\), maxP99LatencyMs \(telemetry\)$/m);
    expect(r.out).toContain('ok   minDeliveryRatio');
    const m = metricsOf(dir);
    expect(m.verdict).toBe('fail');
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('FAIL: 2 of 5 assertions failed (maxP50LatencyMs, maxP99LatencyMs)');
  });

  it('60 % frame loss: exit 1, delivery and registration named', async () => {
    const f = scenarioFile('sixty.yaml', `
name: sixty
duration: 4
drain: 2
topology: { devices: 6, link: { lossPercent: 60, delayMs: 2 } }
traffic: { observe: [{ path: /sensors/humidity, rate: 2 }] }
assertions: { minDeliveryRatio: 0.99, maxRegistrationS: 4 }
`);
    const r = await sixlab([f, '--broker-port', '0', '--report-dir', reportDir()]);
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(/FAIL minDeliveryRatio: delivery ratio 0\.\d+ \(\d+ of \d+\) < 0\.99 \(telemetry\)|FAIL minDeliveryRatio: nothing was sent/);
    expect(r.out).toMatch(/^FAIL: .*minDeliveryRatio \(telemetry\)/m);
  });
});

describe('bad input: one line per mistake, exit 2', () => {
  it('a scenario file with four mistakes gets four lines naming the fields, and nothing runs', async () => {
    const f = scenarioFile('bad.yaml', `
name: bad
duration: 0
topology: { devices: 10, board: serial }
traffic: { observe: [{ path: /sensors/temperature, rate: 1, qos: 1 }] }
assertions: { maxP99LatencyMs: -5 }
`);
    const dir = reportDir();
    const r = await sixlab([f, '--report-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toEqual([
      `sixlab: ${f}: duration: 0 is out of range (must be more than 0)`,
      `sixlab: ${f}: topology.board: "serial" is not one of "virtual"`,
      `sixlab: ${f}: traffic.observe[0]: unknown field qos; known: path, rate`,
      `sixlab: ${f}: assertions.maxP99LatencyMs: -5 is out of range (must be more than 0)`,
    ]);
    expect(existsSync(dir)).toBe(false);
  });

  it('a YAML syntax error, a missing file', async () => {
    const f = scenarioFile('syntax.yaml', 'name: x\ntopology: { devices: 3\n');
    const r = await sixlab([f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^sixlab: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line \\d+, column \\d+: not valid YAML: .+\\n$`));
    const m = await sixlab([join(tmp, 'nothing.yaml')]);
    expect(m.code).toBe(2);
    expect(m.err).toBe(`sixlab: ${join(tmp, 'nothing.yaml')}: no such file\n`);
  });

  it('flags: a fleet of 0, a shard past N, more shards than cells, a URL that is not one', async () => {
    const cases: [string[], string][] = [
      [['--devices', '0'], 'sixlab: --devices 0: expected a whole number from 1 to 100000\n'],
      [['--shard', '3/2'], 'sixlab: --shard 3/2: i must be between 1 and N\n'],
      [['--mqtt-url', 'not a url'], 'sixlab: --mqtt-url not a url: not a URL; expected something like mqtt://[::1]:1883\n'],
      [['--duration', '-1'], 'sixlab: --duration -1: expected seconds, more than 0 and at most 86400\n'],
      [['--shard', '1/3', '--broker-port', '0', '--report-dir', join(tmp, 'never')], 'sixlab: --shard 1/3: the fleet has 2 cells; each shard needs at least one (fewer shards, or more devices or smaller cells)\n'],
    ];
    for (const [flags, err] of cases) {
      const r = await sixlab(['scenarios/telemetry.yaml', ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.err).toBe(err);
    }
    const unknown = await sixlab(['scenarios/telemetry.yaml', '--devcies', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^sixlab: error: unknown option '--devcies'/);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('never overwrites a report folder without --force, and opens the broker before writing anything', async () => {
    const dir = reportDir();
    mkdirSync(dir);
    writeFileSync(join(dir, 'metrics.json'), 'earlier');
    const r = await sixlab(['scenarios/telemetry.yaml', '--devices', '2', '--duration', '1', '--broker-port', '0', '--report-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`sixlab: --report-dir ${dir}: not empty (an earlier report?); use --force to overwrite\n`);
    expect(readFileSync(join(dir, 'metrics.json'), 'utf8')).toBe('earlier');

    // A broker port in use: one line, exit 2, and no report folder made.
    const holder = createServer((socket) => socket.resume()); // takes connections, never speaks MQTT
    await new Promise<void>((res) => holder.listen({ host: '::1', port: 0 }, res));
    cleanup.push(() => new Promise<void>((res) => holder.close(() => res())));
    const port = (holder.address() as { port: number }).port;
    const fresh = reportDir();
    const busy = await sixlab(['scenarios/telemetry.yaml', '--devices', '2', '--duration', '1', '--broker-port', String(port), '--report-dir', fresh]);
    expect(busy.code).toBe(2);
    expect(busy.err).toBe(`sixlab: cannot start the embedded MQTT broker on [::1]:${port}: EADDRINUSE\n`);
    expect(existsSync(fresh)).toBe(false);

    // An external broker that is not there.
    const gone = await sixlab(['scenarios/telemetry.yaml', '--devices', '2', '--duration', '1', '--mqtt-url', `mqtt://[::1]:${port}`, '--report-dir', fresh]);
    expect(gone.code).toBe(2);
    expect(gone.err).toMatch(new RegExp(`^sixlab: cannot reach the MQTT broker at mqtt://\\[::1\\]:${port}: `));
    expect(existsSync(fresh)).toBe(false);

    // --force writes into it; a shipped scenario may be named rather than given by path.
    const forced = await sixlab(['telemetry', '--devices', '2', '--duration', '1', '--broker-port', '0', '--report-dir', dir, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(metricsOf(dir).run.devices).toBe(2);
    expect(metricsOf(dir).scenario.file).toBe(join(ROOT, 'scenarios', 'telemetry.yaml'));
    expect(readdirSync(dir).sort()).toEqual(['metrics.json', 'report.html']);
  });
});

describe('shards', () => {
  it('two shards on one mosquitto run half the fleet each; the broker carries all of it', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const watcher = await Watcher.open(broker.url, 'sixlab/telemetry');
    const [a, b] = [reportDir(), reportDir()];
    const common = ['--devices', '50', '--duration', '5', '--workers', '1', '--mqtt-url', broker.url];
    const [r1, r2] = await Promise.all([
      sixlab(['scenarios/telemetry.yaml', '--shard', '1/2', '--report-dir', a, ...common]),
      sixlab(['scenarios/telemetry.yaml', '--shard', '2/2', '--report-dir', b, ...common]),
    ]);
    expect(r1.code, r1.out + r1.err).toBe(0);
    expect(r2.code, r2.out + r2.err).toBe(0);
    const [m1, m2] = [metricsOf(a), metricsOf(b)];
    expect([m1.run.shard, m1.run.devices, m1.run.fleetDevices]).toEqual(['1/2', 25, 50]);
    expect([m2.run.shard, m2.run.devices, m2.run.fleetDevices]).toEqual(['2/2', 25, 50]);
    // Each shard counted its own devices only, though every message reached both.
    expect(m1.telemetry!.deliveryRatio).toBe(1);
    expect(m2.telemetry!.deliveryRatio).toBe(1);
    const seen = watcher.telemetry().filter((s) => s.value >= 20);
    expect(new Set(seen.map((s) => s.device))).toEqual(new Set(ids(50)));
    expect(seen.length).toBe(m1.telemetry!.delivered + m2.telemetry!.delivered);
    expect(new Set(seen.filter((s) => ids(25).includes(s.device)).map((s) => s.m.location))).toEqual(new Set(['cell-0']));
    expect(new Set(seen.filter((s) => ids(25, 25).includes(s.device)).map((s) => s.m.location))).toEqual(new Set(['cell-1']));
  });
});
