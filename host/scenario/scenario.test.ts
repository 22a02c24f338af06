// Scenario files: the shipped ones load; every mistake in a file is one line
// that names the field; cells, shards and metrics are computed as documented.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAssertions, histogram, latencyStats, percentile, type FlowMetrics, type RegistrationMetrics } from './metrics.js';
import { assignCells } from './pool.js';
import { ScenarioError, cellsOf, deviceEui64, loadScenario, parseScenario, parseShard, shardCells } from './scenario.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCENARIOS = join(ROOT, 'scenarios');

const GOOD = `
name: t
duration: 5
topology: { devices: 10 }
traffic:
  observe: [{ path: /sensors/temperature, rate: 1 }]
assertions: { minDeliveryRatio: 0.99 }
`;

function problems(text: string, file = 'x.yaml'): string[] {
  try {
    parseScenario(text, file);
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems;
    throw err;
  }
  return [];
}

describe('scenario files', () => {
  it('loads every shipped scenario, with its defaults', () => {
    const files = readdirSync(SCENARIOS).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    expect(files).toEqual(['command.yaml', 'lossy-line.yaml', 'telemetry.yaml']);
    for (const f of files) {
      const s = loadScenario(join(SCENARIOS, f));
      expect(s.name).toBe(f.replace(/\.yaml$/, ''));
      expect(s.topology.board).toBe('virtual');
      expect(s.mqtt.broker).toEqual({ host: '::1', port: 1883 });
    }
    const lossy = loadScenario(join(SCENARIOS, 'lossy-line.yaml'));
    expect(lossy.topology.link.lossPercent).toBe(10);
    expect(lossy.assertions.minDeliveryRatio).toBe(0.99);
    const cmd = loadScenario(join(SCENARIOS, 'command.yaml'));
    expect(cmd.traffic.commands).toEqual([{ path: '/actuators/relay', method: 'PUT', rate: 0.5 }]);
  });

  it('fills in the defaults of a minimal file', () => {
    const s = parseScenario(GOOD, 'x.yaml');
    expect(s).toMatchObject({
      drain: 10, seed: 1, topology: { board: 'virtual', devices: 10, cellSize: 25, pan: 0xabcd, link: { lossPercent: 0, delayMs: 2 } },
      mqtt: { prefix: 'sixlab/t', telemetry: { qos: 1, retain: false }, results: { qos: 1, retain: false }, commands: { qos: 1 } },
    });
  });

  it('reads JSON as well as YAML', () => {
    const s = parseScenario(JSON.stringify({ name: 'j', duration: 1, topology: { devices: 1 }, traffic: { commands: [{ path: '/actuators/relay', rate: 1 }] }, assertions: { noDuplicates: true } }), 'x.json');
    expect(s.traffic.commands[0].method).toBe('PUT');
  });

  it('reports each mistake on its own line, naming the field', () => {
    const text = `
name: bad name
duration: -1
topology:
  devices: 0
  cellsize: 10
  link: { lossPercent: 120 }
traffic:
  observe: [{ path: /sensors/pressure, rate: 1 }]
  commands: [{ path: /actuators/relay, method: GET, rate: 1 }]
mqtt: { prefix: "a/#", telemetry: { qos: 3 } }
assertions: { minDeliveryRatio: 1.5, maxP99LatencyMs: "50" }
`;
    expect(problems(text)).toEqual([
      'name: "bad name" is not valid; expected something like "telemetry"',
      'duration: -1 is out of range (must be more than 0)',
      'topology: unknown field cellsize (did you mean cellSize?)',
      'topology.devices: 0 is out of range (must be at least 1)',
      'topology.link.lossPercent: 120 is out of range (must be at most 100)',
      'traffic.observe[0].path: "/sensors/pressure" is not one of "/sensors/temperature", "/sensors/humidity"',
      'traffic.commands[0].method: "GET" is not one of "PUT", "POST"',
      'mqtt.prefix: "a/#" is not valid; expected something like "sixlab/telemetry"',
      'mqtt.telemetry.qos: 3 is not one of 0, 1, 2',
      'assertions.minDeliveryRatio: 1.5 is out of range (must be at most 1)',
      'assertions.maxP99LatencyMs: "50" is not a number',
    ]);
  });

  it('names missing fields and empty sections', () => {
    expect(problems('name: x\n')).toEqual(['duration: missing', 'topology: missing', 'traffic: missing', 'assertions: missing']);
    expect(problems(GOOD.replace('assertions: { minDeliveryRatio: 0.99 }', 'assertions: {}'))).toEqual(['assertions: give at least one']);
    expect(problems(GOOD.replace('topology: { devices: 10 }', 'topology: {}'))).toEqual(['topology.devices: missing']);
  });

  it('checks what the schema cannot: prefixes, names used twice, bounds that contradict, traffic', () => {
    const text = `
name: s
duration: 5
topology:
  devices: 10
  cells:
    - { name: a, prefix: "2001:db8:0:1::/64" }
    - { name: a, prefix: "2001:db8:0:1:0::/64" }
    - { prefix: "2001:db8::1::/64" }
traffic: {}
assertions: { maxP50LatencyMs: 80, maxP99LatencyMs: 50 }
`;
    expect(problems(text)).toEqual([
      'topology.cells[1].name: "a" is also cells[0]\'s name',
      'topology.cells[1].prefix: 2001:db8:0:1:0::/64 is also cells[0]\'s prefix',
      'topology.cells[2].prefix: "2001:db8::1::/64" is not an IPv6 prefix; expected something like "2001:db8:0:1::/64"',
      'traffic: nothing to do; give observe or commands (or both)',
      'assertions.maxP50LatencyMs: 80 is above maxP99LatencyMs (50): a median can never exceed the 99th percentile',
    ]);
  });

  it('reports YAML and JSON syntax errors by line and column', () => {
    expect(problems('name: x\nduration: [1\n')[0]).toMatch(/^line \d+, column \d+: not valid YAML: /);
    expect(problems('name: a\nname: b\n')[0]).toMatch(/^line 2, column 1: not valid YAML: .*[Mm]ap keys must be unique/);
    expect(problems('{\n  "name": "x",\n  "duration": 5\n', 'x.json')).toEqual([expect.stringMatching(/^line 4, column 1: not valid JSON: /)]);
    expect(problems('{\n  "name": "x",\n  "duration": ,\n}', 'x.json')).toEqual([expect.stringMatching(/^not valid JSON: Unexpected token/)]);
    expect(problems('- a\n- b\n')).toEqual(['top level: expected a mapping of fields (name, duration, topology, traffic, assertions)']);
  });

  it('says when the file is missing', () => {
    expect(() => loadScenario(join(ROOT, 'no-such.yaml'))).toThrow(/no-such\.yaml: no such file/);
  });
});

