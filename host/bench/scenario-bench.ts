// The fleet benchmark (issue 9): the largest fleet of virtual devices that
// holds 1 reading per second per device with p99 end-to-end latency (the
// device's sample time to delivery by the broker to an MQTT client) under
// 50 ms, on this machine: the telemetry scenario through the real gateway,
// the bridge and the embedded aedes (scenarioBench's search below). Also:
// messages per second and memory per device. A benchmark, not a test: it
// fails on nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../scenario/run.js';
import { parseScenario, type Scenario } from '../scenario/scenario.js';

export const FLEET_TARGET = 1000;
export const P99_BUDGET_MS = 50;

export interface FleetRun {
  devices: number;
  workers: number;
  held: boolean;
  /** Why it did not hold (the first reason). */
  reason?: string;
  p50Ms: number | null;
  p99Ms: number | null;
  deliveryRatio: number | null;
  /** Readings delivered per second of traffic. */
  messagesPerSecond: number;
  /** Growth of the process's RSS while the fleet booted, per device (worker threads included). */
  memoryPerDeviceBytes: number | null;
  registeredAfterS: number | null;
  lagMaxMs: number;
  lagMeanMs: number;
}

export interface ScenarioBench {
  target: number;
  budgetP99Ms: number;
  cores: number;
  durationS: number;
  /** The largest fleet that held, if any did. */
  largest?: FleetRun;
  runs: FleetRun[];
  /** Memory per added device between the smallest and the largest fleet that ran (the workers' fixed cost taken out). */
  marginalMemoryPerDeviceBytes: number | null;
}

function benchScenario(durationS: number): Scenario {
  return parseScenario(`
name: fleet-bench
description: 1 reading per second per device, sensors to MQTT
duration: ${durationS}
drain: 5
topology: { devices: ${FLEET_TARGET}, cellSize: 25, link: { lossPercent: 0, delayMs: 2 } }
traffic: { observe: [{ path: /sensors/temperature, rate: 1 }] }
mqtt: { prefix: sixlab/bench, telemetry: { qos: 1, retain: false }, broker: { port: 0 } }
assertions: { minDeliveryRatio: 0.999, maxP99LatencyMs: ${P99_BUDGET_MS}, maxRegistrationS: 60 }
`, 'fleet-bench.yaml');
}

/** One fleet of `devices` through the whole chain; whether it held the rate and the latency budget. */
export async function fleetRun(devices: number, durationS = 20, workers?: number): Promise<FleetRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sixlab-fleet-bench-'));
  try {
    const r = await runScenario({ scenario: benchScenario(durationS), file: 'fleet-bench.yaml', devices, reportDir: dir, workers });
    const m = r.metrics;
    const t = m.telemetry!;
    return {
      devices, workers: m.run.workers, held: r.failed.length === 0, reason: r.failed[0]?.message,
      p50Ms: t.latencyMs.p50, p99Ms: t.latencyMs.p99, deliveryRatio: t.deliveryRatio,
      messagesPerSecond: t.delivered / (m.phases.trafficMs / 1000),
      memoryPerDeviceBytes: m.fleet.memoryPerDeviceBytes,
      registeredAfterS: m.registration.latencyMs.max === null ? null : m.registration.latencyMs.max / 1000,
      lagMaxMs: m.fleet.lagMaxMs, lagMeanMs: m.fleet.lagMeanMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * From the target (1,000): doubling while fleets hold, halving while they do
 * not, then bisecting between the largest that held and the smallest that did
 * not until they are within 10 % (fleets rounded to 50 devices; at most
 * `maxRuns` runs).
 */
export async function scenarioBench(options: { durationS?: number; maxRuns?: number; workers?: number; log?: (line: string) => void } = {}): Promise<ScenarioBench> {
  const durationS = options.durationS ?? 20;
  const maxRuns = options.maxRuns ?? 7;
  const runs: FleetRun[] = [];
  const run = async (n: number) => {
    const r = await fleetRun(n, durationS, options.workers);
    options.log?.(`fleet of ${n}: ${r.held ? 'held' : `did not hold (${r.reason})`}, p99 ${r.p99Ms?.toFixed(1) ?? '-'} ms, ${Math.round(r.messagesPerSecond)} msg/s`);
    runs.push(r);
    return r;
  };
  const round = (n: number) => Math.max(50, Math.round(n / 50) * 50);
  let good: number | undefined;
  let bad: number | undefined;
  let n = FLEET_TARGET;
  while (runs.length < maxRuns) {
    if ((await run(n)).held) good = n;
    else bad = n;
    if (bad === undefined) n = n * 2;
    else if (good === undefined) {
      if (n <= 50) break;
      n = round(n / 2);
    } else {
      if (bad - good <= Math.max(50, good * 0.1)) break;
      n = round((good + bad) / 2);
      if (n === good || n === bad) break;
    }
  }
  const held = runs.filter((r) => r.held).sort((a, b) => b.devices - a.devices);
  const bySize = [...runs].sort((a, b) => a.devices - b.devices);
  const lo = bySize[0];
  const hi = bySize[bySize.length - 1];
  const marginal = lo && hi && hi.devices > lo.devices && lo.memoryPerDeviceBytes !== null && hi.memoryPerDeviceBytes !== null
    ? (hi.memoryPerDeviceBytes * hi.devices - lo.memoryPerDeviceBytes * lo.devices) / (hi.devices - lo.devices)
    : null;
  return { target: FLEET_TARGET, budgetP99Ms: P99_BUDGET_MS, cores: availableParallelism(), durationS, largest: held[0], runs, marginalMemoryPerDeviceBytes: marginal };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');

/** Rows for run-all.ts's table: [what, figure, budget]. */
export function scenarioBenchRows(b: ScenarioBench): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const l = b.largest;
  rows.push([
    `largest fleet holding 1 msg/s/device, p99 < ${b.budgetP99Ms} ms (device sample -> MQTT delivery, ${b.cores} cores)`,
    l ? `${fmt(l.devices)} devices: p50 ${l.p50Ms?.toFixed(1)} ms, p99 ${l.p99Ms?.toFixed(1)} ms, ${fmt(l.messagesPerSecond)} msg/s` : 'none held',
    `>= ${fmt(b.target)} devices`,
  ]);
  if (l) rows.push(['  memory per device at that size (RSS growth, workers included)', l.memoryPerDeviceBytes === null ? '-' : `${fmt(l.memoryPerDeviceBytes / 1024)} KiB`, '']);
  if (b.marginalMemoryPerDeviceBytes !== null) rows.push(['  memory per added device', `${fmt(b.marginalMemoryPerDeviceBytes / 1024)} KiB`, '']);
  for (const r of b.runs) {
    rows.push([
      `  fleet of ${fmt(r.devices)} on ${r.workers} worker${r.workers === 1 ? '' : 's'}`,
      `${r.held ? 'held' : 'did not hold'}: p50 ${r.p50Ms?.toFixed(1) ?? '-'} ms, p99 ${r.p99Ms?.toFixed(1) ?? '-'} ms, ${fmt(r.messagesPerSecond)} msg/s, delivery ${r.deliveryRatio === null ? '-' : (r.deliveryRatio * 100).toFixed(2)} %, registered in ${r.registeredAfterS?.toFixed(1) ?? '-'} s, scheduler lag max ${fmt(r.lagMaxMs)} ms`,
      '',
    ]);
  }
  return rows;
}