describe('cells, shards, devices', () => {
  const s = parseScenario(`${GOOD}\n`.replace('topology: { devices: 10 }', `topology:
  devices: 60
  cellSize: 25
  link: { lossPercent: 1, delayMs: 3 }
  cells: [{ name: line-1, prefix: "2001:db8:aa::/64", link: { lossPercent: 20 } }]`), 'x.yaml');

  it('cuts the fleet into cells: the file\'s first, then defaults', () => {
    const cells = cellsOf(s);
    expect(cells.map((c) => [c.name, c.prefix, c.first, c.count, c.link.lossPercent, c.link.delayMs])).toEqual([
      ['line-1', '2001:db8:aa::/64', 0, 25, 20, 3],
      ['cell-1', '2001:db8:0:1::/64', 25, 25, 1, 3],
      ['cell-2', '2001:db8:0:2::/64', 50, 10, 1, 3],
    ]);
    expect(cellsOf(s, 7).map((c) => c.count)).toEqual([7]);
  });

  it('gives each shard whole cells, and refuses more shards than cells', () => {
    const cells = cellsOf(s);
    expect(shardCells(cells, parseShard('1/2')).map((c) => c.index)).toEqual([0]);
    expect(shardCells(cells, parseShard('2/2')).map((c) => c.index)).toEqual([1, 2]);
    expect(shardCells(cells, parseShard('3/3')).map((c) => c.index)).toEqual([2]);
    expect(() => shardCells(cells, parseShard('1/4'))).toThrow('--shard 1/4: the fleet has 3 cells; each shard needs at least one');
    expect(() => parseShard('0/2')).toThrow('--shard 0/2: i must be between 1 and N');
    expect(() => parseShard('2')).toThrow('--shard 2: expected i/N');
  });

  it('spreads cells over workers, as even in devices as whole cells allow', () => {
    const cells = cellsOf({ ...s, topology: { ...s.topology, cellSize: 10 } }, 95);
    const blocks = assignCells(cells, 2);
    expect(blocks.map((b) => b.reduce((n, c) => n + c.count, 0))).toEqual([50, 45]);
    expect(assignCells(cells.slice(0, 1), 4)).toHaveLength(1);
    expect(assignCells(cells, 20).map((b) => b.length)).toEqual(Array(10).fill(1));
  });

  it('numbers devices 00:12:4b:5c:…', () => {
    expect(deviceEui64(0)).toBe('00:12:4b:5c:00:00:00:01');
    expect(deviceEui64(65535)).toBe('00:12:4b:5c:00:01:00:00');
  });
});

describe('metrics and assertions', () => {
  it('nearest-rank percentiles and a trimmed histogram', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile([], 50)).toBeNull();
    expect(latencyStats([3, 1, 2])).toMatchObject({ count: 3, p50: 2, max: 3, mean: 2 });
    expect(histogram([0.7, 4, 4, 70_000])).toEqual({ edges: [1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10_000, 30_000, 60_000, -1], counts: [1, 0, 0, 2, ...Array(19).fill(0), 1] });
  });

  const flow = (over: Partial<FlowMetrics>): FlowMetrics => ({
    sent: 100, delivered: 100, deliveryRatio: 1, duplicates: 0, latencyMs: latencyStats([5, 10, 80]), histogram: histogram([]), perSecond: [], ...over,
  });
  const reg: RegistrationMetrics = { devices: 3, registered: 2, latencyMs: latencyStats([1000, 2000]), times: [1000, 2000] };

  it('checks each assertion for each flow and says why it failed', () => {
    const r = checkAssertions(
      { minDeliveryRatio: 0.99, maxP50LatencyMs: 20, maxP99LatencyMs: 50, noDuplicates: true, maxRegistrationS: 30 },
      { telemetry: flow({ delivered: 98, deliveryRatio: 0.98, duplicates: 2 }), commands: flow({}) },
      reg,
    );
    expect(r.map((a) => [a.name, a.flow, a.ok, a.message])).toEqual([
      ['minDeliveryRatio', 'telemetry', false, 'delivery ratio 0.9800 (98 of 100) < 0.99 (telemetry)'],
      ['maxP50LatencyMs', 'telemetry', true, 'p50 latency 10 ms <= 20 ms (telemetry)'],
      ['maxP99LatencyMs', 'telemetry', false, 'p99 latency 80 ms > 50 ms (telemetry)'],
      ['noDuplicates', 'telemetry', false, '2 duplicates (telemetry)'],
      ['minDeliveryRatio', 'commands', true, 'delivery ratio 1.0000 (100 of 100) >= 0.99 (commands)'],
      ['maxP50LatencyMs', 'commands', true, 'p50 latency 10 ms <= 20 ms (commands)'],
      ['maxP99LatencyMs', 'commands', false, 'p99 latency 80 ms > 50 ms (commands)'],
      ['noDuplicates', 'commands', true, '0 duplicates (commands)'],
      ['maxRegistrationS', undefined, false, '1 of 3 devices not registered within 30 s (1 never)'],
    ]);
  });

  it('fails delivery and latency when nothing was sent or nothing arrived', () => {
    const r = checkAssertions({ minDeliveryRatio: 0.5, maxP99LatencyMs: 50 }, { telemetry: flow({ sent: 0, delivered: 0, deliveryRatio: null, latencyMs: latencyStats([]) }) }, reg);
    expect(r.map((a) => [a.ok, a.message])).toEqual([[false, 'nothing was sent (telemetry)'], [false, 'no p99 latency: nothing arrived (telemetry)']]);
  });
});
